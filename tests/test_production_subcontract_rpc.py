# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Subcontracting (委外加工) against a real trytond on PostgreSQL, over
JSON-RPC.

Two storekeepers receive finished goods of two orders of the same
subcontractor at once when the material held there covers only one;
bad input; what only the server sets; roles.  Every loop is bounded in
count and time and talks only to 127.0.0.1.
"""
import pytest

from tests import checks
from tests.checks import (
    admin_company, assert_integrity, error_parts, make_user)
from tests.checks import at_once as run_at_once
from tests.test_production_subcontract_qc_rpc import _products
from tools.server import RPCError

MODULES = ['production_subcontract']
RECEIPT = 'model.production.subcontract.receipt.'


@pytest.fixture(scope='module')
def env(make_server):
    server = make_server(
        'test_subcontract_rpc', MODULES,
        extra_config={'database.retry': '40'})
    from proteus import Model
    config, company = admin_company(server)
    Party = Model.get('party.party')
    Production = Model.get('production')
    Shipment = Model.get('stock.shipment.internal')
    UoM = Model.get('product.uom')

    users = {login: make_user(login, groups, company)
        for login, groups in [
            ('storekeeper', ["Storekeeper", "Production"]),
            ('planner', ["Production", "Stock"]),
            ]}

    frame, tube, bom, storage = _products(Model)
    kg = UoM(tube.default_uom.id)
    supplier = Party(name="华通五金")
    supplier.save()

    def order(quantity, sent):
        "A waiting order of the supplier with sent kg of tube sent to it"
        production = Production(product=frame, bom=bom, quantity=quantity,
            subcontractor=supplier)
        production.click('wait')
        supplier.reload()
        location = supplier.subcontract_location
        shipment = Shipment(subcontract_kind='send',
            subcontract_production=production,
            from_location=storage, to_location=location)
        shipment.moves.new(product=tube, quantity=sent, unit=kg,
            from_location=storage, to_location=location)
        shipment.click('wait')
        shipment.click('assign_try')
        shipment.click('do')
        return production.id

    return dict(server=server, users=users, order=order, tube=tube.id,
        supplier=supplier.id, company=company.id, storage=storage.id)


def session(env, login):
    return checks.session(env['server'], login)


def location(env):
    admin = session(env, 'admin')
    party, = admin('model.party.party.read', [env['supplier']],
        ['subcontract_location'])
    return party['subcontract_location']


def held(env):
    admin = session(env, 'admin')
    product, = admin('model.product.product.read', [env['tube']],
        ['quantity'], context={'locations': [location(env)]})
    return product['quantity']


def test_two_receipts_same_material(env):
    """One order of 120 frames sent 101.2 kg; two receipts of 60 frames
    each need 61.2 kg: one consumes, the other is refused with the numbers
    (the order has 40 kg left there), neither the order nor the supplier
    ever goes below zero"""
    order = env['order'](120, 101.2)
    before = held(env)
    sessions = [session(env, 'storekeeper') for _ in range(2)]
    receipts = [rpc(RECEIPT + 'create', [{
                    'production': order, 'quantity': 60,
                    'company': env['company']}])[0]
        for rpc in sessions]
    errors = run_at_once([(rpc, RECEIPT + 'do', [r])
            for rpc, r in zip(sessions, receipts)])
    assert len(errors) == 1, errors
    assert '华通五金' in errors[0] and '61.2' in errors[0], errors
    assert abs(held(env) - (before - 61.2)) < 1e-6
    states = sorted(r['state'] for r in session(env, 'admin')(
            RECEIPT + 'read', receipts, ['state']))
    assert states == ['done', 'draft']
    assert_integrity(env['server'])


def test_bad_input(env):
    "A receipt of 0, a negative or a fractional unit is refused, no moves"
    production = env['order'](5, 5.1)
    rpc = session(env, 'storekeeper')
    for quantity in [0, -1, 0.5]:
        with pytest.raises(RPCError):
            receipt, = rpc(RECEIPT + 'create', [{
                        'production': production, 'quantity': quantity,
                        'company': env['company']}])
            rpc(RECEIPT + 'do', [receipt])
    moves = session(env, 'admin')('model.stock.move.search', [
            ('subcontract_production', '=', production),
            ('subcontract_kind', '=', 'consume'),
            ], 0, None, None)
    assert moves == []


def test_server_fields(env):
    "Not even the administrator sets a subcontractor's location or tags a move"
    rpc = session(env, 'admin')
    with pytest.raises(RPCError) as info:
        rpc('model.party.party.write', [env['supplier']],
            {'subcontract_location': env['storage']})
    assert 'server only' in error_parts(info.value)[1]
    assert location(env) != env['storage']
    move, = rpc('model.stock.move.search', [
            ('subcontract_kind', '=', 'send')], 0, 1, None)
    with pytest.raises(RPCError) as info:
        rpc('model.stock.move.write', [move], {'subcontract_kind': 'return'})
    assert 'server only' in error_parts(info.value)[1]


def test_roles(env):
    "The planner cannot receive: the storekeeper's button"
    production = env['order'](2, 2.04)
    storekeeper, planner = session(env, 'storekeeper'), session(env,
        'planner')
    receipt, = storekeeper(RECEIPT + 'create', [{
                'production': production, 'quantity': 2,
                'company': env['company']}])
    with pytest.raises(RPCError):
        planner(RECEIPT + 'do', [receipt])
    storekeeper(RECEIPT + 'do', [receipt])
    state, = storekeeper(RECEIPT + 'read', [receipt], ['state'])
    assert state['state'] == 'done'
