# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Demo material returns (生产退料) in every state.

Uses ctx.config, ctx.users (planner, storekeeper, qc, manager) and
ctx.productions; sets ctx.material_returns.  See doc/DEVELOPING.md.
"""

MODULE = 'production_material_return'
# role: groups of this module
ROLE_GROUPS = {
    'planner': ['group_material_return_requester'],
    'manager': [
        'group_material_return_requester',
        'group_material_return_approver'],
    'storekeeper': ['group_material_return_storekeeper'],
    }
# state, order state, reason code
PLANS = [
    ('draft', 'running', 'OVER'),
    ('submitted', 'running', 'PLAN'),
    ('approved', 'running', 'OVER'),
    ('inspecting', 'running', 'QUALITY'),
    ('done', 'running', 'OVER'),
    ('done', 'done', 'PROCESS'),
    ('rejected', 'done', 'OVER'),
    ('cancelled', 'done', 'PLAN'),
    ]


def _as(ctx, role):
    "Act as the demo user of the role (None: back to the factory user)"
    from proteus import Model
    config = ctx.config
    User = Model.get('res.user')
    if role is None:
        config.user = ctx._material_return_user
    else:
        config.user = ctx.users[role].id
    config._context = User.get_preferences(True, {})


def _groups(ctx):
    from proteus import Model
    Group = Model.get('res.group')
    ModelData = Model.get('ir.model.data')
    User = Model.get('res.user')
    for role, xml_ids in ROLE_GROUPS.items():
        if role not in ctx.users:
            continue
        user = User(ctx.users[role].id)
        for xml_id in xml_ids:
            group = Group(ModelData.get_id(MODULE, xml_id, {}))
            if group not in user.groups:
                user.groups.append(group)
        user.save()


def _pick(ctx, state):
    "Return (production, done input) pairs of the orders in the state"
    from proteus import Model
    Production = Model.get('production')
    pairs = []
    for production in ctx.productions:
        production = Production(production.id)
        if production.state != state:
            continue
        for input_ in production.inputs:
            if input_.state == 'done':
                pairs.append((production, input_))
    return pairs


def _quantity(input_):
    "About a tenth of what was issued, in the unit's rounding"
    rounding = input_.unit.rounding
    quantity = round(input_.quantity / 10 / rounding) * rounding
    return max(quantity, rounding)


def _control(ctx, product):
    "A quality control on returned material of one product"
    from proteus import Model
    Control = Model.get('quality.control')
    control = Control(name="退料检验 %s" % product.code)
    control.operations = ['production.material.return:approve']
    control.product = product
    point = control.points.new()
    point.string = "外观"
    point.type_ = 'boolean'
    control.save()
    return control


def create(ctx):
    from proteus import Model
    Production = Model.get('production')
    Reason = Model.get('production.material.return.reason')
    Return = Model.get('production.material.return')
    reasons = {r.code: r for r in Reason.find([])}
    ctx._material_return_user = ctx.config.user
    _groups(ctx)
    pairs = {state: _pick(ctx, state) for state in ['running', 'done']}
    used, inspected = set(), set()
    returns = []
    for index, (state, order_state, reason) in enumerate(PLANS):
        candidates = [
            p for p in pairs[order_state]
            if p[1].id not in used and p[1].product.id not in inspected]
        if not candidates:
            continue
        production, input_ = candidates[index % len(candidates)]
        used.add(input_.id)
        if state == 'inspecting':
            _as(ctx, None)
            _control(ctx, input_.product)
            inspected.add(input_.product.id)
        _as(ctx, 'planner')
        material_return = Return(production=Production(production.id))
        material_return.reason = Reason(reasons[reason].id)
        line = material_return.lines.new(product=input_.product)
        line.lot = input_.lot
        line.unit = input_.unit
        line.quantity = _quantity(input_)
        material_return.comment = "演示：%s" % state
        material_return.save()
        if state == 'cancelled':
            material_return.click('cancel')
        elif state != 'draft':
            material_return.click('submit')
        if state in {'approved', 'inspecting', 'done', 'rejected'}:
            _as(ctx, 'manager')
            material_return = Return(material_return.id)
            if state == 'rejected':
                material_return.click('reject')
            else:
                material_return.click('approve')
        if state == 'done':
            _as(ctx, 'storekeeper')
            material_return = Return(material_return.id)
            material_return.click('do')
        returns.append(material_return)
    _as(ctx, None)
    ctx.material_returns = [Return(r.id) for r in returns]
    return ctx.material_returns
