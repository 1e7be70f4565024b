# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from sql import Cast, Literal, Null
from sql.aggregate import Count, Min, Sum
from sql.conditionals import Case
from sql.functions import DateTrunc
from sql.operators import Concat

from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.stock_quarantine.numbers import format_month
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.transaction import Transaction


class Reporting(ModelSQL, ModelView):
    "Material returns stocked in, by month, category, reason and workshop"
    __name__ = 'production.material.return.reporting'

    company = fields.Many2One('company.company', "Company")
    month = fields.Date("Month")
    month_name = fields.Function(fields.Char("Month"), 'get_month_name')
    category = fields.Many2One('product.category', "Category")
    product = fields.Many2One(
        'product.product', "Product",
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    reason = fields.Many2One(
        'production.material.return.reason', "Reason")
    workshop = fields.Many2One('stock.location', "Workshop")
    abnormal = fields.Boolean(
        "Abnormal", help="The material failed its inspection.")
    quantity = fields.Float("Quantity", digits='unit')
    unit = fields.Function(
        fields.Many2One('product.uom', "Unit"), 'get_unit')
    cost = fields.Numeric("Cost", digits='currency')
    saved = fields.Numeric(
        "Cost Saved", digits='currency',
        help="The cost of the material that passed back into stock.")
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"), 'get_currency')
    returns = fields.Integer("Returns")

    def get_month_name(self, name):
        return format_month(self.month)

    def get_unit(self, name):
        return self.product.default_uom if self.product else None

    def get_currency(self, name):
        return self.company.currency if self.company else None

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('month', 'DESC'), ('cost', 'DESC'), ('id', 'DESC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Line = pool.get('production.material.return.line')
        Move = pool.get('stock.move')
        Production = pool.get('production')
        Return = pool.get('production.material.return')
        TemplateCategory = pool.get('product.template-product.category')
        Product = pool.get('product.product')

        line = Line.__table__()
        move = Move.__table__()
        production = Production.__table__()
        return_ = Return.__table__()
        product = Product.__table__()
        template_category = TemplateCategory.__table__()

        abnormal = move.to_location != return_.to_location
        cost = Cast(move.quantity, cls.cost.sql_type().base) * Case(
            (move.unit_price == Null, 0), else_=move.unit_price)
        month = DateTrunc('month', move.effective_date)
        # grouped by the output name: PostgreSQL does not match two
        # DATE_TRUNC with separate parameters
        month = cls.month.sql_cast(month).as_('month')
        group_by = [
            return_.company, month, template_category.category,
            line.product, return_.reason, production.location, abnormal]
        return (line
            .join(return_, condition=line.material_return == return_.id)
            .join(move, condition=move.origin == Concat(
                    'production.material.return.line,', line.id))
            .join(production, condition=return_.production == production.id)
            .join(product, condition=line.product == product.id)
            .join(template_category, 'LEFT',
                condition=product.template == template_category.template)
            .select(
                Min(line.id).as_('id'),
                return_.company.as_('company'),
                month,
                template_category.category.as_('category'),
                line.product.as_('product'),
                return_.reason.as_('reason'),
                production.location.as_('workshop'),
                abnormal.as_('abnormal'),
                Sum(move.internal_quantity).as_('quantity'),
                Sum(cost).as_('cost'),
                Sum(Case((abnormal, Literal(0)), else_=cost)).as_('saved'),
                Count(return_.id, distinct=True).as_('returns'),
                where=cls._where(move, return_),
                group_by=group_by))

    @classmethod
    def _where(cls, move, return_):
        "The done moves of the done returns of the context"
        context = Transaction().context
        where = (move.state == 'done') & (return_.state == 'done')
        if context.get('company'):
            where &= return_.company == context['company']
        if context.get('from_date'):
            where &= move.effective_date >= context['from_date']
        if context.get('to_date'):
            where &= move.effective_date <= context['to_date']
        return where


class ReportingContext(ModelView):
    __name__ = 'production.material.return.reporting.context'

    company = fields.Many2One('company.company', "Company", required=True)
    from_date = fields.Date("From Date",
        domain=[
            If(Eval('to_date') & Eval('from_date'),
                ('from_date', '<=', Eval('to_date')),
                ()),
            ])
    to_date = fields.Date("To Date",
        domain=[
            If(Eval('from_date') & Eval('to_date'),
                ('to_date', '>=', Eval('from_date')),
                ()),
            ])

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')
