# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import random
from decimal import Decimal

from trytond.modules.company.tests import CompanyTestMixin
from trytond.modules.production_costing.allocation import (
    allocate, split_wip)
from trytond.tests.test_tryton import ModuleTestCase


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

    def test_split_wip(self):
        "Finished and closing WIP add up to the total"
        self.assertEqual(split_wip(Decimal(900), 100, 50),
            (Decimal('600.00'), Decimal('300.00')))
        self.assertEqual(split_wip(Decimal(900), 0, 50),
            (Decimal(0), Decimal('900.00')))
        rng = random.Random(9)
        for _ in range(1000):
            total = Decimal(rng.randint(0, 10 ** 8)) / 100
            finished, cost = (Decimal(rng.randint(0, 500)),
                Decimal(rng.randint(0, 500)) / 7)
            self.assertEqual(sum(split_wip(total, finished, cost)), total)


del ModuleTestCase
