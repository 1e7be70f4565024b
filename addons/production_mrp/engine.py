# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""MRP engine: plain Python, no ORM access.

The run (mrp.py) loads the BOM graph and the on-hand stock through the
kitting's loaders, the demand and the scheduled receipts by a few set-based
queries, and writes what this engine returns.  Quantities are floats in the
product's default unit, rounded as the kitting engine rounds them (a value
within 1e-9 of a multiple is that multiple: 10 with a 10 % loss is 11).
"""
import datetime
from collections import defaultdict

from trytond.modules.production_kitting.engine import (
    EPSILON, Engine, ceil_round, take_free)

# the order of the supplies of one day when demand is pegged to them
ON_HAND, RECEIPT, SUGGESTION = 0, 1, 2


class Demand:
    "A gross requirement of a product"
    __slots__ = ('product', 'date', 'quantity', 'origin', 'top', 'parent')

    def __init__(self, product, date, quantity, origin, top=None,
            parent=None):
        self.product = product
        self.date = date
        self.quantity = quantity
        # the document that asks for it ('model,id'), the one at the top of
        # the levels (sale line, forecast line, production) and the
        # suggestion whose BOM asks for it (dependent demand)
        self.origin = origin
        self.top = top or origin
        self.parent = parent


class Receipt:
    "A scheduled receipt of a product"
    __slots__ = ('product', 'date', 'quantity', 'origin', 'firm')

    def __init__(self, product, date, quantity, origin=None, firm=None):
        self.product = product
        self.date = date
        self.quantity = quantity
        self.origin = origin
        # the firm suggestion of an earlier run it is (Firm)
        self.firm = firm


class Item:
    "The planning settings of a product"
    __slots__ = ('supply', 'safety', 'lot_method', 'period', 'minimum',
        'multiple', 'lead_time', 'supplier', 'supplier_minimum', 'bom')

    def __init__(self, supply=None, safety=0, lot_method='lot_for_lot',
            period=1, minimum=0, multiple=0, lead_time=0, supplier=None,
            supplier_minimum=0, bom=None):
        # produce, purchase, subcontract or None (no source)
        self.supply = supply
        self.safety = safety or 0
        self.lot_method = lot_method or 'lot_for_lot'
        self.period = max(period or 1, 1)
        self.minimum = minimum or 0
        self.multiple = multiple or 0
        # days
        self.lead_time = lead_time or 0
        self.supplier = supplier
        self.supplier_minimum = supplier_minimum or 0
        self.bom = bom


class Firm:
    """A firm suggestion of an earlier run: a receipt whose pegs are
    computed again and whose BOM makes dependent demand"""
    __slots__ = ('id', 'product', 'kind', 'quantity', 'start_date', 'pegs')

    def __init__(self, id_, product, kind, quantity, start_date):
        self.id = id_
        self.product = product
        self.kind = kind
        self.quantity = quantity
        self.start_date = start_date
        self.pegs = []

    @property
    def reference(self):
        return 'production.mrp.suggestion,%s' % self.id


class Suggestion:
    "What to buy, make or subcontract, and the demands it serves"
    __slots__ = ('index', 'product', 'kind', 'quantity', 'need_date',
        'start_date', 'late', 'supplier', 'bom', 'pegs', 'shortfall')
    # the reference of a suggestion of this run, by its index (its id is
    # known once written)
    PREFIX = '@suggestion,'

    def __init__(self, index, product, kind, quantity, need_date,
            start_date, late, supplier=None, bom=None, shortfall=0):
        self.index = index
        self.product = product
        self.kind = kind
        self.quantity = quantity
        self.need_date = need_date
        self.start_date = start_date
        self.late = late
        self.supplier = supplier
        self.bom = bom
        # [(demand, quantity)]
        self.pegs = []
        # the net requirement before lot sizing
        self.shortfall = shortfall

    @property
    def reference(self):
        return '%s%s' % (self.PREFIX, self.index)


class Shortage:
    "A requirement that has no source of supply"
    __slots__ = ('product', 'date', 'quantity', 'reason')

    def __init__(self, product, date, quantity, reason='no_source'):
        self.product = product
        self.date = date
        self.quantity = quantity
        self.reason = reason


class Bucket:
    "One day of the time-phased plan of a product"
    __slots__ = ('product', 'date', 'demand', 'receipts', 'suggestions',
        'projected')

    def __init__(self, product, date):
        self.product = product
        self.date = date
        self.demand = 0.0
        self.receipts = 0.0
        self.suggestions = 0.0
        self.projected = 0.0


def _clean(value):
    "Drop the float crumbs of a sum of rounded quantities"
    return round(value, 9) + 0.0


class Planner:
    """Net the demand of each product level by level

    boms: {product: [Line]} the inputs (per default unit of the product) of
        the BOM of each product that has one
    items: {product: Item}
    on_hand: {product: quantity}
    rounding: {product: rounding of the default unit}
    """

    def __init__(self, boms, items, on_hand, rounding, date, horizon,
            codes=None):
        # the kitting engine owns the cycle check and the rounding of the
        # need of a BOM line
        self.kitting = Engine(boms, {}, rounding, codes=codes)
        self.boms = boms
        self.items = items
        self.on_hand = on_hand
        self.rounding = rounding
        self.date = date
        self.end = date + datetime.timedelta(days=horizon)
        self.suggestions = []
        self.shortages = []
        self.buckets = []
        self.demands = defaultdict(list)
        self.receipts = defaultdict(list)
        # the firm suggestions of earlier runs, pegged again
        self.firms = []
        # {top: {product: quantity}} held outside the warehouse for the
        # demands of a top (a customer's own material, ...), shared by the
        # tops of one holder
        self.held = {}

    def low_level_codes(self, products):
        """Return {product: code} of the products and every product below
        them: 0 for a product no BOM uses, else 1 + the largest code of the
        products whose BOMs use it"""
        codes = dict.fromkeys(products, 0)
        order = self._topological(codes)
        for product in order:
            code = codes[product]
            if self._supplied_by_bom(product):
                for line in self.boms[product]:
                    if codes.get(line.product, -1) < code + 1:
                        codes[line.product] = code + 1
        return codes

    def _topological(self, roots):
        "Return the products below roots, each after every product using it"
        done, order = set(), []
        for root in roots:
            if root in done:
                continue
            stack = [(root, iter(self._children(root)))]
            done.add(root)
            while stack:
                product, children = stack[-1]
                child = next(children, None)
                if child is None:
                    order.append(product)
                    stack.pop()
                elif child not in done:
                    done.add(child)
                    stack.append((child, iter(self._children(child))))
        order.reverse()
        return order

    def _children(self, product):
        if not self._supplied_by_bom(product):
            return ()
        return [l.product for l in self.boms[product]]

    def _supplied_by_bom(self, product):
        item = self.items.get(product)
        return (product in self.boms and item is not None
            and item.supply in {'produce', 'subcontract'})

    def _clamp(self, date):
        "The date a demand or receipt counts at, None outside the horizon"
        if date is None or date < self.date:
            return self.date
        if date > self.end:
            return None
        return date

    def add_demand(self, demand):
        demand.date = self._clamp(demand.date)
        if demand.date is not None and demand.quantity > EPSILON:
            self.demands[demand.product].append(demand)

    def add_receipt(self, receipt):
        receipt.date = self._clamp(receipt.date)
        if receipt.date is not None and receipt.quantity > EPSILON:
            self.receipts[receipt.product].append(receipt)

    def plan(self):
        "Net every product in the order of its low-level code"
        codes = self.low_level_codes(self._planned_products())
        for product in sorted(codes, key=lambda p: (codes[p], p)):
            self.net(product)
        return self.suggestions

    def _planned_products(self):
        "Return the products with a demand, a receipt or a safety stock"
        products = set(self.demands) | set(self.receipts)
        return products | {p for p, i in self.items.items() if i.safety}

    def net(self, product):
        "Net the demand of product, peg it, explode what is made"
        item = self.items.get(product) or Item()
        self._take_held(product)
        days = self._days(product)
        created = self._net_days(product, item, days)
        self._peg(product, created)
        firms = [r.firm for r in self.receipts[product] if r.firm]
        self.firms.extend(firms)
        for supply in firms + created:
            if (supply.kind in {'production', 'subcontract'}
                    and product in self.boms):
                self._explode(supply)

    def _take_held(self, product):
        """Serve the demands of product by date from what is held for their
        top: only the rest is netted (and never served to another's)"""
        for demand in sorted(self.demands[product], key=lambda d: d.date):
            held = self.held.get(demand.top)
            if held:
                taken = take_free(held, product, demand.quantity)
                demand.quantity = _clean(demand.quantity - taken)

    def _days(self, product):
        "Return {date: [receipts, demand]} of product"
        days = defaultdict(lambda: [0.0, 0.0])
        days[self.date]
        for receipt in self.receipts[product]:
            days[receipt.date][0] += receipt.quantity
        for demand in self.demands[product]:
            days[demand.date][1] += demand.quantity
        return days

    def _net_days(self, product, item, days):
        "Walk the days in order and suggest where projected falls below S"
        created = []
        projected = self.on_hand.get(product, 0.0)
        dates = sorted(days)
        for i, date in enumerate(dates):
            receipts, demand = days[date]
            bucket = Bucket(product, date)
            bucket.receipts, bucket.demand = receipts, demand
            projected = _clean(projected + receipts - demand)
            if projected < item.safety - EPSILON:
                short = _clean(item.safety - projected)
                quantity = self._lot(item, product, short, projected,
                    dates[i + 1:], days, date)
                suggestion = self._suggest(product, item, quantity, date,
                    short)
                if suggestion:
                    created.append(suggestion)
                    bucket.suggestions = quantity
                else:
                    # no source: nothing comes; count only what is listed
                    # short, so that every later shortfall is listed too
                    quantity = short
                projected = _clean(projected + quantity)
            bucket.projected = projected
            self.buckets.append(bucket)
        return created

    def _lot(self, item, product, short, projected, later, days, date):
        "Return the quantity to suggest for the net requirement short"
        quantity = short
        if item.lot_method == 'period' and item.period > 1:
            last = date + datetime.timedelta(days=item.period - 1)
            lowest = projected
            for day in later:
                if day > last:
                    break
                receipts, demand = days[day]
                projected = _clean(projected + receipts - demand)
                lowest = min(lowest, projected)
            quantity = _clean(item.safety - lowest)
        minimum = item.minimum
        if item.supply == 'purchase':
            minimum = max(minimum, item.supplier_minimum)
        quantity = max(quantity, minimum)
        if item.multiple:
            quantity = ceil_round(quantity, item.multiple)
        return ceil_round(quantity, self.rounding.get(product, 0))

    def _suggest(self, product, item, quantity, date, short):
        "Create the suggestion of quantity due at date, or a shortage"
        kind = {
            'produce': 'production',
            'purchase': 'purchase',
            'subcontract': 'subcontract',
            }.get(item.supply)
        if kind in {'production', 'subcontract'} and product not in self.boms:
            kind = None
        if not kind:
            self.shortages.append(Shortage(product, date, short))
            return None
        start = date - datetime.timedelta(days=item.lead_time)
        late = start < self.date
        suggestion = Suggestion(len(self.suggestions), product, kind,
            quantity, date, max(start, self.date), late,
            supplier=item.supplier, bom=item.bom, shortfall=short)
        self.suggestions.append(suggestion)
        return suggestion

    def _peg(self, product, created):
        """Serve the demand of product first come first served by date from
        on hand, the receipts and the suggestions; record on each
        suggestion the demands it serves"""
        if not self.demands[product]:
            # nothing to serve (a product kept at its safety stock)
            return
        supplies = [(self.date, ON_HAND, 0, self.on_hand.get(product, 0.0),
                None)]
        supplies += [(r.date, RECEIPT, i, r.quantity, r.firm)
            for i, r in enumerate(self.receipts[product])]
        supplies += [(s.need_date, SUGGESTION, s.index, s.quantity, s)
            for s in created]
        supplies.sort(key=lambda s: s[:3])
        left = [max(s[3], 0.0) for s in supplies]
        position = 0
        demands = sorted(enumerate(self.demands[product]),
            key=lambda d: (d[1].date, d[0]))
        for _, demand in demands:
            need = demand.quantity
            while need > EPSILON and position < len(supplies):
                taken = min(need, left[position])
                if taken > EPSILON:
                    suggestion = supplies[position][4]
                    if suggestion is not None:
                        suggestion.pegs.append((demand, _clean(taken)))
                    left[position] = _clean(left[position] - taken)
                    need = _clean(need - taken)
                if left[position] <= EPSILON:
                    position += 1

    def _explode(self, suggestion):
        """Add the dependent demand of the suggestion at its start date,
        shared among the tops its pegs serve"""
        shares = defaultdict(float)
        for demand, quantity in suggestion.pegs:
            shares[demand.top] += quantity
        rest = _clean(suggestion.quantity - sum(shares.values()))
        if rest > EPSILON:
            # safety stock and lot size: for the suggestion itself
            shares[None] += rest
        origin = suggestion.reference
        for line in self.boms[suggestion.product]:
            need = self.kitting.need(line, suggestion.quantity)
            if need <= EPSILON:
                continue
            for top, quantity in self._split(need, shares,
                    suggestion.quantity):
                self.add_demand(Demand(line.product, suggestion.start_date,
                        quantity, origin, top=top or origin,
                        parent=suggestion))

    @staticmethod
    def _split(need, shares, total):
        "Split need in proportion to shares of total; the last takes the rest"
        items = list(shares.items())
        parts, given = [], 0.0
        for i, (top, share) in enumerate(items):
            if i == len(items) - 1:
                part = _clean(need - given)
            else:
                part = _clean(need * share / total)
            given += part
            if part > EPSILON:
                parts.append((top, part))
        return parts
