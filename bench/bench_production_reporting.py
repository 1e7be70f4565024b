# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""D1: production tracking list and dashboard over RPC on PostgreSQL.

    python -m bench.bench_production_reporting [--orders 500] [--runs 7]

Builds a database with production_reporting on PostgreSQL (ZHIZAO_PG_URI or
a throwaway cluster), seeds ORDERS production orders of a product made of
COMPONENTS components in every state, starts a real trytond and measures,
in the same run:

1. ours over JSON-RPC: the tracking list (search_read of
   production.reporting.tracking) and the dashboard warnings;
2. ours in-process, with the SQL statement count;
3. a naive per-order computation through the ORM over JSON-RPC: read each
   order, then its input and output moves, and compute the percentages in
   the client (what a report built on the ORM does);
4. the same naive loop in-process, with its statement count.

Both must give identical percentages before any time counts.  Reports
medians after a warm-up, ratios, statement counts and peak memory.
"""
import argparse
import datetime as dt
import os
import resource
import statistics
import sys
import tempfile
import time
from decimal import Decimal

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from tools.pgcluster import Cluster  # noqa: E402
from tools.server import Server  # noqa: E402

DATABASE = 'bench_production_reporting'
COMPONENTS = 5
FIELDS = ['production', 'product', 'quantity', 'picking_progress',
    'output_progress', 'days_late', 'state', 'customer', 'planned_date']


def seed(server, orders):
    "Seed the database in-process with proteus and the ORM in batches"
    from proteus import Model
    from proteus import config as pconfig

    from trytond.modules.company.tests.tools import create_company

    config = pconfig.set_trytond(
        database=server.database, config_file=server.config_file)
    create_company(config=config)
    Company = Model.get('company.company')
    company, = Company.find([])
    User = Model.get('res.user')
    admin, = User.find([('login', '=', 'admin')])
    admin.companies.append(company)
    admin.company = company
    admin.save()

    Uom = Model.get('product.uom')
    unit, = Uom.find([('name', '=', 'Unit')])
    Template = Model.get('product.template')
    template = Template(name="FG", default_uom=unit, type='goods',
        producible=True, list_price=Decimal(100))
    template.save()
    product, = template.products
    components = []
    for i in range(COMPONENTS):
        template = Template(name="RM-%s" % i, default_uom=unit,
            type='goods', list_price=Decimal(5))
        template.save()
        components.append(template.products[0])
    Bom = Model.get('production.bom')
    bom = Bom(name="FG")
    for i, component in enumerate(components):
        bom.inputs.new(product=component, quantity=i + 1)
    bom.outputs.new(product=product, quantity=1)
    bom.save()
    Location = Model.get('stock.location')
    storage, = Location.find([('code', '=', 'STO')])
    Inventory = Model.get('stock.inventory')
    inventory = Inventory(location=storage)
    for component in components:
        inventory.lines.new(product=component, quantity=orders * 100)
    inventory.click('confirm')
    return _seed_productions(server.database, company.id, admin.id,
        product.id, bom.id, orders)


def _seed_productions(database, company_id, user_id, product_id, bom_id,
        orders):
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    pool = Pool(database)
    today = dt.date.today()
    with Transaction().start(database, user_id,
            context={'company': company_id}) as transaction:
        Production = pool.get('production')
        Location = pool.get('stock.location')
        Product = pool.get('product.product')
        warehouse, = Location.search([('type', '=', 'warehouse')])
        product = Product(product_id)
        productions = []
        for i in range(orders):
            productions.append(Production(
                    company=company_id, warehouse=warehouse,
                    location=warehouse.production_location,
                    product=product, bom=bom_id, unit=product.default_uom,
                    quantity=10 + i % 7,
                    planned_start_date=today + dt.timedelta(days=i % 30 - 20),
                    planned_date=today + dt.timedelta(days=i % 30 - 15)))
        Production.save(productions)
        Production.set_moves(productions)
        Production.wait(productions)
        running = productions[:orders * 3 // 5]
        Production.assign_force(running)
        Production.run(running)
        done = running[:orders // 5]
        Production.do(done)
        transaction.commit()
    return orders


def measure(func, runs):
    func()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


class StatementCounter:
    "Count the SQL statements sent by psycopg"

    def __init__(self):
        import psycopg
        self.cls = psycopg.Cursor
        self.count = 0

    def __enter__(self):
        original = self.original = self.cls.execute
        counter = self

        def execute(cursor, *args, **kwargs):
            counter.count += 1
            return original(cursor, *args, **kwargs)
        self.cls.execute = execute
        return self

    def __exit__(self, *args):
        self.cls.execute = self.original


def ours_rpc(rpc):
    rows = rpc('model.production.reporting.tracking.search_read',
        [], 0, None, None, FIELDS)
    return {r['production']: (
            round(r['picking_progress'] or 0, 6),
            round(r['output_progress'] or 0, 6)) for r in rows}


def dashboard_rpc(rpc):
    return {r['kind']: r['count'] for r in rpc(
            'model.production.reporting.warning.search_read',
            [], 0, None, None, ['kind', 'count'])}


def naive_rpc(rpc):
    result = {}
    for production in rpc('model.production.search_read',
            [], 0, None, None, ['id', 'quantity', 'product']):
        inputs = rpc('model.stock.move.search_read',
            [('production_input', '=', production['id'])], 0, None, None,
            ['internal_quantity', 'state'])
        outputs = rpc('model.stock.move.search_read',
            [('production_output', '=', production['id'])], 0, None, None,
            ['internal_quantity', 'state', 'product'])
        result[production['id']] = _percentages(
            production['quantity'], production['product'], inputs, outputs)
    return result


def _percentages(quantity, product, inputs, outputs):
    required = sum(m['internal_quantity'] for m in inputs
        if m['state'] != 'cancelled')
    issued = sum(m['internal_quantity'] for m in inputs
        if m['state'] == 'done')
    produced = sum(m['internal_quantity'] for m in outputs
        if m['state'] == 'done' and m['product'] == product)
    return (round(issued / required if required else 0, 6),
        round(produced / quantity if quantity else 0, 6))


def in_process(database, runs):
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    pool = Pool(database)
    with Transaction().start(database, 0, readonly=True):
        User = pool.get('res.user')
        admin, = User.search([('login', '=', 'admin')])
        company = admin.company.id
    results = {}
    with Transaction().start(database, admin.id, readonly=True,
            context={'company': company}):
        Tracking = pool.get('production.reporting.tracking')
        Warning = pool.get('production.reporting.warning')
        Production = pool.get('production')
        Move = pool.get('stock.move')

        def ours():
            return {r['production']: (
                    round(r['picking_progress'] or 0, 6),
                    round(r['output_progress'] or 0, 6))
                for r in Tracking.search_read([], fields_names=FIELDS)}

        def dashboard():
            return Warning.search_read([], fields_names=['kind', 'count'])

        def naive():
            result = {}
            for production in Production.search([]):
                inputs = Move.search_read(
                    [('production_input', '=', production.id)],
                    fields_names=['internal_quantity', 'state'])
                outputs = Move.search_read(
                    [('production_output', '=', production.id)],
                    fields_names=['internal_quantity', 'state', 'product'])
                result[production.id] = _percentages(
                    production.quantity, production.product.id,
                    inputs, outputs)
            return result

        for name, func, n in [('ours', ours, runs),
                ('dashboard', dashboard, runs), ('naive', naive, 3)]:
            median, result = measure(func, n)
            with StatementCounter() as counter:
                func()
            results[name] = (median, counter.count, result)
    return results


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--orders', type=int, default=500)
    parser.add_argument('--runs', type=int, default=7)
    args = parser.parse_args()

    cluster = None
    uri = os.environ.get('ZHIZAO_PG_URI')
    if not uri:
        cluster = Cluster()
        uri = cluster.start()
    # the in-process trytond (seeding, in-process figures) reads its backend
    # from the environment before its first import
    os.environ['TRYTOND_DATABASE__URI'] = uri
    server = Server(DATABASE, ['production_reporting'], uri=uri,
        workdir=tempfile.mkdtemp(prefix='bench-pr-'), languages=('en',))
    try:
        server.build()
        start = time.perf_counter()
        seed(server, args.orders)
        print("seeded %s orders in %.1f s" % (
                args.orders, time.perf_counter() - start), flush=True)
        server.start()
        rpc = server.jsonrpc('admin', 'admin')

        ours_time, ours = measure(lambda: ours_rpc(rpc), args.runs)
        dash_time, dash = measure(lambda: dashboard_rpc(rpc), args.runs)
        naive_time, naive = measure(lambda: naive_rpc(rpc), 3)
        assert len(ours) == args.orders, len(ours)
        assert ours == naive, "different numbers"
        local = in_process(DATABASE, args.runs)
        assert local['ours'][2] == local['naive'][2] == ours

        print("dashboard warnings:", dash)
        print("| case | median | statements |")
        print("|---|---|---|")
        print("| tracking list, %s orders, JSON-RPC | %.1f ms | |" % (
                args.orders, ours_time * 1000))
        print("| dashboard warnings, JSON-RPC | %.1f ms | |" % (
                dash_time * 1000))
        print("| naive per-order ORM loop, JSON-RPC | %.1f ms | |" % (
                naive_time * 1000))
        for name in ['ours', 'dashboard', 'naive']:
            median, count, _ = local[name]
            print("| %s in-process | %.1f ms | %s |" % (
                    name, median * 1000, count))
        print("ratio naive / ours over RPC: %.1f×" % (naive_time / ours_time))
        print("ratio naive / ours in-process: %.1f×" % (
                local['naive'][0] / local['ours'][0]))
        print("peak memory of the bench process: %.0f MiB" % (
                resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
    finally:
        server.stop()
        server.drop()
        if cluster:
            cluster.stop()


if __name__ == '__main__':
    main()
