# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""production_mrp: the engine against a brute-force reference written here
from the definitions of issue 15 (hypothesis, random small factories), and
the rules of a run in the database (cycle, bad arguments, reruns, released
suggestions)."""
import datetime
import math
import unittest
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trytond.exceptions import UserError
from trytond.modules.company.tests import (
    CompanyTestMixin, create_company, set_company)
from trytond.modules.production_kitting.engine import Line
from trytond.modules.production_mrp.engine import (
    Demand, Item, Planner, Receipt)
from trytond.modules.production_mrp.exceptions import MRPError
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction
from trytond.transaction import Transaction

DATE = datetime.date(2026, 3, 2)
ROUNDINGS = ['1', '0.1', '0.01']
PROPERTY = settings(max_examples=80, deadline=None,
    suppress_health_check=[HealthCheck.too_slow])


# --- the reference: the definitions read literally, exact fractions ---

def ceil_to(value, step):
    "value rounded up to a multiple of step (Fractions)"
    if not step:
        return value
    return math.ceil(value / step) * step


class Factory:
    """A small factory in exact numbers

    products: {product: {'rounding', 'supply', 'safety', 'lot', 'period',
        'minimum', 'multiple', 'supplier_minimum', 'lead', 'on_hand'}}
    boms: {product: (output quantity, [(input, quantity, loss %)])}
    demands / receipts: [(product, date, quantity)]
    """

    def __init__(self, products, boms, demands, receipts, horizon):
        self.products = products
        self.boms = boms
        self.demands = demands
        self.receipts = receipts
        self.horizon = horizon


def reference(factory):
    """Plan the factory from the definitions: each product once all the
    products whose BOMs use it are planned, day by day from D to D + H

    Return (suggestions, shortages, demand): suggestions
    [{'kind', 'product', 'quantity', 'need', 'start', 'late'}], shortages
    [(product, date, quantity)] and {product: [(date, quantity, top
    index or None)]} the demand each product was netted with."""
    start, end = DATE, DATE + datetime.timedelta(days=factory.horizon)

    def clamp(date):
        if date < start:
            return start
        return date if date <= end else None

    demand = defaultdict(list)
    for i, (product, date, quantity) in enumerate(factory.demands):
        date = clamp(date)
        if date is not None and quantity > 0:
            demand[product].append((date, quantity, i))
    receipts = defaultdict(list)
    for product, date, quantity in factory.receipts:
        date = clamp(date)
        if date is not None and quantity > 0:
            receipts[product].append((date, quantity))

    def exploded(product):
        "The BOM of product is planned (it is made or subcontracted)"
        return (product in factory.boms
            and factory.products[product]['supply'] in {
                'produce', 'subcontract'})

    parents = defaultdict(set)
    for product, (_, lines) in factory.boms.items():
        if exploded(product):
            for input_, _, _ in lines:
                parents[input_].add(product)

    suggestions, shortages = [], []
    done = set()
    while len(done) < len(factory.products):
        ready = [p for p in factory.products if p not in done
            and parents[p] <= done]
        assert ready, "the factory has a cycle"
        for product in ready:
            made = _net(factory, product, demand[product],
                receipts[product], start, end, suggestions, shortages)
            for suggestion in made:
                if suggestion['kind'] == 'purchase':
                    continue
                output, lines = factory.boms[product]
                for input_, quantity, loss in lines:
                    need = ceil_to(
                        suggestion['quantity'] * quantity / output
                        * (1 + loss / 100),
                        factory.products[input_]['rounding'])
                    if need > 0:
                        demand[input_].append(
                            (suggestion['start'], need, None))
            done.add(product)
    return suggestions, shortages, demand


def _net(factory, product, demand, receipts, start, end, suggestions,
        shortages):
    "Net one product day by day; return the suggestions made"
    item = factory.products[product]
    safety = item['safety']
    change = defaultdict(Fraction)
    for date, quantity in receipts:
        change[date] += quantity
    for date, quantity, _ in demand:
        change[date] -= quantity
    kind = {'purchase': 'purchase', 'produce': 'production',
        'subcontract': 'subcontract'}.get(item['supply'])
    if kind != 'purchase' and product not in factory.boms:
        kind = None
    made = []
    projected = item['on_hand']
    days = (end - start).days + 1
    for n in range(days):
        date = start + datetime.timedelta(days=n)
        projected += change[date]
        if projected >= safety:
            continue
        short = safety - projected
        quantity = short
        if item['lot'] == 'period':
            # keeps projected ≥ S through date + P - 1, with no other
            # suggestion
            running, lowest = projected, projected
            for m in range(1, item['period']):
                day = date + datetime.timedelta(days=m)
                if day > end:
                    break
                running += change[day]
                lowest = min(lowest, running)
            quantity = safety - lowest
        minimum = item['minimum']
        if kind == 'purchase':
            minimum = max(minimum, item['supplier_minimum'])
        quantity = max(quantity, minimum)
        quantity = ceil_to(quantity, item['multiple'])
        quantity = ceil_to(quantity, item['rounding'])
        if kind is None:
            shortages.append((product, date, short))
            # the exception lists what is short; nothing is added
            projected += short
            continue
        begin = date - datetime.timedelta(days=item['lead'])
        suggestion = {
            'kind': kind, 'product': product, 'quantity': quantity,
            'need': date, 'start': max(begin, start), 'late': begin < start,
            }
        suggestions.append(suggestion)
        made.append(suggestion)
        projected += quantity
    return made


def served(factory, product, demand, suggestions):
    """First come first served by date over the supplies of product (on
    hand, then the receipts, then the suggestion of each day)

    Return ({suggestion index: pegged}, {demand index: {supply key:
    quantity}}) where a supply key is 'stock' or the index of a suggestion
    in suggestions; at one date the documents come before the dependent
    demand (it is known later)."""
    start = DATE
    end = start + datetime.timedelta(days=factory.horizon)
    supplies = [(start, 0, max(factory.products[product]['on_hand'], 0),
            'stock')]
    for date, quantity in factory.receipts_of(product, start, end):
        supplies.append((date, 1, quantity, 'stock'))
    for i, s in enumerate(suggestions):
        if s['product'] == product:
            supplies.append((s['need'], 2, s['quantity'], i))
    supplies.sort(key=lambda s: (s[0], s[1]))
    intervals, total = [], Fraction(0)
    for _, _, quantity, key in supplies:
        intervals.append((total, total + quantity, key))
        total += quantity
    ordered = sorted(demand, key=lambda d: (
            d[0], d[2] is None, d[2] if d[2] is not None else 0))
    pegged = defaultdict(Fraction)
    by_demand = {}
    position = Fraction(0)
    for _date, quantity, index in ordered:
        low, high = position, position + quantity
        parts = defaultdict(Fraction)
        for a, b, key in intervals:
            overlap = min(b, high) - max(a, low)
            if overlap > 0:
                parts[key] += overlap
                if key != 'stock':
                    pegged[key] += overlap
        if index is not None:
            by_demand[index] = parts
        position = high
    return pegged, by_demand


def _receipts_of(self, product, start, end):
    for p, date, quantity in self.receipts:
        if p != product or quantity <= 0:
            continue
        date = max(date, start)
        if date <= end:
            yield date, quantity


Factory.receipts_of = _receipts_of


# --- the engine on the same factory ---

def _float(value):
    return float(value)


def run_engine(factory):
    "Return the planner planned on the factory and its top demands"
    boms = {}
    for product, (output, lines) in factory.boms.items():
        # as production_kitting's loader builds the lines: the quantity
        # with its loss rate, per unit of the output
        boms[product] = [Line(input_,
                _float(quantity) * (1 + _float(loss) / 100)
                * (1 / _float(output)),
                _float(factory.products[input_]['rounding']), 1.0)
            for input_, quantity, loss in lines]
    items, on_hand, rounding = {}, {}, {}
    for product, values in factory.products.items():
        items[product] = Item(supply=values['supply'],
            safety=_float(values['safety']), lot_method=values['lot'],
            period=values['period'], minimum=_float(values['minimum']),
            multiple=_float(values['multiple']), lead_time=values['lead'],
            supplier_minimum=_float(values['supplier_minimum']),
            bom=product if product in factory.boms else None)
        on_hand[product] = _float(values['on_hand'])
        rounding[product] = _float(values['rounding'])
    planner = Planner(boms, items, on_hand, rounding, DATE, factory.horizon)
    tops = {}
    for i, (product, date, quantity) in enumerate(factory.demands):
        demand = Demand(product, date, _float(quantity), 'sale.line,%s' % i)
        tops[i] = demand
        planner.add_demand(demand)
    for product, date, quantity in factory.receipts:
        planner.add_receipt(Receipt(product, date, _float(quantity)))
    planner.plan()
    return planner, tops


# --- random factories ---

def _multiple(draw, rounding, low, high):
    "A multiple of rounding from low to high of its steps"
    return draw(st.integers(low, high)) * rounding


@st.composite
def factories(draw, no_source_lots=False):
    count = draw(st.integers(2, 7))
    levels = draw(st.integers(1, 4))
    level = {p: draw(st.integers(0, levels - 1)) for p in range(count)}
    products, boms = {}, {}
    for product in range(count):
        rounding = Fraction(Decimal(draw(st.sampled_from(ROUNDINGS))))
        products[product] = {'rounding': rounding}
    for product in range(count):
        below = [p for p in range(count) if level[p] > level[product]]
        if below and draw(st.booleans()):
            inputs = draw(st.lists(st.sampled_from(below), min_size=1,
                    max_size=3, unique=True))
            output = Fraction(draw(st.sampled_from([1, 1, 2, 3, 4])))
            boms[product] = (output, [(i,
                        Fraction(draw(st.sampled_from(
                                    ['1', '1', '2', '3', '0.5', '2.5']))),
                        Fraction(draw(st.sampled_from(
                                    [0, 0, 5, 7, 10, 12.5, 20]))))
                    for i in inputs])
    for product, values in products.items():
        rounding = values['rounding']
        if product in boms:
            supply = draw(st.sampled_from(
                    ['produce', 'produce', 'subcontract', 'purchase']))
        else:
            supply = draw(st.sampled_from(
                    ['purchase', 'purchase', 'purchase', None, 'produce']))
        sourced = supply == 'purchase' or (
            supply is not None and product in boms)
        lots = sourced or no_source_lots
        lot = draw(st.sampled_from(['lot_for_lot', 'period']))
        values.update({
                'supply': supply,
                'safety': (_multiple(draw, rounding, 0, 30)
                    if draw(st.booleans()) else Fraction(0)),
                'lot': lot if lots else 'lot_for_lot',
                'period': draw(st.integers(1, 10)),
                'minimum': (_multiple(draw, rounding, 1, 80)
                    if lots and draw(st.booleans()) else Fraction(0)),
                'multiple': (_multiple(draw, rounding, 1, 40)
                    if lots and draw(st.booleans()) else Fraction(0)),
                'supplier_minimum': (_multiple(draw, rounding, 1, 60)
                    if draw(st.booleans()) else Fraction(0)),
                'lead': draw(st.integers(0, 8)),
                'on_hand': (_multiple(draw, rounding, 0, 40)
                    if draw(st.booleans()) else Fraction(0)),
                })
    horizon = draw(st.integers(0, 30))
    day = st.integers(-5, horizon + 5).map(
        lambda n: DATE + datetime.timedelta(days=n))
    tops = [p for p in range(count) if level[p] == 0] or list(range(count))
    demands = []
    for _ in range(draw(st.integers(1, 6))):
        product = draw(st.sampled_from(
                tops if draw(st.booleans()) else list(range(count))))
        demands.append((product, draw(day), _multiple(
                    draw, products[product]['rounding'], 1, 60)))
    receipts = []
    for _ in range(draw(st.integers(0, 3))):
        product = draw(st.sampled_from(range(count)))
        receipts.append((product, draw(day), _multiple(
                    draw, products[product]['rounding'], 1, 30)))
    return Factory(products, boms, demands, receipts, horizon)


class EngineTestCase(unittest.TestCase):
    "The engine against the reference"

    def compare(self, factory):
        planner, tops = run_engine(factory)
        expected, shortages, demand = reference(factory)

        def key(s):
            return (s['product'], s['need'])
        got = sorted(({
                    'kind': s.kind, 'product': s.product,
                    'quantity': s.quantity, 'need': s.need_date,
                    'start': s.start_date, 'late': s.late,
                    } for s in planner.suggestions), key=key)
        want = sorted(({**s, 'quantity': float(s['quantity'])}
                for s in expected), key=key)
        self.assertEqual(got, want)
        self.assertEqual(
            sorted((s.product, s.date, s.quantity)
                for s in planner.shortages),
            sorted((p, d, float(q)) for p, d, q in shortages))
        for s in planner.suggestions:
            # exact decimals: a multiple of the unit's rounding, no crumb
            rounding = Decimal(str(factory.products[s.product]['rounding']
                    .numerator / factory.products[s.product]['rounding']
                    .denominator))
            self.assertEqual(Decimal(repr(s.quantity)) % rounding, 0,
                (s.product, s.quantity))
        self.check_pegs(factory, planner, tops, expected, demand)
        return planner

    def check_pegs(self, factory, planner, tops, expected, demand):
        index = {(s['product'], s['need']): i for i, s in enumerate(expected)}
        engine = {(s.product, s.need_date): s for s in planner.suggestions}
        sourced = {p for p, v in factory.products.items()
            if v['supply'] == 'purchase' or (
                v['supply'] and p in factory.boms)}
        pegs_of_top = defaultdict(lambda: defaultdict(float))
        for s in planner.suggestions:
            total = 0.0
            for peg_demand, quantity in s.pegs:
                self.assertGreater(quantity, 0)
                self.assertEqual(peg_demand.product, s.product)
                total += quantity
                if peg_demand.parent is None:
                    pegs_of_top[peg_demand.origin][
                        index[(s.product, s.need_date)]] += quantity
            # the pegs never exceed the quantity
            self.assertLessEqual(total, s.quantity + 1e-9, s.product)
        for product in factory.products:
            pegged, by_demand = served(
                factory, product, demand[product], expected)
            for i, quantity in pegged.items():
                s = engine[(expected[i]['product'], expected[i]['need'])]
                self.assertAlmostEqual(
                    sum(q for _, q in s.pegs), float(quantity), places=6,
                    msg=(product, s.need_date))
            for i, parts in by_demand.items():
                top = tops[i]
                got = pegs_of_top['sale.line,%s' % i]
                for key, quantity in parts.items():
                    if key == 'stock':
                        continue
                    self.assertAlmostEqual(got.get(key, 0), float(quantity),
                        places=6, msg=(product, i, key))
                if product in sourced:
                    # fully covered: pegs at level 0 + stock = demand
                    self.assertAlmostEqual(
                        sum(got.values()) + float(parts.get('stock', 0)),
                        top.quantity, places=6, msg=(product, i))
        self.check_dependent(factory, planner)

    def check_dependent(self, factory, planner):
        """The dependent demand of each made suggestion adds up to its BOM
        need and carries the tops of the suggestion's pegs"""
        parts = defaultdict(float)
        part_tops = defaultdict(set)
        for demands in planner.demands.values():
            for d in demands:
                if d.parent is not None:
                    parts[(d.parent.index, d.product)] += d.quantity
                    part_tops[d.parent.index].add(d.top)
        for s in planner.suggestions:
            if s.kind == 'purchase':
                self.assertNotIn(s.index, part_tops)
                continue
            output, lines = factory.boms[s.product]
            for input_, quantity, loss in lines:
                need = ceil_to(Fraction(repr(s.quantity)) * quantity / output
                    * (1 + loss / 100),
                    factory.products[input_]['rounding'])
                self.assertAlmostEqual(parts[(s.index, input_)],
                    float(need), places=7)
            allowed = {d.top for d, _ in s.pegs} | {s.reference}
            self.assertLessEqual(part_tops[s.index], allowed)

    @PROPERTY
    @given(factories())
    def test_against_reference(self, factory):
        "Random factories plan as the definitions say"
        self.compare(factory)

    @PROPERTY
    @given(factories(), st.integers(1, 10))
    def test_period_lots(self, factory, period):
        "Fixed period lot sizing on every sourced product"
        for values in factory.products.values():
            if values['supply'] == 'purchase' or (
                    values['supply'] and values['lot'] == 'period'):
                values['lot'], values['period'] = 'period', period
        self.compare(factory)

    @settings(max_examples=40, deadline=None)
    @given(st.sampled_from(ROUNDINGS), st.integers(1, 200),
        st.sampled_from([0, 5, 10, 12.5, 15, 20]))
    def test_loss_exact(self, rounding, quantity, loss):
        "A BOM need with a loss rate is exact: 10 with 10 % is 11"
        rounding = Fraction(Decimal(rounding))
        base = {'safety': Fraction(0), 'lot': 'lot_for_lot', 'period': 1,
            'minimum': Fraction(0), 'multiple': Fraction(0),
            'supplier_minimum': Fraction(0), 'lead': 0,
            'on_hand': Fraction(0)}
        factory = Factory({
                0: dict(base, rounding=Fraction(1), supply='produce'),
                1: dict(base, rounding=rounding, supply='purchase'),
                }, {0: (Fraction(1), [(1, Fraction(1), Fraction(loss))])},
            [(0, DATE, Fraction(quantity))], [], 10)
        planner = self.compare(factory)
        component, = [s for s in planner.suggestions if s.product == 1]
        want = ceil_to(Fraction(quantity) * (1 + Fraction(loss) / 100),
            rounding)
        self.assertEqual(component.quantity, float(want))

    def test_worked_example(self):
        """10 chairs, 10 % loss on the tube: 11 tubes; minimum 100 and
        multiple 50 with a safety stock of 20 and 10 on hand: 100 screws;
        a lead time of 5 days from a need in 3: late, started today"""
        zero = Fraction(0)
        base = {'safety': zero, 'lot': 'lot_for_lot', 'period': 1,
            'minimum': zero, 'multiple': zero, 'supplier_minimum': zero,
            'lead': 0, 'on_hand': zero, 'rounding': Fraction(1)}
        factory = Factory({
                0: dict(base, supply='produce', lead=5),
                1: dict(base, supply='purchase'),
                2: dict(base, supply='purchase', safety=Fraction(20),
                    minimum=Fraction(100), multiple=Fraction(50),
                    on_hand=Fraction(10)),
                }, {0: (Fraction(1), [(1, Fraction(1), Fraction(10)),
                        (2, Fraction(4), zero)])},
            [(0, DATE + datetime.timedelta(days=3), Fraction(10))], [], 90)
        planner = self.compare(factory)
        self.assertEqual(sorted((s.product, s.quantity, s.late)
                for s in planner.suggestions),
            [(0, 10.0, True), (1, 11.0, False), (2, 100.0, False)])
        chair, = [s for s in planner.suggestions if s.product == 0]
        self.assertEqual((chair.start_date, chair.need_date),
            (DATE, DATE + datetime.timedelta(days=3)))
        # the screws: 30 of the 40 for the chairs (10 on hand), 70 over
        screw, = [s for s in planner.suggestions if s.product == 2]
        (demand, quantity), = screw.pegs
        self.assertEqual((quantity, demand.top), (30.0, 'sale.line,0'))

    def test_outside_horizon(self):
        "Demand before D counts at D, after D + H it is ignored"
        zero = Fraction(0)
        base = {'safety': zero, 'lot': 'lot_for_lot', 'period': 1,
            'minimum': zero, 'multiple': zero, 'supplier_minimum': zero,
            'lead': 2, 'on_hand': zero, 'rounding': Fraction(1),
            'supply': 'purchase'}
        factory = Factory({0: base}, {}, [
                (0, DATE - datetime.timedelta(days=4), Fraction(3)),
                (0, DATE + datetime.timedelta(days=7), Fraction(5)),
                (0, DATE + datetime.timedelta(days=8), Fraction(9)),
                ], [], 7)
        planner = self.compare(factory)
        self.assertEqual(sorted((s.need_date, s.quantity, s.late)
                for s in planner.suggestions),
            [(DATE, 3.0, True), (DATE + datetime.timedelta(days=7), 5.0,
                    False)])


# --- the run in the database ---

def create_products(*specs):
    """Create goods in Unit from (code, values) and return them by code"""
    pool = Pool()
    Uom = pool.get('product.uom')
    Template = pool.get('product.template')
    unit, = Uom.search([('name', '=', 'Unit')])
    templates = Template.create([dict({
                    'name': code, 'code': code, 'type': 'goods',
                    'default_uom': unit.id, 'purchase_uom': unit.id,
                    'products': [('create', [{}])],
                    }, **values) for code, values in specs])
    return {t.code: t.products[0] for t in templates}, unit


def create_bom(product, inputs, unit):
    pool = Pool()
    BOM = pool.get('production.bom')
    Product = pool.get('product.product')
    bom, = BOM.create([{
                'name': product.code,
                'inputs': [('create', [{
                                'product': i.id, 'quantity': q,
                                'unit': unit.id,
                                } for i, q in inputs])],
                'outputs': [('create', [{
                                'product': product.id, 'quantity': 1,
                                'unit': unit.id,
                                }])],
                }])
    Product.write([product], {'boms': [('create', [{'bom': bom.id}])]})
    return bom


def create_demand(product, unit, quantity, days, company):
    "A draft move of quantity from the warehouse to the customers"
    pool = Pool()
    Location = pool.get('stock.location')
    Move = pool.get('stock.move')
    warehouse, = Location.search([('code', '=', 'WH')])
    customer, = Location.search([('code', '=', 'CUS')])
    move, = Move.create([{
                'product': product.id, 'unit': unit.id,
                'quantity': quantity,
                'from_location': warehouse.output_location.id,
                'to_location': customer.id,
                'planned_date': DATE + datetime.timedelta(days=days),
                'company': company.id, 'unit_price': Decimal(1),
                'currency': company.currency.id,
                }])
    return move


def count(model, where=''):
    "The rows of the table of model (SQL, bypassing the ORM)"
    table = Pool().get(model)._table
    cursor = Transaction().connection.cursor()
    cursor.execute('SELECT COUNT(*) FROM "%s" %s' % (table, where))
    return cursor.fetchone()[0]


class ProductionMRPTestCase(CompanyTestMixin, ModuleTestCase):
    "Test Production MRP module"
    module = 'production_mrp'
    extras = ['sale']

    def _factory(self, company):
        "A (made) of B (bought) of which 10 are sold on day 5"
        products, unit = create_products(
            ('A', {'producible': True}),
            ('B', {'purchasable': True, 'producible': True}))
        create_bom(products['A'], [(products['B'], 2)], unit)
        create_demand(products['A'], unit, 10, 5, company)
        Location = Pool().get('stock.location')
        warehouse, = Location.search([('code', '=', 'WH')])
        return products, unit, warehouse

    @with_transaction()
    def test_plan(self):
        "A run suggests A and twice as many B"
        pool = Pool()
        Run = pool.get('production.mrp.run')
        company = create_company()
        with set_company(company):
            products, _, warehouse = self._factory(company)
            run = Run(Run.plan(warehouse.id, 30, DATE))
            self.assertEqual(run.state, 'done')
            self.assertEqual(sorted((s.kind, s.product.code, s.quantity)
                    for s in run.suggestions),
                [('production', 'A', 10.0), ('purchase', 'B', 20.0)])
            a, = [s for s in run.suggestions if s.product.code == 'A']
            peg, = a.pegs
            self.assertEqual(peg.quantity, 10.0)

    @with_transaction()
    def test_cyclic_bom(self):
        "A cycle is refused with the cycle named, and no suggestion written"
        pool = Pool()
        Run = pool.get('production.mrp.run')
        Kitting = pool.get('production.kitting')
        Input = pool.get('production.bom.input')
        company = create_company()
        with set_company(company):
            products, unit, warehouse = self._factory(company)
            c, = create_products(('C', {'producible': True}))[0].values()
            bom_b = create_bom(products['B'], [(c, 1)], unit)
            pool.get('product.template').write([products['B'].template],
                {'mrp_supply_method': 'produce'})
            input_ = Input.__table__()
            cursor = Transaction().connection.cursor()
            # the ORM cannot make a cycle: C uses A through SQL
            bom_c = create_bom(c, [], unit)
            cursor.execute(*input_.insert(
                    [input_.bom, input_.product, input_.quantity,
                        input_.unit],
                    [[bom_c.id, products['A'].id, 1, unit.id]]))
            Kitting._bom_graph_cache.clear()
            self.assertTrue(bom_b.id)
            with self.assertRaises(MRPError) as context:
                Run.plan(warehouse.id, 30, DATE)
            message = context.exception.message
            self.assertIn('cycle', message)
            self.assertRegex(message,
                r'A → B → C → A|B → C → A → B|C → A → B → C')
            self.assertEqual(count('production.mrp.suggestion'), 0)
            self.assertEqual(count('production.mrp.peg'), 0)
            self.assertEqual(count('production.mrp.run', "WHERE state = "
                    "'done'"), 0)

    @with_transaction()
    def test_plan_bad_arguments(self):
        "Bad horizon or warehouse: a clear error, no run created"
        pool = Pool()
        Run = pool.get('production.mrp.run')
        company = create_company()
        with set_company(company):
            _, _, warehouse = self._factory(company)
            storage = warehouse.storage_location
            for args, words in [
                    ((warehouse.id, -1), ['horizon', '-1']),
                    ((warehouse.id, 3661), ['horizon', '3661']),
                    ((warehouse.id, 'abc'), ['horizon', 'abc']),
                    ((warehouse.id, 1.5), ['horizon', '1.5']),
                    ((storage.id,), ['warehouse_id', str(storage.id)]),
                    ((999999,), ['warehouse_id', '999999']),
                    (('WH',), ['warehouse_id', 'WH']),
                    ((warehouse.id, 10, 'tomorrow'), ['date', 'tomorrow']),
                    ]:
                with self.subTest(args=args):
                    with self.assertRaises(UserError) as context:
                        Run.plan(*args)
                    for word in words:
                        self.assertIn(word, context.exception.message)
                    self.assertEqual(count('production.mrp.run'), 0)
            self.assertEqual(count('production.mrp.suggestion'), 0)

    @with_transaction()
    def test_rerun_keeps_firm(self):
        "A rerun replaces the proposed suggestions and keeps the firm ones"
        pool = Pool()
        Run = pool.get('production.mrp.run')
        Suggestion = pool.get('production.mrp.suggestion')
        company = create_company()
        with set_company(company):
            _, _, warehouse = self._factory(company)
            run1 = Run(Run.plan(warehouse.id, 30, DATE))
            b, = [s for s in run1.suggestions if s.product.code == 'B']
            Suggestion.firm([b])
            for _ in range(2):
                run = Run(Run.plan(warehouse.id, 30, DATE))
                # the firm 20 B count as a receipt: only A is suggested
                self.assertEqual([s.product.code for s in run.suggestions],
                    ['A'])
            where = "WHERE warehouse = %s AND state = '%%s'" % warehouse.id
            self.assertEqual(count('production.mrp.suggestion',
                    where % 'firm'), 1)
            self.assertEqual(count('production.mrp.suggestion',
                    where % 'proposed'), 1)
            self.assertEqual(count('production.mrp.suggestion',
                    "WHERE run = %s" % run1.id), 1)
            self.assertEqual(count('production.mrp.peg',
                    "WHERE run = %s AND suggestion != %s" % (
                        run1.id, b.id)), 0)
            self.assertEqual(count('production.mrp.run'), 3)

    @with_transaction()
    def test_released_closed(self):
        "A released suggestion cannot be deleted, nor created, from outside"
        pool = Pool()
        Run = pool.get('production.mrp.run')
        Suggestion = pool.get('production.mrp.suggestion')
        Request = pool.get('purchase.request')
        company = create_company()
        with set_company(company):
            _, _, warehouse = self._factory(company)
            run = Run(Run.plan(warehouse.id, 30, DATE))
            b, = [s for s in run.suggestions if s.product.code == 'B']
            Suggestion.release([b])
            self.assertEqual(b.state, 'released')
            request, = Request.search([])
            self.assertEqual((request.quantity, b.document),
                (20.0, request))
            with Transaction().set_context(_check_access=True):
                # neither its fields nor its state: it could be released
                # twice
                for values in [{'quantity': 5}, {'state': 'proposed'},
                        {'state': 'firm'}, {'document': None}]:
                    with self.assertRaises(UserError):
                        Suggestion.write([b], values)
                with self.assertRaises(UserError):
                    Suggestion.delete([b])
                with self.assertRaises(UserError):
                    Suggestion.create([{
                                'company': company.id,
                                'warehouse': warehouse.id,
                                'kind': 'purchase', 'product': b.product.id,
                                'quantity': 1, 'unit': b.unit.id,
                                'start_date': DATE, 'need_date': DATE,
                                }])
            b = Suggestion(b.id)
            self.assertEqual((b.quantity, b.state), (20.0, 'released'))


del ModuleTestCase
