# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Quality gate decisions against a real trytond on PostgreSQL, over
JSON-RPC: a double decision from two sessions (C4), bad quantities (B1) and
a user outside the quality inspector group (A1) of RELIABILITY.md, on
supplier receipts and on material returns (production_material_return).
Every loop is bounded in count and time and talks only to 127.0.0.1.
"""
import threading
from decimal import Decimal

import pytest

from tests import checks
from tests.checks import (
    DEADLINE, PASSWORD, admin_company, assert_integrity, make_user, refused,
    run_threads)
from tools.server import RPCError

MODULES = ['quality_gate', 'production_material_return']
INSPECTION = 'model.quality.inspection.'
LINE = 'model.quality.inspection.line.'
RETURN = 'model.production.material.return.'


@pytest.fixture(scope='module')
def env(make_server):
    server = make_server(
        'test_qg_rpc', MODULES, extra_config={'database.retry': '40'})
    from proteus import Model
    config, company = admin_company(server)
    Control = Model.get('quality.control')
    Lot = Model.get('stock.lot')
    Party = Model.get('party.party')
    ProductTemplate = Model.get('product.template')
    Shipment = Model.get('stock.shipment.in')
    UoM = Model.get('product.uom')

    users = {login: make_user(login, groups, company, language=None)
        for login, groups in [
            ('qc', ["Quality Inspector", "Stock"]),
            ('storekeeper', ["Stock", "Material Return Stock-in"])]}

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

    Configuration = Model.get('production.configuration')
    Inventory = Model.get('stock.inventory')
    Location = Model.get('stock.location')
    Production = Model.get('production')
    Return = Model.get('production.material.return')

    configuration = Configuration(1)
    configuration.material_return_separate_duties = False
    configuration.save()
    template = ProductTemplate(
        name="漆包线", default_uom=unit, type='goods', producible=True,
        lot_required=['storage'])
    wire, = template.products
    wire.cost_price = Decimal('10')
    template.save()
    wire, = template.products
    template = ProductTemplate(
        name="电机", default_uom=unit, type='goods', producible=True)
    template.save()
    motor, = template.products
    control = Control(name="退料检验",
        operations=['production.material.return:approve'], product=wire)
    point = control.points.new()
    point.string = "外观"
    point.name = 'look'
    point.type_ = 'boolean'
    control.save()
    storage, = Location.find([('code', '=', 'STO')])

    def material_return(quantity=10):
        "A return of quantity out of 20 issued waiting for its decision"
        lot = Lot(number='W-%s' % len(Lot.find([])), product=wire)
        lot.save()
        inventory = Inventory(location=storage)
        inventory.lines.new(product=wire, lot=lot, quantity=20)
        inventory.click('confirm')
        production = Production(product=motor, quantity=1, unit=unit)
        move = production.inputs.new(
            product=wire, quantity=20, unit=unit, lot=lot)
        move.from_location = storage
        move.to_location = production.location
        production.click('wait')
        production.click('assign_force')
        production.click('run')
        return_ = Return(production=production)
        return_.lines.new(product=wire, lot=lot, quantity=quantity)
        return_.click('submit')
        return_.click('approve')
        assert return_.state == 'inspecting'
        rpc = server.jsonrpc()
        inspection, = rpc(INSPECTION + 'search',
            [('origin', '=', 'production.material.return,%s' % return_.id)])
        rpc(INSPECTION + 'write', [inspection], {'points': {'look': True}})
        line, = rpc(LINE + 'search', [('inspection', '=', inspection)])
        return return_.id, inspection, line

    return dict(server=server, users=users, receipt=receipt,
        material_return=material_return)


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
    return checks.session(env['server'], login)


def snapshot(env, shipment, inspection):
    """The state of the inspection, the inventory moves of the receipt
    (quantity, destination) and the decided quantities"""
    admin = session(env, 'admin')
    state, = admin(INSPECTION + 'read', [inspection], ['state', 'decided'])
    moves = admin('model.stock.move.search_read',
        [('shipment', '=', 'stock.shipment.in,%s' % shipment),
            ('from_location.type', '=', 'storage')],
        0, None, [('id', 'ASC')], ['quantity', 'to_location.code'])
    lines = admin(LINE + 'search_read', [('inspection', '=', inspection)],
        0, None, None, ['accepted_quantity', 'rejected_quantity',
            'concession_quantity', 'rejected_move'])
    return (state['state'], state['decided'],
        sorted((m['quantity'], m['to_location.']['code']) for m in moves),
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
    outcomes = concurrently([
            lambda rpc=rpc: rpc(INSPECTION + 'process', [inspection])
            for rpc in sessions])
    assert outcomes.count('ok') == 1, outcomes
    state, decided, moves, lines = snapshot(env, shipment, inspection)
    assert (state, decided) == ('failed', True)
    assert moves == [(5, 'QUA'), (95, 'STO')]
    (accepted, rejected, concession, rejected_move), = lines
    assert (accepted, rejected, concession) == (93, 5, 2)
    assert rejected_move is not None
    # Once decided a third call is refused too and changes nothing
    refused(qc, INSPECTION + 'process', [inspection],
        says=['You can not call "process" on'])
    assert snapshot(env, shipment, inspection) == (
        state, decided, moves, lines)


NOT_A_NUMBER = 'of "Accepted Quantity" is not a number'
OUT_OF_RANGE = ('must be a number between 0 and the inspected quantity '
    '%s, rounded to the unit')


@pytest.mark.parametrize('values,says', [
        ({'accepted_quantity': 90, 'rejected_quantity': 5,
                'concession_quantity': 2},
            ['accepted 90.0 + rejected 5.0 + concession 2.0 = 97.0, '
                'not the inspected quantity 100.0']),
        ({'accepted_quantity': 105, 'rejected_quantity': -5},
            ['"Rejected Quantity"', 'is not valid according to its domain']),
        ({'accepted_quantity': 'abc'}, ["'abc'", NOT_A_NUMBER]),
        ({'accepted_quantity': float('nan')}, ["nan", NOT_A_NUMBER]),
        ({'accepted_quantity': float('inf')}, ["inf", NOT_A_NUMBER]),
        ({'accepted_quantity': 1e308},
            ['The quantity 1e+308', OUT_OF_RANGE % 100.0]),
        ({'accepted_quantity': 99.5, 'rejected_quantity': 0.5},
            ['The number of digits in the value', "'99.5'",
                'for field "Accepted Quantity"', 'exceeds the limit']),
        ])
def test_b1_bad_quantities_write_nothing(env, values, says):
    "B1: quantities not adding up, negative or not numbers: nothing written"
    shipment, inspection, line = env['receipt']()
    qc = session(env, 'qc')
    before = snapshot(env, shipment, inspection)
    assert before[:2] == ('pending', False)

    def save_and_process():
        # One request like the client's save then process
        qc(INSPECTION + 'write', [inspection],
            {'lines': [['write', [line], values]]})
        qc(INSPECTION + 'process', [inspection])
    refused(save_and_process, says=says)
    after = snapshot(env, shipment, inspection)
    assert after[:3] == before[:3]
    assert after[2] == [(100, 'STO')]
    # Numbers that do not add up may be saved as a draft, never routed
    assert after[3][0][3] is None


def test_a1_outside_group_cannot_decide(env):
    "A1: a storekeeper cannot decide nor change the decided quantities"
    shipment, inspection, line = env['receipt']()
    storekeeper = session(env, 'storekeeper')
    before = snapshot(env, shipment, inspection)
    refused(storekeeper, INSPECTION + 'process', [inspection],
        says=['Calling button "process on "Quality Inspection" '
            'is not allowed'])
    refused(storekeeper, LINE + 'write', [line], {'rejected_quantity': 100,
            'accepted_quantity': 0},
        says=['You are not allowed to access "Quality Inspection Line"'])
    assert snapshot(env, shipment, inspection) == before
    # The inspector can
    qc = session(env, 'qc')
    qc(INSPECTION + 'process', [inspection])
    state, decided, moves, _ = snapshot(env, shipment, inspection)
    assert (state, decided) == ('passed', True)
    assert moves == [(100, 'STO')]


def test_xmlrpc_example(env):
    """The XML-RPC example of addons/quality_gate/doc/index.rst, as the
    quality inspector"""
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
    # the storekeeper does the receipt: the 3 reach quarantine
    skipping_warnings(session(env, 'admin'), 'model.stock.shipment.in.do',
        [shipment])
    values, = Line.read(
        [line], ['product', 'unit', 'lot', 'rejected_move'], ctx)
    move, = s.model.stock.move.read(
        [values['rejected_move']], ['to_location', 'quantity', 'state'], ctx)
    assert (move['quantity'], move['state']) == (3, 'done')
    assert lot_stock(env, values['product'], values['lot'], 'QUA') == 3
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
    assert lot_stock(env, values['product'], values['lot'], 'QUA') == 0
    s.model.stock.lot.set_quality_status(
        [values['lot']], 'on_hold', "客户投诉", ctx)
    lot, = s.model.stock.lot.read([values['lot']], ['quality_status'], ctx)
    assert lot['quality_status'] == 'on_hold'


def return_snapshot(env, return_, inspection):
    "The states, the stock moves of the return and the decided quantities"
    admin = session(env, 'admin')
    state, = admin(INSPECTION + 'read', [inspection], ['state', 'decided'])
    return_state, = admin(RETURN + 'read', [return_], ['state'])
    moves = admin('model.stock.move.search_read',
        [('origin.material_return', '=', return_,
                'production.material.return.line')],
        0, None, [('id', 'ASC')],
        ['quantity', 'to_location.code', 'state'])
    lines = admin(LINE + 'search_read', [('inspection', '=', inspection)],
        0, None, None, ['accepted_quantity', 'rejected_quantity',
            'concession_quantity', 'rejected_move'])
    return (state['state'], state['decided'], return_state['state'],
        sorted((m['quantity'], m['to_location.']['code'], m['state'])
            for m in moves),
        [(l['accepted_quantity'], l['rejected_quantity'],
                l['concession_quantity'], l['rejected_move'])
            for l in lines])


def concurrently(calls):
    "Run the calls at once; return their outcomes, 'ok' or the error"
    outcomes = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(calls), timeout=DEADLINE)

    def client(call):
        barrier.wait()
        try:
            call()
            outcome = 'ok'
        except RPCError as error:
            outcome = str(error.error[0])
        with lock:
            outcomes.append(outcome)

    run_threads([lambda c=c: client(c) for c in calls])
    return outcomes


def test_c4_material_return_double_decision(env):
    "C4: two sessions decide the same return inspection: one set of moves"
    return_, inspection, line = env['material_return']()
    qc = session(env, 'qc')
    qc(LINE + 'write', [line], {
            'accepted_quantity': 7, 'rejected_quantity': 2,
            'concession_quantity': 1})
    sessions = [session(env, 'qc') for _ in range(2)]
    outcomes = concurrently([
            lambda rpc=rpc: rpc(INSPECTION + 'process', [inspection])
            for rpc in sessions])
    assert outcomes.count('ok') == 1, outcomes
    # Two stock-ins at once: still one set of moves
    admins = [session(env, 'admin') for _ in range(2)]
    outcomes = concurrently([
            lambda rpc=rpc: rpc(RETURN + 'do', [return_])
            for rpc in admins])
    assert 'ok' in outcomes, outcomes
    state, decided, return_state, moves, lines = return_snapshot(
        env, return_, inspection)
    assert (state, decided, return_state) == ('failed', True, 'done')
    assert moves == [(2, 'QUA', 'done'), (8, 'STO', 'done')]
    # stocked in once: 8 in storage, 2 in quarantine
    admin = session(env, 'admin')
    line_values, = admin(LINE + 'read', [line], ['product', 'lot'])
    product, lot = line_values['product'], line_values['lot']
    assert [lot_stock(env, product, lot, c) for c in ['STO', 'QUA']] == [
        8, 2]
    refused(qc, INSPECTION + 'process', [inspection],
        says=['You can not call "process" on'])
    assert return_snapshot(env, return_, inspection) == (
        state, decided, return_state, moves, lines)


@pytest.mark.parametrize('values,says', [
        ({'accepted_quantity': 7, 'rejected_quantity': 2,
                'concession_quantity': 2},
            ['accepted 7.0 + rejected 2.0 + concession 2.0 = 11.0, '
                'not the inspected quantity 10.0']),
        ({'accepted_quantity': 12, 'rejected_quantity': -2},
            ['"Rejected Quantity"', 'is not valid according to its domain']),
        ({'rejected_quantity': 'abc'},
            ["'abc'", 'of "Rejected Quantity" is not a number']),
        ({'accepted_quantity': float('nan')}, ["nan", NOT_A_NUMBER]),
        ({'accepted_quantity': 1e308},
            ['The quantity 1e+308', OUT_OF_RANGE % 10.0]),
        ])
def test_b1_material_return_bad_quantities(env, values, says):
    "B1: a return decision that does not add up writes nothing"
    return_, inspection, line = env['material_return']()
    qc = session(env, 'qc')
    before = return_snapshot(env, return_, inspection)
    assert before[:4] == ('pending', False, 'inspecting', [])

    def save_and_process():
        qc(INSPECTION + 'write', [inspection],
            {'lines': [['write', [line], values]]})
        qc(INSPECTION + 'process', [inspection])
    refused(save_and_process, says=says)
    after = return_snapshot(env, return_, inspection)
    assert after[:4] == before[:4]
    assert after[4][0][3] is None
    # Nor can the return be stocked in before a decision
    refused(session(env, 'admin'), RETURN + 'do', [return_],
        says=['cannot be stocked in before its quality inspection is '
            'decided'])
    assert return_snapshot(env, return_, inspection)[3] == []


def test_a1_material_return_outside_group(env):
    "A1: a storekeeper cannot decide a return inspection"
    return_, inspection, line = env['material_return']()
    storekeeper = session(env, 'storekeeper')
    before = return_snapshot(env, return_, inspection)
    refused(storekeeper, INSPECTION + 'process', [inspection],
        says=['Calling button "process on "Quality Inspection" '
            'is not allowed'])
    refused(storekeeper, LINE + 'write', [line], {
            'rejected_quantity': 10, 'accepted_quantity': 0},
        says=['You are not allowed to access "Quality Inspection Line"'])
    assert return_snapshot(env, return_, inspection) == before
    qc = session(env, 'qc')
    qc(INSPECTION + 'process', [inspection])
    session(env, 'admin')(RETURN + 'do', [return_])
    assert return_snapshot(env, return_, inspection)[:4] == (
        'passed', True, 'done', [(10, 'STO', 'done')])


def test_xmlrpc_example_material_return(env):
    "The material return example of addons/quality_gate/doc/index.rst"
    import xmlrpc.client
    return_, inspection, line = env['material_return'](10)
    server = env['server']

    def proxy(login):
        return xmlrpc.client.ServerProxy(
            'http://%s:%s@127.0.0.1:%s/%s/rpc/' % (
                login, PASSWORD, server.port, server.database),
            allow_none=True)
    s = proxy('qc')
    ctx = s.model.res.user.get_preferences(True, {})
    Inspection = s.model.quality.inspection
    Line = s.model.quality.inspection.line
    assert inspection in Inspection.search([('state', '=', 'pending'),
            ('origin', 'like', 'production.material.return,%')],
        0, None, None, ctx)
    values, = Inspection.read([inspection], ['origin', 'points'], ctx)
    assert int(values['origin'].split(',')[1]) == return_
    assert Line.search(
        [('inspection', '=', inspection)], 0, None, None, ctx) == [line]
    Inspection.write([inspection], {
            'points': {p: True for p in values['points']},
            'lines': [['write', [line], {
                        'accepted_quantity': 7, 'rejected_quantity': 2,
                        'concession_quantity': 1,
                        'rejection_reason': "碰伤"}]],
            }, ctx)
    Inspection.process([inspection], ctx)
    k = proxy('storekeeper')
    kctx = k.model.res.user.get_preferences(True, {})
    getattr(k, 'model.production.material.return').do([return_], kctx)
    moves = k.model.stock.move.search_read([
            ('origin.material_return', '=', return_,
                'production.material.return.line')],
        0, None, None, ['quantity', 'to_location.code'], kctx)
    assert sorted((m['quantity'], m['to_location.']['code'])
        for m in moves) == [(2, 'QUA'), (8, 'STO')]


def stock(env, product, code):
    "The quantity of product at the location of code, children included"
    admin = session(env, 'admin')
    location, = admin('model.stock.location.search', [('code', '=', code)],
        0, None, None)
    product, = admin('model.product.product.read', [product], ['quantity'],
        context={'locations': [location], 'with_childs': True})
    return product['quantity']


def test_server_fields_receipt(env):
    "Issue 12 #3: a client cannot make 50 received into 500 inspected"
    shipment, inspection, line = env['receipt'](50)
    qc = session(env, 'qc')
    admin = session(env, 'admin')
    product, = admin(LINE + 'read', [line], ['product'])
    product = product['product']
    before = {c: stock(env, product, c) for c in ['IN', 'STO', 'QUA']}
    says = ['takes its Inspected Quantity from the inspected document '
        '(inspected quantity 50.0): a client cannot set them']
    refused(qc, LINE + 'write', [line],
        {'quantity': 500, 'accepted_quantity': 500}, says=says)
    refused(qc, INSPECTION + 'write', [inspection],
        {'lines': [['write', [line], {'quantity': 500,
                        'accepted_quantity': 500}]]}, says=says)
    refused(qc, INSPECTION + 'write', [inspection],
        {'lines': [['create', [{'product': product, 'quantity': 500,
                            'unit': 1, 'accepted_quantity': 500}]]]},
        says=['of 500.0 cannot be added to inspection',
            'the server creates the lines from the inspected document'])
    qc(INSPECTION + 'process', [inspection])
    skipping_warnings(admin, 'model.stock.shipment.in.do', [shipment])
    state, decided, moves, lines = snapshot(env, shipment, inspection)
    assert (state, decided, lines) == ('passed', True, [(50, 0, 0, None)])
    after = {c: stock(env, product, c) for c in ['IN', 'STO', 'QUA']}
    assert {c: after[c] - before[c] for c in after} == {
        'IN': -50, 'STO': 50, 'QUA': 0}
    assert after['IN'] >= 0


def test_server_fields_material_return(env):
    "Issue 12 #3: a client cannot make a return of 10 into 20 inspected"
    return_, inspection, line = env['material_return'](10)
    qc = session(env, 'qc')
    refused(qc, LINE + 'write', [line],
        {'quantity': 20, 'accepted_quantity': 20},
        says=['takes its Inspected Quantity from the inspected document '
            '(inspected quantity 10.0): a client cannot set them'])
    refused(qc, LINE + 'write', [line], {'material_return_line': None},
        says=['takes its Material Return Line from the inspected document'])
    qc(INSPECTION + 'process', [inspection])
    session(env, 'admin')(RETURN + 'do', [return_])
    assert return_snapshot(env, return_, inspection)[:5] == (
        'passed', True, 'done', [(10, 'STO', 'done')],
        [(10, 0, 0, None)])


def test_decided_line_immutable(env):
    "Issue 12 #2: a decided line is rewritten neither directly nor nested"
    shipment, inspection, line = env['receipt'](10)
    qc = session(env, 'qc')
    qc(INSPECTION + 'process', [inspection])
    before = snapshot(env, shipment, inspection)
    assert before[:2] == ('passed', True)
    values = {'accepted_quantity': 10, 'rejected_quantity': 10,
        'concession_quantity': 10}
    refused(qc, LINE + 'write', [line], values,
        says=['has been decided: its quantities cannot be changed'])
    refused(qc, INSPECTION + 'write', [inspection],
        {'lines': [['write', [line], values]]},
        says=['has been decided: it cannot be changed any more'])
    refused(qc, INSPECTION + 'write', [inspection], {'decided': False},
        says=['has been decided: it cannot be changed any more'])
    admin = session(env, 'admin')
    skipping_warnings(admin, 'model.stock.shipment.in.do', [shipment])
    state, decided, moves, lines = snapshot(env, shipment, inspection)
    assert lines == before[3] == [(10, 0, 0, None)]
    admin_moves = admin('model.stock.move.search_read',
        [('shipment', '=', 'stock.shipment.in,%s' % shipment),
            ('from_location.type', '=', 'storage')],
        0, None, None, ['quantity', 'to_location.code', 'state'])
    assert [(m['quantity'], m['to_location.']['code'], m['state'])
        for m in admin_moves] == [(10, 'STO', 'done')]
    assert_integrity(env['server'])


def lot_stock(env, product, lot, code):
    "The quantity of lot of product at the location of code (LOST: type)"
    admin = session(env, 'admin')
    domain = ([('type', '=', 'lost_found')] if code == 'LOST'
        else [('code', '=', code)])
    location, = admin('model.stock.location.search', domain, 0, None, None)
    product, = admin('model.product.product.read', [product], ['quantity'],
        context={'locations': [location], 'lot': lot})
    return product['quantity']


def test_c5_two_dispositions_at_once(env):
    "Issue 12 #5: two scraps of the same rejected 10 at once: one is done"
    rounds = 3
    for _ in range(rounds):
        shipment, inspection, line = env['receipt'](10)
        qc = session(env, 'qc')
        admin = session(env, 'admin')
        qc(LINE + 'write', [line], {
                'accepted_quantity': 0, 'rejected_quantity': 10,
                'rejection_reason': "裂纹"})
        qc(INSPECTION + 'process', [inspection])
        skipping_warnings(admin, 'model.stock.shipment.in.do', [shipment])
        values, = qc(LINE + 'read', [line],
            ['product', 'unit', 'lot', 'rejected_move'])
        product, lot = values['product'], values['lot']
        move, = qc('model.stock.move.read', [values['rejected_move']],
            ['to_location', 'state'])
        assert move['state'] == 'done'
        assert lot_stock(env, product, lot, 'QUA') == 10
        lost = lot_stock(env, product, lot, 'LOST')
        dispositions = qc('model.quality.disposition.create', [{
                    'inspection_line': line, 'type': 'scrap',
                    'reason': "报废 %s" % i, 'product': product,
                    'unit': values['unit'], 'lot': lot, 'quantity': 10,
                    'location': move['to_location'],
                    } for i in range(2)])
        sessions = [session(env, 'qc') for _ in dispositions]
        outcomes = concurrently([
                lambda rpc=rpc, d=d: rpc(
                    'model.quality.disposition.do', [d])
                for rpc, d in zip(sessions, dispositions)])
        assert sorted(outcomes) == ['UserError', 'ok'], outcomes
        done = admin('model.quality.disposition.read', dispositions,
            ['state', 'cost'])
        assert sorted(d['state'] for d in done) == ['done', 'draft']
        costs = [d['cost'] for d in done if d['state'] == 'done']
        cost, = [c['decimal'] if isinstance(c, dict) else c for c in costs]
        assert Decimal(str(cost)) == Decimal('80.00')  # 10 × 8 CNY, once
        assert [d['cost'] for d in done if d['state'] == 'draft'] == [None]
        assert lot_stock(env, product, lot, 'QUA') == 0
        assert lot_stock(env, product, lot, 'LOST') - lost == 10
        # the one refused says why
        draft, = [d['id'] for d in done if d['state'] == 'draft']
        refused(qc, 'model.quality.disposition.do', [draft],
            says=['needs 10.0 of lot', 'holds only 0'])
        assert_integrity(env['server'])


def test_a2_dispositions_change_only_in_draft(env):
    """A2: a client writes neither what the server sets on a disposition
    nor a done disposition, its extra materials included; a storekeeper
    writes none"""
    shipment, inspection, line = env['receipt'](10)
    qc = session(env, 'qc')
    admin = session(env, 'admin')
    storekeeper = session(env, 'storekeeper')
    qc(LINE + 'write', [line], {
            'accepted_quantity': 0, 'rejected_quantity': 10,
            'rejection_reason': "裂纹"})
    qc(INSPECTION + 'process', [inspection])
    skipping_warnings(admin, 'model.stock.shipment.in.do', [shipment])
    values, = qc(LINE + 'read', [line],
        ['product', 'unit', 'lot', 'rejected_move'])
    product, lot = values['product'], values['lot']
    move, = qc('model.stock.move.read', [values['rejected_move']],
        ['to_location'])
    disposition = {
        'inspection_line': line, 'type': 'scrap', 'reason': "报废",
        'product': product, 'unit': values['unit'], 'lot': lot,
        'quantity': 4, 'location': move['to_location']}
    for server_values in [{'state': 'done'}, {'cost': 1},
            {'move': values['rejected_move']}]:
        refused(qc, 'model.quality.disposition.create',
            [dict(disposition, **server_values)],
            says=['The server sets', 'a client cannot write them'])
    draft, = qc('model.quality.disposition.create', [disposition])
    refused(qc, 'model.quality.disposition.write', [draft], {'cost': 0},
        says='The server sets Cost Written Off')
    refused(storekeeper, 'model.quality.disposition.write', [draft],
        {'quantity': 10}, says='You are not allowed to access')
    refused(storekeeper, 'model.quality.disposition.do', [draft],
        says='is not allowed')
    qc('model.quality.disposition.write', [draft], {'quantity': 5})
    qc('model.quality.disposition.do', [draft])
    for call, args in [
            ('write', [[draft], {'quantity': 500}]),
            ('write', [[draft], {'type': 'concession'}]),
            ('delete', [[draft]]),
            ]:
        refused(qc, 'model.quality.disposition.' + call, *args,
            says=['is Done', 'only a draft disposition can be changed'])
    refused(qc, 'model.quality.disposition.write', [draft],
        {'state': 'draft'}, says='The server sets State')
    refused(qc, 'model.quality.disposition.material.create', [{
                'disposition': draft, 'product': product,
                'unit': values['unit'], 'quantity': 1}],
        says='only a draft disposition can be changed')
    done, = admin('model.quality.disposition.read', [draft],
        ['state', 'quantity', 'type'])
    assert (done['state'], done['quantity'], done['type']) == (
        'done', 5, 'scrap')
    assert lot_stock(env, product, lot, 'QUA') == 5
    assert_integrity(env['server'])
