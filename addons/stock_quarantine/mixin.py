# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Mixins shared by the lines of our documents"""
from trytond.model import fields


class ProductUnitMixin:
    """The unit of a line is of the category of its product's unit

    The class defines the fields product (product.product) and unit
    (product.uom); the domain of its unit reads product_uom_category:
    [('category', '=', Eval('product_uom_category', -1))]"""
    __slots__ = ()

    product_uom_category = fields.Function(fields.Many2One(
            'product.uom.category', "Product UoM Category"),
        'on_change_with_product_uom_category')

    @fields.depends('product')
    def on_change_with_product_uom_category(self, name=None):
        if self.product:
            return self.product.default_uom.category

    @fields.depends('product', 'unit')
    def on_change_product(self):
        "Take the product's unit unless the unit is of its category"
        if self.product:
            category = self.product.default_uom.category
            if not self.unit or self.unit.category != category:
                self.unit = self.product.default_uom
