# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Output reports (完工汇报) against a real trytond on PostgreSQL, over
JSON-RPC.

The last units of an order reported from two sessions at once, two orders
backflushing (倒冲) the same scarce component at once, a report done twice
at once, bad input, fields the steps set, closing short (短缺关闭) and who
may report, in the users' language (zh_CN).  Every loop is bounded in
count and time and talks only to 127.0.0.1.
"""
from decimal import Decimal

import pytest

from tests import checks
from tests.checks import admin_company, assert_integrity, make_user, refused
from tests.checks import at_once as click_at_once

MODULES = ['production_picking']
REPORT = 'model.production.output.report.'
# a Decimal as Tryton's JSON-RPC carries it
PRICE = {'__class__': 'Decimal', 'decimal': '1'}


@pytest.fixture(scope='module')
def env(make_server):
    server = make_server(
        'test_picking_output_rpc', MODULES,
        extra_config={'database.retry': '40'})
    from proteus import Model
    config, company = admin_company(server)
    BOM = Model.get('production.bom')
    Inventory = Model.get('stock.inventory')
    Location = Model.get('stock.location')
    Lot = Model.get('stock.lot')
    Production = Model.get('production')
    ProductTemplate = Model.get('product.template')
    UoM = Model.get('product.uom')

    # the production supervisor reports output; a user of the production
    # group only (as the accountant) reads it
    users = {login: make_user(login, groups, company, employee=True)
        for login, groups in [
            ('manager', ["Production", "Production Administration"]),
            ('reader', ["Production"]),
            ]}

    unit, = UoM.find([('name', '=', "Unit")])
    products = {}
    for name, cost in [
            ("钢管 Φ25", Decimal(10)), ("螺丝 M8", Decimal('0.5')),
            ("焊丝", Decimal(2)), ("暖气片", Decimal(0)),
            ("支架", Decimal(0))]:
        template = ProductTemplate(name=name, default_uom=unit,
            type='goods', producible=True, list_price=Decimal(1))
        template.products[0].cost_price = cost
        template.save()
        products[name] = template.products[0]
    tube, screw = products["钢管 Φ25"], products["螺丝 M8"]
    wire = products["焊丝"]
    radiator, bracket = products["暖气片"], products["支架"]
    # a radiator: 4 tubes issued when the order runs, 10 screws
    # backflushed by its output reports
    radiator_bom = BOM(name="暖气片")
    radiator_bom.inputs.new(product=tube, quantity=4)
    radiator_bom.inputs.new(product=screw, quantity=10, backflush=True)
    radiator_bom.outputs.new(product=radiator, quantity=1)
    radiator_bom.save()
    # a bracket: 2 m of welding wire backflushed, only 10 in stock
    bracket_bom = BOM(name="支架")
    bracket_bom.inputs.new(product=wire, quantity=2, backflush=True)
    bracket_bom.outputs.new(product=bracket, quantity=1)
    bracket_bom.save()
    lots = {}
    for number in ['R2312-01', 'R2312-02']:
        lot = Lot(number=number, product=radiator)
        lot.save()
        lots[number] = lot.id

    storage, = Location.find([('code', '=', 'STO')])
    inventory = Inventory(location=storage)
    inventory.lines.new(product=tube, quantity=100000)
    inventory.lines.new(product=screw, quantity=100000)
    inventory.lines.new(product=wire, quantity=10)
    inventory.click('confirm')

    def order(quantity, bom=radiator_bom, product=radiator):
        "A running order of quantity (its tubes issued, nothing reported)"
        production = Production(product=product, bom=bom,
            quantity=quantity)
        production.click('wait')
        production.click('assign_force')
        production.click('run')
        assert production.state == 'running'
        return production.id

    return dict(server=server, users=users, unit=unit.id, order=order,
        radiator=radiator.id, bracket=bracket.id, screw=screw.id,
        wire=wire.id, bracket_bom=bracket_bom.id, lots=lots,
        storage=storage.id, company=company.id)


def session(env, login='manager'):
    return checks.session(env['server'], login)


def create_report(rpc, env, production, quantity, lots=None, **values):
    values.update({
            'production': production,
            'quantity': quantity,
            'unit': env['unit'],
            })
    if lots:
        values['lots'] = [['create', [
                    {'lot': env['lots'][n], 'quantity': q}
                    for n, q in lots]]]
    return rpc(REPORT + 'create', [values])[0]


def read_production(env, production, fields):
    return session(env, 'admin')('model.production.read', [production],
        fields)[0]


def moves(env, production, field, product, state='done'):
    "The quantities of the moves of the order's inputs or outputs"
    return sorted(m['quantity'] for m in session(env, 'admin')(
            'model.stock.move.search_read', [
                (field, '=', production),
                ('product', '=', product),
                ('state', '=', state),
                ], 0, None, None, ['quantity']))


def stock(env, product):
    return session(env, 'admin')('model.product.product.read', [product],
        ['quantity'], context={'locations': [env['storage']]})[0]['quantity']


def states(env, reports):
    return sorted(r['state'] for r in session(env, 'admin')(
            REPORT + 'read', reports, ['state']))


def test_last_units_reported_at_once(env):
    """5 of 10 left: two reports of 3 done at once from two sessions, one
    posts, the other is refused with what remains (2)"""
    production = env['order'](10)
    manager = session(env)
    first = create_report(manager, env, production, 5)
    manager(REPORT + 'done', [first])
    sessions = [session(env) for _ in range(2)]
    reports = [create_report(rpc, env, production, 3) for rpc in sessions]
    errors = click_at_once([(rpc, REPORT + 'done', [report])
            for rpc, report in zip(sessions, reports)])
    assert len(errors) == 1, errors
    assert '只剩 2' in errors[0] and '不能汇报 3' in errors[0], errors
    assert '暖气片' in errors[0], errors
    assert states(env, reports) == ['done', 'draft']
    assert moves(env, production, 'production_output', env['radiator']) \
        == [3, 5]
    assert moves(env, production, 'production_output', env['radiator'],
        state='draft') == [2]
    # 10 screws per radiator backflushed for the 8 reported
    assert sum(moves(env, production, 'production_input',
            env['screw'])) == 80
    values = read_production(env, production, ['state', 'reported_quantity'])
    assert (values['state'], values['reported_quantity']) == ('running', 8)
    assert_integrity(env['server'])


def test_last_units_completing_order_at_once(env):
    """5 of 10 left: two reports of 5 done at once, one posts and completes
    the order, the other is refused: the order is no longer running"""
    production = env['order'](10)
    manager = session(env)
    manager(REPORT + 'done', [create_report(manager, env, production, 5)])
    sessions = [session(env) for _ in range(2)]
    reports = [create_report(rpc, env, production, 5) for rpc in sessions]
    errors = click_at_once([(rpc, REPORT + 'done', [report])
            for rpc, report in zip(sessions, reports)])
    assert len(errors) == 1, errors
    assert '只有生产中的任务单才能汇报完工' in errors[0], errors
    assert states(env, reports) == ['done', 'draft']
    assert moves(env, production, 'production_output', env['radiator']) \
        == [5, 5]
    assert sum(moves(env, production, 'production_input',
            env['screw'])) == 100
    assert read_production(env, production, ['state'])['state'] == 'done'
    assert_integrity(env['server'])


def test_backflush_same_scarce_component_at_once(env):
    """Two orders of 5 brackets (2 m of wire each) reported at once, 10 m
    of wire at the picking location: one passes, the other is refused
    naming the wire and the numbers; the wire never goes below zero"""
    first, second = [env['order'](5, bom=env['bracket_bom'],
            product=env['bracket']) for _ in range(2)]
    assert stock(env, env['wire']) == 10
    sessions = [session(env) for _ in range(2)]
    reports = [create_report(rpc, env, production, 5)
        for rpc, production in zip(sessions, [first, second])]
    errors = click_at_once([(rpc, REPORT + 'done', [report])
            for rpc, report in zip(sessions, reports)])
    assert len(errors) == 1, errors
    assert '无法倒冲物料' in errors[0], errors
    assert '焊丝' in errors[0], errors
    assert '需要 10' in errors[0] and '只有 0' in errors[0], errors
    assert '缺 10' in errors[0], errors
    assert states(env, reports) == ['done', 'draft']
    assert stock(env, env['wire']) == 0
    consumed = [moves(env, p, 'production_input', env['wire'])
        for p in [first, second]]
    assert sorted(consumed) == [[], [10]]
    made = [moves(env, p, 'production_output', env['bracket'])
        for p in [first, second]]
    assert sorted(made) == [[], [5]]
    assert_integrity(env['server'])


def test_report_done_twice_at_once(env):
    "A report done from two sessions at once posts once"
    production = env['order'](4)
    sessions = [session(env) for _ in range(2)]
    report = create_report(sessions[0], env, production, 2)
    number = sessions[0](REPORT + 'read', [report], ['number'])[0]['number']
    errors = click_at_once(
        [(rpc, REPORT + 'done', [report]) for rpc in sessions])
    # the loser sees the report done and does nothing, or is refused by
    # the button's states
    assert len(errors) <= 1, errors
    assert all(number in e for e in errors), errors
    assert states(env, [report]) == ['done']
    assert moves(env, production, 'production_output', env['radiator']) \
        == [2]
    assert moves(env, production, 'production_input', env['screw']) == [20]
    assert read_production(env, production, ['reported_quantity'])[
        'reported_quantity'] == 2
    assert_integrity(env['server'])


def test_bad_input(env):
    """Negative or zero quantity, more than remains, lots not adding up, a
    report on a done or cancelled order: refused, nothing posted"""
    production = env['order'](10)
    rpc = session(env)
    for quantity in [-1, 0]:
        refused(create_report, rpc, env, production, quantity,
            says=[str(quantity), '数量'])
    refused(create_report, rpc, env, production, 2,
        lots=[('R2312-01', -1)], says=['-1', '数量'])
    report = create_report(rpc, env, production, 11)
    refused(rpc, REPORT + 'done', [report],
        says=['只剩 10', '不能汇报 11', '暖气片'])
    report = create_report(rpc, env, production, 3,
        lots=[('R2312-01', 1), ('R2312-02', 1)])
    refused(rpc, REPORT + 'done', [report],
        says=['各批次合计 2', '汇报数量 3'])
    assert states(env, [report]) == ['draft']
    assert moves(env, production, 'production_output', env['radiator']) \
        == []
    assert moves(env, production, 'production_input', env['screw']) == []

    # a report left in draft when its order was completed by another
    done = env['order'](2)
    late = create_report(rpc, env, done, 1)
    rpc(REPORT + 'done', [create_report(rpc, env, done, 2)])
    assert read_production(env, done, ['state'])['state'] == 'done'
    refused(rpc, REPORT + 'done', [late],
        says=['只有生产中的任务单才能汇报完工'])
    # a new report on the done order does not pass the order's domain
    refused(create_report, rpc, env, done, 1)
    # a report left in draft when its order was cancelled
    cancelled = env['order'](2)
    orphan = create_report(rpc, env, cancelled, 1)
    session(env, 'admin')('model.production.cancel', [cancelled])
    refused(rpc, REPORT + 'done', [orphan],
        says=['只有生产中的任务单才能汇报完工'])
    assert states(env, [late, orphan]) == ['draft', 'draft']
    assert moves(env, done, 'production_output', env['radiator']) == [2]
    assert moves(env, cancelled, 'production_output', env['radiator']) \
        == []
    assert_integrity(env['server'])


def test_client_cannot_write_what_steps_set(env):
    """State, number, unit cost of a report, closed short of an order: set
    by the steps only; a done report cannot be changed"""
    production = env['order'](4)
    rpc = session(env)
    report = create_report(rpc, env, production, 1)
    for values in [{'state': 'done'}, {'number': 'OR9999'},
            {'unit_price': PRICE}]:
        refused(rpc, REPORT + 'write', [report], values,
            says=['由流程步骤自动填写'])
    refused(create_report, rpc, env, production, 1, state='done',
        says=['由流程步骤自动填写'])
    refused(create_report, rpc, env, production, 1, unit_price=PRICE,
        says=['由流程步骤自动填写'])
    values = rpc(REPORT + 'read', [report], ['state', 'number',
            'unit_price'])[0]
    assert values['state'] == 'draft' and values['unit_price'] is None
    assert values['number'] != 'OR9999'
    refused(rpc, 'model.production.write', [production],
        {'closed_short': True}, says=['是否短缺关闭由系统设定'])
    assert read_production(env, production, ['closed_short'])[
        'closed_short'] is False
    rpc(REPORT + 'done', [report])
    refused(rpc, REPORT + 'write', [report], {'quantity': 2},
        says=['不能再修改'])
    refused(rpc, REPORT + 'delete', [report], says=['只有在草稿或已取消'])
    assert moves(env, production, 'production_output', env['radiator']) \
        == [1]


def test_reader_cannot_report(env):
    """A user of the production group only (as the accountant) reads the
    reports but neither creates, posts nor closes an order short"""
    production = env['order'](2)
    manager, reader = session(env), session(env, 'reader')
    report = create_report(manager, env, production, 1)
    assert reader(REPORT + 'read', [report], ['state'])[0]['state'] \
        == 'draft'
    refused(create_report, reader, env, production, 1, says=['没有访问'])
    refused(reader, REPORT + 'done', [report], says=['点击按钮'])
    refused(reader, 'model.production.close_short', [production],
        says=['点击按钮'])
    assert states(env, [report]) == ['draft']
    assert read_production(env, production, ['state'])['state'] \
        == 'running'


def test_close_short(env):
    """Without a reason closing short is refused; with one the rest of the
    order (output and inputs) is cancelled and the order done"""
    production = env['order'](10)
    rpc = session(env)
    rpc(REPORT + 'done', [create_report(rpc, env, production, 4)])
    number = read_production(env, production, ['number'])['number']
    # the button is read-only without a reason
    refused(rpc, 'model.production.close_short', [production],
        says=[number])
    # a blank reason is no reason (the server strips it)
    rpc('model.production.write', [production],
        {'short_close_reason': '   '})
    assert not read_production(env, production, ['short_close_reason'])[
        'short_close_reason']
    refused(rpc, 'model.production.close_short', [production],
        says=[number])
    values = read_production(env, production, ['state', 'closed_short'])
    assert (values['state'], values['closed_short']) == ('running', False)
    assert moves(env, production, 'production_output', env['radiator'],
        state='draft') == [6]

    rpc('model.production.write', [production],
        {'short_close_reason': '钢管焊接报废 6 件，客户同意按 4 件交货'})
    rpc('model.production.close_short', [production])
    values = read_production(env, production,
        ['state', 'closed_short', 'reported_quantity'])
    assert values == dict(values, state='done', closed_short=True,
        reported_quantity=4)
    radiator, screw = env['radiator'], env['screw']
    assert moves(env, production, 'production_output', radiator) == [4]
    assert moves(env, production, 'production_output', radiator,
        state='cancelled') == [6]
    assert moves(env, production, 'production_input', screw) == [40]
    assert moves(env, production, 'production_input', screw,
        state='cancelled') == [60]
    refused(rpc, 'model.production.write', [production],
        {'short_close_reason': "其他原因"}, says=['只有生产中才能填写'])
    assert_integrity(env['server'])
