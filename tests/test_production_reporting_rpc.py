# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""production_reporting over XML-RPC on PostgreSQL: the documented calls,
the context filters, the access of a user outside the groups, a second
company and a forged context company, bad context values."""
import datetime as dt
import xmlrpc.client
from decimal import Decimal

import pytest

from tests.checks import make_user, other_company, refused, xml_refused

PASSWORD = 'reporting-2026-password'

FIELDS = ['production', 'picking_progress', 'output_progress', 'days_late',
    'late', 'state']


@pytest.fixture(scope='module')
def server(make_server):
    server = make_server('test_production_reporting_rpc',
        ['production_reporting'])
    config = server.proteus()
    _setup(config)
    return server


def _setup(config):
    from proteus import Model

    from trytond.modules.company.tests.tools import create_company

    create_company(config=config)
    User = Model.get('res.user')
    admin, = User.find([('login', '=', 'admin')])
    config._context = User.get_preferences(True, {})
    today = dt.date.today()
    Uom = Model.get('product.uom')
    unit, = Uom.find([('name', '=', 'Unit')])
    Template = Model.get('product.template')
    template = Template(name="Cabinet", default_uom=unit, type='goods',
        producible=True, list_price=Decimal(100))
    template.save()
    product, = template.products
    template = Template(name="Panel", default_uom=unit, type='goods',
        list_price=Decimal(10))
    template.save()
    component, = template.products
    Bom = Model.get('production.bom')
    bom = Bom(name="Cabinet")
    bom.inputs.new(product=component, quantity=2)
    bom.outputs.new(product=product, quantity=1)
    bom.save()
    Production = Model.get('production')
    for days, quantity in [(-3, 5), (5, 7)]:
        production = Production()
        production.product = product
        production.bom = bom
        production.quantity = quantity
        production.planned_date = today + dt.timedelta(days=days)
        production.planned_start_date = today + dt.timedelta(days=days - 2)
        production.click('wait')
    Group = Model.get('res.group')
    User(login='outsider', name="Outsider", password='outsider-2026',
        groups=[g for g in Group.find([('name', '=', 'Administration')])]
        ).save()
    Company = Model.get('company.company')
    company1, = Company.find([])
    company2 = other_company(company1)
    for login, company in [('planner1', company1), ('planner2', company2)]:
        make_user(login, ["Production"], company, language=None,
            password=PASSWORD)

def test_documented_calls(server):
    """The XML-RPC example of addons/production_reporting/doc/index.rst
    answers numbers"""
    s = server.xmlrpc('admin', 'admin')
    ctx = s.model.res.user.get_preferences(True, {})
    rows = s.model.production.reporting.tracking.search_read(
        [('late', '=', True)], 0, None, None, FIELDS, ctx)
    assert [(r['days_late'], r['late'], r['state'], r['picking_progress'])
        for r in rows] == [(3, True, 'waiting', 0.0)]
    warnings = s.model.production.reporting.warning.search_read(
        [], 0, None, None, ['kind', 'count'], ctx)
    assert {w['kind']: w['count'] for w in warnings} == {
        'late': 1, 'not_kitted': 2, 'at_risk': 0}
    all_rows = s.model.production.reporting.tracking.search_read(
        [], 0, None, None, FIELDS, ctx)
    assert sorted(r['days_late'] for r in all_rows) == [0, 3]


def test_context_filters(server):
    "The context filters by product and the slow-moving days"
    s = server.xmlrpc('admin', 'admin')
    ctx = s.model.res.user.get_preferences(True, {})
    panel, = s.model.product.product.search(
        [('name', '=', "Panel")], 0, None, None, ctx)
    ctx_panel = dict(ctx, product=panel)
    assert s.model.production.reporting.tracking.search_read(
        [], 0, None, None, FIELDS, ctx_panel) == []
    ctx_slow = dict(ctx, days=180)
    assert s.model.production.reporting.slow_moving.search_read(
        [], 0, None, None, ['quantity'], ctx_slow) == []


def test_outsider_has_no_access(server):
    "A user without the production group cannot read the tracking"
    s = server.xmlrpc('outsider', 'outsider-2026')
    ctx = s.model.res.user.get_preferences(True, {})
    with pytest.raises(xmlrpc.client.Fault) as info:
        s.model.production.reporting.tracking.search_read(
            [], 0, None, None, FIELDS, ctx)
    assert 'access' in str(info.value).lower() or '403' in str(info.value)


def _companies(server):
    s = server.xmlrpc('admin', 'admin')
    return sorted(s.model.company.company.search([], 0, None, None, {}))


def test_second_company(server):
    """Each planner sees their own company's numbers; a company of the
    context that is not the user's is refused and changes nothing"""
    company1, company2 = _companies(server)
    planner1 = server.jsonrpc('planner1', PASSWORD)
    planner2 = server.jsonrpc('planner2', PASSWORD)
    rows = planner1('model.production.reporting.tracking.search_read',
        [], 0, None, None, FIELDS)
    assert sorted(r['days_late'] for r in rows) == [0, 3]
    assert planner2('model.production.reporting.tracking.search_read',
        [], 0, None, None, FIELDS) == []
    warnings = planner2('model.production.reporting.warning.search_read',
        [], 0, None, None, ['kind', 'count'])
    assert {w['kind']: w['count'] for w in warnings} == {
        'late': 0, 'not_kitted': 0, 'at_risk': 0}
    for model in ['tracking', 'warning', 'component', 'output', 'on_time',
            'sale_line', 'slow_moving']:
        refused(planner2,
            'model.production.reporting.%s.search_read' % model,
            [], 0, None, None, ['id'], context={'company': company1},
            says=[str(company1), 'planner2'])
    xml2 = server.xmlrpc('planner2', PASSWORD)
    xml_refused(xml2.model.production.reporting.tracking.search_read,
        [], 0, None, None, FIELDS, {'company': company1},
        says=[str(company1), 'planner2'])
    # planner 1 with their own company in the context: the same numbers
    rows = planner1('model.production.reporting.tracking.search_read',
        [], 0, None, None, FIELDS, context={'company': company1})
    assert sorted(r['days_late'] for r in rows) == [0, 3]
    warnings = planner1('model.production.reporting.warning.search_read',
        [], 0, None, None, ['kind', 'count'])
    assert {w['kind']: w['count'] for w in warnings} == {
        'late': 1, 'not_kitted': 2, 'at_risk': 0}


@pytest.mark.parametrize('key,value,says', [
        ('warehouse', 'WH', ['warehouse', 'WH']),
        ('product', [1], ['product', '[1]']),
        ('customer', True, ['customer', 'True']),
        ('days', 'ninety', ['days', 'ninety']),
        ('days', -1, ['days', '-1']),
        ('weeks', 10 ** 9, ['weeks', str(10 ** 9)]),
        ('date', '2026-13-45', ['date', '2026-13-45']),
        ('date', 'today', ['date', 'today']),
        ('company', 'one', ['one', 'planner1']),
        ])
def test_bad_context(server, key, value, says):
    "A bad context value: a user error naming it, over both protocols"
    planner1 = server.jsonrpc('planner1', PASSWORD)
    for model in ['tracking', 'slow_moving', 'warning']:
        refused(planner1,
            'model.production.reporting.%s.search_read' % model,
            [], 0, None, None, ['id'], context={key: value}, says=says)
    xml1 = server.xmlrpc('planner1', PASSWORD)
    ctx = xml1.model.res.user.get_preferences(True, {})
    ctx[key] = value
    xml_refused(xml1.model.production.reporting.tracking.search_read,
        [], 0, None, None, FIELDS, ctx, says=says)


def test_iso_date_context(server):
    "A date of the context as 'YYYY-MM-DD' (XML-RPC) is a date"
    xml1 = server.xmlrpc('planner1', PASSWORD)
    ctx = xml1.model.res.user.get_preferences(True, {})
    ctx['date'] = dt.date.today().isoformat()
    rows = xml1.model.production.reporting.tracking.search_read(
        [('late', '=', True)], 0, None, None, FIELDS, ctx)
    assert [r['days_late'] for r in rows] == [3]
