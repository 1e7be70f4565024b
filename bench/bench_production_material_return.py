# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""R1: material returns over JSON-RPC (BENCHMARKS.md).

    .venv/bin/python -m bench.bench_production_material_return [--runs 3]

A throwaway PostgreSQL 15 and a real trytond on 127.0.0.1.  Each committed
return is a `create` of a draft return with one line and its `submit` (the
locked, checked step).  Variants measured in the same run, median of the
runs after a warm-up:

- spread: 16 clients, each on its own running order;
- contended: 16 clients on one order with fewer units than tries;
- naive: one client doing the same returns one after the other;
- shipment: the same 16 clients, in the same JSON-RPC sessions, each doing
  Tryton's own internal shipment of the same product, lot and unit (one
  move, from a storage location on the workshop's line side to the
  warehouse storage) and its workflow to done: `create`, `wait`,
  `assign_force` (or `assign_try` with ``--shipment-assign try``), `do`.
  R1 is the ratio spread returns/s over shipments/s (target >= 0.8).

Then both operations run in this process through proteus on trytond (one
transaction per call, as the RPC dispatcher does) under cProfile: the time
and SQL statements of one operation and the top functions by cumulative
time, on stderr and in the report (``--profile N`` operations, 0: none).

With ``--hosts H --workers W`` the same clients go through nginx to H
gunicorn masters of W trytond workers each (tools/scaleout.py, the
README's scale-out set-up with config/trytond-multiprocess.conf) instead
of one threaded trytond.

After each run every order is checked: returned ≤ issued (violations).
"""
import argparse
import cProfile
import io
import json
import os
import pstats
import re
import statistics
import subprocess
import sys
import threading
import time
from decimal import Decimal

from tools.pgcluster import Cluster
from tools.scaleout import ScaleOut
from tools.server import ROOT, RPCError, Server

RETURN = 'model.production.material.return.'
SHIPMENT = 'model.stock.shipment.internal.'
CLIENTS = 16
DEADLINE = 300
# the functions that the profile lists: the server's, not the harness's
PROFILED = r'/(trytond|addons)/'


def setup(server, orders, issued):
    "Company, a lot-tracked material and running orders that issued it"
    from proteus import Model
    from proteus import config as pconfig

    from trytond.modules.company.tests.tools import create_company
    pconfig.set_xmlrpc('http://admin:admin@127.0.0.1:%s/%s/rpc/' % (
            server.port, server.database))
    create_company()
    Configuration = Model.get('production.configuration')
    Inventory = Model.get('stock.inventory')
    Location = Model.get('stock.location')
    Lot = Model.get('stock.lot')
    ProductTemplate = Model.get('product.template')
    Production = Model.get('production')
    UoM = Model.get('product.uom')
    configuration = Configuration(1)
    configuration.material_return_separate_duties = False
    configuration.save()
    unit, = UoM.find([('symbol', '=', 'u')])
    template = ProductTemplate(name="钢管 Φ25", default_uom=unit,
        type='goods', lot_required=['storage'])
    tube, = template.products
    tube.cost_price = Decimal('18.5')
    template.save()
    tube, = template.products
    fg = ProductTemplate(name="暖气片", default_uom=unit, type='goods',
        producible=True)
    fg.save()
    lot = Lot(number='L2311-03', product=tube)
    lot.save()
    storage, = Location.find([('code', '=', 'STO')])
    inventory = Inventory(location=storage)
    inventory.lines.new(product=tube, lot=lot, quantity=issued * orders * 2)
    inventory.click('confirm')
    ids = []
    for _ in range(orders):
        production = Production(product=fg.products[0], quantity=1)
        move = production.inputs.new(
            product=tube, quantity=issued, unit=unit, lot=lot)
        move.from_location = storage
        move.to_location = production.location
        production.click('wait')
        production.click('assign_force')
        production.click('run')
        ids.append(production.id)
    warehouse = production.warehouse
    return dict(orders=ids, tube=tube.id, lot=lot.id, unit=unit.id,
        warehouse=warehouse.id, to_location=warehouse.storage_location.id)


def one_return(rpc, data, order, reason):
    return_id, = rpc(RETURN + 'create', [{
                'production': order,
                'warehouse': data['warehouse'],
                'to_location': data['to_location'],
                'reason': reason,
                'lines': [['create', [{
                                'product': data['tube'], 'lot': data['lot'],
                                'quantity': 1, 'unit': data['unit']}]]],
                }])
    rpc(RETURN + 'submit', [return_id])


def setup_shipments(server, data, quantity):
    """A storage location on the workshop's line side holding quantity of
    the lot: the source of the internal shipments (the production location
    itself is not a storage location, which a shipment requires)"""
    from proteus import Model
    from proteus import config as pconfig
    pconfig.set_xmlrpc('http://admin:admin@127.0.0.1:%s/%s/rpc/' % (
            server.port, server.database))
    Inventory = Model.get('stock.inventory')
    Location = Model.get('stock.location')
    warehouse = Location(data['warehouse'])
    line = Location(name="车间线边", code='LINE', type='storage',
        parent=warehouse)
    line.save()
    inventory = Inventory(location=line)
    inventory.lines.new(product=data['tube'], lot=data['lot'],
        quantity=quantity)
    inventory.click('confirm')
    return dict(data, from_location=line.id)


def one_shipment(rpc, data, assign='force'):
    "An internal shipment of one unit of the lot, from create to done"
    shipment_id, = rpc(SHIPMENT + 'create', [{
                'from_location': data['from_location'],
                'to_location': data['to_location'],
                'moves': [['create', [{
                                'product': data['tube'], 'lot': data['lot'],
                                'quantity': 1, 'unit': data['unit'],
                                'from_location': data['from_location'],
                                'to_location': data['to_location'],
                                }]]],
                }])
    rpc(SHIPMENT + 'wait', [shipment_id])
    rpc(SHIPMENT + 'assign_' + assign, [shipment_id])
    rpc(SHIPMENT + 'do', [shipment_id])


def run(server, data, orders, clients, tries):
    "Return (committed, refused, errors, seconds)"
    sessions = [server.jsonrpc() for _ in range(clients)]
    reason = sessions[0](RETURN + 'default_get', ['reason'])['reason']

    def job(index, rpc):
        one_return(rpc, data, orders[index % len(orders)], reason)
    return _clients(sessions, job, tries)


def _clients(sessions, job, tries):
    """Call job(index, rpc) tries times in each session, all sessions at
    once: (committed, refused, errors, seconds)"""
    clients = len(sessions)
    counts = {'ok': 0, 'refused': 0, 'errors': []}
    lock = threading.Lock()
    barrier = threading.Barrier(clients, timeout=DEADLINE)
    end = time.monotonic() + DEADLINE

    def client(index, rpc):
        barrier.wait()
        for _ in range(tries):
            if time.monotonic() > end:
                break
            try:
                job(index, rpc)
                key = 'ok'
            except RPCError as error:
                key = 'refused' if 'exceeds' in str(error.error) or (
                    '超过' in str(error.error)) else str(error.error)[:200]
            except OSError as error:
                # an HTTP error (503 when the dispatcher's retries on a
                # lock run out) is an error of the try, not of the client
                key = str(error)[:200]
            with lock:
                if key in counts:
                    counts[key] += 1
                else:
                    counts['errors'].append(key)

    threads = [threading.Thread(target=client, args=(i, s), daemon=True)
        for i, s in enumerate(sessions)]
    start = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(DEADLINE)
    seconds = time.monotonic() - start
    return counts['ok'], counts['refused'], counts['errors'], seconds


def violations(server, data, orders, issued):
    admin = server.jsonrpc()
    count = 0
    for order in orders:
        lines = admin('model.production.material.return.line.search_read', [
                ('material_return.production', '=', order),
                ('material_return.state', 'in',
                    ['submitted', 'approved', 'inspecting', 'done']),
                ], 0, None, None, ['quantity'])
        if sum(l['quantity'] for l in lines) > issued[order]:
            count += 1
    return count


def profile(server, data, order, operations, assign='force', top=15):
    """One return and one shipment run in one trytond process of their own
    (this one has imported trytond for the sqlite default already), through
    proteus on trytond: a transaction per call, converted and checked as
    the RPC dispatcher does, under cProfile.  Per operation: milliseconds,
    SQL statements and the top functions by cumulative and by own time;
    the cumulative tables are printed on stderr."""
    path = os.path.join(server.workdir, 'profile.conf')
    with open(path, 'w') as fp:
        fp.write('[database]\nuri = %s\npath = %s\n' % (
                server.uri, server.workdir))
    env = server.env()
    env['TRYTOND_CONFIG'] = path
    code = ('import sys; from bench.bench_production_material_return '
        'import _profile; _profile(*sys.argv[1:])')
    process = subprocess.run([sys.executable, '-c', code,
            server.database, path, json.dumps(data), str(order),
            str(operations), assign, str(top)],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, check=True)
    return json.loads(process.stdout)


def _profile(database, config_file, data, order, operations, assign, top):
    from proteus import config as pconfig
    data, order = json.loads(data), int(order)
    operations, top = int(operations), int(top)
    conf = pconfig.set_trytond(database, config_file=config_file)
    context = conf.context

    def local(method, *args):
        model, name = method.split('.', 1)[1].rsplit('.', 1)
        return getattr(conf.get_proxy(model), name)(*args, context)

    reason = local(RETURN + 'default_get', ['reason'])['reason']
    result = {}
    for name, operation in [
            ('return', lambda: one_return(local, data, order, reason)),
            ('shipment', lambda: one_shipment(local, data, assign)),
            ]:
        for _ in range(3):
            operation()
        profiler = cProfile.Profile()
        start = time.perf_counter()
        profiler.enable()
        for _ in range(operations):
            operation()
        profiler.disable()
        seconds = time.perf_counter() - start
        stats = pstats.Stats(profiler)
        statements = sum(nc for (file, _, func), (_, nc, _, _, _)
            in stats.stats.items()
            if func == 'execute' and file.endswith(
                os.path.join('psycopg', 'cursor.py')))
        text = io.StringIO()
        # trytond's and the modules' functions, not this harness's calls
        pstats.Stats(profiler, stream=text).sort_stats(
            'cumulative').print_stats(PROFILED, top)
        print('=== %s: %d in process, %.1f ms and %.1f statements each; '
            'top %d by cumulative time ===' % (
                name, operations, seconds * 1000 / operations,
                statements / operations, top), file=sys.stderr)
        print(text.getvalue(), file=sys.stderr)
        result[name] = dict(operations=operations,
            ms_per_op=round(seconds * 1000 / operations, 1),
            statements_per_op=round(statements / operations, 1),
            top_cumulative=_rows(stats, 3, top, operations),
            top_own=_rows(stats, 2, top, operations))
    result['ratio_ms_return_vs_shipment'] = round(
        result['return']['ms_per_op'] / result['shipment']['ms_per_op'], 2)
    print(json.dumps(result))


def _rows(stats, index, top, operations):
    "The top functions of stats by cumulative (3) or own (2) time"
    items = sorted((i for i in stats.stats.items()
            if re.search(PROFILED, i[0][0])),
        key=lambda i: i[1][index], reverse=True)[:top]
    return [dict(function='%s:%s(%s)' % (_short(file), line, func),
            calls_per_op=round(value[1] / operations, 1),
            ms_per_op=round(value[index] * 1000 / operations, 2))
        for (file, line, func), value in items]


def _short(path):
    for marker in ['site-packages' + os.sep, ROOT + os.sep]:
        if marker in path:
            return path.split(marker, 1)[1]
    return path


def _result(ok, refused, errors, seconds):
    result = dict(committed=ok, refused=refused, errors=len(errors),
        seconds=seconds, rate=ok / seconds)
    if errors:
        result['first_error'] = errors[0]
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--runs', type=int, default=3)
    parser.add_argument('--tries', type=int, default=10)
    parser.add_argument('--json')
    parser.add_argument('--hosts', type=int, default=0,
        help="gunicorn masters behind nginx (0: one threaded trytond)")
    parser.add_argument('--workers', type=int, default=2,
        help="trytond workers per gunicorn master")
    parser.add_argument('--shipment-assign', choices=['force', 'try'],
        default='force',
        help="the internal shipment's assignment button")
    parser.add_argument('--profile', type=int, default=30,
        help="operations of each kind profiled in process (0: none)")
    args = parser.parse_args()
    cluster = Cluster()
    uri = cluster.start()
    if args.hosts:
        server = Server('bench_mr', ['production_material_return'], uri=uri,
            config_file=os.path.join(
                ROOT, 'config', 'trytond-multiprocess.conf'))
    else:
        server = Server('bench_mr', ['production_material_return'],
            uri=uri, extra_config={'database.retry': '40'})
    base = target = server
    try:
        server.build()
        if args.hosts:
            target = ScaleOut(server, hosts=args.hosts,
                workers=args.workers, cron=False, worker=False).start()
        else:
            server.start()
        server = target
        per_run = CLIENTS * args.tries
        issued_each = per_run * (args.runs + 1)
        data = setup(server, CLIENTS + 2, issued_each)
        data = setup_shipments(server, data,
            per_run * (args.runs + 1) + CLIENTS + args.profile + 10)
        spread = data['orders'][:CLIENTS]
        naive_order = data['orders'][CLIENTS]
        contended_order = data['orders'][CLIENTS + 1]
        issued = {o: issued_each for o in data['orders']}
        # the contended order accepts only 3/4 of the tries of all runs
        contended_limit = per_run * 3 // 4
        results = {'spread': [], 'contended': [], 'naive': []}
        shipments = []
        # returns and shipments: the same clients in the same sessions
        sessions = [server.jsonrpc() for _ in range(CLIENTS)]
        reason = sessions[0](RETURN + 'default_get', ['reason'])['reason']

        def return_job(index, rpc):
            one_return(rpc, data, spread[index % len(spread)], reason)

        def shipment_job(index, rpc):
            one_shipment(rpc, data, args.shipment_assign)
        # warm-up
        _clients(sessions, return_job, 1)
        shipped = _clients(sessions, shipment_job, 1)[0]
        contended_used = 0
        for index in range(args.runs):
            # alternate which one goes first
            pair = [(results['spread'], return_job),
                (shipments, shipment_job)]
            for runs, job in pair[::-1] if index % 2 else pair:
                runs.append(_result(*_clients(sessions, job, args.tries)))
            shipped += shipments[-1]['committed']
            results['naive'].append(_result(*run(
                        server, data, [naive_order], 1, per_run)))
            if index == 0:
                # one contended run: 16 clients on one order with fewer
                # units left than tries
                _shrink(server, data, contended_order, issued_each,
                    contended_limit)
                issued[contended_order] = issued_each
                ok, refused, errors, seconds = run(
                    server, data, [contended_order], CLIENTS, args.tries)
                contended_used = ok
                results['contended'].append(
                    _result(ok, refused, errors, seconds))
        report = {
            variant: {
                'median_returns_per_s': round(statistics.median(
                        r['rate'] for r in runs), 1),
                'runs': runs,
                } for variant, runs in results.items() if runs}
        report['shipment'] = {
            'median_shipments_per_s': round(statistics.median(
                    r['rate'] for r in shipments), 1),
            'assign': 'assign_' + args.shipment_assign,
            'runs': shipments,
            }
        report['topology'] = (
            '%d gunicorn x %d trytond workers behind nginx' % (
                args.hosts, args.workers) if args.hosts
            else 'one threaded trytond')
        report['contended_expected'] = contended_limit
        report['contended_committed'] = contended_used
        report['violations'] = violations(
            server, data, data['orders'], issued)
        report['speedup_spread_vs_naive'] = round(
            report['spread']['median_returns_per_s']
            / report['naive']['median_returns_per_s'], 2)
        # R1: returns against Tryton's internal shipments, same clients
        report['ratio_returns_vs_shipments'] = round(
            report['spread']['median_returns_per_s']
            / report['shipment']['median_shipments_per_s'], 2)
        report['ratio_returns_vs_shipments_runs'] = [
            round(r['rate'] / s['rate'], 2)
            for r, s in zip(results['spread'], shipments)]
        report['shipments_committed'] = shipped
        report['shipments_done'] = sessions[0](
            SHIPMENT + 'search_count', [
                ('from_location', '=', data['from_location']),
                ('state', '=', 'done'),
                ])
        if args.profile:
            try:
                report['profile'] = profile(base, data, spread[0],
                    args.profile, args.shipment_assign)
            except subprocess.CalledProcessError as error:
                report['profile'] = str(error)
        print(json.dumps(report, indent=2))
        if args.json:
            with open(args.json, 'w') as fp:
                json.dump(report, fp, indent=2)
        return 0 if not report['violations'] and (
            report['shipments_done'] == shipped) else 1
    finally:
        target.stop()
        cluster.stop()


def _shrink(server, data, order, issued, limit):
    "Return all but limit units of the order so that tries exceed it"
    rpc = server.jsonrpc()
    reason = rpc(RETURN + 'default_get', ['reason'])['reason']
    return_id, = rpc(RETURN + 'create', [{
                'production': order,
                'warehouse': data['warehouse'],
                'to_location': data['to_location'],
                'reason': reason,
                'lines': [['create', [{
                                'product': data['tube'], 'lot': data['lot'],
                                'quantity': issued - limit,
                                'unit': data['unit']}]]],
                }])
    rpc(RETURN + 'submit', [return_id])


if __name__ == '__main__':
    sys.exit(main())
