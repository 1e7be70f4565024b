# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Demo quality gates (质检闭环): passed, failed, partial and reworked
receipts, a pending one, dispositions, a lot on hold, a quality issue with
its corrective actions, and a material return (退料) decided per quantity
(7 accepted, 2 rejected, 1 concession) whose rejected 2 are reworked with
extra material and labour.

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
    for role in ['qc', 'manager']:
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
    template = Template(name="气杆 5 级（来料检验）", code=PRODUCT_CODE,
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


def _dispose(ctx, line, type_, quantity, reason):
    from proteus import Model
    Disposition = Model.get('quality.disposition')
    disposition = Disposition(inspection_line=line, type=type_)
    disposition.quantity = quantity
    disposition.reason = reason
    disposition.click('do')
    return disposition


def _rework(ctx, disposition, points=None):
    "The workshop runs the rework order, its output is inspected again"
    from proteus import Model
    Inspection = Model.get('quality.inspection')
    Production = Model.get('production')
    worker = ctx.users.get('storekeeper', ctx.users['qc']).id
    _as(ctx, worker)
    production = Production(disposition.production.id)
    production.click('wait')
    production.click('assign_try')
    production.click('run')
    production.click('do')  # the gate creates the inspection
    _as(ctx, ctx.users['qc'].id)
    inspection, = Inspection.find([('origin', '=', str(production))])
    inspection.points = points or {'stroke': 100.1, 'no_rust': True}
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


def _material_return(ctx, product, lot):
    """An order issues 20 of the lot, the workshop returns 10: the
    inspector accepts 7, rejects 2 and accepts 1 with deviation; the
    rejected 2 are reworked with extra material and labour"""
    from proteus import Model
    Control = Model.get('quality.control')
    Inspection = Model.get('quality.inspection')
    Production = Model.get('production')
    Return = Model.get('production.material.return')
    control = Control(name="气杆退料检验", product=product,
        operations=['production.material.return:approve'])
    point = control.points.new()
    point.string = "外观无锈蚀"
    point.name = 'no_rust'
    point.type_ = 'boolean'
    control.save()

    production = Production(warehouse=ctx.warehouse,
        reference="退料质检演示（气杆）")
    move = production.inputs.new(product=product, lot=lot, quantity=20)
    move.unit = product.default_uom
    move.from_location = ctx.warehouse.storage_location
    move.to_location = production.location
    production.click('wait')
    production.click('assign_try')
    production.click('run')

    _as(ctx, _user(ctx, 'planner'))
    material_return = Return(production=Production(production.id))
    line = material_return.lines.new(product=product, lot=lot, quantity=10)
    line.unit = product.default_uom
    material_return.comment = "演示：退料质检 7 合格 / 2 不合格 / 1 让步接收"
    material_return.click('submit')
    _as(ctx, _user(ctx, 'manager'))
    Return(material_return.id).click('approve')

    _as(ctx, ctx.users['qc'].id)
    inspection, = Inspection.find(
        [('origin', '=', 'production.material.return,%s'
                % material_return.id)])
    inspection.points = {'no_rust': False}
    line, = inspection.lines
    line.accepted_quantity = 7
    line.rejected_quantity = 2
    line.concession_quantity = 1
    line.rejection_reason = "退回时碰伤缸体"
    inspection.click('process')

    _as(ctx, _user(ctx, 'storekeeper'))
    Return(material_return.id).click('do')

    _as(ctx, ctx.users['qc'].id)
    Disposition = Model.get('quality.disposition')
    line.reload()
    rework = Disposition(inspection_line=line, type='rework')
    rework.reason = "退料碰伤：更换缸体密封圈后复检"
    extra = _extra_material(ctx)
    if extra:
        rework.rework_materials.new(product=extra, quantity=1)
    rework.rework_labour_cost = Decimal('30.00')
    rework.click('do')
    return _rework(ctx, rework, points={'no_rust': True})


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
        rework = _dispose(ctx, partial_line, 'rework', 2, "更换密封圈后复检")
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
        _, lot = shipments['QG-1 全部合格']
        _as(ctx, factory_user)
        if _activated('production_material_return'):
            _material_return(ctx, product, lot)
        _as(ctx, ctx.users['qc'].id)
        Lot.set_quality_status([lot.id], 'on_hold',
            "客户投诉同批次异响，冻结待复检", ctx.config.context)
    finally:
        _as(ctx, factory_user)
