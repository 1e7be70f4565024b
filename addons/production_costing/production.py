# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from decimal import Decimal

from trytond.model import fields
from trytond.pool import PoolMeta
from trytond.pyson import Eval


class Production(metaclass=PoolMeta):
    __name__ = 'production'
    cost_completion = fields.Numeric("Completion %", digits=(5, 2),
        domain=['OR',
            ('cost_completion', '=', None),
            [('cost_completion', '>=', 0), ('cost_completion', '<=', 100)],
            ],
        states={'readonly': Eval('state').in_(['done', 'cancelled'])},
        help="How far the quantity still in process is complete, for the "
        "equivalent units of work in process at the end of a cost period; "
        "empty for the share of the order's works finished.")
    cost_results = fields.One2Many('production.cost.result', 'production',
        "Cost Results", readonly=True)

    def cost_output_prices(self):
        "Product id: (joint weight, by-product unit cost) from the BOM"
        if not self.bom:
            return {}
        split = self.bom.cost_joint_split
        return {o.product.id: (o.cost_weight(split), o.cost_byproduct_price)
            for o in self.bom.outputs if o.product}


class BOM(metaclass=PoolMeta):
    __name__ = 'production.bom'
    cost_joint_split = fields.Selection([
            ('coefficient', "Coefficients"),
            ('sales_value', "Sales Value"),
            ], "Joint Cost Split",
        help="How the joint products share an order's cost: by their "
        "quantity times the outputs' coefficients (empty for 1: by "
        "quantity), or by their sales value (quantity times list price).")
    cost_joint_split_string = cost_joint_split.translated('cost_joint_split')

    @classmethod
    def default_cost_joint_split(cls):
        return 'coefficient'


class BOMOutput(metaclass=PoolMeta):
    __name__ = 'production.bom.output'
    cost_coefficient = fields.Numeric("Joint Cost Coefficient",
        digits=(16, 4), domain=['OR',
            ('cost_coefficient', '=', None),
            ('cost_coefficient', '>=', 0)],
        help="The weight of a unit of this joint product when the "
        "order's cost is split; empty for 1 (by quantity).")
    cost_byproduct_price = fields.Numeric("By-product Unit Cost",
        digits=(16, 4), domain=['OR',
            ('cost_byproduct_price', '=', None),
            ('cost_byproduct_price', '>=', 0)],
        help="A by-product is valued at this fixed unit cost, deducted "
        "from the order's cost before the joint products share it.")

    def cost_weight(self, split):
        "The weight of a unit of this output in the joint split"
        if split == 'sales_value':
            return self.product.list_price_used or Decimal(0)
        if self.cost_coefficient is not None:
            return self.cost_coefficient
        return Decimal(1)
