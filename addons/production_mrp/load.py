# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""What a run reads: the demand, the scheduled receipts and the planning
settings of the products, each in a few set-based statements"""
import datetime
from collections import defaultdict

from sql import Literal, Null
from sql.conditionals import Coalesce

from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

from trytond.modules.production_kitting.production import OPEN_STATES
from trytond.modules.production_kitting.stock import _in
from .engine import Demand, Firm, Item, Receipt

OPEN_MOVE = ['draft', 'assigned']


def _days(value):
    "Whole days of a TimeDelta read raw (interval or seconds)"
    if value is None:
        return 0
    if isinstance(value, datetime.timedelta):
        return value.days
    return int(float(value) // 86400)


class RunLoad(metaclass=PoolMeta):
    "MRP Run: what it reads"
    __name__ = 'production.mrp.run'

    def _area(self):
        """The query of the locations planned: the warehouse without its
        quarantine locations"""
        Kitting = Pool().get('production.kitting')
        return Kitting._storage_locations_query(self.warehouse.id, whole=True)

    def create_forecast_moves(self):
        """Create the moves of the confirmed forecasts of the warehouse that
        overlap the horizon, as Tryton's supply does: they live in the run's
        transaction only (delete_forecast_moves)"""
        Forecast = Pool().get('stock.forecast')
        end = self.date + datetime.timedelta(days=self.horizon)
        forecasts = Forecast.search([
                ('warehouse', '=', self.warehouse.id),
                ('company', '=', self.company.id),
                ('state', '=', 'done'),
                ('to_date', '>=', self.date),
                ('from_date', '<=', end),
                ])
        Forecast.create_moves(forecasts)
        return forecasts

    def delete_forecast_moves(self, forecasts):
        Pool().get('stock.forecast').delete_moves(forecasts)

    def load_moves(self, planner):
        """Add to the planner the open moves out of the area as demand and
        into it as receipts"""
        pool = Pool()
        Move = pool.get('stock.move')
        move = Move.__table__()
        cursor = Transaction().connection.cursor()
        area = self._area()
        inside = move.from_location.in_(area)
        cursor.execute(*move.select(
                move.id, move.product, move.internal_quantity,
                Coalesce(move.planned_date, move.effective_date),
                move.origin, move.production_input, inside,
                where=move.state.in_(OPEN_MOVE)
                & (move.company == self.company.id)
                & (inside != move.to_location.in_(area))))
        for (id_, product, quantity, date, origin, production,
                out) in cursor:
            date = self._to_date(date)
            if out:
                own = 'stock.move,%s' % id_
                if origin and origin.startswith('stock.forecast.line,'):
                    # the moves of a forecast live in the run only
                    own = origin
                top = origin or (
                    'production,%s' % production if production else own)
                planner.add_demand(Demand(product, date, quantity or 0,
                        own, top=top))
            else:
                planner.add_receipt(Receipt(product, date, quantity or 0,
                        'stock.move,%s' % id_))

    def load_production_needs(self, planner):
        "Add what open orders need beyond their moves (production_needs)"
        productions = self._open_productions()
        needs = Pool().get('production.kitting').production_needs(productions)
        for production in [p for p in productions if p.id in needs]:
            self._add_production_needs(planner, production, needs)

    def _add_production_needs(self, planner, production, needs):
        "Add the part of its needs on no open move as demand of production"
        date, own = self._production_date(production), str(production)
        for product, (_, _, quantity) in needs[production.id].items():
            planner.add_demand(Demand(product, date, quantity, own))

    def _open_productions(self):
        "The open production orders of the run's warehouse"
        return Pool().get('production').search([
                ('company', '=', self.company.id),
                ('warehouse', '=', self.warehouse.id),
                ('state', 'in', sorted(OPEN_STATES))])

    def _production_date(self, production):
        "The day an order's material is needed: its planned start"
        return (production.planned_start_date or production.planned_date
            or self.date)

    @staticmethod
    def _with_default_uom(table):
        """Return table joined to the goods of its product column and the
        column of their default unit"""
        pool = Pool()
        Product = pool.get('product.product')
        Template = pool.get('product.template')
        product = Product.__table__()
        template = Template.__table__()
        query = table.join(product,
            condition=(table.product == product.id)
            ).join(template,
            condition=(product.template == template.id)
            & (template.type == 'goods'))
        return query, template.default_uom

    @staticmethod
    def _to_date(value):
        if isinstance(value, str):
            return datetime.date.fromisoformat(value[:10])
        return value

    def load_requests(self, planner, units):
        """Add to the planner the purchase requests not purchased and the
        lines of the purchases not yet processing as receipts"""
        pool = Pool()
        Request = pool.get('purchase.request')
        request = Request.__table__()
        cursor = Transaction().connection.cursor()
        query, default_uom = self._with_default_uom(request)
        cursor.execute(*query.select(
                request.id, request.product, request.quantity, request.unit,
                default_uom, request.supply_date,
                where=(request.state == 'draft')
                & (request.purchase_line == Null)
                & (request.warehouse == self.warehouse.id)
                & (request.company == self.company.id)))
        rows = cursor.fetchall()
        self._add_receipts(planner, units, 'purchase.request', rows)
        self.load_purchase_lines(planner, units)

    def load_purchase_lines(self, planner, units):
        "Add the lines of the purchases that have no move yet"
        pool = Pool()
        Purchase = pool.get('purchase.purchase')
        Line = pool.get('purchase.line')
        purchase = Purchase.__table__()
        line = Line.__table__()
        cursor = Transaction().connection.cursor()
        query, default_uom = self._with_default_uom(line)
        cursor.execute(*query.join(purchase,
                condition=line.purchase == purchase.id
                ).select(line.id, line.product, line.quantity, line.unit,
                default_uom,
                Coalesce(purchase.delivery_date, purchase.purchase_date),
                where=purchase.state.in_(['draft', 'quotation', 'confirmed'])
                & (line.type == 'line') & (line.product != Null)
                & (purchase.warehouse == self.warehouse.id)
                & (purchase.company == self.company.id)))
        self._add_receipts(planner, units, 'purchase.line', cursor.fetchall())

    def _add_receipts(self, planner, units, model, rows):
        for id_, product, quantity, unit, default_uom, date in rows:
            quantity = units.convert(quantity or 0, unit, default_uom)
            planner.add_receipt(Receipt(product, self._to_date(date),
                    quantity, '%s,%s' % (model, id_)))

    def load_firm(self, planner, units):
        """Add the firm suggestions of earlier runs as receipts (their
        quantity is in the product's default unit)"""
        Suggestion = Pool().get('production.mrp.suggestion')
        suggestion = Suggestion.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*suggestion.select(
                suggestion.id, suggestion.product, suggestion.kind,
                suggestion.quantity, suggestion.start_date,
                suggestion.need_date,
                where=(suggestion.state == 'firm')
                & (suggestion.warehouse == self.warehouse.id)
                & (suggestion.company == self.company.id)))
        for id_, product, kind, quantity, start, need in cursor.fetchall():
            firm = Firm(id_, product, kind, quantity,
                max(self._to_date(start), self.date))
            planner.add_receipt(Receipt(product, self._to_date(need),
                    quantity, firm.reference, firm=firm))

    def load_sales(self, planner, units):
        "Without the sale module there is no sales line to read"
        pass

    def load_items(self, products, boms, info):
        """Return {product: Item} of the products; info is the kitting's
        {product: {'bom': the first BOM, …}}"""
        first = {p: v['bom'] for p, v in info.items() if v['bom']}
        settings = self._item_settings(products, first)
        lead_times = self._production_lead_times(products, first)
        suppliers = self._suppliers(products)
        routings = self._routing_suppliers(products, first)
        items = {}
        for product, values in settings.items():
            supplier = suppliers.get(product, (None, 0, 0))
            routing = routings.get(product)
            supply = self._supply_method(values, product in boms, routing)
            lead_time = lead_times.get(product, 0)
            party = None
            if supply == 'purchase':
                party, lead_time = supplier[0], supplier[1]
            elif supply == 'subcontract' and routing:
                party = routing[0]
                lead_time = routing[1] if routing[1] is not None else (
                    lead_time)
            items[product] = Item(supply=supply, safety=values['safety'],
                lot_method=values['lot_method'], period=values['period'],
                minimum=values['minimum'], multiple=values['multiple'],
                lead_time=lead_time, supplier=party,
                supplier_minimum=supplier[2], bom=values['bom'])
        return items

    @staticmethod
    def _supply_method(values, has_bom, routing):
        method = values['method']
        if method:
            if method in {'produce', 'subcontract'} and not has_bom:
                return None
            return method
        if has_bom and values['producible']:
            return 'subcontract' if routing else 'produce'
        if values['purchasable']:
            return 'purchase'
        return None

    def _item_settings(self, products, first):
        """Return {product: settings of its template} with the first BOM of
        the product"""
        pool = Pool()
        Product = pool.get('product.product')
        Template = pool.get('product.template')
        product = Product.__table__()
        template = Template.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*product.join(template,
                condition=product.template == template.id
                ).select(product.id, template.mrp_supply_method,
                template.mrp_safety_stock, template.mrp_lot_method,
                template.mrp_period_days, template.mrp_lot_minimum,
                template.mrp_lot_multiple, template.purchasable,
                template.producible,
                where=_in(product.id, products)))
        settings = {}
        for (id_, method, safety, lot, period, minimum, multiple,
                purchasable, producible) in cursor:
            if id_ in products:
                settings[id_] = {
                    'method': method, 'safety': safety or 0,
                    'lot_method': lot, 'period': period,
                    'minimum': minimum or 0, 'multiple': multiple or 0,
                    'purchasable': purchasable, 'producible': producible,
                    'bom': first.get(id_),
                    }
        return settings

    def _production_lead_times(self, products, first):
        """Return {product: days} of the first production lead time of each
        product for its first BOM, in Tryton's order (compute_lead_time)"""
        LeadTime = Pool().get('production.lead_time')
        lead_time = LeadTime.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*lead_time.select(lead_time.product, lead_time.bom,
                lead_time.lead_time, lead_time.sequence, lead_time.id,
                where=_in(lead_time.product, products)))
        found = {}
        for product, bom, value, sequence, id_ in cursor:
            if product not in products or bom not in {None, first.get(
                        product)}:
                continue
            key = (sequence is not None, sequence or 0, id_)
            if product not in found or key < found[product][0]:
                found[product] = (key, _days(value))
        return {p: days for p, (_, days) in found.items()}

    def _suppliers(self, products):
        """Return {product: (party, lead days, least price quantity)} of
        the first supplier of each product"""
        cursor = Transaction().connection.cursor()
        cursor.execute(*self._suppliers_query(products))
        first = {}
        for id_, supplier_id, party, lead, party_lead_time in cursor:
            if id_ in products:
                first[id_] = (supplier_id, party,
                    _days(lead if lead is not None else party_lead_time))
        minimums = self._least_quantities({v[0] for v in first.values()})
        return {p: (party, lead, minimums.get(s, 0))
            for p, (s, party, lead) in first.items()}

    def _suppliers_query(self, products):
        """Return the query of the suppliers of the products of the company
        in the order of preference, with their lead times"""
        pool = Pool()
        Product = pool.get('product.product')
        ProductSupplier = pool.get('purchase.product_supplier')
        PartyLeadTime = pool.get('party.party.supplier_lead_time')
        product = Product.__table__()
        supplier = ProductSupplier.__table__()
        party_lead = PartyLeadTime.__table__()
        company = self.company.id
        return product.join(supplier,
            condition=(supplier.template == product.template)
            & ((supplier.product == Null)
                | (supplier.product == product.id))
            ).join(party_lead, 'LEFT',
            condition=(party_lead.party == supplier.party)
            & ((party_lead.company == company)
                | (party_lead.company == Null))
            ).select(product.id, supplier.id, supplier.party,
            supplier.lead_time, party_lead.supplier_lead_time,
            where=_in(product.id, products)
            & ((supplier.company == company) | (supplier.company == Null))
            & (supplier.active == Literal(True)),
            order_by=[product.id, supplier.sequence.desc.nulls_last,
                supplier.id.desc])

    @classmethod
    def _least_quantities(cls, supplier_ids):
        "Return {product supplier: least quantity of its prices}"
        pool = Pool()
        Price = pool.get('purchase.product_supplier.price')
        price = Price.__table__()
        cursor = Transaction().connection.cursor()
        least = defaultdict(float)
        if not supplier_ids:
            return least
        cursor.execute(*price.select(price.product_supplier, price.quantity,
                where=_in(price.product_supplier, list(supplier_ids))))
        for supplier_id, quantity in cursor:
            if quantity is not None:
                least[supplier_id] = min(
                    least.get(supplier_id, quantity), quantity)
        return least

    def _routing_suppliers(self, products, first):
        """Return {product: (supplier, lead days or None)} of the products
        whose first BOM's routing is outsourced"""
        pool = Pool()
        ProductBOM = pool.get('product.product-production.bom')
        Routing = pool.get('production.routing')
        PartyLeadTime = pool.get('party.party.supplier_lead_time')
        product_bom = ProductBOM.__table__()
        routing = Routing.__table__()
        party_lead = PartyLeadTime.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*product_bom.join(routing,
                condition=product_bom.routing == routing.id
                ).join(party_lead, 'LEFT',
                condition=(party_lead.party == routing.supplier)
                & ((party_lead.company == self.company.id)
                    | (party_lead.company == Null))
                ).select(product_bom.product, product_bom.bom,
                routing.supplier, party_lead.supplier_lead_time,
                product_bom.sequence, product_bom.id,
                where=_in(product_bom.product, products)))
        found = {}
        for product, bom, supplier, lead, sequence, id_ in cursor:
            if product not in products or bom != first.get(product):
                continue
            key = (sequence is not None, sequence or 0, id_)
            if product not in found or key < found[product][0]:
                found[product] = (key, supplier,
                    _days(lead) if lead is not None else None)
        return {p: (s, t) for p, (_, s, t) in found.items() if s}


class RunLoadSale(metaclass=PoolMeta):
    __name__ = 'production.mrp.run'

    def load_sales(self, planner, units):
        """Add the lines of the confirmed sales (they have no move yet) as
        demand at the sale's shipping date, else its sale date"""
        pool = Pool()
        Sale = pool.get('sale.sale')
        Line = pool.get('sale.line')
        sale = Sale.__table__()
        line = Line.__table__()
        cursor = Transaction().connection.cursor()
        query, default_uom = self._with_default_uom(line)
        cursor.execute(*query.join(sale,
                condition=line.sale == sale.id
                ).select(line.id, line.product, line.quantity, line.unit,
                default_uom, Coalesce(sale.shipping_date, sale.sale_date),
                where=(sale.state == 'confirmed')
                & (line.type == 'line') & (line.product != Null)
                & (line.quantity > 0)
                & (sale.warehouse == self.warehouse.id)
                & (sale.company == self.company.id)))
        for (id_, product, quantity, unit, default_uom,
                date) in cursor.fetchall():
            quantity = units.convert(quantity, unit, default_uom)
            origin = 'sale.line,%s' % id_
            planner.add_demand(Demand(product, self._to_date(date),
                    quantity, origin))
