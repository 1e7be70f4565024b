# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The picking variance by issue kind (领料差异分析表) and the picked % of
the orders, with production_picking"""
from itertools import groupby

from sql import Cast, Literal, Null, Union
from sql.aggregate import Avg, Min, Sum
from sql.conditionals import Case, Coalesce, Least
from sql.functions import Round
from sql.operators import Concat

from trytond import backend
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.model.modelsql import apply_sorting
from trytond.modules.stock_quarantine.arguments import show, to_date
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, If
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

from .arguments import check_id
from .arguments import company_id as company_id_
from .exceptions import ContextError
from .production import STATES, is_waste, ratio, to_unit

# the quantity columns of the moves of a component, added per order
# (inputs: the number of input moves, a component has at least one)
QUANTITIES = [
    'picked', 'backflushed', 'supplementary', 'returned', 'scrapped',
    'issued', 'issued_cost', 'inputs']


# the fields of a row without its names and costs
LEAN_FIELDS = {
    'id', 'production', 'number', 'company', 'warehouse', 'state', 'date',
    'product', 'output', 'standard', 'picked', 'backflushed',
    'supplementary', 'returned', 'scrapped', 'actual', 'variance',
    'variance_percent'}


def _fields_of(domain):
    "The names of the fields of the leaves of domain"
    if (isinstance(domain, (list, tuple)) and domain
            and isinstance(domain[0], str) and domain[0] not in {'AND', 'OR'}):
        return {domain[0].split('.')[0]}
    if isinstance(domain, (list, tuple)):
        return set().union(*(_fields_of(d) for d in domain))
    return set()


def in_(column, productions):
    """The condition of column in productions (a query or ids: one array
    parameter on PostgreSQL)"""
    return fields.SQL_OPERATORS['in'](column, productions)


def context_period():
    "Return the (from_date, to_date) of the context, checked"
    context = Transaction().context
    dates = []
    for key in ['from_date', 'to_date']:
        value = context.get(key)
        try:
            dates.append(to_date(value))
        except ValueError:
            raise ContextError(gettext(
                    'production_reporting.msg_context_date',
                    key=key, value=show(value)))
    return dates


class VarianceContext(ModelView):
    __name__ = 'production.reporting.picking_variance.context'

    company = fields.Many2One('company.company', "Company", required=True)
    warehouse = fields.Many2One(
        'stock.location', "Warehouse",
        domain=[
            ('type', '=', 'warehouse'),
            ])
    from_date = fields.Date(
        "From Date",
        domain=[
            If(Eval('to_date') & Eval('from_date'),
                ('from_date', '<=', Eval('to_date')),
                ()),
            ],
        help="The first effective date of the orders (their planned date "
        "while not done).")
    to_date = fields.Date(
        "To Date",
        domain=[
            If(Eval('from_date') & Eval('to_date'),
                ('to_date', '>=', Eval('from_date')),
                ()),
            ])
    production = fields.Many2One(
        'production', "Production",
        domain=[
            ('company', '=', Eval('company', -1)),
            ])
    product = fields.Many2One(
        'product.product', "Component",
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_warehouse(cls):
        return Transaction().context.get('warehouse')


class Variance(ModelSQL, ModelView):
    "领料差异分析表: per order and component, the standard against the issue"
    __name__ = 'production.reporting.picking_variance'

    production = fields.Many2One('production', "Production")
    number = fields.Char("Number")
    company = fields.Many2One('company.company', "Company")
    warehouse = fields.Many2One('stock.location', "Warehouse")
    state = fields.Selection(STATES, "State", sort=False)
    date = fields.Date(
        "Date", help="The effective date of the order, its planned date "
        "while not done.")
    product = fields.Many2One(
        'product.product', "Component",
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    product_name = fields.Char("Component Name")
    unit = fields.Many2One('product.uom', "Unit")
    output_unit = fields.Many2One('product.uom', "Output Unit")
    output = fields.Float(
        "Output Reported", digits='output_unit',
        help="The done output of the order's product in its default unit.")
    standard = fields.Float(
        "Standard", digits='unit',
        help="The BOM quantity (with its loss rate) for the output "
        "reported.")
    picked = fields.Float(
        "Picked", digits='unit',
        help="Issued by picking slips and kits, and at the order's start.")
    backflushed = fields.Float("Backflushed", digits='unit')
    supplementary = fields.Float("Supplementary", digits='unit')
    returned = fields.Float(
        "Returned", digits='unit',
        help="Brought back to stock by material returns and return moves.")
    scrapped = fields.Float(
        "Scrapped", digits='unit',
        help="Sent from the order to a waste location; counted as "
        "consumed.")
    actual = fields.Float(
        "Actual", digits='unit',
        help="Picked + backflushed + supplementary - returned.")
    variance = fields.Float(
        "Variance", digits='unit', help="Actual - standard.")
    variance_percent = fields.Float(
        "Variance %", digits=(16, 1),
        help="The variance over the standard × 100 (none without "
        "standard).")
    currency = fields.Many2One('currency.currency', "Currency")
    unit_cost = fields.Numeric(
        "Unit Cost", digits='currency',
        help="The average cost of the issued moves (the product's cost "
        "price when nothing was issued).")
    variance_value = fields.Numeric(
        "Variance Value", digits='currency',
        help="The variance at the unit cost.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('date', 'DESC NULLS LAST'),
            # the order's number (its rec_name) without joining the orders
            ('number', 'DESC'),
            ('product_name', 'ASC'),
            ('id', 'ASC'),
            ]

    @classmethod
    def __post_setup__(cls):
        super().__post_setup__()
        # a search selects only the ids (and computes only the keys it
        # filters and sorts on): a read computes the rows it is asked
        for field in cls._fields.values():
            field.loading = 'lazy'

    @classmethod
    def table_query(cls):
        company_id = company_id_()
        productions = cls._production_ids(company_id)
        from_item, tables = cls._joins(company_id, productions)
        return from_item.select(*cls._columns(tables),
            where=cls._where(tables, productions))

    @classmethod
    def _where(cls, tables, productions):
        "The orders and the component of the filters of the context"
        product_id = Transaction().context.get('product')
        where = in_(tables['production'].id, productions)
        if product_id:
            where &= tables['row'].product == product_id
        return where

    @classmethod
    def search(cls, domain, offset=0, limit=None, order=None, count=False,
            query=False):
        "Page the rows of a search in the default order in SQL"
        if count and not query and _fields_of(domain) <= LEAN_FIELDS:
            # a count needs neither the names nor the costs of the rows
            with Transaction().set_context(_picking_variance_lean=True):
                return super().search(
                    domain, offset=offset, limit=limit, count=True)
        if (limit is None or count or query or order not in (None, False)
                or Transaction().context.get(
                    '_picking_variance_productions') is not None):
            return super().search(domain, offset=offset, limit=limit,
                order=order, count=count, query=query)
        return cls.browse(cls._search_page(domain, offset, limit))

    @classmethod
    def estimated_count(cls):
        """The number of input moves (the rows are at most as many): Tryton
        estimates a table query by counting it, the whole report"""
        pool = Pool()
        Move = pool.get('stock.move')
        return Move.estimated_count()

    @classmethod
    def _search_page(cls, domain, offset, limit):
        """The ids of the rows offset to offset + limit: the orders are
        computed in the sort order of the rows, by chunks growing until
        enough rows match"""
        groups = cls._sorted_productions()
        ids, wanted, start = [], offset + limit, 0
        size = max(1, wanted // 10)
        while len(ids) < wanted and start < len(groups):
            chunk = [i for g in groups[start:start + size] for i in g]
            with Transaction().set_context(
                    _picking_variance_productions=chunk):
                ids += [r.id for r in super().search(
                        domain, limit=wanted - len(ids))]
            start, size = start + size, 2 * size
        return ids[offset:wanted]

    @classmethod
    def _sorted_productions(cls):
        """The ids of the orders of the context in the order of the rows,
        grouped by their sort keys (date and number)"""
        pool = Pool()
        Production = pool.get('production')
        production = Production.__table__()
        cursor = Transaction().connection.cursor()
        keys = dict(cls._order)
        date = Coalesce(production.effective_date, production.planned_date)
        cursor.execute(*production.select(
                production.id, date, production.number,
                where=cls._productions_where(production, company_id_()),
                order_by=[apply_sorting(keys['date'])(date),
                    apply_sorting(keys['number'])(production.number)]))
        return [[i for i, *_ in g]
            for _, g in groupby(cursor, key=lambda r: tuple(r[1:]))]

    @classmethod
    def read(cls, ids, fields_names):
        "Compute only the rows of the orders of ids"
        with Transaction().set_context(
                _picking_variance_productions=cls._row_productions(ids)):
            return super().read(ids, fields_names)

    @classmethod
    def _row_productions(cls, ids):
        "The ids of the orders of the rows ids (ids of their input moves)"
        pool = Pool()
        Move = pool.get('stock.move')
        move = Move.__table__()
        cursor = Transaction().connection.cursor()
        productions = set()
        for sub_ids in grouped_slice(ids, backend.MAX_QUERY_PARAMS):
            cursor.execute(*move.select(move.production_input,
                    where=fields.SQL_OPERATORS['in'](move.id, sub_ids)
                    & (move.production_input != Null)))
            productions.update(p for p, in cursor)
        return sorted(productions)

    @classmethod
    def _production_ids(cls, company_id):
        """The ids of the orders of the filters of the context (the query
        when there is none): PostgreSQL plans the report on the number of
        orders it covers, not on an estimate of the filter of their
        dates"""
        query = cls._productions(company_id)
        cursor = Transaction().connection.cursor()
        cursor.execute(*query)
        return sorted(i for i, in cursor) or query

    @classmethod
    def _productions(cls, company_id):
        "Query of the ids of the orders of the filters of the context"
        pool = Pool()
        Production = pool.get('production')
        production = Production.__table__()
        return production.select(production.id,
            where=cls._productions_where(production, company_id))

    @classmethod
    def _productions_where(cls, production, company_id):
        "The condition on the production table of the filters of the context"
        context = Transaction().context
        for key in ['production', 'product']:
            check_id(key, context.get(key))
        from_date, to_date = context_period()
        date = Coalesce(production.effective_date, production.planned_date)
        where = production.company == company_id
        if context.get('warehouse'):
            where &= production.warehouse == context['warehouse']
        if context.get('production'):
            where &= production.id == context['production']
        if context.get('_picking_variance_productions') is not None:
            where &= fields.SQL_OPERATORS['in'](
                production.id, context['_picking_variance_productions'])
        if from_date:
            where &= date >= from_date
        if to_date:
            where &= date <= to_date
        return where

    @classmethod
    def _joins(cls, company_id, productions):
        """The rows (order and component) joined to their names, the
        figures joined on their keys: a search that does not ask a figure
        does not compute it (PostgreSQL removes the unused joins)"""
        pool = Pool()
        Production = pool.get('production')
        Product = pool.get('product.product')
        Template = pool.get('product.template')
        tables = {}
        tables['row'] = row = cls._rows(productions)
        tables['production'] = production = Production.__table__()
        tables['product'] = product = Product.__table__()
        tables['template'] = template = Template.__table__()
        from_item = row.join(
            production, condition=row.production == production.id)
        if not Transaction().context.get('_picking_variance_lean'):
            from_item = (from_item
                .join(product, condition=row.product == product.id)
                .join(template, condition=product.template == template.id))
        return cls._figure_joins(
            from_item, tables, company_id, productions), tables

    @classmethod
    def _figure_joins(cls, from_item, tables, company_id, productions):
        "Join the figures of the rows (each join unique on its keys)"
        pool = Pool()
        Company = pool.get('company.company')
        row = tables['row']
        production = tables['production']
        tables['component'] = component = cls._components(productions)
        tables['produced'] = produced = cls._produced(
            company_id, productions)
        tables['company'] = company = Company.__table__()
        tables['boms'] = cls._boms(productions)
        from_item = (from_item
            .join(component, 'LEFT',
                condition=(component.production == row.production)
                & (component.product == row.product))
            .join(company, 'LEFT', condition=production.company == company.id)
            .join(produced, 'LEFT',
                condition=(produced.production == production.id)
                & (produced.product == production.product)))
        return cls._standard_joins(from_item, tables)

    @classmethod
    def _rows(cls, productions):
        """Query of the rows: an order and a component it has a (not
        cancelled) input move of, the id of its first input move"""
        pool = Pool()
        Move = pool.get('stock.move')
        move = Move.__table__()
        return move.select(
            Min(move.id).as_('id'),
            move.production_input.as_('production'),
            move.product.as_('product'),
            where=in_(move.production_input, productions)
            & (move.state != 'cancelled'),
            group_by=[move.production_input, move.product])

    @classmethod
    def _produced(cls, company_id, productions):
        """Query of the done internal quantity of each product the orders
        output (as produced_moves, grouped by product too: joined on the
        order's product, PostgreSQL estimates its rows)"""
        pool = Pool()
        Move = pool.get('stock.move')
        move = Move.__table__()
        return move.select(
            move.production_output.as_('production'),
            move.product.as_('product'),
            Sum(Case((move.state == 'done', move.internal_quantity),
                    else_=Literal(0.0))).as_('produced'),
            where=in_(move.production_output, productions)
            & (move.state != 'cancelled')
            & (move.company == company_id),
            group_by=[move.production_output, move.product])

    @classmethod
    def _standard_joins(cls, from_item, tables):
        """Join the quantities of the component and of the order's product
        in the order's BOM and the default unit of the order's product"""
        pool = Pool()
        Component = pool.get('production.reporting.component')
        Product = pool.get('product.product')
        Template = pool.get('product.template')
        row = tables['row']
        production = tables['production']
        tables['bom_inputs'] = bom_inputs = cls._bom_inputs(tables['boms'])
        tables['bom_outputs'] = bom_outputs = Component._bom_quantities(
            'production.bom.output', tables['boms'])
        output_product = Product.__table__()
        tables['output_template'] = output_template = Template.__table__()
        return (from_item
            .join(bom_inputs, 'LEFT',
                condition=(bom_inputs.bom == production.bom)
                & (bom_inputs.product == row.product))
            .join(bom_outputs, 'LEFT',
                condition=(bom_outputs.bom == production.bom)
                & (bom_outputs.product == production.product))
            .join(output_product, 'LEFT',
                condition=production.product == output_product.id)
            .join(output_template, 'LEFT',
                condition=output_product.template == output_template.id))

    @classmethod
    def _boms(cls, productions):
        "Query of the BOMs of the orders of the query productions"
        pool = Pool()
        Production = pool.get('production')
        production = Production.__table__()
        return production.select(
            production.bom, where=in_(production.id, productions))

    @classmethod
    def _bom_inputs(cls, boms):
        """Query of the quantity of each product of the inputs of the
        query boms with their loss rate, added per BOM, in the default unit
        of the product"""
        pool = Pool()
        Input = pool.get('production.bom.input')
        Product = pool.get('product.product')
        Template = pool.get('product.template')
        Uom = pool.get('product.uom')
        input_ = Input.__table__()
        product = Product.__table__()
        template = Template.__table__()
        unit = Uom.__table__()
        default_uom = Uom.__table__()
        loss = Literal(1.0) + cls.standard.sql_cast(
            Coalesce(input_.loss_rate, 0)) / 100
        return (input_
            .join(product, condition=input_.product == product.id)
            .join(template, condition=product.template == template.id)
            .join(unit, condition=input_.unit == unit.id)
            .join(default_uom,
                condition=template.default_uom == default_uom.id)
            .select(
                input_.bom.as_('bom'),
                input_.product.as_('product'),
                Sum(to_unit(input_.quantity, unit, default_uom) * loss
                    ).as_('quantity'),
                where=input_.bom.in_(boms),
                group_by=[input_.bom, input_.product]))

    @classmethod
    def _components(cls, productions):
        """Query of the quantities of the moves of the orders added per
        order and component: the products the orders have as inputs (not
        their by-products)"""
        moves = Union(*cls._move_queries(productions), all_=True)
        return moves.select(
            moves.production.as_('production'),
            moves.product.as_('product'),
            *[Sum(getattr(moves, n)).as_(n) for n in QUANTITIES],
            group_by=[moves.production, moves.product])

    @classmethod
    def _move_queries(cls, productions):
        """Queries of the moves of the orders with the quantities of
        QUANTITIES in the default unit of the component"""
        return [cls._input_moves(productions), cls._output_moves(productions)]

    @classmethod
    def _quantity_columns(cls, **quantities):
        """The columns of QUANTITIES, zero but the ones given (the cost is
        numeric)"""
        zeros = {n: Literal(0.0) for n in QUANTITIES}
        zeros['issued_cost'] = cls.unit_cost.sql_cast(Literal(0))
        return [quantities.get(n, zeros[n]).as_(n) for n in QUANTITIES]

    @classmethod
    def _input_moves(cls, productions):
        """Query of the input moves of the orders: the done ones by issue
        kind (none is issued at the order's start: picked), the planned
        ones as zero (the component has a row before it is issued)"""
        pool = Pool()
        Move = pool.get('stock.move')
        move = Move.__table__()
        zero = Literal(0.0)
        kind = Coalesce(move.production_issue, 'picking')
        done = move.state == 'done'
        quantity = move.internal_quantity

        def of_kind(name):
            return Case((done & (kind == name), quantity), else_=zero)
        issued = Case((done, quantity), else_=zero)
        cost = Case((done, cls.unit_cost.sql_cast(quantity)
                    * Coalesce(move.cost_price, 0)),
            else_=cls.unit_cost.sql_cast(Literal(0)))
        return move.select(
            move.production_input.as_('production'),
            move.product.as_('product'),
            *cls._quantity_columns(
                picked=of_kind('picking'),
                backflushed=of_kind('backflush'),
                supplementary=of_kind('supplementary'),
                issued=issued, issued_cost=cost, inputs=Literal(1.0)),
            where=in_(move.production_input, productions)
            & (move.state != 'cancelled'))

    @classmethod
    def _output_moves(cls, productions):
        """Query of the done output moves of the orders of an other product
        than the order's: scrapped into a waste location, else returned"""
        pool = Pool()
        Move = pool.get('stock.move')
        Production = pool.get('production')
        move = Move.__table__()
        production = Production.__table__()
        zero = Literal(0.0)
        scrap = is_waste(move.to_location)
        return move.join(production,
            condition=move.production_output == production.id
            ).select(
            move.production_output.as_('production'),
            move.product.as_('product'),
            *cls._quantity_columns(
                returned=Case((~scrap, move.internal_quantity), else_=zero),
                scrapped=Case((scrap, move.internal_quantity), else_=zero)),
            where=in_(move.production_output, productions)
            & (move.product != production.product)
            & (move.state == 'done'))

    @classmethod
    def _columns(cls, tables):
        columns = cls._order_columns(tables) + cls._quantity_columns_of(
            tables)
        if Transaction().context.get('_picking_variance_lean'):
            columns = [c for c in columns if c.output_name in LEAN_FIELDS]
        return columns

    @classmethod
    def _order_columns(cls, tables):
        "The columns of the order and of the component"
        production = tables['production']
        product = tables['product']
        template = tables['template']
        row = tables['row']
        return [
            row.id.as_('id'),
            row.production.as_('production'),
            production.number.as_('number'),
            production.company.as_('company'),
            production.warehouse.as_('warehouse'),
            production.state.as_('state'),
            Coalesce(production.effective_date, production.planned_date
                ).as_('date'),
            row.product.as_('product'),
            Concat(Coalesce(Concat(Concat('[', product.code), '] '), ''),
                template.name).as_('product_name'),
            template.default_uom.as_('unit'),
            tables['output_template'].default_uom.as_('output_unit'),
            tables['company'].currency.as_('currency'),
            ]

    @classmethod
    def _standard(cls, tables):
        "The BOM quantity of the component for the output reported"
        standard = ratio(tables['bom_inputs'].quantity * cls._output(tables),
            tables['bom_outputs'].quantity)
        return Coalesce(standard, 0.0)

    @classmethod
    def _output(cls, tables):
        "The output reported of the order in the default unit"
        return Coalesce(tables['produced'].produced, 0.0)

    @classmethod
    def _unit_cost(cls, tables):
        """The average cost of the issued moves of the component, else the
        cost price of the product"""
        pool = Pool()
        CostPrice = pool.get('product.cost_price')
        cost_price = CostPrice.__table__()
        component = tables['component']
        average = ratio(component.issued_cost,
            cls.unit_cost.sql_cast(component.issued))
        return Coalesce(average, cost_price.select(cost_price.cost_price,
                where=(cost_price.product == tables['row'].product)
                & (cost_price.company == tables['production'].company),
                limit=1))

    @classmethod
    def _quantity_columns_of(cls, tables):
        "The columns of the quantities of the component and the variance"
        component = tables['component']
        standard = cls._standard(tables)
        actual = (component.picked + component.backflushed
            + component.supplementary - component.returned)
        variance = actual - standard
        unit_cost = cls._unit_cost(tables)
        value = cls.variance_value.sql_cast(variance) * unit_cost
        return [
            cls._output(tables).as_('output'),
            standard.as_('standard'),
            component.picked.as_('picked'),
            component.backflushed.as_('backflushed'),
            component.supplementary.as_('supplementary'),
            component.returned.as_('returned'),
            component.scrapped.as_('scrapped'),
            actual.as_('actual'),
            variance.as_('variance'),
            ratio(variance * 100, standard).as_('variance_percent'),
            cls.unit_cost.sql_cast(Round(unit_cost, 4)).as_('unit_cost'),
            cls.variance_value.sql_cast(Round(value, 2)).as_(
                'variance_value'),
            ]


class VarianceMaterialReturn(metaclass=PoolMeta):
    __name__ = 'production.reporting.picking_variance'

    @classmethod
    def _move_queries(cls, productions):
        "Add the done moves of the material returns as returned"
        return super()._move_queries(productions) + [
            cls._returned_moves(productions)]

    @classmethod
    def _returned_moves(cls, productions):
        "Query of the done moves of the material returns of the orders"
        pool = Pool()
        Line = pool.get('production.material.return.line')
        from_item, move, return_ = Line.moves_join()
        return from_item.select(
            return_.production.as_('production'),
            move.product.as_('product'),
            *cls._quantity_columns(returned=move.internal_quantity),
            where=move.origin.like('production.material.return.line,%')
            & (move.state == 'done')
            & in_(return_.production, productions))


class Tracking(metaclass=PoolMeta):
    __name__ = 'production.reporting.tracking'

    picked_percent = fields.Float(
        "Picked %", digits=(16, 1),
        help="The mean of the picked % of the components picked by hand "
        "(each at most 100 %).")

    @classmethod
    def _figures(cls):
        return super()._figures() + ['picked_percent']

    @classmethod
    def _joins(cls):
        from_item, tables = super()._joins()
        tables['picked'] = picked = cls._picked_percents()
        from_item = from_item.join(picked, 'LEFT',
            condition=picked.production == tables['production'].id)
        return from_item, tables

    @classmethod
    def _picked_percents(cls):
        """Query of the picked % of each order as production_picking
        computes it: the mean of its components picked by hand with a
        standard, each at most 100"""
        pool = Pool()
        Component = pool.get('production.picking.component')
        component = Component.__table__()
        return component.select(
            component.production.as_('production'),
            Avg(Least(component.picked_percent, 100.0)).as_('percent'),
            where=(component.backflush == Literal(False))
            & (component.standard_quantity > 0)
            & (component.picked_percent != Null),
            group_by=[component.production])

    @classmethod
    def _columns(cls, tables):
        return super()._columns(tables) + [
            cls.picked_percent.sql_cast(Round(Cast(
                        tables['picked'].percent, 'NUMERIC'), 1)).as_(
                'picked_percent')]
