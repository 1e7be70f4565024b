# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""P1: merged picking slip and picking variance (issue 16, BENCHMARKS.md).

    python -m bench.bench_production_picking [--size M] [--runs 3]
    ZHIZAO_PG_URI=URI python -m bench.bench_production_picking --reuse

(--reuse: the database of an earlier run on that cluster is kept with its
data set, its P1 data and its done orders: dataset M loads in about 20
minutes.)

Builds a database with production_reporting, production_picking and
production_material_return on a throwaway PostgreSQL 15 (or ZHIZAO_PG_URI),
loads the seeded dataset (data/dataset.py, M by default: 500,000 moves, one
closed stock period), then adds what P1 measures: 20 components in stock, a
BOM of the 20 for the slips and one for the variance (2 components
backflushed, loss rates, 1 order in 5 with a supplementary picking), and
measures in the same run:

1. the merged slip (合并领料) of 50 orders × 20 components (1,000 lines):
   ``create`` of the slip naming the orders, ``fill`` (totals and their
   split by start date), ``do``; each step in its own committed
   transaction as the RPC dispatcher runs it, in-process, with its SQL
   statements; the same for 10 orders (do the statements grow?);
2. Tryton's native way for the same 50 orders: ``run`` issues all inputs
   at once (the orders assigned beforehand, not timed);
3. a naive per-order loop: a normal slip per order (create, fill, do);
4. the picking variance (领料差异分析表) of 500 done orders (10,000 rows)
   over JSON-RPC against a real trytond, as sao asks it (``search`` limit
   1000 then ``read`` by 100 of the list view's fields), the whole report
   (``search_read`` of its numbers), and a naive per-order ORM loop over
   JSON-RPC computing the same numbers.

Each way issues the same quantities per order and component, and the
report and the naive loop give identical numbers, before any time counts.
Fresh orders for every run; medians after a warm-up; results in
bench/results/production_picking.md.
"""
import argparse
import cProfile
import datetime as dt
import io
import os
import pstats
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from bench.bench_production_reporting import (  # noqa: E402
    READ_SIZE, STATEMENTS, analyze, count_statements, list_fields)

RESULTS = os.path.join(ROOT, 'bench', 'results', 'production_picking.md')
DATABASE = 'bench_production_picking'
MODULES = ['production_reporting', 'production_picking',
    'production_material_return']
COMPONENTS = 20
BACKFLUSH = 2  # the last components of the variance BOM
VARIANCE = 'production.reporting.picking_variance'
LOADS = []  # the 1-minute load average after each way measured


class Env:
    "The database, the admin user and the context of the company"

    def __init__(self, database):
        from trytond.pool import Pool
        from trytond.transaction import Transaction
        Pool.start()
        self.pool = Pool(database)
        try:
            self.pool.get('res.user')
        except KeyError:
            self.pool.init()
        self.database = database
        with Transaction().start(database, 0):
            User = self.pool.get('res.user')
            admin, = User.search([('login', '=', 'admin')])
            self.user = admin.id
            self.company = admin.company.id if admin.company else None

    def call(self, function, *args, readonly=False):
        """Run function(pool, *args) in a committed transaction, started
        again with the locks it asks for as the RPC dispatcher does"""
        from trytond.transaction import Transaction, TransactionError
        context = {'company': self.company} if self.company else {}
        extras = {}
        while True:
            with Transaction().start(self.database, self.user,
                    readonly=readonly, context=context,
                    **extras) as transaction:
                try:
                    result = function(self.pool, *args)
                except TransactionError as error:
                    transaction.rollback()
                    error.fix(extras)
                    continue
                if not readonly:
                    transaction.commit()
                return result


def ensure_company(pool):
    from data.dataset import Generator
    return Generator('S').ensure_company().id


def setup(pool):
    """The 20 components in stock and the two BOMs: return their ids (those
    of an earlier run when the database has them)"""
    return found(pool) or create_setup(pool)


def found(pool):
    "The ids of the P1 data of an earlier run (--reuse) or None"
    Product = pool.get('product.product')
    Bom = pool.get('production.bom')
    Location = pool.get('stock.location')
    products = {p.template.name: p for p in Product.search(
            [('template.name', 'like', 'P1 %')])}
    boms = {b.name: b for b in Bom.search([('name', 'like', 'P1 %')])}
    if len(products) < COMPONENTS + 2 or len(boms) < 2:
        return None
    warehouse, = Location.search([('type', '=', 'warehouse')], limit=1)
    return dict(warehouse=warehouse.id,
        unit=products['P1 cabinet'].default_uom.id,
        slip_bom=boms['P1 slips'].id, variance_bom=boms['P1 variance'].id,
        slip_fg=products['P1 cabinet'].id,
        variance_fg=products['P1 variance'].id,
        components=[products['P1 component %02d' % i].id
            for i in range(1, COMPONENTS + 1)])


def create_setup(pool):
    Template = pool.get('product.template')
    Uom = pool.get('product.uom')
    Bom = pool.get('production.bom')
    Location = pool.get('stock.location')
    Inventory = pool.get('stock.inventory')
    Configuration = pool.get('production.configuration')
    Company = pool.get('company.company')
    company, = Company.search([], limit=1)
    unit, = Uom.search([('symbol', '=', 'u')])
    configuration = Configuration(1)
    configuration.picking_method = 'slip'
    configuration.supplementary_tolerance = Decimal(100)
    configuration.save()
    templates = Template.create([{
                'name': 'P1 component %02d' % i, 'type': 'goods',
                'default_uom': unit.id, 'list_price': Decimal(1),
                'products': [('create', [{
                                'code': 'P1-C%02d' % i,
                                'cost_price': Decimal('1.25') * i}])],
                } for i in range(1, COMPONENTS + 1)] + [{
                'name': name, 'type': 'goods', 'producible': True,
                'default_uom': unit.id, 'list_price': Decimal(100),
                'products': [('create', [{'code': code}])],
                } for name, code in [
                ('P1 cabinet', 'P1-FG'), ('P1 variance', 'P1-VAR')]])
    components = [t.products[0] for t in templates[:COMPONENTS]]
    slip_fg, variance_fg = [t.products[0] for t in templates[COMPONENTS:]]
    slip_bom, variance_bom = Bom.create([{
                'name': 'P1 slips',
                'inputs': [('create', [{
                                'product': c.id, 'unit': unit.id,
                                'quantity': 1 + i % 3,
                                } for i, c in enumerate(components)])],
                'outputs': [('create', [{
                                'product': slip_fg.id, 'unit': unit.id,
                                'quantity': 1}])],
                }, {
                'name': 'P1 variance',
                'inputs': [('create', [{
                                'product': c.id, 'unit': unit.id,
                                'quantity': 1 + i % 3,
                                'loss_rate': Decimal('2.5') * (i % 4),
                                'backflush': i >= COMPONENTS - BACKFLUSH,
                                } for i, c in enumerate(components)])],
                'outputs': [('create', [{
                                'product': variance_fg.id, 'unit': unit.id,
                                'quantity': 1}])],
                }])
    warehouse, = Location.search([('type', '=', 'warehouse')], limit=1)
    inventory, = Inventory.create([{
                'location': warehouse.storage_location.id,
                'company': company.id,
                'date': dt.date.today() - dt.timedelta(days=1),
                'lines': [('create', [{
                                'product': c.id, 'quantity': 10 ** 6,
                                } for c in components])],
                }])
    Inventory.confirm([inventory])
    return dict(warehouse=warehouse.id, unit=unit.id, slip_bom=slip_bom.id,
        variance_bom=variance_bom.id, slip_fg=slip_fg.id,
        variance_fg=variance_fg.id, components=[c.id for c in components])


def make_orders(pool, data, count, method, bom='slip_bom', state='waiting',
        quantity=10):
    "Orders of quantity of the BOM in waiting (or assigned) state: ids"
    Production = pool.get('production')
    Location = pool.get('stock.location')
    Bom = pool.get('production.bom')
    Company = pool.get('company.company')
    company, = Company.search([], limit=1)
    warehouse = Location(data['warehouse'])
    bom = Bom(data[bom])
    product = bom.outputs[0].product
    today = dt.date.today()
    productions = [Production(company=company, warehouse=warehouse,
            location=warehouse.production_location, product=product,
            bom=bom, unit=product.default_uom, quantity=quantity,
            picking_method=method,
            planned_start_date=today + dt.timedelta(days=i % 7),
            planned_date=today + dt.timedelta(days=30))
        for i in range(count)]
    Production.save(productions)
    Production.set_moves(productions)
    Production.wait(productions)
    if state == 'assigned':
        Production.assign_force(productions)
    return [p.id for p in productions]


def issued(pool, ids):
    """The done input quantity of each order and component, by position of
    the order in ids"""
    Move = pool.get('stock.move')
    position = {p: i for i, p in enumerate(ids)}
    result = defaultdict(float)
    for move in Move.search([
                ('production_input', 'in', ids),
                ('state', '=', 'done'),
                ]):
        result[position[move.production_input.id], move.product.id] += (
            move.internal_quantity)
    return dict(result)


# The three ways of issuing

def ours(env, ids, data):
    "A merged slip for the orders: create, fill (split), do"
    def create(pool):
        Picking = pool.get('production.picking')
        picking, = Picking.create([{
                    'kind': 'merged', 'warehouse': data['warehouse'],
                    'productions': [('add', ids)],
                    }])
        return picking.id

    def fill(pool, picking_id):
        Picking = pool.get('production.picking')
        Picking.fill([Picking(picking_id)])

    def do(pool, picking_id):
        Picking = pool.get('production.picking')
        Picking.done([Picking(picking_id)])
        return len(Picking(picking_id).lines)

    picking_id = env.call(create)
    env.call(fill, picking_id)
    return env.call(do, picking_id)


def native(env, ids, data):
    "Tryton's own way: run the assigned orders, all inputs issued at once"
    def run(pool):
        Production = pool.get('production')
        Production.run(Production.browse(ids))
    env.call(run)


def naive(env, ids, data):
    "One normal slip per order: create, fill, do"
    def create(pool, production_id):
        Picking = pool.get('production.picking')
        picking, = Picking.create([{
                    'kind': 'normal', 'warehouse': data['warehouse'],
                    'productions': [('add', [production_id])],
                    }])
        return picking.id

    def fill(pool, picking_id):
        Picking = pool.get('production.picking')
        Picking.fill([Picking(picking_id)])

    def do(pool, picking_id):
        Picking = pool.get('production.picking')
        Picking.done([Picking(picking_id)])

    for production_id in ids:
        picking_id = env.call(create, production_id)
        env.call(fill, picking_id)
        env.call(do, picking_id)


WAYS = {
    'ours': (ours, 'slip', 'waiting'),
    'native': (native, 'run', 'assigned'),
    'naive': (naive, 'slip', 'waiting'),
    }


def measure_way(env, data, way, orders, runs):
    """Time the way on fresh orders for each run after a warm-up: (median
    seconds, statements of the last run, issued quantities, best
    seconds, median CPU seconds of this process)"""
    function, method, state = WAYS[way]
    times, cpus, statements, quantities = [], [], 0, None
    for _ in range(runs + 1):
        ids = env.call(make_orders, data, orders, method, 'slip_bom', state)
        STATEMENTS[0] = 0
        start, cpu = time.perf_counter(), time.process_time()
        function(env, ids, data)
        times.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
        statements = STATEMENTS[0]
        quantities = env.call(issued, ids, readonly=True)
    LOADS.append(os.getloadavg()[0])
    print(way, orders, ['%.2f' % t for t in times], statements,
        LOADS[-1], file=sys.stderr, flush=True)
    return (statistics.median(times[1:]), statements, quantities,
        min(times[1:]), statistics.median(cpus[1:]))


def profile(env, data, orders, top=25):
    """Each step of the merged slip of fresh orders under cProfile: per
    step its seconds, statements and the top functions by cumulative time
    (text)"""
    ids = env.call(make_orders, data, orders, 'slip', 'slip_bom', 'waiting')
    steps = {}

    def create(pool):
        Picking = pool.get('production.picking')
        picking, = Picking.create([{
                    'kind': 'merged', 'warehouse': data['warehouse'],
                    'productions': [('add', ids)],
                    }])
        return picking.id

    def step(pool, name, picking_id):
        Picking = pool.get('production.picking')
        getattr(Picking, name)([Picking(picking_id)])

    texts = []
    for name in ['create', 'fill', 'done']:
        profiler = cProfile.Profile()
        STATEMENTS[0] = 0
        start = time.perf_counter()
        profiler.enable()
        if name == 'create':
            picking_id = env.call(create)
        else:
            env.call(step, name, picking_id)
        profiler.disable()
        steps[name] = (time.perf_counter() - start, STATEMENTS[0])
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats('cumulative').print_stats(r'/(trytond|addons)/', top)
        texts.append('%s: %.2f s, %s statements\n%s' % (
                name, steps[name][0], steps[name][1], out.getvalue()))
    text = '\n'.join(texts)
    print(text, file=sys.stderr, flush=True)
    return steps, text


# The variance report

def variance_orders(env, data, count):
    """Done orders of the variance BOM: issued at start (run), 1 in 5 with
    a supplementary picking of 1 unit of the first component, the
    backflushed components consumed when done.  Each step in its own
    transaction: a retry for the locks of a step starts only that step
    again.  Return their ids."""
    ids = env.call(
        make_orders, data, count, 'run', 'variance_bom', 'assigned')
    env.call(orders_step, 'run', ids)
    env.call(supplementary, data, ids[::5])
    env.call(orders_step, 'do', ids)
    return ids


def orders_step(pool, name, ids):
    Production = pool.get('production')
    getattr(Production, name)(Production.browse(ids))


def supplementary(pool, data, ids):
    "A supplementary picking of 1 unit of the first component for ids"
    Picking = pool.get('production.picking')
    picking, = Picking.create([{
                'kind': 'supplementary', 'warehouse': data['warehouse'],
                'reason': "Bench",
                'lines': [('create', [{
                                'production': p, 'product':
                                data['components'][0],
                                'quantity': 1, 'unit': data['unit'],
                                } for p in ids])],
                }])
    Picking.done([picking])


def done_variance_orders(pool, data):
    "The ids of the done orders of the variance BOM (of earlier runs)"
    Production = pool.get('production')
    return [p.id for p in Production.search([
                ('bom', '=', data['variance_bom']),
                ('state', '=', 'done'),
                ])]


def variance_context(data):
    """The period of the report: from the first day an order of the
    variance was done to today (a run that crosses midnight keeps them
    all)"""
    return {'from_date': data['variance_from'].isoformat(),
        'to_date': dt.date.today().isoformat()}


def variance_from(pool, ids):
    "The first effective date of the orders"
    Production = pool.get('production')
    return min(p.effective_date or p.planned_date
        for p in Production.browse(ids))


def to_decimal(value):
    "A Decimal of JSON-RPC (an object) or of the ORM"
    if isinstance(value, dict):
        return Decimal(value['decimal'])
    return Decimal(str(value or 0))


def report_numbers(rows):
    return {(r['production'], r['product']): (
            round(r['standard'], 6), round(r['picked'], 6),
            round(r['backflushed'], 6), round(r['supplementary'], 6),
            round(r['returned'], 6), round(r['variance'], 6),
            to_decimal(r['variance_value']).quantize(Decimal('0.01')))
        for r in rows}


NUMBERS = ['production', 'product', 'standard', 'picked', 'backflushed',
    'supplementary', 'returned', 'variance', 'variance_value']


def report_all(rpc, context):
    "The whole report in one search_read of its numbers"
    return rpc('model.%s.search_read' % VARIANCE, [], 0, None, None,
        NUMBERS, context=context)


def report_sao(rpc, fields, context, first_only=False):
    "search (limit 1000) then read by READ_SIZE, as sao shows the list"
    ids = rpc('model.%s.search' % VARIANCE, [], 0, 1000, None,
        context=context)
    if first_only:
        ids = ids[:READ_SIZE]
    rows = []
    for i in range(0, len(ids), READ_SIZE):
        rows.extend(rpc('model.%s.read' % VARIANCE, ids[i:i + READ_SIZE],
                fields, context=context))
    return rows


WITH_VARIANCE = [('variance', '!=', 0)]  # the report's first tab


def report_tab(rpc, fields, context):
    """The first screen of the report's first tab (With Variance) as sao
    opens it: search (limit 1000), search_count when the page is full,
    read of the first READ_SIZE"""
    ids = rpc('model.%s.search' % VARIANCE, WITH_VARIANCE, 0, 1000, None,
        context=context)
    if len(ids) == 1000:
        rpc('model.%s.search_count' % VARIANCE, WITH_VARIANCE, 0,
            100 * 1000, context=context)
    return rpc('model.%s.read' % VARIANCE, ids[:READ_SIZE], fields,
        context=context)


def report_naive(rpc, ids):
    """The variance through the ORM, one order at a time: the order, its
    BOM's lines, its input and output moves (units are the products'
    default units in this data set)"""
    rows = {}
    for production_id in ids:
        production, = rpc('model.production.read', [production_id],
            ['bom', 'product'])
        inputs = rpc('model.production.bom.input.search_read',
            [('bom', '=', production['bom'])], 0, None, None,
            ['product', 'quantity', 'loss_rate'])
        outputs = rpc('model.production.bom.output.search_read',
            [('bom', '=', production['bom'])], 0, None, None,
            ['product', 'quantity'])
        moves = rpc('model.stock.move.search_read',
            [('production_input', '=', production_id),
                ('state', '!=', 'cancelled')], 0, None, None,
            ['product', 'internal_quantity', 'state', 'production_issue',
                'cost_price'])
        done = rpc('model.stock.move.search_read',
            [('production_output', '=', production_id),
                ('state', '=', 'done')], 0, None, None,
            ['product', 'internal_quantity'])
        rows.update(_naive_rows(production, inputs, outputs, moves, done))
    return rows


def _naive_rows(production, inputs, outputs, moves, done):
    made = sum(m['internal_quantity'] for m in done
        if m['product'] == production['product'])
    per_unit = sum(o['quantity'] for o in outputs
        if o['product'] == production['product'])
    standard = defaultdict(float)
    for input_ in inputs:
        loss = 1 + float(to_decimal(input_['loss_rate'])) / 100
        standard[input_['product']] += (
            input_['quantity'] * loss * made / per_unit)
    kinds = defaultdict(lambda: defaultdict(float))
    costs = defaultdict(lambda: [0.0, Decimal(0)])
    for move in moves:
        if move['state'] != 'done':
            kinds[move['product']]['picking'] += 0
            continue
        kind = move['production_issue'] or 'picking'
        kinds[move['product']][kind] += move['internal_quantity']
        costs[move['product']][0] += move['internal_quantity']
        costs[move['product']][1] += Decimal(
            str(move['internal_quantity'])) * to_decimal(move['cost_price'])
    rows = {}
    for product, quantities in kinds.items():
        actual = sum(quantities.values())
        variance = actual - standard[product]
        quantity, cost = costs[product]
        unit_cost = cost / Decimal(str(quantity)) if quantity else Decimal(0)
        rows[production['id'], product] = (
            round(standard[product], 6), round(quantities['picking'], 6),
            round(quantities['backflush'], 6),
            round(quantities['supplementary'], 6), 0.0, round(variance, 6),
            (Decimal(str(variance)) * unit_cost).quantize(
                Decimal('0.01'), rounding=ROUND_HALF_UP))
    return rows


def measure_rpc(function, runs):
    "Return (result, median seconds) after a warm-up"
    result = function()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return result, statistics.median(times)


def measure_report(server, env, data, args):
    rpc = server.jsonrpc()
    context = variance_context(data)
    view = rpc('model.%s.fields_view_get' % VARIANCE, None, 'tree')
    fields = list_fields(view)
    results, runs = {}, args.report_runs or args.runs
    results['all'] = measure_rpc(lambda: report_all(rpc, context), runs)
    results['first'] = measure_rpc(lambda: report_sao(
            rpc, fields, context, first_only=True), runs)
    results['tab'] = measure_rpc(
        lambda: report_tab(rpc, fields, context), runs)
    results['sao'] = measure_rpc(
        lambda: report_sao(rpc, fields, context), runs)
    listed = sorted({r['production'] for r in results['all'][0]})
    assert set(data['variance_orders']) <= set(listed)
    data['report_orders'] = listed
    results['naive'] = measure_rpc(
        lambda: report_naive(rpc, listed), args.naive_runs)
    STATEMENTS[0] = 0

    def in_process(pool):
        Variance = pool.get(VARIANCE)
        return Variance.search_read([], fields_names=NUMBERS)
    start = time.perf_counter()
    local = env_call_context(env, in_process, context)
    local_time = time.perf_counter() - start
    results['local'] = (local, local_time, STATEMENTS[0])
    ours = report_numbers(results['all'][0])
    assert ours == results['naive'][0], "different numbers"
    check_screens(results)
    check_pages(rpc, results, context)
    assert report_numbers(local) == ours
    for name in ['all', 'first', 'tab', 'sao', 'naive']:
        print(name, '%.0f ms' % (results[name][1] * 1000), file=sys.stderr,
            flush=True)
    return results, fields


def check_screens(results):
    """The rows of the first screens have the numbers of the whole report
    (the With Variance tab only rows with a variance)"""
    rows = {r['id']: r for r in results['all'][0]}
    for row in results['first'][0] + results['tab'][0]:
        assert all(row[n] == rows[row['id']][n] for n in NUMBERS[2:]), (
            "first screen", row)
    assert all(r['variance'] for r in results['tab'][0])


ORDER = [['date', 'DESC NULLS LAST'], ['number', 'DESC'],
    ['product_name', 'ASC'], ['id', 'ASC']]  # the report's order, given


def check_pages(rpc, results, context):
    """The rows of the first screens (paged in SQL when no order is
    given) are the first rows of the whole report sorted by SQL"""
    for domain, name, size in [([], 'first', READ_SIZE),
            ([], 'sao', 1000), (WITH_VARIANCE, 'tab', READ_SIZE)]:
        whole = rpc('model.%s.search' % VARIANCE, domain, 0, None, ORDER,
            context=context)
        assert [r['id'] for r in results[name][0]] == whole[:size], (
            "rows of the page", name)


def env_call_context(env, function, context):
    from trytond.transaction import Transaction
    with Transaction().start(env.database, env.user, readonly=True,
            context=dict(context, company=env.company,
                _check_access=True)):
        return function(env.pool)


def summary(ours_rows):
    variances = [r[5] for r in ours_rows.values()]
    values = [r[6] for r in ours_rows.values()]
    return (len(ours_rows), sum(1 for v in variances if abs(v) > 1e-9),
        sum(values, Decimal(0)))


def run(args):
    from tools.pgcluster import Cluster
    from tools.server import Server

    count_statements()
    cluster = None
    uri = os.environ.get('ZHIZAO_PG_URI')
    if not uri:
        cluster = Cluster(fsync=True)
        uri = cluster.start()
    os.environ['TRYTOND_DATABASE__URI'] = uri
    database = args.database or DATABASE
    server = Server(database, MODULES, uri=uri,
        workdir=tempfile.mkdtemp(prefix='bench-pp-'), languages=('en',))
    try:
        start = time.monotonic()
        reused = args.reused = args.reuse and server.exists()
        if not reused:
            server.build()
        if args.size != 'none' and not reused:
            from data import dataset
            dataset.load(args.size, database, uri=uri, seed=args.seed)
        load_time = time.monotonic() - start
        env = Env(database)
        if env.company is None:
            env.call(ensure_company)
            env = Env(database)
        start = time.monotonic()
        data = env.call(setup)
        data['variance_orders'] = env.call(
            done_variance_orders, data, readonly=True)
        while len(data['variance_orders']) < args.orders:
            # by 100 a transaction
            data['variance_orders'] += variance_orders(env, data,
                min(100, args.orders - len(data['variance_orders'])))
        data['variance_from'] = env.call(
            variance_from, data['variance_orders'], readonly=True)
        seed_time = time.monotonic() - start
        analyze(uri, database)
        print("loaded in %.0f s, P1 data in %.0f s" % (load_time, seed_time),
            file=sys.stderr, flush=True)
        if args.profile:
            profile(env, data, args.slip_orders)
            if args.profile_only:
                return
        slips = {}
        for orders in [10, args.slip_orders]:
            for way in ['ours', 'native', 'naive']:
                slips[way, orders] = measure_way(
                    env, data, way, orders, args.runs)
            reference = slips['ours', orders][2]
            for way in ['native', 'naive']:
                assert slips[way, orders][2] == reference, (
                    way, orders, "different quantities issued")
        server.start()
        report, fields = measure_report(server, env, data, args)
        lines = write(
            args, load_time, seed_time, slips, report, fields, data)
    finally:
        server.stop()
        if cluster:
            cluster.stop()
    print('\n'.join(lines))


def write(args, load_time, seed_time, slips, report, fields, data):
    orders = args.slip_orders
    count, with_variance, value = summary(report_numbers(report['all'][0]))
    load = os.getloadavg()

    def slip_row(label, way, n):
        median, statements, quantities, best, cpu = slips[way, n]
        return '| %s | %s orders × %s components (%s lines issued) | ' \
            '%.2f s | %.2f s | %.2f s | %s |' % (label, n, COMPONENTS,
                len(quantities), median, best, cpu, statements)

    def rpc_row(label, name):
        return '| %s | RPC | %.0f ms |' % (label, report[name][1] * 1000)

    ours_time = slips['ours', orders][0]
    lines = [
        '# production_picking benchmark (P1)',
        '',
        'Dataset %s (seed %s) %s; then the P1 data %s: '
        '20 components in stock, a BOM of the 20 (1, 2 or 3 a unit) for the '
        'slips, the same with loss rates 0–7.5 %% and 2 components '
        'backflushed for the variance, and %s done orders of 10 of it '
        '(issued at start, 1 in 5 with a supplementary picking). Modules: '
        '%s. PostgreSQL 15 (fsync on, ANALYZE after the load); each step in '
        'its own committed transaction, in-process, as the RPC dispatcher '
        'runs it; fresh orders for every run, median of %s runs after a '
        'warm-up. Load average at the end: %.2f / %.2f / %.2f (2 cores '
        'shared). `python -m bench.bench_production_picking --size %s`.' % (
            args.size, args.seed,
            'loaded in %.0f s' % load_time if not args.reused
            else 'loaded by an earlier run into the same database (--reuse)',
            'in %.0f s' % seed_time if not args.reused
            else 'of the earlier runs (orders added up to --orders)',
            args.orders,
            ', '.join(MODULES), args.runs, *load, args.size),
        '',
        'The three ways issue the same quantity of every component to every '
        'order (checked). Load average (1 min) after each way measured: '
        '%.1f to %.1f.' % (min(LOADS), max(LOADS)),
        '',
        '## Merged slip (合并领料): create, fill and split, do',
        '',
        '| way | orders | median | best | CPU of the process (median) | '
        'statements |',
        '|---|---|---|---|---|---|',
        slip_row('merged slip (ours: create, fill, done)', 'ours', 10),
        slip_row('merged slip (ours: create, fill, done)', 'ours', orders),
        slip_row("Tryton's run (all inputs at once)", 'native', 10),
        slip_row("Tryton's run (all inputs at once)", 'native', orders),
        slip_row('naive: a normal slip per order', 'naive', 10),
        slip_row('naive: a normal slip per order', 'naive', orders),
        '',
        'The merged slip of %s orders: %.2f s (target ≤ 2 s), %.1f× '
        "Tryton's run, %.1f× faster than the naive loop; statements %s for "
        '10 orders, %s for %s.' % (
            orders, ours_time,
            ours_time / slips['native', orders][0],
            slips['naive', orders][0] / ours_time,
            slips['ours', 10][1], slips['ours', orders][1], orders),
        '',
        '## Picking variance (领料差异分析表) of %s orders' % len(
            data['report_orders']),
        '',
        '%s rows (order × component), %s with a variance, total variance '
        'value %s. The report and the naive loop give identical standard, '
        'picked, backflushed, supplementary, returned, variance and value '
        '(checked); the rows of every first screen are the first rows of '
        'the whole report sorted in SQL (checked). sao reads the %s names '
        'of the list view. Median of %s runs after a warm-up.' % (
            count, with_variance, value, len(fields),
            args.report_runs or args.runs),
        '',
        '| case | way | median |',
        '|---|---|---|',
        rpc_row('all %s rows, one search_read of the numbers' % count,
            'all'),
        rpc_row('first screen as sao: search (limit 1000) + read 100',
            'first'),
        rpc_row('first screen of the With Variance tab (sao opens the '
            'report on it): search (limit 1000) + search_count + read 100',
            'tab'),
        rpc_row('as sao, 1000 rows: search + 10 reads of 100', 'sao'),
        rpc_row('naive per-order ORM loop (%s calls)' % (
                5 * len(data['report_orders'])),
            'naive'),
        '| all rows, in-process (one run, %s statements) | in-process | '
        '%.0f ms |' % (report['local'][2], report['local'][1] * 1000),
        '',
        'The whole report is %.0f× faster than the naive loop over RPC.' % (
            report['naive'][1] / report['all'][1]),
        ]
    os.makedirs(os.path.dirname(RESULTS), exist_ok=True)
    with open(RESULTS, 'w') as fp:
        fp.write('\n'.join(lines) + '\n')
    return lines


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--size', default='M',
        help="the dataset loaded first (none: only the P1 data)")
    parser.add_argument('--seed', type=int, default=42)
    parser.add_argument('--orders', type=int, default=500,
        help="done orders of the variance report")
    parser.add_argument('--slip-orders', type=int, default=50)
    parser.add_argument('--runs', type=int, default=3)
    parser.add_argument('--naive-runs', type=int, default=1)
    parser.add_argument('--report-runs', type=int,
        help="runs of each RPC case of the variance (default: --runs)")
    parser.add_argument('--database')
    parser.add_argument('--reuse', action='store_true',
        help="keep the database of an earlier run with its data (use with "
        "ZHIZAO_PG_URI, the cluster that holds it)")
    parser.add_argument('--profile', action='store_true',
        help="profile each step of one merged slip first (stderr)")
    parser.add_argument('--profile-only', action='store_true')
    run(parser.parse_args())


if __name__ == '__main__':
    main()
