# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""SC1: a scan round trip of the floor app, 16 phones at once
(BENCHMARKS.md: ≤ 150 ms p95 over JSON-RPC).

    .venv/bin/python -m bench.bench_production_floor \\
        --url http://127.0.0.1:8000 --database zhizao_demo \\
        [--login storekeeper --password zhizao2026] [--clients 16]
        [--scans 40] [--json FILE]

Against a running server (the demo, or a database loaded with
data/dataset.py): each client logs in over JSON-RPC as the phone does and
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
import statistics
import sys
import threading
import time

from tools.server import JSONRPC, RPCError


def targets(rpc, limit=50):
    "[(order number, id, code of a line)] to scan"
    ids = rpc('model.production.search', [
            ('state', 'in', ['waiting', 'assigned', 'running']),
            ], 0, limit, [('id', 'ASC')])
    result = []
    for production in rpc('model.production.read', ids, ['number']):
        order = rpc('model.production.floor.scan', 'pick',
            production['number'], None)
        for row in order['rows']:
            lots = [l['number'] for l in row['lots']
                if l['number'] and l['released']]
            code = lots[0] if lots else (
                None if row['lot_required'] else row['code'])
            if code:
                result.append((production['number'], production['id'], code))
                break
    return result


def client(args, work, latencies, errors, barrier):
    rpc = JSONRPC(args.url, args.database, args.login, args.password)
    barrier.wait()
    for i in range(args.scans):
        number, production, code = work[i % len(work)]
        for kind, params in [
                ('order', ['pick', number, None]),
                ('line', ['pick', code, production]),
                ('stock', ['stock', code, None])]:
            start = time.perf_counter()
            try:
                rpc('model.production.floor.scan', *params)
            except RPCError as error:
                errors.append(str(error)[:200])
            latencies[kind].append(time.perf_counter() - start)


def run(args, work, clients):
    latencies = {'order': [], 'line': [], 'stock': []}
    errors = []
    barrier = threading.Barrier(clients + 1)
    threads = [threading.Thread(target=client,
            args=(args, work, latencies, errors, barrier))
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
        'clients': clients,
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
    parser.add_argument('--url', default='http://127.0.0.1:8000')
    parser.add_argument('--database', required=True)
    parser.add_argument('--login', default='storekeeper')
    parser.add_argument('--password', default='zhizao2026')
    parser.add_argument('--clients', type=int, default=16)
    parser.add_argument('--scans', type=int, default=40)
    parser.add_argument('--json')
    args = parser.parse_args()
    rpc = JSONRPC(args.url, args.database, args.login, args.password)
    work = targets(rpc)
    if not work:
        sys.exit("no open order with something left to pick")
    # warm-up: the server's caches
    run(argparse.Namespace(**{**vars(args), 'scans': 3}), work, 2)
    result = {'orders': len(work),
        'single': run(args, work, 1),
        'concurrent': run(args, work, args.clients)}
    result['sc1_met'] = result['concurrent']['all'].get(
        'p95_ms', 1e9) <= 150
    text = json.dumps(result, indent=2, ensure_ascii=False)
    print(text)
    if args.json:
        with open(args.json, 'w') as fp:
            fp.write(text)


if __name__ == '__main__':
    main()
