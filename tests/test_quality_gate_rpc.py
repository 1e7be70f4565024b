# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Quality gate decisions against a real trytond on PostgreSQL, over
JSON-RPC: a double decision from two sessions (C4), bad quantities (B1) and
a user outside the quality inspector group (A1) of RELIABILITY.md.  Every
loop is bounded in count and time and talks only to 127.0.0.1.
"""
import threading
from decimal import Decimal

import pytest

from tools.server import RPCError

MODULES = ['quality_gate']
PASSWORD = 'zhizao2026'
INSPECTION = 'model.quality.inspection.'
LINE = 'model.quality.inspection.line.'
DEADLINE = 120  # seconds for any concurrent phase


@pytest.fixture(scope='module')
def env(make_server):
    server = make_server(
        'test_qg_rpc', MODULES, extra_config={'database.retry': '40'})
    from proteus import Model
    from proteus import config as pconfig
    config = pconfig.set_xmlrpc(
        'http://admin:admin@127.0.0.1:%s/%s/rpc/' % (
            server.port, server.database))
    from trytond.modules.company.tests.tools import (
        create_company, get_company)

    create_company(config=config)
    company = get_company(config=config)
    Company = Model.get('company.company')
    Control = Model.get('quality.control')
    Group = Model.get('res.group')
    Lot = Model.get('stock.lot')
    Party = Model.get('party.party')
    ProductTemplate = Model.get('product.template')
    Shipment = Model.get('stock.shipment.in')
    UoM = Model.get('product.uom')
    User = Model.get('res.user')

    groups = {g.name: g.id for g in Group.find([
                ('name', 'in', ["Quality Inspector", "Stock"])])}
    users = {}
    for login, group_names in [
            ('qc', ["Quality Inspector", "Stock"]),
            ('storekeeper', ["Stock"])]:
        user = User(name=login, login=login, password=PASSWORD)
        for group_name in group_names:
            user.groups.append(Group(groups[group_name]))
        user.companies.append(Company(company.id))
        user.company = Company(company.id)
        user.save()
        users[login] = user.id

    supplier = Party(name="供应商甲")
    supplier.save()
    unit, = UoM.find([('name', '=', "Unit")])
    template = ProductTemplate(
        name="法兰 DN50", default_uom=unit, type='goods')
    template.save()
    product, = template.products
    product.cost_price = Decimal('8')
    product.save()
    control = Control(name="来料检验", operations=['stock.shipment.in:do'])
    point = control.points.new()
    point.string = "外观"
    point.name = 'look'
    point.type_ = 'boolean'
    control.save()

    def receipt(quantity=100):
        "A received shipment: return its pending inspection and line ids"
        lot = Lot(number='F-%s' % len(Lot.find([])), product=product)
        lot.save()
        shipment = Shipment(supplier=supplier)
        move = shipment.incoming_moves.new()
        move.from_location = shipment.supplier_location
        move.to_location = shipment.warehouse_input
        move.product = product
        move.lot = lot
        move.quantity = quantity
        move.unit_price = Decimal('8')
        move.currency = company.currency
        shipment.save()
        rpc = server.jsonrpc()
        skipping_warnings(
            rpc, 'model.stock.shipment.in.receive', [shipment.id])
        inspection, = rpc(INSPECTION + 'search',
            [('origin', '=', 'stock.shipment.in,%s' % shipment.id)])
        rpc(INSPECTION + 'write', [inspection], {'points': {'look': True}})
        line, = rpc(LINE + 'search', [('inspection', '=', inspection)])
        return shipment.id, inspection, line

    return dict(server=server, users=users, receipt=receipt)


def skipping_warnings(rpc, method, *args):
    "Call method, answering yes to its warnings like the client does"
    for _ in range(5):
        try:
            return rpc(method, *args)
        except RPCError as error:
            if error.error[0] != 'UserWarning':
                raise
            name = error.error[1][0]
            rpc('model.res.user.warning.create', [{
                        'user': rpc.user_id, 'name': name,
                        'always': False}])
    raise AssertionError("too many warnings")


def session(env, login):
    if login == 'admin':
        return env['server'].jsonrpc()
    return env['server'].jsonrpc(login, PASSWORD)


def snapshot(env, shipment, inspection):
    "The state of the inspection and the inventory moves of the receipt"
    admin = session(env, 'admin')
    state, = admin(INSPECTION + 'read', [inspection], ['state', 'decided'])
    moves = admin('model.stock.move.search_read',
        [('shipment', '=', 'stock.shipment.in,%s' % shipment),
            ('from_location.type', '=', 'storage')],
        0, None, [('id', 'ASC')], ['quantity', 'to_location'])
    lines = admin(LINE + 'search_read', [('inspection', '=', inspection)],
        0, None, None, ['accepted_quantity', 'rejected_quantity',
            'concession_quantity', 'rejected_move'])
    return (state['state'], state['decided'],
        [(m['quantity'], m['to_location']) for m in moves],
        [(l['accepted_quantity'], l['rejected_quantity'],
                l['concession_quantity'], l['rejected_move'])
            for l in lines])


def test_c4_double_decision(env):
    "C4: two sessions decide the same inspection at once: one set of moves"
    shipment, inspection, line = env['receipt']()
    qc = session(env, 'qc')
    qc(LINE + 'write', [line], {
            'accepted_quantity': 93, 'rejected_quantity': 5,
            'concession_quantity': 2})
    sessions = [session(env, 'qc') for _ in range(2)]
    outcomes = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(sessions), timeout=DEADLINE)

    def client(rpc):
        barrier.wait()
        try:
            rpc(INSPECTION + 'process', [inspection])
            outcome = 'ok'
        except RPCError as error:
            outcome = str(error.error[0])
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=client, args=(r,), daemon=True)
        for r in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(DEADLINE)
        assert not thread.is_alive(), "a client did not finish in time"
    assert outcomes.count('ok') == 1, outcomes
    state, decided, moves, lines = snapshot(env, shipment, inspection)
    assert (state, decided) == ('failed', True)
    assert sorted(q for q, _ in moves) == [5, 95]
    (accepted, rejected, concession, rejected_move), = lines
    assert (accepted, rejected, concession) == (93, 5, 2)
    assert rejected_move is not None
    # Once decided a third call is refused too and changes nothing
    with pytest.raises(RPCError):
        qc(INSPECTION + 'process', [inspection])
    assert snapshot(env, shipment, inspection) == (
        state, decided, moves, lines)


@pytest.mark.parametrize('values', [
        {'accepted_quantity': 90, 'rejected_quantity': 5,
            'concession_quantity': 2},
        {'accepted_quantity': 105, 'rejected_quantity': -5},
        {'accepted_quantity': 'abc'},
        {'accepted_quantity': float('nan')},
        {'accepted_quantity': float('inf')},
        {'accepted_quantity': 1e308},
        {'accepted_quantity': 99.5, 'rejected_quantity': 0.5},
        ])
def test_b1_bad_quantities_write_nothing(env, values):
    "B1: quantities not adding up, negative or not numbers: nothing written"
    shipment, inspection, line = env['receipt']()
    qc = session(env, 'qc')
    before = snapshot(env, shipment, inspection)
    assert before[:2] == ('pending', False)
    with pytest.raises(RPCError) as info:
        # One request like the client's save then process
        qc(INSPECTION + 'write', [inspection],
            {'lines': [['write', [line], values]]})
        qc(INSPECTION + 'process', [inspection])
    assert 'Traceback' not in str(info.value.error)
    after = snapshot(env, shipment, inspection)
    assert after[:3] == before[:3]
    assert after[2] == [(100, after[2][0][1])]
    # Numbers that do not add up may be saved as a draft, never routed
    assert after[3][0][3] is None


def test_a1_outside_group_cannot_decide(env):
    "A1: a storekeeper cannot decide nor change the decided quantities"
    shipment, inspection, line = env['receipt']()
    storekeeper = session(env, 'storekeeper')
    before = snapshot(env, shipment, inspection)
    with pytest.raises(RPCError) as info:
        storekeeper(INSPECTION + 'process', [inspection])
    assert 'Traceback' not in str(info.value.error)
    with pytest.raises(RPCError):
        storekeeper(LINE + 'write', [line], {'rejected_quantity': 100,
                'accepted_quantity': 0})
    assert snapshot(env, shipment, inspection) == before
    # The inspector can
    qc = session(env, 'qc')
    qc(INSPECTION + 'process', [inspection])
    state, decided, moves, _ = snapshot(env, shipment, inspection)
    assert (state, decided) == ('passed', True)
    assert [q for q, _ in moves] == [100]


def test_xmlrpc_example(env):
    "The XML-RPC example of doc/quality_gate.md, as the quality inspector"
    import xmlrpc.client
    shipment, inspection, line = env['receipt'](50)
    server = env['server']
    s = xmlrpc.client.ServerProxy(
        'http://qc:%s@127.0.0.1:%s/%s/rpc/' % (
            PASSWORD, server.port, server.database), allow_none=True)
    ctx = s.model.res.user.get_preferences(True, {})
    Inspection = s.model.quality.inspection
    Line = s.model.quality.inspection.line
    assert inspection in Inspection.search(
        [('state', '=', 'pending')], 0, None, None, ctx)
    assert Line.search(
        [('inspection', '=', inspection)], 0, None, None, ctx) == [line]
    points = {p: True for p in Inspection.read(
            [inspection], ['points'], ctx)[0]['points']}
    Inspection.write([inspection], {
            'points': points,
            'lines': [['write', [line], {
                        'accepted_quantity': 45, 'rejected_quantity': 3,
                        'concession_quantity': 2,
                        'rejection_reason': "锈蚀"}]],
            }, ctx)
    Inspection.process([inspection], ctx)
    values, = Line.read(
        [line], ['product', 'unit', 'lot', 'rejected_move'], ctx)
    move, = s.model.stock.move.read(
        [values['rejected_move']], ['to_location', 'quantity'], ctx)
    assert move['quantity'] == 3
    disposition, = s.model.quality.disposition.create([{
                'inspection_line': line, 'type': 'scrap',
                'reason': "无法修复",
                'product': values['product'], 'unit': values['unit'],
                'lot': values['lot'], 'quantity': 3,
                'location': move['to_location'],
                }], ctx)
    s.model.quality.disposition.do([disposition], ctx)
    done, = s.model.quality.disposition.read(
        [disposition], ['state', 'cost'], ctx)
    assert done['state'] == 'done'
    cost = done['cost']
    if isinstance(cost, dict):  # trytond marshals Decimal as a struct
        cost = cost['decimal']
    assert Decimal(str(cost)) == Decimal('24.00')  # 3 × 8 CNY
    s.model.stock.lot.set_quality_status(
        [values['lot']], 'on_hold', "客户投诉", ctx)
    lot, = s.model.stock.lot.read([values['lot']], ['quality_status'], ctx)
    assert lot['quality_status'] == 'on_hold'
