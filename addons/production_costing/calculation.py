# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""One calculation of a cost period: read the period's activity in a few
set-based queries, allocate the pools, roll the orders up level by level
and write the results."""
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from sql import Null

from trytond.i18n import gettext
from trytond.modules.product import round_price
from trytond.pool import Pool
from trytond.transaction import Transaction

from .allocation import allocate, cents, split_wip
from .exceptions import AllocationError


def _decimal(value):
    "A number read by SQL as Decimal (SQLite gives Numeric as bytes)"
    if isinstance(value, bytes):
        value = value.decode()
    return Decimal(str(value or 0))


MONEY = ['opening_wip', 'material', 'labour', 'overhead', 'subcontract',
    'byproduct_credit', 'closing_wip', 'finished_cost']


class Order:
    "What one production order did in the period"

    def __init__(self, production_id):
        self.id = production_id
        # product id: [net quantity, value at the moves' cost]
        self.components = defaultdict(lambda: [Decimal(0), Decimal(0)])
        # (move id, product id, internal quantity, quantity)
        self.outputs = []
        self.labour = self.hours = Decimal(0)
        self.subcontract = self.opening = Decimal(0)
        self.overhead = Decimal(0)
        self.allocations = []
        self.level = 0

    def add_component(self, product, quantity, value):
        self.components[product][0] += quantity
        self.components[product][1] += value

    @property
    def base_material(self):
        "The material at the moves' cost (the base of material pools)"
        return sum((cents(v) for _, v in self.components.values()),
            Decimal(0))


class Calculation:
    "The engine behind the calculate button of a cost period"

    def __init__(self, period):
        self.period = period
        self.orders = {}
        self.unit_costs = {}
        self.results = []
        self.prices = {}
        self._output_prices = {}

    def order(self, production_id):
        if production_id not in self.orders:
            self.orders[production_id] = Order(production_id)
        return self.orders[production_id]

    def run(self):
        self.read_inputs()
        self.read_returns()
        self.read_outputs()
        self.read_cycles()
        self.read_hours()
        self.read_subcontract()
        self.read_opening()
        self.read_productions()
        self.allocate_pools()
        for level in self.levels():
            self.cost_level(level)
        return self.results

    def _move_where(self, move):
        period = self.period
        return ((move.state == 'done')
            & (move.company == period.company.id)
            & (move.effective_date >= period.start_date)
            & (move.effective_date <= period.end_date))

    def read_inputs(self):
        "Material issued: the done input moves at their cost"
        move = Pool().get('stock.move').__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*move.select(
                move.production_input, move.product, move.internal_quantity,
                move.cost_price,
                where=self._move_where(move)
                & (move.production_input != Null)))
        for production, product, quantity, cost in cursor:
            quantity = _decimal(quantity)
            self.order(production).add_component(
                product, quantity, quantity * _decimal(cost))

    def read_returns(self):
        """Material returned: done moves whose origin is the order, at the
        average cost of its issues in the period"""
        move = Pool().get('stock.move').__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*move.select(
                move.origin, move.product, move.internal_quantity,
                move.cost_price,
                where=self._move_where(move)
                & (move.production_input == Null)
                & (move.production_output == Null)
                & move.origin.like('production,%')))
        for origin, product, quantity, cost in cursor.fetchall():
            order = self.order(int(origin.split(',')[1]))
            issued, value = order.components.get(product, (0, 0))
            cost = value / issued if issued else _decimal(cost)
            quantity = _decimal(quantity)
            order.add_component(product, -quantity, -quantity * cost)

    def read_outputs(self):
        "What the orders finished in the period"
        move = Pool().get('stock.move').__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*move.select(
                move.id, move.production_output, move.product,
                move.internal_quantity, move.quantity,
                where=self._move_where(move)
                & (move.production_output != Null)))
        for id_, production, product, internal, quantity in cursor:
            self.order(production).outputs.append(
                (id_, product, _decimal(internal), _decimal(quantity)))

    def _datetimes(self):
        start = dt.datetime.combine(self.period.start_date, dt.time())
        end = dt.datetime.combine(
            self.period.end_date + dt.timedelta(days=1), dt.time())
        return start, end

    def read_cycles(self):
        "Labour: the work cycles done in the period, duration and cost"
        Cycle = Pool().get('production.work.cycle')
        start, end = self._datetimes()
        cycles = Cycle.search([
                ('state', '=', 'done'),
                ('work.production.company', '=', self.period.company.id),
                ['OR',
                    [('write_date', '>=', start), ('write_date', '<', end)],
                    [('write_date', '=', None),
                        ('create_date', '>=', start),
                        ('create_date', '<', end)],
                    ]])
        for cycle in cycles:
            order = self.order(cycle.work.production.id)
            order.labour += cycle.cost or 0
            seconds = (cycle.duration or dt.timedelta()).total_seconds()
            order.hours += _decimal(seconds) / 3600

    def read_hours(self):
        "Labour: the hours entered or imported per order, at their rate"
        for line in self.period.cost_hours:
            order = self.order(line.production.id)
            order.hours += line.hours
            order.labour += line.hours * line.rate

    def read_subcontract(self):
        "The processing fees of the orders' service purchases"
        pool = Pool()
        Line = pool.get('purchase.line')
        Currency = pool.get('currency.currency')
        period = self.period
        lines = Line.search([
                ('production', '!=', None),
                ('purchase.company', '=', period.company.id),
                ('purchase.state', 'in', ['processing', 'done']),
                ('purchase.purchase_date', '>=', period.start_date),
                ('purchase.purchase_date', '<=', period.end_date),
                ])
        for line in lines:
            self.order(line.production.id).subcontract += Currency.compute(
                line.purchase.currency, line.amount or 0,
                period.company.currency)

    def read_opening(self):
        "The closing work in process of the company's previous period"
        previous = self.period.previous()
        for result in (previous.results if previous else []):
            if result.closing_wip:
                self.order(result.production.id).opening = (
                    result.closing_wip)

    def read_productions(self):
        "The orders' product, quantity and work in process at the end"
        pool = Pool()
        Production = pool.get('production')
        Uom = pool.get('product.uom')
        finished = self._finished_to_date()
        end = self.period.end_date
        for production in Production.browse(list(self.orders)):
            order = self.orders[production.id]
            order.production = production
            product = production.product
            order.finished = sum((q for _, p, q, _ in order.outputs
                    if product and p == product.id), Decimal(0))
            order.wip = Decimal(0)
            if product and not (production.state == 'done'
                    and production.effective_date
                    and production.effective_date <= end):
                planned = _decimal(Uom.compute_qty(production.unit,
                        production.quantity or 0, product.default_uom))
                order.wip = max(planned - finished[production.id], 0)
            completion = production.cost_completion or Decimal(0)
            order.equivalent = order.wip * completion / 100
            order.units = order.finished + order.equivalent

    def _finished_to_date(self):
        "The main product finished by each order up to the period's end"
        pool = Pool()
        Move = pool.get('stock.move')
        Production = pool.get('production')
        move = Move.__table__()
        production = Production.__table__()
        cursor = Transaction().connection.cursor()
        result = defaultdict(Decimal)
        for sub_ids in _slices(list(self.orders)):
            cursor.execute(*move.join(production,
                    condition=move.production_output == production.id
                    ).select(move.production_output, move.internal_quantity,
                    where=(move.state == 'done')
                    & (move.product == production.product)
                    & (move.effective_date <= self.period.end_date)
                    & move.production_output.in_(sub_ids)))
            for production_id, quantity in cursor:
                result[production_id] += _decimal(quantity)
        return result

    def allocate_pools(self):
        "Spread each pool over the orders of its workshop to the cent"
        for pool_ in self.period.pools:
            weights = {o.id: pool_.weight(o) for o in self.scope(pool_)}
            weights = {k: w for k, w in weights.items() if w}
            amounts = allocate(pool_.amount or 0, weights)
            if amounts is None:
                raise AllocationError(gettext(
                        'production_costing.msg_pool_no_base',
                        pool=pool_.rec_name, period=self.period.rec_name,
                        base=pool_.base_string))
            for order_id, amount in amounts.items():
                order = self.orders[order_id]
                order.overhead += amount
                order.allocations.append(
                    (pool_.id, weights[order_id], amount))

    def scope(self, pool_):
        "The orders a pool is allocated over: those of its workshop"
        centers = pool_.workshop_centers()
        return [o for o in self.orders.values()
            if centers is None
            or (o.production.work_center
                and o.production.work_center.id in centers)]

    def levels(self):
        "The orders by level: an order after those making its components"
        makers = defaultdict(set)
        for order in self.orders.values():
            for _, product, _, _ in order.outputs:
                makers[product].add(order.id)
        levels = {}

        def level(order_id, seen=()):
            if order_id not in levels:
                order = self.orders[order_id]
                below = {m for p in order.components for m in makers[p]
                    if m != order_id and m not in seen}
                levels[order_id] = 1 + max((level(m, seen + (order_id,))
                        for m in below), default=-1)
            return levels[order_id]
        result = defaultdict(list)
        for order_id in sorted(self.orders):
            self.orders[order_id].level = level(order_id)
            result[levels[order_id]].append(self.orders[order_id])
        return [result[k] for k in sorted(result)]

    def cost_level(self, orders):
        "Cost the orders of one level, then price what they made"
        made = defaultdict(lambda: [Decimal(0), Decimal(0)])
        for order in orders:
            result, outputs = self.cost_order(order)
            self.results.append(result)
            for output in outputs:
                if output['kind'] == 'joint':
                    made[output['product']][0] += output['quantity']
                    made[output['product']][1] += output['cost']
        for product, (quantity, cost) in made.items():
            if quantity:
                self.unit_costs[product] = round_price(cost / quantity)

    def material_lines(self, order):
        "The components at their cost, made ones at their actual cost"
        lines = []
        for product, (quantity, value) in sorted(order.components.items()):
            if product in self.unit_costs:
                value = quantity * self.unit_costs[product]
            lines.append({
                    'product': product,
                    'quantity': float(quantity),
                    'amount': cents(value),
                    })
        return lines

    def output_lines(self, order, finished_cost):
        "The joint products share the finished cost, by-products first"
        lines, weights, quantities = self.byproduct_lines(order)
        shares = allocate(finished_cost, weights)
        if shares is None and finished_cost and weights:
            production = order.production
            raise AllocationError(gettext(
                    'production_costing.msg_joint_no_weight',
                    production=production.rec_name, cost=finished_cost,
                    split=production.bom.cost_joint_split_string))
        for product, cost in sorted((shares or {}).items()):
            lines.append(_output(product, quantities[product], 'joint',
                    cost))
        return lines

    def byproduct_lines(self, order):
        "The by-products at their fixed cost, the weights of the joint ones"
        prices = self.output_prices(order.production)
        lines, weights, quantities = [], {}, defaultdict(Decimal)
        for _, product, quantity, _ in order.outputs:
            quantities[product] += quantity
        for product, quantity in sorted(quantities.items()):
            weight, byproduct_price = prices.get(product, (1, None))
            if byproduct_price is not None:
                lines.append(_output(product, quantity, 'byproduct',
                        cents(quantity * byproduct_price)))
            else:
                weights[product] = quantity * _decimal(weight)
        return lines, weights, quantities

    def output_prices(self, production):
        "The production's cost_output_prices, read once a BOM"
        key = production.bom.id if production.bom else None
        if key not in self._output_prices:
            self._output_prices[key] = production.cost_output_prices()
        return self._output_prices[key]

    def cost_order(self, order):
        "The result of one order: its elements, finished and WIP"
        values = self.elements(order)
        total = (values['opening_wip'] + values['material']
            + values['labour'] + values['overhead'] + values['subcontract']
            - values['byproduct_credit'])
        finished_cost, values['closing_wip'] = split_wip(
            total, order.finished, order.equivalent, bool(order.wip))
        outputs = self.output_lines(order, finished_cost)
        self.price_outputs(order, outputs)
        quantity = sum((o['quantity'] for o in outputs
                if o['kind'] == 'joint'), Decimal(0))
        values.update({
                'finished_quantity': float(quantity),
                'finished_cost': finished_cost,
                'unit_cost': (round_price(finished_cost / quantity)
                    if quantity else None),
                })
        return self._result(order, outputs, values)

    def elements(self, order):
        "What the order took in the period, element by element"
        materials = self.material_lines(order)
        production = order.production
        return {
            'production': order.id,
            'product': production.product.id if production.product else None,
            'level': order.level,
            'opening_wip': order.opening,
            'material': sum((m['amount'] for m in materials), Decimal(0)),
            'labour': cents(order.labour),
            'hours': order.hours.quantize(Decimal('0.01')),
            'overhead': order.overhead,
            'subcontract': cents(order.subcontract),
            'byproduct_credit': sum((o['cost']
                    for o in self.output_lines(order, 0)
                    if o['kind'] == 'byproduct'), Decimal(0)),
            'wip_quantity': float(order.wip),
            'equivalent_quantity': float(order.equivalent),
            'materials': materials,
            }

    def _result(self, order, outputs, values):
        for name in MONEY:
            values[name] = cents(values[name])
        values['outputs'] = [
            dict(o, quantity=float(o['quantity'])) for o in outputs]
        values['allocations'] = [{'pool': p, 'base': w, 'amount': a}
            for p, w, a in order.allocations]
        return values, outputs

    def price_outputs(self, order, outputs):
        "The unit price of each output move from its product's cost"
        units = {o['product']: o['unit_cost'] for o in outputs}
        for move_id, product, internal, quantity in order.outputs:
            if units.get(product) is not None and quantity:
                self.prices[move_id] = round_price(
                    units[product] * internal / quantity)


def _output(product, quantity, kind, cost):
    return {
        'product': product,
        'quantity': quantity,
        'kind': kind,
        'cost': cents(cost),
        'unit_cost': round_price(cost / quantity) if quantity else None,
        }


def _slices(ids, size=1000):
    for i in range(0, len(ids), size):
        yield ids[i:i + size]
