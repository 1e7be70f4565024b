# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.modules.company.tests import CompanyTestMixin
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction


class ProductionMaterialReturnTestCase(CompanyTestMixin, ModuleTestCase):
    "Test Production Material Return module"
    module = 'production_material_return'

    @with_transaction()
    def test_reasons(self):
        "The default reasons exist and the first one is the default"
        pool = Pool()
        Reason = pool.get('production.material.return.reason')
        Return = pool.get('production.material.return')
        reasons = Reason.search([])
        self.assertEqual(
            sorted(r.code for r in reasons),
            ['OVER', 'PLAN', 'PROCESS', 'QUALITY'])
        self.assertEqual(Reason(Return.default_reason()).code, 'OVER')

    @with_transaction()
    def test_quality_operation(self):
        "Material returns are a quality control operation and origin"
        pool = Pool()
        Control = pool.get('quality.control')
        Inspection = pool.get('quality.inspection')
        self.assertIn(
            'production.material.return:approve',
            dict(Control.operations.selection))
        self.assertIn(
            'production.material.return', Inspection._get_origins())


del ModuleTestCase
