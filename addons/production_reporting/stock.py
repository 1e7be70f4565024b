# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt

from sql import Literal, Null, Union
from sql.aggregate import Max, Min, Sum
from sql.conditionals import Case, Coalesce
from sql.functions import Round

from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .arguments import company_id as company_id_
from .production import days_between, today


class SlowMovingContext(ModelView):
    __name__ = 'production.reporting.slow_moving.context'

    company = fields.Many2One('company.company', "Company", required=True)
    warehouse = fields.Many2One(
        'stock.location', "Warehouse",
        domain=[
            ('type', '=', 'warehouse'),
            ])
    category = fields.Many2One(
        'product.category', "Category",
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        help="Only products of this category.")
    days = fields.Integer(
        "Days", required=True,
        domain=[
            ('days', '>=', 0),
            ],
        help="The minimal number of days without movement.")
    date = fields.Date("Date", required=True)

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_warehouse(cls):
        return Transaction().context.get('warehouse')

    @classmethod
    def default_days(cls):
        return Transaction().context.get('days', 90)

    @classmethod
    def default_date(cls):
        pool = Pool()
        Date = pool.get('ir.date')
        return Transaction().context.get('date') or Date.today()


class SlowMoving(ModelSQL, ModelView):
    __name__ = 'production.reporting.slow_moving'

    company = fields.Many2One('company.company', "Company")
    warehouse = fields.Many2One('stock.location', "Warehouse")
    product = fields.Many2One(
        'product.product', "Product",
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    category = fields.Many2One(
        'product.category', "Category",
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    unit = fields.Many2One('product.uom', "Unit")
    quantity = fields.Float("Quantity", digits='unit')
    currency = fields.Many2One('currency.currency', "Currency")
    cost_price = fields.Numeric("Cost Price", digits='currency')
    value = fields.Numeric("Value", digits='currency')
    last_receipt = fields.Date("Last Receipt")
    last_issue = fields.Date("Last Issue")
    last_move = fields.Date("Last Move")
    days_idle = fields.Integer("Days Idle")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('days_idle', 'DESC'),
            ('id', 'ASC'),
            ]

    @classmethod
    def _moves(cls, company_id):
        """Done moves of goods as entries into and exits from each warehouse
        with the dates of receipts and issues"""
        queries = [
            cls._warehouse_moves(
                company_id, 1, 'to_location', 'from_location'),
            cls._warehouse_moves(
                company_id, -1, 'from_location', 'to_location'),
            ]
        moves = Union(*queries, all_=True)
        return moves.select(
            Min(moves.id).as_('id'),
            moves.product.as_('product'),
            moves.warehouse.as_('warehouse'),
            Sum(moves.quantity).as_('quantity'),
            Max(moves.last_move).as_('last_move'),
            Max(moves.last_receipt).as_('last_receipt'),
            Max(moves.last_issue).as_('last_issue'),
            group_by=[moves.product, moves.warehouse])

    @classmethod
    def _warehouse_moves(cls, company_id, sign, here, there):
        """Query of the done moves per product and warehouse with here in the
        warehouse: entries (sign 1) or exits (-1), the moves from or to
        outside the warehouse dating the last receipt or issue"""
        pool = Pool()
        Move = pool.get('stock.move')
        Location = pool.get('stock.location')
        move = Move.__table__()
        location = Location.__table__()
        other = Location.__table__()
        warehouse = Location.__table__()
        outside = cls._outside(other, warehouse)
        date = Case((outside, move.effective_date), else_=Null)
        return (move
            .join(location, condition=getattr(move, here) == location.id)
            .join(warehouse,
                condition=(warehouse.type == 'warehouse')
                & (location.left >= warehouse.left)
                & (location.right <= warehouse.right))
            .join(other, condition=getattr(move, there) == other.id)
            .select(
                # each move gives one entry and one exit: distinct ids
                Min(move.id * 2 + (0 if sign > 0 else 1)).as_('id'),
                move.product.as_('product'),
                warehouse.id.as_('warehouse'),
                Sum(move.internal_quantity if sign > 0
                    else -move.internal_quantity).as_('quantity'),
                Max(move.effective_date).as_('last_move'),
                (Max(date) if sign > 0 else Literal(None)).as_(
                    'last_receipt'),
                (Max(date) if sign < 0 else Literal(None)).as_(
                    'last_issue'),
                where=(move.state == 'done')
                & (move.company == company_id),
                group_by=[move.product, warehouse.id]))

    @classmethod
    def _outside(cls, location, warehouse):
        "The condition of the location being outside the warehouse"
        return ((location.left < warehouse.left)
            | (location.right > warehouse.right))

    @classmethod
    def table_query(cls):
        company_id = company_id_()
        from_item, tables = cls._joins(company_id)
        return from_item.select(*cls._columns(tables, company_id),
            where=cls._where(tables))

    @classmethod
    def _joins(cls, company_id):
        pool = Pool()
        Product = pool.get('product.product')
        Template = pool.get('product.template')
        TemplateCategory = pool.get('product.template-product.category')
        CostPrice = pool.get('product.cost_price')
        Company = pool.get('company.company')
        tables = {}
        tables['moves'] = moves = cls._moves(company_id)
        product = Product.__table__()
        tables['template'] = template = Template.__table__()
        tables['template_category'] = template_category = (
            TemplateCategory.__table__())
        tables['categories'] = categories = cls._categories(template_category)
        tables['cost_price'] = cost_price = CostPrice.__table__()
        tables['company'] = company = Company.__table__()
        from_item = (moves
            .join(product, condition=moves.product == product.id)
            .join(template, condition=product.template == template.id)
            .join(categories, 'LEFT',
                condition=categories.template == template.id)
            .join(cost_price, 'LEFT',
                condition=(cost_price.product == product.id)
                & (cost_price.company == company_id))
            .join(company, condition=company.id == company_id))
        return from_item, tables

    @classmethod
    def _categories(cls, template_category):
        "Query of the first category of each template"
        return template_category.select(
            template_category.template.as_('template'),
            Min(template_category.category).as_('category'),
            group_by=[template_category.template])

    @classmethod
    def _columns(cls, tables, company_id):
        moves = tables['moves']
        return [
            moves.id.as_('id'),
            Literal(company_id).as_('company'),
            tables['company'].currency.as_('currency'),
            moves.warehouse.as_('warehouse'),
            moves.product.as_('product'),
            tables['categories'].category.as_('category'),
            tables['template'].default_uom.as_('unit'),
            moves.quantity.as_('quantity'),
            ] + cls._cost_columns(tables) + [
            moves.last_receipt.as_('last_receipt'),
            moves.last_issue.as_('last_issue'),
            moves.last_move.as_('last_move'),
            cls._days_idle(moves).as_('days_idle'),
            ]

    @classmethod
    def _cost_columns(cls, tables):
        "The columns of the cost price and of the value of the quantity"
        moves = tables['moves']
        cost = Coalesce(tables['cost_price'].cost_price, 0)
        value = Round(cls.value.sql_cast(moves.quantity) * cost, 2)
        return [
            cls.cost_price.sql_cast(cost).as_('cost_price'),
            cls.value.sql_cast(value).as_('value'),
            ]

    @classmethod
    def _days_idle(cls, moves):
        "The days from the last move to the date"
        return cls.days_idle.sql_cast(
            days_between(moves.last_move, Literal(today())))

    @classmethod
    def _days(cls):
        "The minimal number of days without movement, 90 by default"
        days = Transaction().context.get('days')
        return 90 if days is None else days

    @classmethod
    def _where(cls, tables):
        context = Transaction().context
        moves = tables['moves']
        template = tables['template']
        template_category = tables['template_category']
        idle_since = today() - dt.timedelta(days=cls._days())
        where = ((template.type == 'goods')
            & (moves.quantity > 0)
            & (moves.last_move <= idle_since))
        if context.get('warehouse'):
            where &= moves.warehouse == context['warehouse']
        if context.get('category'):
            where &= template.id.in_(template_category.select(
                    template_category.template,
                    where=template_category.category == context['category']))
        return where
