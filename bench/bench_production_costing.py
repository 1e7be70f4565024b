# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""C1 of issue 19: the one-click costing of a month (一键核算)

    PYTHONOPTIMIZE=1 .venv/bin/python -m bench.bench_production_costing \\
        [--size M] [--orders 1000] [--runs 3]

A throwaway PostgreSQL 15 (fsync on), a database with production_costing
and sale, the seeded dataset M of data/dataset.py (20,000 products on 5 BOM
levels, 500,000 done moves), then the month's activity added in bulk along
M's BOMs: --orders production orders spread over the 5 levels (a parent
order takes sub-assemblies made by orders of the month), their issues at
cost, their outputs, one in ten still running at 50 %, one in twenty
returning part of a component, one in three with a work cycle; three
overhead pools (by quantity, material and hours).

In one run, each in a transaction rolled back afterwards:

- ``ours``: ``production.cost.period.calculate`` (the set-based reads of
  calculation.py, the roll-up by level, the results written in batches);
- ``naive``: the same arithmetic fed by a per-order ORM loop (each order
  browsed alone: its input and output moves, a search of its returns, of
  its work cycles and of its service purchase lines) and the results
  created order by order.

The results of both must be identical (every number and line of every
order) before any time counts.  Reported: median seconds, SQL statements
of one run, the ratio, the load average.  Results go to
bench/results/production_costing.md.
"""
import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from decimal import Decimal

from bench.common import build, load, revision

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, 'bench', 'results', 'production_costing.md')
MODULES = ['production_costing', 'production_kitting', 'sale']
DATABASE = 'bench_costing'
POOLS = [('quantity', Decimal('100000.00')),
    ('material', Decimal('50000.00')), ('hours', Decimal('30000.00'))]


def log(message):
    print('[costing] %s' % message, file=sys.stderr, flush=True)


# The month's activity
class Month:
    "Orders of the month along dataset M's BOMs, written in bulk"

    def __init__(self, pool, orders, seed=19):
        self.pool = pool
        self.count = orders
        self.random = random.Random(seed)
        today = dt.date.today()
        self.start = today.replace(day=1)
        self.end = (self.start + dt.timedelta(days=32)).replace(
            day=1) - dt.timedelta(days=1)
        self.today = today

    def run(self):
        from trytond.transaction import Transaction
        self.context()
        self.read_boms()
        self.choose()
        with Transaction().set_context(company=self.company.id):
            self.create_orders()
            self.write_moves()
            self.write_cycles()
            return self.create_period()

    def context(self):
        Location = self.pool.get('stock.location')
        Company = self.pool.get('company.company')
        self.company, = Company.search([], limit=1)
        self.warehouse, = Location.search([('type', '=', 'warehouse')],
            limit=1)
        self.storage = self.warehouse.storage_location.id
        self.production_location = self.warehouse.production_location.id

    def read_boms(self):
        "product: (bom, [(component, quantity)]), the products by level"
        from trytond.transaction import Transaction
        Input = self.pool.get('production.bom.input')
        Output = self.pool.get('production.bom.output')
        Product = self.pool.get('product.product')
        input_, output = Input.__table__(), Output.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*output.join(input_,
                condition=input_.bom == output.bom).select(
                output.product, output.bom, input_.product, input_.quantity))
        self.boms = {}
        for product, bom, component, quantity in cursor:
            self.boms.setdefault(product, (bom, []))[1].append(
                (component, Decimal(str(quantity))))
        self.codes = {p.id: p.code for p in Product.browse(list(self.boms))}

    def choose(self):
        "As many orders a level, parents first: their sub-assemblies below"
        rnd = self.random
        levels = [sorted(p for p, c in self.codes.items()
                if c.startswith(prefix))
            for prefix in ['FG-', 'SA1-', 'SA2-', 'SA3-', 'SA4-']]
        levels = [l for l in levels if l]
        per_level = self.count // len(levels)
        self.chosen = []
        needed = set()
        for level in levels:
            first = sorted(needed & set(level))[:per_level]
            rest = rnd.sample(sorted(set(level) - set(first)),
                per_level - len(first))
            for product in first + rest:
                self.chosen.append(product)
                needed.update(c for c, _ in self.boms[product][1])

    def create_orders(self):
        Production = self.pool.get('production')
        Product = self.pool.get('product.product')
        rnd = self.random
        unit = Product(self.chosen[0]).default_uom
        productions = [Production(company=self.company,
                warehouse=self.warehouse,
                location=self.production_location, product=product,
                bom=self.boms[product][0], unit=unit,
                quantity=float(rnd.randint(10, 100)),
                planned_date=self.today, planned_start_date=self.today,
                state='draft',
                cost_completion=Decimal(50))
            for product in self.chosen]
        Production.save(productions)
        self.productions = productions
        self.unit = unit.id

    def write_moves(self):
        "Issues at cost, returns, outputs of the finished orders"
        from trytond.transaction import Transaction
        Production = self.pool.get('production')
        table = Production.__table__()
        cursor = Transaction().connection.cursor()
        rows, done, running = [], [], []
        for i, production in enumerate(self.productions):
            rows += self.issues(production)
            if i % 10 == 9:
                running.append(production.id)
                continue
            done.append(production.id)
            rows.append(self.move(production.product.id,
                    production.quantity, self.production_location,
                    self.storage, output=production.id))
        self.insert_moves(rows)
        for ids, state in [(done, 'done'), (running, 'running')]:
            cursor.execute(*table.update(
                    [table.state, table.effective_date,
                        table.effective_start_date],
                    [state, self.day() if state == 'done' else None,
                        self.start],
                    where=table.id.in_(ids)))

    def issues(self, production):
        rnd = self.random
        rows = []
        components = self.boms[production.product.id][1]
        for component, quantity in components:
            quantity = float(quantity) * production.quantity
            cost = Decimal(rnd.randint(100, 5000)) / 100
            rows.append(self.move(component, quantity, self.storage,
                    self.production_location, input_=production.id,
                    cost=cost))
        if rnd.random() < 0.05:
            component, quantity = components[0]
            rows.append(self.move(component, 1.0, self.production_location,
                    self.storage, origin='production,%s' % production.id,
                    cost=Decimal(0)))
        return rows

    def day(self):
        return self.start + dt.timedelta(
            days=self.random.randint(0, (self.today - self.start).days))

    def move(self, product, quantity, from_, to, input_=None, output=None,
            origin=None, cost=None):
        return [product, self.unit, quantity, quantity, from_, to, 'done',
            self.day(), self.day(), self.company.id, Decimal(0),
            self.company.currency.id, cost, input_, output, origin]

    def insert_moves(self, rows):
        from trytond.transaction import Transaction
        Move = self.pool.get('stock.move')
        move = Move.__table__()
        cursor = Transaction().connection.cursor()
        columns = [move.product, move.unit, move.quantity,
            move.internal_quantity, move.from_location, move.to_location,
            move.state, move.planned_date, move.effective_date,
            move.company, move.unit_price, move.currency, move.cost_price,
            move.production_input, move.production_output, move.origin]
        for i in range(0, len(rows), 2000):
            cursor.execute(*move.insert(columns, rows[i:i + 2000]))
        self.moves = len(rows)

    def write_cycles(self):
        "A done work cycle of 1-8 hours at 20.00 an hour, one order in 3"
        pool = self.pool
        Center = pool.get('production.work.center')
        Category = pool.get('production.work.center.category')
        Operation = pool.get('production.routing.operation')
        Work = pool.get('production.work')
        Cycle = pool.get('production.work.cycle')
        category, = Category.create([{'name': "C1"}])
        center, = Center.create([{'name': "C1", 'category': category.id,
                    'warehouse': self.warehouse.id,
                    'cost_price': Decimal(20), 'cost_method': 'hour'}])
        operation, = Operation.create([{'name': "C1",
                    'work_center_category': category.id}])
        works = Work.create([{'production': p.id, 'operation': operation.id,
                    'work_center': center.id, 'company': self.company.id,
                    'state': 'done'}
                for p in self.productions[::3]])
        hours = [self.random.randint(1, 8) for _ in works]
        Cycle.create([{'work': w.id, 'duration': dt.timedelta(hours=h),
                    'cost': Decimal(20 * h), 'state': 'done'}
                for w, h in zip(works, hours)])
        self.cycles = len(works)

    def create_period(self):
        Period = self.pool.get('production.cost.period')
        period, = Period.create([{'company': self.company.id,
                    'start_date': self.start, 'end_date': self.end,
                    'pools': [('create', [{'base': b, 'amount': a}
                                for b, a in POOLS])]}])
        return period.id


# The naive way
def naive_class(pool):
    from trytond.modules.production_costing.calculation import (
        Calculation, _decimal)

    class NaiveCalculation(Calculation):
        "The same arithmetic, the period read order by order via the ORM"

        def run(self):
            self.ids = [p.id for p in pool.get('production').search([
                        ('company', '=', self.period.company.id),
                        ('state', 'not in', ['request', 'draft',
                                'cancelled']),
                        ])]
            return super().run()

        def in_period(self, move):
            return (move.state == 'done' and move.effective_date
                and self.period.start_date <= move.effective_date
                <= self.period.end_date)

        def read_inputs(self):
            Production = pool.get('production')
            for id_ in self.ids:
                for move in Production(id_).inputs:
                    if self.in_period(move):
                        quantity = _decimal(move.internal_quantity)
                        self.order(id_).add_component(move.product.id,
                            quantity, quantity * (move.cost_price or 0))

        def read_returns(self):
            Move = pool.get('stock.move')
            for id_ in self.ids:
                for move in Move.search([
                            ('origin', '=', 'production,%s' % id_),
                            ('production_input', '=', None),
                            ('production_output', '=', None)]):
                    if self.in_period(move):
                        self.return_(id_, move)

        def return_(self, id_, move):
            order = self.order(id_)
            issued, value = order.components.get(move.product.id, (0, 0))
            cost = (value / issued if issued
                else _decimal(move.cost_price))
            quantity = _decimal(move.internal_quantity)
            order.add_component(move.product.id, -quantity, -quantity * cost)

        def read_outputs(self):
            Production = pool.get('production')
            for id_ in self.ids:
                for move in Production(id_).outputs:
                    if self.in_period(move):
                        booked = (move.cost_booked_price
                            if move.cost_booked_price is not None
                            else move.unit_price)
                        self.order(id_).add_output(move.id, move.product.id,
                            move.internal_quantity, move.quantity, booked)

        def read_cycles(self):
            Cycle = pool.get('production.work.cycle')
            start, end = self._datetimes()
            for id_ in self.ids:
                for cycle in Cycle.search([('work.production', '=', id_),
                            ('state', '=', 'done')]):
                    date = cycle.write_date or cycle.create_date
                    if start <= date < end:
                        order = self.order(id_)
                        order.labour += cycle.cost or 0
                        order.hours += _decimal(
                            cycle.duration.total_seconds()) / 3600

        def read_productions(self):
            "The orders browsed through the ORM (the module did until now)"
            Production = pool.get('production')
            Uom = pool.get('product.uom')
            finished = self._finished_to_date()
            end = self.period.end_date
            for production in Production.browse(list(self.orders)):
                order = self.orders[production.id]
                product = production.product
                order.product = product.id if product else None
                order.material_input = (product.template.cost_material_input
                    if product else None) or 'start'
                order.bom = production.bom.id if production.bom else None
                order.work_center = (production.work_center.id
                    if production.work_center else None)
                order.finished = sum((q for _, p, q, _ in order.outputs
                        if product and p == product.id), Decimal(0))
                order.wip = Decimal(0)
                if product and not (production.state == 'done'
                        and production.effective_date
                        and production.effective_date <= end):
                    planned = _decimal(Uom.compute_qty(production.unit,
                            production.quantity or 0, product.default_uom))
                    order.wip = max(planned - finished[production.id], 0)
                order.equivalent = (order.wip
                    * self.completion(production) / 100
                    if order.wip else Decimal(0))
                order.units = order.finished + order.equivalent

        def read_output_prices(self):
            pass

        def completion(self, production):
            "Entered, or the share of the order's works finished"
            if production.cost_completion is not None:
                return production.cost_completion
            works = production.works
            reached = [w for w in works if w.state in {'finished', 'done'}]
            return (Decimal(len(reached)) * 100 / len(works) if works
                else Decimal(0))

        def output_prices(self, order):
            "The BOM outputs through the ORM, read once a BOM"
            if order.bom not in self._output_prices:
                production = pool.get('production')(order.id)
                self._output_prices[order.bom] = (
                    production.cost_output_prices())
            return self._output_prices[order.bom]

        def read_subcontract(self):
            Line = pool.get('purchase.line')
            for id_ in self.ids:
                for line in Line.search([('production', '=', id_)]):
                    purchase = line.purchase
                    if (purchase.state in {'processing', 'done'}
                            and purchase.purchase_date
                            and self.period.start_date
                            <= purchase.purchase_date
                            <= self.period.end_date):
                        self.order(id_).subcontract += line.amount or 0
    return NaiveCalculation


def naive_calculate(pool, period_id):
    "The naive run: calculation and results created order by order"
    from trytond.modules.production_costing.period import _parent
    from trytond.modules.production_costing.result import LINES
    Period = pool.get('production.cost.period')
    Result = pool.get('production.cost.result')
    Move = pool.get('stock.move')
    period = Period(period_id)
    calculation = naive_class(pool)(period)
    values = calculation.run()
    for value in values:
        result, = Result.create([dict(_parent(value), period=period.id)])
        for name, (model, _) in LINES.items():
            pool.get(model).create([dict(line, result=result.id)
                    for line in value[name]])
    for move_id, price in calculation.prices.items():
        Move.write_cost_prices({move_id: price})
    Period.write([period], {'state': 'calculated'})
    return values


def ours_calculate(pool, period_id):
    Period = pool.get('production.cost.period')
    Period.calculate([Period(period_id)])


def ours_values(pool, period_id):
    from trytond.modules.production_costing.calculation import Calculation
    Period = pool.get('production.cost.period')
    return Calculation(Period(period_id)).run()


def signatures(pool, values):
    Result = pool.get('production.cost.result')
    return {v['production']: Result.signature_of(v) for v in values}


# Running
class Runner:

    def __init__(self, database):
        from trytond.pool import Pool
        from trytond.transaction import Transaction
        Pool.start()
        self.pool = Pool(database)
        self.pool.init()
        self.database = database
        with Transaction().start(database, 0):
            User = self.pool.get('res.user')
            admin, = User.search([('login', '=', 'admin')])
            self.user = admin.id
            self.company = admin.company.id

    def call(self, function, *args, commit=False):
        "function(pool, *args) in a transaction, rolled back unless commit"
        from trytond.transaction import Transaction
        with Transaction().start(self.database, self.user,
                context={'company': self.company}) as transaction:
            result = function(self.pool, *args)
            if commit:
                transaction.commit()
            else:
                transaction.rollback()
            return result

    def timed(self, function, *args):
        from bench.bench_production_kitting import STATEMENTS
        STATEMENTS[0] = 0
        start = time.perf_counter()
        self.call(function, *args)
        return time.perf_counter() - start, STATEMENTS[0]


def check(pool, period_id):
    "ours and naive give the same numbers; ours conserves every order"
    ours = ours_values(pool, period_id)
    naive = naive_class(pool)(pool.get('production.cost.period')(
            period_id)).run()
    # raise, not assert: the benchmark runs with PYTHONOPTIMIZE=1
    if signatures(pool, ours) != signatures(pool, naive):
        raise AssertionError("ours and naive differ")
    for v in ours:
        total = (v['opening_wip'] + v['material'] + v['labour']
            + v['overhead'] + v['subcontract'] - v['byproduct_credit'])
        if total != v['finished_cost'] + v['closing_wip']:
            raise AssertionError("not conserved: %s" % v)
    levels = max(v['level'] for v in ours) + 1
    return {'orders': len(ours), 'levels': levels,
        'finished_cost': sum(v['finished_cost'] for v in ours),
        'closing_wip': sum(v['closing_wip'] for v in ours),
        'overhead': sum(v['overhead'] for v in ours)}


def measure(runner, period_id, runs):
    runner.timed(ours_calculate, period_id)  # warm-up
    ours = [runner.timed(ours_calculate, period_id) for _ in range(runs)]
    ours_load = load()
    naive = runner.timed(naive_calculate, period_id)
    return {
        'ours_s': statistics.median(t for t, _ in ours),
        'ours_runs': [round(t, 2) for t, _ in ours],
        'ours_statements': ours[-1][1],
        'ours_load': ours_load,
        'naive_s': naive[0],
        'naive_statements': naive[1],
        'naive_load': load(),
        }


def run(args):
    from bench.bench_production_kitting import count_statements
    if args.uri:
        # a kept cluster with dataset and month loaded (--keep)
        return measure_kept(args)
    cluster, uri, _, loaded = build(args.size, DATABASE, MODULES, log)
    try:
        count_statements()
        runner = Runner(DATABASE)
        start = time.monotonic()
        month = None

        def prepare(pool):
            nonlocal month
            month = Month(pool, args.orders)
            return month.run()
        period_id = None
        period_id = runner.call(prepare, commit=True)
        log("month added in %.0f s: %s moves, %s cycles" % (
                time.monotonic() - start, month.moves, month.cycles))
        import psycopg
        with psycopg.connect(uri + DATABASE, autocommit=True) as conn:
            conn.execute('ANALYZE')
        facts = runner.call(check, period_id)
        log("identical: %s" % facts)
        figures = measure(runner, period_id, args.runs)
        log("figures: %s" % figures)
        return report(args, loaded, month, facts, figures)
    finally:
        if args.keep:
            log("kept: --uri %s --period %s" % (uri, period_id))
        else:
            cluster.stop()


def measure_kept(args):
    from bench.bench_production_kitting import count_statements
    from trytond import config
    os.environ['TRYTOND_DATABASE__URI'] = args.uri
    config.set('database', 'uri', args.uri)
    count_statements()
    runner = Runner(DATABASE)
    facts = runner.call(check, args.period)
    log("identical: %s" % facts)
    figures = measure(runner, args.period, args.runs)
    log("figures: %s" % figures)
    month = argparse.Namespace(moves='?', cycles='?')
    return report(args, 0, month, facts, figures)


def report(args, loaded, month, facts, figures):
    ratio = figures['naive_s'] / figures['ours_s']
    lines = [
        '# production_costing: C1, the one-click costing of a month',
        '',
        'Dataset %s (seed 42) loaded in %.0f s, then the month added in '
        'bulk: %s orders with activity on %s levels of the roll-up, %s '
        'done moves, %s work cycles, 3 overhead pools; PostgreSQL 15 '
        '(fsync on, ANALYZE after the load), `PYTHONOPTIMIZE=%s`, '
        'production_costing at %s, %s. `python -m '
        'bench.bench_production_costing --size %s --orders %s --runs %s`.'
        % (args.size, loaded, facts['orders'], facts['levels'],
            month.moves, month.cycles,
            os.environ.get('PYTHONOPTIMIZE', ''), revision(),
            dt.date.today(), args.size, args.orders, args.runs),
        '',
        'Both ways gave identical results for every order (every number '
        'and line) before any time counted; every order conserved to the '
        'cent. Totals: finished %s, closing WIP %s, overhead %s.'
        % (facts['finished_cost'], facts['closing_wip'],
            facts['overhead']),
        '',
        '| way | seconds | SQL statements | load average (1/5/15 min) |',
        '|---|---|---|---|',
        '| ours (`production.cost.period.calculate`, median of %s runs: '
        '%s) | %.2f s | %s | %s |' % (args.runs, figures['ours_runs'],
            figures['ours_s'], figures['ours_statements'],
            ' / '.join(map(str, figures['ours_load']))),
        '| naive (per-order ORM loop, same arithmetic, results created '
        'one by one; 1 run) | %.2f s | %s | %s |' % (figures['naive_s'],
            figures['naive_statements'],
            ' / '.join(map(str, figures['naive_load']))),
        '',
        'Ratio naive / ours in the same run: **%.1f×** (target ≥ 10×); '
        'ours %s the 10 s target.' % (ratio,
            'meets' if figures['ours_s'] <= 10 else 'misses'),
        ]
    return lines


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--size', default='M')
    parser.add_argument('--orders', type=int, default=1000)
    parser.add_argument('--runs', type=int, default=3)
    parser.add_argument('--output', default=RESULTS)
    parser.add_argument('--keep', action='store_true',
        help="keep the PostgreSQL cluster and print how to reuse it")
    parser.add_argument('--uri', help="measure on a kept cluster")
    parser.add_argument('--period', type=int, help="with --uri")
    args = parser.parse_args()
    lines = run(args)
    with open(args.output, 'w') as fp:
        fp.write('\n'.join(lines) + '\n')
    print('\n'.join(lines))


if __name__ == '__main__':
    main()
