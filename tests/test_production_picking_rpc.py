# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Production picking against a real trytond on PostgreSQL, over JSON-RPC.

Two storekeepers picking the same free stock for different orders at once,
a slip done twice at once, bad input, roles and another company's records,
in the users' language (zh_CN).  Every loop is bounded in count and time
and talks only to 127.0.0.1.
"""
from decimal import Decimal

import pytest

from tests import checks
from tests.checks import at_once as click_at_once
from tests.checks import (
    admin_company, assert_integrity, make_user, other_company, refused)
from tools.server import RPCError

MODULES = ['production_picking']
PICKING = 'model.production.picking.'


@pytest.fixture(scope='module')
def env(make_server):
    server = make_server(
        'test_picking_rpc', MODULES,
        extra_config={'database.retry': '40'})
    from proteus import Model
    config, company = admin_company(server)
    BOM = Model.get('production.bom')
    Configuration = Model.get('production.configuration')
    Inventory = Model.get('stock.inventory')
    Location = Model.get('stock.location')
    Lot = Model.get('stock.lot')
    ProductTemplate = Model.get('product.template')
    UoM = Model.get('product.uom')

    configuration = Configuration(1)
    configuration.picking_method = 'slip'
    configuration.save()

    other = other_company(company, "Other Co")

    users = {login: make_user(login, groups + ["Production"], user_company,
            employee=True)
        for login, groups, user_company in [
            ('storekeeper', ["Production Picking"], company),
            ('manager', ["Supplementary Picking Approval",
                    "Production Picking"], company),
            ('planner', [], company),
            ('other', ["Production Picking"], other),
            ]}

    unit, = UoM.find([('name', '=', "Unit")])
    products = {}
    for name, cost, lot_required in [
            ("钢管 Φ25", Decimal(10), ['storage']),
            ("螺丝 M8", Decimal('0.5'), []),
            ("暖气片", Decimal(0), [])]:
        template = ProductTemplate(name=name, default_uom=unit,
            type='goods', producible=True, lot_required=lot_required)
        product, = template.products
        product.cost_price = cost
        template.save()
        products[name] = template.products[0]
    tube, screw = products["钢管 Φ25"], products["螺丝 M8"]
    radiator = products["暖气片"]
    bom = BOM(name="暖气片")
    bom.inputs.new(product=tube, quantity=4)
    bom.inputs.new(product=screw, quantity=10)
    bom.outputs.new(product=radiator, quantity=1)
    bom.save()
    lot = Lot(number='L2312-01', product=tube)
    lot.save()
    empty_lot = Lot(number='L2312-09', product=tube)
    empty_lot.save()
    storage, = Location.find([('code', '=', 'STO')])
    warehouse, = Location.find([('code', '=', 'WH')])
    inventory = Inventory(location=storage)
    inventory.lines.new(product=tube, lot=lot, quantity=10)
    inventory.lines.new(product=screw, quantity=10000)
    inventory.click('confirm')

    Production = Model.get('production')

    def order(quantity):
        "A waiting order of quantity radiators (4 tubes, 10 screws each)"
        production = Production(product=radiator, bom=bom,
            quantity=quantity)
        production.click('wait')
        return production.id

    return dict(server=server, users=users, tube=tube.id, screw=screw.id,
        lot=lot.id, empty_lot=empty_lot.id, unit=unit.id, order=order,
        warehouse=warehouse.id, storage=storage.id, company=company.id,
        other_company=other.id)


def session(env, login):
    return checks.session(env['server'], login)


def create_slip(rpc, env, lines, kind='normal', **values):
    values.update({
            'kind': kind,
            'company': env['company'],
            'warehouse': env['warehouse'],
            'lines': [['create', [dict({
                                'product': env['tube'],
                                'lot': env['lot'],
                                'unit': env['unit'],
                                }, **l) for l in lines]]],
            })
    return rpc(PICKING + 'create', [values])[0]


def lot_stock(env):
    admin = session(env, 'admin')
    return admin('model.stock.lot.read', [env['lot']], ['quantity'],
        context={'locations': [env['storage']]})[0]['quantity']


def tube_moves(env, production):
    admin = session(env, 'admin')
    return admin('model.stock.move.search_read', [
            ('production_input', '=', production),
            ('product', '=', env['tube']),
            ('state', '=', 'done'),
            ], 0, None, None, ['quantity', 'lot'])


def test_two_storekeepers_same_stock(env):
    """Two slips of 8 tubes of the only lot (10 in stock) for two orders,
    done at once: one issues 8, the other is refused with the numbers"""
    first, second = env['order'](2), env['order'](2)
    sessions = [session(env, 'storekeeper') for _ in range(2)]
    slips = [create_slip(rpc, env, [{'production': p, 'quantity': 8}])
        for rpc, p in zip(sessions, [first, second])]
    errors = click_at_once([(rpc, PICKING + 'done', [slip])
            for rpc, slip in zip(sessions, slips)])
    assert len(errors) == 1, errors
    assert '库存不足' in errors[0], errors
    assert '要发 8' in errors[0] and '库存只有 2' in errors[0], errors
    assert lot_stock(env) == 2
    issued = tube_moves(env, first) + tube_moves(env, second)
    assert [m['quantity'] for m in issued] == [8]
    states = sorted(s['state'] for s in session(env, 'admin')(
            PICKING + 'read', slips, ['state']))
    assert states == ['done', 'draft']
    assert_integrity(env['server'])


def test_slip_done_twice_at_once(env):
    "A slip done from two sessions at once issues once"
    production = env['order'](1)
    sessions = [session(env, 'storekeeper') for _ in range(2)]
    slip = create_slip(sessions[0], env, [
            {'production': production, 'product': env['screw'],
                'lot': None, 'quantity': 6}])
    errors = click_at_once(
        [(rpc, PICKING + 'done', [slip]) for rpc in sessions])
    # the loser sees the slip done and does nothing, or is refused by the
    # button's states
    assert len(errors) <= 1, errors
    assert all('PK' in e for e in errors), errors
    admin = session(env, 'admin')
    moves = admin('model.stock.move.search_read', [
            ('production_input', '=', production),
            ('product', '=', env['screw']),
            ('state', '=', 'done'),
            ], 0, None, None, ['quantity'])
    assert [m['quantity'] for m in moves] == [6]
    remaining, = admin('model.production.picking.component.search_read', [
            ('production', '=', production),
            ('product', '=', env['screw']),
            ], 0, None, None, ['remaining_quantity', 'picked_quantity'])
    assert (remaining['picked_quantity'], remaining['remaining_quantity']) \
        == (6, 4)
    assert_integrity(env['server'])


def test_bad_input(env):
    "Negative, more than remains, an empty lot, a cancelled order"
    production = env['order'](1)  # 4 tubes
    rpc = session(env, 'storekeeper')
    refused(create_slip, rpc, env,
        [{'production': production, 'quantity': -1}],
        says=['-1', '数量'])
    slip = create_slip(rpc, env, [{'production': production, 'quantity': 5}])
    refused(rpc, PICKING + 'done', [slip],
        says=['只剩 4', '不能领 5', '钢管 Φ25'])
    slip = create_slip(rpc, env, [{'production': production,
                'product': env['screw'], 'lot': None, 'quantity': 11}])
    refused(rpc, PICKING + 'done', [slip],
        says=['只剩 10', '不能领 11', '螺丝 M8', '补料单'])
    slip = create_slip(rpc, env, [{'production': production, 'quantity': 1,
                'lot': env['empty_lot']}])
    refused(rpc, PICKING + 'done', [slip],
        says=['库存不足', 'L2312-09', '要发 1', '库存只有 0'])
    slip = create_slip(rpc, env, [{'production': production, 'quantity': 1}])
    session(env, 'admin')('model.production.cancel', [production])
    refused(rpc, PICKING + 'done', [slip], says=['才能发料'])
    assert tube_moves(env, production) == []
    assert_integrity(env['server'])


def test_client_cannot_write_what_steps_set(env):
    "State, number, audit fields and the lines of a done slip are refused"
    production = env['order'](1)
    rpc = session(env, 'storekeeper')
    slip = create_slip(rpc, env, [{'production': production,
                'product': env['screw'], 'lot': None, 'quantity': 1}])
    refused(rpc, PICKING + 'write', [slip], {'state': 'done'},
        kind='UserError', says=['由流程步骤自动填写'])
    refused(rpc, PICKING + 'write', [slip], {'number': 'PK9999'},
        says=['由流程步骤自动填写'])
    rpc(PICKING + 'done', [slip])
    line, = rpc(PICKING + 'read', [slip], ['lines'])[0]['lines']
    refused(rpc, 'model.production.picking.line.write', [line],
        {'quantity': 100}, says=['不能再修改'])
    refused(rpc, PICKING + 'delete', [slip], says=['只有在草稿或已取消'])
    move, = rpc('model.production.picking.line.read', [line],
        ['move'])[0]['move'],
    refused(session(env, 'admin'), 'model.stock.move.write', [move],
        {'production_issue': None}, says=['set by the server'])


def test_roles(env):
    """The planner cannot pick, the storekeeper cannot approve, the manager
    cannot approve what he requested"""
    production = env['order'](1)
    refused(create_slip, session(env, 'planner'), env,
        [{'production': production, 'quantity': 1}], says=['生产领料'])
    storekeeper = session(env, 'storekeeper')
    slip = create_slip(storekeeper, env, [{'production': production,
                'product': env['screw'], 'lot': None, 'quantity': 5}],
        kind='supplementary', reason='掉落')
    refused(storekeeper, PICKING + 'done', [slip],
        says=['超过容差 5%', '生产经理审批'])
    storekeeper(PICKING + 'request', [slip])
    refused(storekeeper, PICKING + 'approve', [slip], says=['approve'])
    manager = session(env, 'manager')
    manager(PICKING + 'approve', [slip])
    storekeeper(PICKING + 'done', [slip])
    own = create_slip(manager, env, [{'production': production,
                'product': env['screw'], 'lot': None, 'quantity': 5}],
        kind='supplementary', reason='掉落')
    manager(PICKING + 'request', [own])
    refused(manager, PICKING + 'approve', [own], says=['须由其他人审批'])
    state, = manager(PICKING + 'read', [own], ['state'])
    assert state['state'] == 'waiting'


def test_other_company(env):
    "A user of another company neither sees nor picks for our orders"
    production = env['order'](1)
    other = session(env, 'other')
    assert other(PICKING + 'search', [], 0, None, None) == []
    with pytest.raises(RPCError):
        slip = other(PICKING + 'create', [{
                    'kind': 'normal', 'company': env['company'],
                    'warehouse': env['warehouse'],
                    }])
    slip, = other(PICKING + 'create', [{
                'kind': 'normal', 'company': env['other_company'],
                'warehouse': env['warehouse'],
                'lines': [['create', [{
                                'production': production,
                                'product': env['screw'],
                                'unit': env['unit'], 'quantity': 1}]]],
                }])
    refused(other, PICKING + 'done', [slip], says=['其他仓库或公司'])
    admin = session(env, 'admin')
    assert admin('model.stock.move.search', [
            ('production_input', '=', production),
            ('state', '=', 'done')], 0, None, None) == []
