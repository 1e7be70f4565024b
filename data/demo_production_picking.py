# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Demo picking slips (生产领料单) and output reports (完工汇报).

The armrest sub-assembly SA-104 (扶手总成) is picked by slips on orders of
its own, and its screws (螺丝 M6×20) are backflushed (倒冲): the slips never
pick them.  The earlier orders of the demo keep issuing at start, as the
factory's configuration says, and no order of this plug-in runs (the demo's
running and done orders stay those of data/demo.py):

- 分批领料: 6 of the 10 PP armrests of an order of 5 picked;
- 合并领料: one slip of 34 PP armrests for two orders, split 30 / 4 by
  planned start date;
- 配套领料: 4 complete sets of an order of 8 mesh backs (SA-101);
- 补料: 2 armrests above a standard of 10 (20 %) waiting for the
  production manager, 1 above a standard of 30 (3.3 %) done within the
  tolerance;
- a slip of an order of 4 chairs filled and not done yet (草稿);
- 完工汇报: 3 of the 8 mesh backs of the running order reported, 5 to go;
- 倒冲 + 半成品流转 + 短缺关闭: an order of 5 armrests picked whole, run,
  3 reported straight into the chair order's inputs (never through
  storage; their 12 screws backflushed from the line side), then closed
  short with its reason.

Uses ctx.config, ctx.users, ctx.today, ctx.warehouse, ctx.storage,
ctx.workshop, ctx.products, ctx.boms, ctx.workshop_lots, ctx.productions;
sets ctx.pickings, ctx.output_reports and ctx.picking_productions.  See
doc/DEVELOPING.md.
"""
import datetime as dt
from decimal import Decimal

MODULE = 'production_picking'
ROLE_GROUPS = {
    'storekeeper': ['group_picking'],
    'manager': ['group_picking', 'group_picking_approver'],
    }
# moved from storage to the line-side workshop before picking (备料)
STAGING = [('RM-013', 55), ('RM-014', 10), ('RM-015', 10)]
BACKFLUSH = ('SA-104', 'RM-009')


def _as(ctx, role):
    "Act as the demo user of the role (None: back to the factory user)"
    from proteus import Model
    User = Model.get('res.user')
    ctx.config.user = (ctx._picking_user if role is None
        else ctx.users[role].id)
    ctx.config._context = User.get_preferences(True, {})


def _groups(ctx):
    from proteus import Model
    Group = Model.get('res.group')
    ModelData = Model.get('ir.model.data')
    User = Model.get('res.user')
    for role, xml_ids in ROLE_GROUPS.items():
        user = User(ctx.users[role].id)
        for xml_id in xml_ids:
            group = Group(ModelData.get_id(MODULE, xml_id, {}))
            if group not in user.groups:
                user.groups.append(group)
        user.save()


def _configure(ctx):
    "5 % tolerance; the screws of the armrest BOM are backflushed"
    from proteus import Model
    Configuration = Model.get('production.configuration')
    BOM = Model.get('production.bom')
    configuration = Configuration(1)
    configuration.supplementary_tolerance = Decimal(5)
    configuration.backflush_negative = False
    configuration.save()
    code, component = BACKFLUSH
    bom = BOM(ctx.boms[code].id)
    for input_ in bom.inputs:
        if input_.product.code == component:
            input_.backflush = True
    bom.save()


def _stage(ctx):
    "An internal shipment storage → workshop (备料调拨)"
    from proteus import Model
    Shipment = Model.get('stock.shipment.internal')
    shipment = Shipment(from_location=ctx.storage, to_location=ctx.workshop,
        planned_date=ctx.today, effective_date=ctx.today,
        reference="生产领料备料")
    for code, quantity in STAGING:
        product = ctx.products[code]
        shipment.moves.new(product=product, quantity=quantity,
            unit=product.default_uom, from_location=ctx.storage,
            to_location=ctx.workshop)
    shipment.save()
    shipment.click('wait')
    shipment.click('assign_try')
    shipment.click('do')


def _order(ctx, code, quantity, days):
    "An order picked by slips (按领料单领料)"
    from proteus import Model
    Production = Model.get('production')
    production = Production(warehouse=ctx.warehouse)
    production.product = ctx.products[code]
    production.bom = ctx.boms[code]
    production.quantity = quantity
    production.picking_method = 'slip'
    production.planned_start_date = ctx.today + dt.timedelta(days=days)
    production.planned_date = ctx.today + dt.timedelta(days=days + 2)
    if code.startswith('SA-'):
        for output in production.outputs:
            output.to_location = ctx.workshop
    production.save()
    production.click('wait')
    return production


def _post(record):
    "Click the step that issues a slip or posts a report"
    record.click('done')


def _lot(ctx, code):
    return ctx.workshop_lots.get(code)


def _normal(ctx, production):
    "分批领料: 6 of the 10 PP armrests"
    from proteus import Model
    Picking = Model.get('production.picking')
    picking = Picking(kind='normal', warehouse=ctx.warehouse,
        comment="第一批：先领 6 个 PP 扶手，其余到货后再领")
    picking.productions.append(Model.get('production')(production.id))
    picking.click('fill')
    for line in list(picking.lines):
        if line.product.code == 'RM-013':
            line.quantity = 6
        else:
            picking.lines.remove(line)
    picking.save()
    _post(picking)
    return picking


def _merged(ctx, productions):
    "合并领料: all the PP armrests of two orders, split by start date"
    from proteus import Model
    Picking = Model.get('production.picking')
    Production = Model.get('production')
    picking = Picking(kind='merged', warehouse=ctx.warehouse,
        comment="两张扶手订单合并领 PP 扶手")
    picking.productions.extend([Production(p.id) for p in productions])
    picking.click('fill')
    for total in list(picking.totals):
        if total.product.code == 'RM-013':
            total.quantity = 34
        else:
            picking.totals.remove(total)
    picking.save()
    picking.click('split')
    _post(picking)
    return picking


def _draft(ctx, production):
    "A slip filled for the assembly order, not picked yet"
    from proteus import Model
    Picking = Model.get('production.picking')
    Production = Model.get('production')
    picking = Picking(kind='normal', warehouse=ctx.warehouse,
        comment="总装领料：待仓库备齐后确认")
    picking.productions.append(Production(production.id))
    picking.click('fill')
    return picking


def _kit(ctx, production, sets):
    "配套领料: complete sets for some units of the order"
    from proteus import Model
    Picking = Model.get('production.picking')
    Production = Model.get('production')
    picking = Picking(kind='kit', warehouse=ctx.warehouse, kit_quantity=sets,
        comment="按套领料：先配齐 %s 套" % sets)
    picking.productions.append(Production(production.id))
    picking.save()
    picking.click('fill')
    picking.reload()
    for line in picking.lines:
        if line.product.template.lot_required:
            line.lot = _lot(ctx, line.product.code)
    picking.save()
    _post(picking)
    return picking


def _supplementary(ctx, production, code, quantity, reason):
    "补料 of a component of the order; requested when above tolerance"
    from proteus import Model
    Picking = Model.get('production.picking')
    Production = Model.get('production')
    product = ctx.products[code]
    picking = Picking(kind='supplementary', warehouse=ctx.warehouse,
        reason=reason)
    picking.lines.new(production=Production(production.id), product=product,
        lot=_lot(ctx, code), quantity=quantity, unit=product.default_uom)
    picking.save()
    if picking.needs_approval:
        picking.click('request')
    else:
        _post(picking)
    return picking


def _whole(ctx, production):
    "A slip of everything the order still needs (the screws are backflushed)"
    from proteus import Model
    Picking = Model.get('production.picking')
    Production = Model.get('production')
    picking = Picking(kind='normal', warehouse=ctx.warehouse,
        comment="扶手总成一次领齐")
    picking.productions.append(Production(production.id))
    picking.click('fill')
    for line in picking.lines:
        if line.product.template.lot_required:
            line.lot = _lot(ctx, line.product.code)
    picking.save()
    _post(picking)
    return picking


def _run(production):
    "The supervisor starts the order picked by slips (nothing more issued)"
    from proteus import Model
    production = Model.get('production')(production.id)
    production.click('assign_force')
    production.click('run')


def _close_short(ctx, production, reason):
    "短缺关闭: the rest of the order will not be made"
    from proteus import Model
    production = Model.get('production')(production.id)
    production.short_close_reason = reason
    production.click('close_short')


def _running(ctx, code):
    "The demo's running order of the product"
    from proteus import Model
    Production = Model.get('production')
    for production in ctx.productions:
        production = Production(production.id)
        if production.state == 'running' and production.product.code == code:
            return production


def _report(ctx, production, quantity, parent=None):
    from proteus import Model
    OutputReport = Model.get('production.output.report')
    Production = Model.get('production')
    report = OutputReport(production=Production(production.id),
        quantity=quantity)
    if parent:
        report.parent_production = Production(parent.id)
    report.save()
    _post(report)
    return report


def create(ctx):
    from proteus import Model
    Picking = Model.get('production.picking')
    OutputReport = Model.get('production.output.report')
    Production = Model.get('production')
    ctx._picking_user = ctx.config.user
    _groups(ctx)
    _configure(ctx)
    _stage(ctx)
    # the factory's planner: orders picked by slips
    partial = _order(ctx, 'SA-104', 5, 1)
    first = _order(ctx, 'SA-104', 15, 2)
    second = _order(ctx, 'SA-104', 5, 4)
    backs = _order(ctx, 'SA-101', 8, 3)
    chairs = _order(ctx, 'FG-001', 4, 5)
    flow = _order(ctx, 'SA-104', 5, 0)

    _as(ctx, 'storekeeper')
    pickings = [_normal(ctx, partial), _merged(ctx, [second, first]),
        _kit(ctx, backs, 4)]
    pickings.append(_supplementary(ctx, partial, 'RM-013', 2,
            "注塑扶手开裂 2 个，需补领"))
    pickings.append(_supplementary(ctx, first, 'RM-013', 1,
            "装配时摔坏 1 个"))
    pickings.append(_whole(ctx, flow))

    _as(ctx, None)
    _run(flow)
    _as(ctx, 'manager')
    reports = [_report(ctx, _running(ctx, 'SA-101'), 3),
        _report(ctx, flow, 3, parent=chairs)]
    _close_short(ctx, flow, "PP 扶手缺货，余下 2 件不再生产，短缺关闭")

    _as(ctx, 'storekeeper')
    pickings.append(_draft(ctx, chairs))

    _as(ctx, None)
    ctx.pickings = [Picking(p.id) for p in pickings]
    ctx.output_reports = [OutputReport(r.id) for r in reports]
    ctx.picking_productions = [Production(p.id)
        for p in [partial, first, second, backs, chairs, flow]]
    return ctx.pickings
