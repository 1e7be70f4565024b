# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Engineering change orders (工程变更单) against a real trytond on
PostgreSQL, over JSON-RPC: two orders on the same BOM applied at once by two
approvers (the second one lands on the new version, nothing is lost), the
requester refused as approver, the roles of the buttons."""
import datetime as dt
from decimal import Decimal

import pytest

from tests import checks
from tests.checks import admin_company, at_once, make_user, refused

MODULES = ['production_bom_engineering']
CHANGE = 'model.production.bom.change.'


@pytest.fixture(scope='module')
def env(make_server):
    server = make_server('test_bom_eng_rpc', MODULES,
        extra_config={'database.retry': '40'})
    from proteus import Model
    config, company = admin_company(server)
    users = {login: make_user(login, groups + ["Production"], company,
            language=None)
        for login, groups in [
            ('engineer', ["BOM Engineer"]),
            ('chief', ["BOM Engineer", "ECN Approver"]),
            ('approver', ["ECN Approver"]),
            ('approver2', ["ECN Approver"])]}
    products = _products(Model)
    return dict(server=server, users=users, products=products,
        bom=_bom(Model, products))


def _products(Model):
    ProductTemplate = Model.get('product.template')
    UoM = Model.get('product.uom')
    unit, = UoM.find([('name', '=', "Unit")])
    products = {}
    for name, producible in [("钢管 Φ25", False), ("钢管 Φ22", False),
            ("螺丝", False), ("车架", True)]:
        template = ProductTemplate(name=name, default_uom=unit,
            type='goods', producible=producible, list_price=Decimal(1))
        template.save()
        products[name] = template.products[0].id
    return products


def _bom(Model, products):
    "The frame's BOM V1, active: 4 Φ25 tubes and 8 screws"
    BOM = Model.get('production.bom')
    Product = Model.get('product.product')
    bom = BOM(name="车架")
    for name, quantity in [("钢管 Φ25", 4), ("螺丝", 8)]:
        bom.inputs.new(product=Product(products[name]), quantity=quantity)
    bom.outputs.new(product=Product(products["车架"]), quantity=1)
    bom.save()
    frame = Product(products["车架"])
    frame.boms.new(bom=bom)
    frame.save()
    bom.click('activate')
    return bom.id


def session(env, login):
    return checks.session(env['server'], login)


def draft_change(env, login, bom, line, date):
    rpc = session(env, login)
    change, = rpc(CHANGE + 'create', [{
                'reason': "RPC test",
                'effective_date': date.isoformat(),
                'boms': [['add', [bom]]],
                'lines': [['create', [line]]],
                }])
    rpc(CHANGE + 'submit', [change])
    return change


def frame_versions(env):
    "[(version, state, {product name: quantity})] of the frame's family"
    admin = session(env, 'admin')
    names = {v: k for k, v in env['products'].items()}
    boms = admin('model.production.bom.search_read',
        ['OR', ('id', '=', env['bom']), ('family', '=', env['bom'])],
        0, None, [('id', 'ASC')], ['version', 'state', 'inputs'])
    result = []
    for bom in boms:
        inputs = admin('model.production.bom.input.read', bom['inputs'],
            ['product', 'quantity'])
        result.append((bom['version'], bom['state'],
                {names[i['product']]: i['quantity'] for i in inputs}))
    return result


def test_self_approval_refused(env):
    "The requester may not approve his own order; both names are given"
    date = dt.date.today() + dt.timedelta(days=30)
    change = draft_change(env, 'chief', env['bom'], {
            'action': 'quantity', 'product': env['products']["螺丝"],
            'quantity': 9}, date)
    chief = session(env, 'chief')
    message = refused(chief, CHANGE + 'approve', [change],
        says=['"chief"', chief(CHANGE + 'read', [change], ['number'])[0][
                'number']])
    assert 'approved by another person' in message
    state, = chief(CHANGE + 'read', [change], ['state'])
    assert state['state'] == 'submitted'
    # an engineer may not approve at all (button groups)
    refused(session(env, 'engineer'), CHANGE + 'approve', [change],
        says='approve')
    chief(CHANGE + 'draft', [change])
    chief(CHANGE + 'delete', [change])


def test_bad_ratio_refused_nothing_written(env):
    engineer = session(env, 'engineer')
    before = engineer(CHANGE + 'search_count', [])
    refused(engineer, CHANGE + 'create', [{
                'reason': "bad ratio",
                'effective_date': dt.date.today().isoformat(),
                'lines': [['create', [{
                                'action': 'replace',
                                'product': env['products']["钢管 Φ25"],
                                'new_product': env['products']["钢管 Φ22"],
                                'ratio': -1}]]],
                }], kind='UserError', says=['-1', '钢管 Φ25'])
    assert engineer(CHANGE + 'search_count', []) == before


def test_two_changes_on_one_bom_applied_at_once(env):
    """Two approved orders on version V1 applied by two approvers at the
    same moment: one makes V2, the other lands on V2 and makes V3 with
    both changes; V1 used until the date, V2 never (obsolete at once),
    nothing lost"""
    date = dt.date.today() + dt.timedelta(days=7)
    products = env['products']
    replace = draft_change(env, 'engineer', env['bom'], {
            'action': 'replace', 'product': products["钢管 Φ25"],
            'new_product': products["钢管 Φ22"], 'ratio': 1.0}, date)
    screws = draft_change(env, 'engineer', env['bom'], {
            'action': 'quantity', 'product': products["螺丝"],
            'quantity': 10}, date)
    approver = session(env, 'approver')
    approver(CHANGE + 'approve', [replace, screws])
    sessions = [session(env, 'approver'), session(env, 'approver2')]
    errors = at_once([(rpc, CHANGE + 'apply', [change])
            for rpc, change in zip(sessions, [replace, screws])])
    assert errors == []
    versions = frame_versions(env)
    assert [(v, s) for v, s, _ in versions] == [
        ('V1', 'active'), ('V2', 'obsolete'), ('V3', 'active')]
    assert versions[0][2] == {"钢管 Φ25": 4, "螺丝": 8}
    assert versions[2][2] == {"钢管 Φ22": 4, "螺丝": 10}
    states = approver(CHANGE + 'read', [replace, screws],
        ['state', 'new_boms'])
    assert [s['state'] for s in states] == ['applied', 'applied']
    assert all(len(s['new_boms']) == 1 for s in states)


def test_client_cannot_skip_the_steps(env):
    """A client writing the state, the approver or the requester, or
    changing a submitted order, its lines or its BOMs, is refused and
    nothing is written"""
    date = dt.date.today() + dt.timedelta(days=60)
    products = env['products']
    engineer = session(env, 'engineer')
    users = session(env, 'admin')(
        'model.res.user.search', [('login', '=', 'approver')])
    line = {'action': 'quantity', 'product': products["螺丝"], 'quantity': 7}
    # (an order created approved: its lines are refused first)
    for extra, says in [({'state': 'approved'}, 'is Approved'),
            ({'approved_by': users[0]}, 'set by its steps'),
            ({'requested_by': users[0]}, 'set by its steps')]:
        before = engineer(CHANGE + 'search_count', [])
        refused(engineer, CHANGE + 'create', [{
                    'reason': "skip", 'effective_date': date.isoformat(),
                    'boms': [['add', [env['bom']]]],
                    'lines': [['create', [line]]], **extra}],
            says=says)
        assert engineer(CHANGE + 'search_count', []) == before
    change = draft_change(env, 'engineer', env['bom'], line, date)
    # a draft order's step fields are not written either
    refused(engineer, CHANGE + 'write', [change], {'state': 'draft'},
        says='set by its steps')
    approver = session(env, 'approver')
    refused(approver, CHANGE + 'write', [change], {'state': 'approved'},
        says='set by its steps')
    refused(approver, CHANGE + 'write', [change],
        {'approved_by': users[0]}, says='set by its steps')
    # submitted: neither the order nor its lines nor its BOMs change
    refused(engineer, CHANGE + 'write', [change], {'reason': "changed"},
        says=['is Submitted', 'set it back to draft'])
    line_id, = engineer(CHANGE + 'read', [change], ['lines'])[0]['lines']
    refused(engineer, CHANGE + 'line.write', [line_id], {'quantity': 70},
        says='is Submitted')
    refused(engineer, CHANGE + 'line.create', [{**line, 'change': change}],
        says='is Submitted')
    refused(engineer, CHANGE + 'line.delete', [line_id],
        says='is Submitted')
    refused(engineer, CHANGE + 'write', [change],
        {'boms': [['remove', [env['bom']]]]}, says='is Submitted')
    order, = engineer(CHANGE + 'read', [change],
        ['state', 'reason', 'approved_by', 'lines', 'boms'])
    assert (order['state'], order['reason'], order['approved_by']) == (
        'submitted', "RPC test", None)
    assert order['lines'] == [line_id] and order['boms'] == [env['bom']]
    quantity, = engineer(CHANGE + 'line.read', [line_id], ['quantity'])
    assert quantity['quantity'] == 7
    # back to draft, the engineer may change it again
    engineer(CHANGE + 'draft', [change])
    engineer(CHANGE + 'line.write', [line_id], {'quantity': 6})
    engineer(CHANGE + 'write', [change], {'reason': "changed"})
    engineer(CHANGE + 'delete', [change])
