# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime
import functools
from collections import ChainMap

from sql import Cast, Null
from sql.aggregate import Count, Min, Sum
from sql.conditionals import Case, Coalesce
from sql.operators import Concat

from trytond.i18n import gettext
from trytond.model import ModelView, Workflow
from trytond.pool import Pool, PoolMeta
from trytond.rpc import RPC
from trytond.transaction import Transaction

from .engine import take_free
from .exceptions import SaleShortageWarning
from .stock import _in


class Sale(metaclass=PoolMeta):
    __name__ = 'sale.sale'

    @classmethod
    @ModelView.button
    @Workflow.transition('quotation')
    def quote(cls, sales):
        cls.check_kitting(sales)
        super().quote(sales)

    @classmethod
    @ModelView.button
    @Workflow.transition('confirmed')
    def confirm(cls, sales):
        cls.check_kitting(sales)
        super().confirm(sales)

    @classmethod
    def check_kitting(cls, sales):
        "Warn when a line cannot be promised by its date"
        sales = [s for s in sales if s.warehouse]
        if sales:
            for line_id, values in cls._kitting_shorts(sales).items():
                cls._check_kitting_line(line_id, values)

    @classmethod
    def _kitting_shorts(cls, sales):
        "Return {line id: values} of the lines short by their date"
        pool = Pool()
        Kitting = pool.get('production.kitting')
        return {l: v for l, v in Kitting.sale_atp(sales).items() if v['short']}

    @classmethod
    def _check_kitting_line(cls, line_id, values):
        "Warn that the line is short of values['short'] by its date"
        pool = Pool()
        Warning = pool.get('res.user.warning')
        SaleLine = pool.get('sale.line')
        line = SaleLine(line_id)
        warning_name = Warning.format('kitting_short', [line])
        if Warning.check(warning_name):
            raise SaleShortageWarning(
                warning_name, cls._kitting_short_message(line, values))

    @classmethod
    def _kitting_short_message(cls, line, values):
        "Return the text of what the line can be promised by its date"
        pool = Pool()
        Lang = pool.get('ir.lang')
        lang = Lang.get()
        number = functools.partial(
            cls._kitting_number, lang, unit=line.product.default_uom)
        return gettext('production_kitting.msg_sale_line_short',
            sale=line.sale.rec_name,
            product=line.product.rec_name,
            quantity=number(values['quantity']),
            promised=number(cls._kitting_promised(values)),
            stock=number(values['from_stock']),
            production=number(values['from_production']),
            short=number(values['short']),
            date=lang.strftime(values['date']),
            limiting=cls._kitting_limiting(lang, values) or '-')

    @classmethod
    def _kitting_promised(cls, values):
        "Return the quantity promised from stock and from production"
        return values['from_stock'] + values['from_production']

    @classmethod
    def _kitting_number(cls, lang, value, unit):
        "Return value with the symbol of unit, formatted with its digits"
        return lang.format_number_symbol(value, unit, digits=unit.digits)

    @classmethod
    def _kitting_limiting(cls, lang, values):
        "Return the limiting components with their quantities and units"
        return ', '.join(
            cls._kitting_component(lang, l['product'], l['quantity'])
            for l in values['limiting'])

    @classmethod
    def _kitting_component(cls, lang, product_id, quantity):
        "Return the component with its quantity in its unit"
        Product = Pool().get('product.product')
        product = Product(product_id)
        return '%s (%s)' % (product.rec_name,
            cls._kitting_number(lang, quantity, product.default_uom))


class KittingSale(metaclass=PoolMeta):
    "Kitting Analysis: what the sales can be promised"
    __name__ = 'production.kitting'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__rpc__['sale_atp'] = RPC()

    @classmethod
    def sale_atp(cls, sale_ids):
        """Return for each line of the sales what can be promised by its
        date: from stock, from production, short and the limiting
        components"""
        cls._check_planning('sale_atp', planning=False)
        sales = cls._check_documents('sale.sale', 'sale_ids', sale_ids)
        return cls._by_warehouse_compute(sales, cls._sale_atp)

    @classmethod
    def _sale_line_quantity(cls, line):
        "Quantity still to ship in the product's default unit"
        quantity = cls._sale_line_ordered(line)
        for move in line.moves:
            if move.state == 'done':
                quantity -= move.internal_quantity
        return max(quantity, 0)

    @classmethod
    def _sale_line_ordered(cls, line):
        "Return the quantity of line in the product's default unit"
        pool = Pool()
        Uom = pool.get('product.uom')
        return Uom.compute_qty(line.unit, line.quantity or 0,
            line.product.default_uom, round=False)

    @classmethod
    def _sale_atp(cls, warehouse, sales):
        data = cls._sale_atp_data(warehouse, sales)
        if not data:
            return {}
        engine, lines, order, receipts, asked_ids = data
        return cls.allocate_sale_lines(
            engine, engine.stock, lines, order, receipts, asked_ids)

    @classmethod
    def _sale_atp_data(cls, warehouse, sales):
        """Return what the allocation of the sales needs: the engine, the
        lines by id, their order, the receipts and the ids of the asked
        lines"""
        pool = Pool()
        Date = pool.get('ir.date')
        SaleLine = pool.get('sale.line')
        today = Date.today()
        line = SaleLine.__table__()
        asked = cls.load_sale_lines(
            line, line.sale.in_([s.id for s in sales]))
        if not asked:
            return None
        products = {l[3] for l in asked}
        lines = cls._sale_atp_lines(warehouse, products, asked)
        asked_ids = {l[0] for l in asked}
        order, last = cls._sale_atp_order(lines, asked_ids, today)
        engine = cls.get_engine(products, warehouse)
        engine.held = cls.held_pools(
            ['sale.line,%s' % i for i in lines], engine.products.keys())
        receipts = cls._sale_atp_receipts(engine, warehouse, last)
        return engine, lines, order, receipts, asked_ids

    @classmethod
    def _sale_atp_lines(cls, warehouse, products, asked):
        "Return {id: line} of the open lines of the products and the asked"
        lines = cls._sale_atp_open_lines(warehouse, products)
        lines.update((l[0], l) for l in asked)
        return lines

    @classmethod
    def _sale_atp_open_lines(cls, warehouse, products):
        """Return {id: line} of the open sales of the warehouse for the
        products"""
        pool = Pool()
        SaleLine = pool.get('sale.line')
        line = SaleLine.__table__()
        return {l[0]: l for l in cls.load_sale_lines(
                line, line.sale.in_(cls._open_sales_query(warehouse))
                & _in(line.product, products))
            if l[3] in products}

    @classmethod
    def _open_sales_query(cls, warehouse):
        "Return the query of the ids of the open sales of the warehouse"
        pool = Pool()
        Sale = pool.get('sale.sale')
        sale = Sale.__table__()
        return sale.select(sale.id,
            where=sale.state.in_(['quotation', 'confirmed', 'processing'])
            & (sale.warehouse == warehouse))

    @classmethod
    def _sale_atp_order(cls, lines, asked_ids, today):
        """Return the keys (date, sale, sequence, line) of the lines to
        allocate in order, up to the last date of the asked lines, and
        that date"""
        keys = cls._sale_atp_keys(lines, today)
        last = max(keys[i][0] for i in asked_ids)
        order = sorted((k for k in keys.values()
                if k[0] <= last or k[3] in asked_ids))
        return order, last

    @classmethod
    def _sale_atp_keys(cls, lines, today):
        "Return {id: (date, sale, sequence, id)} of the lines"
        return {i: (l[5] or today, l[1], l[2] or 0, i)
            for i, l in lines.items()}

    @classmethod
    def _sale_atp_receipts(cls, engine, warehouse, last):
        "Return the planned receipts [(date, product, quantity)] up to last"
        incoming = cls.load_incoming(engine.products.keys(), warehouse, last)
        return sorted(
            (r[0], p, r[1]) for p, rs in incoming.items() for r in rs)

    @classmethod
    def allocate_sale_lines(cls, engine, stock, lines, order, receipts,
            asked_ids):
        """Promise the lines in order from stock (a pool taken from) and
        production, adding the receipts [(date, product, quantity)] by date

        Return the values of the asked lines"""
        receipts = sorted(receipts, reverse=True)
        result = {}
        for date, sale_id, _, line_id in order:
            cls._receive(stock, receipts, date)
            _, _, _, product, quantity, _ = lines[line_id]
            values = cls._promise(engine,
                engine.pool_of('sale.line,%s' % line_id, stock), product,
                quantity)
            if line_id in asked_ids:
                values.update(line=line_id, sale=sale_id, date=date)
                result[line_id] = values
                if len(result) == len(asked_ids):
                    break
        return result

    @classmethod
    def _receive(cls, stock, receipts, date):
        """Add to stock the receipts up to date, taken from the end of
        receipts (in reverse date order)"""
        while receipts and receipts[-1][0] <= date:
            _, product, quantity = receipts.pop()
            stock[product] = max(stock.get(product, 0), 0) + quantity

    @classmethod
    def _sale_line_moves_query(cls):
        """Return the query of the moves of the sale lines by origin: the
        quantity done, the first date and their number"""
        pool = Pool()
        Move = pool.get('stock.move')
        move = Move.__table__()
        return move.select(move.origin.as_('origin'),
            Sum(Case((move.state == 'done', move.internal_quantity),
                    else_=0)).as_('done'),
            Min(Coalesce(move.effective_date, move.planned_date)).as_('date'),
            Count(move.id).as_('count'),
            where=(move.state != 'cancelled')
            & move.origin.like('sale.line,%'),
            group_by=[move.origin])

    @classmethod
    def _sale_lines_query(cls, line, where):
        """Return the query of the goods lines of where with their units,
        template, sale dates and moves"""
        pool = Pool()
        Sale = pool.get('sale.sale')
        Product = pool.get('product.product')
        Template = pool.get('product.template')
        sale = Sale.__table__()
        product = Product.__table__()
        template = Template.__table__()
        moves = cls._sale_line_moves_query()
        varchar = Transaction().database.sql_type('VARCHAR').base
        return line.join(sale, condition=line.sale == sale.id
            ).join(product, condition=line.product == product.id
            ).join(template, condition=product.template == template.id
            ).join(moves, 'LEFT',
            condition=moves.origin == Concat(
                'sale.line,', Cast(line.id, varchar))
            ).select(
            line.id, line.sale, line.sequence, line.product, line.quantity,
            line.unit, template.default_uom, template.id, sale.sale_date,
            sale.shipping_date, moves.done, moves.date, moves.count,
            where=where & (line.type == 'line')
            & template.type.in_(['goods', 'assets']))

    @classmethod
    def _sale_lead_times(cls, templates):
        """Return {template: lead time} of the templates, the default lead
        time for those without"""
        cursor = Transaction().connection.cursor()
        lead_times = {}
        if not templates:
            return lead_times
        cursor.execute(*cls._lead_times_query(templates))
        for template_id, value in cursor:
            lead_times.setdefault(template_id, value)
        if templates - set(lead_times):
            default = cls._default_lead_time()
            for template_id in templates - set(lead_times):
                lead_times[template_id] = default
        return lead_times

    @classmethod
    def _lead_times_query(cls, templates):
        "Return the query of the lead times of the templates"
        pool = Pool()
        LeadTime = pool.get('product.lead_time')
        lead_time = LeadTime.__table__()
        return lead_time.select(
            lead_time.template, lead_time.lead_time,
            where=_in(lead_time.template, templates)
            & (lead_time.template != Null))

    @classmethod
    def _default_lead_time(cls):
        "Return the default lead time of the configuration"
        pool = Pool()
        Configuration = pool.get('product.configuration')
        return Configuration(1).get_multivalue('default_lead_time')

    @classmethod
    def load_sale_lines(cls, line, where):
        """Return the goods lines of where on the table line as tuples:
        (id, sale, sequence, product, quantity still to ship in the
        product's default unit, shipping date), with a few set-based
        queries

        The shipping date is the one of sale.line: the first date of its
        moves, or without moves the sale date plus the lead time, not
        before the shipping date of the sale."""
        pool = Pool()
        Date = pool.get('ir.date')
        cursor = Transaction().connection.cursor()
        cursor.execute(*cls._sale_lines_query(line, where))
        rows = cursor.fetchall()
        lead_times = cls._sale_lead_times({r[7] for r in rows if not r[12]})
        units = cls._sale_line_units(rows)
        today = Date.today()
        return [cls._sale_line_row(row, units, lead_times, today)
            for row in rows]

    @classmethod
    def _sale_line_units(cls, rows):
        "Return {id: unit} of the units of the rows of the sale lines query"
        pool = Pool()
        Uom = pool.get('product.uom')
        return {u.id: u for u in Uom.browse(
                {r[5] for r in rows} | {r[6] for r in rows})}

    @classmethod
    def _sale_line_row(cls, row, units, lead_times, today):
        """Return (id, sale, sequence, product, quantity to ship, shipping
        date) of a row of the sale lines query"""
        (id_, sale_id, sequence, product_id, quantity, unit, uom,
            template_id, sale_date, sale_shipping_date, done, date,
            count) = row
        quantity = cls._sale_line_to_ship(
            quantity, units[unit], units[uom], done)
        date = cls._sale_date(date)
        if not count:
            date = cls._sale_line_date(lead_times.get(template_id), quantity,
                sale_date or today, sale_shipping_date)
        return (id_, sale_id, sequence, product_id, quantity, date)

    @classmethod
    def _sale_date(cls, value):
        "Return the date of an aggregate of dates"
        if isinstance(value, str):
            # SQLite gives aggregates of dates as text
            return datetime.date.fromisoformat(value)
        return value

    @classmethod
    def _sale_line_to_ship(cls, quantity, unit, uom, done):
        "Return quantity in unit converted to uom less done, not below 0"
        pool = Pool()
        Uom = pool.get('product.uom')
        quantity = quantity or 0
        if unit != uom:
            quantity = Uom.compute_qty(unit, quantity, uom, round=False)
        return max(quantity - (done or 0), 0)

    @classmethod
    def _sale_line_date(cls, lead_time, quantity, sale_date, shipping_date):
        """Return the shipping date of a line without moves: the sale date
        plus the lead time, not before the shipping date of the sale"""
        lead_time = cls._lead_timedelta(lead_time)
        if lead_time is None or quantity <= 0:
            return None
        date = sale_date + lead_time
        if shipping_date:
            date = max(date, shipping_date)
        return date

    @classmethod
    def _lead_timedelta(cls, lead_time):
        "Return lead_time as a timedelta, also from a number of seconds"
        if isinstance(lead_time, (int, float)):
            lead_time = datetime.timedelta(seconds=lead_time)
        return lead_time

    @classmethod
    def _promise(cls, engine, stock, product, quantity):
        """Return what can be promised of quantity of product: from stock
        (taken from it), from production, short and the limiting
        components"""
        from_stock = take_free(stock, product, quantity)
        rest = quantity - from_stock
        from_production, limiting = 0, {}
        if rest > 1e-9:
            from_production, limiting = cls._promise_production(
                engine, stock, product, rest)
        return {
            'product': product,
            'quantity': quantity,
            'from_stock': from_stock,
            'from_production': from_production,
            'short': cls._still_short(rest, from_production),
            'limiting': cls._limiting_list(limiting),
            }

    @classmethod
    def _still_short(cls, rest, made):
        "Return rest less made, 0 below the tolerance"
        short = max(rest - made, 0)
        return short if short > 1e-9 else 0

    @classmethod
    def _limiting_list(cls, limiting):
        "Return the limiting components {product: quantity} in a list"
        return [{'product': p, 'quantity': q}
            for p, q in sorted(limiting.items())]

    @classmethod
    def _make_all(cls, engine, stock, product, quantity):
        "Make quantity of product from stock (taken from it) if it can be"
        pool = ChainMap({}, stock)
        if engine.make(product, quantity, pool):
            stock.update(pool.maps[0])
            return True
        return False

    @classmethod
    def _promise_production(cls, engine, stock, product, rest):
        """Return what can be made of rest from stock (taken from it) and
        the limiting components {product: quantity}"""
        if product not in engine.boms:
            return 0, {product: rest}
        # all of it most often: one pass instead of a search
        if cls._make_all(engine, stock, product, rest):
            return rest, {}
        from_production = engine.buildable(product, stock, limit=rest)
        limiting = engine.limiting(engine.explain(product, rest, stock))
        if from_production > 0:
            engine.make(product, from_production, stock)
        return from_production, limiting


class KittingWizard(metaclass=PoolMeta):
    __name__ = 'production.kitting.wizard'

    def _demand_records(self, demand, model, records):
        if model == 'sale.sale':
            self._demand_sales(demand, records)
        else:
            super()._demand_records(demand, model, records)

    @classmethod
    def _demand_sales(cls, demand, sales):
        "Add to demand the quantities still to ship of the sales"
        pool = Pool()
        Kitting = pool.get('production.kitting')
        for sale in sales:
            for line in sale.lines:
                if line.type == 'line' and line.product:
                    demand[line.product] += (
                        Kitting._sale_line_quantity(line))
