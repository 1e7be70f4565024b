# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""D1 of issue 18: the 委外加工单跟踪表 of 500 orders (≤ 200 ms over RPC)

    PYTHONOPTIMIZE=1 .venv/bin/python -m bench.bench_production_subcontract \\
        [--size M] [--orders 500] [--runs 5]

A throwaway PostgreSQL 15 (fsync on), a database with
production_subcontract, the seeded dataset of data/dataset.py (M: 20,000
products on 5 BOM levels, 500,000 done moves), then --orders 整单委外
orders of products with a BOM at 50 subcontractors added in bulk: each
input sent with its allowed loss (2 %), 90 % of the order received and
consumed, one in four with a return and one in ten with a loss.

In one run:

- ``rpc``: the report as the client opens it, over JSON-RPC on a real
  trytond: ``search_read`` of the tracking rows of the orders with every
  column of the list view;
- ``ours``: the same search and read in the server process;
- ``native``: Tryton's own way, which has no such report: one
  ``search_read`` of the orders' done subcontract moves (the stock moves
  list), summed by the caller; over JSON-RPC and in the server;
- ``naive``: a per-order ORM loop (the moves of each order searched and
  summed per product and kind).

The three in-process ways must give the same sent / consumed / returned /
lost / balance per order and product before any time counts.  Reported:
median ms, SQL statements, the ratios, the load average.  Results go to
bench/results/production_subcontract.md.
"""
import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time

from bench.common import build, load, revision

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, 'bench', 'results', 'production_subcontract.md')
MODULES = ['production_subcontract', 'production_kitting', 'sale']
DATABASE = 'bench_subcontract'
FIELDS = ['production', 'subcontractor', 'received', 'quality_passed',
    'quality_rejected', 'product', 'sent', 'supplemented', 'standard',
    'consumed', 'allowed_loss', 'lost', 'actual_loss', 'returned',
    'balance', 'fee', 'unit', 'production_unit']
LEDGER = ['sent', 'consumed', 'returned', 'lost', 'balance']
# what sao asks when the report opens: the ids of a page of 1,000 (and
# their count when the page is full), then its first 100 rows (its limit
# of 1,000 / 10 fields) with the names of the relations
LIMIT, READ = 1000, 100
RELATIONS = ['production', 'subcontractor', 'product', 'unit',
    'production_unit']
SAO_FIELDS = FIELDS + ['%s.rec_name' % f for f in RELATIONS] + [
    'rec_name', '_timestamp', '_write', '_delete']


def log(message):
    print('[subcontract] %s' % message, file=sys.stderr, flush=True)


class Orders:
    "整单委外 orders of products with a BOM, their moves written in bulk"

    def __init__(self, pool, count, seed=18):
        self.pool = pool
        self.count = count
        self.random = random.Random(seed)
        self.today = dt.date.today()

    def run(self):
        from trytond.transaction import Transaction
        self.context()
        self.read_boms()
        with Transaction().set_context(company=self.company.id):
            self.create_suppliers()
            self.create_orders()
            self.write_moves()
            self.store_standards()
        return [p.id for p in self.productions]

    def context(self):
        Company = self.pool.get('company.company')
        Location = self.pool.get('stock.location')
        self.company, = Company.search([], limit=1)
        self.warehouse, = Location.search([('type', '=', 'warehouse')],
            limit=1)

    def read_boms(self):
        "{product: (bom, [(component, quantity)])} of dataset M's BOMs"
        from trytond.transaction import Transaction
        Input = self.pool.get('production.bom.input')
        Output = self.pool.get('production.bom.output')
        input_, output = Input.__table__(), Output.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*output.join(input_,
                condition=input_.bom == output.bom).select(
                output.product, output.bom, input_.product, input_.quantity))
        self.boms = {}
        for product, bom, component, quantity in cursor:
            self.boms.setdefault(product, (bom, []))[1].append(
                (component, quantity))

    def create_suppliers(self):
        Party = self.pool.get('party.party')
        parties = Party.create([{'name': "委外厂 %02d" % i}
                for i in range(50)])
        self.locations = {p.id: l.id for p, l in
            Party.get_subcontract_locations(parties).items()}
        self.suppliers = [p.id for p in parties]

    def create_orders(self):
        Production = self.pool.get('production')
        Product = self.pool.get('product.product')
        chosen = self.random.sample(sorted(self.boms), self.count)
        units = {p.id: p.default_uom.id for p in Product.browse(chosen)}
        self.productions = Production.create([{
                    'company': self.company.id,
                    'warehouse': self.warehouse.id,
                    'location': self.warehouse.production_location.id,
                    'product': p, 'bom': self.boms[p][0], 'unit': units[p],
                    'quantity': float(self.random.randint(10, 100)),
                    'subcontractor': self.random.choice(self.suppliers),
                    'state': 'waiting', 'planned_date': self.today,
                    'planned_start_date': self.today}
                for p in chosen])
        self.unit = units[chosen[0]]

    def write_moves(self):
        "Sent with the allowed loss, 90 % received and consumed"
        rows = []
        for production in self.productions:
            rows.extend(self.order_moves(production))
        self.insert_moves(rows)
        self.moves = len(rows)

    def store_standards(self):
        "What each 委外入库 stores: the BOM standard of what was received"
        Standard = self.pool.get('production.subcontract.standard')
        Standard.store(self.productions)

    def order_moves(self, production):
        rnd = self.random
        storage = self.warehouse.storage_location.id
        there = self.locations[production.subcontractor.id]
        made = self.warehouse.production_location.id
        received = round(production.quantity * 0.9)
        rows = [self.move(production, production.product.id, received,
                made, storage, 'receive')]
        for component, quantity in self.boms[production.product.id][1]:
            sent = round(production.quantity * quantity * 1.02, 4)
            consumed = round(received * quantity * 1.02, 4)
            rows.append(self.move(production, component, sent, storage,
                    there, 'send'))
            rows.append(self.move(production, component, consumed, there,
                    made, 'consume'))
            if rnd.random() < 0.25:
                rows.append(self.move(production, component,
                        round((sent - consumed) / 2, 4), there, storage,
                        'return'))
            if rnd.random() < 0.1:
                rows.append(self.move(production, component,
                        round((sent - consumed) / 4, 4), there, storage,
                        'loss'))
        return rows

    def move(self, production, product, quantity, from_, to, kind):
        return [product, self.unit, quantity, quantity, from_, to, 'done',
            self.today, self.today, self.company.id, production.id, kind]

    def insert_moves(self, rows):
        from trytond.transaction import Transaction
        Move = self.pool.get('stock.move')
        move = Move.__table__()
        cursor = Transaction().connection.cursor()
        columns = [move.product, move.unit, move.quantity,
            move.internal_quantity, move.from_location, move.to_location,
            move.state, move.planned_date, move.effective_date,
            move.company, move.subcontract_production, move.subcontract_kind]
        for i in range(0, len(rows), 2000):
            cursor.execute(*move.insert(columns, rows[i:i + 2000]))


def ours(pool, ids):
    "The report of the orders as the client reads it, in the server"
    Tracking = pool.get('production.subcontract.tracking')
    records = Tracking.search([('production', 'in', ids)])
    return Tracking.read([r.id for r in records], FIELDS)


def sao(pool, ids):
    "The report as sao opens it, in the server"
    Tracking = pool.get('production.subcontract.tracking')
    records = Tracking.search([], limit=LIMIT)
    if len(records) == LIMIT:
        Tracking.search_count([])
    return Tracking.read([r.id for r in records[:READ]], SAO_FIELDS)


KEYS = {'send': 'sent', 'supplement': 'sent', 'consume': 'consumed',
    'return': 'returned', 'loss': 'lost'}
MOVE_FIELDS = ['subcontract_production', 'product', 'subcontract_kind',
    'internal_quantity']


def move_domain(ids):
    return [('subcontract_production', 'in', ids),
        ('subcontract_kind', 'not in', [None, 'receive']),
        ('state', '=', 'done')]


def add_move(result, production, product, kind, quantity):
    row = result.setdefault((production, product),
        dict.fromkeys(LEDGER, 0.0))
    row[KEYS[kind]] += quantity
    row['balance'] += quantity * (
        1 if kind in {'send', 'supplement'} else -1)


def sum_moves(rows):
    "The ledger of the moves read by search_read"
    result = {}
    for row in rows:
        add_move(result, row['subcontract_production'], row['product'],
            row['subcontract_kind'], row['internal_quantity'])
    return result


def native(pool, ids):
    """Tryton's own way without our report: the orders' moves in one
    search_read (the stock moves list filtered on the orders), summed"""
    Move = pool.get('stock.move')
    return sum_moves(Move.search_read(move_domain(ids),
            fields_names=MOVE_FIELDS))


def naive(pool, ids):
    "Each order's moves searched and summed per product and kind"
    Move = pool.get('stock.move')
    result = {}
    for production in ids:
        for move in Move.search(move_domain([production])):
            add_move(result, production, move.product.id,
                move.subcontract_kind, move.internal_quantity)
    return result


def signature(rows):
    return {k: tuple(round(v[n], 4) for n in LEDGER)
        for k, v in rows.items()}


def check_standards(pool, rows):
    """The standard of every row is Tryton's BOM computation of what its
    order received (not only what was stored)"""
    Production = pool.get('production')
    productions = Production.browse(sorted({r['production'] for r in rows}))
    received = Production.get_subcontract_received(productions, None)
    computed = {p.id: {m.id: q for m, q in p.subcontract_standard(
                received[p.id]).items()} for p in productions}
    for row in rows:
        assert row['standard'] == computed[row['production']].get(
            row['product'], 0), row


def check(pool, ids):
    """ours and naive give the same ledger of every order and product, the
    standard is the BOM's"""
    rows = ours(pool, ids)
    mine = signature({(r['production'], r['product']): r for r in rows})
    assert mine == signature(naive(pool, ids)), "naive differs"
    assert mine == signature(native(pool, ids)), "native differs"
    check_standards(pool, rows)
    return {'rows': len(rows), 'orders': len({r['production'] for r in rows})}


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


def measure_rpc(server, ids, runs):
    "Median ms of the report's search_read over JSON-RPC"
    rpc = server.jsonrpc()
    method = 'model.production.subcontract.tracking.search_read'
    rpc(method, [('production', 'in', ids)], 0, None, None, FIELDS)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        rows = rpc(method, [('production', 'in', ids)], 0, None, None,
            FIELDS)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, [round(t * 1000) for t in times
        ], len(rows)


def measure_rpc_sao(server, runs):
    "Median ms of the report as sao opens it over JSON-RPC"
    rpc = server.jsonrpc()
    model = 'model.production.subcontract.tracking.'

    def open_():
        ids = rpc(model + 'search', [], 0, LIMIT, None)
        if len(ids) == LIMIT:
            rpc(model + 'search_count', [], 0, None)
        return rpc(model + 'read', ids[:READ], SAO_FIELDS)
    times = []
    for _ in range(runs + 1):
        start = time.perf_counter()
        rows = open_()
        times.append(time.perf_counter() - start)
    times = times[1:]
    return statistics.median(times) * 1000, [round(t * 1000) for t in times
        ], len(rows)


def measure_rpc_native(server, ids, runs):
    "Median ms of Tryton's way over JSON-RPC: search_read, sums here"
    rpc = server.jsonrpc()
    method = 'model.stock.move.search_read'
    times = []
    for _ in range(runs + 1):
        start = time.perf_counter()
        sum_moves(rpc(method, move_domain(ids), 0, None, None,
                MOVE_FIELDS))
        times.append(time.perf_counter() - start)
    times = times[1:]
    return statistics.median(times) * 1000, [round(t * 1000) for t in times]


def measure(runner, ids, runs):
    runner.timed(sao, ids)  # warm-up
    page = [runner.timed(sao, ids) for _ in range(runs)]
    page_load = load()
    runner.timed(ours, ids)  # warm-up
    mine = [runner.timed(ours, ids) for _ in range(runs)]
    mine_load = load()
    runner.timed(native, ids)  # warm-up
    tryton = [runner.timed(native, ids) for _ in range(runs)]
    tryton_load = load()
    slow = runner.timed(naive, ids)
    return {
        'sao_ms': statistics.median(t for t, _ in page) * 1000,
        'sao_runs': [round(t * 1000) for t, _ in page],
        'sao_statements': page[-1][1],
        'sao_load': page_load,
        'native_ms': statistics.median(t for t, _ in tryton) * 1000,
        'native_runs': [round(t * 1000) for t, _ in tryton],
        'native_statements': tryton[-1][1],
        'native_load': tryton_load,
        'ours_ms': statistics.median(t for t, _ in mine) * 1000,
        'ours_runs': [round(t * 1000) for t, _ in mine],
        'ours_statements': mine[-1][1],
        'ours_load': mine_load,
        'naive_ms': slow[0] * 1000,
        'naive_statements': slow[1],
        'naive_load': load(),
        }


def run(args):
    from bench.bench_production_kitting import count_statements
    cluster, uri, server, loaded = build(
        args.size, DATABASE, MODULES, log)
    try:
        count_statements()
        runner = Runner(DATABASE)
        orders = None

        def prepare(pool):
            nonlocal orders
            orders = Orders(pool, args.orders)
            return orders.run()
        ids = runner.call(prepare, commit=True)
        log("%s orders, %s moves added" % (len(ids), orders.moves))
        import psycopg
        with psycopg.connect(uri + DATABASE, autocommit=True) as conn:
            conn.execute('ANALYZE')
        facts = runner.call(check, ids)
        log("identical: %s" % facts)
        figures = measure(runner, ids, args.runs)
        server.start()
        figures['rpc_ms'], figures['rpc_runs'], rows = measure_rpc(
            server, ids, args.runs)
        assert rows == facts['rows'], (rows, facts)
        figures['rpc_load'] = load()
        figures['rpc_sao_ms'], figures['rpc_sao_runs'], rows = (
            measure_rpc_sao(server, args.runs))
        assert rows == min(READ, facts['rows']), (rows, facts)
        figures['rpc_sao_load'] = load()
        figures['rpc_native_ms'], figures['rpc_native_runs'] = (
            measure_rpc_native(server, ids, args.runs))
        figures['rpc_native_load'] = load()
        server.stop()
        log("figures: %s" % figures)
        return report(args, loaded, orders, facts, figures)
    finally:
        cluster.stop()


def report(args, loaded, orders, facts, figures):
    f = figures
    loads = {k: ' / '.join(map(str, f[k + '_load']))
        for k in ['rpc_sao', 'sao', 'rpc', 'rpc_native', 'ours', 'native',
            'naive']}
    return [
        '# production_subcontract: D1, the 委外加工单跟踪表 of %s orders'
        % args.orders,
        '',
        'Dataset %s (seed 42) loaded in %.0f s, then %s 整单委外 orders of '
        'products with a BOM at 50 subcontractors added in bulk (%s done '
        'moves: sent with 2 %% loss, 90 %% received and consumed, returns '
        'and losses); PostgreSQL 15 (fsync on, ANALYZE after the load), '
        '`PYTHONOPTIMIZE=%s`, production_subcontract at %s, %s. `python -m '
        'bench.bench_production_subcontract --size %s --orders %s --runs '
        '%s`.' % (args.size, loaded, args.orders, orders.moves,
            os.environ.get('PYTHONOPTIMIZE', ''), revision(),
            dt.date.today(), args.size, args.orders, args.runs),
        '',
        'The three ways gave the same sent / consumed / returned / lost / '
        'balance for every order and material (%s rows of %s orders) '
        'before any time counted.  Tryton\'s native way: Tryton has no '
        'report of material at a supplier; its own tool is the list of '
        'stock moves, here one `search_read` of the orders\' done '
        'subcontract moves summed by the caller.  Naive: a per-order ORM '
        'loop (the moves of each order searched, browsed and summed).'
        % (facts['rows'], facts['orders']),
        '',
        '| way | ms (median) | runs | SQL statements | load average '
        '(1/5/15 min) |',
        '|---|---|---|---|---|',
        '| ours as sao opens it over JSON-RPC (`search` limit %s, '
        '`search_count`, `read` of the first %s rows with %s fields) | %.0f '
        '| %s | - | %s |' % (LIMIT, READ, len(SAO_FIELDS), f['rpc_sao_ms'],
            f['rpc_sao_runs'], loads['rpc_sao']),
        '| ours as sao opens it, in the server | %.0f | %s | %s | %s |' % (
            f['sao_ms'], f['sao_runs'], f['sao_statements'], loads['sao']),
        '| ours over JSON-RPC (`search_read` of the list view\'s %s '
        'columns) | %.0f | %s | - | %s |' % (len(FIELDS), f['rpc_ms'],
            f['rpc_runs'], loads['rpc']),
        '| Tryton\'s native way over JSON-RPC (moves `search_read`, sums '
        'in the client) | %.0f | %s | - | %s |' % (f['rpc_native_ms'],
            f['rpc_native_runs'], loads['rpc_native']),
        '| ours in the server (search + read) | %.0f | %s | %s | %s |' % (
            f['ours_ms'], f['ours_runs'], f['ours_statements'],
            loads['ours']),
        '| Tryton\'s native way in the server | %.0f | %s | %s | %s |' % (
            f['native_ms'], f['native_runs'], f['native_statements'],
            loads['native']),
        '| naive per-order ORM loop in the server (1 run) | %.0f | - | %s '
        '| %s |' % (f['naive_ms'], f['naive_statements'], loads['naive']),
        '',
        'Ratios in the same run: Tryton\'s native way / ours **%.1f×** '
        'over JSON-RPC, **%.1f×** in the server; naive / ours **%.1f×** in '
        'the server.  Target ≤ 200 ms for 500 orders over RPC, as sao '
        'opens the report: %s (%.0f ms; all %s rows in one `search_read`: '
        '%.0f ms).' % (f['rpc_native_ms'] / f['rpc_ms'],
            f['native_ms'] / f['ours_ms'], f['naive_ms'] / f['ours_ms'],
            'met' if f['rpc_sao_ms'] <= 200 else 'missed', f['rpc_sao_ms'],
            facts['rows'], f['rpc_ms']),
        ]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--size', default='M')
    parser.add_argument('--orders', type=int, default=500)
    parser.add_argument('--runs', type=int, default=5)
    parser.add_argument('--output', default=RESULTS)
    args = parser.parse_args()
    lines = run(args)
    with open(args.output, 'w') as fp:
        fp.write('\n'.join(lines) + '\n')
    print('\n'.join(lines))


if __name__ == '__main__':
    main()
