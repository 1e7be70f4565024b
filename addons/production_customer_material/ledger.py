# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from sql import Cast, Null
from sql.aggregate import Min, Sum
from sql.conditionals import Case, Coalesce
from sql.functions import Round

from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.transaction import Transaction

DIGITS = 6


class Ledger(ModelSQL, ModelView):
    "Customer Material Ledger"
    __name__ = 'production.customer_material.ledger'

    customer = fields.Many2One('party.party', "Customer")
    location = fields.Many2One('stock.location', "Location")
    product = fields.Many2One('product.product', "Product")
    unit = fields.Many2One('product.uom', "Unit")
    received = fields.Float("Received", digits='unit')
    consumed = fields.Float("Consumed", digits='unit')
    returned = fields.Float("Returned", digits='unit')
    scrapped = fields.Float("Scrapped", digits='unit')
    balance = fields.Float("Balance", digits='unit',
        help="The customer's material still held at its location.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('customer', 'ASC'))
        cls._order.insert(1, ('product', 'ASC'))

    @classmethod
    def table_query(cls):
        pool = Pool()
        Location = pool.get('stock.location')
        Move = pool.get('stock.move')
        Product = pool.get('product.product')
        Template = pool.get('product.template')
        move = Move.__table__()
        source, target = Location.__table__(), Location.__table__()
        product, template = Product.__table__(), Template.__table__()
        received = target.customer_material_party != Null
        customer = Coalesce(
            target.customer_material_party, source.customer_material_party)
        location = Case((received, target.id), else_=source.id)
        return (move
            .join(source, condition=move.from_location == source.id)
            .join(target, condition=move.to_location == target.id)
            .join(product, condition=move.product == product.id)
            .join(template, condition=product.template == template.id)
            .select(
                Min(move.id).as_('id'),
                customer.as_('customer'),
                location.as_('location'),
                move.product.as_('product'),
                template.default_uom.as_('unit'),
                *cls._columns(move, target),
                where=cls._where(move, source, target),
                group_by=[customer, location, move.product,
                    template.default_uom]))

    @classmethod
    def _where(cls, move, source, target):
        company = Transaction().context.get('company') or -1
        return ((move.state == 'done') & (move.company == company)
            & ((source.customer_material_party != Null)
                | (target.customer_material_party != Null)))

    @classmethod
    def _columns(cls, move, target):
        received = target.customer_material_party != Null
        quantity = move.internal_quantity
        return [
            cls._sum('received', received, quantity),
            cls._sum('consumed', target.type == 'production', quantity),
            cls._sum('returned', target.type == 'customer', quantity),
            cls._sum('scrapped', target.type == 'lost_found', quantity),
            cls._round('balance', Sum(Case(
                        (received, quantity), else_=-quantity))),
            ]

    @classmethod
    def _sum(cls, name, condition, quantity):
        return cls._round(name, Sum(Case((condition, quantity), else_=0)))

    @classmethod
    def _round(cls, name, total):
        "A float sum without its binary noise (6.200000000000003)"
        return getattr(cls, name).sql_cast(
            Round(Cast(total, 'NUMERIC'), DIGITS)).as_(name)
