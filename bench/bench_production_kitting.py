# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""K1, K2, S1 of BENCHMARKS.md for production_kitting

    .venv/bin/python -m bench.bench_production_kitting [--size S] [--runs 5]

A throwaway PostgreSQL 15, a database with production_kitting built by
trytond-admin, the seeded dataset of data/dataset.py, then, in one run:

- K1 buildable quantity of every finished good in open sales orders:
  ``ours`` (production.kitting.buildable: a few set-based queries and the
  in-memory engine), ``native`` (Tryton's way: products_by_location for the
  stock, BOMs walked through the ORM, same arithmetic), ``naive`` (one ORM
  call per product and per BOM node, stock asked product by product; on a
  sample, extrapolated) and ``lower bound`` (the engine alone on data
  already in memory).  All must give identical numbers before any time
  counts.
- K2 ATP of all open sales lines (``ours``; ``lower bound`` = the
  allocation alone on preloaded data).
- S1 shortage of one production order, in the server and over XML-RPC.

Each figure is the median of --runs runs after a warm-up, with the number
of SQL statements of one run and the peak Python memory (tracemalloc) of one
run.  Results go to bench/results/production_kitting.md.
"""
import argparse
import os
import statistics
import sys
import time
import tracemalloc

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, 'bench', 'results', 'production_kitting.md')
STATEMENTS = [0]


def count_statements():
    "Count the statements sent by psycopg"
    import psycopg
    original = psycopg.Cursor.execute

    def execute(self, *args, **kwargs):
        STATEMENTS[0] += 1
        return original(self, *args, **kwargs)
    psycopg.Cursor.execute = execute


def measure(function, runs):
    """Return (result, median seconds, statements, peak MiB)

    runs=0: one run only, without warm-up nor memory (the slow ways)"""
    if not runs:
        STATEMENTS[0] = 0
        start = time.perf_counter()
        result = function()
        return result, time.perf_counter() - start, STATEMENTS[0], None
    result = function()  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    STATEMENTS[0] = 0
    tracemalloc.start()
    function()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, statistics.median(times), STATEMENTS[0], peak / 2 ** 20


# Tryton's native way and the naive loop
def native_buildable(product_ids, warehouse_id):
    "products_by_location for the stock, the BOMs walked through the ORM"
    engine = native_engine(product_ids, warehouse_id)
    return {p: engine.buildable(p) for p in product_ids}


def native_engine(product_ids, warehouse_id):
    "The engine filled the Tryton way: ORM BOM walk, products_by_location"
    from trytond.modules.production_kitting.engine import (
        Engine, Line, Substitute)
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    pool = Pool()
    Product = pool.get('product.product')
    Uom = pool.get('product.uom')
    Kitting = pool.get('production.kitting')
    boms, seen = {}, set()
    frontier = Product.browse(product_ids)
    products = {}
    while frontier:
        following = []
        for product in frontier:
            if product.id in seen:
                continue
            seen.add(product.id)
            products[product.id] = product
            pbom = product.get_bom()
            if not pbom:
                continue
            bom = pbom.bom
            output = sum(Uom.compute_qty(o.unit, o.quantity,
                    product.default_uom, round=False)
                for o in bom.outputs if o.product == product)
            lines = []
            for input_ in bom.inputs:
                for line, quantity in input_.lines_for_quantity(
                        input_.quantity):
                    child = line.product
                    factor = Uom.compute_qty(
                        line.unit, 1, child.default_uom, round=False)
                    subs = [Substitute(s.product.id, s.ratio,
                            Uom.compute_qty(line.unit, 1,
                                s.product.default_uom, round=False))
                        for s in line.substitutes]
                    lines.append(Line(child.id, quantity / output,
                            line.unit.rounding, factor, subs))
                    following.append(child)
                    following.extend(s.product for s in line.substitutes)
            boms[product.id] = lines
        frontier = following
    locations = free_locations(warehouse_id)
    with Transaction().set_context(free_stock_context()):
        quantities = Product.products_by_location(
            locations, with_childs=False,
            grouping_filter=(list(products),))
    stock = {}
    for (_, product), quantity in quantities.items():
        stock[product] = stock.get(product, 0) + quantity
    engine = Engine(boms, stock,
        {p: v.default_uom.rounding for p, v in products.items()})
    engine.locations = locations
    assert Kitting  # same module, same arithmetic
    return engine


def free_stock_context():
    """Tryton's context for free stock as the module defines it: done moves
    and the assigned outgoing ones, at today (without stock_date_end,
    products_by_location forecasts every planned move up to date.max)"""
    from trytond.pool import Pool
    return {
        'stock_assign': True,
        'stock_date_end': Pool().get('ir.date').today(),
        }


def free_locations(warehouse_id):
    "The warehouse's storage tree without its quarantine locations"
    from trytond.pool import Pool
    Location = Pool().get('stock.location')
    quarantine = set(Location.quarantine_locations())
    return [l.id for l in Location.search([
                ('parent', 'child_of',
                    [Location(warehouse_id).storage_location.id]),
                ]) if l.id not in quarantine]


def open_sale_lines_domain(warehouse, products):
    "The domain of the open sales lines of products shipped from warehouse"
    return [
        ('sale.state', 'in', ['quotation', 'confirmed', 'processing']),
        ('sale.warehouse', '=', warehouse),
        ('type', '=', 'line'),
        ('product', 'in', list(products)),
        ]


def sale_line_key(line, today):
    "The order in which the lines are served"
    return (line.shipping_date or today, line.sale.id,
        line.sequence or 0, line.id)


def native_atp(sales, warehouse_id):
    """Sale lines through the ORM (search, shipping date and quantity per
    record), engine filled the Tryton way, planned receipts by an ORM
    search, lines served in date order"""
    from trytond.pool import Pool
    pool = Pool()
    Kitting = pool.get('production.kitting')
    SaleLine = pool.get('sale.line')
    Move = pool.get('stock.move')
    Date = pool.get('ir.date')
    today = Date.today()
    asked = [l for s in sales for l in s.lines
        if l.type == 'line' and l.product
        and l.product.type in {'goods', 'assets'}]
    products = {l.product.id for l in asked}
    lines = set(SaleLine.search(
            open_sale_lines_domain(warehouse_id, products)))
    lines.update(asked)
    keys = {l: sale_line_key(l, today) for l in lines}
    asked_ids = {l.id for l in asked}
    last = max(keys[l][0] for l in asked)
    order = sorted(k for k in keys.values()
        if k[0] <= last or k[3] in asked_ids)
    by_id = {l.id: l for l in lines}
    quantities = {
        i: (None, None, None, by_id[i].product.id,
            Kitting._sale_line_quantity(by_id[i]), None)
        for _, _, _, i in order}
    engine = native_engine(sorted(products), warehouse_id)
    receipts = {}
    for move in Move.search([
                ('product', 'in', list(engine.stock)),
                ('to_location', 'in', engine.locations),
                ('from_location', 'not in', engine.locations),
                ('state', 'in', ['draft', 'assigned']),
                ('planned_date', '!=', None),
                ('planned_date', '<=', last),
                ]):
        key = (move.planned_date, move.product.id)
        receipts[key] = receipts.get(key, 0) + move.internal_quantity
    return Kitting.allocate_sale_lines(engine, engine.stock, quantities,
        order, [(d, p, q) for (d, p), q in receipts.items()], asked_ids)


def naive_atp(sales, warehouse_id, sample):
    """The first sample lines in date order, one ORM call per line, per
    product and per BOM node (stock and receipts asked product by
    product)"""
    from trytond.modules.production_kitting.engine import Engine
    from trytond.pool import Pool
    pool = Pool()
    Kitting = pool.get('production.kitting')
    SaleLine = pool.get('sale.line')
    Location = pool.get('stock.location')
    Move = pool.get('stock.move')
    Date = pool.get('ir.date')
    today = Date.today()
    storage = Location(warehouse_id).storage_location.id
    locations = [l.id for l in Location.search([
                ('parent', 'child_of', [storage]),
                ])]
    free = free_locations(warehouse_id)
    products = set()
    for sale in sales:
        for line in sale.lines:
            if line.type == 'line' and line.product:
                products.add(line.product.id)
    lines = SaleLine.search(
        open_sale_lines_domain(warehouse_id, products))
    lines = sorted(lines, key=lambda l: sale_line_key(l, today))
    stock, seen, result = {}, {}, {}

    def receipts(product, start, end):
        return [m.internal_quantity for m in Move.search([
                    ('product', '=', product),
                    ('to_location', 'in', locations),
                    ('from_location', 'not in', locations),
                    ('state', 'in', ['draft', 'assigned']),
                    ('planned_date', '!=', None),
                    ('planned_date', '<=', end),
                    ] + ([('planned_date', '>', start)] if start else []))]
    for line in lines[:sample]:
        date = line.shipping_date or today
        boms, fresh, rounding = {}, {}, {}
        _naive_visit(line.product.id, boms, fresh, rounding, free)
        for product, quantity in fresh.items():
            if product not in stock:
                stock[product] = quantity
            for received in receipts(product, seen.get(product), date):
                stock[product] = max(stock[product], 0) + received
            seen[product] = date
        values = Kitting._promise(Engine(boms, {}, rounding), stock,
            line.product.id, Kitting._sale_line_quantity(line))
        values.update({'line': line.id, 'sale': line.sale.id, 'date': date})
        result[line.id] = values
    return result


def naive_buildable(product_ids, warehouse_id):
    "One ORM call per product and per BOM node, stock product by product"
    from trytond.modules.production_kitting.engine import Engine
    storage = free_locations(warehouse_id)
    result = {}
    for product_id in product_ids:
        boms, stock, rounding = {}, {}, {}
        _naive_visit(product_id, boms, stock, rounding, storage)
        result[product_id] = Engine(boms, stock, rounding).buildable(
            product_id)
    return result


def _naive_visit(pid, boms, stock, rounding, storage):
    from trytond.modules.production_kitting.engine import Line, Substitute
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    pool = Pool()
    Product = pool.get('product.product')
    ProductBOM = pool.get('product.product-production.bom')
    Input = pool.get('production.bom.input')
    if pid in rounding:
        return
    product, = Product.search([('id', '=', pid)])
    rounding[pid] = product.default_uom.rounding
    with Transaction().set_context(free_stock_context()):
        stock[pid] = sum(Product.products_by_location(
                storage, grouping_filter=([pid],)).values())
    pboms = ProductBOM.search([('product', '=', pid)], limit=1)
    if not pboms:
        return
    bom = pboms[0].bom
    output = sum(o.quantity for o in bom.outputs if o.product.id == pid)
    lines = []
    for input_ in Input.search([('bom', '=', bom.id)]):
        subs = [Substitute(s.product.id, s.ratio)
            for s in input_.substitutes]
        lines.append(Line(input_.product.id, input_.quantity / output,
                input_.unit.rounding, 1.0, subs))
        _naive_visit(input_.product.id, boms, stock, rounding, storage)
        for sub in subs:
            _naive_visit(sub.product, boms, stock, rounding, storage)
    boms[pid] = lines


def run(args):
    from tools.pgcluster import Cluster
    from tools.server import Server
    count_statements()
    cluster = None
    if args.uri:
        # a database already loaded by an earlier run (--keep)
        uri, database, load_time = args.uri, args.database, None
    else:
        cluster = Cluster(fsync=True)
        uri = cluster.start()
        database = 'bench_kitting_%s' % args.size.lower()
    lines = []
    server = Server(database, ['production_kitting', 'sale'], uri=uri,
        languages=('en',))
    try:
        if cluster:
            start = time.monotonic()
            server.build()
            print("built in %.0fs" % (time.monotonic() - start),
                file=sys.stderr)
            from data import dataset
            start = time.monotonic()
            dataset.load(args.size, database, uri=uri, seed=args.seed)
            load_time = time.monotonic() - start
            print("loaded in %.0fs" % load_time, file=sys.stderr)
            # fresh planner statistics, as autovacuum would give them later
            import psycopg
            with psycopg.connect(
                    uri.rstrip('/') + '/' + database,
                    autocommit=True) as connection:
                connection.execute('ANALYZE')
        else:
            from trytond import config
            config.set('database', 'uri', uri)
            from trytond.pool import Pool
            Pool.start()
            Pool(database).init()
        lines += report_in_process(database, args, load_time)
        lines += report_rpc(server, database, args)
    finally:
        try:
            server.stop()
        except Exception:
            pass
        if cluster and args.keep:
            print("kept: --uri %s --database %s" % (uri, database),
                file=sys.stderr)
        elif cluster:
            cluster.stop()
    output = args.output or RESULTS
    os.makedirs(os.path.dirname(output), exist_ok=True)
    with open(output, 'w') as fp:
        fp.write('\n'.join(lines) + '\n')
    print('\n'.join(lines))


def report_in_process(database, args, load_time):
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    lines = [
        '# production_kitting benchmark (K1, K2, S1)',
        '',
        'Dataset %s (seed %s)%s; PostgreSQL 15 (fsync on), %s runs '
        'after a warm-up, median, `PYTHONOPTIMIZE=1`; load average %s at '
        'the start.  `python -m bench.bench_production_kitting'
        ' --size %s`.' % (args.size, args.seed,
            ', loaded in %.0f s' % load_time if load_time else '',
            args.runs, ', '.join('%.1f' % l for l in os.getloadavg()),
            args.size),
        '',
        ]
    with Transaction().start(database, 0, readonly=True) as transaction:
        pool = Pool()
        Kitting = pool.get('production.kitting')
        SaleLine = pool.get('sale.line')
        Sale = pool.get('sale.sale')
        Production = pool.get('production')
        Location = pool.get('stock.location')
        Company = pool.get('company.company')
        company, = Company.search([], limit=1)
        warehouse, = Location.search([('type', '=', 'warehouse')], limit=1)
        with transaction.set_context(company=company.id):
            sale_lines = SaleLine.search([
                    ('sale.state', 'in',
                        ['quotation', 'confirmed', 'processing']),
                    ('type', '=', 'line'),
                    ])
            finished = sorted({l.product.id for l in sale_lines})
            lines += k1(Kitting, finished, warehouse.id, args)
            sales = Sale.search([
                    ('state', 'in', ['quotation', 'confirmed', 'processing']),
                    ])
            lines += k2(Kitting, sales, len(sale_lines), warehouse.id, args)
            production, = Production.search(
                [('state', '=', 'waiting')], limit=1, order=[('id', 'ASC')])
            result, median, statements, peak = measure(
                lambda: Kitting.shortage([production.id]), args.runs)
            short = sum(1 for l in result[production.id] if l['short'])
            lines += [
                '## S1 shortage of one production order',
                '',
                '%s components, %s short.' % (
                    len(result[production.id]), short),
                '',
                '| way | median | statements | peak memory |',
                '|---|---|---|---|',
                '| ours, in the server | %.1f ms | %s | %.1f MiB |' % (
                    median * 1000, statements, peak),
                ]
            args.production = production.id
    return lines


def k1(Kitting, finished, warehouse, args):
    ours, t_ours, s_ours, m_ours = measure(
        lambda: Kitting.buildable(finished, warehouse), args.runs)

    def cold():
        # the first call after a change of the BOM graph reads it again
        Kitting._bom_graph_cache.clear()
        return Kitting.buildable(finished, warehouse)
    cold, t_cold, s_cold, m_cold = measure(cold, args.runs)
    native, t_native, s_native, m_native = measure(
        lambda: native_buildable(finished, warehouse), max(args.runs // 2, 1))
    from trytond.modules.production_kitting.engine import Engine
    boms, products = Kitting.load_boms(finished)
    rounding = {p: v['rounding'] for p, v in products.items()}

    def lower():
        # what any way must do: read the free stock (the aggregate alone)
        # and pass over the BOM graph already in memory
        stock = Kitting.load_stock(products.keys(), warehouse)
        engine = Engine(boms, stock, rounding)
        return {p: engine.buildable(p) for p in finished}
    lower, t_lower, s_lower, m_lower = measure(lower, args.runs)
    stock, t_stock, s_stock, m_stock = measure(
        lambda: Kitting.load_stock(products.keys(), warehouse), args.runs)
    sample = finished[:args.sample]
    naive, t_naive, s_naive, m_naive = measure(
        lambda: naive_buildable(sample, warehouse), 1)
    assert ours == cold, 'cold differs'
    assert ours == native, 'native differs: %s' % {
        p: (ours[p], native.get(p)) for p in ours if ours[p] != native.get(p)}
    assert ours == lower, 'lower bound differs'
    assert all(ours[p] == naive[p] for p in sample), 'naive differs'
    scale = len(finished) / len(sample)
    total = sum(ours.values())
    return [
        '## K1 buildable quantity of the finished goods in open sales',
        '',
        '%s finished goods, Σ buildable %s; all four ways give identical '
        'numbers (checked).' % (len(finished), total),
        '',
        '| way | median | statements | peak memory | vs lower bound |',
        '|---|---|---|---|---|',
        '| ours (buildable, BOM graph cached) | %.3f s | %s | %.1f MiB | '
        '%.1f× |' % (t_ours, s_ours, m_ours, t_ours / t_lower),
        '| ours, first call after a BOM change (graph read) | %.3f s | %s '
        '| %.1f MiB | %.1f× |' % (t_cold, s_cold, m_cold, t_cold / t_lower),
        '| native (products_by_location + ORM walk) | %.3f s | %s | '
        '%.1f MiB | %.1f× |' % (
            t_native, s_native, m_native, t_native / t_lower),
        '| naive ORM loop (%s products, ×%.0f) | %.1f s | %.0f | '
        '%.1f MiB | %.0f× |' % (len(sample), scale, t_naive * scale,
            s_naive * scale, m_naive, t_naive * scale / t_lower),
        '| lower bound (free stock aggregate + engine on the graph in '
        'memory) | %.3f s | %s | %.1f MiB | 1× |' % (
            t_lower, s_lower, m_lower),
        '| of which the free stock aggregate (%s products) | %.3f s | %s | '
        '%.1f MiB | |' % (len(stock), t_stock, s_stock, m_stock),
        '',
        'ours is %.0f× faster than the naive loop and %.1f× faster than '
        'the native way, %.1f× the lower bound.  After a change to '
        'the BOM graph (a product, BOM, line, substitute or unit created, '
        'written or deleted, in any process) the first call reads the '
        'graph again: %.1f× the lower bound, %.0f× faster than the naive '
        'loop.' % (
            t_naive * scale / t_ours, t_native / t_ours, t_ours / t_lower,
            t_cold / t_lower, t_naive * scale / t_cold),
        '',
    ]


def k2(Kitting, sales, n_lines, warehouse, args):
    ours, t_ours, s_ours, m_ours = measure(
        lambda: Kitting.sale_atp(sales), args.runs)
    native, t_native, s_native, _ = measure(
        lambda: native_atp(sales, warehouse), 0)
    data = Kitting._sale_atp_data(warehouse, sales)
    engine, lines, order, receipts, asked_ids = data

    def lower():
        return Kitting.allocate_sale_lines(engine, dict(engine.stock),
            lines, order, receipts, asked_ids)
    lower, t_lower, s_lower, m_lower = measure(lower, args.runs)
    naive, t_naive, s_naive, _ = measure(
        lambda: naive_atp(sales, warehouse, args.sample_lines), 0)
    assert ours == native, 'native differs: %s' % {
        p: (ours[p], native.get(p)) for p in ours if ours[p] != native.get(p)}
    assert ours == lower, 'lower bound differs'
    assert all(ours[l] == v for l, v in naive.items()), 'naive differs'
    scale = len(ours) / len(naive)
    promised = sum(v['from_stock'] + v['from_production']
        for v in ours.values())
    short = sum(1 for v in ours.values() if v['short'])
    return [
        '## K2 ATP of all open sales lines',
        '',
        '%s lines (%s open in total), %s promised units, %s lines short; '
        'all four ways give identical numbers (checked; the naive loop on '
        'the first %s lines in date order).' % (
            len(ours), n_lines, promised, short, len(naive)),
        '',
        '| way | median | statements | peak memory | vs lower bound |',
        '|---|---|---|---|---|',
        '| ours (sale_atp) | %.3f s | %s | %.1f MiB | %.1f× |' % (
            t_ours, s_ours, m_ours, t_ours / t_lower),
        '| native (ORM lines, products_by_location + ORM walk; 1 run) '
        '| %.1f s | %s | | %.0f× |' % (
            t_native, s_native, t_native / t_lower),
        '| naive ORM loop (%s lines, ×%.0f; 1 run) | %.1f s | %.0f | '
        '| %.0f× |' % (len(naive), scale, t_naive * scale,
            s_naive * scale, t_naive * scale / t_lower),
        '| lower bound (allocation on preloaded data) | %.3f s | %s | '
        '%.1f MiB | 1× |' % (t_lower, s_lower, m_lower),
        '',
        'ours is %.0f× faster than the native way and %.0f× faster than '
        'the naive loop.' % (t_native / t_ours, t_naive * scale / t_ours),
        '',
        ]


def report_rpc(server, database, args):
    server.start()
    # a JSON-RPC session as sao opens it: XML-RPC with basic auth checks the
    # password hash at every call
    session = server.jsonrpc('admin', 'admin')
    method = 'model.production.kitting.shortage'
    session(method, [args.production])
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        session(method, [args.production])
        times.append(time.perf_counter() - start)
    proxy = server.xmlrpc('admin', 'admin')
    proxy.model.production.kitting.shortage([args.production], {})
    xml_times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        proxy.model.production.kitting.shortage([args.production], {})
        xml_times.append(time.perf_counter() - start)
    return [
        '| ours, over JSON-RPC (session) | %.1f ms | | |' % (
            statistics.median(times) * 1000),
        '| ours, over XML-RPC (basic auth each call) | %.1f ms | | |' % (
            statistics.median(xml_times) * 1000),
        '',
        'The ORM caches records in the transaction: the native way reads '
        'its BOM records from that cache after the warm-up, hence its few '
        'statements.',
        '',
        ]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--size', default='S')
    parser.add_argument('--runs', type=int, default=5)
    parser.add_argument('--sample', type=int, default=5)
    parser.add_argument('--sample-lines', type=int, default=20)
    parser.add_argument('--seed', type=int, default=42)
    parser.add_argument('--keep', action='store_true',
        help="keep the PostgreSQL cluster and print how to reuse it")
    parser.add_argument('--uri', help="reuse a kept cluster")
    parser.add_argument('--database', help="reuse a kept database")
    parser.add_argument('--output', help="instead of %s" % RESULTS)
    run(parser.parse_args())


if __name__ == '__main__':
    main()
