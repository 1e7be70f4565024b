# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from collections import defaultdict
from decimal import Decimal

from sql import Cast
from sql.aggregate import Sum

from trytond.model import ModelView, fields
from trytond.modules.product import price_digits, round_price
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction


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
        cursor = Transaction().connection.cursor()
        cursor.execute(*cls._returned_cost_query([p.id for p in productions]))
        costs = dict(cursor)
        return {p.id: round_price(Decimal(str(costs.get(p.id) or 0)))
            for p in productions}

    @classmethod
    def _returned_cost_query(cls, production_ids):
        """The returned cost of each order: Σ returned quantity × unit price
        of the done return moves"""
        pool = Pool()
        Move = pool.get('stock.move')
        Line = pool.get('production.material.return.line')
        from_item, move, return_ = Line.moves_join()
        numeric = Move.unit_price.sql_type().base
        return from_item.select(
            return_.production,
            Sum(Cast(move.quantity, numeric) * move.unit_price),
            where=(move.state == 'done')
            & fields.SQL_OPERATORS['in'](return_.production, production_ids),
            group_by=[return_.production])

    def get_cost(self, name):
        # returned_cost is read for all the orders being read at once
        cost = super().get_cost(name)
        return round_price(max(cost - self.returned_cost, Decimal(0)))

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
