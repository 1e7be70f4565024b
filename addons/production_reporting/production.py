# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
from decimal import Decimal

from sql import Column, Literal, Null, Union, Values
from sql.aggregate import Count, Min, Sum
from sql.conditionals import Case, Coalesce, Greatest
from sql.functions import Extract
from sql.operators import Concat

from trytond import backend
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.company import CompanyReport
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.tools import grouped_slice, reduce_ids
from trytond.transaction import Transaction

from .arguments import company_id as company_id_, context_date

OPEN_STATES = ['request', 'draft', 'waiting', 'assigned', 'running']
STATES = [
    ('request', "Request"),
    ('draft', "Draft"),
    ('waiting', "Waiting"),
    ('assigned', "Assigned"),
    ('running', "Running"),
    ('done', "Done"),
    ('cancelled', "Cancelled"),
    ]


def today():
    pool = Pool()
    Date = pool.get('ir.date')
    return context_date() or Date.today()


def days_between(start, end):
    "SQL number of days from start to end (dates)"
    return (Extract('EPOCH', end) - Extract('EPOCH', start)) / 86400


def ratio(numerator, denominator):
    return Case(
        (denominator > 0, numerator / denominator),
        else_=Literal(None))


def component_move_queries(company_id=None):
    """Queries of the material moves of the productions with production,
    product, required, issued, returned and scrapped internal quantities"""
    return [component_inputs(company_id), component_outputs(company_id)]


def component_inputs(company_id=None):
    "Query of the input moves of the productions as required and issued"
    pool = Pool()
    Move = pool.get('stock.move')
    input_ = Move.__table__()
    zero = Literal(0.0)
    return input_.select(
        input_.id.as_('id'),
        input_.production_input.as_('production'),
        input_.product.as_('product'),
        Case((input_.state != 'cancelled', input_.internal_quantity),
            else_=zero).as_('required'),
        Case((input_.state == 'done', input_.internal_quantity),
            else_=zero).as_('issued'),
        zero.as_('returned'),
        zero.as_('scrapped'),
        where=(input_.production_input != Null)
        & (input_.company == company_id))


def component_outputs(company_id=None):
    """Query of the output moves of the productions of other products than
    the main one: returned to stock or scrapped into a waste location"""
    pool = Pool()
    Move = pool.get('stock.move')
    Production = pool.get('production')
    output = Move.__table__()
    production = Production.__table__()
    zero = Literal(0.0)
    scrap = is_waste(output.to_location)
    done = output.state == 'done'
    return output.join(production,
        condition=output.production_output == production.id
        ).select(
        output.id.as_('id'),
        output.production_output.as_('production'),
        output.product.as_('product'),
        zero.as_('required'),
        zero.as_('issued'),
        Case((done & ~scrap, output.internal_quantity),
            else_=zero).as_('returned'),
        Case((done & scrap, output.internal_quantity),
            else_=zero).as_('scrapped'),
        where=(output.production_output != Null)
        & (output.product != production.product)
        & (output.company == company_id))


def is_waste(location):
    "The condition of the location being a waste location"
    pool = Pool()
    Waste = pool.get('stock.location.waste')
    waste = Waste.__table__()
    return location.in_(waste.select(waste.location))


def component_moves(company_id=None):
    """Query of the material moves of the productions grouped by production
    and component"""
    pool = Pool()
    Component = pool.get('production.reporting.component')
    moves = Union(*Component._move_queries(company_id), all_=True)
    return moves.select(
        Min(moves.id).as_('id'),
        moves.production.as_('production'),
        moves.product.as_('product'),
        Sum(moves.required).as_('required'),
        Sum(moves.issued).as_('issued'),
        Sum(moves.returned).as_('returned'),
        Sum(moves.scrapped).as_('scrapped'),
        group_by=[moves.production, moves.product],
        having=Sum(moves.required) > 0)


def produced_moves(company_id=None, productions=None):
    """Query of the done internal quantity of the main product per
    production (of the query productions when given)"""
    pool = Pool()
    Move = pool.get('stock.move')
    Production = pool.get('production')

    move = Move.__table__()
    production = Production.__table__()
    where = ((move.product == production.product)
        & (move.state != 'cancelled')
        & (move.company == company_id))
    if productions is not None:
        where &= fields.SQL_OPERATORS['in'](
            move.production_output, productions)
    return move.join(production,
        condition=move.production_output == production.id
        ).select(
        move.production_output.as_('production'),
        Sum(Case((move.state == 'done', move.internal_quantity),
                else_=Literal(0.0))).as_('produced'),
        Min(move.effective_date).as_('first_output'),
        where=where,
        group_by=[move.production_output])


def to_unit(quantity, from_uom, to_uom):
    "Convert an internal quantity from the product unit into to_uom"
    return quantity * from_uom.factor / to_uom.factor


class TrackingContext(ModelView):
    __name__ = 'production.reporting.tracking.context'

    company = fields.Many2One('company.company', "Company", required=True)
    warehouse = fields.Many2One(
        'stock.location', "Warehouse",
        domain=[
            ('type', '=', 'warehouse'),
            ])
    workshop = fields.Many2One(
        'stock.location', "Workshop",
        domain=[
            ('type', '=', 'production'),
            ],
        help="The production location of the orders.")
    product = fields.Many2One(
        'product.product', "Product",
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    customer = fields.Many2One(
        'party.party', "Customer",
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    date = fields.Date(
        "Date", required=True,
        help="The day of reference for the days late.")

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_warehouse(cls):
        return Transaction().context.get('warehouse')

    @classmethod
    def default_date(cls):
        pool = Pool()
        Date = pool.get('ir.date')
        return Transaction().context.get('date') or Date.today()


class Tracking(ModelSQL, ModelView):
    __name__ = 'production.reporting.tracking'

    production = fields.Many2One('production', "Production")
    number = fields.Char("Number")
    company = fields.Many2One('company.company', "Company")
    warehouse = fields.Many2One('stock.location', "Warehouse")
    workshop = fields.Many2One('stock.location', "Workshop")
    product = fields.Many2One(
        'product.product', "Product",
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    unit = fields.Many2One('product.uom', "Unit")
    quantity = fields.Float("Planned Quantity", digits='unit')
    customer = fields.Many2One(
        'party.party', "Customer",
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    sale = fields.Many2One('sale.sale', "Sale")
    sale_line = fields.Many2One('sale.line', "Sale Line")
    required = fields.Float(
        "Required", digits=(16, 4),
        help="The quantity of components to issue in their default unit.")
    issued = fields.Float(
        "Issued", digits=(16, 4),
        help="The quantity of components issued in their default unit.")
    picking_progress = fields.Float(
        "Picking Progress", digits=(16, 4),
        help="The issued quantity of components over the required.")
    returned = fields.Float(
        "Returned", digits=(16, 4),
        help="The quantity of components returned from the order.")
    scrapped = fields.Float(
        "Scrapped", digits=(16, 4),
        help="The quantity of components sent to waste locations.")
    required_quantities = fields.Function(fields.Char(
            "Required",
            help="The quantity of components to issue, per unit."),
        'get_component_quantities')
    issued_quantities = fields.Function(fields.Char(
            "Issued", help="The quantity of components issued, per unit."),
        'get_component_quantities')
    returned_quantities = fields.Function(fields.Char(
            "Returned",
            help="The quantity of components returned from the order, per "
            "unit."),
        'get_component_quantities')
    scrapped_quantities = fields.Function(fields.Char(
            "Scrapped",
            help="The quantity of components sent to waste locations, per "
            "unit."),
        'get_component_quantities')
    produced = fields.Float("Produced", digits='unit')
    output_progress = fields.Float(
        "Output Progress", digits=(16, 4),
        help="The produced quantity over the planned quantity.")
    planned_start_date = fields.Date("Planned Start Date")
    planned_date = fields.Date("Planned Date")
    effective_start_date = fields.Date("Effective Start Date")
    effective_date = fields.Date("Effective Date")
    state = fields.Selection(STATES, "State", sort=False)
    days_late = fields.Integer(
        "Days Late",
        help="The days the order finishes or finished after its planned "
        "date.")
    late = fields.Function(
        fields.Boolean("Late"), 'get_late', searcher='search_late')
    product_name = fields.Char(
        "Product Name", help="The code and name of the product.")
    customer_name = fields.Char("Customer Name")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('planned_date', 'ASC NULLS LAST'),
            ('id', 'ASC'),
            ]
        # the figures are read, not selected by a search (Tryton selects
        # the eager columns to fill its cache): PostgreSQL leaves their
        # joins out of the search and the count
        for name in cls._figures():
            getattr(cls, name).loading = 'lazy'

    @classmethod
    def _figures(cls):
        "The names of the columns aggregated from other tables"
        return ['required', 'issued', 'picking_progress', 'returned',
            'scrapped', 'produced', 'output_progress']

    @classmethod
    def search(cls, domain, offset=0, limit=None, order=None, count=False,
            query=False):
        records = super().search(domain, offset=offset, limit=limit,
            order=order, count=count, query=query)
        if not count and not query:
            # the figures are not selected (lazy): forget those read
            # before, moves may have changed them since
            cache = Transaction().get_cache()[cls.__name__]
            for record in records:
                cache.pop(record.id, None)
        return records

    @classmethod
    def table_query(cls):
        from_item, tables = cls._joins()
        return from_item.select(*cls._columns(tables),
            where=cls._where(tables))

    @classmethod
    def _joins(cls):
        pool = Pool()
        Production = pool.get('production')
        company_id = company_id_()

        tables = {}
        tables['production'] = production = Production.__table__()
        tables['components'] = component = cls._component_totals(company_id)
        tables['produced'] = produced = produced_moves(company_id,
            Transaction().context.get('_tracking_productions'))
        from_item = (production
            .join(component, 'LEFT',
                condition=component.production == production.id)
            .join(produced, 'LEFT',
                condition=produced.production == production.id))
        from_item = cls._sale_joins(from_item, tables)
        from_item = cls._product_joins(from_item, tables)
        return from_item, tables

    @classmethod
    def read(cls, ids, fields_names):
        # a row's id is its order's: the components of the orders read only
        with Transaction().set_context(
                _tracking_productions=sorted({i for i in ids if i >= 0})):
            return super().read(ids, fields_names)

    @classmethod
    def _component_totals(cls, company_id):
        """Query of the quantities of the components added per production
        (of the rows read only, when read)"""
        components = component_moves(company_id)
        productions = Transaction().context.get('_tracking_productions')
        where = None
        if productions is not None:
            where = fields.SQL_OPERATORS['in'](
                components.production, productions)
        return components.select(
            components.production.as_('production'),
            Sum(components.required).as_('required'),
            Sum(components.issued).as_('issued'),
            Sum(components.returned).as_('returned'),
            Sum(components.scrapped).as_('scrapped'),
            where=where,
            group_by=[components.production])

    @classmethod
    def _sale_joins(cls, from_item, tables):
        "Join the sale line origin of the order, its sale and its customer"
        pool = Pool()
        SaleLine = pool.get('sale.line')
        Sale = pool.get('sale.sale')
        Party = pool.get('party.party')
        production = tables['production']
        tables['sale_line'] = sale_line = SaleLine.__table__()
        tables['sale'] = sale = Sale.__table__()
        tables['party'] = party = Party.__table__()
        return (from_item
            .join(sale_line, 'LEFT',
                condition=production.origin == Concat(
                    'sale.line,', sale_line.id))
            .join(sale, 'LEFT', condition=sale_line.sale == sale.id)
            .join(party, 'LEFT', condition=sale.party == party.id))

    @classmethod
    def _product_joins(cls, from_item, tables):
        "Join the product of the order, the unit and the default unit"
        pool = Pool()
        Product = pool.get('product.product')
        Template = pool.get('product.template')
        Uom = pool.get('product.uom')
        production = tables['production']
        tables['product'] = product = Product.__table__()
        tables['template'] = template = Template.__table__()
        tables['unit'] = unit = Uom.__table__()
        tables['default_uom'] = default_uom = Uom.__table__()
        return (from_item
            .join(product, 'LEFT', condition=production.product == product.id)
            .join(template, 'LEFT',
                condition=product.template == template.id)
            .join(unit, 'LEFT', condition=production.unit == unit.id)
            .join(default_uom, 'LEFT',
                condition=template.default_uom == default_uom.id))

    @classmethod
    def _columns(cls, tables):
        return (cls._order_columns(tables)
            + cls._component_columns(tables)
            + cls._output_columns(tables)
            + cls._date_columns(tables))

    @classmethod
    def _order_columns(cls, tables):
        "The columns of the order, its product and its sale"
        production = tables['production']
        sale_line = tables['sale_line']
        sale = tables['sale']
        party = tables['party']
        return [
            production.id.as_('id'),
            production.id.as_('production'),
            production.number.as_('number'),
            production.company.as_('company'),
            production.warehouse.as_('warehouse'),
            production.location.as_('workshop'),
            production.product.as_('product'),
            cls._product_name(tables).as_('product_name'),
            production.unit.as_('unit'),
            production.quantity.as_('quantity'),
            sale.party.as_('customer'),
            party.name.as_('customer_name'),
            sale.id.as_('sale'),
            sale_line.id.as_('sale_line'),
            ]

    @classmethod
    def _product_name(cls, tables):
        "The code and the name of the product: [BOARD] Board"
        product = tables['product']
        template = tables['template']
        return Concat(Coalesce(Concat(Concat('[', product.code), '] '), ''),
            template.name)

    @classmethod
    def _component_columns(cls, tables):
        "The columns of the quantities of components and picking progress"
        component = tables['components']
        required = Coalesce(component.required, 0.0)
        issued = Coalesce(component.issued, 0.0)
        return [
            required.as_('required'),
            issued.as_('issued'),
            ratio(issued, required).as_('picking_progress'),
            Coalesce(component.returned, 0.0).as_('returned'),
            Coalesce(component.scrapped, 0.0).as_('scrapped'),
            ]

    @classmethod
    def _output_columns(cls, tables):
        "The columns of the produced quantity in the unit and its progress"
        production = tables['production']
        produced = tables['produced']
        produced_qty = to_unit(Coalesce(produced.produced, 0.0),
            tables['default_uom'], tables['unit'])
        return [
            produced_qty.as_('produced'),
            ratio(produced_qty, production.quantity).as_('output_progress'),
            ]

    @classmethod
    def _date_columns(cls, tables):
        "The columns of the dates, the state and the days late"
        production = tables['production']
        return [
            production.planned_start_date.as_('planned_start_date'),
            production.planned_date.as_('planned_date'),
            production.effective_start_date.as_('effective_start_date'),
            production.effective_date.as_('effective_date'),
            production.state.as_('state'),
            cls._days_late(production).as_('days_late'),
            ]

    @classmethod
    def _days_late(cls, production):
        date = Literal(today())
        late = Case(
            (production.state == 'done',
                days_between(production.planned_date,
                    production.effective_date)),
            (production.state == 'cancelled', Literal(0)),
            else_=days_between(production.planned_date, date))
        return cls.days_late.sql_cast(
            Greatest(Coalesce(late, 0), Literal(0)))

    @classmethod
    def _late(cls, production):
        "The condition of the open orders late at the date"
        return ((cls._days_late(production) > 0)
            & production.state.in_(OPEN_STATES))

    def get_late(self, name):
        return bool(self.days_late)

    @classmethod
    def get_component_quantities(cls, records, names):
        """The quantities of the components of each order added per unit,
        with the unit: "60 u" or "12 u + 0.6 m" (components of different
        units do not add up)"""
        pool = Pool()
        Lang = pool.get('ir.lang')
        lang = Lang.get()
        totals, units = cls._component_sums(records, names)
        result = {n: {} for n in names}
        for name in names:
            for record in records:
                result[name][record.id] = cls._quantities_text(
                    lang, totals[name], units, record.id)
        return result

    @classmethod
    def _component_sums(cls, records, names):
        """The quantity of the column of each name added per production and
        unit of the components, and the units by id: one statement over the
        components of the records' orders"""
        pool = Pool()
        Component = pool.get('production.reporting.component')
        Uom = pool.get('product.uom')
        component = Component.__table__()
        columns = {n: n[:-len('_quantities')] for n in names}
        cursor = Transaction().connection.cursor()
        totals = {n: {} for n in names}
        # a row's id is its order's
        productions = {r.id for r in records}
        for sub_ids in grouped_slice(
                sorted(productions), backend.MAX_QUERY_PARAMS):
            cursor.execute(*component.select(
                    component.production, component.unit,
                    *[Sum(Coalesce(Column(component, c), 0))
                        for c in columns.values()],
                    where=reduce_ids(component.production, sub_ids),
                    group_by=[component.production, component.unit]))
            for production, unit, *sums in cursor:
                for name, quantity in zip(columns, sums):
                    totals[name].setdefault(production, {})[unit] = quantity
        units = {u.id: u for u in Uom.browse(sorted({u
                        for t in totals.values()
                        for q in t.values() for u in q}))}
        return totals, units

    @classmethod
    def _quantities_text(cls, lang, totals, units, production_id):
        "The non-zero quantities of the production by unit name: 12 u + 0.6 m"
        texts = [lang.format_number_symbol(
                q, units[u], digits=units[u].digits)
            for u, q in sorted(totals.get(production_id, {}).items(),
                key=lambda i: units[i[0]].rec_name)
            if q]
        return ' + '.join(texts) or '0'

    @classmethod
    def search_late(cls, name, clause):
        _, operator, value = clause[:3]
        if (operator == '=') == bool(value):
            return [('days_late', '>', 0)]
        return [('days_late', '=', 0)]

    @classmethod
    def _where(cls, tables):
        production = tables['production']
        sale = tables['sale']
        context = Transaction().context
        where = production.company == company_id_()
        if context.get('warehouse'):
            where &= production.warehouse == context['warehouse']
        if context.get('workshop'):
            where &= production.location == context['workshop']
        if context.get('product'):
            where &= production.product == context['product']
        if context.get('customer'):
            where &= sale.party == context['customer']
        if context.get('late'):
            where &= cls._late(production)
        return where


class Component(ModelSQL, ModelView):
    __name__ = 'production.reporting.component'

    production = fields.Many2One('production', "Production")
    company = fields.Many2One('company.company', "Company")
    warehouse = fields.Many2One('stock.location', "Warehouse")
    workshop = fields.Many2One('stock.location', "Workshop")
    state = fields.Selection(STATES, "State", sort=False)
    effective_date = fields.Date("Effective Date")
    product = fields.Many2One(
        'product.product', "Component",
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    unit = fields.Many2One('product.uom', "Unit")
    standard = fields.Float(
        "Standard", digits='unit',
        help="The BOM quantity for the produced quantity.")
    required = fields.Float("Required", digits='unit')
    issued = fields.Float("Issued", digits='unit')
    picking_progress = fields.Float("Picking Progress", digits=(16, 4))
    returned = fields.Float("Returned", digits='unit')
    scrapped = fields.Float("Scrapped", digits='unit')
    consumed = fields.Float(
        "Consumed", digits='unit', help="The issued minus the returned.")
    variance = fields.Float(
        "Variance", digits='unit',
        help="The consumed minus the standard quantity.")
    variance_rate = fields.Float(
        "Variance Rate", digits=(16, 4),
        states={
            'invisible': ~Eval('standard'),
            })

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('production', 'DESC'),
            ('product', 'ASC'),
            ('id', 'ASC'),
            ]

    @classmethod
    def _move_queries(cls, company_id):
        "Queries of the moves to group by production and component"
        return component_move_queries(company_id)

    @classmethod
    def table_query(cls):
        company_id = company_id_()
        from_item, tables = cls._joins(company_id)
        production = tables['production']
        return from_item.select(*cls._columns(tables),
            where=production.company == company_id)

    @classmethod
    def _joins(cls, company_id):
        pool = Pool()
        Production = pool.get('production')
        Product = pool.get('product.product')
        Template = pool.get('product.template')

        tables = {}
        tables['component'] = component = component_moves(company_id)
        tables['produced'] = produced = produced_moves(company_id)
        tables['production'] = production = Production.__table__()
        product = Product.__table__()
        tables['template'] = template = Template.__table__()
        from_item = (component
            .join(production, condition=component.production == production.id)
            .join(produced, 'LEFT',
                condition=produced.production == production.id))
        from_item = cls._bom_joins(from_item, tables)
        from_item = (from_item
            .join(product, condition=component.product == product.id)
            .join(template, condition=product.template == template.id))
        return from_item, tables

    @classmethod
    def _bom_joins(cls, from_item, tables):
        """Join the BOM of the order with the quantities of the component and
        of the product in the BOM"""
        pool = Pool()
        Bom = pool.get('production.bom')
        component = tables['component']
        production = tables['production']
        bom = Bom.__table__()
        tables['bom_inputs'] = bom_inputs = cls._bom_quantities(
            'production.bom.input')
        tables['bom_outputs'] = bom_outputs = cls._bom_quantities(
            'production.bom.output')
        return (from_item
            .join(bom, 'LEFT', condition=production.bom == bom.id)
            .join(bom_inputs, 'LEFT',
                condition=(bom_inputs.bom == bom.id)
                & (bom_inputs.product == component.product))
            .join(bom_outputs, 'LEFT',
                condition=(bom_outputs.bom == bom.id)
                & (bom_outputs.product == production.product)))

    @classmethod
    def _bom_quantities(cls, model, boms=None):
        """Query of the quantity of each product of the BOM lines of the
        model added per BOM (of the query boms when given) in the default
        unit of the product"""
        pool = Pool()
        BomLine = pool.get(model)
        Product = pool.get('product.product')
        Template = pool.get('product.template')
        Uom = pool.get('product.uom')
        bom_line = BomLine.__table__()
        product = Product.__table__()
        template = Template.__table__()
        unit = Uom.__table__()
        default_uom = Uom.__table__()
        where = bom_line.bom.in_(boms) if boms is not None else None
        return (bom_line
            .join(product, condition=bom_line.product == product.id)
            .join(template, condition=product.template == template.id)
            .join(unit, condition=bom_line.unit == unit.id)
            .join(default_uom,
                condition=template.default_uom == default_uom.id)
            .select(
                bom_line.bom.as_('bom'),
                bom_line.product.as_('product'),
                Sum(to_unit(bom_line.quantity, unit, default_uom)).as_(
                    'quantity'),
                where=where,
                group_by=[bom_line.bom, bom_line.product]))

    @classmethod
    def _standard(cls, tables):
        "The BOM quantity of the component for the produced quantity"
        produced = Coalesce(tables['produced'].produced, 0.0)
        standard = ratio(tables['bom_inputs'].quantity * produced,
            tables['bom_outputs'].quantity)
        return Coalesce(standard, 0)

    @classmethod
    def _columns(cls, tables):
        return cls._order_columns(tables) + cls._quantity_columns(tables)

    @classmethod
    def _order_columns(cls, tables):
        "The columns of the order and of the component"
        component = tables['component']
        production = tables['production']
        return [
            component.id.as_('id'),
            component.production.as_('production'),
            production.company.as_('company'),
            production.warehouse.as_('warehouse'),
            production.location.as_('workshop'),
            production.state.as_('state'),
            production.effective_date.as_('effective_date'),
            component.product.as_('product'),
            tables['template'].default_uom.as_('unit'),
            ]

    @classmethod
    def _quantity_columns(cls, tables):
        "The columns of the quantities of the component and the variance"
        component = tables['component']
        standard = cls._standard(tables)
        consumed = cls._consumed(component)
        variance = consumed - standard
        return [
            standard.as_('standard'),
            component.required.as_('required'),
            component.issued.as_('issued'),
            ratio(component.issued, component.required).as_(
                'picking_progress'),
            component.returned.as_('returned'),
            component.scrapped.as_('scrapped'),
            consumed.as_('consumed'),
            variance.as_('variance'),
            ratio(variance, standard).as_('variance_rate'),
            ]

    @classmethod
    def _consumed(cls, component):
        "The quantity issued minus the returned"
        return component.issued - component.returned


class Output(ModelSQL, ModelView):
    "Produced quantities per day"
    __name__ = 'production.reporting.output'

    company = fields.Many2One('company.company', "Company")
    date = fields.Date("Date")
    productions = fields.Integer("Productions")
    unit = fields.Many2One('product.uom', "Unit")
    quantity = fields.Float(
        "Quantity", digits='unit',
        help="The output of main products in their default unit.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Move = pool.get('stock.move')
        Production = pool.get('production')
        Product = pool.get('product.product')
        Template = pool.get('product.template')
        move = Move.__table__()
        production = Production.__table__()
        product = Product.__table__()
        template = Template.__table__()
        return (move
            .join(production,
                condition=move.production_output == production.id)
            .join(product, condition=move.product == product.id)
            .join(template, condition=product.template == template.id)
            .select(
            Min(move.id).as_('id'),
            production.company.as_('company'),
            move.effective_date.as_('date'),
            Count(production.id, distinct=True).as_('productions'),
            template.default_uom.as_('unit'),
            Sum(move.internal_quantity).as_('quantity'),
            where=cls._where(move, production),
            group_by=[production.company, move.effective_date,
                template.default_uom]))

    @classmethod
    def _where(cls, move, production):
        "The done moves of the main product of the orders in the days shown"
        date = today()
        return ((move.state == 'done')
            & (move.product == production.product)
            & (production.company == company_id_())
            & (move.effective_date >= cls._start(date))
            & (move.effective_date <= date))

    @classmethod
    def _start(cls, date):
        "The first day shown: the days of the context (30) before the date"
        days = Transaction().context.get('days') or 30
        return date - dt.timedelta(days=days)


class OnTime(ModelSQL, ModelView):
    "On-time completion per week"
    __name__ = 'production.reporting.on_time'

    company = fields.Many2One('company.company', "Company")
    week = fields.Date("Week", help="The Monday of the week.")
    week_name = fields.Char(
        "Week", help="The ISO year and number of the week.")
    done = fields.Integer("Done")
    on_time = fields.Integer("On Time")
    rate = fields.Float("On-Time Rate", digits=(16, 4))
    percentage = fields.Float(
        "On-Time %", digits=(16, 1),
        help="The orders done on time over the orders done, from 0 to 100.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('week', 'DESC'), ('id', 'DESC')]

    @classmethod
    def _weeks(cls, start, end):
        """Values of the Monday and the next Monday of the weeks from start
        to end (SQLite's date_trunc has no week)"""
        monday = start - dt.timedelta(days=start.weekday())
        weeks = []
        while monday <= end:
            weeks.append([monday, monday + dt.timedelta(days=7),
                    cls._week_name(monday)])
            monday += dt.timedelta(days=7)
        return Values(weeks)

    @classmethod
    def _week_name(cls, day):
        "The ISO year and number of the week of the day: 2026年第48周"
        year, week, _ = day.isocalendar()
        return gettext('production_reporting.msg_week_name',
            year=year, week='%02d' % week)

    @classmethod
    def _rate(cls, done):
        "The share of the orders done that are on time"
        return cls.rate.sql_cast(Sum(done.on_time)) / Count(done.id)

    @classmethod
    def _start(cls, date):
        "The first day shown: the weeks of the context (12) before the date"
        return date - dt.timedelta(
            weeks=Transaction().context.get('weeks') or 12)

    @classmethod
    def _on_time(cls, production):
        "1 for a done order finished by its planned date (if any), else 0"
        planned_date = Coalesce(
            production.planned_date, production.effective_date)
        return Case((production.effective_date <= planned_date, Literal(1)),
            else_=Literal(0))

    @classmethod
    def _done(cls):
        "Query of the orders done in the weeks shown with their week"
        pool = Pool()
        Production = pool.get('production')
        production = Production.__table__()
        company_id = company_id_()
        date = today()
        start = cls._start(date)
        weeks = cls._weeks(start, date)
        return production.join(weeks,
            condition=(production.effective_date >= weeks.column1)
            & (production.effective_date < weeks.column2)
            ).select(
            production.id.as_('id'),
            production.company.as_('company'),
            cls.week.sql_cast(weeks.column1).as_('week'),
            weeks.column3.as_('week_name'),
            cls._on_time(production).as_('on_time'),
            where=(production.state == 'done')
            & (production.company == company_id)
            & (production.effective_date >= start))

    @classmethod
    def table_query(cls):
        done = cls._done()
        rate = cls._rate(done)
        return done.select(
            Min(done.id).as_('id'),
            done.company.as_('company'),
            done.week.as_('week'),
            done.week_name.as_('week_name'),
            Count(done.id).as_('done'),
            Sum(done.on_time).as_('on_time'),
            rate.as_('rate'),
            (rate * 100).as_('percentage'),
            group_by=[done.company, done.week, done.week_name])


class Production(metaclass=PoolMeta):
    __name__ = 'production'

    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"),
        'on_change_with_currency')
    unit_cost = fields.Function(fields.Numeric(
            "Unit Cost", digits='currency',
            help="The cost of the order divided by the quantity of the "
            "product it produced, in the unit of the order. The cost is "
            "the issued materials at their cost price, less the materials "
            "returned to stock; by-products are not deducted. Only for "
            "done orders."),
        'get_unit_cost')

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None

    @classmethod
    def get_unit_cost(cls, productions, name):
        "单位成本: the cost over the produced quantity of the done orders"
        return {p.id: cls._unit_cost(p) for p in productions}

    @classmethod
    def _unit_cost(cls, production):
        "The cost over the produced quantity of a done order, else None"
        if production.state != 'done' or not production.product:
            return None
        produced = cls._produced_quantity(production)
        if produced <= 0:
            return None
        cost = production.cost / Decimal(str(produced))
        return production.company.currency.round(cost)

    @classmethod
    def _produced_quantity(cls, production):
        """The done quantity of the product of the order in its unit, the
        moves to lost and found excluded"""
        pool = Pool()
        Uom = pool.get('product.uom')
        return production.unit.round(sum(
                Uom.compute_qty(
                    o.unit, o.quantity, production.unit, round=False)
                for o in production.outputs
                if cls._is_produced(production, o)))

    @classmethod
    def _is_produced(cls, production, move):
        "Whether the output move is a done move of the product, not lost"
        return (move.state == 'done'
            and move.product == production.product
            and move.to_location.type != 'lost_found')


class ProductionSheet(CompanyReport):
    "生产任务单: the printed production order with its components"
    __name__ = 'production.sheet'
