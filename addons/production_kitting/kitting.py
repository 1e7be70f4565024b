# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime
from collections import ChainMap, defaultdict

from sql import Cast, Column, Literal, Null, Union
from sql.aggregate import Count, Min, Sum
from sql.conditionals import Case, Coalesce
from sql.operators import Concat, Exists

from trytond import config
from trytond.cache import Cache
from trytond.i18n import gettext
from trytond.model import Model, ModelSQL, ModelView, fields
from trytond.model.exceptions import AccessError
from trytond.pool import Pool, PoolMeta
from trytond.pyson import PYSONEncoder
from trytond.rpc import RPC
from trytond.transaction import Transaction
from trytond.wizard import Button, StateAction, StateView, Wizard

from trytond.modules.stock_quarantine import arguments
from .engine import CycleError, Engine, Line, Substitute, ceil_round
from .exceptions import CyclicBOMError, NoWarehouseError

# Above this number of ids, read the whole table and filter in Python: the
# number of statements stays bounded by the BOM depth.  For the tables of
# the BOM graph it is [production_kitting] graph_in_max in the
# configuration (a whole table read is kept in the BOM graph cache).
IN_MAX = 1000


def _in(column, ids):
    if len(ids) > IN_MAX:
        return Literal(True)
    return column.in_(list(ids))


class _Table:
    """The rows of a whole table by key, as kept in the BOM graph cache

    A plain object: Tryton's cache copies dictionaries and lists deeply
    (to make them immutable) but only shallowly other objects, and the rows
    are never changed once read."""
    __slots__ = ('rows',)

    def __init__(self, rows):
        self.rows = rows


class _Rows:
    """The rows of a table grouped by their first column (a key)

    Few keys are read with IN; many keys read the whole table once and
    later calls are served from memory: the number of statements stays
    bounded by the BOM depth and by one per table for large graphs.  A
    whole table read is kept in the BOM graph cache (name) until a record
    of the BOM graph changes, and served from there to the next calls."""

    def __init__(self, cursor, query, cache=None, name=None):
        self.cursor = cursor
        # query(where) where builds the clause on the key column
        self.query = query
        self.cache = cache
        self.name = name
        self.rows = None
        self.in_max = config.getint(
            'production_kitting', 'graph_in_max', default=IN_MAX)
        if cache is not None:
            table = cache.get(name)
            if table is not None:
                self.rows = table.rows

    def get(self, keys):
        "Return the rows of keys, in the order of the query for each key"
        keys = set(keys)
        if not keys:
            return []
        if self.rows is None:
            if len(keys) <= self.in_max:
                self.cursor.execute(*self.query(
                        lambda column: column.in_(list(keys))))
                return self.cursor.fetchall()
            self.cursor.execute(*self.query(lambda column: Literal(True)))
            rows = defaultdict(list)
            for row in self.cursor.fetchall():
                rows[row[0]].append(row)
            self.rows = dict(rows)
            if self.cache is not None:
                self.cache.set(self.name, _Table(self.rows))
        rows = self.rows
        return [r for k in keys if k in rows for r in rows[k]]


class Kitting(Model):
    "Kitting Analysis"
    __name__ = 'production.kitting'
    # The rows of the BOM graph (products, BOMs, inputs, outputs,
    # substitutes, units) read whole; cleared by any change to them
    # (BOMGraphMixin), in every process (Tryton's cache channel)
    _bom_graph_cache = Cache(
        'production.kitting.bom_graph', context=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__rpc__.update({
                'buildable': RPC(),
                'explain': RPC(),
                'sale_atp': RPC(),
                'shortage': RPC(),
                })

    @classmethod
    def buildable(cls, product_ids, warehouse_id, date=None):
        "Return the buildable quantity of each product from free stock"
        cls._check_planning('buildable')
        product_ids, warehouse_id, date = cls._check_engine_arguments(
            'product_ids', product_ids, warehouse_id, date)
        engine = cls.get_engine(product_ids, warehouse_id, date=date)
        return {p: engine.buildable(p) for p in product_ids}

    @classmethod
    def explain(cls, product_id, warehouse_id, quantity, date=None):
        "Return the tree of needs to make quantity of the product"
        cls._check_planning('explain')
        product_id = arguments.record_id('product_id', product_id)
        quantity = arguments.quantity('quantity', quantity)
        (product_id,), warehouse_id, date = cls._check_engine_arguments(
            'product_id', [product_id], warehouse_id, date)
        engine = cls.get_engine([product_id], warehouse_id, date=date)
        return engine.explain(product_id, quantity)

    @classmethod
    def _check_planning(cls, method, planning=True):
        """Refuse the engine to a client without read access to
        production.kitting (planning and sales groups) and, for the
        planning methods, outside the planning group: Tryton checks no
        model access on RPC methods of a Model.  The server's own calls
        (buttons, fields) pass."""
        pool = Pool()
        ModelAccess = pool.get('ir.model.access')
        ModelData = pool.get('ir.model.data')
        User = pool.get('res.user')
        transaction = Transaction()
        if (transaction.user == 0 or not transaction.check_access
                or transaction.context.get('_kitting_internal')):
            return
        ModelAccess.check(cls.__name__, 'read')
        group = ModelData.get_id(
            'production_kitting', 'group_production_planning')
        if planning and group not in User.get_groups():
            raise AccessError(gettext(
                    'production_kitting.msg_planning_only', method=method))

    @classmethod
    def _check_engine_arguments(cls, name, product_ids, warehouse_id, date):
        """Return the product ids, the warehouse id and the date checked:
        existing and visible products, a warehouse, an ISO date; the
        company of the context is the user's"""
        product_ids = arguments.record_ids(name, product_ids)
        warehouse_id = arguments.record_id('warehouse_id', warehouse_id)
        date = arguments.date('date', date)
        arguments.context_company()
        products = arguments.records('product.product', name, product_ids)
        arguments.records('stock.location', 'warehouse_id', [warehouse_id],
            domain=[('type', '=', 'warehouse')])
        return [p.id for p in products], warehouse_id, date

    @classmethod
    def sale_atp(cls, sale_ids):
        """Return for each line of the sales what can be promised by its
        date: from stock, from production, short and the limiting
        components"""
        cls._check_planning('sale_atp', planning=False)
        sales = cls._check_documents('sale.sale', 'sale_ids', sale_ids)
        result = {}
        for company, warehouse, group in cls._by_warehouse(sales):
            with Transaction().set_context(company=company):
                result.update(cls._sale_atp(warehouse, group))
        return result

    @classmethod
    def _check_documents(cls, model, name, ids):
        """Return the documents of ids: existing, visible to the caller and
        of one of the user's companies; the company of the context is the
        user's"""
        ids = arguments.record_ids(name, ids)
        arguments.context_company(required=False)
        documents = arguments.records(model, name, ids)
        arguments.check_companies(documents, name)
        return documents

    @classmethod
    def _open_sale_lines_domain(cls, warehouse, products):
        return [
            ('sale.state', 'in', ['quotation', 'confirmed', 'processing']),
            ('sale.warehouse', '=', warehouse),
            ('type', '=', 'line'),
            ('product', 'in', list(products)),
            ]

    @classmethod
    def _sale_line_key(cls, line, today):
        return (line.shipping_date or today, line.sale.id,
            line.sequence or 0, line.id)

    @classmethod
    def _sale_line_quantity(cls, line):
        "Quantity still to ship in the product's default unit"
        pool = Pool()
        Uom = pool.get('product.uom')
        quantity = Uom.compute_qty(
            line.unit, line.quantity or 0, line.product.default_uom,
            round=False)
        for move in line.moves:
            if move.state == 'done':
                quantity -= move.internal_quantity
        return max(quantity, 0)

    @classmethod
    def _sale_atp(cls, warehouse, sales):
        data = cls._sale_atp_data(warehouse, sales)
        if not data:
            return {}
        engine, lines, order, receipts, asked_ids = data
        return cls.allocate_sale_lines(
            engine, engine.stock, lines, order, receipts, asked_ids)

    @classmethod
    def _sale_atp_data(cls, warehouse, sales):
        """Return what the allocation of the sales needs: the engine, the
        lines by id, their order, the receipts and the ids of the asked
        lines"""
        pool = Pool()
        Date = pool.get('ir.date')
        SaleLine = pool.get('sale.line')
        Sale = pool.get('sale.sale')
        today = Date.today()
        line = SaleLine.__table__()
        asked = cls.load_sale_lines(
            line, line.sale.in_([s.id for s in sales]))
        if not asked:
            return None
        products = {l[3] for l in asked}
        line = SaleLine.__table__()
        sale = Sale.__table__()
        lines = {l[0]: l for l in cls.load_sale_lines(
                line, line.sale.in_(sale.select(sale.id,
                        where=sale.state.in_(
                            ['quotation', 'confirmed', 'processing'])
                        & (sale.warehouse == warehouse)))
                & _in(line.product, products))
            if l[3] in products}
        lines.update((l[0], l) for l in asked)
        keys = {i: (l[5] or today, l[1], l[2] or 0, i)
            for i, l in lines.items()}
        asked_ids = {l[0] for l in asked}
        last = max(keys[i][0] for i in asked_ids)
        order = sorted((k for k in keys.values()
                if k[0] <= last or k[3] in asked_ids))
        engine = cls.get_engine(products, warehouse)
        receipts = sorted(
            (r[0], p, r[1])
            for p, rs in cls.load_incoming(
                engine.products.keys(), warehouse, last).items()
            for r in rs)
        return engine, lines, order, receipts, asked_ids

    @classmethod
    def allocate_sale_lines(cls, engine, stock, lines, order, receipts,
            asked_ids):
        """Promise the lines in order from stock (a pool taken from) and
        production, adding the receipts [(date, product, quantity)] by date

        Return the values of the asked lines"""
        receipts = sorted(receipts, reverse=True)
        result = {}
        for date, sale_id, _, line_id in order:
            while receipts and receipts[-1][0] <= date:
                _, product, quantity = receipts.pop()
                stock[product] = max(stock.get(product, 0), 0) + quantity
            _, _, _, product, quantity, _ = lines[line_id]
            values = cls._promise(engine, stock, product, quantity)
            if line_id in asked_ids:
                values.update({
                        'line': line_id,
                        'sale': sale_id,
                        'date': date,
                        })
                result[line_id] = values
                if len(result) == len(asked_ids):
                    break
        return result

    @classmethod
    def load_sale_lines(cls, line, where):
        """Return the goods lines of where on the table line as tuples:
        (id, sale, sequence, product, quantity still to ship in the
        product's default unit, shipping date), with a few set-based
        queries

        The shipping date is the one of sale.line: the first date of its
        moves, or without moves the sale date plus the lead time, not
        before the shipping date of the sale."""
        pool = Pool()
        Sale = pool.get('sale.sale')
        Product = pool.get('product.product')
        Template = pool.get('product.template')
        Move = pool.get('stock.move')
        LeadTime = pool.get('product.lead_time')
        Configuration = pool.get('product.configuration')
        Uom = pool.get('product.uom')
        Date = pool.get('ir.date')
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        sale = Sale.__table__()
        product = Product.__table__()
        template = Template.__table__()
        move = Move.__table__()
        varchar = transaction.database.sql_type('VARCHAR').base
        moves = move.select(move.origin.as_('origin'),
            Sum(Case((move.state == 'done', move.internal_quantity),
                    else_=0)).as_('done'),
            Min(Coalesce(move.effective_date, move.planned_date)).as_('date'),
            Count(move.id).as_('count'),
            where=(move.state != 'cancelled')
            & move.origin.like('sale.line,%'),
            group_by=[move.origin])
        query = line.join(sale, condition=line.sale == sale.id
            ).join(product, condition=line.product == product.id
            ).join(template, condition=product.template == template.id
            ).join(moves, 'LEFT',
            condition=moves.origin == Concat(
                'sale.line,', Cast(line.id, varchar))
            ).select(
            line.id, line.sale, line.sequence, line.product, line.quantity,
            line.unit, template.default_uom, template.id, sale.sale_date,
            sale.shipping_date, moves.done, moves.date, moves.count,
            where=where & (line.type == 'line')
            & template.type.in_(['goods', 'assets']))
        cursor.execute(*query)
        rows = cursor.fetchall()

        templates = {r[7] for r in rows if not r[12]}
        lead_times = {}
        if templates:
            lead_time = LeadTime.__table__()
            cursor.execute(*lead_time.select(
                    lead_time.template, lead_time.lead_time,
                    where=_in(lead_time.template, templates)
                    & (lead_time.template != Null)))
            for template_id, value in cursor:
                lead_times.setdefault(template_id, value)
            if templates - set(lead_times):
                default = Configuration(1).get_multivalue(
                    'default_lead_time')
                for template_id in templates - set(lead_times):
                    lead_times[template_id] = default
        units = {u.id: u for u in Uom.browse(
                {r[5] for r in rows} | {r[6] for r in rows})}
        today = Date.today()
        result = []
        for (id_, sale_id, sequence, product_id, quantity, unit, uom,
                template_id, sale_date, sale_shipping_date, done, date,
                count) in rows:
            quantity = quantity or 0
            if unit != uom:
                quantity = Uom.compute_qty(
                    units[unit], quantity, units[uom], round=False)
            quantity = max(quantity - (done or 0), 0)
            if isinstance(date, str):
                # SQLite gives aggregates of dates as text
                date = datetime.date.fromisoformat(date)
            if not count:
                date = None
                lead_time = lead_times.get(template_id)
                if isinstance(lead_time, (int, float)):
                    lead_time = datetime.timedelta(seconds=lead_time)
                if lead_time is not None and quantity > 0:
                    date = (sale_date or today) + lead_time
                    if sale_shipping_date:
                        date = max(date, sale_shipping_date)
            result.append(
                (id_, sale_id, sequence, product_id, quantity, date))
        return result

    @classmethod
    def _promise(cls, engine, stock, product, quantity):
        free = max(stock.get(product, 0), 0)
        from_stock = min(quantity, free)
        stock[product] = free - from_stock
        rest = quantity - from_stock
        from_production = 0
        limiting = {}
        if rest > 1e-9:
            if product in engine.boms:
                # all of it most often: one pass instead of a search
                pool = ChainMap({}, stock)
                if engine.make(product, rest, pool):
                    from_production = rest
                    stock.update(pool.maps[0])
                else:
                    from_production = engine.buildable(
                        product, stock, limit=rest)
                    limiting = engine.limiting(
                        engine.explain(product, rest, stock))
                    if from_production > 0:
                        engine.make(product, from_production, stock)
            else:
                limiting = {product: rest}
        short = max(rest - from_production, 0)
        return {
            'product': product,
            'quantity': quantity,
            'from_stock': from_stock,
            'from_production': from_production,
            'short': short if short > 1e-9 else 0,
            'limiting': [{'product': p, 'quantity': q}
                for p, q in sorted(limiting.items())],
            }

    @classmethod
    def _kitting_line(cls, engine, product, required=0):
        "Return the values of a kitting report line"
        stock = max(engine.stock.get(product, 0), 0)
        buildable = engine.buildable(product)
        values = {
            'stock': stock,
            'buildable': buildable,
            'short': max(required - stock - buildable, 0),
            'limiting': None,
            'limiting_short': None,
            }
        if product in engine.boms:
            step = engine.rounding.get(product) or 1
            limiting = engine.limiting(
                engine.explain(product, buildable + step))
            if limiting:
                component, quantity = max(
                    limiting.items(), key=lambda i: (i[1], -i[0]))
                values['limiting'] = component
                values['limiting_short'] = quantity
        return values

    @classmethod
    def shortage(cls, production_ids):
        """Return for each production order the shortage of each component
        still to issue"""
        cls._check_planning('shortage')
        productions = cls._check_documents(
            'production', 'production_ids', production_ids)
        result = {}
        for company, warehouse, group in cls._by_warehouse(productions):
            with Transaction().set_context(company=company):
                result.update(cls._shortage(warehouse, group))
        return result

    @classmethod
    def _by_warehouse(cls, records):
        "Yield the company, the warehouse and the records of each"
        groups = defaultdict(list)
        for record in records:
            groups[(record.company.id if record.company else None,
                    record.warehouse.id if record.warehouse else None)
                ].append(record)
        for (company, warehouse), group in groups.items():
            if warehouse is None:
                raise NoWarehouseError(gettext(
                        'production_kitting.msg_no_warehouse',
                        document=group[0].rec_name))
            yield company, warehouse, group

    @classmethod
    def _shortage(cls, warehouse, productions):
        pool = Pool()
        Date = pool.get('ir.date')
        today = Date.today()
        productions = sorted(productions, key=lambda p: (
                p.planned_start_date or p.planned_date or today, p.id))
        needs = []
        for production in productions:
            required = defaultdict(float)
            reserved = defaultdict(float)
            for move in production.inputs:
                if move.state in {'done', 'cancelled'}:
                    continue
                required[move.product.id] += move.internal_quantity
                if move.state == 'assigned':
                    reserved[move.product.id] += move.internal_quantity
            needs.append((production, required, reserved))
        substitutes = cls._production_substitutes(productions)
        product_ids = {p for _, r, _ in needs for p in r}
        # the components and their substitutes only: no BOM walk
        _, products = cls.load_boms(
            product_ids | {s for ss in substitutes.values() for s, _ in ss},
            depth=0)
        engine = Engine({}, cls.load_stock(products.keys(), warehouse),
            {p: v['rounding'] for p, v in products.items()})
        engine.products = products
        stock = engine.stock
        last = max(
            [p.planned_start_date or today for p in productions] + [today])
        incoming = cls.load_incoming(product_ids, warehouse, last)
        result = {}
        for production, required, reserved in needs:
            start = production.planned_start_date or today
            lines = result[production.id] = []
            for product in sorted(required):
                lines.append(cls._shortage_line(
                        production, product, required[product],
                        reserved[product], stock, incoming.get(product, []),
                        start, engine, substitutes.get(
                            (production.id, product), [])))
        return result

    @classmethod
    def _shortage_line(cls, production, product, required, reserved, stock,
            incoming, start, engine, substitutes):
        rounding = engine.rounding.get(product, 0)
        missing = required - reserved
        free = max(stock.get(product, 0), 0)
        from_stock = min(missing, free)
        stock[product] = free - from_stock
        missing -= from_stock
        from_incoming = 0
        for receipt in incoming:
            if missing <= 0 or receipt[0] > start:
                break
            taken = min(missing, receipt[1])
            receipt[1] -= taken
            from_incoming += taken
            missing -= taken
        short = ceil_round(max(missing, 0), rounding) if missing > 1e-9 else 0
        action, substitute = None, None
        if short:
            for sub, quantity in substitutes:
                if stock.get(sub, 0) >= short * quantity - 1e-9:
                    action, substitute = 'substitute', sub
                    break
            else:
                if engine.products[product]['bom']:
                    action = 'production'
                elif engine.products[product]['purchasable']:
                    action = 'purchase'
        return {
            'product': product,
            'required': required,
            'reserved': reserved,
            'free_stock': from_stock,
            'incoming': from_incoming,
            'short': short,
            'action': action,
            'substitute': substitute,
            }

    @classmethod
    def _production_substitutes(cls, productions):
        "Return {(production, product): [(substitute, ratio)]}"
        result = {}
        for production in productions:
            if not production.bom:
                continue
            for input_ in production.bom.inputs:
                if input_.product and input_.substitutes:
                    result[(production.id, input_.product.id)] = [
                        (s.product.id, s.ratio) for s in input_.substitutes]
        return result

    @classmethod
    def get_engine(cls, product_ids, warehouse_id, date=None):
        "Return an engine loaded with the BOM graph and the free stock"
        boms, products = cls.load_boms(product_ids)
        stock = cls.load_stock(products.keys(), warehouse_id, date=date)
        rounding = {p: v['rounding'] for p, v in products.items()}
        codes = {p: v['code'] for p, v in products.items()}
        try:
            engine = Engine(boms, stock, rounding, codes=codes)
        except CycleError as exception:
            raise CyclicBOMError(gettext(
                    'production_kitting.msg_cyclic_bom',
                    cycle=' → '.join(
                        codes.get(p) or str(p) for p in exception.cycle)))
        engine.products = products
        return engine

    @classmethod
    def _uoms(cls):
        pool = Pool()
        Uom = pool.get('product.uom')
        uom = Uom.__table__()
        table = cls._bom_graph_cache.get('uoms')
        if table is not None:
            return table.rows
        cursor = Transaction().connection.cursor()
        cursor.execute(*uom.select(
                uom.id, uom.factor, uom.rounding, uom.category))
        uoms = {i: (f, r, c) for i, f, r, c in cursor}
        cls._bom_graph_cache.set('uoms', _Table(uoms))
        return uoms

    @classmethod
    def load_boms(cls, product_ids, depth=None):
        """Load the BOMs reachable from the products, level by level, down
        to depth levels (all by default)

        Return {product: [Line]} and {product: {'code', 'uom', 'rounding',
        'bom', 'purchasable'}}"""
        pool = Pool()
        Product = pool.get('product.product')
        Template = pool.get('product.template')
        ProductBOM = pool.get('product.product-production.bom')
        BOM = pool.get('production.bom')
        Input = pool.get('production.bom.input')
        Output = pool.get('production.bom.output')
        Substitute_ = pool.get('production.bom.input.substitute')
        cursor = Transaction().connection.cursor()
        uoms = cls._uoms()

        def products_query(where):
            product = Product.__table__()
            template = Template.__table__()
            product_bom = ProductBOM.__table__()
            return product.join(template,
                condition=product.template == template.id
                ).join(product_bom, 'LEFT',
                condition=product_bom.product == product.id
                ).select(
                product.id, product.code, template.default_uom,
                template.purchasable, product_bom.bom, product_bom.sequence,
                product_bom.id,
                where=where(product.id))

        def inputs_query(where):
            bom = BOM.__table__()
            input_ = Input.__table__()
            return input_.join(bom, 'LEFT',
                condition=input_.phantom_bom == bom.id
                ).select(
                input_.bom, input_.id, input_.product, input_.quantity,
                input_.unit, input_.phantom_bom,
                bom.phantom_quantity, bom.phantom_unit,
                where=where(input_.bom),
                order_by=[input_.id])

        def outputs_query(where):
            output = Output.__table__()
            return output.select(
                output.bom, output.product, output.quantity, output.unit,
                where=where(output.bom))

        def substitutes_query(where):
            substitute = Substitute_.__table__()
            return substitute.select(
                substitute.input, substitute.product, substitute.ratio,
                where=where(substitute.input),
                order_by=[substitute.sequence.asc.nulls_first,
                    substitute.id])

        cache = cls._bom_graph_cache
        product_rows = _Rows(cursor, products_query, cache, 'products')
        input_rows = _Rows(cursor, inputs_query, cache, 'inputs')
        output_rows = _Rows(cursor, outputs_query, cache, 'outputs')
        substitute_rows = _Rows(
            cursor, substitutes_query, cache, 'substitutes')

        products = {}
        boms = {}

        def read_products(ids):
            found = {}
            for (pid, code, uom_id, purchasable, bom, sequence,
                    pb_id) in product_rows.get(ids):
                key = (sequence is not None, sequence or 0, pb_id or 0)
                current = found.get(pid)
                if current is None or (bom and (
                            current[4] is None or key < current[0])):
                    found[pid] = (key, code, uom_id, purchasable, bom)
            for pid, (_, code, uom_id, purchasable, bom) in found.items():
                products[pid] = {
                    'code': code, 'uom': uom_id,
                    'purchasable': bool(purchasable),
                    'rounding': uoms[uom_id][1],
                    'bom': bom,
                    }

        read_products(set(product_ids))
        frontier = {p: v['bom'] for p, v in products.items() if v['bom']}
        level = 0
        while frontier and (depth is None or level < depth):
            level += 1
            bom_ids = set(frontier.values())
            lines = defaultdict(list)  # bom: [(input id, product, qty, uom)]
            phantoms = {}  # bom: (quantity, uom)
            pending = set(bom_ids)
            while pending:
                nested = set()
                for (line_bom, line_id, product, quantity, unit, phantom,
                        ph_quantity, ph_unit) in input_rows.get(pending):
                    lines[line_bom].append(
                        (line_id, product, quantity, unit, phantom))
                    if phantom:
                        phantoms[phantom] = (ph_quantity, ph_unit)
                        if phantom not in lines:
                            nested.add(phantom)
                pending = nested - set(lines)

            outputs = defaultdict(float)
            for bom, product, quantity, unit in output_rows.get(bom_ids):
                if frontier.get(product) == bom:
                    outputs[product] += quantity * uoms[unit][0] / uoms[
                        products[product]['uom']][0]

            input_ids = {l[0] for ls in lines.values() for l in ls}
            substitutes = defaultdict(list)
            for input_id, product, ratio in substitute_rows.get(input_ids):
                substitutes[input_id].append((product, ratio))

            new = {l[1] for ls in lines.values() for l in ls}
            new |= {s[0] for ss in substitutes.values() for s in ss}
            new = {p for p in new if p and p not in products}
            if new:
                read_products(new)

            for product, bom in frontier.items():
                total = outputs.get(product)
                if not total:
                    continue
                boms[product] = list(cls._flatten(
                        bom, 1 / total, lines, phantoms, substitutes, uoms,
                        products))
            frontier = {p: products[p]['bom'] for p in new
                if products[p]['bom'] and p not in boms}
        return boms, products

    @classmethod
    def _flatten(cls, bom, scale, lines, phantoms, substitutes, uoms,
            products, chain=()):
        """Yield the engine lines of bom, passing through phantom BOMs

        As production does, the quantity of a phantom input is rounded up
        to its unit before the lines of the phantom BOM are computed from
        it (chain)."""
        for line_id, product, quantity, unit, phantom in lines[bom]:
            if phantom:
                ph_quantity, ph_unit = phantoms[phantom]
                if not ph_quantity:
                    continue
                # phantom BOMs per unit of the phantom input
                factor = uoms[unit][0] / (ph_quantity * uoms[ph_unit][0])
                yield from cls._flatten(phantom, factor, lines,
                    phantoms, substitutes, uoms, products,
                    chain + ((quantity * scale, uoms[unit][1]),))
                continue
            factor = uoms[unit][0] / uoms[products[product]['uom']][0]
            subs = [Substitute(
                    s, r, uoms[unit][0] / uoms[products[s]['uom']][0])
                for s, r in substitutes[line_id]]
            yield Line(product, quantity * scale, uoms[unit][1], factor, subs,
                chain)

    @classmethod
    def storage_locations(cls, warehouse_id):
        "Return the ids of the storage locations of free stock"
        cursor = Transaction().connection.cursor()
        cursor.execute(*cls._storage_locations_query(warehouse_id))
        return [l for l, in cursor]

    @classmethod
    def _storage_locations_query(cls, warehouse_id):
        """Return the query of the active locations of the storage tree of
        the warehouse, quarantine locations and their children excluded"""
        pool = Pool()
        Location = pool.get('stock.location')
        location = Location.__table__()
        storage = Location.__table__()
        warehouse = Location.__table__()
        quarantine = Location.__table__()
        return location.join(storage,
            condition=(location.left >= storage.left)
            & (location.right <= storage.right)
            ).join(warehouse,
            condition=warehouse.storage_location == storage.id
            ).select(location.id,
            where=(warehouse.id == int(warehouse_id))
            & (location.active == Literal(True))
            & ~Exists(quarantine.select(Literal(1),
                    where=(quarantine.quarantine == Literal(True))
                    & (location.left >= quarantine.left)
                    & (location.right <= quarantine.right))))

    @classmethod
    def _stock_company(cls):
        """Return the id of the company of the stock, as products_by_location:
        the context's if it is one of the user's, else the user's"""
        return arguments.context_company()

    @classmethod
    def _stock_period(cls, company, date=None):
        """Return the id and the date of the last closed stock period of the
        company up to date, as products_by_location uses it"""
        pool = Pool()
        Period = pool.get('stock.period')
        Date = pool.get('ir.date')
        period = Period.__table__()
        cursor = Transaction().connection.cursor()
        if not company:
            return None
        date = max(date or Date.today(), Date.today())
        cursor.execute(*period.select(period.id, period.date,
                where=(period.state == 'closed')
                & (period.company == company)
                & (period.date <= date),
                order_by=[period.date.desc], limit=1))
        return cursor.fetchone()

    @classmethod
    def _stock_moves_where(cls, move, product_ids):
        "Hook to exclude moves from free stock"
        return _in(move.product, product_ids)

    @classmethod
    def _stock_period_queries(cls, period_id, locations, product_ids):
        """Return the queries of (product, quantity) of the closed period
        cache in the locations"""
        pool = Pool()
        Cache = pool.get('stock.period.cache')
        cache = Cache.__table__()
        return [cache.select(
                cache.product.as_('product'),
                cache.internal_quantity.as_('quantity'),
                where=(cache.period == period_id)
                & cache.location.in_(locations)
                & _in(cache.product, product_ids))]

    @classmethod
    def load_stock(cls, product_ids, warehouse_id, date=None):
        """Return the free stock of products in the warehouse

        On hand, minus assigned issues; with a date, plus draft and assigned
        receipts and minus draft issues planned up to that date.

        As products_by_location: the cache of the last closed stock period
        of the company plus its moves after the period, in two statements
        (the period, then one aggregate with the locations as sub-query)."""
        pool = Pool()
        Move = pool.get('stock.move')
        cursor = Transaction().connection.cursor()
        product_ids = set(product_ids)
        company = cls._stock_company()
        period = cls._stock_period(company, date)
        locations = cls._storage_locations_query(warehouse_id)

        def moves(inside, outside, states, planned_states, sign):
            "Sum of the moves into (or out of) the storage locations"
            move = Move.__table__()
            quantity = move.internal_quantity
            if sign < 0:
                quantity = -quantity
            whens = [(move.state.in_(states), quantity)]
            if date:
                whens.append((move.state.in_(planned_states)
                        & (move.planned_date <= date)
                        & (move.planned_date != Null), quantity))
            where = (cls._stock_moves_where(move, product_ids)
                & Column(move, inside).in_(locations)
                & ~Column(move, outside).in_(locations)
                & move.state.in_(
                    states + (planned_states if date else [])))
            if company:
                where &= move.company == company
            if period:
                # as products_by_location (and its index)
                where &= Coalesce(
                    move.effective_date, move.planned_date,
                    datetime.date.max) > period[1]
            return move.select(
                move.product.as_('product'),
                Sum(Case(*whens, else_=0)).as_('quantity'),
                where=where, group_by=[move.product])

        query = Union(
            moves('to_location', 'from_location', ['done'],
                ['draft', 'assigned'], 1),
            moves('from_location', 'to_location', ['done', 'assigned'],
                ['draft'], -1),
            all_=True)
        if period:
            for other in cls._stock_period_queries(
                    period[0], locations, product_ids):
                query = Union(query, other, all_=True)
        query = query.select(
            query.product, Sum(query.quantity), group_by=[query.product])
        cursor.execute(*query)
        stock = dict.fromkeys(product_ids, 0.0)
        stock.update((p, q or 0.0) for p, q in cursor.fetchall()
            if p in product_ids)
        return stock

    @classmethod
    def load_incoming(cls, product_ids, warehouse_id, date):
        """Return the planned receipts of products up to date:
        {product: [[date, quantity]]} in date order"""
        pool = Pool()
        Move = pool.get('stock.move')
        move = Move.__table__()
        cursor = Transaction().connection.cursor()
        product_ids = set(product_ids)
        if not product_ids:
            return {}
        locations = cls._storage_locations_query(warehouse_id)
        company = cls._stock_company()
        where = Literal(True)
        if company:
            where = move.company == company
            period = cls._stock_period(company, date)
            if period:
                # as products_by_location (and its index)
                where &= Coalesce(
                    move.effective_date, move.planned_date,
                    datetime.date.max) > period[1]
        query = move.select(
            move.product, move.planned_date, Sum(move.internal_quantity),
            where=where & cls._stock_moves_where(move, product_ids)
            & move.to_location.in_(locations)
            & ~move.from_location.in_(locations)
            & move.state.in_(['draft', 'assigned'])
            & (move.planned_date != Null)
            & (move.planned_date <= date),
            group_by=[move.product, move.planned_date],
            order_by=[move.planned_date])
        cursor.execute(*query)
        result = defaultdict(list)
        for product, planned_date, quantity in cursor:
            if product in product_ids:
                result[product].append([planned_date, quantity])
        return result


class KittingLine(ModelSQL, ModelView):
    "Kitting Analysis Line"
    __name__ = 'production.kitting.line'
    product = fields.Many2One(
        'product.product', "Product", required=True, readonly=True)
    unit = fields.Function(
        fields.Many2One('product.uom', "Unit"), 'on_change_with_unit')
    warehouse = fields.Many2One(
        'stock.location', "Warehouse", required=True, readonly=True)
    date = fields.Date("Date", readonly=True)
    stock = fields.Float(
        "Free Stock", digits='unit', readonly=True,
        help="The free stock of the product itself.")
    buildable = fields.Float(
        "Buildable Quantity", digits='unit', readonly=True,
        help="What can be made from the free stock of the components.")
    required = fields.Float("Required", digits='unit', readonly=True)
    short = fields.Float("Short", digits='unit', readonly=True)
    limiting = fields.Many2One(
        'product.product', "Limiting Component", readonly=True,
        help="The component missing first to make one more unit.")
    limiting_short = fields.Float(
        "Limiting Short", digits='limiting_unit', readonly=True,
        help="How much of the limiting component is missing to make one "
        "more unit, in its unit.")
    limiting_unit = fields.Function(
        fields.Many2One('product.uom', "Limiting Unit"),
        'on_change_with_limiting_unit')
    explanation = fields.Char(
        "Explanation", readonly=True,
        help="What can be made and what limits it, in words.")
    breakdown = fields.Text(
        "Breakdown", readonly=True,
        help="The needs of one more unit, level by level: from stock, "
        "to make, substitutes and short.")
    analysed_at = fields.Function(
        fields.DateTime("Analysed at"), 'get_analysed_at')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('product', 'ASC'))

    @fields.depends('product')
    def on_change_with_unit(self, name=None):
        return self.product.default_uom if self.product else None

    @fields.depends('limiting')
    def on_change_with_limiting_unit(self, name=None):
        return self.limiting.default_uom if self.limiting else None

    def get_analysed_at(self, name):
        if self.create_date:
            return self.create_date.replace(microsecond=0)

    @classmethod
    def describe(cls, engine, product, required, values):
        """Return the explanation and the breakdown of a line in the
        language of the user, e.g. "可做 6 个，受限于 螺丝：还差 3 个
        才能多做 1 个"."""
        pool = Pool()
        Lang = pool.get('ir.lang')
        Product = pool.get('product.product')
        lang = Lang.get()

        def quantity(value, product):
            unit = product.default_uom
            return '%s %s' % (
                lang.format_number(value, unit.digits), unit.rec_name)

        product = Product(product)
        texts = [gettext('production_kitting.msg_kitting_buildable',
                quantity=quantity(values['buildable'], product))]
        if values['stock']:
            texts.append(gettext('production_kitting.msg_kitting_stock',
                    quantity=quantity(values['stock'], product)))
        if values['short']:
            texts.append(gettext('production_kitting.msg_kitting_short',
                    required=quantity(required, product),
                    short=quantity(values['short'], product)))
        breakdown = ''
        if product.id in engine.boms:
            step = engine.rounding.get(product.id) or 1
            tree = engine.explain(product.id, values['buildable'] + step)
            limiting = engine.limiting(tree)
            if limiting:
                components = Product.browse(sorted(
                        limiting, key=lambda p: (-limiting[p], p)))
                texts.append(gettext(
                        'production_kitting.msg_kitting_limited',
                        components=gettext(
                            'production_kitting.msg_kitting_separator'
                            ).join(
                            gettext('production_kitting.msg_kitting_missing',
                                component=c.rec_name,
                                short=quantity(limiting[c.id], c))
                            for c in components),
                        one=quantity(step, product)))
            breakdown = '\n'.join(cls._breakdown(tree, quantity))
        return (gettext('production_kitting.msg_kitting_sentence_separator'
                ).join(texts), breakdown)

    @classmethod
    def _breakdown(cls, node, quantity, depth=0):
        pool = Pool()
        Product = pool.get('product.product')
        product = Product(node['product'])
        parts = [gettext('production_kitting.msg_breakdown_need',
                product=product.rec_name,
                quantity=quantity(node['required'], product))]
        if node['from_stock']:
            parts.append(gettext('production_kitting.msg_breakdown_stock',
                    quantity=quantity(node['from_stock'], product)))
        for substitute in node['substitutes']:
            other = Product(substitute['product'])
            parts.append(gettext(
                    'production_kitting.msg_breakdown_substitute',
                    product=other.rec_name,
                    quantity=quantity(substitute['quantity'], other)))
        if node['to_make']:
            parts.append(gettext('production_kitting.msg_breakdown_make',
                    quantity=quantity(node['to_make'], product)))
        if node['short']:
            parts.append(gettext('production_kitting.msg_breakdown_short',
                    quantity=quantity(node['short'], product)))
        yield '    ' * depth + gettext(
            'production_kitting.msg_kitting_separator').join(parts)
        for child in node['children']:
            yield from cls._breakdown(child, quantity, depth + 1)


class KittingStart(ModelView):
    "Kitting Analysis"
    __name__ = 'production.kitting.start'
    warehouse = fields.Many2One(
        'stock.location', "Warehouse", required=True,
        domain=[('type', '=', 'warehouse')])
    date = fields.Date(
        "Date",
        help="Count planned receipts and issues up to this date.")

    @classmethod
    def default_warehouse(cls):
        pool = Pool()
        Location = pool.get('stock.location')
        return Location.get_default_warehouse()


class KittingWizard(Wizard):
    "Kitting Analysis"
    __name__ = 'production.kitting.wizard'
    start = StateView('production.kitting.start',
        'production_kitting.kitting_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Analyse", 'open_', 'tryton-ok', default=True),
            ])
    open_ = StateAction('production_kitting.act_kitting_line')

    def default_start(self, fields):
        values = {}
        records = self.records
        if self.model and self.model.__name__ in {'sale.sale', 'production'}:
            warehouses = {r.warehouse.id for r in records if r.warehouse}
            if len(warehouses) == 1:
                values['warehouse'], = warehouses
        return values

    def _demand(self):
        "Return {product: required quantity in its default unit}"
        pool = Pool()
        Kitting = pool.get('production.kitting')
        Product = pool.get('product.product')
        Production = pool.get('production')
        Uom = pool.get('product.uom')
        demand = defaultdict(float)
        name = self.model.__name__ if self.model else None
        if name == 'product.template':
            for template in self.records:
                for product in template.products:
                    demand[product] += 0
        elif name == 'sale.sale':
            for sale in self.records:
                for line in sale.lines:
                    if line.type == 'line' and line.product:
                        demand[line.product] += (
                            Kitting._sale_line_quantity(line))
        elif name == 'production':
            for production in self.records:
                if production.product and production.state not in {
                        'done', 'cancelled'}:
                    demand[production.product] += Uom.compute_qty(
                        production.unit, production.quantity or 0,
                        production.product.default_uom, round=False)
        elif name in {'product.product', 'production.kitting.line'}:
            for product in self.records:
                if name == 'production.kitting.line':
                    product = product.product
                demand[product] += 0
        else:
            # from the menu: the open production orders of the warehouse
            # (up to the date) and every product made by a BOM
            warehouse = self.start.warehouse
            domain = [
                ('warehouse', '=', warehouse.id),
                ('state', 'in', ['request', 'draft', 'waiting', 'assigned',
                        'running']),
                ]
            if self.start.date:
                domain.append(('planned_date', '<=', self.start.date))
            for production in Production.search(domain):
                if production.product:
                    demand[production.product] += Uom.compute_qty(
                        production.unit, production.quantity or 0,
                        production.product.default_uom, round=False)
            for product in Product.search([
                        ('producible', '=', True),
                        ('boms', '!=', None),
                        ]):
                demand[product] += 0
        return demand

    def do_open_(self, action):
        pool = Pool()
        Kitting = pool.get('production.kitting')
        Line = pool.get('production.kitting.line')
        transaction = Transaction()
        # the results of earlier runs stay for the tabs still open on them
        # for a day
        Line.delete(Line.search([
                    ('create_uid', '=', transaction.user),
                    ('create_date', '<',
                        datetime.datetime.now() - datetime.timedelta(days=1)),
                    ]))
        demand = self._demand()
        warehouse = self.start.warehouse
        engine = Kitting.get_engine(
            [p.id for p in demand], warehouse.id, date=self.start.date)
        lines = []
        for product, required in demand.items():
            values = Kitting._kitting_line(engine, product.id, required)
            explanation, breakdown = Line.describe(
                engine, product.id, required, values)
            lines.append(Line(
                    product=product, warehouse=warehouse,
                    date=self.start.date, required=required,
                    explanation=explanation, breakdown=breakdown,
                    **values))
        Line.save(lines)
        action['pyson_domain'] = PYSONEncoder().encode(
            [('id', 'in', [l.id for l in lines])])
        return action, {}


class KittingQualityGate(metaclass=PoolMeta):
    __name__ = 'production.kitting'

    @classmethod
    def _stock_moves_where(cls, move, product_ids):
        "Lots on hold or rejected are not free"
        pool = Pool()
        Lot = pool.get('stock.lot')
        lot = Lot.__table__()
        held = lot.select(lot.id, where=lot.quality_status != 'released')
        return (super()._stock_moves_where(move, product_ids)
            & ((move.lot == Null) | ~move.lot.in_(held)))

    @classmethod
    def _stock_period_queries(cls, period_id, locations, product_ids):
        "The lots on hold or rejected in the period cache are not free"
        pool = Pool()
        Lot = pool.get('stock.lot')
        Cache = pool.get('stock.period.cache.lot')
        lot = Lot.__table__()
        cache = Cache.__table__()
        held = lot.select(lot.id, where=lot.quality_status != 'released')
        return super()._stock_period_queries(
            period_id, locations, product_ids) + [cache.select(
                cache.product.as_('product'),
                (-cache.internal_quantity).as_('quantity'),
                where=(cache.period == period_id)
                & cache.location.in_(locations)
                & _in(cache.product, product_ids)
                & cache.lot.in_(held))]
