# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Demo customer-supplied material (客供料 / 受托加工).

深圳前海电竞馆 sends 50 of its printed back panels (客供 LOGO 背板) for its
order of 40 custom gaming chairs: 40 are consumed by the done order (the
order costs only the company's 160 screws, 160 × 0.12 = 19.20), 10 go back
to the customer (客供料退回): its 客供料台账 is 50 / 40 / 10 / 0, balance 0.
杭州云栖科技有限公司 sends 30 m of its logo mesh (客供 LOGO 网布), 2 m are
scrapped (运输污损): balance 28 m, the stock at its location.

Uses ctx.config, ctx.today, ctx.company, ctx.currency, ctx.warehouse,
ctx.customers, ctx.customer_location, ctx.lost_found, ctx.products and
ctx.productions; see doc/DEVELOPING.md.
"""
import datetime as dt
from decimal import Decimal

PANEL_OWNER = "深圳前海电竞馆"
MESH_OWNER = "杭州云栖科技有限公司"
# code, name, unit
MATERIALS = [
    ('CM-001', "客供 LOGO 背板", 'u'),
    ('CM-002', "客供 LOGO 网布", 'm'),
    ]
CHAIR = ('FG-101', "电竞椅 G5 定制版（客供背板）", Decimal('1099'))
# the numbers the demo test asserts
PANELS_RECEIVED, PANELS_ORDERED, PANELS_RETURNED = 50, 40, 10
MESH_RECEIVED, MESH_SCRAPPED = 30, 2


def create(ctx):
    from proteus import Model
    Party = Model.get('party.party')
    materials = _materials(ctx)
    panel_owner = Party(ctx.customers[PANEL_OWNER].id)
    mesh_owner = Party(ctx.customers[MESH_OWNER].id)
    for party in [panel_owner, mesh_owner]:
        party.click('create_customer_material_location')
        party.reload()
    ctx.customer_material = {
        PANEL_OWNER: panel_owner.customer_material_location,
        MESH_OWNER: mesh_owner.customer_material_location,
        }
    panel_location = ctx.customer_material[PANEL_OWNER]
    mesh_location = ctx.customer_material[MESH_OWNER]
    _move(ctx, materials['CM-001'], ctx.customer_location, panel_location,
        PANELS_RECEIVED, days=-6)
    _move(ctx, materials['CM-002'], ctx.customer_location, mesh_location,
        MESH_RECEIVED, days=-4)
    _order(ctx, panel_owner, materials['CM-001'], panel_location)
    _move(ctx, materials['CM-001'], panel_location, ctx.customer_location,
        PANELS_RETURNED, days=-1)
    _move(ctx, materials['CM-002'], mesh_location, ctx.lost_found,
        MESH_SCRAPPED, days=-2, reason="运输污损")


def _materials(ctx):
    "The customers' materials: no cost, never bought nor sold"
    from proteus import Model
    ProductTemplate = Model.get('product.template')
    # the units of the factory's screws and tube (u, m)
    units = {'u': ctx.products['RM-009'].default_uom,
        'm': ctx.products['RM-001'].default_uom}
    materials = {}
    for code, name, symbol in MATERIALS:
        unit = units[symbol]
        template = ProductTemplate(name=name, default_uom=unit,
            type='goods', cost_price_method='average')
        template.code = code
        template.save()
        product, = template.products
        ctx.products[code] = product
        materials[code] = product
    return materials


def _move(ctx, product, from_, to, quantity, days, reason=None):
    "客供料入库, 退回 or scrap: a stock move the storekeeper reserves and does"
    from proteus import Model
    Move = Model.get('stock.move')
    move = Move(product=product, unit=product.default_uom, quantity=quantity,
        from_location=from_, to_location=to, company=ctx.company)
    move.effective_date = ctx.today + dt.timedelta(days=days)
    if move.unit_price_required:
        move.unit_price = Decimal(0)
        move.currency = ctx.currency
    move.customer_material_reason = reason
    move.save()
    if to.customer_material_party is None:
        move.click('customer_material_assign')
    move.click('do')
    return move


def _order(ctx, customer, panel, location):
    """A confirmed sale of 40 custom chairs and its done order: one of the
    customer's panels and 4 of the company's screws a chair"""
    from proteus import Model

    from data.demo import click
    BOM = Model.get('production.bom')
    Production = Model.get('production')
    Sale = Model.get('sale.sale')
    chair = _chair(ctx)
    bom = BOM(name=CHAIR[1])
    bom.inputs.new(product=panel, quantity=1)
    bom.inputs.new(product=ctx.products['RM-009'], quantity=4)
    bom.outputs.new(product=chair, quantity=1)
    bom.save()
    sale = Sale(party=customer, warehouse=ctx.warehouse,
        sale_date=ctx.today - dt.timedelta(days=7),
        invoice_method='order', shipment_method='order',
        reference="客供料订单")
    line = sale.lines.new(product=chair, quantity=PANELS_ORDERED)
    line.unit_price = CHAIR[2]
    click(sale, 'quote')
    click(sale, 'confirm')
    production = Production(warehouse=ctx.warehouse, product=chair, bom=bom,
        quantity=PANELS_ORDERED, reference="受托加工")
    production.origin = sale.lines[0]
    production.planned_date = ctx.today - dt.timedelta(days=3)
    for input_ in production.inputs:
        if input_.product == panel:
            input_.from_location = location
    production.save()
    for button in ['wait', 'assign_try', 'run', 'do']:
        click(production, button)
    assert production.state == 'done', production.state
    ctx.productions.append(production)
    return production


def _chair(ctx):
    from proteus import Model
    ProductTemplate = Model.get('product.template')
    model = ctx.products['FG-005'].template
    code, name, list_price = CHAIR
    template = ProductTemplate(name=name, default_uom=model.default_uom,
        type='goods', producible=True, salable=True,
        sale_uom=model.default_uom, list_price=list_price)
    template.code = code
    template.account_category = model.account_category
    template.save()
    product, = template.products
    ctx.products[code] = product
    return product
