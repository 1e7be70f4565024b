# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from collections import defaultdict

from sql import Literal, Null
from sql.aggregate import Count, Max, Min, Sum
from sql.conditionals import Case, Coalesce, Greatest
from sql.operators import Concat

from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .arguments import company_id as company_id_
from .production import days_between, produced_moves, ratio, to_unit, today

SALE_STATES = ['confirmed', 'processing', 'done']


class LineTracking(ModelSQL, ModelView):
    __name__ = 'production.reporting.sale_line'

    line = fields.Many2One('sale.line', "Sale Line")
    sale = fields.Many2One('sale.sale', "Sale")
    sale_state = fields.Selection('get_sale_states', "Sale State")
    company = fields.Many2One('company.company', "Company")
    customer = fields.Many2One(
        'party.party', "Customer",
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    product = fields.Many2One(
        'product.product', "Product",
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    unit = fields.Many2One('product.uom', "Unit")
    quantity = fields.Float("Ordered", digits='unit')
    promised_date = fields.Date("Promised Date")
    productions = fields.Integer(
        "Productions", help="The number of production orders serving the "
        "line.")
    productions_done = fields.Integer("Productions Done")
    planned = fields.Float(
        "Planned", digits='unit',
        help="The quantity planned by the production orders.")
    produced = fields.Float("Produced", digits='unit')
    production_progress = fields.Float("Production Progress", digits=(16, 4))
    production_end = fields.Date(
        "Production End",
        help="When the last production order finishes or finished.")
    purchase_request = fields.Many2One(
        'purchase.request', "Purchase Request")
    purchase = fields.Many2One('purchase.purchase', "Purchase")
    purchase_state = fields.Selection(
        'get_purchase_states', "Purchase State")
    purchase_end = fields.Date(
        "Purchase Delivery", help="When the purchase is expected.")
    supply_date = fields.Date(
        "Supply Date", help="When the supply serving the line finishes.")
    shipped = fields.Float("Shipped", digits='unit')
    invoiced = fields.Float("Invoiced", digits='unit')
    risk_days = fields.Integer(
        "Risk Days",
        help="The days the supply finishes after the promised date.")
    at_risk = fields.Function(
        fields.Boolean("At Risk"), 'get_at_risk', searcher='search_at_risk')
    supply = fields.Function(fields.Char("Supply"), 'get_supply')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('promised_date', 'ASC NULLS LAST'),
            ('id', 'ASC'),
            ]

    @classmethod
    def get_sale_states(cls):
        pool = Pool()
        Sale = pool.get('sale.sale')
        return Sale.fields_get(['state'])['state']['selection']

    @classmethod
    def get_purchase_states(cls):
        pool = Pool()
        Purchase = pool.get('purchase.purchase')
        return Purchase.fields_get(['state'])['state']['selection'] + [
            (None, '')]

    @classmethod
    def table_query(cls):
        from_item, tables = cls._joins()
        return from_item.select(*cls._columns(tables),
            where=cls._where(tables))

    @classmethod
    def _productions(cls, company_id):
        "Production orders aggregated per origin sale line"
        pool = Pool()
        Production = pool.get('production')
        Product = pool.get('product.product')
        Template = pool.get('product.template')
        Uom = pool.get('product.uom')
        production = Production.__table__()
        produced = produced_moves(company_id)
        product = Product.__table__()
        template = Template.__table__()
        unit = Uom.__table__()
        default_uom = Uom.__table__()
        date = Literal(today())
        end = Case(
            (production.state == 'done', production.effective_date),
            else_=Greatest(Coalesce(production.planned_date, date), date))
        active = production.state != 'cancelled'
        return (production
            .join(produced, 'LEFT',
                condition=produced.production == production.id)
            .join(product, condition=production.product == product.id)
            .join(template, condition=product.template == template.id)
            .join(unit, condition=production.unit == unit.id)
            .join(default_uom, condition=template.default_uom
                == default_uom.id)
            .select(
                production.origin.as_('origin'),
                Count(Case((active, production.id))).as_('number'),
                Count(Case((production.state == 'done', production.id))
                    ).as_('done'),
                Sum(Case((active, to_unit(
                                production.quantity, unit, default_uom)),
                        else_=Literal(0.0))).as_('planned'),
                Sum(Coalesce(produced.produced, 0.0)).as_('produced'),
                Max(Case((active, end))).as_('end'),
                where=production.origin.like('sale.line,%')
                & (production.company == company_id),
                group_by=[production.origin]))

    @classmethod
    def _shipments(cls, company_id):
        "Done customer moves aggregated per origin sale line"
        pool = Pool()
        Move = pool.get('stock.move')
        Location = pool.get('stock.location')
        move = Move.__table__()
        to_location = Location.__table__()
        from_location = Location.__table__()
        return (move
            .join(to_location, condition=move.to_location == to_location.id)
            .join(from_location,
                condition=move.from_location == from_location.id)
            .select(
                move.origin.as_('origin'),
                Sum(Case(
                        (to_location.type == 'customer',
                            move.internal_quantity),
                        (from_location.type == 'customer',
                            -move.internal_quantity),
                        else_=Literal(0.0))).as_('shipped'),
                Min(move.planned_date).as_('planned_date'),
                where=move.origin.like('sale.line,%')
                & (move.state == 'done')
                & (move.company == company_id),
                group_by=[move.origin]))

    @classmethod
    def _planned_shipments(cls, company_id):
        pool = Pool()
        Move = pool.get('stock.move')
        move = Move.__table__()
        return move.select(
            move.origin.as_('origin'),
            Min(move.planned_date).as_('planned_date'),
            where=move.origin.like('sale.line,%')
            & (move.state != 'cancelled')
            & (move.company == company_id),
            group_by=[move.origin])

    @classmethod
    def _invoices(cls, company_id):
        pool = Pool()
        InvoiceLine = pool.get('account.invoice.line')
        Invoice = pool.get('account.invoice')
        line = InvoiceLine.__table__()
        invoice = Invoice.__table__()
        return (line
            .join(invoice, condition=line.invoice == invoice.id)
            .select(
                line.origin.as_('origin'),
                Sum(line.quantity).as_('invoiced'),
                where=line.origin.like('sale.line,%')
                & invoice.state.in_(['posted', 'paid'])
                & (invoice.company == company_id),
                group_by=[line.origin]))

    @classmethod
    def _joins(cls):
        pool = Pool()
        Line = pool.get('sale.line')
        Sale = pool.get('sale.sale')
        Product = pool.get('product.product')
        Template = pool.get('product.template')
        Uom = pool.get('product.uom')
        Request = pool.get('purchase.request')
        PurchaseLine = pool.get('purchase.line')
        Purchase = pool.get('purchase.purchase')
        company_id = company_id_()

        tables = {}
        tables['line'] = line = Line.__table__()
        tables['sale'] = sale = Sale.__table__()
        tables['product'] = product = Product.__table__()
        tables['template'] = template = Template.__table__()
        tables['unit'] = unit = Uom.__table__()
        tables['default_uom'] = default_uom = Uom.__table__()
        tables['productions'] = productions = cls._productions(company_id)
        tables['shipments'] = shipments = cls._shipments(company_id)
        tables['planned_shipments'] = planned_shipments = (
            cls._planned_shipments(company_id))
        tables['invoices'] = invoices = cls._invoices(company_id)
        tables['request'] = request = Request.__table__()
        tables['purchase_line'] = purchase_line = PurchaseLine.__table__()
        tables['purchase'] = purchase = Purchase.__table__()
        origin = Concat('sale.line,', line.id)
        from_item = (line
            .join(sale, condition=line.sale == sale.id)
            .join(product, condition=line.product == product.id)
            .join(template, condition=product.template == template.id)
            .join(unit, condition=line.unit == unit.id)
            .join(default_uom,
                condition=template.default_uom == default_uom.id)
            .join(productions, 'LEFT',
                condition=productions.origin == origin)
            .join(shipments, 'LEFT', condition=shipments.origin == origin)
            .join(planned_shipments, 'LEFT',
                condition=planned_shipments.origin == origin)
            .join(invoices, 'LEFT', condition=invoices.origin == origin)
            .join(request, 'LEFT',
                condition=line.purchase_request == request.id)
            .join(purchase_line, 'LEFT',
                condition=request.purchase_line == purchase_line.id)
            .join(purchase, 'LEFT',
                condition=purchase_line.purchase == purchase.id))
        return from_item, tables

    @classmethod
    def _columns(cls, tables):
        line = tables['line']
        sale = tables['sale']
        unit = tables['unit']
        default_uom = tables['default_uom']
        productions = tables['productions']
        shipments = tables['shipments']
        planned_shipments = tables['planned_shipments']
        invoices = tables['invoices']
        request = tables['request']
        purchase_line = tables['purchase_line']
        purchase = tables['purchase']
        date = Literal(today())

        planned = to_unit(
            Coalesce(productions.planned, 0.0), default_uom, unit)
        produced = to_unit(
            Coalesce(productions.produced, 0.0), default_uom, unit)
        shipped = to_unit(
            Coalesce(shipments.shipped, 0.0), default_uom, unit)
        promised_date = Coalesce(
            sale.shipping_date, planned_shipments.planned_date)
        purchase_end = Case(
            (purchase.state == 'done', Literal(None)),
            else_=Greatest(Coalesce(
                    purchase_line.delivery_date_store, purchase.delivery_date,
                    request.supply_date), date))
        supply_date = Greatest(productions.end, purchase_end)
        risk = Case(
            (sale.state.in_(['confirmed', 'processing'])
                & (shipped < line.quantity),
                days_between(promised_date, supply_date)),
            else_=Literal(0))
        return [
            line.id.as_('id'),
            line.id.as_('line'),
            sale.id.as_('sale'),
            sale.state.as_('sale_state'),
            sale.company.as_('company'),
            sale.party.as_('customer'),
            line.product.as_('product'),
            line.unit.as_('unit'),
            line.quantity.as_('quantity'),
            promised_date.as_('promised_date'),
            Coalesce(productions.number, 0).as_('productions'),
            Coalesce(productions.done, 0).as_('productions_done'),
            planned.as_('planned'),
            produced.as_('produced'),
            ratio(produced, planned).as_('production_progress'),
            productions.end.as_('production_end'),
            request.id.as_('purchase_request'),
            purchase.id.as_('purchase'),
            purchase.state.as_('purchase_state'),
            purchase_end.as_('purchase_end'),
            supply_date.as_('supply_date'),
            shipped.as_('shipped'),
            Coalesce(invoices.invoiced, 0.0).as_('invoiced'),
            cls.risk_days.sql_cast(
                Greatest(Coalesce(risk, 0), Literal(0))).as_('risk_days'),
            ]

    @classmethod
    def _where(cls, tables):
        line = tables['line']
        sale = tables['sale']
        context = Transaction().context
        where = ((sale.company == company_id_())
            & (line.type == 'line')
            & (line.product != Null)
            & sale.state.in_(SALE_STATES))
        if context.get('warehouse'):
            where &= sale.warehouse == context['warehouse']
        if context.get('product'):
            where &= line.product == context['product']
        if context.get('customer'):
            where &= sale.party == context['customer']
        return where

    def get_at_risk(self, name):
        return bool(self.risk_days)

    @classmethod
    def search_at_risk(cls, name, clause):
        _, operator, value = clause[:3]
        if (operator == '=') == bool(value):
            return [('risk_days', '>', 0)]
        return [('risk_days', '=', 0)]

    @classmethod
    def get_supply(cls, lines, name):
        "Summary of the production orders and purchase of each line"
        pool = Pool()
        Production = pool.get('production')
        states = dict(Production.fields_get(['state'])['state']['selection'])
        origins = ['sale.line,%s' % l.id for l in lines]
        supplies = defaultdict(list)
        for production in Production.search([
                    ('origin', 'in', origins),
                    ], order=[('id', 'ASC')]):
            supplies[production.origin.id].append(
                cls._supply_text(production, states))
        for line in lines:
            if line.purchase:
                supplies[line.id].append(line.purchase.rec_name)
            elif line.purchase_request:
                supplies[line.id].append(line.purchase_request.rec_name)
        return {l.id: ', '.join(supplies[l.id]) for l in lines}

    @classmethod
    def _supply_text(cls, production, states):
        "The summary of a production order serving a line"
        return '%s %s' % (production.rec_name, states.get(production.state))


class ProgressMixin:
    __slots__ = ()

    production_progress = fields.Function(
        fields.Float("Production Progress", digits=(16, 4)),
        'get_production_tracking')
    production_risk = fields.Function(
        fields.Boolean(
            "Production at Risk",
            help="The supply finishes after the promised date."),
        'get_production_tracking')


class Sale(ProgressMixin, metaclass=PoolMeta):
    __name__ = 'sale.sale'

    @classmethod
    def get_production_tracking(cls, sales, names):
        pool = Pool()
        Tracking = pool.get('production.reporting.sale_line')
        planned = defaultdict(float)
        produced = defaultdict(float)
        risk = defaultdict(bool)
        for row in Tracking.search([
                    ('sale', 'in', [s.id for s in sales]),
                    ]):
            planned[row.sale.id] += row.planned or 0
            produced[row.sale.id] += row.produced or 0
            risk[row.sale.id] |= bool(row.risk_days)
        result = {n: {} for n in names}
        for sale in sales:
            if 'production_progress' in result:
                result['production_progress'][sale.id] = (
                    produced[sale.id] / planned[sale.id]
                    if planned[sale.id] else None)
            if 'production_risk' in result:
                result['production_risk'][sale.id] = risk[sale.id]
        return result


class Line(ProgressMixin, metaclass=PoolMeta):
    __name__ = 'sale.line'

    @classmethod
    def get_production_tracking(cls, lines, names):
        pool = Pool()
        Tracking = pool.get('production.reporting.sale_line')
        rows = {r.id: r for r in Tracking.browse(
                Tracking.search([('id', 'in', [l.id for l in lines])]))}
        result = {n: {} for n in names}
        for line in lines:
            row = rows.get(line.id)
            if 'production_progress' in result:
                result['production_progress'][line.id] = (
                    row.production_progress if row else None)
            if 'production_risk' in result:
                result['production_risk'][line.id] = bool(
                    row and row.risk_days)
        return result
