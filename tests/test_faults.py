# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Faults on PostgreSQL (RELIABILITY.md F1, F2): a real trytond on
127.0.0.1 is killed mid-request, and its PostgreSQL restarted under load.
Every production order written must be whole (both its component moves) or
absent, and the server must answer again afterwards."""
import threading
import time
import xmlrpc.client

import pytest

from tools.pgcluster import Cluster
from tools.server import Server

CLIENTS = 4
SECONDS = 6


@pytest.fixture(scope='module')
def cluster():
    cluster = Cluster()
    cluster.start()
    yield cluster
    cluster.stop()


@pytest.fixture(scope='module')
def server(cluster, tmp_path_factory):
    server = Server('faults', ['production', 'stock_quarantine'],
        uri=cluster.uri, workdir=str(tmp_path_factory.mktemp('faults')),
        extra_config={'database.retry': '2'})
    server.build()
    server.start()
    try:
        _setup(server)
        yield server
    finally:
        server.stop()


def _setup(server):
    from proteus import Model
    from trytond.modules.company.tests.tools import create_company
    config = server.proteus()
    create_company(config=config)
    Uom = Model.get('product.uom', config=config)
    Template = Model.get('product.template', config=config)
    unit, = Uom.find([('name', '=', 'Unit')])
    server.products = []
    for name in ["钢管 Φ25", "螺丝 M6", "椅背总成"]:
        template = Template(name=name, default_uom=unit, type='goods',
            producible=True)
        template.save()
        server.products.append(template.products[0].id)
    Location = Model.get('stock.location', config=config)
    server.warehouse, = [l.id for l in Location.find(
            [('type', '=', 'warehouse')])]
    server.company = Model.get('company.company', config=config).find()[0].id


def _create_order(proxy, server, context):
    component, screw, product = server.products
    warehouse, = proxy.model.stock.location.read(
        [server.warehouse], ['storage_location', 'production_location'],
        context)
    moves = [{
            'product': p, 'unit': 1, 'quantity': q,
            'from_location': warehouse['storage_location'],
            'to_location': warehouse['production_location'],
            'company': server.company,
            } for p, q in [(component, 2), (screw, 8)]]
    return proxy.model.production.create([{
                'product': product, 'quantity': 1, 'unit': 1,
                'warehouse': server.warehouse, 'company': server.company,
                'location': warehouse['production_location'],
                'inputs': [['create', moves]],
                }], context)


def _load(server, stop, results):
    proxy = server.xmlrpc()
    try:
        context = proxy.model.res.user.get_preferences(True, {})
    except Exception:
        results.append('error')
        return
    while not stop.is_set():
        try:
            _create_order(proxy, server, context)
            results.append('ok')
        except (xmlrpc.client.Fault, xmlrpc.client.ProtocolError,
                OSError) as exception:
            assert 'Traceback' not in str(exception)
            results.append('error')
            time.sleep(0.05)


def _run_load(server, fault):
    stop, results = threading.Event(), []
    threads = [threading.Thread(target=_load, args=(server, stop, results))
        for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    time.sleep(SECONDS / 3)
    fault()
    time.sleep(SECONDS / 3)
    stop.set()
    for thread in threads:
        thread.join(60)
        assert not thread.is_alive(), "a client hung"
    return results


def _check_whole(server):
    "Every order has exactly its two component moves; no orphan move"
    proxy = server.xmlrpc()
    context = proxy.model.res.user.get_preferences(True, {})
    orders = proxy.model.production.search_read(
        [], 0, None, None, ['inputs'], context)
    moves = proxy.model.stock.move.search_count([], context)
    assert all(len(o['inputs']) == 2 for o in orders)
    assert moves == 2 * len(orders)
    return len(orders)


def test_f1_kill_server_mid_request(server):
    before = _check_whole(server)

    def kill():
        server.kill()
        server.start(port=server.port)
    results = _run_load(server, kill)
    after = _check_whole(server)
    assert results.count('ok') > 0
    assert 'error' in results, "the kill did not hit the load"
    # every acknowledged order is stored; unacknowledged ones may be too
    assert after - before >= results.count('ok')
    # and the restarted server takes new orders
    proxy = server.xmlrpc()
    context = proxy.model.res.user.get_preferences(True, {})
    assert _create_order(proxy, server, context)


def test_f2_restart_postgresql_under_load(server, cluster):
    before = _check_whole(server)
    results = _run_load(server, cluster.restart)
    after = _check_whole(server)
    assert after - before >= results.count('ok') > 0
    proxy = server.xmlrpc()
    context = proxy.model.res.user.get_preferences(True, {})
    # calls work again once PostgreSQL is back (the pool reconnects)
    for _ in range(20):
        try:
            assert _create_order(proxy, server, context)
            break
        except xmlrpc.client.Fault:
            time.sleep(0.5)
    else:
        pytest.fail("trytond did not recover after the PostgreSQL restart")
