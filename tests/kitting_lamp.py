# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The lamp of addons/production_kitting/doc/index.rst, set up over
proteus (XML-RPC) for the repository's production_kitting tests"""
from decimal import Decimal


def create_lamp():
    """A company, a lamp DL of 1 bulb and 4 screws, 10 bulbs and 30 screws
    in the warehouse's storage; return the proteus records by name"""
    from proteus import Model

    from trytond.modules.company.tests.tools import create_company
    create_company()
    # by its symbol: the name is translated in a zh_CN database
    unit, = Model.get('product.uom').find([('symbol', '=', 'u')])
    Template = Model.get('product.template')

    def product(code, purchasable=False):
        template = Template(name=code, code=code, default_uom=unit,
            type='goods', producible=not purchasable,
            purchasable=purchasable, list_price=Decimal(10))
        if purchasable:
            template.purchase_uom = unit
        template.save()
        return template.products[0]
    lamp = product('DL')
    bulb = product('BULB', True)
    screw = product('SCREW', True)
    BOM = Model.get('production.bom')
    bom = BOM(name="Lamp")
    bom.inputs.new(product=bulb, quantity=1)
    bom.inputs.new(product=screw, quantity=4)
    bom.outputs.new(product=lamp, quantity=1)
    bom.save()
    lamp.boms.append(Model.get('product.product-production.bom')(bom=bom))
    lamp.save()
    warehouse, = Model.get('stock.location').find([('code', '=', 'WH')])
    inventory = Model.get('stock.inventory')(
        location=warehouse.storage_location)
    inventory.lines.new(product=bulb, quantity=10)
    inventory.lines.new(product=screw, quantity=30)
    inventory.click('confirm')
    return {
        'lamp': lamp, 'bulb': bulb, 'screw': screw, 'bom': bom,
        'warehouse': warehouse,
        }
