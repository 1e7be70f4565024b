# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from collections import defaultdict
from decimal import Decimal

from sql.operators import Concat

from trytond.model import ModelView, fields
from trytond.modules.product import price_digits, round_price
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, Id
from trytond.transaction import Transaction


class Configuration(metaclass=PoolMeta):
    __name__ = 'production.configuration'

    material_return_sequence = fields.Many2One(
        'ir.sequence', "Material Return Sequence",
        domain=[
            ('company', 'in',
                [Eval('context', {}).get('company', -1), None]),
            ('sequence_type', '=',
                Id('production_material_return',
                    'sequence_type_material_return')),
            ])
    material_return_strict = fields.Boolean(
        "Strict Material Return",
        help="Also subtract the standard consumption of the output "
        "already done (BOM quantity × output quantity) from the "
        "returnable quantity.")
    material_return_separate_duties = fields.Boolean(
        "Separate Material Return Duties",
        help="The requester of a material return cannot approve it.")

    @classmethod
    def default_material_return_sequence(cls):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        try:
            return ModelData.get_id(
                'production_material_return', 'sequence_material_return')
        except KeyError:
            return None

    @classmethod
    def default_material_return_strict(cls):
        return False

    @classmethod
    def default_material_return_separate_duties(cls):
        return True

    def get_material_return_sequence(self):
        pool = Pool()
        Sequence = pool.get('ir.sequence')
        if self.material_return_sequence:
            return self.material_return_sequence
        sequence_id = self.default_material_return_sequence()
        if sequence_id is not None:
            return Sequence(sequence_id)


class Production(metaclass=PoolMeta):
    __name__ = 'production'

    material_returns = fields.One2Many(
        'production.material.return', 'production', "Material Returns",
        readonly=True)
    returned_cost = fields.Function(fields.Numeric(
            "Returned Cost", digits=price_digits,
            help="The cost of the material returned to stock."),
        'get_returned_cost')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'create_material_return': {
                    'invisible': ~Eval('state').in_(['running', 'done']),
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def get_returned_cost(cls, productions, name):
        "Σ returned quantity × unit price of the done return moves"
        pool = Pool()
        Move = pool.get('stock.move')
        Line = pool.get('production.material.return.line')
        Return = pool.get('production.material.return')
        cursor = Transaction().connection.cursor()
        move = Move.__table__()
        line = Line.__table__()
        return_ = Return.__table__()
        costs = defaultdict(Decimal)
        cursor.execute(*line.join(return_,
                condition=line.material_return == return_.id
                ).join(move, condition=move.origin == Concat(
                    'production.material.return.line,', line.id)
                ).select(
                return_.production, move.quantity, move.unit_price,
                where=(move.state == 'done')
                & fields.SQL_OPERATORS['in'](
                    return_.production, [p.id for p in productions])))
        for production_id, quantity, unit_price in cursor:
            costs[production_id] += (
                Decimal(str(quantity)) * Decimal(str(unit_price or 0)))
        return {p.id: round_price(costs[p.id]) for p in productions}

    def get_cost(self, name):
        cost = super().get_cost(name)
        returned = self.get_returned_cost([self], 'returned_cost')[self.id]
        return round_price(max(cost - returned, Decimal(0)))

    @classmethod
    def recost_returned(cls, productions):
        """Re-cost the done productions after a return: update the unit
        price of their output moves and the cost price of the average
        cost products they produced"""
        pool = Pool()
        Product = pool.get('product.product')
        productions = [p for p in productions if p.state == 'done']
        if not productions:
            return
        cls.set_cost(productions)
        for company, c_productions in _group_by_company(productions):
            products, start = set(), None
            for production in c_productions:
                for output in production.outputs:
                    if (output.state == 'done'
                            and output.product.cost_price_method
                            == 'average'):
                        products.add(output.product)
                        if start is None or output.effective_date < start:
                            start = output.effective_date
            if products:
                with Transaction().set_context(company=company.id):
                    Product.recompute_cost_price(
                        Product.browse(products), start=start)

    @classmethod
    @ModelView.button_action(
        'production_material_return.wizard_create_material_return')
    def create_material_return(cls, productions):
        pass


def _group_by_company(productions):
    companies = defaultdict(list)
    for production in productions:
        companies[production.company].append(production)
    return companies.items()
