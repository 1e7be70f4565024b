# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""production_reporting over XML-RPC on PostgreSQL: the documented calls,
the context filters and the access of a user outside the groups."""
import datetime as dt
import xmlrpc.client
from decimal import Decimal

import pytest

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


def test_documented_calls(server):
    "The XML-RPC example of doc/production_reporting.md answers numbers"
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
