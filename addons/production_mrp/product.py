# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import fields
from trytond.pool import PoolMeta
from trytond.pyson import Eval


class Template(metaclass=PoolMeta):
    __name__ = 'product.template'
    mrp_supply_method = fields.Selection([
            (None, "Automatic"),
            ('produce', "Produce"),
            ('purchase', "Purchase"),
            ('subcontract', "Subcontract"),
            ], "Supply Method",
        help="Automatic: produce when the product has a BOM (subcontract "
        "when its routing has a supplier), else purchase when purchasable.")
    mrp_safety_stock = fields.Float("Safety Stock", digits='default_uom',
        domain=['OR',
            ('mrp_safety_stock', '=', None),
            ('mrp_safety_stock', '>=', 0),
            ])
    mrp_lot_method = fields.Selection([
            ('lot_for_lot', "Lot for Lot"),
            ('period', "Fixed Period"),
            ], "Lot Sizing", required=True)
    mrp_period_days = fields.Integer("Period Days",
        domain=['OR',
            ('mrp_period_days', '=', None),
            ('mrp_period_days', '>=', 1),
            ],
        states={
            'invisible': Eval('mrp_lot_method') != 'period',
            },
        help="One suggestion covers the demand of this many days.")
    mrp_lot_minimum = fields.Float("Minimum Lot", digits='default_uom',
        domain=['OR',
            ('mrp_lot_minimum', '=', None),
            ('mrp_lot_minimum', '>=', 0),
            ])
    mrp_lot_multiple = fields.Float("Lot Multiple", digits='default_uom',
        domain=['OR',
            ('mrp_lot_multiple', '=', None),
            ('mrp_lot_multiple', '>=', 0),
            ])

    @classmethod
    def default_mrp_lot_method(cls):
        return 'lot_for_lot'

    @classmethod
    def default_mrp_period_days(cls):
        return 7


class Product(metaclass=PoolMeta):
    "The template's MRP settings show on the variant too"
    __name__ = 'product.product'
