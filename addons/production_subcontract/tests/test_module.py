# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.modules.company.tests import CompanyTestMixin
from trytond.tests.test_tryton import ModuleTestCase


class ProductionSubcontractTestCase(CompanyTestMixin, ModuleTestCase):
    "Test Production Subcontract module"
    module = 'production_subcontract'


del ModuleTestCase
