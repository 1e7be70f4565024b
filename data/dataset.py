# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Seeded generator of the benchmark datasets (../shared/BENCHMARKS.md)

    python -m data.dataset --size S --database NAME --uri URI [--seed 42]

The database must exist with production_kitting activated (see
tools/server.py ``Server.build``).  Sizes: S, M, L and adversarial.

How it loads:
- products (templates and variants) through the ORM ``create`` in batches:
  codes, units and defaults are set by Tryton;
- BOMs, BOM lines, substitutes and done stock moves in bulk (PostgreSQL
  ``COPY``, python-sql ``INSERT`` elsewhere): no validation runs, which is
  what lets the adversarial set hold a cyclic BOM that the ORM would
  refuse;
- one stock period closed 30 days ago by ``stock.period.close`` (Tryton
  fills its cache): stock queries read the cache plus the moves after it;
- sales and production orders through the ORM (``set_moves`` creates the
  component moves as Tryton does).

PostgreSQL only: on SQLite Tryton emulates the unique constraint of product
codes with one OR clause per row, which overflows the parser after a few
hundred products.

Products are coded ``FG-n`` (finished goods, level 0), ``SA<level>-n``
(sub-assemblies) and ``RM-n`` (raw materials).  Every BOM makes 1 unit.
"""
import argparse
import datetime as dt
import os
import random
import sys
import time
from decimal import Decimal

SIZES = {
    # products, BOM levels, stock moves, sales lines, productions,
    # share of BOM lines with substitutes
    'S': dict(products=2000, levels=3, moves=50000, sales=200,
        productions=30, substitutes=0.1),
    'M': dict(products=20000, levels=5, moves=500000, sales=2000,
        productions=300, substitutes=0.1),
    'L': dict(products=100000, levels=7, moves=5000000, sales=20000,
        productions=3000, substitutes=0.1),
    'adversarial': dict(products=2000, levels=3, moves=20000, sales=20,
        productions=5, substitutes=0.2),
    }
BATCH = 5000
ORM_BATCH = 100


def _now():
    return dt.datetime.now()


class Generator:

    def __init__(self, size, seed=42):
        self.size = size
        self.spec = SIZES[size]
        self.random = random.Random(seed)
        self.codes = {}  # product id: code

    def log(self, message):
        print('[dataset %s] %s' % (self.size, message), file=sys.stderr)

    def run(self):
        from trytond.pool import Pool
        from trytond.transaction import Transaction
        pool = Pool()
        Location = pool.get('stock.location')
        company = self.ensure_company()
        with Transaction().set_context(company=company.id):
            self.company = company
            self.warehouse, = Location.search(
                [('type', '=', 'warehouse')], limit=1)
            start = time.monotonic()
            self.create_products()
            self.log('products %.1fs' % (time.monotonic() - start))
            self.create_boms()
            self.log('boms %.1fs' % (time.monotonic() - start))
            if self.size == 'adversarial':
                self.create_adversarial()
            self.create_moves()
            self.log('moves %.1fs' % (time.monotonic() - start))
            self.close_period()
            self.log('period %.1fs' % (time.monotonic() - start))
            self.create_sales()
            self.log('sales %.1fs' % (time.monotonic() - start))
            self.create_productions()
            self.log('productions %.1fs' % (time.monotonic() - start))

    def ensure_company(self):
        "Return the company, created in CNY if there is none"
        pool = Pool_()
        Company = pool.get('company.company')
        Currency = pool.get('currency.currency')
        Party = pool.get('party.party')
        User = pool.get('res.user')
        companies = Company.search([], limit=1)
        if companies:
            return companies[0]
        currencies = Currency.search([('code', '=', 'CNY')], limit=1)
        if currencies:
            currency, = currencies
        else:
            currency, = Currency.create([{
                        'name': "Renminbi", 'code': 'CNY', 'symbol': '¥',
                        }])
        party, = Party.create([{'name': "Dataset Manufacturing"}])
        company, = Company.create([{'party': party.id,
                    'currency': currency.id}])
        admin, = User.search([('login', '=', 'admin')])
        User.write([admin], {
                'companies': [('add', [company.id])],
                'company': company.id,
                })
        return company

    # Products
    def create_products(self):
        pool = Pool_()
        Uom = pool.get('product.uom')
        self.unit, = Uom.search([('name', '=', 'Unit')])
        n = self.spec['products']
        levels = self.spec['levels']
        n_fg = max(n // 10, 1)
        n_sa = n * 3 // 10
        n_rm = n - n_fg - n_sa
        self.levels = [self._create('FG', n_fg, producible=True)]
        per_level = max(n_sa // max(levels - 1, 1), 1)
        for level in range(1, levels):
            self.levels.append(self._create(
                    'SA%s' % level, per_level, producible=True))
        self.raws = self._create('RM', n_rm, purchasable=True)

    def _create(self, prefix, count, producible=False, purchasable=False):
        pool = Pool_()
        Template = pool.get('product.template')
        ids = []
        for start in range(0, count, ORM_BATCH):
            vlist = [{
                    'name': '%s-%05d' % (prefix, i),
                    'code': '%s-%05d' % (prefix, i),
                    'type': 'goods',
                    'default_uom': self.unit.id,
                    'producible': producible,
                    'purchasable': purchasable,
                    'salable': prefix == 'FG',
                    'sale_uom': self.unit.id,
                    'purchase_uom': self.unit.id,
                    'list_price': Decimal(100),
                    'products': [('create', [{}])],
                    } for i in range(start, min(start + ORM_BATCH, count))]
            for template in Template.create(vlist):
                product, = template.products
                ids.append(product.id)
                self.codes[product.id] = template.code
        return ids

    # BOMs
    def create_boms(self):
        "Each product of a level uses 2-6 products of the next levels"
        rnd = self.random
        self.boms = {}
        self.bom_inputs = []  # (bom, product, quantity)
        self.bom_substitutes = []  # (input index, product, ratio)
        for level, products in enumerate(self.levels):
            below = [p for l in self.levels[level + 1:] for p in l]
            for product in products:
                inputs = rnd.sample(self.raws, rnd.randint(1, 4))
                if below:
                    inputs += rnd.sample(
                        below, min(len(below), rnd.randint(1, 2)))
                self.boms[product] = [
                    (i, float(rnd.randint(1, 4))) for i in inputs]
        self.write_boms()

    def write_boms(self):
        from trytond.transaction import Transaction
        pool = Pool_()
        BOM = pool.get('production.bom')
        Input = pool.get('production.bom.input')
        Output = pool.get('production.bom.output')
        ProductBOM = pool.get('product.product-production.bom')
        Substitute = pool.get('production.bom.input.substitute')
        cursor = Transaction().connection.cursor()
        rnd = self.random
        bom = BOM.__table__()
        products = sorted(self.boms)
        bom_ids = {}
        for product in products:
            cursor.execute(*bom.insert(
                    [bom.name, bom.phantom, bom.active, bom.create_uid,
                        bom.create_date],
                    [[self.codes[product], False, True, 0, _now()]],
                    returning=[bom.id]))
            bom_ids[product], = cursor.fetchone()
        output = Output.__table__()
        product_bom = ProductBOM.__table__()
        self._insert(output,
            [output.bom, output.product, output.quantity, output.unit],
            [[bom_ids[p], p, 1.0, self.unit.id] for p in products])
        self._insert(product_bom,
            [product_bom.product, product_bom.bom, product_bom.sequence],
            [[p, bom_ids[p], 10] for p in products])
        input_ = Input.__table__()
        substitute = Substitute.__table__()
        for product in products:
            rows = self.boms[product]
            for child, quantity in rows:
                cursor.execute(*input_.insert(
                        [input_.bom, input_.product, input_.quantity,
                            input_.unit, input_.create_uid,
                            input_.create_date],
                        [[bom_ids[product], child, quantity, self.unit.id,
                                0, _now()]],
                        returning=[input_.id]))
                input_id, = cursor.fetchone()
                if (child in self._raw_set()
                        and rnd.random() < self.spec['substitutes']):
                    subs = rnd.sample(self.raws, 2)
                    self._insert(substitute,
                        [substitute.input, substitute.product,
                            substitute.ratio, substitute.sequence],
                        [[input_id, s, float(rnd.choice([1, 2])), i]
                            for i, s in enumerate(subs) if s != child])
        self.bom_ids = {**getattr(self, 'bom_ids', {}), **bom_ids}
        # written in SQL: clear the BOM graph kept by production_kitting
        try:
            Kitting = pool.get('production.kitting')
        except KeyError:
            pass
        else:
            Kitting._bom_graph_cache.clear()

    def _raw_set(self):
        if not hasattr(self, '_raws'):
            self._raws = set(self.raws)
        return self._raws

    def _insert(self, table, columns, rows, checked=False):
        """Insert the rows; ``checked``: the caller checked the rows'
        foreign keys (``_check_references``), so PostgreSQL may skip its
        per-row foreign-key triggers as ``pg_restore --disable-triggers``
        does (6 checks per stock move were most of L's 992 s of moves)"""
        from trytond.transaction import Transaction
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        columns = columns + [table.create_uid, table.create_date]
        now = _now()
        if transaction.database.name and hasattr(cursor, 'copy'):
            # PostgreSQL: COPY is about ten times faster than INSERT
            names = ', '.join('"%s"' % c.name for c in columns)
            if checked and self._superuser(cursor):
                cursor.execute('SET LOCAL session_replication_role = replica')
            with cursor.copy('COPY "%s" (%s) FROM STDIN' % (
                        table._name, names)) as copy:
                for row in rows:
                    copy.write_row(row + [0, now])
            if checked and self._superuser(cursor):
                cursor.execute('SET LOCAL session_replication_role = origin')
            return
        # PostgreSQL takes at most 65535 parameters per statement
        batch = min(BATCH, 60000 // len(columns))
        for start in range(0, len(rows), batch):
            values = [r + [0, now] for r in rows[start:start + batch]]
            if values:
                cursor.execute(*table.insert(columns, values))

    @staticmethod
    def _superuser(cursor):
        cursor.execute('SELECT usesuper FROM pg_user WHERE usename = '
            'current_user')
        return cursor.fetchone()[0]

    @staticmethod
    def _check_references(table, columns, rows):
        """Raise unless every value of the foreign-key columns exists in
        the table it refers to (one query per column on its distinct
        values)"""
        from sql import Table
        from trytond.transaction import Transaction
        cursor = Transaction().connection.cursor()
        for index, (column, target) in enumerate(columns):
            values = sorted({r[index] for r in rows})
            target = Table(target)
            found = set()
            # PostgreSQL takes at most 65535 parameters per statement
            for start in range(0, len(values), BATCH):
                cursor.execute(*target.select(target.id,
                        where=target.id.in_(values[start:start + BATCH])))
                found.update(i for i, in cursor)
            missing = set(values) - found
            if missing:
                raise ValueError('%s.%s: no %s %s' % (
                        table._name, column.name, target._name,
                        sorted(missing)[:10]))

    def create_adversarial(self):
        "A 20-level chain, a 1,700-line BOM, chained substitutes, a cycle"
        chain = self._create('CH', 21, producible=True)
        big = self._create('BIG', 1, producible=True)
        cycle = self._create('CY', 3, producible=True)
        self.boms = {}
        for upper, lower in zip(chain, chain[1:]):
            self.boms[upper] = [(lower, 2.0)]
        raws = self.raws[:1700]
        self.boms[big[0]] = [(r, 1.0) for r in raws]
        self.boms[cycle[0]] = [(cycle[1], 1.0)]
        self.boms[cycle[1]] = [(cycle[2], 1.0)]
        self.boms[cycle[2]] = [(cycle[0], 1.0)]
        self.write_boms()
        self.levels[0] += [chain[0], big[0]]
        self.adversarial = {
            'chain': chain, 'big': big[0], 'cycle': cycle}

    # Stock
    def create_moves(self):
        "Done receipts of raw materials and sub-assemblies, some issues"
        pool = Pool_()
        Location = pool.get('stock.location')
        Move = pool.get('stock.move')
        rnd = self.random
        supplier, = Location.search([('type', '=', 'supplier')], limit=1)
        customer, = Location.search([('type', '=', 'customer')], limit=1)
        storage = self.warehouse.storage_location
        quarantine = self.warehouse.quarantine_location
        stocked = self.raws + [p for l in self.levels[1:] for p in l]
        if getattr(self, 'adversarial', None):
            stocked += [self.adversarial['chain'][-1]] * 50
        move = Move.__table__()
        today = dt.date.today()
        currency = self.company.currency.id
        rows = []
        for _ in range(self.spec['moves']):
            product = rnd.choice(stocked)
            kind = rnd.random()
            quantity = float(rnd.randint(1, 50))
            date = today - dt.timedelta(days=rnd.randint(1, 365))
            if kind < 0.7:
                from_, to = supplier.id, storage.id
            elif kind < 0.97:
                from_, to = storage.id, customer.id
                quantity = float(rnd.randint(1, 10))
            else:
                from_, to = supplier.id, quarantine.id
            rows.append([product, self.unit.id, quantity, quantity,
                    from_, to, 'done', date, date, self.company.id,
                    Decimal(1), currency])
        columns = [move.product, move.unit, move.quantity,
            move.internal_quantity, move.from_location, move.to_location,
            move.state, move.planned_date, move.effective_date,
            move.company, move.unit_price, move.currency]
        self._check_references(move, [
                (move.product, 'product_product'), (move.unit, 'product_uom'),
                (move.from_location, 'stock_location'),
                (move.to_location, 'stock_location'),
                (move.company, 'company_company'),
                (move.currency, 'currency_currency')],
            [[r[0], r[1], r[4], r[5], r[9], r[11]] for r in rows])
        self._insert(move, columns, rows, checked=True)
        # planned receipts in the next 30 days
        rows = []
        for _ in range(self.spec['moves'] // 50):
            product = rnd.choice(stocked)
            date = today + dt.timedelta(days=rnd.randint(1, 30))
            quantity = float(rnd.randint(1, 50))
            rows.append([product, self.unit.id, quantity, quantity,
                    supplier.id, storage.id, 'draft', date, self.company.id,
                    Decimal(1), currency])
        self._insert(move,
            [move.product, move.unit, move.quantity, move.internal_quantity,
                move.from_location, move.to_location, move.state,
                move.planned_date, move.company, move.unit_price,
                move.currency],
            rows)

    def close_period(self):
        """Close a stock period 30 days ago (a company closing every month)
        with Tryton's own method: the done moves before it are read from
        its cache"""
        pool = Pool_()
        Period = pool.get('stock.period')
        period, = Period.create([{
                    'date': dt.date.today() - dt.timedelta(days=30),
                    'company': self.company.id,
                    }])
        Period.close([period])
        self.period = period

    # Sales and productions
    def create_sales(self):
        from trytond.transaction import Transaction
        pool = Pool_()
        Sale = pool.get('sale.sale')
        Party = pool.get('party.party')
        rnd = self.random
        party, = Party.create([{
                    'name': "Dataset customer",
                    'addresses': [('create', [{}])],
                    }])
        today = dt.date.today()
        finished = self.levels[0]
        n = self.spec['sales']
        vlist = []
        for i in range(0, n, 5):
            vlist.append({
                    'party': party.id,
                    'company': self.company.id,
                    'currency': self.company.currency.id,
                    'warehouse': self.warehouse.id,
                    'invoice_address': party.addresses[0].id,
                    'shipment_address': party.addresses[0].id,
                    'shipping_date': today + dt.timedelta(
                        days=rnd.randint(0, 60)),
                    'lines': [('create', [{
                                    'product': rnd.choice(finished),
                                    'quantity': float(rnd.randint(1, 200)),
                                    'unit': self.unit.id,
                                    'unit_price': Decimal(100),
                                    } for _ in range(min(5, n - i))])],
                    })
        sales = Sale.create(vlist)
        # quoted without the checks of the button: the kitting warning is
        # what the benchmark measures
        table = Sale.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.update([table.state], ['quotation'],
                where=table.id.in_([s.id for s in sales])))

    def create_productions(self):
        pool = Pool_()
        Production = pool.get('production')
        rnd = self.random
        today = dt.date.today()
        productions = []
        for _ in range(self.spec['productions']):
            product = rnd.choice(self.levels[0])
            if product not in self.bom_ids:
                continue
            production = Production(
                company=self.company,
                warehouse=self.warehouse,
                location=self.warehouse.production_location,
                product=product,
                bom=self.bom_ids[product],
                unit=self.unit,
                quantity=float(rnd.randint(50, 500)),
                planned_date=today + dt.timedelta(days=rnd.randint(1, 30)),
                state='draft')
            production.planned_start_date = production.planned_date
            productions.append(production)
        Production.save(productions)
        Production.set_moves(productions)
        Production.wait(productions)


def Pool_():
    from trytond.pool import Pool
    return Pool()


def load(size, database, uri=None, seed=42):
    "Generate the dataset into database and commit"
    if uri:
        os.environ['TRYTOND_DATABASE__URI'] = uri
    from trytond import config
    if uri:
        config.set('database', 'uri', uri)
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    Pool.start()
    pool = Pool(database)
    pool.init()
    # stock.period close locks the moves
    with Transaction().start(database, 0, readonly=False,
            _lock_tables=['stock_move']):
        generator = Generator(size, seed=seed)
        generator.run()
    return generator


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--size', default='S', choices=sorted(SIZES))
    parser.add_argument('--database', required=True)
    parser.add_argument('--uri')
    parser.add_argument('--seed', type=int, default=42)
    args = parser.parse_args()
    load(args.size, args.database, uri=args.uri, seed=args.seed)


if __name__ == '__main__':
    main()
