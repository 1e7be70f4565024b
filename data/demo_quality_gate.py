# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Demo quality gates (质检闭环): passed, failed, partial and reworked
receipts, a pending one, dispositions, a lot on hold, a quality issue with
its corrective actions, a rework with an extra part and labour cost, and a
material return (退料) of a running order decided per quantity (all but 3
accepted, 2 rejected and scrapped, 1 concession).

Uses ctx.config, ctx.today, ctx.company, ctx.currency, ctx.warehouse,
ctx.storage, ctx.products, ctx.suppliers, ctx.users['qc'] and
ctx.employees['qc'] (and the users 'manager', 'planner' and 'storekeeper'
when present); see doc/DEVELOPING.md.  The controls apply only to the product
this plug-in creates, so the other plug-ins' flows are not gated.
"""
import datetime as dt
from decimal import Decimal

MODULE = 'quality_gate'
PRODUCT_CODE = 'RM-020'
# states of the material returns that count as returned
COUNTED = ['submitted', 'approved', 'inspecting', 'done']
SUPPLIER = "安吉五金配件厂"
# reference, quantity, (accepted, rejected, concession) or None: pending
RECEIPTS = [
    ('QG-1 全部合格', 100, (100, 0, 0)),
    ('QG-2 全部拒收', 20, (0, 20, 0)),
    ('QG-3 部分不合格', 100, (93, 5, 2)),
    ('QG-4 待检', 50, None),
    ]


def _as(ctx, user):
    from proteus import Model
    User = Model.get('res.user')
    ctx.config.user = user
    ctx.config._context = User.get_preferences(True, {})


def _groups(ctx):
    from proteus import Model
    Group = Model.get('res.group')
    ModelData = Model.get('ir.model.data')
    User = Model.get('res.user')
    group = Group(ModelData.get_id(MODULE, 'group_quality_inspector', {}))
    for role in ['qc']:
        if role in ctx.users:
            user = User(ctx.users[role].id)
            if group not in user.groups:
                user.groups.append(group)
                user.save()


def _product(ctx):
    from proteus import Model
    Template = Model.get('product.template')
    reference = ctx.products['RM-005'].template
    unit = reference.default_uom
    template = Template(name="气杆 5 级", code=PRODUCT_CODE,
        type='goods', default_uom=unit)
    template.purchasable = True
    template.purchase_uom = unit
    template.producible = True
    template.cost_price_method = 'average'
    template.lot_required = ['supplier', 'storage', 'production']
    if reference.account_category:
        template.account_category = reference.account_category
    template.save()
    product, = template.products
    return product


def _control(ctx, product):
    from proteus import Model
    Control = Model.get('quality.control')
    control = Control(name="气杆来料检验", product=product,
        operations=['stock.shipment.in:do'], sampling='percentage',
        sample_percentage=0.1)
    point = control.points.new()
    point.string = "行程（mm）"
    point.name = 'stroke'
    point.type_ = 'float'
    point.tolerance_lower = 98
    point.tolerance_upper = 102
    point = control.points.new()
    point.string = "外观无锈蚀"
    point.name = 'no_rust'
    point.type_ = 'boolean'
    control.save()
    return control


def _receipt(ctx, product, reference, quantity):
    "A purchase of the quantity, received (收料通知) in one lot"
    from proteus import Model
    Lot = Model.get('stock.lot')
    Move = Model.get('stock.move')
    Purchase = Model.get('purchase.purchase')
    Shipment = Model.get('stock.shipment.in')
    purchase = Purchase(party=ctx.suppliers[SUPPLIER],
        warehouse=ctx.warehouse, purchase_date=ctx.today)
    line = purchase.lines.new(product=product, quantity=quantity)
    line.unit_price = Decimal('36.00')
    purchase.click('quote')
    purchase.click('confirm')
    lot = Lot(number=reference.split()[0], product=product)
    lot.save()
    shipment = Shipment(supplier=purchase.party, warehouse=ctx.warehouse,
        reference="送货单 %s" % reference)
    for move in purchase.moves:
        incoming = Move(move.id)
        incoming.lot = lot
        incoming.save()
        shipment.incoming_moves.append(incoming)
    shipment.save()
    shipment.click('receive')
    return shipment, lot


def _decide(ctx, shipment, decision):
    from proteus import Model
    Inspection = Model.get('quality.inspection')
    inspection, = Inspection.find([('origin', '=', str(shipment))])
    accepted, rejected, concession = decision
    inspection.points = {'stroke': 100.4 if not rejected else 103.5,
        'no_rust': not rejected}
    line, = inspection.lines
    line.accepted_quantity = accepted
    line.rejected_quantity = rejected
    line.concession_quantity = concession
    if rejected:
        line.rejection_reason = "行程超差、表面锈蚀"
    inspection.click('process')
    return inspection, line


def _dispose(ctx, line, type_, quantity, reason, materials=(),
        labour=None):
    from proteus import Model
    Disposition = Model.get('quality.disposition')
    # the decision left a draft disposition of the rejected units
    drafts = Disposition.find([
            ('inspection_line', '=', line.id), ('state', '=', 'draft')])
    if drafts:
        disposition = drafts[0]
        disposition.type = type_
    else:
        disposition = Disposition(inspection_line=line, type=type_)
    disposition.quantity = quantity
    disposition.reason = reason
    for product in materials:
        disposition.rework_materials.new(product=product, quantity=1)
    disposition.rework_labour_cost = labour
    disposition.click('do')
    return disposition


def _rework(ctx, disposition):
    "The workshop runs the rework order, its output is inspected again"
    from proteus import Model
    Inspection = Model.get('quality.inspection')
    Production = Model.get('production')
    # the production supervisor runs and finishes production
    worker = ctx.users.get('manager', ctx.users['qc']).id
    _as(ctx, worker)
    production = Production(disposition.production.id)
    production.click('wait')
    production.click('assign_try')
    production.click('run')
    production.click('do')  # the gate creates the inspection
    _as(ctx, ctx.users['qc'].id)
    inspection, = Inspection.find([('origin', '=', str(production))])
    inspection.points = {'stroke': 100.1, 'no_rust': True}
    inspection.click('process')
    _as(ctx, worker)
    production = Production(production.id)
    production.click('do')
    return production


def _alert(ctx, inspection):
    from proteus import Model
    Alert = Model.get('quality.alert')
    alert, = Alert.find([('origin', '=', str(inspection))])
    alert.title = "气杆行程超差、锈蚀（%s）" % SUPPLIER
    alert.root_cause = "供应商热处理后未做防锈处理，包装无干燥剂。"
    employee = ctx.employees.get('qc') if ctx.employees else None
    if employee:
        for description, kind, days in [
                ("要求供应商提交 8D 报告", 'corrective', -3),
                ("来料检验抽样比例提高到 20%", 'preventive', 7),
                ]:
            action = alert.actions.new()
            action.description = description
            action.kind = kind
            action.responsible = employee
            action.due_date = ctx.today + dt.timedelta(days=days)
    alert.save()
    alert.click('process')
    return alert


def _activated(name):
    from proteus import Model
    Module = Model.get('ir.module')
    return bool(Module.find(
            [('name', '=', name), ('state', '=', 'activated')]))


def _user(ctx, role):
    "The demo user of the role, else the quality inspector"
    return ctx.users.get(role, ctx.users['qc']).id


def _extra_material(ctx):
    "A raw material without lot in stock for the rework, if any"
    from proteus import Model
    Product = Model.get('product.product')
    with ctx.config.set_context(locations=[ctx.storage.id]):
        for code in sorted(ctx.products):
            if not code.startswith('RM-') or code == PRODUCT_CODE:
                continue
            product = Product(ctx.products[code].id)
            if (product.quantity or 0) >= 1 and not (
                    product.template.lot_required or []):
                return product


def _return_candidate(ctx):
    """The done input of a running order with the most returnable (at
    least 4) that no return control covers; the README example's order
    (the one that issued 钢管 RM-001) is left as it is"""
    from proteus import Model
    Control = Model.get('quality.control')
    Production = Model.get('production')
    Line = Model.get('production.material.return.line')
    controlled = {c.product.id for c in Control.find([])
        if c.product
        and 'production.material.return:approve' in c.operations}
    candidates = []
    for production in Production.find(
            [('state', '=', 'running')], order=[('number', 'ASC')]):
        if any(i.product.code == 'RM-001' for i in production.inputs):
            continue
        for input_ in production.inputs:
            if input_.state != 'done' or input_.product.id in controlled:
                continue
            returned = sum(l.quantity for l in Line.find([
                        ('material_return.production', '=', production.id),
                        ('material_return.state', 'in', COUNTED),
                        ('product', '=', input_.product.id),
                        ('lot', '=', input_.lot.id if input_.lot else None),
                        ]))
            returnable = input_.quantity - returned
            if returnable >= 4:
                candidates.append((returnable, production, input_))
    if not candidates:
        return None, None, None
    returnable, production, input_ = max(
        candidates, key=lambda c: c[0])
    return production, input_, min(10, int(returnable))


def _material_return(ctx):
    """The workshop returns up to 10 of a running order's material: the
    inspector accepts all but 3, rejects 2 and accepts 1 with deviation;
    the rejected 2 are scrapped"""
    from proteus import Model
    Control = Model.get('quality.control')
    Inspection = Model.get('quality.inspection')
    Production = Model.get('production')
    Return = Model.get('production.material.return')
    production, input_, quantity = _return_candidate(ctx)
    if not production:
        return
    control = Control(name="退料检验 %s" % input_.product.code,
        product=input_.product,
        operations=['production.material.return:approve'])
    point = control.points.new()
    point.string = "外观无损伤"
    point.name = 'intact'
    point.type_ = 'boolean'
    control.save()

    _as(ctx, _user(ctx, 'planner'))
    material_return = Return(production=Production(production.id))
    line = material_return.lines.new(
        product=input_.product, lot=input_.lot, quantity=quantity)
    line.unit = input_.unit
    material_return.comment = (
        "演示：退料质检 %s 合格 / 2 不合格 / 1 让步接收" % (quantity - 3))
    material_return.click('submit')
    _as(ctx, _user(ctx, 'manager'))
    Return(material_return.id).click('approve')

    _as(ctx, ctx.users['qc'].id)
    inspection, = Inspection.find(
        [('origin', '=', 'production.material.return,%s'
                % material_return.id)])
    inspection.points = {'intact': False}
    line, = inspection.lines
    line.accepted_quantity = quantity - 3
    line.rejected_quantity = 2
    line.concession_quantity = 1
    line.rejection_reason = "退回时碰伤"
    inspection.click('process')

    _as(ctx, _user(ctx, 'storekeeper'))
    Return(material_return.id).click('do')

    _as(ctx, ctx.users['qc'].id)
    line.reload()
    _dispose(ctx, line, 'scrap', 2, "碰伤无法修复，报废")


def create(ctx):
    from proteus import Model
    Lot = Model.get('stock.lot')
    factory_user = ctx.config.user
    _groups(ctx)
    product = _product(ctx)
    _control(ctx, product)
    shipments = {}
    for reference, quantity, _ in RECEIPTS:
        shipments[reference] = _receipt(ctx, product, reference, quantity)

    _as(ctx, ctx.users['qc'].id)
    try:
        decided = {}
        for reference, _, decision in RECEIPTS:
            if decision:
                shipment, _ = shipments[reference]
                decided[reference] = _decide(ctx, shipment, decision)
        _, failed_line = decided['QG-2 全部拒收']
        _dispose(ctx, failed_line, 'return', 20, "整批锈蚀，退回供应商")
        partial, partial_line = decided['QG-3 部分不合格']
        _dispose(ctx, partial_line, 'scrap', 1, "缸体变形，无法修复")
        # the rework adds a part from storage and 30 CNY of labour
        extra = _extra_material(ctx)
        rework = _dispose(ctx, partial_line, 'rework', 2,
            "更换密封圈后复检", materials=[extra] if extra else [],
            labour=Decimal('30.00'))
        _alert(ctx, partial)
    finally:
        _as(ctx, factory_user)

    # the storekeeper finishes the decided receipts
    for reference, _, decision in RECEIPTS:
        shipment, _ = shipments[reference]
        if decision:
            shipment.click('do')
    try:
        _rework(ctx, rework)
        _as(ctx, factory_user)
        if _activated('production_material_return'):
            _material_return(ctx)
            _as(ctx, factory_user)
        _, lot = shipments['QG-1 全部合格']
        _as(ctx, ctx.users['qc'].id)
        Lot.set_quality_status([lot.id], 'on_hold',
            "客户投诉同批次异响，冻结待复检", ctx.config.context)
    finally:
        _as(ctx, factory_user)
