# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""production_mrp over XML-RPC on a real server (PostgreSQL): two runs of
one warehouse at once leave one set of suggestions (C7), bad arguments are
refused with nothing written, only planners plan, and a user works for
their own company only."""
import datetime as dt
import threading
import time
import xmlrpc.client
from collections import Counter

import pytest

from tests.checks import make_user, other_company, run_threads, xml_refused

PASSWORD = 'mrp-2026-password'
# enough demand for a run to take a noticeable time
FINISHED, RAW, MOVES_PER_PRODUCT = 150, 30, 4


def method(proxy, name):
    "The XML-RPC method of a model name (dots and hyphens allowed)"
    return getattr(proxy, 'model.%s' % name)


@pytest.fixture(scope='module')
def server(make_server):
    server = make_server('test_mrp_rpc', ['production_mrp', 'sale'])
    from proteus import Model, config
    config.set_xmlrpc('http://admin:admin@127.0.0.1:%s/%s/rpc/' % (
            server.port, server.database))
    from trytond.modules.company.tests.tools import create_company
    create_company()
    company1, = Model.get('company.company').find([])
    ids = {'company1': company1.id}
    ids.update(_factory(server, company1))
    ids.update(_users(company1))
    server.ids = ids
    return server


def _factory(server, company):
    """FINISHED products, each made of 3 of RAW bought products, each sold
    MOVES_PER_PRODUCT times over the next 30 days (draft moves)"""
    admin = server.xmlrpc()
    context = admin.model.res.user.get_preferences(True, {})
    unit, = admin.model.product.uom.search([('symbol', '=', 'u')], 0, None,
        None, context)
    Location = method(admin, 'stock.location')
    warehouse, = Location.search([('code', '=', 'WH')], 0, None, None,
        context)
    customer, = Location.search([('code', '=', 'CUS')], 0, None, None,
        context)
    warehouse_values, = Location.read([warehouse],
        ['storage_location', 'output_location'], context)

    def create_products(prefix, number, **values):
        templates = method(admin, 'product.template').create([dict({
                        'name': '%s%03d' % (prefix, i),
                        'code': '%s%03d' % (prefix, i),
                        'type': 'goods', 'default_uom': unit,
                        'products': [['create', [{}]]],
                        }, **values) for i in range(number)], context)
        return method(admin, 'product.product').search(
            [('template', 'in', templates)], 0, None, [('id', 'ASC')],
            context)
    raws = create_products('R', RAW, purchasable=True, purchase_uom=unit)
    finished = create_products('F', FINISHED, producible=True)
    boms = method(admin, 'production.bom').create([{
                'name': 'F%03d' % i,
                'inputs': [['create', [{
                                'product': raws[(i + k * 7) % RAW],
                                'quantity': 1 + k, 'unit': unit,
                                } for k in range(3)]]],
                'outputs': [['create', [{
                                'product': product, 'quantity': 1,
                                'unit': unit,
                                }]]],
                } for i, product in enumerate(finished)], context)
    method(admin, 'product.product-production.bom').create([
            {'product': p, 'bom': b} for p, b in zip(finished, boms)],
        context)
    today = dt.date.today()
    method(admin, 'stock.move').create([{
                'product': product, 'unit': unit, 'quantity': 1 + (i + k) % 5,
                'from_location': warehouse_values['output_location'],
                'to_location': customer,
                'planned_date': (
                    today + dt.timedelta(days=(i * 3 + k * 7) % 30)
                    ).isoformat(),
                'company': company.id, 'unit_price': '1',
                'currency': company.currency.id,
                } for i, product in enumerate(finished)
            for k in range(MOVES_PER_PRODUCT)], context)
    return {'warehouse': warehouse, 'customer': customer,
        'storage': warehouse_values['storage_location'],
        'output': warehouse_values['output_location'], 'unit': unit,
        'currency': company.currency.id,
        'raws': raws, 'finished': finished}


def _users(company1):
    """Company 2, a planner of each company (production, planning,
    purchase request and sales groups), a production worker (production
    group only) and a clerk of company 1 without any group"""
    company2 = other_company(company1)
    groups = ["Production", "Production Planning", "Purchase Request",
        "Sales"]
    for login, company, user_groups in [
            ('planner1', company1, groups),
            ('planner2', company2, groups),
            ('worker', company1, groups[:1]),
            ('clerk', company1, [])]:
        make_user(login, user_groups, company, language=None,
            password=PASSWORD)
    return {'company2': company2.id}


def counts(server):
    "The rows of the runs, suggestions and pegs (as admin)"
    admin = server.xmlrpc()
    return tuple(method(admin, model).search_count([], {}) for model in [
            'production.mrp.run', 'production.mrp.suggestion',
            'production.mrp.peg', 'production.mrp.exception'])


def proposed(server, warehouse, user=None):
    """The proposed suggestions of the warehouse that user (admin by
    default, of company 1) sees"""
    user = user or server.xmlrpc()
    return method(user, 'production.mrp.suggestion').search_read(
        [('warehouse', '=', warehouse), ('state', '=', 'proposed')],
        0, None, None, ['product', 'need_date', 'run', 'quantity', 'kind',
            'company'], {})


def signature(suggestions):
    "What a run suggests, without ids"
    return sorted((s['product'], str(s['need_date']), s['kind'],
            s['quantity']) for s in suggestions)


def test_plan_once(server):
    "A planner's run suggests every finished product and raw material"
    ids = server.ids
    planner = server.xmlrpc('planner1', PASSWORD)
    started = time.monotonic()
    run = method(planner, 'production.mrp.run').plan(
        ids['warehouse'], None, None, {})
    elapsed = time.monotonic() - started
    values, = method(planner, 'production.mrp.run').read([run],
        ['state', 'production_count', 'purchase_count', 'duration'], {})
    assert values['state'] == 'done'
    suggestions = proposed(server, ids['warehouse'])
    products = {s['product'] for s in suggestions}
    assert set(ids['finished']) <= products
    assert set(ids['raws']) <= products
    assert values['production_count'] + values['purchase_count'] == len(
        suggestions)
    # a run lasts long enough for a second call to meet it
    assert elapsed > 0.2, elapsed
    server.single = signature(suggestions)


def test_two_runs_at_once(server):
    """C7: two plans of one warehouse at once, in bounded rounds: one set
    of proposed suggestions, the refused call told the warehouse is
    computing"""
    ids = server.ids
    if not getattr(server, 'single', None):
        test_plan_once(server)
    single = server.single
    sessions = [server.xmlrpc('planner1', PASSWORD) for _ in range(2)]
    deadline = time.monotonic() + 240
    refusals = 0
    for round_ in range(4):
        assert time.monotonic() < deadline, "rounds took too long"
        runs_before = counts(server)[0]
        barrier = threading.Barrier(len(sessions), timeout=30)
        results = [None] * len(sessions)

        spans = [None] * len(sessions)

        def plan(i, session, barrier=barrier, results=results, spans=spans):
            try:
                barrier.wait()
                start = time.monotonic()
                try:
                    results[i] = method(session, 'production.mrp.run').plan(
                        ids['warehouse'], None, None, {})
                finally:
                    spans[i] = (start, time.monotonic())
            except Exception as exception:
                results[i] = exception
        run_threads([lambda i=i, s=s: plan(i, s)
                for i, s in enumerate(sessions)])
        print("C7 round", round_, [(round(a - spans[0][0], 3),
                    round(b - spans[0][0], 3)) for a, b in spans],
            [r if isinstance(r, int) else str(r)[:80] for r in results])
        # the two calls were at the server at once
        (a1, b1), (a2, b2) = spans
        assert a1 < b2 and a2 < b1, (round_, spans)
        done = [r for r in results if isinstance(r, int)]
        failed = [r for r in results if not isinstance(r, int)]
        assert done, (round_, results)
        for fault in failed:
            assert isinstance(fault, xmlrpc.client.Fault), (round_, fault)
            assert fault.faultCode == 1, (round_, fault.faultString)
            assert 'MRP' in fault.faultString, fault.faultString
            assert 'computing' in fault.faultString or (
                '运算' in fault.faultString), fault.faultString
            refusals += 1
        suggestions = proposed(server, ids['warehouse'])
        keys = Counter((s['product'], str(s['need_date']))
            for s in suggestions)
        assert [k for k, n in keys.items() if n > 1] == [], round_
        # all of one run, the last one, and as many as a single run makes
        assert {s['run'] for s in suggestions} == {max(done)}, round_
        assert signature(suggestions) == single, round_
        # the refused call wrote no run
        assert counts(server)[0] == runs_before + len(done), round_
        runs = method(server.xmlrpc(), 'production.mrp.run').read(
            done, ['state'], {})
        assert {r['state'] for r in runs} == {'done'}, round_
    print("C7: %s of 4 rounds refused a second run" % refusals)


BAD = [
    # (arguments, words of the message)
    (lambda i: [i['warehouse'], -1, None], ['-1']),
    (lambda i: [i['warehouse'], 'abc', None], ['abc']),
    (lambda i: [i['warehouse'], 10 ** 9, None], [str(10 ** 9)]),
    (lambda i: [i['warehouse'], 1.5, None], ['1.5']),
    (lambda i: [i['warehouse'], 30, '2026-13-45'], ['date', '2026-13-45']),
    (lambda i: [i['storage'], None, None], ['warehouse_id', 'i:storage']),
    (lambda i: [i['customer'], None, None], ['warehouse_id', 'i:customer']),
    (lambda i: [999999, None, None], ['warehouse_id', '999999']),
    (lambda i: ['WH', None, None], ['warehouse_id', 'WH']),
    (lambda i: [str(i['warehouse']), None, None], ['warehouse_id']),
    (lambda i: [True, None, None], ['warehouse_id', 'True']),
    (lambda i: [[i['warehouse']], None, None], ['warehouse_id']),
    ]


@pytest.mark.parametrize('make,says', BAD)
def test_bad_arguments(server, make, says):
    "Each bad argument: a user error naming it, nothing written"
    ids = server.ids
    says = [str(ids[w[2:]]) if w.startswith('i:') else w for w in says]
    before = counts(server)
    planner = server.xmlrpc('planner1', PASSWORD)
    xml_refused(method(planner, 'production.mrp.run').plan, *make(ids), {},
        says=says)
    assert counts(server) == before


def _draft_run(server, company, login='admin', password='admin'):
    user = server.xmlrpc(login, password)
    context = {'company': company}
    run, = method(user, 'production.mrp.run').create([{
                'warehouse': server.ids['warehouse'], 'horizon': 30,
                }], context)
    return run


def test_planning_group_only(server):
    """A production worker and a clerk can neither plan nor compute; a
    planner can"""
    ids = server.ids
    before = counts(server)
    run = _draft_run(server, ids['company1'])
    for login in ['worker', 'clerk']:
        user = server.xmlrpc(login, PASSWORD)
        Run = method(user, 'production.mrp.run')
        message = xml_refused(Run.plan, ids['warehouse'], None, None, {})
        assert 'not allowed' in message or '不允许' in message, message
        message = xml_refused(Run.compute, [run], {})
        assert 'not allowed' in message or '不允许' in message, message
    admin = method(server.xmlrpc(), 'production.mrp.run')
    assert admin.read([run], ['state'], {})[0]['state'] == 'draft'
    assert counts(server)[0] == before[0] + 1
    planner = method(server.xmlrpc('planner1', PASSWORD),
        'production.mrp.run')
    planner.compute([run], {})
    assert admin.read([run], ['state'], {})[0]['state'] == 'done'
    assert planner.plan(ids['warehouse'], 30, None, {})


def test_other_company(server):
    """Locations have no company in Tryton: a run belongs to the planner's
    company and reads that company's demand only.  A planner cannot plan
    for another company through the context, nor compute its runs; the
    other company's run leaves this company's suggestions alone."""
    ids = server.ids
    planner1 = server.xmlrpc('planner1', PASSWORD)
    planner2 = server.xmlrpc('planner2', PASSWORD)
    Run1 = method(planner1, 'production.mrp.run')
    Run2 = method(planner2, 'production.mrp.run')
    Run1.plan(ids['warehouse'], 30, None, {})
    mine = signature(proposed(server, ids['warehouse']))
    assert mine
    before = counts(server)
    xml_refused(Run1.plan, ids['warehouse'], 30, None,
        {'company': ids['company2']}, says=[str(ids['company2'])])
    assert counts(server) == before
    # company 2 sells 3 of the first product: its run plans that only
    finished, raws = ids['finished'][0], ids['raws']
    method(planner2, 'stock.move').create([{
                'product': finished, 'unit': ids['unit'], 'quantity': 3,
                'from_location': ids['output'],
                'to_location': ids['customer'],
                'planned_date': (
                    dt.date.today() + dt.timedelta(days=5)).isoformat(),
                'company': ids['company2'], 'unit_price': '1',
                'currency': ids['currency'],
                }], {})
    run2 = Run2.plan(ids['warehouse'], 30, None, {})
    values, = Run2.read([run2], ['company', 'state'], {})
    assert (values['company'], values['state']) == (ids['company2'], 'done')
    theirs = proposed(server, ids['warehouse'], planner2)
    assert sorted((s['product'], s['kind'], s['quantity'])
        for s in theirs) == sorted([(finished, 'production', 3.0),
            (raws[0], 'purchase', 3.0), (raws[7], 'purchase', 6.0),
            (raws[14], 'purchase', 9.0)])
    assert {s['company'] for s in theirs} == {ids['company2']}
    # company 1's suggestions are still those of its last run
    assert signature(proposed(server, ids['warehouse'])) == mine
    assert {s['company'] for s in proposed(server, ids['warehouse'],
                planner1)} == {ids['company1']}
    # company 2's draft run: planner 1 cannot compute nor read it
    draft2 = _draft_run(server, ids['company2'], 'planner2', PASSWORD)
    xml_refused(Run1.compute, [draft2], {})
    xml_refused(Run1.read, [draft2], ['state'], {})
    assert Run2.read([draft2], ['state'], {})[0]['state'] == 'draft'
