# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.modules.company.tests import CompanyTestMixin
from trytond.tests.test_tryton import ModuleTestCase

from .test_bom_query import (  # noqa: F401
    BOMCostActualTestCase, BOMQueryTestMixin)
from .test_change import BOMChangeTestMixin


class ProductionBomEngineeringTestCase(
        BOMQueryTestMixin, BOMChangeTestMixin, CompanyTestMixin,
        ModuleTestCase):
    "Test Production BOM Engineering module"
    module = 'production_bom_engineering'


del ModuleTestCase
