# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.modules.company.tests import CompanyTestMixin
from trytond.tests.test_tryton import ModuleTestCase


class ProductionPickingTestCase(CompanyTestMixin, ModuleTestCase):
    "Test Production Picking module"
    module = 'production_picking'
    extras = ['quality_gate', 'production_material_return']


del ModuleTestCase
