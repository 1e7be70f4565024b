# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""One calculation of a cost period: read the period's activity in a few
set-based queries, allocate the pools, roll the orders up level by level
and write the results."""
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from sql import Null
from sql.aggregate import Count, Sum
from sql.conditionals import Case, Coalesce

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
    'byproduct_credit', 'closing_wip', 'closing_wip_material',
    'finished_cost', 'booked_cost', 'cost_variance']


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
        self.overhead = self.opening_material = Decimal(0)
        # the outputs at the unit price Tryton gave them at do
        self.booked = Decimal(0)
        # how the material of the order's product is put in
        self.material_input = 'start'
        self.allocations = []
        self.level = 0
        # ids of the order's product, BOM and work centre
        self.product = self.bom = self.work_center = None

    def add_component(self, product, quantity, value):
        self.components[product][0] += quantity
        self.components[product][1] += value

    def add_output(self, move, product, internal, quantity, booked_price):
        "An output move done in the period, at the price booked at its do"
        quantity = _decimal(quantity)
        self.outputs.append((move, product, _decimal(internal), quantity))
        self.booked += quantity * _decimal(booked_price)

    @property
    def material_equivalent(self):
        "The units in process for material: all of them when put in at start"
        if self.material_input == 'completion':
            return self.equivalent
        return self.wip

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
        self.read_output_prices()
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
                Coalesce(move.cost_booked_price, move.unit_price),
                where=self._move_where(move)
                & (move.production_output != Null)))
        for id_, production, product, internal, quantity, price in cursor:
            self.order(production).add_output(
                id_, product, internal, quantity, price)

    def _datetimes(self):
        start = dt.datetime.combine(self.period.start_date, dt.time())
        end = dt.datetime.combine(
            self.period.end_date + dt.timedelta(days=1), dt.time())
        return start, end

    def read_cycles(self):
        "Labour: the work cycles done in the period, duration and cost"
        pool = Pool()
        cycle = pool.get('production.work.cycle').__table__()
        work = pool.get('production.work').__table__()
        production = pool.get('production').__table__()
        start, end = self._datetimes()
        date = Coalesce(cycle.write_date, cycle.create_date)
        cursor = Transaction().connection.cursor()
        cursor.execute(*cycle.join(work, condition=cycle.work == work.id
                ).join(production, condition=work.production == production.id
                ).select(work.production, cycle.cost, cycle.duration,
                where=(cycle.state == 'done')
                & (production.company == self.period.company.id)
                & (date >= start) & (date < end)))
        for production_id, cost, duration in cursor:
            order = self.order(production_id)
            order.labour += _decimal(cost)
            order.hours += _decimal(_seconds(duration)) / 3600

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
                order = self.order(result.production.id)
                order.opening = result.closing_wip
                order.opening_material = result.closing_wip_material or 0

    def read_productions(self):
        "The orders' product, quantity and work in process at the end"
        finished = self._finished_to_date()
        uoms = {}
        rows = list(self._production_rows())
        reached = self._steps_reached([r[0] for r in rows
                if r[1] and not r[4] and r[8] is None])
        for row in rows:
            order = self.orders[row[0]]
            (_, order.product, order.bom, order.work_center, done, unit,
                quantity, uom, completion, material_input) = row
            order.material_input = material_input or 'start'
            order.finished = sum((q for _, p, q, _ in order.outputs
                    if p == order.product), Decimal(0))
            order.wip = Decimal(0)
            if order.product and not done:
                planned = _decimal(self._convert(
                        uoms, unit, quantity or 0, uom))
                order.wip = max(planned - finished[order.id], 0)
            if completion is None:
                completion = reached.get(order.id)
            order.equivalent = order.wip * _decimal(completion) / 100
            order.units = order.finished + order.equivalent

    def _production_rows(self):
        """(id, product, BOM, work centre, done by the period's end, unit,
        quantity, product's unit, completion %, material input) of the
        orders"""
        pool = Pool()
        production = pool.get('production').__table__()
        product = pool.get('product.product').__table__()
        template = pool.get('product.template').__table__()
        cursor = Transaction().connection.cursor()
        done = ((production.state == 'done')
            & (production.effective_date <= self.period.end_date))
        for sub_ids in _slices(sorted(self.orders)):
            cursor.execute(*production.join(product, 'LEFT',
                    condition=production.product == product.id
                    ).join(template, 'LEFT',
                    condition=product.template == template.id
                    ).select(production.id, production.product,
                    production.bom, production.work_center, done,
                    production.unit, production.quantity,
                    template.default_uom, production.cost_completion,
                    template.cost_material_input,
                    where=production.id.in_(sub_ids)))
            for row in cursor.fetchall():
                yield row[:4] + (bool(row[4]),) + row[5:]

    @staticmethod
    def _steps_reached(production_ids):
        """Production id: the completion % of the routing step reached, the
        share of the order's works finished (or done)"""
        work = Pool().get('production.work').__table__()
        cursor = Transaction().connection.cursor()
        finished = Sum(Case((work.state.in_(['finished', 'done']), 1),
                else_=0))
        result = {}
        for sub_ids in _slices(sorted(production_ids)):
            cursor.execute(*work.select(work.production, Count(work.id),
                    finished, where=work.production.in_(sub_ids),
                    group_by=[work.production]))
            result.update((i, Decimal(d) * 100 / n)
                for i, n, d in cursor if n)
        return result

    @staticmethod
    def _convert(uoms, unit, quantity, uom):
        "Uom.compute_qty on ids, each unit browsed once"
        Uom = Pool().get('product.uom')
        uoms.update({i: Uom(i) for i in [unit, uom] if i not in uoms})
        return Uom.compute_qty(uoms[unit], quantity, uoms[uom])

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
            if centers is None or o.work_center in centers]

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
            production = Pool().get('production')(order.id)
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
        prices = self.output_prices(order)
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

    def output_prices(self, order):
        "Product id: (joint weight, by-product unit cost) of the order's BOM"
        return self._output_prices.get(order.bom, {})

    def read_output_prices(self):
        "The cost_output_prices of the orders' BOMs, read at once"
        rows = list(self._output_rows())
        list_prices = self._list_prices({r[1] for r in rows
                if r[2] == 'sales_value'})
        for bom, product, split, coefficient, byproduct in rows:
            if split == 'sales_value':
                weight = list_prices[product]
            else:
                weight = (_decimal(coefficient) if coefficient is not None
                    else Decimal(1))
            self._output_prices.setdefault(bom, {})[product] = (weight,
                _decimal(byproduct) if byproduct is not None else None)

    def _output_rows(self):
        """(BOM, product, joint split, coefficient, by-product unit cost)
        of the outputs of the orders' BOMs"""
        pool = Pool()
        bom = pool.get('production.bom').__table__()
        output = pool.get('production.bom.output').__table__()
        cursor = Transaction().connection.cursor()
        for sub_ids in _slices(sorted({o.bom for o in self.orders.values()
                        if o.bom})):
            cursor.execute(*output.join(bom, condition=output.bom == bom.id
                    ).select(output.bom, output.product,
                    bom.cost_joint_split, output.cost_coefficient,
                    output.cost_byproduct_price,
                    where=output.bom.in_(sub_ids) & (output.product != Null),
                    order_by=[output.bom, output.id]))
            yield from cursor.fetchall()

    @staticmethod
    def _list_prices(product_ids):
        "The list price used of the products, as BOMOutput.cost_weight"
        Product = Pool().get('product.product')
        return {p.id: p.list_price_used or Decimal(0)
            for p in Product.browse(sorted(product_ids))}

    def cost_order(self, order):
        "The result of one order: its elements, finished and WIP"
        values = self.elements(order)
        finished_cost = self.split(order, values)
        outputs = self.output_lines(order, finished_cost)
        self.price_outputs(order, outputs)
        quantity = sum((o['quantity'] for o in outputs
                if o['kind'] == 'joint'), Decimal(0))
        values.update({
                'finished_quantity': float(quantity),
                'finished_cost': finished_cost,
                'unit_cost': (round_price(finished_cost / quantity)
                    if quantity else None),
                'booked_cost': cents(order.booked),
                })
        values['cost_variance'] = (finished_cost + values['byproduct_credit']
            - values['booked_cost'])
        return self._result(order, outputs, values)

    @staticmethod
    def split(order, values):
        """Split the order's cost between finished and closing WIP (set in
        values): the material (with the opening WIP's) by the units in
        process for material, the rest by the equivalent units; the
        finished cost"""
        material = order.opening_material + values['material']
        rest = (values['opening_wip'] - order.opening_material
            + values['labour'] + values['overhead'] + values['subcontract']
            - values['byproduct_credit'])
        in_process = bool(order.wip)
        material_finished, values['closing_wip_material'] = split_wip(
            material, order.finished, order.material_equivalent, in_process)
        rest_finished, rest_wip = split_wip(
            rest, order.finished, order.equivalent, in_process)
        values['closing_wip'] = values['closing_wip_material'] + rest_wip
        return material_finished + rest_finished

    def elements(self, order):
        "What the order took in the period, element by element"
        materials = self.material_lines(order)
        return {
            'production': order.id,
            'product': order.product,
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
            'material_equivalent_quantity': float(
                order.material_equivalent),
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


def _seconds(duration):
    "The seconds of a duration read by SQL (SQLite gives a number)"
    if isinstance(duration, dt.timedelta):
        return duration.total_seconds()
    return float(duration or 0)


def _slices(ids, size=1000):
    for i in range(0, len(ids), size):
        yield ids[i:i + size]
