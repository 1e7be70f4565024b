# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Customer-supplied material (客供料 / 受托加工) against a real trytond on
PostgreSQL, over JSON-RPC (sao's protocol) and XML-RPC (proteus).

The issue's numbers: a customer's 50 panels, 40 consumed on its order, the
same panels refused for another customer's order, 10 returned, balance 0;
bad input, roles, a customer's lot; two planners running orders that take
the same panels at once never leave the customer's location below zero.
Every loop is bounded in count and time and talks only to 127.0.0.1.
"""
from decimal import Decimal

import pytest

from tests import checks
from tests.checks import at_once as run_at_once
from tests.checks import admin_company, assert_integrity, make_user, refused

MODULES = ['production_customer_material']
MOVE = 'model.stock.move.'
PRODUCTION = 'model.production.'
LEDGER = 'model.production.customer_material.ledger.'


@pytest.fixture(scope='module')
def env(make_server):
    server = make_server(
        'test_customer_material_rpc', MODULES,
        extra_config={'database.retry': '40'})
    from proteus import Model
    config, company = admin_company(server)
    Location = Model.get('stock.location')
    Party = Model.get('party.party')
    ProductTemplate = Model.get('product.template')
    UoM = Model.get('product.uom')

    users = {login: make_user(login, groups, company)
        for login, groups in [
            ('storekeeper', ["Storekeeper", "Stock"]),
            ('planner', ["Production", "Stock"]),
            ]}

    unit, = UoM.find([('name', '=', "Unit")])
    template = ProductTemplate(name="衣柜", default_uom=unit, type='goods',
        producible=True, salable=True, sale_uom=unit, list_price=Decimal(100))
    template.save()
    cabinet, = template.products
    acme, beta = Party(name="华美家具"), Party(name="宏达柜业")
    acme.save()
    beta.save()
    warehouse, = Location.find([('type', '=', 'warehouse')])
    customer, = Location.find([('type', '=', 'customer')])
    lost_found, = Location.find([('type', '=', 'lost_found')])

    def material(name):
        "A new kind of panel, so each test starts from an empty ledger"
        template = ProductTemplate(name=name, default_uom=unit, type='goods',
            cost_price_method='average')
        template.save()
        return template.products[0].id

    env = dict(server=server, users=users, company=company.id,
        currency=company.currency.id,
        unit=unit.id, cabinet=cabinet.id, acme=acme.id, beta=beta.id,
        warehouse=warehouse.id, storage=warehouse.storage_location.id,
        production_location=warehouse.production_location.id,
        customer=customer.id, lost_found=lost_found.id, material=material)
    storekeeper = session(env, 'storekeeper')
    storekeeper('model.party.party.create_customer_material_location',
        [acme.id, beta.id])
    env['locations'] = {p['id']: p['customer_material_location']
        for p in storekeeper('model.party.party.read', [acme.id, beta.id],
            ['customer_material_location'])}
    return env


def session(env, login):
    return checks.session(env['server'], login)


def decimal(text):
    return {'__class__': 'Decimal', 'decimal': text}


def number(value):
    "A Decimal as JSON-RPC answers it, as a float"
    return float(value['decimal'] if isinstance(value, dict) else value)


def move_values(env, product, from_, to, quantity, **values):
    "A move's values, priced 0 where Tryton asks (from or to a customer)"
    if env['customer'] in {from_, to}:
        values.setdefault('unit_price', decimal('0'))
        values.setdefault('currency', env['currency'])
    values.update(product=product, unit=env['unit'], quantity=quantity,
        from_location=from_, to_location=to, company=env['company'])
    return values


def do_move(env, rpc, product, from_, to, quantity, **values):
    """Create a move and do it in the session rpc, reserved first (预留) when
    it takes from a customer's location; return its id"""
    move, = rpc(MOVE + 'create',
        [move_values(env, product, from_, to, quantity, **values)])
    if from_ in env['locations'].values():
        rpc(MOVE + 'customer_material_assign', [move])
    rpc(MOVE + 'do', [move])
    return move


def receive(env, party, product, quantity, **values):
    "客供料入库 by the storekeeper from a customer location"
    return do_move(env, session(env, 'storekeeper'), product,
        env['customer'], env['locations'][party], quantity, **values)


def order(env, party, product, cabinets, panels, from_=None, **values):
    """A production of cabinets for a sale of party, taking panels from
    party's location (or from_); returns (production, input move)"""
    admin = session(env, 'admin')
    sale, = admin('model.sale.sale.create', [{
                'party': party, 'company': env['company'],
                'lines': [('create', [{
                                'product': env['cabinet'],
                                'quantity': cabinets, 'unit': env['unit'],
                                'unit_price': decimal('100'),
                                }])],
                }])
    line, = admin('model.sale.sale.read', [sale], ['lines'])[0]['lines']
    production, = admin(PRODUCTION + 'create', [{
                'company': env['company'], 'warehouse': env['warehouse'],
                'location': env['production_location'],
                'product': env['cabinet'], 'quantity': cabinets,
                'unit': env['unit'], 'origin': 'sale.line,%s' % line,
                'inputs': [('create', [move_values(env, product,
                                from_ or env['locations'][party],
                                env['production_location'], panels,
                                **values)])],
                }])
    move, = admin(PRODUCTION + 'read', [production], ['inputs'])[0]['inputs']
    return production, move


def sale_name(env, production):
    admin = session(env, 'admin')
    origin, = admin(PRODUCTION + 'read', [production], ['origin'])
    line = int(origin['origin'].split(',')[1])
    sale, = admin('model.sale.line.read', [line], ['sale'])
    return admin('model.sale.sale.read', [sale['sale']],
        ['rec_name'])[0]['rec_name']


def held(env, party, product, **context):
    admin = session(env, 'admin')
    row, = admin('model.product.product.read', [product], ['quantity'],
        context=dict(locations=[env['locations'][party]], **context))
    return row['quantity']


def ledger(env, party, product):
    "(received, consumed, returned, scrapped, balance) as the planner reads"
    rows = session(env, 'planner')(LEDGER + 'search_read', [
            ('customer', '=', party), ('product', '=', product)], 0, None,
        None, ['received', 'consumed', 'returned', 'scrapped', 'balance'])
    if not rows:
        return (0, 0, 0, 0, 0)
    row, = rows
    return tuple(row[f] for f in [
            'received', 'consumed', 'returned', 'scrapped', 'balance'])


def test_fifty_panels(env):
    """华美家具's 50 panels: 40 consumed on its order at value 0, refused
    for 宏达柜业's order (customer, order and material named), 10 returned,
    balance 0 = the stock at its location"""
    panel = env['material']("面板")
    acme, beta = env['acme'], env['beta']
    receipt = receive(env, acme, panel, 50, unit_price=decimal('8'))
    storekeeper, planner = session(env, 'storekeeper'), session(env,
        'planner')
    values, = storekeeper(MOVE + 'read', [receipt],
        ['cost_price', 'unit_price', 'state'])
    assert values['state'] == 'done'
    assert (number(values['unit_price']), number(values['cost_price'])) == (
        0, 0)

    production, _ = order(env, acme, panel, 10, 40)
    planner(PRODUCTION + 'wait', [production])
    planner(PRODUCTION + 'assign_try', [production])
    planner(PRODUCTION + 'run', [production])
    state, = planner(PRODUCTION + 'read', [production], ['state'])
    assert state['state'] == 'running'
    assert held(env, acme, panel) == 10

    other, _ = order(env, beta, panel, 1, 4, from_=env['locations'][acme])
    planner(PRODUCTION + 'wait', [other])
    message = refused(planner, PRODUCTION + 'assign_try', [other],
        says=["华美家具", "面板", "宏达柜业", sale_name(env, other)])
    assert "只能用于该客户自己销售订单的生产" in message
    assert held(env, acme, panel) == 10

    returned, = storekeeper(MOVE + 'create', [move_values(env, panel,
                env['locations'][acme], env['customer'], 10)])
    storekeeper(MOVE + 'customer_material_assign', [returned])
    storekeeper(MOVE + 'do', [returned])
    assert ledger(env, acme, panel) == (50, 40, 10, 0, 0)
    assert held(env, acme, panel) == 0
    assert_integrity(env['server'])


def test_two_orders_same_panels(env):
    """50 panels held, two force-assigned orders of 30 each run at once:
    one consumes, the other is refused with the numbers, never below 0"""
    panel = env['material']("侧板")
    acme = env['acme']
    receive(env, acme, panel, 50)
    admin = session(env, 'admin')
    productions = [order(env, acme, panel, 3, 30)[0] for _ in range(2)]
    admin(PRODUCTION + 'wait', productions)
    admin(PRODUCTION + 'assign_force', productions)
    planners = [session(env, 'planner') for _ in range(2)]
    errors = run_at_once([(rpc, PRODUCTION + 'run', [p])
            for rpc, p in zip(planners, productions)])
    assert len(errors) == 1, errors
    assert "华美家具" in errors[0] and "侧板" in errors[0], errors
    assert "只有 20" in errors[0] and "30" in errors[0], errors
    states = sorted(p['state'] for p in admin(PRODUCTION + 'read',
            productions, ['state']))
    assert states == ['assigned', 'running']
    assert held(env, acme, panel) == 20
    assert ledger(env, acme, panel) == (50, 30, 0, 0, 20)

    # the refused order is cancelled (its forced reservation of 30 freed);
    # two storekeepers reserve 15 each of the 20 for a return at once: one
    # is refused, the other returns its 15
    refused_order, = admin(PRODUCTION + 'search', [
            ('id', 'in', productions), ('state', '=', 'assigned')],
        0, None, None)
    admin(PRODUCTION + 'cancel', [refused_order])
    storekeepers = [session(env, 'storekeeper') for _ in range(2)]
    returns = [rpc(MOVE + 'create', [move_values(env, panel,
                    env['locations'][acme], env['customer'], 15)])[0]
        for rpc in storekeepers]
    errors = run_at_once([(rpc, MOVE + 'customer_material_assign', [m])
            for rpc, m in zip(storekeepers, returns)])
    assert len(errors) == 1 and "不足" in errors[0], errors
    reserved, = admin(MOVE + 'search', [('id', 'in', returns),
            ('state', '=', 'assigned')], 0, None, None)
    storekeepers[0](MOVE + 'do', [reserved])
    assert held(env, acme, panel) == 5
    assert ledger(env, acme, panel) == (50, 30, 15, 0, 5)
    assert_integrity(env['server'])


def test_bad_input(env):
    """0 and negative quantities, another customer's location, another
    company, a done receipt or scrap rewritten: refused, nothing moves"""
    panel = env['material']("背板")
    acme, beta = env['acme'], env['beta']
    storekeeper = session(env, 'storekeeper')
    receive(env, acme, panel, 20)
    refused(do_move, env, storekeeper, panel, env['customer'],
        env['locations'][acme], 0, says=["华美家具", "背板", "必须大于 0"])
    refused(storekeeper, MOVE + 'create', [move_values(env, panel,
                env['customer'], env['locations'][acme], -5)])
    # from 宏达柜业's location into 华美家具's, or 华美家具's order from
    # 宏达柜业's location
    refused(do_move, env, storekeeper, panel, env['locations'][beta],
        env['locations'][acme], 1, says=["背板"])
    receive(env, beta, panel, 5)
    _, move = order(env, acme, panel, 1, 4, from_=env['locations'][beta])
    refused(storekeeper, MOVE + 'customer_material_assign', [move],
        says=["宏达柜业", "华美家具", "背板"])
    # into a warehouse: the customer's material is not the company's
    refused(do_move, env, storekeeper, panel, env['locations'][acme],
        env['storage'], 1, says=["华美家具", "背板"])
    # taking more than is held
    refused(do_move, env, storekeeper, panel, env['locations'][acme],
        env['customer'], 21, says=["华美家具", "背板", "不足 21"])
    # scrap without a reason, then with one; its reason is not rewritten
    refused(do_move, env, storekeeper, panel, env['locations'][acme],
        env['lost_found'], 1, says=["原因"])
    scrap = do_move(env, storekeeper, panel, env['locations'][acme],
        env['lost_found'], 1, customer_material_reason="划伤")
    refused(storekeeper, MOVE + 'write', [scrap],
        {'customer_material_reason': "其它"})
    receipt, = storekeeper(MOVE + 'search', [
            ('product', '=', panel), ('state', '=', 'done'),
            ('to_location', '=', env['locations'][acme])], 0, 1, None)
    refused(storekeeper, MOVE + 'write', [receipt], {'quantity': 200})
    # another company's move
    admin = session(env, 'admin')
    party, = admin('model.party.party.create', [{'name': "另一公司"}])
    currency, = admin('model.company.company.read', [env['company']],
        ['currency'])
    other, = admin('model.company.company.create', [{
                'party': party, 'currency': currency['currency']}])
    refused(storekeeper, MOVE + 'create', [dict(move_values(env, panel,
                    env['customer'], env['locations'][acme], 3),
                company=other)])
    assert held(env, acme, panel) == 19
    assert ledger(env, acme, panel) == (20, 0, 0, 1, 19)
    assert_integrity(env['server'])


def test_roles(env):
    """The planner neither receives, returns nor scraps nor opens a
    customer's location; the storekeeper does"""
    panel = env['material']("顶板")
    acme = env['acme']
    planner, storekeeper = session(env, 'planner'), session(env,
        'storekeeper')
    receipt, = storekeeper(MOVE + 'create', [move_values(env, panel,
                env['customer'], env['locations'][acme], 6)])
    refused(planner, MOVE + 'do', [receipt])
    storekeeper(MOVE + 'do', [receipt])
    for to, values in [(env['customer'], {}),
            (env['lost_found'], {'customer_material_reason': "受潮"})]:
        move, = storekeeper(MOVE + 'create', [move_values(env, panel,
                    env['locations'][acme], to, 2, **values)])
        refused(planner, MOVE + 'customer_material_assign', [move])
        refused(planner, MOVE + 'do', [move])
        storekeeper(MOVE + 'customer_material_assign', [move])
        storekeeper(MOVE + 'do', [move])
    refused(planner, 'model.party.party.create_customer_material_location',
        [env['beta']])
    assert ledger(env, acme, panel) == (6, 0, 2, 2, 2)


def test_customer_lot(env):
    """华美家具's lot HM-01 of 20: an order taking 25 of it is refused with
    the lot named; 20 are consumed; the ledger is the stock of the lot"""
    panel = env['material']("门板")
    acme = env['acme']
    admin = session(env, 'admin')
    lot, = admin('model.stock.lot.create', [{
                'number': "HM-01", 'product': panel}])
    receive(env, acme, panel, 20, lot=lot)
    receive(env, acme, panel, 10)
    # forced, the order taking 25 of the lot is refused when it runs
    production, _ = order(env, acme, panel, 6, 25, lot=lot)
    admin(PRODUCTION + 'wait', [production])
    admin(PRODUCTION + 'assign_force', [production])
    planner = session(env, 'planner')
    refused(planner, PRODUCTION + 'run', [production],
        says=["华美家具", "HM-01", "只有 20"])
    admin(PRODUCTION + 'cancel', [production])
    production, _ = order(env, acme, panel, 5, 20, lot=lot)
    for button in ['wait', 'assign_try', 'run']:
        planner(PRODUCTION + button, [production])
    assert held(env, acme, panel) == 10
    assert ledger(env, acme, panel) == (30, 20, 0, 0, 10)
    assert_integrity(env['server'])
