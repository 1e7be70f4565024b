# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Faults on PostgreSQL (RELIABILITY.md F1, F2): a real trytond on
127.0.0.1 is killed mid-request, and its PostgreSQL restarted under load.
Every production order written must be whole (both its component moves) or
absent, and the server must answer again afterwards."""
import os
import threading
import time
import xmlrpc.client

import pytest

from tools.pgcluster import Cluster
from tools.server import Server

CLIENTS = 4
SECONDS = 6
DATABASE_WORDS = ['connection', 'terminat', 'server closed', 'shutting down',
    'the database system', 'could not', 'pool']


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
    "Create orders until stopped; record (kind, started, ended, text)"
    proxy = server.xmlrpc()
    context = proxy.model.res.user.get_preferences(True, {})
    while not stop.is_set():
        started = time.monotonic()
        try:
            _create_order(proxy, server, context)
            results.append(('ok', started, time.monotonic(), ''))
        except xmlrpc.client.Fault as fault:
            results.append(('fault', started, time.monotonic(),
                    '%s %s' % (fault.faultCode, fault.faultString)))
            time.sleep(0.05)
        except (xmlrpc.client.ProtocolError, OSError) as exception:
            results.append(('connection', started, time.monotonic(),
                    repr(exception)))
            time.sleep(0.05)


def _run_load(server, fault):
    """Run the load, apply the fault in its middle; return the results and
    the (start, end) of the fault"""
    stop, results = threading.Event(), []
    threads = [threading.Thread(target=_load, args=(server, stop, results))
        for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    # On a loaded machine the first orders take longer than SECONDS / 3:
    # the fault waits for the load to be taken, the stop for it to be
    # taken again (bounded)
    _wait(lambda: any(r[0] == 'ok' for r in results), SECONDS / 3)
    window = [time.monotonic()]
    fault()
    window.append(time.monotonic())
    _wait(lambda: any(r[0] == 'ok' and r[1] > window[1] for r in results),
        SECONDS / 3)
    stop.set()
    for thread in threads:
        thread.join(60)
    assert not any(t.is_alive() for t in threads), "a client hung"
    return results, window


def _wait(condition, at_least, at_most=120):
    "Sleep at_least seconds, then until condition holds or at_most passed"
    time.sleep(at_least)
    deadline = time.monotonic() + at_most
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.1)


def _assert_met_load(results, window):
    "Orders were taken before and after the fault, and calls were in flight"
    start, end = window
    assert any(k == 'ok' and e < start for k, _, e, _ in results), results
    assert any(k == 'ok' and s > end for k, s, _, _ in results), results
    in_flight = [r for r in results if r[1] < end and r[2] > start]
    assert in_flight, "no call was in flight during the fault"


def _postmaster_pid(cluster):
    "The pid of the running postmaster (first line of postmaster.pid)"
    with open(os.path.join(cluster.dir, 'data', 'postmaster.pid')) as file:
        return int(file.readline())


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
    results, window = _run_load(server, kill)
    after = _check_whole(server)
    _assert_met_load(results, window)
    # the calls in flight lost their connection
    assert any(k == 'connection' for k, *_ in results), (
        "the kill did not hit the load")
    # a killed server only drops connections: no call gets an answer that
    # is an error
    errors = [r for r in results if r[0] == 'fault']
    assert not errors, errors
    # every acknowledged order is stored; unacknowledged ones may be too
    assert after - before >= sum(r[0] == 'ok' for r in results)
    # and the restarted server takes new orders
    proxy = server.xmlrpc()
    context = proxy.model.res.user.get_preferences(True, {})
    assert _create_order(proxy, server, context)


def test_f2_restart_postgresql_under_load(server, cluster):
    before = _check_whole(server)
    postmaster = _postmaster_pid(cluster)
    results, window = _run_load(server, cluster.restart)
    after = _check_whole(server)
    _assert_met_load(results, window)
    # PostgreSQL did restart under the calls; trytond may hide it entirely
    # (database.retry replays a transaction whose connection was
    # terminated), so no failed call is required, only that none was lost
    assert _postmaster_pid(cluster) != postmaster
    assert after - before >= sum(r[0] == 'ok' for r in results)
    # the calls the restart broke fail with the database's own words (the
    # server answers; nothing but the connection is reported)
    for kind, _, _, text in results:
        if kind == 'fault':
            assert text.startswith('255 ') and any(word in text.lower()
                for word in DATABASE_WORDS), text
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
