# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

from trytond.modules.stock_quarantine import arguments
from .bom import BOMGraphMixin


class Template(BOMGraphMixin, metaclass=PoolMeta):
    __name__ = 'product.template'
    # not the prices nor the costs written by every stock move
    _bom_graph_fields = {'default_uom', 'purchasable', 'code', 'products'}


class Product(BOMGraphMixin, metaclass=PoolMeta):
    __name__ = 'product.product'
    _bom_graph_fields = {
        'code', 'prefix_code', 'suffix_code', 'template', 'boms'}
    kitting_quantity = fields.Function(fields.Float(
            "Buildable Quantity", digits='default_uom',
            help="The quantity that can be made from the free stock of the "
            "components in the warehouse (without the product's own stock)."),
        'get_kitting_quantity')

    @classmethod
    def get_kitting_quantity(cls, products, name):
        pool = Pool()
        Kitting = pool.get('production.kitting')
        Location = pool.get('stock.location')
        context = Transaction().context
        warehouse = Location.get_default_warehouse()
        result = {p.id: None for p in products}
        if not warehouse or not arguments.context_company(required=False):
            return result
        ids = [p.id for p in products if p.boms]
        if ids:
            # a column of the product lists every stock role reads
            with Transaction().set_context(_kitting_internal=True):
                result.update(Kitting.buildable(
                        ids, warehouse, date=context.get('stock_date_end')))
        return result


class Uom(BOMGraphMixin, metaclass=PoolMeta):
    __name__ = 'product.uom'
