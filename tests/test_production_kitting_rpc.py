# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""production_kitting over XML-RPC and JSON-RPC on a real server
(PostgreSQL): the example of doc/production_kitting.md, the one-click
requests without duplicates, and access to the button."""
import datetime as dt
import xmlrpc.client

import pytest

from tests.kitting_lamp import create_lamp


@pytest.fixture(scope='module')
def server(make_server):
    server = make_server('test_kitting_rpc', ['production_kitting'])
    from proteus import Model, config
    config.set_xmlrpc('http://admin:admin@127.0.0.1:%s/%s/rpc/' % (
            server.port, server.database))

    records = create_lamp()
    lamp, bom = records['lamp'], records['bom']
    production = Model.get('production')(product=lamp, bom=bom, quantity=9)
    production.planned_date = dt.date.today() + dt.timedelta(days=5)
    production.click('wait')
    server.ids = {k: r.id for k, r in records.items()}
    server.ids['production'] = production.id
    return server


def test_buildable_and_explain_xmlrpc(server):
    ids = server.ids
    kitting = server.xmlrpc().model.production.kitting
    # 30 screws / 4 = 7.5 -> 7 lamps; 10 bulbs
    assert kitting.buildable([ids['lamp']], ids['warehouse'], {}) == {
        str(ids['lamp']): 7.0}
    tree = kitting.explain(ids['lamp'], ids['warehouse'], 8, None, {})
    screw, = [c for c in tree['children'] if c['product'] == ids['screw']]
    assert (screw['required'], screw['from_stock'], screw['short']) == (
        32.0, 30.0, 2.0)


def test_buildable_jsonrpc(server):
    ids = server.ids
    session = server.jsonrpc()
    assert session('model.production.kitting.buildable',
        [ids['lamp']], ids['warehouse']) == {str(ids['lamp']): 7.0}


def test_shortage_and_requests_once(server):
    ids = server.ids
    proxy = server.xmlrpc()
    shortage = proxy.model.production.kitting.shortage(
        [ids['production']], {})[str(ids['production'])]
    screw, = [l for l in shortage if l['product'] == ids['screw']]
    # 9 lamps need 36 screws, 30 free
    assert (screw['required'], screw['free_stock'], screw['short'],
        screw['action']) == (36.0, 30.0, 6.0, 'purchase')
    proxy.model.production.kitting_request([ids['production']], {})
    proxy.model.production.kitting_request([ids['production']], {})
    requests = proxy.model.purchase.request.search_read(
        [], 0, None, None, ['product', 'quantity', 'origin'], {})
    assert [(r['product'], r['quantity']) for r in requests] == [
        (ids['screw'], 6.0)]
    assert requests[0]['origin'] == 'production,%s' % ids['production']


def test_request_button_needs_production_group(server):
    ids = server.ids
    admin = server.xmlrpc()
    admin.model.res.user.create([{
                'login': 'clerk', 'name': "Clerk",
                'password': 'clerk-2026-password',
                }], {})
    clerk = server.xmlrpc('clerk', 'clerk-2026-password')
    with pytest.raises(xmlrpc.client.Fault):
        clerk.model.production.kitting_request([ids['production']], {})


def test_concurrent_requests_no_duplicate(server):
    "Two users click 生成请购 on the same order at once: one request"
    import threading

    ids = server.ids
    admin = server.xmlrpc()
    production = admin.model.production.copy(
        [ids['production']], {}, {})[0]
    admin.model.production.wait([production], {})
    sessions = [server.jsonrpc() for _ in range(2)]
    errors = []

    def click(session):
        try:
            session('model.production.kitting_request', [production])
        except Exception as exception:  # the loser may get a lock error
            errors.append(exception)
    threads = [threading.Thread(target=click, args=(s,)) for s in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    requests = admin.model.purchase.request.search_read(
        [('origin', '=', 'production,%s' % production)], 0, None, None,
        ['product', 'quantity'], {})
    assert [(r['product'], r['quantity']) for r in requests] == [
        (ids['screw'], 6.0)], errors
