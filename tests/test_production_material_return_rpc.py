# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Material returns against a real trytond on PostgreSQL, over JSON-RPC.

Concurrency (C1, C2, C4), bad input (B1, B2, B4) and access (A1, A2, A3)
cases of RELIABILITY.md.  Every loop is bounded in count and time and talks
only to 127.0.0.1.
"""
import threading
import time
import urllib.error
from decimal import Decimal

import pytest

from tests import checks
from tests.checks import (
    DEADLINE, PASSWORD, admin_company, assert_integrity, make_user,
    other_company, refused, run_threads)
from tools.server import RPCError

MODULES = ['production_material_return']
RETURN = 'model.production.material.return.'


@pytest.fixture(scope='module')
def env(make_server):
    server = make_server(
        'test_mr_rpc', MODULES,
        extra_config={'database.retry': '40'})
    from proteus import Model
    config, company = admin_company(server)
    Inventory = Model.get('stock.inventory')
    Location = Model.get('stock.location')
    Lot = Model.get('stock.lot')
    ProductTemplate = Model.get('product.template')
    Production = Model.get('production')
    UoM = Model.get('product.uom')

    other = other_company(company, "Other Co")

    users = {login: make_user(login, groups + ["Production"], user_company,
            employee=True)
        for login, groups, user_company in [
            ('requester', ["Material Return Request"], company),
            ('approver', ["Material Return Approval"], company),
            ('storekeeper', ["Material Return Stock-in"], company),
            ('other', ["Material Return Request",
                    "Material Return Approval",
                    "Material Return Stock-in"], other),
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
    lot = Lot(number='L2311-03', product=tube)
    lot.save()
    other_lot = Lot(number='L2311-04', product=tube)
    other_lot.save()
    storage, = Location.find([('code', '=', 'STO')])
    inventory = Inventory(location=storage)
    inventory.lines.new(product=tube, lot=lot, quantity=10000)
    inventory.lines.new(product=tube, lot=other_lot, quantity=100)
    inventory.lines.new(product=screw, quantity=10000)
    inventory.click('confirm')

    def issue(tube_quantity, screw_quantity=0):
        "A running order that issued the quantities"
        production = Production(
            product=products["暖气片"], quantity=1, unit=unit)
        for product, quantity, lot_ in [
                (tube, tube_quantity, lot), (screw, screw_quantity, None)]:
            if quantity:
                move = production.inputs.new(
                    product=product, quantity=quantity, unit=unit,
                    lot=lot_)
                move.from_location = storage
                move.to_location = production.location
        production.click('wait')
        production.click('assign_force')
        production.click('run')
        assert production.state == 'running'
        return production.id

    return dict(server=server, users=users, tube=tube.id, screw=screw.id,
        lot=lot.id, other_lot=other_lot.id, unit=unit.id, issue=issue,
        radiator=products["暖气片"].id, company=company.id,
        other_company=other.id)


def session(env, login):
    return checks.session(env['server'], login)


def return_values(env, production, quantity, product=None, lot='default'):
    line = {
        'product': product or env['tube'],
        'quantity': quantity,
        'unit': env['unit'],
        'lot': env['lot'] if lot == 'default' else lot,
        }
    return {
        'production': production,
        'lines': [['create', [line]]],
        }


_DEFAULTS = {}


def _defaults(rpc, production):
    if production not in _DEFAULTS:
        values = {}
        productions = rpc('model.production.read', [production],
            ['warehouse', 'company'])
        if productions:
            production_values, = productions
            warehouse, = rpc('model.stock.location.read',
                [production_values['warehouse']], ['storage_location'])
            values = {
                'company': production_values['company'],
                'warehouse': production_values['warehouse'],
                'to_location': warehouse['storage_location'],
                }
        values['reason'] = rpc(
            RETURN + 'default_get', ['reason'])['reason']
        _DEFAULTS[production] = values
    return dict(_DEFAULTS[production])


def create_return(rpc, env, production, quantity, **kwargs):
    "Create a draft return and return its id"
    rpc_values = return_values(env, production, quantity, **kwargs)
    # warehouse, location and reason come from the order like in the client
    rpc_values.update(_defaults(rpc, production))
    return rpc(RETURN + 'create', [rpc_values])[0]


def counted_quantity(env, production):
    "Σ quantity of the order's returns that count (submitted to done)"
    admin = session(env, 'admin')
    lines = admin('model.production.material.return.line.search_read',
        [('material_return.production', '=', production),
            ('material_return.state', 'in',
                ['submitted', 'approved', 'inspecting', 'done'])],
        0, None, None, ['quantity'])
    return sum(l['quantity'] for l in lines)


def error_message(error):
    payload = error.error
    if isinstance(payload, list) and len(payload) > 1:
        args = payload[1]
        if isinstance(args, list) and args:
            return str(args[0])
    return str(payload)


def test_c1_concurrent_returns_never_exceed(env):
    "C1: 6 clients return 1 by 1 against 30 issued: exactly 30 come back"
    production = env['issue'](30)
    clients, tries = 6, 8  # 48 tries for 30 units
    sessions = [session(env, 'requester') for _ in range(clients)]
    results = {'ok': 0, 'exceeds': 0, 'other': []}
    lock = threading.Lock()
    barrier = threading.Barrier(clients, timeout=DEADLINE)
    end = time.monotonic() + DEADLINE

    def client(rpc):
        barrier.wait()
        for _ in range(tries):
            if time.monotonic() > end:
                break
            try:
                return_id = create_return(rpc, env, production, 1)
                rpc(RETURN + 'submit', [return_id])
                outcome = 'ok'
            except RPCError as error:
                message = error_message(error)
                outcome = 'exceeds' if '超过可退数量' in message else message
            with lock:
                if outcome in {'ok', 'exceeds'}:
                    results[outcome] += 1
                else:
                    results['other'].append(outcome)

    run_threads([lambda r=r: client(r) for r in sessions])
    assert results['other'] == []
    assert results['ok'] == 30
    assert results['exceeds'] == clients * tries - 30
    assert counted_quantity(env, production) == 30
    assert_integrity(env['server'])


def test_c2_first_returns_race(env):
    "C2: 8 drafts on a fresh order submitted at once: 3 of 3 units pass"
    production = env['issue'](3)
    clients = 8
    sessions = [session(env, 'requester') for _ in range(clients)]
    drafts = [create_return(rpc, env, production, 1) for rpc in sessions]
    outcomes = []
    lock = threading.Lock()
    barrier = threading.Barrier(clients, timeout=DEADLINE)

    def client(rpc, return_id):
        barrier.wait()
        try:
            rpc(RETURN + 'submit', [return_id])
            outcome = 'ok'
        except RPCError as error:
            message = error_message(error)
            outcome = 'exceeds' if '超过可退数量' in message else message
        with lock:
            outcomes.append(outcome)

    run_threads([
            lambda r=r, d=d: client(r, d) for r, d in zip(sessions, drafts)])
    assert sorted(outcomes) == ['exceeds'] * 5 + ['ok'] * 3
    assert counted_quantity(env, production) == 3
    message = [m for m in outcomes if m == 'exceeds']
    assert message
    assert_integrity(env['server'])


def test_c2_exceeds_message_names_numbers(env):
    "The exceeds error names the quantities, order, product and lot"
    production = env['issue'](8)
    rpc = session(env, 'requester')
    with pytest.raises(RPCError) as info:
        create_return(rpc, env, production, 12)
    message = error_message(info.value)
    assert '退料数量 12 超过可退数量 8' in message
    assert '钢管 Φ25' in message and 'L2311-03' in message


def _submitted_return(env, quantity=1):
    production = env['issue'](10)
    rpc = session(env, 'requester')
    return_id = create_return(rpc, env, production, quantity)
    rpc(RETURN + 'submit', [return_id])
    return production, return_id


def _read(env, return_id, fields):
    admin = session(env, 'admin')
    return admin(RETURN + 'read', [return_id], fields)[0]


def _click_twice(env, login, button, return_id):
    "Click the button from two sessions at once; return the errors"
    sessions = [session(env, login) for _ in range(2)]
    errors = []
    barrier = threading.Barrier(2, timeout=DEADLINE)

    def click(rpc):
        barrier.wait()
        try:
            rpc(RETURN + button, [return_id])
        except RPCError as error:
            errors.append(error_message(error))
    run_threads([lambda r=r: click(r) for r in sessions])
    return errors


def test_c4_double_approve_and_do(env):
    "C4: approve and stock-in from two sessions: one transition, one move"
    production, return_id = _submitted_return(env, 2)
    for login, button in [('approver', 'approve'), ('storekeeper', 'do')]:
        errors = _click_twice(env, login, button, return_id)
        # the loser either sees the new state and does nothing or is
        # refused by the button's states ("You can not call …")
        assert len(errors) <= 1
        assert all(button in e and 'MR' in e for e in errors), errors
    admin = session(env, 'admin')
    assert _read(env, return_id, ['state'])['state'] == 'done'
    logs = admin('model.ir.model.log.search_read', [
            ('resource', '=', 'production.material.return,%s' % return_id),
            ('event', '=', 'transition'),
            ], 0, None, None, ['target'])
    targets = sorted(l['target'] for l in logs)
    assert targets == ['state:approved', 'state:done', 'state:submitted']
    lines = admin('model.production.material.return.line.search_read',
        [('material_return', '=', return_id)], 0, None, None, ['id'])
    moves = admin('model.stock.move.search', [
            ('origin', 'in', [
                    'production.material.return.line,%s' % l['id']
                    for l in lines])], 0, None, None)
    assert len(moves) == 1
    assert counted_quantity(env, production) == 2


def race(calls):
    """Start the calls {name: (rpc, method, *args)} together; return
    {name: 'ok' or the error message}"""
    results = {}
    barrier = threading.Barrier(len(calls), timeout=DEADLINE)

    def call(name, rpc, method, *args):
        barrier.wait()
        try:
            rpc(method, *args)
            results[name] = 'ok'
        except RPCError as error:
            results[name] = error_message(error)
    run_threads([lambda n=n, c=c: call(n, *c) for n, c in calls.items()])
    return results


def _stock(env, product, location):
    "Quantity of product in location (its children included)"
    admin = session(env, 'admin')
    product, = admin('model.product.product.read', [product], ['quantity'],
        context={'locations': [location]})
    return product['quantity']


def test_c5_submit_races_line_write(env):
    """C5: a submit and a write of the line's quantity at once: the line
    counts as it is stored, never as it was when submit read it"""
    admin = session(env, 'admin')
    rounds = 6
    outcomes = []
    for _ in range(rounds):
        production = env['issue'](10)
        workshop, = admin('model.production.read', [production],
            ['location'])
        workshop = workshop['location']
        storage = _defaults(admin, production)['to_location']
        before = {
            loc: _stock(env, env['tube'], loc) for loc in [workshop, storage]}
        submitter, writer = (
            session(env, 'requester'), session(env, 'requester'))
        return_id = create_return(submitter, env, production, 1)
        line_id, = _read(env, return_id, ['lines'])['lines']
        results = race({
                'submit': (submitter, RETURN + 'submit', [return_id]),
                'write': (writer,
                    'model.production.material.return.line.write',
                    [line_id], {'quantity': 10}),
                })
        assert results['submit'] == 'ok', results
        line, = admin('model.production.material.return.line.read',
            [line_id], ['quantity', 'internal_quantity'])
        if results['write'] == 'ok':
            # the write came first: the submit counted 10
            assert line['quantity'] == 10, (results, line)
        else:
            assert '已不是草稿，不能修改' in results['write'], results
            assert line['quantity'] == 1, (results, line)
        assert line['internal_quantity'] == line['quantity'], line
        assert counted_quantity(env, production) == line['quantity']
        outcomes.append(results['write'] == 'ok')

        session(env, 'approver')(RETURN + 'approve', [return_id])
        session(env, 'storekeeper')(RETURN + 'do', [return_id])
        moves = admin('model.stock.move.search_read', [
                ('origin', '=',
                    'production.material.return.line,%s' % line_id)],
            0, None, None, ['quantity', 'state', 'from_location'])
        assert [(m['quantity'], m['state'], m['from_location'])
            for m in moves] == [(line['quantity'], 'done', workshop)]
        assert _stock(env, env['tube'], workshop) == (
            before[workshop] - line['quantity'])
        assert _stock(env, env['tube'], storage) == (
            before[storage] + line['quantity'])
        assert_integrity(env['server'])
    assert len(outcomes) == rounds


def test_c6_stale_snapshot_cannot_lock_the_order(env):
    """C6: a transaction whose snapshot is older than a submit cannot take
    the order's lock: PostgreSQL refuses it and trytond retries it with a
    fresh snapshot, instead of reading the returned quantity of before

    (Tryton 8.0 takes the locks at the start of a retried transaction;
    with two locks, the first one takes the snapshot, and the second one
    was free again once the other submit had committed.)"""
    import psycopg
    from sql import For, Literal, Table

    production = env['issue'](5)
    admin = session(env, 'admin')
    server = env['server']
    production_table = Table('production')
    line = Table('production_material_return_line')
    counted = line.select(Literal(1))
    lock = production_table.select(Literal(1),
        where=production_table.id == production,
        for_=For('UPDATE', nowait=True))
    stale = psycopg.connect(server.uri.rstrip('/') + '/' + server.database)
    stale.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
    try:
        with stale.cursor() as cursor:
            cursor.execute(*counted)  # the snapshot
            before = len(cursor.fetchall())
            return_id = create_return(admin, env, production, 5)
            admin(RETURN + 'submit', [return_id])
            cursor.execute(*counted)
            assert len(cursor.fetchall()) == before  # it is stale
            with pytest.raises(psycopg.errors.SerializationFailure):
                cursor.execute(*lock)
    finally:
        stale.close()
    # a fresh transaction takes the lock and sees the submitted 5
    assert counted_quantity(env, production) == 5
    with pytest.raises(RPCError) as error:
        create_return(admin, env, production, 1)
    assert 'exceeds the returnable quantity 0' in error_message(error.value)


def _count_returns(env):
    return len(session(env, 'admin')(RETURN + 'search', [], 0, None, None))


@pytest.mark.parametrize('quantity, says', [
        (0, ['退料数量 0 必须大于 0', '钢管 Φ25']),
        (-1, ['退料数量 -1 必须大于 0', '钢管 Φ25']),
        (float('nan'), ['nan', '退料数量']),
        (float('inf'), ['退料数量 inf 必须大于 0']),
        (float('-inf'), ['退料数量 -inf 必须大于 0']),
        (1e308, ['超过可退数量 5', 'L2311-03']),
        ('abc', ['退料数量', 'abc', '不是数字']),
        (0.5, ['0.5']),
        (None, ['数量']),
        ])
def test_b1_bad_quantity(env, quantity, says):
    "B1: a bad quantity is refused with a clear error, nothing is written"
    production = env['issue'](5)
    rpc = session(env, 'requester')
    before = _count_returns(env)
    message = refused(create_return, rpc, env, production, quantity,
        says=says)
    print(repr(quantity), message)
    assert _count_returns(env) == before


def test_b2_bad_ids(env):
    "B2: unknown ids, product or lot not issued, other company, duplicates"
    production = env['issue'](5)
    rpc = session(env, 'requester')
    before = _count_returns(env)
    bad = [
        dict(product=999999),
        dict(product=env['screw'], lot=None),
        dict(product=env['radiator'], lot=None),
        dict(lot=env['other_lot']),
        dict(lot=None),
        dict(lot=999999),
        ]
    for kwargs, says in zip(bad, [
                ['不存在'],
                ['螺丝 M8', '未发料给生产单'],
                ['暖气片', '未发料给生产单'],
                ['批次 L2311-04', '未发料给生产单'],
                ['钢管 Φ25', '需要填写批次'],
                ['不存在'],
                ]):
        message = refused(create_return, rpc, env, production, 1,
            says=says, **kwargs)
        print(kwargs, message)
    message = refused(create_return, rpc, env, 999999, 1, says=['不存在'])
    print('production 999999', message)
    assert _count_returns(env) == before

    return_id = create_return(rpc, env, production, 1)
    # duplicate ids: Tryton refuses the call (422) without a traceback
    with pytest.raises((RPCError, urllib.error.HTTPError)) as info:
        rpc(RETURN + 'submit', [return_id, return_id])
    assert isinstance(info.value, urllib.error.HTTPError), info.value
    body = info.value.read()
    print('duplicate ids', info.value.code, body[:300])
    assert info.value.code == 422, body
    with pytest.raises(RPCError):
        rpc(RETURN + 'submit', [999999])
    assert _read(env, return_id, ['state'])['state'] == 'draft'
    assert counted_quantity(env, production) == 0


def test_b4_write_state(env):
    "B4: the state changes only through the buttons"
    production, return_id = _submitted_return(env)
    for login in ['requester', 'approver', 'storekeeper', 'admin']:
        rpc = session(env, login)
        with pytest.raises(RPCError):
            rpc(RETURN + 'write', [return_id], {'state': 'done'})
    assert _read(env, return_id, ['state'])['state'] == 'submitted'
    rpc = session(env, 'requester')
    line_id = _read(env, return_id, ['lines'])['lines'][0]
    with pytest.raises(RPCError):
        rpc('model.production.material.return.line.write',
            [line_id], {'quantity': 5})
    assert counted_quantity(env, production) == 1


def test_a1_storekeeper_cannot_approve(env):
    "A1: the storekeeper calling approve gets an access error"
    production, return_id = _submitted_return(env)
    rpc = session(env, 'storekeeper')
    with pytest.raises(RPCError) as info:
        rpc(RETURN + 'approve', [return_id])
    assert 'AccessButtonError' in str(info.value.error) or (
        'approve' in str(info.value.error))
    state = _read(env, return_id, ['state', 'approved_by'])
    assert state['state'] == 'submitted'
    assert state['approved_by'] is None


def test_a2_duty_separation(env):
    "A2: a requester who is also approver cannot approve their own return"
    production = env['issue'](10)
    admin = session(env, 'admin')
    return_id = create_return(admin, env, production, 1)
    admin(RETURN + 'submit', [return_id])
    with pytest.raises(RPCError) as info:
        admin(RETURN + 'approve', [return_id])
    assert '不能审批' in error_message(info.value) or (
        'cannot approve' in error_message(info.value))
    assert _read(env, return_id, ['state'])['state'] == 'submitted'
    rpc = session(env, 'approver')
    rpc(RETURN + 'approve', [return_id])
    assert _read(env, return_id, ['state'])['state'] == 'approved'


def test_a3_other_company(env):
    "A3: a user of another company cannot see or touch the returns"
    production, return_id = _submitted_return(env)
    other = session(env, 'other')
    assert other(RETURN + 'search', [('id', '=', return_id)],
        0, None, None) == []
    for method, args in [
            ('read', [[return_id], ['state']]),
            ('write', [[return_id], {'comment': "x"}]),
            ('approve', [[return_id]]),
            ('do', [[return_id]]),
            ('cancel', [[return_id]]),
            ]:
        with pytest.raises(RPCError):
            other(RETURN + method, *args)
    with pytest.raises(RPCError):
        create_return(other, env, production, 1)
    state = _read(env, return_id, ['state', 'comment'])
    assert state['state'] == 'submitted'
    assert state['comment'] is None


def _employee(env, login):
    "The employee of the user as stored"
    admin = session(env, 'admin')
    user, = admin('model.res.user.read', [env['users'][login]], ['employee'])
    return user['employee']


AUDIT = [
    ('approved_by', '审批人'), ('approved_at', '审批时间'),
    ('done_by', '入库人'), ('done_at', '入库时间'),
    ('requested_by', '申请人'), ('requested_at', '申请时间'),
    ('requested_user', '申请用户'),
    ]


@pytest.mark.parametrize('field, label', AUDIT)
def test_a4_audit_fields_forged(env, field, label):
    """A4: who did a step and when is set only by the server: a client
    gives none of it, at create nor by write"""
    production = env['issue'](5)
    rpc = session(env, 'requester')
    value = {
        'approved_by': _employee(env, 'approver'),
        'done_by': _employee(env, 'storekeeper'),
        'requested_by': _employee(env, 'approver'),
        'requested_user': env['users']['approver'],
        }.get(field, '2026-01-01T08:00:00')
    if field.endswith('_at'):
        value = {'__class__': 'datetime', 'year': 2026, 'month': 1,
            'day': 1, 'hour': 8, 'minute': 0, 'second': 0,
            'microsecond': 0}
    before = _count_returns(env)
    values = return_values(env, production, 1)
    values.update(_defaults(rpc, production))
    values[field] = value
    refused(rpc, RETURN + 'create', [values], says=[
            '"%s"' % label, '只能由系统填写'])
    assert _count_returns(env) == before
    return_id = create_return(rpc, env, production, 1)
    refused(rpc, RETURN + 'write', [return_id], {field: value}, says=[
            '退料单“MR', '"%s"' % label, '只能由系统填写'])
    record = _read(env, return_id, [field, 'state'])
    assert record == {'id': return_id, field: None, 'state': 'draft'}


def test_a4_number_and_state_forged(env):
    "A4: the number comes from the sequence, the state from the buttons"
    production = env['issue'](5)
    rpc = session(env, 'requester')
    before = _count_returns(env)
    for forged, says in [
            ({'number': 'MR0001'}, ['退料单号由编号序列生成', '“MR0001”']),
            ({'state': 'done'}, ['"状态"', '只能由系统填写']),
            ({'state': 'submitted'}, ['"状态"', '只能由系统填写']),
            ]:
        values = return_values(env, production, 1)
        values.update(_defaults(rpc, production))
        values.update(forged)
        refused(rpc, RETURN + 'create', [values], says=says)
    assert _count_returns(env) == before
    assert counted_quantity(env, production) == 0
    return_id = create_return(rpc, env, production, 1)
    number = _read(env, return_id, ['number'])['number']
    refused(rpc, RETURN + 'write', [return_id], {'number': 'MR0001'},
        says=['"单号"', '只能由系统填写'])
    assert _read(env, return_id, ['number'])['number'] == number
    # a copy is a new draft with a number of its own
    copy_id, = rpc(RETURN + 'copy', [return_id], {})
    copy = _read(env, copy_id, ['number', 'state', 'requested_by'])
    assert copy['state'] == 'draft' and copy['requested_by'] is None
    assert copy['number'] not in {None, number}


def test_a5_forged_employee_context(env):
    """A5: an employee key in the RPC context is never recorded: each step
    records the user's own employee"""
    production = env['issue'](5)
    requester = session(env, 'requester')
    return_id = create_return(requester, env, production, 2)
    accountant = _employee(env, 'other')  # an employee of nobody here
    requester(RETURN + 'submit', [return_id],
        context={'employee': _employee(env, 'approver')})
    session(env, 'approver')(RETURN + 'approve', [return_id],
        context={'employee': accountant})
    session(env, 'storekeeper')(RETURN + 'do', [return_id],
        context={'employee': _employee(env, 'requester')})
    record = _read(env, return_id, [
            'state', 'requested_by', 'approved_by', 'done_by',
            'requested_user'])
    assert record == {
        'id': return_id, 'state': 'done',
        'requested_by': _employee(env, 'requester'),
        'approved_by': _employee(env, 'approver'),
        'done_by': _employee(env, 'storekeeper'),
        'requested_user': env['users']['requester'],
        }


def test_scan_code_adds_and_increments(env):
    "Scanning a lot number adds a line, scanning it again adds 1"
    production = env['issue'](5, 5)
    rpc = session(env, 'requester')
    values = {'id': -1, 'production': production, 'lines': []}
    changes = rpc(RETURN + 'on_scan_code', values, 'L2311-03')
    (_, [line]), = [
        (k, v['add']) for k, v in changes.items() if k == 'lines']
    assert line[1]['product'] == env['tube']
    assert line[1]['lot'] == env['lot']
    assert line[1]['quantity'] == 1
    return_id = create_return(rpc, env, production, 1)
    values = rpc(RETURN + 'read', [return_id], ['production', 'lines'])[0]
    changes = rpc(RETURN + 'on_scan_code', values, 'L2311-03')
    updated = changes['lines']['update']
    assert [u['quantity'] for u in updated] == [2]
    refused(rpc, RETURN + 'on_scan_code', values, 'NO-SUCH-CODE',
        says='没有找到条码 NO-SUCH-CODE 对应的批次或物料。')


def test_scan_code_refused_when_not_draft(env):
    """A scan on an approved return changes nothing and says why; the
    storekeeper then stocks it in"""
    production = env['issue'](10)
    requester = session(env, 'requester')
    return_id = create_return(requester, env, production, 4)
    number = _read(env, return_id, ['number'])['number']
    requester(RETURN + 'submit', [return_id])
    session(env, 'approver')(RETURN + 'approve', [return_id])
    storekeeper = session(env, 'storekeeper')
    values = storekeeper(RETURN + 'read', [return_id],
        ['production', 'lines', 'state', 'number'])[0]
    values['lines'] = storekeeper(
        'model.production.material.return.line.read', values['lines'],
        ['product', 'lot', 'quantity', 'unit'])
    message = refused(storekeeper, RETURN + 'on_scan_code', values,
        'L2311-03', says='退料单 %s 已审批，扫码不能修改它。' % number)
    print(message)
    # A client that says it is a draft changes nothing either
    refused(storekeeper, RETURN + 'on_scan_code',
        dict(values, state='draft'), 'L2311-03',
        says='退料单 %s 已审批，扫码不能修改它。' % number)
    storekeeper(RETURN + 'do', [return_id])
    lines = session(env, 'admin')(
        'model.production.material.return.line.search_read',
        [('material_return', '=', return_id)], 0, None, None,
        ['quantity'])
    assert [l['quantity'] for l in lines] == [4]
    assert _read(env, return_id, ['state'])['state'] == 'done'


def test_scan_code_not_issued(env):
    "A lot or product not issued to the order is named, nothing is added"
    production = env['issue'](5)
    rpc = session(env, 'requester')
    values = {'id': -1, 'production': production, 'lines': [],
        'state': 'draft', 'number': None}
    refused(rpc, RETURN + 'on_scan_code', values, 'L2311-04', says=[
            '批次 L2311-04', '未发料给生产单',
            '退料单只能退回已发给其生产单的料'])


def test_line_returnable_before_save(env):
    """The client computes the returnable quantity of a new line from the
    order of its return, before anything is saved"""
    production = env['issue'](9, 3)
    rpc = session(env, 'requester')
    line = 'model.production.material.return.line.'
    values = {'id': -2, 'material_return': -1,
        '_parent_material_return.production': production,
        'product': env['tube'], 'lot': env['lot'], 'unit': env['unit']}
    changes = rpc(line + 'on_change_with', values, ['returnable_quantity'])
    assert changes == {'returnable_quantity': 9}
    changes = rpc(line + 'on_change_with',
        dict(values, product=env['screw'], lot=None),
        ['returnable_quantity'])
    assert changes == {'returnable_quantity': 3}
    issued = rpc(RETURN + 'on_change_with',
        {'id': -1, 'production': production},
        ['issued_products', 'issued_lots'])
    print(issued)

    def added(value):
        "The ids of the records the client adds to the field"
        return sorted(v['id'] for _, v in value['add'])
    assert added(issued['issued_products']) == sorted(
        [env['tube'], env['screw']])
    assert added(issued['issued_lots']) == [env['lot']]


def test_readme_xmlrpc_example(env):
    """The XML-RPC example of addons/production_material_return/doc/index.rst
    works"""
    production = env['issue'](10)
    s = env['server'].xmlrpc('requester', PASSWORD)
    ctx = s.model.res.user.get_preferences(True, {})
    wh, = s.model.production.read([production], ['warehouse'], ctx)
    sto, = s.model.stock.location.read(
        [wh['warehouse']], ['storage_location'], ctx)
    tube, = s.model.product.product.search(
        [('id', '=', env['tube'])], 0, 1, None, ctx)
    lot, = s.model.stock.lot.search(
        [('number', '=', 'L2311-03')], 0, 1, None, ctx)
    unit = s.model.product.product.read(
        [tube], ['default_uom'], ctx)[0]['default_uom']
    # 'return' is a Python keyword: reach the model with getattr
    MR = getattr(s, 'model.production.material.return')
    mr, = MR.create([{
                'production': production, 'warehouse': wh['warehouse'],
                'to_location': sto['storage_location'],
                'reason': MR.default_get(['reason'], ctx)['reason'],
                'lines': [['create', [{'product': tube, 'lot': lot,
                                'quantity': 4, 'unit': unit}]]],
                }], ctx)
    MR.submit([mr], ctx)
    approver = env['server'].xmlrpc('approver', PASSWORD)
    actx = approver.model.res.user.get_preferences(True, {})
    getattr(approver, 'model.production.material.return').approve(
        [mr], actx)
    storekeeper = env['server'].xmlrpc('storekeeper', PASSWORD)
    sctx = storekeeper.model.res.user.get_preferences(True, {})
    getattr(storekeeper, 'model.production.material.return').do(
        [mr], sctx)
    record, = MR.read([mr], ['number', 'state', 'cost'], ctx)
    assert record['state'] == 'done'
    assert record['number'].startswith('MR')
    assert Decimal(str(record['cost'])) == Decimal('40')
    cost = s.model.production.read(
        [production], ['returned_cost', 'cost'], ctx)[0]
    assert Decimal(str(cost['returned_cost'])) == Decimal('40')
    assert Decimal(str(cost['cost'])) == Decimal('60')
