# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from collections import defaultdict

from sql import Literal, Null, NullsLast, Window
from sql.aggregate import Count, Max, Min, Sum
from sql.conditionals import Case, Coalesce, Greatest, Least
from sql.operators import Concat

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, If
from trytond.transaction import Transaction

from .arguments import company_id as company_id_
from .production import days_between, produced_moves, ratio, to_unit, today

SALE_STATES = ['confirmed', 'processing', 'done']
OPEN_SALE_STATES = ['confirmed', 'processing']
RISK_STATES = [
    (None, ""),
    ('no_supply', "No Stock, No Supply"),
    ('short', "Short"),
    ('late', "Late"),
    ('on_time', "On Time"),
    ('shipped', "Shipped"),
    ]
# a remainder of the unit conversions is no quantity
EPSILON = 1e-6
# the order of the risks, the worst first
RISK_LEVELS = {
    'no_supply': 3,
    'short': 2,
    'late': 1,
    }


def format_quantity(lang, unit, quantity):
    "The quantity with the digits and the symbol of the unit: 40 个"
    return lang.format_number_symbol(
        quantity or 0, unit, digits=unit.digits if unit else None)


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
        "Supply Date",
        help="When the supply serving the line finishes; empty when no "
        "production order or purchase serves the line.")
    incoming = fields.Float(
        "Incoming", digits='unit',
        help="The quantity the production orders and the purchase serving "
        "the line still bring.")
    from_stock = fields.Float(
        "From Stock", digits='unit',
        help="The quantity to ship that the stock of the warehouse covers, "
        "after what the line's own supply brought and the open lines "
        "promised before it.")
    missing = fields.Float(
        "Missing", digits='unit',
        help="The quantity to ship that neither the stock nor the supply "
        "cover.")
    risk_state = fields.Selection(
        RISK_STATES, "Risk", sort=False,
        help="No stock, no supply: nothing covers the quantity to ship.\n"
        "Short: the stock and the supply cover only a part.\n"
        "Late: the supply finishes after the promised date.\n"
        "Shipped: nothing is left to ship.")
    risk_level = fields.Integer(
        "Risk Level", help="The higher, the worse the risk of the line.")
    risk = fields.Function(fields.Char("Risk Explained"), 'get_risk')
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
            ('risk_level', 'DESC'),
            ('promised_date', 'ASC NULLS LAST'),
            ('id', 'ASC'),
            ]

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual',
                If(Eval('risk_state', '').in_(['no_supply', 'short']),
                    'danger',
                    If(Eval('risk_state', '') == 'late', 'warning', ''))),
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
        from_item, tables = cls._production_joins(company_id)
        production = tables['production']
        produced = Coalesce(tables['produced'].produced, 0.0)
        planned = to_unit(
            production.quantity, tables['unit'], tables['default_uom'])
        active = production.state != 'cancelled'
        return from_item.select(
            production.origin.as_('origin'),
            Count(Case((active, production.id))).as_('number'),
            Count(Case((production.state == 'done', production.id))
                ).as_('done'),
            Sum(Case((active, planned), else_=Literal(0.0))).as_('planned'),
            Sum(produced).as_('produced'),
            Sum(Case((active & (production.state != 'done'),
                        Greatest(planned - produced, Literal(0.0))),
                    else_=Literal(0.0))).as_('incoming'),
            Max(Case((active, cls._production_end(production)))).as_('end'),
            where=production.origin.like('sale.line,%')
            & (production.company == company_id),
            group_by=[production.origin])

    @classmethod
    def _production_joins(cls, company_id):
        """Join to the production orders their produced quantity, their unit
        and the default unit of their product"""
        pool = Pool()
        Production = pool.get('production')
        Product = pool.get('product.product')
        Template = pool.get('product.template')
        Uom = pool.get('product.uom')
        tables = {}
        tables['production'] = production = Production.__table__()
        tables['produced'] = produced = produced_moves(company_id)
        product = Product.__table__()
        template = Template.__table__()
        tables['unit'] = unit = Uom.__table__()
        tables['default_uom'] = default_uom = Uom.__table__()
        from_item = (production
            .join(produced, 'LEFT',
                condition=produced.production == production.id)
            .join(product, condition=production.product == product.id)
            .join(template, condition=product.template == template.id)
            .join(unit, condition=production.unit == unit.id)
            .join(default_uom, condition=template.default_uom
                == default_uom.id))
        return from_item, tables

    @classmethod
    def _production_end(cls, production):
        "When the order finished if done, else its planned date from today"
        date = Literal(today())
        return Case(
            (production.state == 'done', production.effective_date),
            else_=Greatest(Coalesce(production.planned_date, date), date))

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
                Sum(cls._customer_quantity(move, from_location, to_location)
                    ).as_('shipped'),
                Min(move.planned_date).as_('planned_date'),
                where=move.origin.like('sale.line,%')
                & (move.state == 'done')
                & (move.company == company_id),
                group_by=[move.origin]))

    @classmethod
    def _customer_quantity(cls, move, from_location, to_location):
        "The quantity the move ships to the customer, negative for a return"
        return Case(
            (to_location.type == 'customer', move.internal_quantity),
            (from_location.type == 'customer', -move.internal_quantity),
            else_=Literal(0.0))

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
    def _stock(cls, company_id):
        "Quantity of each product in the storage of each warehouse"
        pool = Pool()
        Move = pool.get('stock.move')
        Location = pool.get('stock.location')
        move = Move.__table__()
        from_location = Location.__table__()
        to_location = Location.__table__()
        warehouse = Location.__table__()
        storage = Location.__table__()

        def inside(location):
            return ((location.left >= storage.left)
                & (location.right <= storage.right))
        into, out = inside(to_location), inside(from_location)
        return (move
            .join(from_location,
                condition=move.from_location == from_location.id)
            .join(to_location, condition=move.to_location == to_location.id)
            .join(warehouse, condition=warehouse.type == 'warehouse')
            .join(storage,
                condition=warehouse.storage_location == storage.id)
            .select(
                move.product.as_('product'),
                warehouse.id.as_('warehouse'),
                Sum(Case(
                        (into & ~out, move.internal_quantity),
                        (out & ~into, -move.internal_quantity),
                        else_=Literal(0.0))).as_('quantity'),
                where=(move.state == 'done')
                & (move.company == company_id)
                & (into | out),
                group_by=[move.product, warehouse.id]))

    @classmethod
    def _coverage(cls, company_id):
        """Query of what covers the quantity to ship of each open line, in
        the default unit of the product: the output of its own production
        orders, what its supply still brings and the stock of the
        warehouse, given to the open lines by promised date"""
        demand = cls._demand(company_id)
        stock = cls._stock(company_id)
        zero = Literal(0.0)
        free = cls._free(demand, stock)
        return (demand
            .join(stock, 'LEFT',
                condition=(stock.product == demand.product)
                & (stock.warehouse == demand.warehouse))
            .select(
                demand.line.as_('line'),
                demand.incoming.as_('incoming'),
                (demand.own + Least(demand.uncovered, free)).as_(
                    'from_stock'),
                Greatest(demand.uncovered - free, zero).as_('missing')))

    @classmethod
    def _free(cls, demand, stock):
        """The stock left to the line by the own quantities of all the lines
        and the uncovered quantities of the lines promised before"""
        zero = Literal(0.0)
        return Greatest(Coalesce(stock.quantity, zero) - demand.reserved
            - (demand.cumulated - demand.uncovered), zero)

    @classmethod
    def _demand(cls, company_id):
        """Query of the quantity to ship of each open line covered by its own
        production orders (own), by its supply (incoming) and by neither
        (uncovered), with the own and the uncovered quantities of the lines
        of the same product and warehouse"""
        from_item, tables = cls._line_joins(company_id)
        line = tables['line']
        sale = tables['sale']
        to_ship = cls._to_ship(tables)
        own = cls._own(tables, to_ship)
        incoming = cls._incoming(tables)
        uncovered = Greatest(to_ship - own - incoming, Literal(0.0))
        partition = [line.product, sale.warehouse]
        return from_item.select(
            line.id.as_('line'),
            line.product.as_('product'),
            sale.warehouse.as_('warehouse'),
            own.as_('own'),
            incoming.as_('incoming'),
            uncovered.as_('uncovered'),
            Sum(own, window=Window(partition)).as_('reserved'),
            cls._cumulated(tables, uncovered, partition).as_('cumulated'),
            where=cls._open_where(tables, company_id))

    @classmethod
    def _cumulated(cls, tables, uncovered, partition):
        "The uncovered quantities of the lines promised before and of this one"
        line = tables['line']
        order_by = [NullsLast(cls._promised_date(tables)), line.id.asc]
        return Sum(uncovered, window=Window(partition, order_by=order_by))

    @classmethod
    def _open_where(cls, tables, company_id):
        "The condition of the product lines of the open sales of the company"
        line, sale = tables['line'], tables['sale']
        return ((sale.company == company_id) & (line.type == 'line')
            & (line.product != Null) & sale.state.in_(OPEN_SALE_STATES))

    @classmethod
    def _to_ship(cls, tables):
        "The quantity of the line still to ship in the default unit"
        zero = Literal(0.0)
        quantity = cls._in_default_unit(tables, tables['line'].quantity)
        shipped = Coalesce(tables['shipments'].shipped, zero)
        return Greatest(quantity - shipped, zero)

    @classmethod
    def _own(cls, tables, to_ship):
        "The quantity to ship its own production orders produced: in stock"
        zero = Literal(0.0)
        shipped = Coalesce(tables['shipments'].shipped, zero)
        produced = Coalesce(tables['productions'].produced, zero)
        return Least(to_ship, Greatest(produced - shipped, zero))

    @classmethod
    def _incoming(cls, tables):
        "The quantity the production orders and the purchase still bring"
        productions = tables['productions']
        purchased = cls._purchased(tables)
        return Coalesce(productions.incoming, Literal(0.0)) + purchased

    @classmethod
    def _purchased(cls, tables):
        """The quantity the open purchase request of the line brings, in the
        default unit"""
        request = tables['request']
        purchase = tables['purchase']
        zero = Literal(0.0)
        return Case(
            (request.id == Null, zero),
            (request.state == 'cancelled', zero),
            (Coalesce(purchase.state, '').in_(['done', 'cancelled']), zero),
            else_=to_unit(
                request.quantity, tables['request_unit'],
                tables['default_uom']))

    @classmethod
    def _promised_date(cls, tables):
        "The shipping date of the sale, else the first planned shipment"
        sale = tables['sale']
        planned_shipments = tables['planned_shipments']
        return Coalesce(sale.shipping_date, planned_shipments.planned_date)

    @classmethod
    def _joins(cls):
        company_id = company_id_()
        from_item, tables = cls._line_joins(company_id)
        line = tables['line']
        tables['coverage'] = coverage = cls._coverage(company_id)
        from_item = from_item.join(coverage, 'LEFT',
            condition=coverage.line == line.id)
        return from_item, tables

    @classmethod
    def _line_joins(cls, company_id):
        pool = Pool()
        Line = pool.get('sale.line')
        Sale = pool.get('sale.sale')
        Product = pool.get('product.product')
        Template = pool.get('product.template')
        Uom = pool.get('product.uom')

        tables = {}
        tables['line'] = line = Line.__table__()
        tables['sale'] = sale = Sale.__table__()
        tables['product'] = product = Product.__table__()
        tables['template'] = template = Template.__table__()
        tables['unit'] = unit = Uom.__table__()
        tables['default_uom'] = default_uom = Uom.__table__()
        from_item = (line
            .join(sale, condition=line.sale == sale.id)
            .join(product, condition=line.product == product.id)
            .join(template, condition=product.template == template.id)
            .join(unit, condition=line.unit == unit.id)
            .join(default_uom,
                condition=template.default_uom == default_uom.id))
        from_item = cls._origin_joins(from_item, tables, company_id)
        from_item = cls._purchase_joins(from_item, tables)
        return from_item, tables

    @classmethod
    def _origin_joins(cls, from_item, tables, company_id):
        """Join the production orders, the shipments and the invoices
        aggregated per origin line"""
        line = tables['line']
        tables['productions'] = productions = cls._productions(company_id)
        tables['shipments'] = shipments = cls._shipments(company_id)
        tables['planned_shipments'] = planned_shipments = (
            cls._planned_shipments(company_id))
        tables['invoices'] = invoices = cls._invoices(company_id)
        origin = Concat('sale.line,', line.id)
        return (from_item
            .join(productions, 'LEFT',
                condition=productions.origin == origin)
            .join(shipments, 'LEFT', condition=shipments.origin == origin)
            .join(planned_shipments, 'LEFT',
                condition=planned_shipments.origin == origin)
            .join(invoices, 'LEFT', condition=invoices.origin == origin))

    @classmethod
    def _purchase_joins(cls, from_item, tables):
        "Join the purchase request of the line, its unit and its purchase"
        pool = Pool()
        Request = pool.get('purchase.request')
        PurchaseLine = pool.get('purchase.line')
        Purchase = pool.get('purchase.purchase')
        Uom = pool.get('product.uom')
        line = tables['line']
        tables['request'] = request = Request.__table__()
        tables['request_unit'] = request_unit = Uom.__table__()
        tables['purchase_line'] = purchase_line = PurchaseLine.__table__()
        tables['purchase'] = purchase = Purchase.__table__()
        return (from_item
            .join(request, 'LEFT',
                condition=line.purchase_request == request.id)
            .join(request_unit, 'LEFT',
                condition=request.unit == request_unit.id)
            .join(purchase_line, 'LEFT',
                condition=request.purchase_line == purchase_line.id)
            .join(purchase, 'LEFT',
                condition=purchase_line.purchase == purchase.id))

    @classmethod
    def _columns(cls, tables):
        return (cls._line_columns(tables)
            + cls._production_columns(tables)
            + cls._purchase_columns(tables)
            + cls._delivery_columns(tables)
            + cls._risk_columns(tables))

    @classmethod
    def _line_columns(cls, tables):
        "The columns of the line and of its sale"
        line = tables['line']
        sale = tables['sale']
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
            cls._promised_date(tables).as_('promised_date'),
            ]

    @classmethod
    def _production_columns(cls, tables):
        "The columns of the production orders serving the line"
        productions = tables['productions']
        planned = cls._in_line_unit(tables, Coalesce(productions.planned, 0.0))
        produced = cls._in_line_unit(
            tables, Coalesce(productions.produced, 0.0))
        return [
            Coalesce(productions.number, 0).as_('productions'),
            Coalesce(productions.done, 0).as_('productions_done'),
            planned.as_('planned'),
            produced.as_('produced'),
            ratio(produced, planned).as_('production_progress'),
            productions.end.as_('production_end'),
            ]

    @classmethod
    def _purchase_columns(cls, tables):
        "The columns of the purchase serving the line and of the supply date"
        request = tables['request']
        purchase = tables['purchase']
        return [
            request.id.as_('purchase_request'),
            purchase.id.as_('purchase'),
            purchase.state.as_('purchase_state'),
            cls._purchase_end(tables).as_('purchase_end'),
            cls._supply_date(tables).as_('supply_date'),
            ]

    @classmethod
    def _delivery_columns(cls, tables):
        "The columns of the shipped and of the invoiced quantities"
        return [
            cls._shipped(tables).as_('shipped'),
            Coalesce(tables['invoices'].invoiced, 0.0).as_('invoiced'),
            ]

    @classmethod
    def _risk_columns(cls, tables):
        "The columns of what covers the quantity to ship and of the risk"
        coverage = tables['coverage']
        risks = cls._risks(tables)
        return [
            cls._risk_days(tables).as_('risk_days'),
            cls._covered(tables, coverage.incoming).as_('incoming'),
            cls._covered(tables, coverage.from_stock).as_('from_stock'),
            cls._covered(tables, coverage.missing).as_('missing'),
            cls._risk_state(risks).as_('risk_state'),
            cls._risk_level(risks).as_('risk_level'),
            ]

    @classmethod
    def _covered(cls, tables, quantity):
        "The quantity of the coverage of the line in the unit of the line"
        return cls._in_line_unit(tables, Coalesce(quantity, Literal(0.0)))

    @classmethod
    def _risk_state(cls, risks):
        "The first risk state whose condition holds"
        return Case(*((c, Literal(s)) for c, s in risks), else_=Null)

    @classmethod
    def _risk_level(cls, risks):
        "The level of the first risk whose condition holds"
        return Case(*((c, Literal(RISK_LEVELS.get(s, 0))) for c, s in risks),
            else_=Literal(0))

    @classmethod
    def _in_default_unit(cls, tables, quantity):
        "The quantity in the line's unit converted into the default unit"
        return to_unit(quantity, tables['unit'], tables['default_uom'])

    @classmethod
    def _in_line_unit(cls, tables, quantity):
        "The quantity in the default unit converted into the line's unit"
        return to_unit(quantity, tables['default_uom'], tables['unit'])

    @classmethod
    def _shipped(cls, tables):
        "The quantity shipped in the unit of the line"
        shipments = tables['shipments']
        return cls._in_line_unit(tables, Coalesce(shipments.shipped, 0.0))

    @classmethod
    def _purchase_end(cls, tables):
        "When the open purchase of the line is expected, not before today"
        request = tables['request']
        purchase_line = tables['purchase_line']
        purchase = tables['purchase']
        date = Literal(today())
        # no purchase request, no purchase date: not today
        return Case(
            (request.id == Null, Null),
            (request.state == 'cancelled', Null),
            (purchase.state.in_(['done', 'cancelled']), Null),
            else_=Greatest(Coalesce(
                    purchase_line.delivery_date_store, purchase.delivery_date,
                    request.supply_date), date))

    @classmethod
    def _supply_date(cls, tables):
        "When the production orders and the purchase of the line finish"
        productions = tables['productions']
        return Greatest(productions.end, cls._purchase_end(tables))

    @classmethod
    def _is_open(cls, tables):
        "The condition of the lines of the open sales not fully shipped"
        sale = tables['sale']
        line = tables['line']
        return (sale.state.in_(OPEN_SALE_STATES)
            & (cls._shipped(tables) < line.quantity))

    @classmethod
    def _risk_days(cls, tables):
        "The days the supply of the open line finishes after the promised date"
        late = days_between(
            cls._promised_date(tables), cls._supply_date(tables))
        risk = Case((cls._is_open(tables), late), else_=Literal(0))
        return cls.risk_days.sql_cast(Greatest(Coalesce(risk, 0), Literal(0)))

    @classmethod
    def _risks(cls, tables):
        "The condition of each risk state of the line, the worst first"
        coverage = tables['coverage']
        zero = Literal(0.0)
        is_open = cls._is_open(tables)
        # a remainder of the conversions is not missing
        short = Coalesce(coverage.missing, zero) > EPSILON
        no_stock = Coalesce(coverage.from_stock, zero) <= EPSILON
        no_supply = cls._supply_date(tables) == Null
        return [
            (is_open & short & no_stock & no_supply, 'no_supply'),
            (is_open & short, 'short'),
            (is_open & (cls._risk_days(tables) > 0), 'late'),
            (is_open, 'on_time'),
            (cls._shipped(tables) >= tables['line'].quantity, 'shipped'),
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
        return bool(self.risk_level)

    @classmethod
    def search_at_risk(cls, name, clause):
        _, operator, value = clause[:3]
        if (operator == '=') == bool(value):
            return [('risk_level', '>', 0)]
        return [('risk_level', '=', 0)]

    @classmethod
    def get_risk(cls, lines, name):
        "The risk of each line in words, with the quantities and the dates"
        pool = Pool()
        Lang = pool.get('ir.lang')
        lang = Lang.get()
        return {l.id: cls._risk_text(l, lang) for l in lines}

    @classmethod
    def _risk_text(cls, line, lang):
        "The risk of the line in words, empty when on time or closed"
        def quantity(value, unit=line.unit):
            return format_quantity(lang, unit, value)
        if line.risk_state == 'no_supply':
            return gettext('production_reporting.msg_risk_no_supply',
                missing=quantity(line.missing))
        elif line.risk_state == 'short':
            return gettext('production_reporting.msg_risk_short',
                missing=quantity(line.missing),
                stock=quantity(line.from_stock),
                incoming=quantity(line.incoming))
        elif line.risk_state == 'late':
            return gettext('production_reporting.msg_risk_late',
                days=line.risk_days,
                supply_date=lang.strftime(line.supply_date),
                promised_date=lang.strftime(line.promised_date))
        return ''

    @classmethod
    def get_supply(cls, lines, name):
        "Summary of the production orders and purchase of each line"
        pool = Pool()
        Lang = pool.get('ir.lang')
        supplies = cls._production_supplies(lines)
        lang = Lang.get()
        for line in lines:
            supply = supplies[line.id]
            supply.extend(cls._purchase_supply(line))
            if not supply and line.risk_state:
                supply.extend(cls._stock_supply(line, lang))
        return {l.id: ', '.join(supplies[l.id]) for l in lines}

    @classmethod
    def _production_supplies(cls, lines):
        "The summaries of the production orders serving each line"
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
        return supplies

    @classmethod
    def _purchase_supply(cls, line):
        "The purchase serving the line, else its purchase request"
        supply = line.purchase or line.purchase_request
        return [supply.rec_name] if supply else []

    @classmethod
    def _stock_supply(cls, line, lang):
        "What serves a line at risk without supply: the stock or nothing"
        texts = []
        if line.from_stock:
            texts.append(gettext('production_reporting.msg_supply_stock',
                    quantity=format_quantity(
                        lang, line.unit, line.from_stock)))
        if line.risk_state in {'no_supply', 'short'}:
            texts.append(gettext('production_reporting.msg_supply_none'))
        return texts

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
            help="The supply finishes after the promised date or the stock "
            "and the supply do not cover the quantity to ship."),
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
            risk[row.sale.id] |= bool(row.at_risk)
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
                    row and row.at_risk)
        return result
