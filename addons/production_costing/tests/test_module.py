# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import random
from decimal import Decimal

import datetime as dt

from trytond.modules.company.tests import (
    CompanyTestMixin, create_company, set_company)
from trytond.modules.production_costing.allocation import (
    allocate, split_wip)
from trytond.modules.production_costing.calculation import (
    Calculation, Order)
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction


class ProductionCostingTestCase(CompanyTestMixin, ModuleTestCase):
    "Test Production Costing module"
    module = 'production_costing'

    def test_allocate_worked_example(self):
        "1,000.00 by hours 5/3/2 is 500.00/300.00/200.00"
        self.assertEqual(
            allocate(Decimal('1000'), {1: Decimal(5), 2: Decimal(3),
                    3: Decimal(2)}),
            {1: Decimal('500.00'), 2: Decimal('300.00'),
                3: Decimal('200.00')})

    def test_allocate_largest_remainder(self):
        "100.00 over three equal weights: the odd cent to the first"
        self.assertEqual(
            allocate(Decimal(100), {1: 1, 2: 1, 3: 1}),
            {1: Decimal('33.34'), 2: Decimal('33.33'), 3: Decimal('33.33')})

    def test_allocate_zero_base(self):
        "Nothing to allocate by gives None"
        self.assertIsNone(allocate(Decimal(10), {1: 0, 2: 0}))

    def test_allocate_sum_random(self):
        "The allocations add up to the pool on random inputs"
        rng = random.Random(19)
        for _ in range(2000):
            amount = Decimal(rng.randint(-10 ** 7, 10 ** 7)) / 100
            weights = {i: Decimal(rng.randint(0, 10 ** 6)) / 1000
                for i in range(rng.randint(1, 30))}
            if not any(weights.values()):
                continue
            parts = allocate(amount, weights)
            self.assertEqual(sum(parts.values()), amount)
            total = sum(weights.values())
            for key, part in parts.items():
                self.assertLess(
                    abs(part - amount * weights[key] / total),
                    Decimal('0.01'))

    def test_split_material_input(self):
        "10 started, 4 finished, 6 in process at 50 %: material 600.00"
        def split(material_input, opening=0, opening_material=0):
            order = Order(1)
            order.finished, order.wip, order.equivalent = (
                Decimal(4), Decimal(6), Decimal(3))
            order.material_input = material_input
            order.opening_material = Decimal(opening_material)
            values = {'opening_wip': Decimal(opening),
                'material': Decimal(600), 'labour': Decimal(70),
                'overhead': Decimal(0), 'subcontract': Decimal(0),
                'byproduct_credit': Decimal(0)}
            finished = Calculation.split(order, values)
            return (finished, values['closing_wip'],
                values['closing_wip_material'])
        # at the start: 240.00 / 360.00, labour 40.00 / 30.00
        self.assertEqual(split('start'), (Decimal('280.00'),
                Decimal('390.00'), Decimal('360.00')))
        # by completion: 600 x 4 / 7 = 342.86 / 257.14
        self.assertEqual(split('completion'), (Decimal('382.86'),
                Decimal('287.14'), Decimal('257.14')))
        # an opening WIP of 100.00 of which 50.00 material: 650.00 of
        # material split 4 : 6 (260.00 / 390.00), 120.00 of the rest 4 : 3
        self.assertEqual(split('start', 100, 50), (Decimal('328.57'),
                Decimal('441.43'), Decimal('390.00')))

    def test_split_wip(self):
        "Finished and closing WIP add up to the total"
        self.assertEqual(split_wip(Decimal(900), 100, 50),
            (Decimal('600.00'), Decimal('300.00')))
        self.assertEqual(split_wip(Decimal(900), 0, 50),
            (Decimal(0), Decimal('900.00')))
        # started, nothing done yet (0 %): all stays in process
        self.assertEqual(split_wip(Decimal(900), 0, 0),
            (Decimal(0), Decimal('900.00')))
        # nothing in process: all is finished
        self.assertEqual(split_wip(Decimal(900), 10, 0, False),
            (Decimal('900.00'), Decimal(0)))
        rng = random.Random(9)
        for _ in range(1000):
            total = Decimal(rng.randint(0, 10 ** 8)) / 100
            finished, cost = (Decimal(rng.randint(0, 500)),
                Decimal(rng.randint(0, 500)) / 7)
            self.assertEqual(sum(split_wip(total, finished, cost)), total)


    def _random_orders(self, rng, count):
        "Orders of random size and completion, some done, some running"
        pool = Pool()
        BOM = pool.get('production.bom')
        Location = pool.get('stock.location')
        Production = pool.get('production')
        Template = pool.get('product.template')
        Uom = pool.get('product.uom')
        unit, = Uom.search([('name', '=', "Unit")])

        def product(name, cost):
            template, = Template.create([dict(name=name, type='goods',
                        default_uom=unit.id, producible=True,
                        products=[('create', [{'cost_price': cost}])])])
            return template.products[0]
        component = product("Component", Decimal('3.3333'))
        finished = product("Finished", 0)
        bom, = BOM.create([{'name': "Finished",
                    'inputs': [('create', [{'product': component.id,
                                    'quantity': 3, 'unit': unit.id}])],
                    'outputs': [('create', [{'product': finished.id,
                                    'quantity': 1, 'unit': unit.id}])],
                    }])
        warehouse, = Location.search([('type', '=', 'warehouse')])
        productions = []
        for _ in range(count):
            production = Production(warehouse=warehouse,
                location=warehouse.production_location, product=finished,
                bom=bom, quantity=rng.randint(1, 97), unit=unit,
                cost_completion=Decimal(rng.randint(0, 100)))
            production.explode_bom()
            productions.append(production)
        Production.save(productions)
        Production.wait(productions)
        Production.assign_force(productions)
        Production.run(productions)
        Production.do([p for p in productions if rng.random() < 0.6])
        return productions

    @with_transaction()
    def test_calculate_random_factory(self):
        "Random orders and pools: conserved per order, pools to the cent"
        pool = Pool()
        Period = pool.get('production.cost.period')
        rng = random.Random(1919)
        company = create_company()
        with set_company(company):
            productions = self._random_orders(rng, 12)
            today = dt.date.today()
            period, = Period.create([{
                        'company': company.id,
                        'start_date': today.replace(day=1),
                        'end_date': today + dt.timedelta(days=1),
                        'pools': [('create', [{
                                        'amount': Decimal(
                                            rng.randint(1, 10 ** 7)) / 100,
                                        'base': base,
                                        'coefficients': [('create', [{
                                                        'product': productions[
                                                            0].product.id,
                                                        'coefficient': 2,
                                                        }])],
                                        }
                                    for base in ['quantity', 'material',
                                        'coefficient']])],
                        }])
            Period.calculate([period])
            period = Period(period.id)
            self.assertEqual(len(period.results), 12)
            for result in period.results:
                self.assertEqual(result.total_in,
                    result.finished_cost + result.closing_wip)
            for pool_ in period.pools:
                self.assertEqual(
                    sum(a.amount for a in pool_.allocations), pool_.amount)
            coefficient, = [p for p in period.pools
                if p.base == 'coefficient']
            for allocation in coefficient.allocations:
                result = allocation.result
                self.assertAlmostEqual(float(allocation.base), 2 * (
                        result.finished_quantity
                        + result.equivalent_quantity), places=4)
            before = [(r.id, r.material, r.overhead, r.closing_wip,
                    r.finished_cost) for r in period.results]
            Period.calculate([period])
            self.assertEqual([(r.id, r.material, r.overhead, r.closing_wip,
                        r.finished_cost) for r in Period(period.id).results],
                before)


del ModuleTestCase
