# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from sql import Cast, Literal, Union

from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool

ELEMENTS = [
    ('material', "Material"),
    ('labour', "Labour"),
    ('overhead', "Overhead"),
    ('subcontract', "Subcontracting"),
    ]


NULL = Literal(None)


def _nonzero(column):
    "SQLite stores a Decimal as bytes: compare it cast, as Tryton does"
    return Cast(column, 'NUMERIC') != 0


class Composition(ModelSQL, ModelView):
    "An order's cost by element, down to the moves (成本构成明细表)"
    __name__ = 'production.cost.composition'
    period = fields.Many2One('production.cost.period', "Period")
    result = fields.Many2One('production.cost.result', "Result")
    production = fields.Many2One('production', "Production")
    element = fields.Selection(ELEMENTS, "Element")
    product = fields.Many2One('product.product', "Product")
    pool = fields.Many2One('production.cost.pool', "Overhead Pool")
    quantity = fields.Float("Quantity",
        help="The material's quantity, the labour hours or the pool's "
        "allocation base.")
    amount = fields.Numeric("Amount", digits=(16, 2))
    moves = fields.Function(fields.Many2Many('stock.move', None, None,
            "Moves"), 'get_moves')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('period', 'DESC'), ('production', 'ASC'),
            ('element', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        return Union(cls._material(), cls._labour(), cls._overhead(),
            cls._subcontract(), all_=True)

    @classmethod
    def _tables(cls):
        pool = Pool()
        return (pool.get('production.cost.result').__table__(),
            pool.get('production.cost.result.material').__table__(),
            pool.get('production.cost.allocation').__table__())

    @classmethod
    def _columns(cls, result, id_, element, product, pool_, quantity,
            amount):
        return [(id_ * 4 + ['material', 'labour', 'overhead',
                    'subcontract'].index(element)).as_('id'),
            result.period.as_('period'), result.id.as_('result'),
            result.production.as_('production'),
            Literal(element).as_('element'),
            Cast(product, 'INTEGER').as_('product'),
            Cast(pool_, 'INTEGER').as_('pool'),
            Cast(quantity, 'FLOAT').as_('quantity'),
            amount.as_('amount')]

    @classmethod
    def _material(cls):
        result, material, _ = cls._tables()
        return material.join(result,
            condition=material.result == result.id).select(
            *cls._columns(result, material.id, 'material', material.product,
                NULL, material.quantity, material.amount))

    @classmethod
    def _labour(cls):
        result, _, _ = cls._tables()
        return result.select(*cls._columns(result, result.id, 'labour',
                NULL, NULL, result.hours, result.labour),
            where=_nonzero(result.labour))

    @classmethod
    def _overhead(cls):
        result, _, allocation = cls._tables()
        return allocation.join(result,
            condition=allocation.result == result.id).select(
            *cls._columns(result, allocation.id, 'overhead', NULL,
                allocation.pool, allocation.base, allocation.amount))

    @classmethod
    def _subcontract(cls):
        result, _, _ = cls._tables()
        return result.select(*cls._columns(result, result.id,
                'subcontract', NULL, NULL, NULL, result.subcontract),
            where=_nonzero(result.subcontract))

    @classmethod
    def get_moves(cls, lines, name):
        "The done moves of the material: issued and returned in the period"
        return {l.id: [m.id for m in l.material_moves()] for l in lines}

    def material_moves(self):
        Move = Pool().get('stock.move')
        if self.element != 'material':
            return []
        period, production = self.period, self.production
        return Move.search([
                ('product', '=', self.product.id),
                ('state', '=', 'done'),
                ('effective_date', '>=', period.start_date),
                ('effective_date', '<=', period.end_date),
                ['OR',
                    ('production_input', '=', production.id),
                    ('origin', '=', str(production)),
                    ],
                ], order=[('effective_date', 'ASC'), ('id', 'ASC')])
