# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Demo subcontracting (委外加工) with the material at the supplier.

慈溪华通五金加工厂 welds 100 chair legs (焊接椅脚, SC-001) from square
tube (方管 20×20, RM-101, 1 m a leg, 2 % allowed loss): the storekeeper
sends 100 m (委外发料), receives 90 legs (委外入库: 90 × 1 × 1.02 = 91.8 m
consumed), gets 2 m back (委外退料) and books 1.2 m lost in transport
(委外损耗): the supplier still holds 5 m, the stock at its location.

Uses ctx.config, ctx.today, ctx.company, ctx.warehouse, ctx.storage,
ctx.lost_found, ctx.products and ctx.productions; see doc/DEVELOPING.md.
"""
import datetime as dt
from decimal import Decimal

SUBCONTRACTOR = "慈溪华通五金加工厂"
TUBE = ('RM-101', "方管 20×20", Decimal('12.50'))
LEG = ('SC-001', "焊接椅脚")
# the numbers the demo test asserts
ORDERED, SENT, RECEIVED, RETURNED, LOST = 100, 100, 90, 2, Decimal('1.2')
LOSS_ALLOWED = 0.02


def create(ctx):
    from proteus import Model
    Inventory = Model.get('stock.inventory')
    Party = Model.get('party.party')
    Production = Model.get('production')
    Receipt = Model.get('production.subcontract.receipt')
    tube, leg, bom = _products(ctx)
    inventory = Inventory(location=ctx.storage,
        date=ctx.today - dt.timedelta(days=20))
    inventory.lines.new(product=tube, quantity=300)
    inventory.click('confirm')
    supplier = Party(name=SUBCONTRACTOR)
    supplier.save()
    production = Production(warehouse=ctx.warehouse, product=leg, bom=bom,
        quantity=ORDERED, reference="委外焊接")
    production.subcontractor = supplier
    production.planned_date = ctx.today + dt.timedelta(days=2)
    production.click('wait')
    supplier.reload()
    location = supplier.subcontract_location
    ctx.subcontract_location = location
    _shipment(ctx, production, 'send', ctx.storage, location, tube, SENT)
    receipt = Receipt(production=production, quantity=RECEIVED,
        date=ctx.today - dt.timedelta(days=1))
    receipt.click('do')
    _shipment(ctx, production, 'return', location, ctx.storage, tube,
        RETURNED)
    _shipment(ctx, production, 'loss', location, ctx.lost_found, tube,
        float(LOST), reason="运输途中损坏")
    production.reload()
    ctx.productions.append(production)
    ctx.subcontract_production = production


def _products(ctx):
    "The square tube (bought, cost 12.50 a metre) and the welded leg"
    from proteus import Model
    BOM = Model.get('production.bom')
    ProductTemplate = Model.get('product.template')
    # the units of the factory's tube and screws (m, u)
    metre = ctx.products['RM-001'].default_uom
    unit = ctx.products['RM-009'].default_uom
    code, name, cost = TUBE
    template = ProductTemplate(name=name, default_uom=metre, type='goods',
        purchasable=True, purchase_uom=metre, list_price=Decimal(0),
        cost_price_method='fixed')
    template.code = code
    template.save()
    tube, = template.products
    tube.cost_price = cost
    tube.save()
    code, name = LEG
    template = ProductTemplate(name=name, default_uom=unit, type='goods',
        producible=True, list_price=Decimal(0))
    template.code = code
    template.save()
    leg, = template.products
    bom = BOM(name=name)
    input_ = bom.inputs.new(product=tube, quantity=1, unit=metre)
    input_.subcontract_loss = LOSS_ALLOWED
    bom.outputs.new(product=leg, quantity=1, unit=unit)
    bom.save()
    leg.boms.new(bom=bom)
    leg.save()
    ctx.products[TUBE[0]] = tube
    ctx.products[LEG[0]] = leg
    return tube, leg, bom


def _shipment(ctx, production, kind, from_, to, product, quantity,
        reason=None):
    "委外发料 / 退料 / 损耗 on an internal shipment tagged with the order"
    from proteus import Model
    Shipment = Model.get('stock.shipment.internal')
    shipment = Shipment(subcontract_kind=kind,
        subcontract_production=production, subcontract_reason=reason,
        from_location=from_, to_location=to)
    shipment.moves.new(product=product, quantity=quantity,
        unit=product.default_uom, from_location=from_, to_location=to)
    for button in ['wait', 'assign_try', 'do']:
        shipment.click(button)
    assert shipment.state == 'done', (kind, shipment.state)
    return shipment
