# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The scale-out set-up of the README, run for real on PostgreSQL.

Two gunicorn application hosts serving trytond.application:app behind
Debian's nginx, one trytond-cron and one trytond-worker, all configured by
config/trytond-multiprocess.conf and sharing one PostgreSQL 15 cluster:

- a session opened on one host is valid on the other (sessions in the
  database);
- a cached value changed through one host is seen by the other at once
  (``[cache] clean_timeout = 0``: invalidation by LISTEN/NOTIFY);
- the material return rule (returned <= issued) holds for clients spread
  over both hosts on one order;
- a due cron task runs in trytond-cron and the tasks it queues run in
  trytond-worker (a product's average cost recomputed after a price
  change of a done move);
- when one host dies, nginx sends the requests to the other.
"""
import datetime as dt
import os
import threading
import time
from decimal import Decimal

import pytest

from bench import bench_production_material_return as r1
from tools.scaleout import ScaleOut
from tools.server import ROOT, RPCError, Server

CONFIG = os.path.join(ROOT, 'config', 'trytond-multiprocess.conf')


@pytest.fixture(scope='module')
def cluster(pg_uri, tmp_path_factory):
    server = Server('test_scaleout', ['production_material_return'],
        uri=pg_uri, workdir=str(tmp_path_factory.mktemp('scaleout')),
        config_file=CONFIG)
    server.build(base_template=True)
    scaleout = ScaleOut(server, hosts=2, workers=1, cron=False)
    try:
        scaleout.start()
        yield scaleout
    finally:
        scaleout.stop()
        server.drop()


@pytest.fixture(scope='module')
def data(cluster):
    return r1.setup(cluster, 3, 20)


def test_processes_running(cluster):
    assert cluster.alive() == {
        'gunicorn-0': True, 'gunicorn-1': True, 'worker': True,
        'nginx': True}
    assert len({h.port for h in cluster.hosts}) == 2


def test_session_shared_between_hosts(cluster):
    first, second = [h.url for h in cluster.hosts]
    session = cluster.jsonrpc(url=first)
    # the same session key, sent to the other host
    session.url = '%s/%s/rpc/' % (second, cluster.database)
    user, = session('model.res.user.read', [session.user_id], ['login'])
    assert user['login'] == 'admin'


def test_cache_invalidated_across_hosts(cluster):
    first, second = [h.url for h in cluster.hosts]
    on_first = cluster.jsonrpc(url=first)
    on_second = cluster.jsonrpc(url=second)
    on_first('model.res.user.set_preferences', {'language': 'zh_CN'})
    # the second host caches the preferences
    assert on_second('model.res.user.get_preferences',
        False)['language'] == 'zh_CN'
    assert on_second('model.res.user.get_preferences',
        False)['language'] == 'zh_CN'
    on_first('model.res.user.set_preferences', {'language': 'en'})
    end = time.monotonic() + 5
    while True:
        language = on_second(
            'model.res.user.get_preferences', False)['language']
        if language == 'en' or time.monotonic() > end:
            break
        time.sleep(0.1)
    assert language == 'en'


def test_returns_over_both_hosts_keep_the_rule(cluster, data):
    "8 clients through nginx, 24 tries of 1 on an order with 15 returnable"
    order = data['orders'][0]
    r1._shrink(cluster, data, order, 20, 15)
    ok, refused, errors, _ = r1.run(cluster, data, [order], 8, 3)
    assert errors == []
    assert (ok, refused) == (15, 9)
    assert r1.violations(cluster, data, [order], {order: 20}) == 0
    admin = cluster.jsonrpc()
    lines = admin('model.production.material.return.line.search_read', [
            ('material_return.production', '=', order),
            ('material_return.state', '=', 'submitted'),
            ], 0, None, None, ['quantity'])
    assert sum(l['quantity'] for l in lines) == 20


def test_cron_queues_and_worker_runs(cluster, data):
    from proteus import Model
    config = r1_config(cluster)
    Location = Model.get('stock.location', config=config)
    Move = Model.get('stock.move', config=config)
    ProductTemplate = Model.get('product.template', config=config)
    UoM = Model.get('product.uom', config=config)
    Cron = Model.get('ir.cron', config=config)
    unit, = UoM.find([('symbol', '=', 'u')])
    supplier, = Location.find([('code', '=', 'SUP')])
    storage, = Location.find([('code', '=', 'STO')])
    template = ProductTemplate(name="海绵 40D", default_uom=unit,
        type='goods', cost_price_method='average')
    template.save()
    product, = template.products
    moves = []
    for price in [Decimal('10'), Decimal('20')]:
        move = Move(product=product, quantity=10, unit=unit,
            from_location=supplier, to_location=storage,
            unit_price=price, currency=data_currency(config),
            effective_date=dt.date.today())
        move.save()
        moves.append(move)
    for move in moves:
        move.click('do')
    product = Model.get('product.product', config=config)(product.id)
    assert product.cost_price == Decimal('15.0000')

    # an invoice corrects the first price: 10 @ 30 + 10 @ 20 → 25
    first = Move(moves[0].id)
    first.unit_price = Decimal('30')
    first.save()
    product = Model.get('product.product', config=config)(product.id)
    assert product.cost_price == Decimal('15.0000')  # not recomputed yet

    cron, = Cron.find([
            ('method', '=',
                'product.product|recompute_cost_price_from_moves')])
    cron.next_call = dt.datetime.now() - dt.timedelta(minutes=1)
    # scheduled actions run per company: a new company must be added
    company = data_company(config)
    cron.companies.append(type(company)(company.id))
    cron.save()
    cluster.start_cron()
    end = time.monotonic() + 120
    while time.monotonic() < end:
        product = Model.get('product.product', config=config)(product.id)
        if product.cost_price != Decimal('15.0000'):
            break
        time.sleep(1)
    assert product.cost_price == Decimal('25.0000')
    assert [Move(m.id).unit_price_updated for m in moves] == [False, False]
    assert cluster.alive()['cron']


def test_one_host_killed(cluster, data):
    cluster.kill_host(0)
    results = []

    def call():
        try:
            rpc = cluster.jsonrpc()
            rpc('model.production.search', [('id', 'in', data['orders'])],
                0, None, None)
            results.append('ok')
        except (RPCError, OSError) as error:
            results.append(repr(error))

    threads = [threading.Thread(target=call) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert results == ['ok'] * 10


def r1_config(cluster):
    from proteus import config as pconfig
    return pconfig.set_xmlrpc('http://admin:admin@127.0.0.1:%s/%s/rpc/' % (
            cluster.port, cluster.database))


def data_company(config):
    from proteus import Model
    Company = Model.get('company.company', config=config)
    company, = Company.find([])
    return company


def data_currency(config):
    return data_company(config).currency
