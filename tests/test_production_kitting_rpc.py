# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""production_kitting over XML-RPC and JSON-RPC on a real server
(PostgreSQL): the example of addons/production_kitting/doc/index.rst, the
one-click requests without duplicates, access to the button, another
company's orders and a forged context company, and bad arguments."""
import datetime as dt
import math
import threading
import time

import pytest

from tests.checks import (
    assert_integrity, make_user, other_company, refused, run_threads,
    xml_refused)
from tests.kitting_lamp import create_lamp

PASSWORD = 'kitting-2026-password'


@pytest.fixture(scope='module')
def server(make_server):
    server = make_server('test_kitting_rpc', ['production_kitting', 'sale'])
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
    server.ids.update(_second_company(records))
    return server


def _second_company(records):
    """Company 2 with an order of 3 lamps, a planner of each company
    (production, planning and purchase request groups), a clerk of
    company 1 without them, a worker with the production group only and
    a seller with the sales group only"""
    from proteus import Model
    Company = Model.get('company.company')
    company1, = Company.find([])
    company2 = other_company(company1)
    groups = ["Production", "Production Planning", "Purchase Request",
        "Sales"]
    for login, company, user_groups in [
            ('planner1', company1, groups),
            ('planner2', company2, groups),
            ('clerk', company1, []),
            ('worker', company1, groups[:1]),
            ('seller', company1, groups[3:])]:
        make_user(login, user_groups, company, language=None,
            password=PASSWORD)
    # company 2's order, made by its planner
    from proteus import config
    admin_config = config.get_config()
    config.set_xmlrpc(admin_config.url.replace(
            'admin:admin@', 'planner2:%s@' % PASSWORD))
    try:
        Production = Model.get('production')
        production = Production(
            product=Model.get('product.product')(records['lamp'].id),
            bom=Model.get('production.bom')(records['bom'].id), quantity=3)
        assert production.company.id == company2.id
        production.planned_date = dt.date.today() + dt.timedelta(days=5)
        production.click('wait')
    finally:
        config.set_xmlrpc(admin_config.url)
    return {'company1': company1.id, 'company2': company2.id,
        'production2': production.id}


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


def test_documented_dated_call_xmlrpc(server):
    "The doc's dated call: an ISO date string over XML-RPC"
    ids = server.ids
    kitting = server.xmlrpc().model.production.kitting
    # today: the orders' draft issues are planned later
    date = dt.date.today().isoformat()
    assert kitting.buildable([ids['lamp']], ids['warehouse'], date, {}) == {
        str(ids['lamp']): 7.0}
    tree = kitting.explain(ids['lamp'], ids['warehouse'], 8, date, {})
    screw, = [c for c in tree['children'] if c['product'] == ids['screw']]
    assert (screw['required'], screw['short']) == (32.0, 2.0)
    # in 30 days the 36 screws of the order of 9 lamps are issued
    later = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    assert kitting.buildable([ids['lamp']], ids['warehouse'], later, {}) == {
        str(ids['lamp']): 0.0}


def test_request_button_needs_production_group(server):
    "A clerk of company 1 outside the production groups: access error"
    ids = server.ids
    clerk = server.jsonrpc('clerk', PASSWORD)
    message = refused(clerk, 'model.production.kitting_request',
        [ids['production']], says=['kitting_request'])
    # the button's access error, not a company error
    assert 'not allowed' in message or '不允许' in message, message
    assert 'company' not in message.lower() and '公司' not in message, (
        message)
    admin = server.xmlrpc()
    assert admin.model.purchase.request.search_count(
        [('origin', '=', 'production,%s' % ids['production'])], {}) <= 1


def test_engine_is_for_planning(server):
    """The engine's planning methods need the planning group, sale_atp
    the planning or sales group: a production worker and a clerk are
    refused by the model access, a seller by the planning check, before
    any argument is read"""
    ids = server.ids
    calls = [
        ('buildable', [[ids['lamp']], ids['warehouse']]),
        ('explain', [ids['lamp'], ids['warehouse'], 1]),
        ('shortage', [[ids['production']]]),
        ('sale_atp', [[]])]
    for login in ['worker', 'clerk']:
        rpc = server.jsonrpc(login, PASSWORD)
        for method, args in calls:
            refused(rpc, 'model.production.kitting.' + method, *args,
                says=['You are not allowed to access', 'Production Kitting'])
    seller = server.jsonrpc('seller', PASSWORD)
    for method, args in calls[:3]:
        refused(seller, 'model.production.kitting.' + method, *args,
            says=['Only production planners', '"%s"' % method])
    assert seller('model.production.kitting.sale_atp', []) == {}
    # the planner is answered, with the numbers the administrator gets
    planner = server.jsonrpc('planner1', PASSWORD)
    admin = server.jsonrpc()
    got = planner('model.production.kitting.buildable',
        [ids['lamp']], ids['warehouse'])
    assert list(got) == [str(ids['lamp'])], got
    assert got == admin('model.production.kitting.buildable',
        [ids['lamp']], ids['warehouse'])


def test_other_company_refused(server):
    """A planner of company 1 cannot read nor request for company 2's
    order, through any method; planner 2 can"""
    ids = server.ids
    other = ids['production2']
    planner1 = server.jsonrpc('planner1', PASSWORD)
    refused(planner1, 'model.production.kitting.shortage', [other],
        says=['production_ids', str(other)])
    refused(planner1, 'model.production.kitting.shortage',
        [ids['production'], other], says=['production_ids', str(other)])
    xml1 = server.xmlrpc('planner1', PASSWORD)
    xml_refused(xml1.model.production.kitting.shortage, [other], {},
        says=['production_ids', str(other)])
    for button in ['kitting_request', 'kitting_analyse']:
        refused(planner1, 'model.production.' + button, [other])
    admin = server.xmlrpc()
    assert admin.model.purchase.request.search_count(
        [('origin', '=', 'production,%s' % other)], {}) == 0
    planner2 = server.jsonrpc('planner2', PASSWORD)
    shortage = planner2('model.production.kitting.shortage', [other])
    screw, = [l for l in shortage[str(other)]
        if l['product'] == ids['screw']]
    # company 2 has no stock: all 12 screws are short
    assert (screw['required'], screw['free_stock'], screw['short']) == (
        12.0, 0.0, 12.0)


def test_forged_context_company(server):
    """A company in the context that is not the user's is refused; the
    numbers of the user's own company stay the same"""
    ids = server.ids
    planner1 = server.jsonrpc('planner1', PASSWORD)
    planner2 = server.jsonrpc('planner2', PASSWORD)
    forged = {'company': ids['company1']}
    for call, args in [
            ('buildable', [[ids['lamp']], ids['warehouse']]),
            ('explain', [ids['lamp'], ids['warehouse'], 8]),
            ('shortage', [[ids['production2']]]),
            ]:
        refused(planner2, 'model.production.kitting.' + call, *args,
            context=forged, says=[str(ids['company1']), 'planner2'])
    refused(planner2, 'model.production.kitting_request',
        [ids['production2']], context=forged,
        says=[str(ids['company1']), 'planner2'])
    # company 2 has no stock of its own: nothing buildable
    assert planner2('model.production.kitting.buildable',
        [ids['lamp']], ids['warehouse']) == {str(ids['lamp']): 0.0}
    # planner 1's numbers: the same with their own company in the context
    own = {'company': ids['company1']}
    assert planner1('model.production.kitting.buildable',
        [ids['lamp']], ids['warehouse']) == {str(ids['lamp']): 7.0}
    assert planner1('model.production.kitting.buildable',
        [ids['lamp']], ids['warehouse'], context=own) == {
        str(ids['lamp']): 7.0}
    refused(planner1, 'model.production.kitting.buildable',
        [ids['lamp']], ids['warehouse'],
        context={'company': ids['company2']},
        says=[str(ids['company2']), 'planner1'])
    xml2 = server.xmlrpc('planner2', PASSWORD)
    xml_refused(xml2.model.production.kitting.buildable, [ids['lamp']],
        ids['warehouse'], forged, says=[str(ids['company1'])])


BAD = [
    # (method, arguments, words of the message)
    ('buildable', lambda i: [['x'], i['warehouse']], ['product_ids', 'x']),
    ('buildable', lambda i: [i['lamp'], i['warehouse']], ['product_ids']),
    ('buildable', lambda i: [[i['lamp']], 'WH'], ['warehouse_id', 'WH']),
    ('buildable', lambda i: [[i['lamp']], i['lamp']],
        ['warehouse_id', 'i:lamp']),
    ('buildable', lambda i: [[999999], i['warehouse']],
        ['product_ids', '999999']),
    ('buildable', lambda i: [[i['lamp']], i['warehouse'], '2026-13-45'],
        ['date', '2026-13-45']),
    ('buildable', lambda i: [[i['lamp']], i['warehouse'], 'tomorrow'],
        ['date', 'tomorrow']),
    ('explain', lambda i: [i['lamp'], i['warehouse'], 'ten'],
        ['quantity', 'ten']),
    ('explain', lambda i: [i['lamp'], i['warehouse'], -1],
        ['quantity', '-1']),
    ('explain', lambda i: [i['lamp'], i['warehouse'], 1e300],
        ['quantity', '1e+300']),
    ('explain', lambda i: [[i['lamp']], i['warehouse'], 1],
        ['product_id']),
    ('shortage', lambda i: [[999999]], ['production_ids', '999999']),
    ('shortage', lambda i: ['abc'], ['production_ids', 'abc']),
    ('shortage', lambda i: [[{'id': 1}]], ['production_ids']),
    ('sale_atp', lambda i: [[999999]], ['sale_ids', '999999']),
    ('sale_atp', lambda i: [[True]], ['sale_ids', 'True']),
    ]


def _arguments(ids, make):
    args = make(ids)
    return [ids['lamp'] if a == 'i:lamp' else a for a in args]


@pytest.mark.parametrize('method,make,says', BAD)
def test_bad_arguments(server, method, make, says):
    "Each bad argument: a user error naming it, over both protocols"
    ids = server.ids
    args = make(ids)
    says = [str(ids['lamp']) if w == 'i:lamp' else w for w in says]
    planner = server.jsonrpc('planner1', PASSWORD)
    refused(planner, 'model.production.kitting.' + method, *args,
        says=says)
    xml = server.xmlrpc('planner1', PASSWORD)
    xml_refused(getattr(xml.model.production.kitting, method), *args, {},
        says=says)


def test_non_finite_quantities(server):
    """NaN and infinities (JSON-RPC sends them as Python's json does;
    XML-RPC as doubles)"""
    ids = server.ids
    planner = server.jsonrpc('planner1', PASSWORD)
    xml = server.xmlrpc('planner1', PASSWORD)
    for value, text in [(math.nan, 'nan'), (math.inf, 'inf'),
            (-math.inf, '-inf')]:
        refused(planner, 'model.production.kitting.explain',
            ids['lamp'], ids['warehouse'], value, says=['quantity', text])
        xml_refused(xml.model.production.kitting.explain, ids['lamp'],
            ids['warehouse'], value, {}, says=['quantity', text])


def test_concurrent_requests_no_duplicate(server):
    """Two users click 生成请购 on the same order at once, in bounded
    rounds: exactly one set of requests per order"""
    ids = server.ids
    admin = server.xmlrpc()
    sessions = [server.jsonrpc('planner1', PASSWORD) for _ in range(2)]
    deadline = time.monotonic() + 120
    for round_ in range(3):
        assert time.monotonic() < deadline, "rounds took too long"
        production = admin.model.production.copy(
            [ids['production']], {}, {})[0]
        admin.model.production.wait([production], {})
        barrier = threading.Barrier(len(sessions), timeout=30)
        results = [None] * len(sessions)

        def click(i, session, production=production, barrier=barrier,
                results=results):
            try:
                barrier.wait()
                session('model.production.kitting_request', [production])
                results[i] = 'ok'
            except Exception as exception:
                results[i] = exception
        run_threads([lambda i=i, s=s: click(i, s)
                for i, s in enumerate(sessions)])
        # the dispatcher retries a lock conflict: both clicks succeed
        assert results == ['ok', 'ok'], (round_, results)
        requests = admin.model.purchase.request.search_read(
            [('origin', '=', 'production,%s' % production)], 0, None, None,
            ['product', 'quantity', 'state'], {})
        # 9 lamps need 36 screws, 30 free: one request of 6
        assert [(r['product'], r['quantity']) for r in requests] == [
            (ids['screw'], 6.0)], (round_, requests)
        productions = admin.model.production.search_count(
            [('origin', '=', 'production,%s' % production)], {})
        assert productions == 0, round_
        assert_integrity(server)
