# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime
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
        pool = Pool()
        Kitting = pool.get('production.kitting')
        Warning = pool.get('res.user.warning')
        Lang = pool.get('ir.lang')
        Product = pool.get('product.product')
        SaleLine = pool.get('sale.line')
        sales = [s for s in sales if s.warehouse]
        if not sales:
            return
        lang = Lang.get()
        for line_id, values in Kitting.sale_atp(sales).items():
            if not values['short']:
                continue
            line = SaleLine(line_id)
            warning_name = Warning.format('kitting_short', [line])
            if Warning.check(warning_name):
                unit = line.product.default_uom

                def number(value, unit=unit):
                    return lang.format_number(value, unit.digits)
                limiting = ', '.join(
                    '%s (%s %s)' % (product.rec_name,
                        number(l['quantity'], product.default_uom),
                        product.default_uom.symbol)
                    for l in values['limiting']
                    for product in [Product(l['product'])])
                raise SaleShortageWarning(warning_name, gettext(
                        'production_kitting.msg_sale_line_short',
                        sale=line.sale.rec_name,
                        product=line.product.rec_name,
                        quantity=number(values['quantity']),
                        promised=number(
                            values['from_stock']
                            + values['from_production']),
                        stock=number(values['from_stock']),
                        production=number(values['from_production']),
                        short=number(values['short']),
                        unit=unit.symbol,
                        date=lang.strftime(values['date']),
                        limiting=limiting or '-'))


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
        result = {}
        for company, warehouse, group in cls._by_warehouse(sales):
            with Transaction().set_context(company=company):
                result.update(cls._sale_atp(warehouse, group))
        return result

    @classmethod
    def _sale_line_quantity(cls, line):
        "Quantity still to ship in the product's default unit"
        pool = Pool()
        Uom = pool.get('product.uom')
        quantity = Uom.compute_qty(
            line.unit, line.quantity or 0, line.product.default_uom,
            round=False)
        for move in line.moves:
            if move.state == 'done':
                quantity -= move.internal_quantity
        return max(quantity, 0)

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
        Sale = pool.get('sale.sale')
        today = Date.today()
        line = SaleLine.__table__()
        asked = cls.load_sale_lines(
            line, line.sale.in_([s.id for s in sales]))
        if not asked:
            return None
        products = {l[3] for l in asked}
        line = SaleLine.__table__()
        sale = Sale.__table__()
        lines = {l[0]: l for l in cls.load_sale_lines(
                line, line.sale.in_(sale.select(sale.id,
                        where=sale.state.in_(
                            ['quotation', 'confirmed', 'processing'])
                        & (sale.warehouse == warehouse)))
                & _in(line.product, products))
            if l[3] in products}
        lines.update((l[0], l) for l in asked)
        keys = {i: (l[5] or today, l[1], l[2] or 0, i)
            for i, l in lines.items()}
        asked_ids = {l[0] for l in asked}
        last = max(keys[i][0] for i in asked_ids)
        order = sorted((k for k in keys.values()
                if k[0] <= last or k[3] in asked_ids))
        engine = cls.get_engine(products, warehouse)
        receipts = sorted(
            (r[0], p, r[1])
            for p, rs in cls.load_incoming(
                engine.products.keys(), warehouse, last).items()
            for r in rs)
        return engine, lines, order, receipts, asked_ids

    @classmethod
    def allocate_sale_lines(cls, engine, stock, lines, order, receipts,
            asked_ids):
        """Promise the lines in order from stock (a pool taken from) and
        production, adding the receipts [(date, product, quantity)] by date

        Return the values of the asked lines"""
        receipts = sorted(receipts, reverse=True)
        result = {}
        for date, sale_id, _, line_id in order:
            while receipts and receipts[-1][0] <= date:
                _, product, quantity = receipts.pop()
                stock[product] = max(stock.get(product, 0), 0) + quantity
            _, _, _, product, quantity, _ = lines[line_id]
            values = cls._promise(engine, stock, product, quantity)
            if line_id in asked_ids:
                values.update({
                        'line': line_id,
                        'sale': sale_id,
                        'date': date,
                        })
                result[line_id] = values
                if len(result) == len(asked_ids):
                    break
        return result

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
        Sale = pool.get('sale.sale')
        Product = pool.get('product.product')
        Template = pool.get('product.template')
        Move = pool.get('stock.move')
        LeadTime = pool.get('product.lead_time')
        Configuration = pool.get('product.configuration')
        Uom = pool.get('product.uom')
        Date = pool.get('ir.date')
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        sale = Sale.__table__()
        product = Product.__table__()
        template = Template.__table__()
        move = Move.__table__()
        varchar = transaction.database.sql_type('VARCHAR').base
        moves = move.select(move.origin.as_('origin'),
            Sum(Case((move.state == 'done', move.internal_quantity),
                    else_=0)).as_('done'),
            Min(Coalesce(move.effective_date, move.planned_date)).as_('date'),
            Count(move.id).as_('count'),
            where=(move.state != 'cancelled')
            & move.origin.like('sale.line,%'),
            group_by=[move.origin])
        query = line.join(sale, condition=line.sale == sale.id
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
        cursor.execute(*query)
        rows = cursor.fetchall()

        templates = {r[7] for r in rows if not r[12]}
        lead_times = {}
        if templates:
            lead_time = LeadTime.__table__()
            cursor.execute(*lead_time.select(
                    lead_time.template, lead_time.lead_time,
                    where=_in(lead_time.template, templates)
                    & (lead_time.template != Null)))
            for template_id, value in cursor:
                lead_times.setdefault(template_id, value)
            if templates - set(lead_times):
                default = Configuration(1).get_multivalue(
                    'default_lead_time')
                for template_id in templates - set(lead_times):
                    lead_times[template_id] = default
        units = {u.id: u for u in Uom.browse(
                {r[5] for r in rows} | {r[6] for r in rows})}
        today = Date.today()
        result = []
        for (id_, sale_id, sequence, product_id, quantity, unit, uom,
                template_id, sale_date, sale_shipping_date, done, date,
                count) in rows:
            quantity = quantity or 0
            if unit != uom:
                quantity = Uom.compute_qty(
                    units[unit], quantity, units[uom], round=False)
            quantity = max(quantity - (done or 0), 0)
            if isinstance(date, str):
                # SQLite gives aggregates of dates as text
                date = datetime.date.fromisoformat(date)
            if not count:
                date = None
                lead_time = lead_times.get(template_id)
                if isinstance(lead_time, (int, float)):
                    lead_time = datetime.timedelta(seconds=lead_time)
                if lead_time is not None and quantity > 0:
                    date = (sale_date or today) + lead_time
                    if sale_shipping_date:
                        date = max(date, sale_shipping_date)
            result.append(
                (id_, sale_id, sequence, product_id, quantity, date))
        return result

    @classmethod
    def _promise(cls, engine, stock, product, quantity):
        free = max(stock.get(product, 0), 0)
        from_stock = min(quantity, free)
        stock[product] = free - from_stock
        rest = quantity - from_stock
        from_production = 0
        limiting = {}
        if rest > 1e-9:
            if product in engine.boms:
                # all of it most often: one pass instead of a search
                pool = ChainMap({}, stock)
                if engine.make(product, rest, pool):
                    from_production = rest
                    stock.update(pool.maps[0])
                else:
                    from_production = engine.buildable(
                        product, stock, limit=rest)
                    limiting = engine.limiting(
                        engine.explain(product, rest, stock))
                    if from_production > 0:
                        engine.make(product, from_production, stock)
            else:
                limiting = {product: rest}
        short = max(rest - from_production, 0)
        return {
            'product': product,
            'quantity': quantity,
            'from_stock': from_stock,
            'from_production': from_production,
            'short': short if short > 1e-9 else 0,
            'limiting': [{'product': p, 'quantity': q}
                for p, q in sorted(limiting.items())],
            }
