# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""M1 of BENCHMARKS.md for production_mrp: a full MRP run

    .venv/bin/python -m bench.bench_production_mrp --size S|M|L --runs 3
        [--keep] [--uri URI --database NAME --prepared] [--no-native]
        [--output F]

A throwaway PostgreSQL 15, a database with production_mrp, sale and
stock_supply_production built by trytond-admin, the seeded dataset of
data/dataset.py, the comparison setting below, then, in one run:

- ``ours``: ``production.mrp.run.plan`` in the server process, the whole
  run (loading, netting, suggestions, pegs, exceptions and the time-phased
  plan written); every run is in its own transaction, rolled back, so each
  run starts from the same data (and no run replaces another's
  suggestions);
- ``lower bound``: the Planner of engine.py alone, on the data already
  loaded in memory (``build_planner`` once, then ``plan()`` of a fresh
  planner on the same loaded demands, receipts, BOMs and stock);
- ``native``: Tryton's Supply Stock wizard (``stock.supply``: purchase
  requests of stock_supply and production requests of
  stock_supply_production, repeated until stable), one run, rolled back;
- ``naive``: a per-product ORM loop (product records, products_by_location
  per product, moves searched per product, BOM walked through records) on
  the first products in low-level-code order, extrapolated to every
  product planned.

``--no-native`` leaves the wizard out (333 s on M; on L, five times the
products and ten times the moves, hours): the report says so, and the
comparison with it is then not made.

The numbers must agree before any time counts: ours, the lower bound and
the naive loop suggestion by suggestion; ours and native on the totals that
both must compute on this data (see COMPARED).  Then, optionally, ours
over JSON-RPC (each call commits a run).  Results go to
bench/results/production_mrp.md.
"""
import argparse
import datetime as dt
import os
import re
import resource
import statistics
import sys
import time
import tracemalloc
from collections import defaultdict

from bench.bench_production_kitting import STATEMENTS, count_statements

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, 'bench', 'results', 'production_mrp.md')
MODULES = ['production_mrp', 'sale', 'stock_supply_production']
# days: every date of the dataset (sales up to 60 days, productions and
# receipts up to 30) lies within it, for ours and for the wizard
HORIZON = 365

COMPARED = """\
What is compared with Tryton's Supply Stock wizard, and why.  The wizard
plans differently from an MRP: order points (none here: minimum and target
0), no low-level codes (it repeats purchase requests and production
requests until nothing new is created, each production request drafting its
component moves, which the next pass sees as demand), a production request
planned the day before the shortage (`compute_request`: `date -= 1 day`),
purchase requests computed once per product over the supply period
(`get_shortage`: the lowest projected quantity) and, without a supplier,
over all time (`date.max`).  The setting of the data where both must give
the same numbers, applied by the bench to its database after the load and
the same for every way measured:

- lot for lot, no safety stock, no minimum or multiple, no lead times (the
  dataset's defaults: no production lead time, no supplier);
- the sales processed (shipments drafted: their moves are the demand both
  read; confirmed unprocessed sales lines would be read by ours only);
- the scheduled receipts from suppliers due on the run date (the wizard
  puts the component demand of a request one day before ours, so a receipt
  on the day between would change the lowest projected quantity of one and
  not of the other; with every receipt on the first day the projected
  quantity only falls and both need the same total);
- nothing in quarantine (ours leaves quarantine stock out of what is on
  hand, the wizard counts the whole warehouse): the dataset's quarantined
  receipts are sent back to the supplier by done moves;
- the production supply period of the wizard = the run's horizon (%s days)
  so that it plans every day that ours plans.

Then, per product: Σ quantity of ours' production suggestions = Σ quantity
of the wizard's production requests, Σ quantity of ours' purchase
suggestions = Σ computed quantity of its purchase requests, and for the
finished goods (no dependent demand: the same demand on the same days) the
production quantity day by day, the wizard's day being ours' need date
minus one (the run date when due on it).  Ours, the lower bound and the
naive loop must agree suggestion by suggestion (product, kind, need date,
start date, quantity).""" % HORIZON


# The resident memory of the process around the timed runs of median_of
# (MiB): 'before' = VmRSS before the first timed run, 'peak' = the highest
# VmHWM of the timed runs (the high-water mark reset before each through
# /proc/self/clear_refs), 'how' = how it was read
RSS = {}


def _status(field):
    "A field of /proc/self/status in MiB (None if unreadable)"
    try:
        with open('/proc/self/status') as fp:
            match = re.search(r'^%s:\s+(\d+) kB' % field, fp.read(), re.M)
    except OSError:
        return None
    return int(match.group(1)) / 1024 if match else None


def _reset_peak():
    "Reset the process's VmHWM to its VmRSS; False if it cannot"
    try:
        with open('/proc/self/clear_refs', 'w') as fp:
            fp.write('5')
    except OSError:
        return False
    return True


def median_of(function, runs, prepare=None):
    """Return (result, median seconds, statements, peak MiB) of function
    called runs times after a warm-up; prepare (untimed) gives its argument
    at each call.  runs=0: one run, without warm-up nor memory.  The peak
    MiB is tracemalloc's (Python allocations during one more run); the
    process's resident memory during the timed runs goes to RSS."""
    def call():
        argument = prepare() if prepare else None
        STATEMENTS[0] = 0
        start = time.perf_counter()
        result = function(argument) if prepare else function()
        return result, time.perf_counter() - start, STATEMENTS[0]
    if not runs:
        result, seconds, statements = call()
        return result, seconds, statements, None
    result, _, _ = call()
    RSS.clear()
    RSS['before'] = _status('VmRSS')
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    times = []
    peaks = []
    for _ in range(runs):
        reset = _reset_peak()
        times.append(call()[1])
        peaks.append(_status('VmHWM') if reset else None)
    if None not in peaks:
        RSS['peak'] = max(peaks)
        RSS['how'] = 'VmHWM of /proc/self/status, reset before each run'
    else:
        # the high-water mark of the whole process: a run that stays below
        # an earlier peak (the dataset's load) leaves it unchanged
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        RSS['peak'] = after
        RSS['how'] = ('ru_maxrss of the process (%.0f MiB before the runs: '
            'a bound, not the runs\' own peak)' % maxrss)
    argument = prepare() if prepare else None
    STATEMENTS[0] = 0
    tracemalloc.start()
    function(argument) if prepare else function()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    statements = STATEMENTS[0]
    return result, statistics.median(times), statements, peak / 2 ** 20


def key_of(suggestion):
    return (suggestion.product, suggestion.kind, suggestion.need_date,
        suggestion.start_date, suggestion.quantity)


# The comparison setting
def prepare_data(database):
    """Apply the setting of COMPARED to the database and commit"""
    from sql import Null
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    # locked at the start as Tryton's dispatcher would retry them
    with Transaction().start(database, 0, readonly=False,
            _lock_tables=['sale_sale', 'stock_move', 'stock_shipment_out',
                'production_configuration']
            ) as transaction:
        pool = Pool()
        Sale = pool.get('sale.sale')
        Move = pool.get('stock.move')
        Location = pool.get('stock.location')
        Product = pool.get('product.product')
        Company = pool.get('company.company')
        Configuration = pool.get('production.configuration')
        Date = pool.get('ir.date')
        company, = Company.search([], limit=1)
        with transaction.set_context(company=company.id):
            today = Date.today()
            warehouse, = Location.search(
                [('type', '=', 'warehouse')], limit=1)
            supplier, = Location.search([('type', '=', 'supplier')], limit=1)
            cursor = transaction.connection.cursor()
            # the sales confirmed and processed: their shipments' moves are
            # the demand (invoiced by hand: no chart of accounts here)
            sale = Sale.__table__()
            cursor.execute(*sale.update(
                    [sale.state, sale.invoice_method, sale.shipment_method,
                        sale.sale_date],
                    ['confirmed', 'manual', 'order', today],
                    where=sale.state == 'quotation'))
            sales = Sale.search([('state', '=', 'confirmed')])
            start = time.monotonic()
            Sale.process(sales)
            log("%s sales processed in %.0fs" % (
                    len(sales), time.monotonic() - start))
            # the receipts from suppliers due on the run date
            move = Move.__table__()
            cursor.execute(*move.update([move.planned_date], [today],
                    where=(move.state.in_(['draft', 'assigned']))
                    & (move.from_location == supplier.id)
                    & (move.planned_date != Null)))
            # nothing in quarantine: sent back to the supplier
            quarantine = [l.id for l in Location.search([
                        ('parent', 'child_of',
                            Location.quarantine_locations()),
                        ])]
            with transaction.set_context(stock_date_end=today):
                quantities = Product.products_by_location(
                    quarantine, with_childs=False)
            returns = [[p, l, q] for (l, p), q in quantities.items() if q]
            return_quarantined(returns, supplier, company, today)
            log("%s quarantined quantities returned" % len(returns))
            config = Configuration(1)
            config.supply_period = dt.timedelta(days=HORIZON)
            config.save()
    return warehouse.id


def return_quarantined(returns, supplier, company, today):
    """Insert the done moves of the (product, location, quantity) returns
    to the supplier in one statement per batch, as the dataset inserts
    its done moves: Move.save validated each move's product with a query
    of about 20 s per batch on L (tens of thousands of returns)"""
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    pool = Pool()
    Move = pool.get('stock.move')
    Product = pool.get('product.product')
    move = Move.__table__()
    cursor = Transaction().connection.cursor()
    units = {p.id: p.default_uom.id
        for p in Product.browse(sorted({r[0] for r in returns}))}
    columns = [move.product, move.unit, move.quantity,
        move.internal_quantity, move.from_location, move.to_location,
        move.state, move.planned_date, move.effective_date, move.company,
        move.unit_price, move.currency, move.create_uid, move.create_date]
    now = dt.datetime.now()
    rows = [[p, units[p], q, q, l, supplier.id, 'done', today, today,
            company.id, 0, company.currency.id, 0, now]
        for p, l, q in returns]
    for start in range(0, len(rows), 2000):
        cursor.execute(*move.insert(columns, rows[start:start + 2000]))


def log(message):
    print('[bench mrp] %s' % message, file=sys.stderr, flush=True)


# Ours and the lower bound
def plan_ours(database, user, context, warehouse, keep=None):
    """Run production.mrp.run.plan in a transaction of its own, rolled
    back; keep(run id) reads what the run wrote before the rollback"""
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    with Transaction().start(database, user, readonly=False,
            context=context) as transaction:
        Run = Pool().get('production.mrp.run')
        run_id = Run.plan(warehouse, HORIZON, None)
        result = keep(run_id) if keep else run_id
        transaction.rollback()
    return result


def read_suggestions(run_id):
    "The suggestions a run wrote, as engine keys, and the rows counted"
    from sql.aggregate import Count
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    Suggestion = Pool().get('production.mrp.suggestion')
    table = Suggestion.__table__()
    cursor = Transaction().connection.cursor()
    counts = {}
    for model in ['production.mrp.peg', 'production.mrp.balance',
            'production.mrp.exception']:
        other = Pool().get(model).__table__()
        cursor.execute(*other.select(Count(other.id),
                where=other.run == run_id))
        counts[model], = cursor.fetchone()
    cursor.execute(*table.select(table.product, table.kind, table.need_date,
            table.start_date, table.quantity,
            where=table.run == run_id))
    return sorted(cursor.fetchall()), counts


def lower_bound(database, context, warehouse, runs):
    """build_planner once, then plan() of a fresh planner on the loaded
    data, timed alone"""
    from trytond.modules.production_mrp.engine import Planner
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    with Transaction().start(database, 0, readonly=False,
            context=context) as transaction:
        pool = Pool()
        Run = pool.get('production.mrp.run')
        Kitting = pool.get('production.kitting')
        Date = pool.get('ir.date')
        run = Run(warehouse=warehouse, company=context['company'],
            date=Date.today(), horizon=HORIZON)
        STATEMENTS[0] = 0
        start = time.perf_counter()
        loaded = run.build_planner()
        t_load = time.perf_counter() - start
        s_load = STATEMENTS[0]
        products = set(loaded.demands) | set(loaded.receipts)
        _, info = Kitting.load_boms(products)
        codes = {p: v['code'] for p, v in info.items()}
        transaction.rollback()

    def prepare():
        planner = Planner(loaded.boms, loaded.items, loaded.on_hand,
            loaded.rounding, loaded.date, HORIZON, codes=codes)
        planner.demands = defaultdict(list,
            {p: list(d) for p, d in loaded.demands.items()})
        planner.receipts = defaultdict(list,
            {p: list(r) for p, r in loaded.receipts.items()})
        planner.units = loaded.units
        return planner

    def plan(planner):
        planner.plan()
        return planner
    planner, median, statements, peak = median_of(plan, runs, prepare)
    return planner, median, statements, peak, t_load, s_load


# Tryton's native way
def native_supply(database, user, context, warehouse):
    """Tryton's Supply Stock wizard on the warehouse, rolled back: return
    ({(kind, product): total}, {(product, date): quantity} of the
    production requests, seconds, statements, counts)"""
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    context = dict(context, _skip_warnings=True)
    with Transaction().start(database, user, readonly=False,
            context=context) as transaction:
        pool = Pool()
        Supply = pool.get('stock.supply', type='wizard')
        Location = pool.get('stock.location')
        Production = pool.get('production')
        Request = pool.get('purchase.request')
        STATEMENTS[0] = 0
        start = time.perf_counter()
        session_id, _, _ = Supply.create()
        supply = Supply(session_id)
        supply.start.warehouses = [Location(warehouse)]
        supply.transition_create_()
        seconds = time.perf_counter() - start
        statements = STATEMENTS[0]
        totals = defaultdict(float)
        daily = defaultdict(float)
        productions = Production.search([
                ('state', '=', 'request'),
                ('origin', 'like', 'stock.order_point,%'),
                ])
        for production in productions:
            totals['production', production.product.id] += (
                production.quantity)
            daily[production.product.id, production.planned_date] += (
                production.quantity)
        requests = Request.search([
                ('state', '=', 'draft'),
                ('origin', 'like', 'stock.order_point,%'),
                ])
        for request in requests:
            totals['purchase', request.product.id] += (
                request.computed_quantity)
        counts = (len(productions), len(requests))
        transaction.rollback()
    return dict(totals), dict(daily), seconds, statements, counts


# The naive loop
def naive_plan(database, user, context, warehouse, products):
    """One product at a time through the ORM: its record and settings, its
    stock by products_by_location, its open moves searched, its demand
    netted day by day lot for lot, its BOM walked through records for the
    dependent demand; return [key of suggestion]"""
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    result = []
    with Transaction().start(database, user, readonly=True,
            context=context) as transaction:
        pool = Pool()
        Product = pool.get('product.product')
        Location = pool.get('stock.location')
        Move = pool.get('stock.move')
        Date = pool.get('ir.date')
        today = Date.today()
        end = today + dt.timedelta(days=HORIZON)
        quarantine = set(Location.quarantine_locations())
        area = [l.id for l in Location.search([
                    ('parent', 'child_of', [warehouse]),
                    ]) if l.id not in quarantine]
        dependent = defaultdict(lambda: defaultdict(float))
        for product_id in products:
            product, = Product.browse([product_id])
            template = product.template
            assert not template.mrp_safety_stock
            assert template.mrp_lot_method == 'lot_for_lot'
            assert not template.mrp_lot_minimum
            assert not template.mrp_lot_multiple
            with transaction.set_context(stock_date_end=today):
                on_hand = sum(Product.products_by_location(
                        area, with_childs=False,
                        grouping_filter=([product_id],)).values())
            days = defaultdict(float)
            days[today] += 0
            for move in Move.search([
                        ('product', '=', product_id),
                        ('state', 'in', ['draft', 'assigned']),
                        ['OR', [
                                ('from_location', 'in', area),
                                ('to_location', 'not in', area),
                                ], [
                                ('from_location', 'not in', area),
                                ('to_location', 'in', area),
                                ]],
                        ]):
                date = move.planned_date or move.effective_date
                date = max(date or today, today)
                if date > end:
                    continue
                sign = -1 if move.from_location.id in area else 1
                days[date] += sign * move.internal_quantity
            for date, quantity in dependent.pop(product_id, {}).items():
                days[date] -= quantity
            pbom = product.get_bom()
            kind = 'production' if (
                pbom and template.producible) else (
                'purchase' if template.purchasable else None)
            projected = on_hand
            for date in sorted(days):
                projected = round(projected + days[date], 9)
                if projected < 0 and kind:
                    quantity = product.default_uom.ceil(-projected)
                    result.append((product_id, kind, date, date, quantity))
                    projected += quantity
                    if kind == 'production':
                        bom = pbom.bom
                        output = sum(o.quantity for o in bom.outputs
                            if o.product == product)
                        for input_ in bom.inputs:
                            dependent[input_.product.id][date] += (
                                input_.unit.ceil(
                                    input_.quantity * quantity / output))
    return sorted(result)


def run(args):
    from tools.pgcluster import Cluster
    from tools.server import Server
    count_statements()
    # the code measured is the code loaded now
    args.revision = revision()
    cluster = None
    if args.uri:
        uri, database, load_time = args.uri, args.database, None
    else:
        cluster = Cluster(fsync=True)
        uri = cluster.start()
        database = 'bench_mrp_%s' % args.size.lower()
    server = Server(database, MODULES, uri=uri, languages=('en',))
    lines = []
    try:
        if cluster:
            start = time.monotonic()
            server.build()
            log("built in %.0fs" % (time.monotonic() - start))
            from data import dataset
            start = time.monotonic()
            dataset.load(args.size, database, uri=uri, seed=args.seed)
            load_time = time.monotonic() - start
            log("loaded in %.0fs" % load_time)
        else:
            from trytond import config
            config.set('database', 'uri', uri)
            from trytond.pool import Pool
            Pool.start()
            Pool(database).init()
        if not args.prepared:
            prepare_data(database)
        import psycopg
        with psycopg.connect(uri.rstrip('/') + '/' + database,
                autocommit=True) as connection:
            connection.execute('ANALYZE')
        lines += report(database, args, load_time)
        if args.rpc:
            # beside the other figures, before the explanation
            at = lines.index(COMPARED)
            lines[at:at] = report_rpc(server, database, args)
    finally:
        try:
            server.stop()
        except Exception:
            pass
        if cluster and args.keep:
            log("kept: --uri %s --database %s --prepared" % (uri, database))
        elif cluster:
            cluster.stop()
    output = args.output or RESULTS
    os.makedirs(os.path.dirname(output), exist_ok=True)
    with open(output, 'w') as fp:
        fp.write('\n'.join(lines) + '\n')
    print('\n'.join(lines))


def report(database, args, load_time):
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    with Transaction().start(database, 0, readonly=True):
        pool = Pool()
        Company = pool.get('company.company')
        Location = pool.get('stock.location')
        User = pool.get('res.user')
        company, = Company.search([], limit=1)
        warehouse, = Location.search([('type', '=', 'warehouse')], limit=1)
        admin, = User.search([('login', '=', 'admin')])
        company, warehouse, admin = company.id, warehouse.id, admin.id
    context = {'company': company}
    args.warehouse = warehouse

    # ours: the whole run in the server process
    ours, counts = plan_ours(database, 0, context, warehouse,
        keep=read_suggestions)
    _, t_ours, s_ours, m_ours = median_of(
        lambda: plan_ours(database, 0, context, warehouse), args.runs)
    rss_ours = dict(RSS)
    log("ours %.3fs, %s statements, %.1f MiB traced, RSS %.0f MiB before, "
        "%.0f MiB peak" % (t_ours, s_ours, m_ours, rss_ours['before'],
            rss_ours['peak']))
    if args.profile:
        profile(database, context, warehouse)
    planner, t_lower, s_lower, m_lower, t_load, s_load = lower_bound(
        database, context, warehouse, args.runs)
    log("lower bound %.3fs" % t_lower)
    lower = sorted(key_of(s) for s in planner.suggestions)
    codes = planner.low_level_codes(
        set(planner.demands) | set(planner.receipts))
    order = sorted(codes, key=lambda p: (codes[p], p))
    level0 = [p for p in order if codes[p] == 0]
    sample = level0[:args.sample]
    naive, t_naive, s_naive, _ = median_of(
        lambda: naive_plan(database, admin, context, warehouse, sample), 0)
    log("naive %.1fs for %s products" % (t_naive, len(sample)))
    if args.native:
        totals, daily, t_native, s_native, n_native = native_supply(
            database, admin, context, warehouse)
        log("native %.1fs" % t_native)

    # numbers first
    assert ours == lower, 'the lower bound differs from ours: %s' % (
        set(ours) ^ set(lower))
    sampled = set(sample)
    ours_sample = [k for k in ours if k[0] in sampled]
    assert naive == ours_sample, 'the naive loop differs from ours: %s' % (
        set(naive) ^ set(ours_sample))
    ours_totals = defaultdict(float)
    ours_daily = defaultdict(float)
    today = planner.date
    for product, kind, need, _, quantity in ours:
        ours_totals[kind, product] += quantity
        if kind == 'production' and codes[product] == 0:
            day = need - dt.timedelta(days=1) if need > today else today
            ours_daily[product, day] += quantity
    ours_totals = dict(ours_totals)
    if args.native:
        differ = {k: (ours_totals.get(k), totals.get(k))
            for k in set(ours_totals) | set(totals)
            if round(ours_totals.get(k, 0), 6)
            != round(totals.get(k, 0), 6)}
        assert not differ, 'native differs from ours (kind, product): ' \
            '(ours, native) %s' % dict(list(differ.items())[:20])
        native_daily = {
            k: v for k, v in daily.items() if codes.get(k[0]) == 0}
        assert dict(ours_daily) == native_daily, \
            'native differs from ours on the finished goods day by day'

    kinds = defaultdict(int)
    for _, kind, _, _, _ in ours:
        kinds[kind] += 1
    levels = max(codes.values()) + 1
    scale = len(codes) / len(sample)
    n_pegs = counts['production.mrp.peg']
    n_balances = counts['production.mrp.balance']
    if args.native:
        checked = ('ours and the wizard identical totals per product and '
            'kind (%s products with a production request or a purchase '
            'request; %s production requests, %s purchase requests) and '
            'identical finished goods day by day (checked).' % (
                len(totals), n_native[0], n_native[1]))
        native_row = ('| native: Supply Stock wizard (1 run) | %.1f s | %s '
            '| | %.0f× |' % (t_native, s_native, t_native / t_lower))
        faster = ('ours is %.0f× faster than the Supply Stock wizard and '
            '%.0f× faster than the naive loop, %.1f× the lower bound.' % (
                t_native / t_ours, t_naive * scale / t_ours,
                t_ours / t_lower))
    else:
        checked = ('Tryton\'s Supply Stock wizard was not run '
            '(`--no-native`): it took 333 s on M, and on L (5× the '
            'products, 10× the moves and sales) it would take hours (it '
            'repeats purchase and production requests until nothing new is '
            'created, computing the projected stock of the products again '
            'at each pass); this run makes no comparison with it.')
        native_row = ('| native: Supply Stock wizard | not run '
            '(`--no-native`) | | | |')
        faster = ('ours is %.0f× faster than the naive loop, %.1f× the '
            'lower bound.' % (t_naive * scale / t_ours, t_ours / t_lower))
    rss = ('Resident memory of the bench process (the server process: '
        'ours runs in it): %.0f MiB before the timed runs of ours (the '
        'pool, the caches%s), %.0f MiB at the peak of a run (%s), so '
        '%.0f MiB taken by a run at most; the peak memory of the table is '
        'tracemalloc\'s, Python allocations during one more run.' % (
            rss_ours['before'],
            ', and what the dataset\'s load left in this process'
            if load_time else '', rss_ours['peak'], rss_ours['how'],
            rss_ours['peak'] - rss_ours['before']))
    return [
        '# production_mrp benchmark (M1)',
        '',
        'Dataset %s (seed %s)%s; PostgreSQL 15 (fsync on), %s runs after a '
        'warm-up, median, `PYTHONOPTIMIZE=1`; load average %s at the start '
        'of the report; production_mrp at %s.  `python -m '
        'bench.bench_production_mrp --size %s`.'
        % (args.size, args.seed,
            ', loaded in %.0f s' % load_time if load_time else '',
            args.runs, ', '.join('%.1f' % l for l in os.getloadavg()),
            args.revision, args.size),
        '',
        '## M1 full MRP run of the warehouse, suggestions written',
        '',
        '%s products planned over %s low-level codes, %s suggestions (%s), '
        '%s pegs, %s exceptions, %s rows of the time-phased plan; horizon '
        '%s days.  Ours, the lower bound and the naive loop (on its '
        'sample) give identical suggestions (checked)%s %s' % (
            len(codes), levels, len(ours),
            ', '.join('%s %s' % (v, k) for k, v in sorted(kinds.items())),
            n_pegs, counts['production.mrp.exception'], n_balances,
            HORIZON, ';' if args.native else '.', checked),
        '',
        '| way | median | statements | peak memory | vs lower bound |',
        '|---|---|---|---|---|',
        '| ours (production.mrp.run.plan in the server, written) | %.3f s '
        '| %s | %.1f MiB | %.1f× |' % (t_ours, s_ours, m_ours,
            t_ours / t_lower),
        native_row,
        '| naive ORM loop (%s products, ×%.0f; 1 run) | %.1f s | %.0f | '
        '| %.0f× |' % (len(sample), scale, t_naive * scale,
            s_naive * scale, t_naive * scale / t_lower),
        '| lower bound (Planner.plan() on the data loaded in memory) '
        '| %.3f s | %s | %.1f MiB | 1× |' % (
            t_lower, s_lower, m_lower),
        '| build_planner alone (what a run reads; part of ours, not of '
        'the lower bound; 1 run) | %.3f s | %s | | |' % (t_load, s_load),
        '',
        rss,
        '',
        faster,
        '',
        COMPARED,
        '',
        ]


def revision():
    "The last commit of addons/production_mrp (+ if the tree differs)"
    import subprocess
    try:
        commit = subprocess.run(['git', 'log', '-1', '--format=%h', '--',
                'addons/production_mrp'], cwd=ROOT, capture_output=True,
            text=True, check=True).stdout.strip()
        dirty = subprocess.run(['git', 'status', '--porcelain', '--',
                'addons/production_mrp', 'addons/production_kitting'],
            cwd=ROOT, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return 'an unknown commit'
    return '%s%s' % (commit, ' (with uncommitted changes)' if dirty else '')


def profile(database, context, warehouse):
    "Print where the time of one run goes (cProfile, stderr)"
    import cProfile
    import io
    import pstats
    profiler = cProfile.Profile()
    profiler.enable()
    plan_ours(database, 0, context, warehouse)
    profiler.disable()
    for sort in ['cumulative', 'tottime']:
        stream = io.StringIO()
        pstats.Stats(profiler, stream=stream).sort_stats(sort).print_stats(
            40)
        print(stream.getvalue(), file=sys.stderr)


def report_rpc(server, database, args):
    "ours over JSON-RPC: each call commits a run (it replaces the last)"
    server.start()
    session = server.jsonrpc('admin', 'admin')
    method = 'model.production.mrp.run.plan'
    session(method, args.warehouse, HORIZON, None)
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        session(method, args.warehouse, HORIZON, None)
        times.append(time.perf_counter() - start)
    return [
        '| way | median |',
        '|---|---|',
        '| ours over JSON-RPC (session; each call commits its run and '
        'replaces the proposed suggestions of the last) | %.3f s |' % (
            statistics.median(times)),
        '',
        ]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--size', default='S')
    parser.add_argument('--runs', type=int, default=3)
    parser.add_argument('--sample', type=int, default=5)
    parser.add_argument('--seed', type=int, default=42)
    parser.add_argument('--keep', action='store_true',
        help="keep the PostgreSQL cluster and print how to reuse it")
    parser.add_argument('--uri', help="reuse a kept cluster")
    parser.add_argument('--database', help="reuse a kept database")
    parser.add_argument('--prepared', action='store_true',
        help="the kept database has the comparison setting already")
    parser.add_argument('--no-rpc', dest='rpc', action='store_false')
    parser.add_argument('--no-native', dest='native', action='store_false',
        help="leave out Tryton's Supply Stock wizard (hours on L)")
    parser.add_argument('--profile', action='store_true',
        help="print a cProfile of one run of ours on stderr")
    parser.add_argument('--output', help="instead of %s" % RESULTS)
    run(parser.parse_args())


if __name__ == '__main__':
    main()
