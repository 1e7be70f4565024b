# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""委外入库 through the QC gate, 工序委外 and 委外比价 against a real trytond
on PostgreSQL, over JSON-RPC: every button by each role, bad input that
writes nothing, two sessions at once.  Every loop is bounded in count and
time and talks only to 127.0.0.1.
"""
import datetime as dt
from decimal import Decimal

import pytest

from tests import checks
from tests.checks import at_once as run_at_once
from tests.checks import (
    admin_company, assert_integrity, error_parts, make_user, refused)
from tools.server import RPCError

MODULES = ['production_subcontract']
RECEIPT = 'model.production.subcontract.receipt.'
SHIPMENT = 'model.stock.shipment.internal.'
INSPECTION = 'model.quality.inspection.'
LINE = 'model.quality.inspection.line.'
COMPARE = 'model.production.subcontract.price.compare.start.'
ROLES = {
    'storekeeper': ["Storekeeper", "Stock"],
    'planner': ["Production", "Stock"],
    'qc': ["Quality Inspector", "Stock"],
    'buyer': ["Purchase"],
    'clerk': ["Stock"],
    }


def _users(company):
    "The users of ROLES in the company, in zh_CN"
    return {login: make_user(login, groups, company)
        for login, groups in ROLES.items()}


def _service(Model, config, company):
    "电镀加工费: a purchasable service with its expense account"
    from trytond.modules.account.tests.tools import create_chart, get_accounts
    Category = Model.get('product.category')
    ProductTemplate = Model.get('product.template')
    UoM = Model.get('product.uom')
    create_chart(company, config=config)
    accounts = get_accounts(company, config=config)
    category = Category(name="加工费", accounting=True,
        account_expense=accounts['expense'])
    category.save()
    unit, = UoM.find([('name', '=', "Unit")])
    template = ProductTemplate(name="电镀加工费", type='service',
        default_uom=unit, purchasable=True, purchase_uom=unit,
        account_category=category)
    template.save()
    return template.products[0]


def _prices(Model, service, parties):
    "华通 5.00 from 1 and 4.50 from 100 this month; 永固 4.80 from 1"
    ProductSupplier = Model.get('purchase.product_supplier')
    today = dt.date.today()
    for party, rows in [
            (parties['huatong'], [(1, '5.00', None), (100, '4.50', today)]),
            (parties['yonggu'], [(1, '4.80', None)])]:
        product_supplier = ProductSupplier(
            template=service.template, product=service, party=party)
        for quantity, price, start in rows:
            product_supplier.prices.new(quantity=quantity,
                unit_price=Decimal(price), start_date=start,
                end_date=start + dt.timedelta(days=30) if start else None)
        product_supplier.save()


def _products(Model):
    "车架 made of 1 kg of 钢管 (2 % allowed loss), 1000 kg in storage"
    BOM = Model.get('production.bom')
    Inventory = Model.get('stock.inventory')
    Location = Model.get('stock.location')
    ProductTemplate = Model.get('product.template')
    UoM = Model.get('product.uom')
    unit, = UoM.find([('name', '=', "Unit")])
    kg, = UoM.find([('name', '=', "Kilogram")])
    template = ProductTemplate(name="车架", default_uom=unit, type='goods',
        producible=True)
    template.save()
    frame, = template.products
    template = ProductTemplate(name="钢管", default_uom=kg, type='goods')
    template.save()
    tube, = template.products
    bom = BOM(name="车架")
    input_ = bom.inputs.new(product=tube, quantity=1, unit=kg)
    input_.subcontract_loss = 0.02
    bom.outputs.new(product=frame, quantity=1, unit=unit)
    bom.save()
    storage, = Location.find([('code', '=', 'STO')])
    inventory = Inventory(location=storage)
    inventory.lines.new(product=tube, quantity=1000)
    inventory.click('confirm')
    return frame, tube, bom, storage


def _control(Model, frame):
    "委外入库检验 on the frames received from a subcontractor"
    Control = Model.get('quality.control')
    control = Control(name="委外入库检验", product=frame,
        operations=['production.subcontract.receipt:do'])
    point = control.points.new()
    point.string = "外观"
    point.name = 'look'
    point.type_ = 'boolean'
    control.save()


@pytest.fixture(scope='module')
def env(make_server):
    server = make_server(
        'test_subcontract_qc_rpc', MODULES,
        extra_config={'database.retry': '40'})
    from proteus import Model
    config, company = admin_company(server)
    Party = Model.get('party.party')
    Routing = Model.get('production.routing')
    users = _users(company)
    frame, tube, bom, storage = _products(Model)
    _control(Model, frame)
    service = _service(Model, config, company)
    parties = {}
    for key, name in [('huatong', "华通五金"), ('minghui', "明辉电镀"),
            ('yonggu', "永固")]:
        parties[key] = Party(name=name)
        parties[key].save()
    _prices(Model, service, parties)
    routing = Routing(name="电镀", supplier=parties['minghui'],
        supplier_service=service)
    routing.boms.append(bom)
    routing.save()
    Production = Model.get('production')

    def order(quantity, party, routing_):
        production = Production(product=frame, bom=bom, quantity=quantity)
        if routing_:
            # an outsourced routing makes a 工序委外 order: choosing it
            # never names a subcontractor (整单委外 is the user's choice)
            production.routing = routing
            assert production.subcontractor is None
        else:
            production.subcontractor = Party(parties[party].id)
        production.click('wait')
        return production.id

    return dict(server=server, users=users, company=company.id, order=order,
        frame=frame.id, tube=tube.id, bom=bom.id, storage=storage.id,
        service=service.id, routing=routing.id,
        parties={k: p.id for k, p in parties.items()})


def session(env, login):
    return checks.session(env['server'], login)


def order(env, quantity, party='huatong', routing=False):
    """A waiting order: 整单委外 to party, or 工序委外 on the routing of
    明辉电镀; return its id and the supplier's location"""
    production = env['order'](quantity, party, routing)
    return production, supplier_location(env, party)


def supplier_location(env, party):
    admin = session(env, 'admin')
    values, = admin('model.party.party.read', [env['parties'][party]],
        ['subcontract_location'])
    return values['subcontract_location']


def shipment(env, rpc, production, kind, from_, to, quantity, reason=None):
    "A draft 委外发料 / 退料 / 损耗 of quantity kg of tube: return its id"
    tube = env['tube']
    unit = session(env, 'admin')('model.product.product.read', [tube],
        ['default_uom'])[0]['default_uom']
    shipment, = rpc(SHIPMENT + 'create', [{
                'subcontract_kind': kind, 'subcontract_production': production,
                'subcontract_reason': reason, 'company': env['company'],
                'from_location': from_, 'to_location': to,
                'moves': [['create', [{
                                'product': tube, 'unit': unit,
                                'quantity': quantity, 'from_location': from_,
                                'to_location': to,
                                'company': env['company']}]]]}])
    return shipment


def ship(env, rpc, *args, **kwargs):
    "Create, wait, assign and do a shipment as rpc"
    shipment_id = shipment(env, rpc, *args, **kwargs)
    for button in ['wait', 'assign_try', 'do']:
        rpc(SHIPMENT + button, [shipment_id])
    return shipment_id


def stock(env, product, location):
    admin = session(env, 'admin')
    values, = admin('model.product.product.read', [product], ['quantity'],
        context={'locations': [location], 'with_childs': True})
    return values['quantity']


def count(env, model, domain):
    return len(session(env, 'admin')(
            'model.%s.search' % model, domain, 0, None, None))


def inspect(env, rpc, receipt):
    """Run the inspection wizard of 委外入库 as the storekeeper does when
    the QC gate stops Done: return the pending inspection"""
    action = rpc(RECEIPT + 'do', [receipt])
    assert action and action['wiz_name'] == 'quality.inspect', action
    wizard, _, _ = rpc('wizard.quality.inspect.create')
    context = {'active_model': 'production.subcontract.receipt',
        'active_id': receipt, 'active_ids': [receipt],
        'action_id': action['id']}
    rpc('wizard.quality.inspect.execute', wizard, {}, 'start',
        context=context)
    rpc('wizard.quality.inspect.delete', wizard)
    inspection, = session(env, 'admin')(INSPECTION + 'search', [
            ('origin', '=', 'production.subcontract.receipt,%s' % receipt),
            ('state', '=', 'pending')], 0, None, None)
    return inspection


def decide(rpc, inspection, rejected, reason="焊缝开裂"):
    "The inspector rejects rejected units and processes the inspection"
    line, = rpc(LINE + 'search', [('inspection', '=', inspection)],
        0, None, None)
    quantity, = rpc(LINE + 'read', [line], ['quantity'])
    rpc(INSPECTION + 'write', [inspection], {'points': {'look': True}})
    rpc(LINE + 'write', [line], {
            'accepted_quantity': quantity['quantity'] - rejected,
            'rejected_quantity': rejected,
            'rejection_reason': reason if rejected else None})
    rpc(INSPECTION + 'process', [inspection])


def new_receipt(env, rpc, production, quantity):
    receipt, = rpc(RECEIPT + 'create', [{'production': production,
                'quantity': quantity, 'company': env['company']}])
    return receipt


def test_qc_receipt_roles(env):
    """20 frames received from 20.4 kg sent, QC rejects 3: only the
    storekeeper receives, only the inspector decides; 17 to storage, 3 to
    quarantine, 20.4 kg consumed once; the receipt shows 17 / 3"""
    admin, storekeeper = session(env, 'admin'), session(env, 'storekeeper')
    qc, planner = session(env, 'qc'), session(env, 'planner')
    production, location = order(env, 20)
    held = stock(env, env['tube'], location)
    ship(env, storekeeper, production, 'send', env['storage'], location,
        20.4)
    receipt = new_receipt(env, storekeeper, production, 20)
    for login in ['planner', 'qc', 'buyer', 'clerk']:
        with pytest.raises(RPCError):
            session(env, login)(RECEIPT + 'do', [receipt])
    inspection = inspect(env, storekeeper, receipt)
    for rpc in [storekeeper, planner]:
        with pytest.raises(RPCError):
            decide(rpc, inspection, 3)
    decide(qc, inspection, 3)
    storage = stock(env, env['frame'], env['storage'])
    storekeeper(RECEIPT + 'do', [receipt])
    values, = admin(RECEIPT + 'read', [receipt],
        ['state', 'quality_passed', 'quality_rejected'])
    assert (values['state'], values['quality_passed'],
        values['quality_rejected']) == ('done', 17, 3)
    assert stock(env, env['frame'], env['storage']) - storage == 17
    assert abs(stock(env, env['tube'], location) - held) < 1e-6
    for button in ['draft', 'cancel']:
        with pytest.raises(RPCError):
            storekeeper(RECEIPT + button, [receipt])
    assert_integrity(env['server'])


def test_qc_receipt_bad_input(env):
    """A decision of a negative rejected quantity is refused; a decided
    receipt whose quantity is changed afterwards is refused naming the
    numbers, and writes no move"""
    storekeeper, qc = session(env, 'storekeeper'), session(env, 'qc')
    production, location = order(env, 10)
    ship(env, storekeeper, production, 'send', env['storage'], location,
        10.2)
    receipt = new_receipt(env, storekeeper, production, 10)
    inspection = inspect(env, storekeeper, receipt)
    with pytest.raises(RPCError):
        decide(qc, inspection, -2)
    decide(qc, inspection, 2)
    storekeeper(RECEIPT + 'write', [receipt], {'quantity': 8})
    moves = count(env, 'stock.move', [
            ('subcontract_production', '=', production)])
    refused(storekeeper, RECEIPT + 'do', [receipt], says=['8', '10'])
    assert count(env, 'stock.move', [
            ('subcontract_production', '=', production)]) == moves
    assert abs(stock(env, env['tube'], location) - 10.2) < 1e-6


def test_qc_two_receipts_at_once(env):
    """Two inspected receipts of 60 frames of one order sent 101.2 kg: at
    once, one is received, the other refused with the numbers; the
    supplier never goes below zero"""
    storekeeper, qc = session(env, 'storekeeper'), session(env, 'qc')
    production, location = order(env, 120)
    held = stock(env, env['tube'], location)
    ship(env, storekeeper, production, 'send', env['storage'], location,
        101.2)
    receipts = [new_receipt(env, storekeeper, production, 60)
        for _ in range(2)]
    for receipt in receipts:
        decide(qc, inspect(env, storekeeper, receipt), 0)
    sessions = [session(env, 'storekeeper') for _ in receipts]
    errors = run_at_once([(rpc, RECEIPT + 'do', [r])
            for rpc, r in zip(sessions, receipts)])
    assert len(errors) == 1, errors
    assert '61.2' in errors[0] and '华通五金' in errors[0], errors
    assert abs(stock(env, env['tube'], location) - held - 40) < 1e-6
    states = sorted(r['state'] for r in session(env, 'admin')(
            RECEIPT + 'read', receipts, ['state']))
    assert states == ['done', 'draft']
    assert_integrity(env['server'])


def test_operation_outsourcing_roles(env):
    """工序委外: the storekeeper sends 30 kg to 明辉电镀 for an order made
    here and takes 28 back; the planner, the buyer and a clerk press no
    shipment button; no receipt on such an order; its ledger reads 30 /
    28 / 2"""
    storekeeper = session(env, 'storekeeper')
    production, location = order(env, 30, party='minghui', routing=True)
    for login in ['planner', 'buyer', 'clerk']:
        rpc = session(env, login)
        with pytest.raises(RPCError):
            ship(env, rpc, production, 'send', env['storage'], location, 30)
    drafts(env, production)
    ship(env, storekeeper, production, 'send', env['storage'], location, 30)
    ship(env, storekeeper, production, 'return', location, env['storage'],
        28)
    assert abs(stock(env, env['tube'], location) - 2) < 1e-6
    with pytest.raises(RPCError):
        new_receipt(env, storekeeper, production, 1)
    row, = session(env, 'planner')(
        'model.production.subcontract.tracking.search_read',
        [('production', '=', production)], 0, None, None,
        ['sent', 'returned', 'balance'])
    assert (row['sent'], row['returned'], row['balance']) == (30, 28, 2)
    assert_integrity(env['server'])


def test_operation_outsourcing_bad_input(env):
    """A return above what the order holds, a loss without a reason and a
    send above the BOM are refused naming the numbers; nothing moves"""
    storekeeper = session(env, 'storekeeper')
    production, location = order(env, 10, party='minghui', routing=True)
    ship(env, storekeeper, production, 'send', env['storage'], location, 10)
    before = stock(env, env['tube'], location)
    cases = [
        ('return', location, env['storage'], 12, ['12', '10', '明辉电镀']),
        ('loss', location, lost_found(env), 1, []),
        ('send', env['storage'], location, 5, ['15', '10.2', '明辉电镀']),
        ]
    for kind, from_, to, quantity, says in cases:
        with pytest.raises(RPCError) as info:
            ship(env, storekeeper, production, kind, from_, to, quantity)
        message = error_parts(info.value)[1]
        assert all(s in message for s in says), (kind, message)
    assert count(env, 'stock.shipment.internal', [
            ('subcontract_production', '=', production),
            ('state', '=', 'done')]) == 1
    assert abs(stock(env, env['tube'], location) - before) < 1e-6


def test_operation_outsourcing_two_returns_at_once(env):
    """Two returns of 6 kg of the 10 kg an order holds at 明辉电镀, assigned
    at once: one is served, the other is not; never below zero"""
    storekeeper = session(env, 'storekeeper')
    production, location = order(env, 10, party='minghui', routing=True)
    ship(env, storekeeper, production, 'send', env['storage'], location, 10)
    before = stock(env, env['tube'], location)
    sessions = [session(env, 'storekeeper') for _ in range(2)]
    shipments = []
    for rpc in sessions:
        shipment_id = shipment(env, rpc, production, 'return', location,
            env['storage'], 6)
        rpc(SHIPMENT + 'wait', [shipment_id])
        shipments.append(shipment_id)
    run_at_once([(rpc, SHIPMENT + 'assign_try', [s])
            for rpc, s in zip(sessions, shipments)])
    errors = run_at_once([(rpc, SHIPMENT + 'do', [s])
            for rpc, s in zip(sessions, shipments)])
    states = sorted(s['state'] for s in storekeeper(
            SHIPMENT + 'read', shipments, ['state']))
    assert states.count('done') == 1, (states, errors)
    assert abs(stock(env, env['tube'], location) - (before - 6)) < 1e-6
    assert_integrity(env['server'])


def drafts(env, production):
    "The refused roles left only drafts of the order: delete them"
    admin = session(env, 'admin')
    shipments = admin(SHIPMENT + 'search',
        [('subcontract_production', '=', production)], 0, None, None)
    states = {s['state'] for s in admin(SHIPMENT + 'read', shipments,
            ['state'])}
    assert states <= {'draft'}, states
    admin(SHIPMENT + 'delete', shipments)


def lost_found(env):
    admin = session(env, 'admin')
    return admin('model.stock.location.search',
        [('type', '=', 'lost_found')], 0, 1, None)[0]


def jdate(date):
    "A date as Tryton's JSON-RPC sends it"
    return {'__class__': 'date', 'year': date.year, 'month': date.month,
        'day': date.day}


def jdecimal(value):
    "A Decimal of Tryton's JSON-RPC"
    return Decimal(value['decimal']) if isinstance(value, dict) else value


def compare(rpc, env, quantity, date=None):
    "The 委外比价 rows of the service for quantity on date"
    values = {'product': env['service'], 'quantity': quantity,
        'date': jdate(date or dt.date.today()), 'lines': []}
    # a One2Many changed by on_change_with: {'add': [[index, values]]};
    # left out when it stays empty
    lines = rpc(COMPARE + 'on_change_with', values, ['lines']).get(
        'lines', [])
    if isinstance(lines, dict):
        return [row for _, row in lines.get('add', [])]
    return lines


def test_price_compare(env):
    """委外比价 of 150 units today: 华通五金 4.50 first, 永固 4.80; of 10:
    永固 4.80 first; next year: 永固 only; open to the planner and the
    buyer, not to a clerk; bad quantities list nothing and write nothing"""
    for login in ['planner', 'buyer']:
        rpc = session(env, login)
        wizard, _, _ = rpc(
            'wizard.production.subcontract.price.compare.create')
        rpc('wizard.production.subcontract.price.compare.delete', wizard)
    with pytest.raises(RPCError):
        session(env, 'clerk')(
            'wizard.production.subcontract.price.compare.create')
    rpc = session(env, 'buyer')

    def prices(quantity, date=None):
        return [(r['supplier'], jdecimal(r['unit_price']))
            for r in compare(rpc, env, quantity, date)]
    huatong, yonggu = env['parties']['huatong'], env['parties']['yonggu']
    assert prices(150) == [(huatong, Decimal('4.5')), (yonggu,
            Decimal('4.8'))]
    assert [s for s, _ in prices(10)] == [yonggu, huatong]
    year = dt.date.today() + dt.timedelta(days=400)
    assert [s for s, _ in prices(150, year)] == [yonggu, huatong]
    prices_before = count(env, 'purchase.product_supplier.price', [])
    for quantity in [0, -5]:
        assert compare(rpc, env, quantity) == []
    assert count(env, 'purchase.product_supplier.price', []) == (
        prices_before)
