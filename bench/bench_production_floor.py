# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""SC1: a scan round trip of the floor app, 16 phones at once
(BENCHMARKS.md: ≤ 150 ms p95 over JSON-RPC).

    PYTHONOPTIMIZE=1 .venv/bin/python -m bench.bench_production_floor \\
        --size M [--hosts 1 --workers 4] [--clients 16] [--scans 10]
    .venv/bin/python -m bench.bench_production_floor \\
        --url http://127.0.0.1:8000 --database zhizao_demo \\
        [--login storekeeper --password zhizao2026] [--clients 16]
        [--scans 40] [--json FILE]

With --size: a throwaway PostgreSQL 15 loaded with dataset M
(data/dataset.py: 20,000 products, 500,000 moves), 20 components in stock
and 50 waiting orders picked by slips (the P1 data of
bench_production_picking), served by H gunicorn masters of W trytond
workers behind nginx (tools/scaleout.py); in the same run, the same
scans made the naive way: a client without the floor's method composes
the same answer from generic ORM calls (search the order, read it and its
moves, read the stock of each component at the picking location, search
the code as product and lot, read the stock per storage location), as sao
would.  With --url: against a running server (the demo).

Each client logs in over JSON-RPC as the phone does and
repeats what a picker scans, one call after the other: the order
(production.floor.scan 'pick' with its number), then a lot or product of
what is left, and a stock look-up of that lot.  The orders are the open
ones (waiting, assigned, running) with something left to pick.  Reported: the
latency of each kind of scan (median, p95, max) and the scans per second
of all clients together; a single client alone is measured in the same run
for comparison.  Nothing is posted.
"""
import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict

from tools.server import JSONRPC, RPCError

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, 'bench', 'results', 'production_floor.md')
DATABASE = 'bench_production_floor'
MODULES = ['production_floor', 'production_kitting', 'production_reporting']
ORDERS = 50
# the storage locations a naive stock look-up reads one by one, at most
NAIVE_LOCATIONS = 20


def targets(rpc, limit=50):
    "[(order number, id, code of a line)] to scan"
    ids = rpc('model.production.search', [
            ('state', 'in', ['waiting', 'assigned', 'running']),
            ('picking_method', '=', 'slip'),
            ], 0, limit, [('id', 'ASC')])
    result = []
    for production in rpc('model.production.read', ids, ['number']):
        try:
            order = rpc('model.production.floor.scan', 'pick',
                production['number'], None)
        except RPCError:
            continue
        for row in order['rows']:
            lots = [l['number'] for l in row['lots']
                if l['number'] and l['released']]
            code = lots[0] if lots else (
                None if row['lot_required'] else row['code'])
            if code:
                result.append((production['number'], production['id'], code))
                break
    return result


def ours(rpc, kind, number, production, code):
    "One scan of the floor app: one call"
    if kind == 'order':
        return rpc('model.production.floor.scan', 'pick', number, None)
    elif kind == 'line':
        return rpc('model.production.floor.scan', 'pick', code, production)
    return rpc('model.production.floor.scan', 'stock', code, None)


def naive(rpc, kind, number, production, code):
    "The same answer from generic ORM calls, as a client would compose it"
    if kind == 'order':
        return _naive_order(rpc, number)
    products = rpc('model.product.product.search',
        [('code', '=', code)], 0, 1, None)
    lots = rpc('model.stock.lot.search', [('number', '=', code)],
        0, None, None)
    if kind == 'line':
        left, location = _naive_order(rpc, number)
        return [p for p in products + lots if p in left]
    locations = rpc('model.stock.location.search',
        [('type', '=', 'storage')], 0, NAIVE_LOCATIONS, None)
    return [rpc('model.product.product.read', products, ['quantity'],
            context={'locations': [l]}) for l in locations]


def _naive_order(rpc, number):
    ids = rpc('model.production.search', [('number', '=', number)],
        0, 1, None)
    order, = rpc('model.production.read', ids,
        ['inputs', 'warehouse', 'state'])
    warehouse, = rpc('model.stock.location.read', [order['warehouse']],
        ['storage_location'])
    order['picking_location'] = warehouse['storage_location']
    left = defaultdict(float)
    for move in rpc('model.stock.move.read', order['inputs'],
            ['product', 'quantity', 'state']):
        if move['state'] not in {'done', 'cancelled'}:
            left[move['product']] += move['quantity']
    for product in left:
        rpc('model.product.product.read', [product],
            ['rec_name', 'code', 'quantity'],
            context={'locations': [order['picking_location']]})
    return left, order['picking_location']


def client(args, work, latencies, errors, barrier, way=ours):
    rpc = JSONRPC(args.url, args.database, args.login, args.password)
    barrier.wait()
    for i in range(args.scans):
        number, production, code = work[i % len(work)]
        for kind in ['order', 'line', 'stock']:
            start = time.perf_counter()
            try:
                way(rpc, kind, number, production, code)
            except RPCError as error:
                errors.append(str(error)[:200])
            latencies[kind].append(time.perf_counter() - start)
            # a worker's next scan: at once, or args.pace after this one
            time.sleep(max(start + args.pace - time.perf_counter(), 0))


def run(args, work, clients, way=ours):
    latencies = {'order': [], 'line': [], 'stock': []}
    errors = []
    barrier = threading.Barrier(clients + 1)
    threads = [threading.Thread(target=client,
            args=(args, work, latencies, errors, barrier, way))
        for _ in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - start
    every = [x for values in latencies.values() for x in values]
    return {
        'way': way.__name__,
        'clients': clients,
        'pace_s': args.pace,
        'load_average': [round(x, 1) for x in os.getloadavg()],
        'scans': len(every),
        'errors': len(errors),
        'first_error': errors[0] if errors else None,
        'scans_per_second': round(len(every) / seconds, 1),
        'all': summary(every),
        **{kind: summary(values) for kind, values in latencies.items()},
        }


def summary(values):
    values = sorted(values)
    if not values:
        return {}
    p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
    return {'median_ms': round(statistics.median(values) * 1000, 1),
        'p95_ms': round(p95 * 1000, 1),
        'max_ms': round(values[-1] * 1000, 1)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--size', help="build a database of this dataset "
        "(M) on a throwaway PostgreSQL instead of --url")
    parser.add_argument('--hosts', type=int, default=1)
    parser.add_argument('--workers', type=int, default=4,
        help="trytond workers per gunicorn master (with --size)")
    parser.add_argument('--runs', type=int, default=3,
        help="measured runs of each way (with --size)")
    parser.add_argument('--url', default='http://127.0.0.1:8000')
    parser.add_argument('--database')
    parser.add_argument('--login', default='storekeeper')
    parser.add_argument('--password', default='zhizao2026')
    parser.add_argument('--clients', type=int, default=16)
    parser.add_argument('--scans', type=int, default=40)
    parser.add_argument('--profile', type=int, default=20,
        help="scans of each kind timed in one process (with --size)")
    parser.add_argument('--pace', type=float, default=0,
        help="seconds from one scan of a client to its next (0: at once)")
    parser.add_argument('--paced', type=float, default=1.0,
        help="with --size, also measure with this pace")
    parser.add_argument('--compare', metavar='REV',
        help="with --size, also time the scans in process with the "
        "floor.py of git revision REV against the working tree, "
        "alternated in the same process (answers compared on every order)")
    parser.add_argument('--in-process-only', action='store_true',
        help="with --size, no JSON-RPC runs")
    parser.add_argument('--json')
    args = parser.parse_args()
    if args.size:
        result = on_dataset(args)
    else:
        result = measure(args)
    text = json.dumps(result, indent=2, ensure_ascii=False)
    print(text)
    if args.json:
        with open(args.json, 'w') as fp:
            fp.write(text)


def measure(args, ways=(ours,), runs=1):
    rpc = JSONRPC(args.url, args.database, args.login, args.password)
    work = targets(rpc)
    if not work:
        sys.exit("no open order with something left to pick, coded and "
            "in stock")
    # warm-up: the server's caches
    for way in ways:
        run(argparse.Namespace(**{**vars(args), 'scans': 3, 'pace': 0}),
            work, 2, way)
    result = {'orders': len(work), 'runs': []}
    paces = sorted({args.pace, args.paced if args.size else args.pace})
    for _ in range(runs):
        for pace in paces:
            paced = argparse.Namespace(**{**vars(args), 'pace': pace})
            for way in ways:
                if not pace:
                    result['runs'].append(run(paced, work, 1, way))
                result['runs'].append(run(paced, work, args.clients, way))
    concurrent = [r for r in result['runs']
        if r['way'] == 'ours' and r['clients'] == args.clients
        and r['pace_s'] == args.pace]
    result['sc1_met'] = all(
        r['all'].get('p95_ms', 1e9) <= 150 for r in concurrent)
    return result


def profile(env, work, scans, top=12):
    """One scan of each kind in this process (a transaction each, as the
    dispatcher runs it): median ms, SQL statements, the top functions by
    cumulative time under cProfile"""
    import cProfile
    import io
    import pstats

    from bench.bench_production_reporting import STATEMENTS
    _count_statements()
    number, production, code = work
    result = {}
    for kind in ['order', 'line', 'stock']:
        params = {'order': ['pick', number, None],
            'line': ['pick', code, production],
            'stock': ['stock', code, None]}[kind]

        def scan(pool, params=params):
            return pool.get('production.floor').scan(*params)
        env.call(scan, readonly=True)
        times = []
        for _ in range(scans):
            start = time.perf_counter()
            env.call(scan, readonly=True)
            times.append(time.perf_counter() - start)
        STATEMENTS[0] = 0
        profiler = cProfile.Profile()
        profiler.enable()
        env.call(scan, readonly=True)
        profiler.disable()
        statements = STATEMENTS[0]
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats('cumulative').print_stats(r'/(trytond|addons)/', top)
        result[kind] = {'median_ms': round(
                statistics.median(times) * 1000, 1),
            'statements': statements,
            'profile': out.getvalue().splitlines()[-top - 2:]}
        print(kind, result[kind]['median_ms'], 'ms', statements,
            'statements', file=sys.stderr, flush=True)
    return result


def _count_statements(counting=[]):
    """Count the statements sent by psycopg, once in the process (a second
    count_statements would count each statement twice)"""
    from bench.bench_production_reporting import count_statements
    if not counting:
        count_statements()
        counting.append(True)


def floor_methods(source=None):
    """{name: method} of the floor's Floor class: of the working tree, or
    of source (the text of another floor.py, loaded beside it)"""
    import importlib.util
    import types

    from trytond.modules.production_floor import floor
    module = floor
    if source is not None:
        name = 'trytond.modules.production_floor.floor_compared'
        module = importlib.util.module_from_spec(
            importlib.util.spec_from_loader(name, loader=None))
        module.__package__ = 'trytond.modules.production_floor'
        exec(compile(source, name, 'exec'), module.__dict__)
    return {k: v for k, v in vars(module.Floor).items()
        if not k.startswith('__') and isinstance(
            v, (classmethod, staticmethod, types.FunctionType))}


def compare(env, work, rev, scans):
    """The scans of the first order timed (wall and process CPU, median)
    with the Floor methods of rev and of the working tree, alternated in
    this process; the order, line and stock answers of every order compared"""
    import subprocess

    from trytond.modules.production_floor.floor import Floor

    from bench.bench_production_reporting import STATEMENTS
    _count_statements()
    source = subprocess.check_output(['git', '-C', ROOT, 'show',
            rev + ':addons/production_floor/floor.py'])
    versions = {'before': floor_methods(source), 'after': floor_methods()}

    def scan(pool, version, params):
        for name, method in versions[version].items():
            setattr(Floor, name, method)
        return pool.get('production.floor').scan(*params)
    different = sum(len({json.dumps(env.call(scan, v, p, readonly=True),
                        sort_keys=True, default=str) for v in versions}) > 1
        for w in work for p in _scan_params(w).values())
    result = {'revision': rev, 'answers': 3 * len(work),
        'different': different}
    for kind, params in _scan_params(work[0]).items():
        times = defaultdict(list)
        for i in range(scans):
            for version in sorted(versions, reverse=bool(i % 2)):
                STATEMENTS[0] = 0
                wall, cpu = time.perf_counter(), time.process_time()
                env.call(scan, version, params, readonly=True)
                times[version].append((time.perf_counter() - wall,
                        time.process_time() - cpu, STATEMENTS[0]))
        result[kind] = {v: {'median_ms': _median_ms(t, 0),
                'cpu_ms': _median_ms(t, 1), 'statements': t[-1][2]}
            for v, t in times.items()}
    scan_after = versions['after']
    for name, method in scan_after.items():
        setattr(Floor, name, method)
    result['load'] = os.getloadavg()
    print(json.dumps(result), file=sys.stderr, flush=True)
    return result


def _scan_params(target):
    number, production, code = target
    return {'order': ['pick', number, None],
        'line': ['pick', code, production],
        'stock': ['stock', code, None]}


def _median_ms(times, index):
    return round(statistics.median(t[index] for t in times) * 1000, 1)


def codes(pool, data):
    "The codes printed on the components' labels (Tryton sets the code)"
    Product = pool.get('product.product')
    products = Product.browse(data['components'])
    for i, product in enumerate(products, 1):
        product.suffix_code = 'FLOOR-C%02d' % i
    Product.save(products)


def ready_modules_only():
    """Pool.start in this process registers every module installed: leave
    out the modules of the checkout without a tryton.cfg yet (one being
    written next to ours)"""
    from trytond import modules, tools
    get_modules = modules.get_modules

    def ready(name):
        try:
            tools.file_open(os.path.join(name, 'tryton.cfg')).close()
        except OSError:
            return False
        return True

    def get_ready_modules(with_test=False):
        return {m for m in get_modules(with_test=with_test)
            if m in {'ir', 'res', 'tests'} or ready(m)}
    modules.get_modules = get_ready_modules


def on_dataset(args):
    """Dataset M on a throwaway PostgreSQL, the P1 orders picked by slips,
    served by gunicorn workers behind nginx: ours and naive"""
    from bench import bench_production_picking as picking
    from data import dataset
    from tools.pgcluster import Cluster
    from tools.scaleout import ScaleOut
    from tools.server import ADMIN_PASSWORD, Server
    ready_modules_only()
    cluster = Cluster(fsync=True)
    uri = cluster.start()
    os.environ['TRYTOND_DATABASE__URI'] = uri
    # the dataset finds its units by their English names: the database in
    # English, with the shared cache of config/trytond-multiprocess.conf
    server = Server(DATABASE, MODULES, uri=uri,
        workdir=tempfile.mkdtemp(prefix='bench-floor-'), languages=('en',),
        extra_config={'cache.clean_timeout': '0'})
    target = None
    try:
        start = time.monotonic()
        server.build()
        dataset.load(args.size, DATABASE, uri=uri)
        env = picking.Env(DATABASE)
        if env.company is None:
            env.call(picking.ensure_company)
            env = picking.Env(DATABASE)
        data = env.call(picking.setup)
        env.call(codes, data)
        env.call(picking.make_orders, data, ORDERS, 'slip')
        picking.analyze(uri, DATABASE)
        loaded = time.monotonic() - start
        print("loaded in %.0f s" % loaded, file=sys.stderr, flush=True)
        target = ScaleOut(server, hosts=args.hosts, workers=args.workers,
            cron=False, worker=False).start()
        args.url, args.database = target.url, DATABASE
        args.login, args.password = 'admin', ADMIN_PASSWORD
        work = targets(target.jsonrpc('admin', ADMIN_PASSWORD))
        if not work:
            sys.exit("no order to scan")
        in_process = profile(env, work[0], args.profile)
        if args.compare:
            in_process['compare'] = compare(env, work, args.compare,
                args.profile)
        result = {} if args.in_process_only else measure(
            args, ways=(ours, naive), runs=args.runs)
        result['in_process'] = in_process
        result.update(size=args.size, load_seconds=round(loaded),
            topology='%d gunicorn x %d trytond workers behind nginx, '
            'PostgreSQL 15 on loopback' % (args.hosts, args.workers),
            cpus=os.cpu_count())
        return result
    finally:
        if target:
            target.stop()
        cluster.stop()


if __name__ == '__main__':
    main()
