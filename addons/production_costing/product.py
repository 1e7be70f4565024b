# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import fields
from trytond.pool import PoolMeta


class Template(metaclass=PoolMeta):
    __name__ = 'product.template'
    cost_material_input = fields.Selection([
            ('start', "At Start"),
            ('completion', "By Completion"),
            ], "Material Input",
        help="How the material of an order of this product is put in, for "
        "its work in process at the end of a cost period: all at the start "
        "(the units in process count in full for material) or as the work "
        "goes on (the equivalent units, like labour and overhead).")

    @classmethod
    def default_cost_material_input(cls):
        return 'start'
