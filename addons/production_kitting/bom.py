# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields, sequence_ordered
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval

from .exceptions import SubstituteError


class BOMGraphMixin:
    """Clear the kitting's BOM graph cache when a record of the graph is
    created, deleted or written

    _bom_graph_fields limits the writes that clear it to the fields the
    graph reads (None: any write)."""
    __slots__ = ()
    _bom_graph_fields = None

    @classmethod
    def on_modification(cls, mode, records, field_names=None):
        super().on_modification(mode, records, field_names=field_names)
        if (mode != 'write' or cls._bom_graph_fields is None
                or set(field_names or ()) & cls._bom_graph_fields):
            Pool().get('production.kitting')._bom_graph_cache.clear()


class BOM(BOMGraphMixin, metaclass=PoolMeta):
    __name__ = 'production.bom'


class BOMOutput(BOMGraphMixin, metaclass=PoolMeta):
    __name__ = 'production.bom.output'


class ProductBOM(BOMGraphMixin, metaclass=PoolMeta):
    __name__ = 'product.product-production.bom'


class BOMInput(BOMGraphMixin, metaclass=PoolMeta):
    __name__ = 'production.bom.input'
    substitutes = fields.One2Many(
        'production.bom.input.substitute', 'input', "Substitutes",
        states={
            'invisible': ~Eval('product'),
            },
        help="Used in this order only for the part of the need that the "
        "product can cover neither from its stock nor by being made.")


class BOMInputSubstitute(
        BOMGraphMixin, sequence_ordered(), ModelSQL, ModelView):
    "BOM Input Substitute"
    __name__ = 'production.bom.input.substitute'
    input = fields.Many2One(
        'production.bom.input', "Input", required=True, ondelete='CASCADE')
    product = fields.Many2One(
        'product.product', "Product", required=True,
        domain=[
            ('type', 'in', ['goods', 'assets']),
            ])
    ratio = fields.Float(
        "Ratio", required=True,
        domain=[('ratio', '>', 0)],
        help="Units of substitute per unit of the main input.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('input')

    @classmethod
    def default_ratio(cls):
        return 1.0

    @classmethod
    def validate_fields(cls, substitutes, field_names):
        super().validate_fields(substitutes, field_names)
        cls.check_substitute(substitutes, field_names)

    @classmethod
    def check_substitute(cls, substitutes, field_names=None):
        if field_names and not (field_names & {'input', 'product'}):
            return
        for substitute in substitutes:
            input_ = substitute.input
            if not input_.product:
                raise SubstituteError(gettext(
                        'production_kitting.msg_substitute_phantom',
                        substitute=substitute.product.rec_name,
                        bom=input_.bom.rec_name))
            if substitute.product == input_.product:
                raise SubstituteError(gettext(
                        'production_kitting.msg_substitute_same',
                        product=input_.product.rec_name,
                        bom=input_.bom.rec_name))
            if (substitute.product.default_uom.category
                    != input_.unit.category):
                raise SubstituteError(gettext(
                        'production_kitting.msg_substitute_uom_category',
                        substitute=substitute.product.rec_name,
                        product=input_.product.rec_name,
                        bom=input_.bom.rec_name))
