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
- naive: one client doing the same returns one after the other.

With ``--hosts H --workers W`` the same clients go through nginx to H
gunicorn masters of W trytond workers each (tools/scaleout.py, the
README's scale-out set-up with config/trytond-multiprocess.conf) instead
of one threaded trytond.

After each run every order is checked: returned ≤ issued (violations).
"""
import argparse
import json
import statistics
import sys
import threading
import time
from decimal import Decimal

from tools.pgcluster import Cluster
from tools.scaleout import ScaleOut
from tools.server import ROOT, RPCError, Server

RETURN = 'model.production.material.return.'
CLIENTS = 16
DEADLINE = 300


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


def run(server, data, orders, clients, tries):
    "Return (committed, refused, errors, seconds)"
    sessions = [server.jsonrpc() for _ in range(clients)]
    reason = sessions[0](RETURN + 'default_get', ['reason'])['reason']
    counts = {'ok': 0, 'refused': 0, 'errors': []}
    lock = threading.Lock()
    barrier = threading.Barrier(clients, timeout=DEADLINE)
    end = time.monotonic() + DEADLINE

    def client(index, rpc):
        order = orders[index % len(orders)]
        barrier.wait()
        for _ in range(tries):
            if time.monotonic() > end:
                break
            try:
                one_return(rpc, data, order, reason)
                key = 'ok'
            except RPCError as error:
                key = 'refused' if 'exceeds' in str(error.error) or (
                    '超过' in str(error.error)) else str(error.error)[:200]
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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--runs', type=int, default=3)
    parser.add_argument('--tries', type=int, default=10)
    parser.add_argument('--json')
    parser.add_argument('--hosts', type=int, default=0,
        help="gunicorn masters behind nginx (0: one threaded trytond)")
    parser.add_argument('--workers', type=int, default=2,
        help="trytond workers per gunicorn master")
    args = parser.parse_args()
    cluster = Cluster()
    uri = cluster.start()
    if args.hosts:
        import os
        server = Server('bench_mr', ['production_material_return'], uri=uri,
            config_file=os.path.join(
                ROOT, 'config', 'trytond-multiprocess.conf'))
    else:
        server = Server('bench_mr', ['production_material_return'],
            uri=uri, extra_config={'database.retry': '40'})
    target = server
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
        spread = data['orders'][:CLIENTS]
        naive_order = data['orders'][CLIENTS]
        contended_order = data['orders'][CLIENTS + 1]
        issued = {o: issued_each for o in data['orders']}
        # the contended order accepts only 3/4 of the tries of all runs
        contended_limit = per_run * 3 // 4
        results = {'spread': [], 'contended': [], 'naive': []}
        # warm-up
        run(server, data, spread, CLIENTS, 1)
        contended_used = 0
        for index in range(args.runs):
            ok, refused, errors, seconds = run(
                server, data, spread, CLIENTS, args.tries)
            results['spread'].append(dict(committed=ok, refused=refused,
                    errors=len(errors), seconds=seconds,
                    rate=ok / seconds))
            ok, refused, errors, seconds = run(
                server, data, [naive_order], 1, per_run)
            results['naive'].append(dict(committed=ok, refused=refused,
                    errors=len(errors), seconds=seconds,
                    rate=ok / seconds))
            if index == 0:
                # one contended run: 16 clients on one order with fewer
                # units left than tries
                _shrink(server, data, contended_order, issued_each,
                    contended_limit)
                issued[contended_order] = issued_each
                ok, refused, errors, seconds = run(
                    server, data, [contended_order], CLIENTS, args.tries)
                contended_used = ok
                results['contended'].append(dict(committed=ok,
                        refused=refused, errors=len(errors),
                        seconds=seconds, rate=ok / seconds))
        report = {
            variant: {
                'median_returns_per_s': round(statistics.median(
                        r['rate'] for r in runs), 1),
                'runs': runs,
                } for variant, runs in results.items() if runs}
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
        print(json.dumps(report, indent=2))
        if args.json:
            with open(args.json, 'w') as fp:
                json.dump(report, fp, indent=2)
        return 0 if not report['violations'] else 1
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
