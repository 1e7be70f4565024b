# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from lxml import etree

from trytond.modules.company.tests import (
    CompanyTestMixin, create_company, set_company)
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction


class ProductionReportingTestCase(CompanyTestMixin, ModuleTestCase):
    "Test Production Reporting module"
    module = 'production_reporting'
    extras = [
        'production_material_return', 'quality_gate', 'production_kitting',
        'production_outsourcing', 'production_picking']

    @with_transaction()
    def test_warning_kinds(self):
        "The warnings count each kind once, zero on an empty company"
        pool = Pool()
        Warning = pool.get('production.reporting.warning')
        company = create_company()
        with set_company(company):
            warnings = Warning.search([])
            self.assertEqual(
                [(w.kind, w.count) for w in warnings],
                [('late', 0), ('not_kitted', 0), ('at_risk', 0),
                    ('return_approval', 0), ('inspection', 0)])

    @with_transaction()
    def test_component_counts_returns(self):
        "The material returns are one more source of component moves"
        pool = Pool()
        Component = pool.get('production.reporting.component')
        self.assertEqual(len(Component._move_queries(None)), 3)

    @with_transaction()
    def test_tracking_columns(self):
        "The quality, kitting and outsourcing columns are in the reports"
        pool = Pool()
        Tracking = pool.get('production.reporting.tracking')
        SaleLine = pool.get('production.reporting.sale_line')
        company = create_company()
        with set_company(company):
            self.assertEqual(Tracking.search_read([], fields_names=[
                        'qc_pending', 'qc_passed', 'qc_rejected',
                        'kitting_status']), [])
            self.assertEqual(SaleLine.search_read([], fields_names=[
                        'qc_passed', 'outsourced', 'outsourcing_state']), [])

    @with_transaction()
    def test_list_numbers(self):
        """The lists show money with the digits of the currency and
        quantities with the digits of their unit, beside it; the ratios are
        progress bars or percentages"""
        pool = Pool()
        View = pool.get('ir.ui.view')
        wrong, checked = [], set()
        for view in View.search([
                    ('module', '=', self.module),
                    ('type', '=', 'tree'),
                    ]):
            Model = pool.get(view.model)
            arch = Model.fields_view_get(view.id, 'tree')
            tree = etree.fromstring(arch['arch'])
            for field in tree.iter('field'):
                name = field.get('name')
                definition = Model._fields[name]
                if field.get('widget') == 'progressbar' or field.get(
                        'factor'):
                    continue
                checked.add((view.model, name))
                if definition._type == 'numeric':
                    if definition.digits != 'currency':
                        wrong.append((view.model, name, definition.digits))
                elif definition._type == 'float':
                    if name.endswith('_percent'):
                        if definition.digits != (16, 1):
                            wrong.append(
                                (view.model, name, definition.digits))
                    elif (definition.digits not in {'unit', 'output_unit'}
                            or field.get('symbol') != definition.digits):
                        wrong.append((view.model, name, definition.digits))
        self.assertEqual(wrong, [])
        for checked_field in [
                ('production.reporting.output', 'quantity'),
                ('production.reporting.slow_moving', 'value'),
                ('production.reporting.slow_moving', 'cost_price'),
                ('production.reporting.tracking', 'returned_quantities'),
                ('production.reporting.sale_line', 'missing'),
                ('production.reporting.picking_variance', 'output'),
                ('production.reporting.picking_variance', 'variance_value'),
                ('production.reporting.tracking', 'picked_percent'),
                ]:
            self.assertIn(checked_field, checked)


del ModuleTestCase
