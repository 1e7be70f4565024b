# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""E1 of issue 20 for the BOM queries of production_bom_engineering

    PYTHONOPTIMIZE=1 .venv/bin/python -m bench.bench_production_bom_engineering
        [--size M] [--runs 5]

A throwaway PostgreSQL 15 (tools/pgcluster), a database with
production_bom_engineering built by trytond-admin, the products and BOMs
of dataset SIZE (data/dataset.py: for M 20,000 products, 2,000 finished
goods over 5 levels; stock, sales and orders are not needed and not
loaded), then seeded additions: cost prices of the raw materials, a loss
rate of 5 % on every 7th BOM line, four work centres (cost per hour and
overhead rate) and routings of one or two steps on every made product.
In one run:

- where-used (BOM反查) of the raw material used by most BOMs: ours
  (``production.bom.where_used``, one statement set per level) in the
  server and over JSON-RPC, against a naive ORM loop (one search per
  product or phantom reached, the outputs and first BOM read per BOM);
- cost roll-up (BOM成本查询) of every finished good: ours
  (``production.bom.cost_rollup``: production_kitting's BOM graph, cached
  after the first call, and one statement per price or routing table),
  cold (graph cache cleared) and warm, in the server and over JSON-RPC,
  against a naive ORM loop (per product: its BOM, outputs, inputs, cost
  price and routing through the ORM, each product once).

- E1, the mass replacement of a component in 5,000 BOMs of the dataset
  (preview and apply of an engineering change order against Tryton's
  native way and a naive loop): bench/bench_production_bom_change.py,
  run here after the queries (``--only e1``: E1 alone).

Identical results are checked before any time counts.
Results in bench/results/production_bom_engineering.md, the 1-minute load
average next to every figure (the machine is shared: compare the ratios of
one run).
"""
import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from decimal import Decimal

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
RESULTS = os.path.join(
    ROOT, 'bench', 'results', 'production_bom_engineering.md')
STATEMENTS = [0]


def count_statements():
    import psycopg
    original = psycopg.Cursor.execute

    def execute(self, *args, **kwargs):
        STATEMENTS[0] += 1
        return original(self, *args, **kwargs)
    psycopg.Cursor.execute = execute


def load():
    return os.getloadavg()[0]


def measure(function, runs):
    "Return (result, median seconds, statements of one run, load)"
    result = function()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    STATEMENTS[0] = 0
    function()
    return result, statistics.median(times), STATEMENTS[0], load()


def once(function):
    "One timed run (the slow naive loops)"
    STATEMENTS[0] = 0
    start = time.perf_counter()
    result = function()
    return result, time.perf_counter() - start, STATEMENTS[0], load()


# Set-up
def setup(size, seed):
    "Products and BOMs of the dataset, prices, loss rates and routings"
    from data.dataset import Generator
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    pool = Pool()
    BOM = pool.get('production.bom')
    Location = pool.get('stock.location')
    generator = Generator(size, seed=seed)
    company = generator.ensure_company()
    with Transaction().set_context(company=company.id):
        generator.company = company
        generator.warehouse, = Location.search(
            [('type', '=', 'warehouse')], limit=1)
        generator.create_products()
        # the dataset inserts BOMs in SQL: make them active first versions
        table = BOM.__table_handler__()
        table.db_default('state', 'active')
        table.db_default('version', 'V1')
        generator.create_boms()
        rnd = random.Random(seed)
        add_prices(generator.raws, company, rnd)
        add_loss_rates()
        add_routings(generator, company, rnd)
    pool.get('production.kitting')._bom_graph_cache.clear()
    return generator


def add_prices(raws, company, rnd):
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    CostPrice = Pool().get('product.cost_price')
    table = CostPrice.__table__()
    cursor = Transaction().connection.cursor()
    rows = [[p, company.id, Decimal(rnd.randint(100, 10000)) / 100, 0,
            dt.datetime.now()] for p in raws]
    # the products were created with the company in the context: each has
    # its cost price row already (0), replaced as the ORM would write it
    for i in range(0, len(raws), 5000):
        cursor.execute(*table.delete(
                where=table.product.in_(raws[i:i + 5000])
                & (table.company == company.id)))
    for i in range(0, len(rows), 5000):
        cursor.execute(*table.insert(
                [table.product, table.company, table.cost_price,
                    table.create_uid, table.create_date],
                rows[i:i + 5000]))


def add_loss_rates():
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    Input = Pool().get('production.bom.input')
    table = Input.__table__()
    cursor = Transaction().connection.cursor()
    cursor.execute(*table.update([table.loss_rate], [Decimal(5)],
            where=(table.id % 7) == 0))


def add_routings(generator, company, rnd):
    "Four work centres; a routing of one or two steps per made product"
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    pool = Pool()
    Center = pool.get('production.work.center')
    Operation = pool.get('production.routing.operation')
    Routing = pool.get('production.routing')
    RoutingBOM = pool.get('production.routing-production.bom')
    ProductBOM = pool.get('product.product-production.bom')
    centers = Center.create([{
                'name': 'WC-%s' % i, 'company': company.id,
                'warehouse': generator.warehouse.id, 'cost_method': 'hour',
                'cost_price': Decimal(30 + 10 * i),
                'overhead_rate': Decimal(10 * i)} for i in range(4)])
    operation, = Operation.create([{'name': 'OP'}])
    routings = Routing.create([{'name': 'R-%s' % i, 'steps': [
                    ('create', [{'operation': operation.id,
                                'work_center': centers[(i + j) % 4].id,
                                'hours': Decimal(rnd.randint(5, 50)) / 100,
                                } for j in range(1 + i % 2)])]}
            for i in range(8)])
    made = sorted(generator.bom_ids)
    by_routing = {}
    for i, product in enumerate(made):
        by_routing.setdefault(routings[i % 8].id, []).append(product)
    cursor = Transaction().connection.cursor()
    link = RoutingBOM.__table__()
    product_bom = ProductBOM.__table__()
    for routing, products in by_routing.items():
        cursor.execute(*link.insert([link.routing, link.bom],
                [[routing, generator.bom_ids[p]] for p in products]))
        cursor.execute(*product_bom.update(
                [product_bom.routing], [routing],
                where=product_bom.product.in_(products)))


# The naive ORM loops
def naive_where_used(component):
    """Where-used through the ORM: a search per product or phantom reached,
    the outputs and first BOM of each product read through the ORM"""
    from trytond.pool import Pool
    pool = Pool()
    Input = pool.get('production.bom.input')
    Product = pool.get('product.product')
    Date = pool.get('ir.date')
    today = Date.today()
    found, boms, main = {}, {}, {}
    delta = {('product', component): {component: 1.0}}
    level = 0
    while delta:
        level += 1
        above = {}
        for key, vector in delta.items():
            field = 'product' if key[0] == 'product' else 'phantom_bom'
            for input_ in Input.search([(field, '=', key[1])]):
                bom = input_.bom
                if not bom.active or not bom.valid_at(today):
                    continue
                unit = (Product(key[1]).default_uom if key[0] == 'product'
                    else input_.phantom_bom.phantom_unit)
                used = input_.quantity * (
                    1 + float(input_.loss_rate or 0) / 100) * (
                    input_.unit.factor / unit.factor)
                for up, per_unit in _naive_keys(bom, main, boms, today):
                    target = above.setdefault(up, {})
                    for c, q in vector.items():
                        target[c] = target.get(c, 0.0) + used * q / per_unit
        delta = {}
        for key, vector in above.items():
            target = found.setdefault(key, {})
            for c, q in vector.items():
                old, first = target.get(c, (0.0, level))
                target[c] = (old + q, first)
            if key[0] != 'other':
                delta[key] = vector
    return _naive_rows(found, boms)


def _naive_keys(bom, main, boms, today):
    if bom.phantom:
        if bom.phantom_quantity:
            boms[('bom', bom.id)] = (bom.id, None)
            yield ('bom', bom.id), bom.phantom_quantity
        return
    for output in bom.outputs:
        product = output.product
        if product.id not in main:
            main[product.id] = next((pb.bom.id for pb in product.boms
                    if pb.bom.active and pb.bom.valid_at(today)), None)
        per_run = output.quantity * (
            output.unit.factor / product.default_uom.factor)
        if not per_run:
            continue
        kind = 'product' if main[product.id] == bom.id else 'other'
        key = ('product', product.id) if kind == 'product' else (
            'other', bom.id, product.id)
        boms[key] = (bom.id, product.id)
        yield key, per_run


def _naive_rows(found, boms):
    from trytond.pool import Pool
    Input = Pool().get('production.bom.input')
    rows = []
    for key, vector in found.items():
        bom, product = boms[key]
        top = bool(product) and not Input.search([
                ('product', '=', product), ('bom.active', '=', True)],
            limit=1)
        for component, (quantity, level) in vector.items():
            rows.append((component, bom, product, level,
                    round(quantity, 6), top))
    return sorted(rows, key=lambda r: (r[0], r[3], r[1], r[2] or 0))


def naive_cost(product_ids):
    """The cost roll-up through the ORM, each product once: its first BOM,
    outputs, inputs, cost price and routing read through the ORM"""
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    pool = Pool()
    Product = pool.get('product.product')
    Date = pool.get('ir.date')
    company = Transaction().context['company']
    memo = {}
    today = Date.today()

    def vector(product):
        if product.id in memo:
            return memo[product.id]
        product_bom = next((pb for pb in product.boms
                if pb.bom.active and pb.bom.valid_at(today)), None)
        if product_bom is None:
            return [[product.cost_price or Decimal(0)] + [Decimal(0)] * 2]
        bom = product_bom.bom
        total = sum(o.quantity * o.unit.factor / product.default_uom.factor
            for o in bom.outputs if o.product == product)
        result = [[Decimal(0), *_naive_labour(product_bom, company)]]
        for input_ in bom.inputs:
            quantity = input_.quantity
            if input_.loss_rate:
                quantity *= 1 + float(input_.loss_rate) / 100
            quantity = quantity * (1 / total) * (
                input_.unit.factor / input_.product.default_uom.factor)
            quantity = Decimal(str(round(quantity, 9)))
            for level, row in enumerate(vector(input_.product), 1):
                if level == len(result):
                    result.append([Decimal(0)] * 3)
                for i, amount in enumerate(row):
                    result[level][i] += amount * quantity
        memo[product.id] = result
        return result
    return {p.id: vector(p) for p in Product.browse(product_ids)}


def _naive_labour(product_bom, company):
    labour = overhead = Decimal(0)
    for step in (product_bom.routing.steps if product_bom.routing else []):
        center = step.work_center
        if not center or center.company.id != company:
            continue
        amount = (step.hours or 0) * (center.cost_price or 0)
        labour += amount
        overhead += amount * (center.overhead_rate or 0) / 100
    return [labour, overhead]


def cost_signature(results):
    "{product: (total, [level totals])} of our results"
    return {r['product']: (r['total'], [l['total'] for l in r['levels']])
        for r in results}


def naive_signature(vectors):
    from trytond.modules.product import round_price
    return {p: (round_price(sum(sum(r) for r in v)),
            [round_price(sum(r)) for r in v]) for p, v in vectors.items()}


# The run
def run(args):
    from tools.pgcluster import Cluster
    from tools.server import Server
    count_statements()
    cluster = Cluster(fsync=True)
    uri = cluster.start()
    database = 'bench_bom_engineering_%s' % args.size.lower()
    # sale: the dataset's products are salable
    server = Server(database, ['production_bom_engineering', 'sale'], uri=uri,
        languages=('en',))
    try:
        start = time.monotonic()
        server.build()
        build_time = time.monotonic() - start
        lines = in_process(database, uri, args, build_time)
        if args.only != 'e1':
            lines += over_rpc(server, args)
    finally:
        try:
            server.stop()
        except Exception:
            pass
        cluster.stop()
    lines += ['', 'Load average at the end: %s.' % ', '.join(
            '%.1f' % l for l in os.getloadavg())]
    with open(args.output or RESULTS, 'w') as fp:
        fp.write('\n'.join(lines) + '\n')
    print('\n'.join(lines))


def in_process(database, uri, args, build_time):
    os.environ['TRYTOND_DATABASE__URI'] = uri
    from trytond import config
    config.set('database', 'uri', uri)
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    Pool.start()
    Pool(database).init()
    start = time.monotonic()
    with Transaction().start(database, 0, readonly=False):
        generator = setup(args.size, args.seed)
    load_time = time.monotonic() - start
    import psycopg
    with psycopg.connect(uri.rstrip('/') + '/' + database,
            autocommit=True) as connection:
        connection.execute('ANALYZE')
    lines = [
        '# production_bom_engineering benchmark (issue 20, E1)',
        '',
        'Dataset %s (seed %s): products and BOMs of data/dataset.py with '
        'cost prices, a 5 %% loss rate on every 7th BOM line and routings '
        '(bench set-up), built in %.0f s, loaded in %.0f s; PostgreSQL 15 '
        '(fsync on), median of %s runs after a warm-up, `PYTHONOPTIMIZE=%s`'
        '; load average %s at the start.  `python -m '
        'bench.bench_production_bom_engineering --size %s`.' % (
            args.size, args.seed, build_time, load_time, args.runs,
            os.environ.get('PYTHONOPTIMIZE', ''),
            ', '.join('%.1f' % l for l in os.getloadavg()), args.size),
        '',
        ]
    if args.only != 'e1':
        with Transaction().start(database, 0, readonly=True):
            pool = Pool()
            with Transaction().set_context(company=generator.company.id):
                lines += where_used(pool, args)
                print('\n'.join(lines), file=sys.stderr, flush=True)
                lines += cost(pool, generator.levels[0], args)
                print('\n'.join(lines[-8:]), file=sys.stderr, flush=True)
    if args.only in {None, 'e1'}:
        from bench.bench_production_bom_change import run_e1
        try:
            lines += run_e1(database, generator, args, STATEMENTS)
        except Exception as exception:
            import traceback
            traceback.print_exc()
            lines += ['', 'E1 failed: %r' % exception]
    return lines


def most_used_raw(pool):
    from sql.aggregate import Count
    from trytond.transaction import Transaction
    Input = pool.get('production.bom.input')
    Product = pool.get('product.product')
    Template = pool.get('product.template')
    input_ = Input.__table__()
    product = Product.__table__()
    template = Template.__table__()
    cursor = Transaction().connection.cursor()
    cursor.execute(*input_.join(product,
            condition=input_.product == product.id
            ).join(template, condition=product.template == template.id
            ).select(input_.product, Count(input_.id),
            where=template.purchasable == True,  # noqa: E712
            group_by=[input_.product],
            order_by=[Count(input_.id).desc, input_.product],
            limit=1))
    return cursor.fetchone()


def where_used(pool, args):
    BOM = pool.get('production.bom')
    raw, uses = most_used_raw(pool)
    args.raw = raw
    ours, t_ours, s_ours, l_ours = measure(
        lambda: BOM.where_used([raw]), args.runs)
    naive, t_naive, s_naive, l_naive = once(lambda: naive_where_used(raw))
    mine = [(r['component'], r['bom'], r['product'], r['level'],
            round(r['quantity'], 6), r['top']) for r in ours]
    if mine != naive:
        raise RuntimeError("where-used differs: %s rows ours, %s naive"
            % (len(mine), len(naive)))
    tops = sum(1 for r in ours if r['top'])
    args.where_used_rows = len(ours)
    return [
        '## Where-used (BOM反查) of the raw material used most',
        '',
        'Product %s, input of %s BOM lines: %s rows (BOMs and products '
        'above it, all levels), %s top products; identical in both ways.'
        % (raw, uses, len(ours), tops),
        '',
        '| way | median | statements | load |',
        '|---|---|---|---|',
        '| ours, in the server | %.1f ms | %s | %.1f |' % (
            t_ours * 1000, s_ours, l_ours),
        '| naive ORM loop, in the server (1 run) | %.1f ms | %s | %.1f |'
        % (t_naive * 1000, s_naive, l_naive),
        ]


def cost(pool, finished, args):
    BOM = pool.get('production.bom')
    Kitting = pool.get('production.kitting')
    args.finished = finished

    def cold():
        Kitting._bom_graph_cache.clear()
        return BOM.cost_rollup(finished)
    ours, t_warm, s_warm, l_warm = measure(
        lambda: BOM.cost_rollup(finished), args.runs)
    _, t_cold, s_cold, l_cold = measure(cold, args.runs)
    naive, t_naive, s_naive, l_naive = once(lambda: naive_cost(finished))
    mine, theirs = cost_signature(ours), naive_signature(naive)
    if mine != theirs:
        differ = sorted(p for p in set(mine) | set(theirs)
            if mine.get(p) != theirs.get(p))
        raise RuntimeError("cost roll-up differs from the naive loop for "
            "%s products, first %s: ours %s, naive %s (ours %.3f s)" % (
                len(differ), differ[0], mine.get(differ[0]),
                theirs.get(differ[0]), t_warm))
    total = sum(r['total'] for r in ours)
    return [
        '',
        '## Cost roll-up (BOM成本查询) of the %s finished goods' % len(
            finished),
        '',
        'At the cost price, with routing labour and overhead; the unit '
        'costs add up to %s; identical (total and every level of every '
        'product) in both ways.' % total,
        '',
        '| way | median | statements | load |',
        '|---|---|---|---|',
        '| ours, BOM graph cached (warm) | %.3f s | %s | %.1f |' % (
            t_warm, s_warm, l_warm),
        '| ours, BOM graph read again (cold) | %.3f s | %s | %.1f |' % (
            t_cold, s_cold, l_cold),
        '| naive ORM loop (1 run) | %.3f s | %s | %.1f |' % (
            t_naive, s_naive, l_naive),
        ]


def over_rpc(server, args):
    server.start()
    session = server.jsonrpc('admin', 'admin')
    lines = ['', '## Over JSON-RPC (a session as sao opens it)', '',
        '| call | median | load |', '|---|---|---|']
    for name, method, params in [
            ('where_used of the raw material (%s rows)'
                % args.where_used_rows,
                'model.production.bom.where_used', [[args.raw]]),
            ('cost_rollup of the %s finished goods' % len(args.finished),
                'model.production.bom.cost_rollup', [args.finished]),
            ]:
        session(method, *params)
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            session(method, *params)
            times.append(time.perf_counter() - start)
        lines.append('| %s | %.1f ms | %.1f |' % (
                name, statistics.median(times) * 1000, load()))
    return lines


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--size', default='M')
    parser.add_argument('--runs', type=int, default=5)
    parser.add_argument('--seed', type=int, default=42)
    parser.add_argument('--output', help="instead of %s" % RESULTS)
    parser.add_argument('--only', choices=['queries', 'e1'],
        help="where-used and cost only, or E1 only (default: both)")
    parser.add_argument('--boms', type=int, default=5000,
        help="E1: the BOMs using the replaced component")
    parser.add_argument('--naive', type=int, default=500,
        help="E1: the BOMs of the naive apply loop")
    parser.add_argument('--e1-runs', dest='e1_runs', type=int, default=3)
    run(parser.parse_args())


if __name__ == '__main__':
    main()
