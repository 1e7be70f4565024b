# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from decimal import Decimal

from trytond.model.exceptions import AccessError
from trytond.modules.company.tests import (
    CompanyTestMixin, create_company, set_company)
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction


class ProductionPickingTestCase(CompanyTestMixin, ModuleTestCase):
    "Test Production Picking module"
    module = 'production_picking'
    extras = ['quality_gate', 'production_material_return']

    # Output reports

    def _output_production(self, quantity, component_quantity):
        """A waiting order of quantity units whose BOM backflushes
        component_quantity units of a component"""
        pool = Pool()
        BOM = pool.get('production.bom')
        Location = pool.get('stock.location')
        Production = pool.get('production')
        Template = pool.get('product.template')
        Uom = pool.get('product.uom')
        unit, = Uom.search([('name', '=', "Unit")])

        def product(name, **values):
            template, = Template.create([dict(name=name, type='goods',
                        default_uom=unit.id, products=[('create', [{}])],
                        **values)])
            return template.products[0]
        finished = product("Finished", producible=True)
        component = product("Component", backflush=True)
        bom, = BOM.create([{
                    'name': "Finished",
                    'inputs': [('create', [{
                                    'product': component.id,
                                    'quantity': component_quantity,
                                    'unit': unit.id,
                                    }])],
                    'outputs': [('create', [{
                                    'product': finished.id,
                                    'quantity': quantity,
                                    'unit': unit.id,
                                    }])],
                    }])
        warehouse, = Location.search([('type', '=', 'warehouse')])
        production = Production(
            warehouse=warehouse, location=warehouse.production_location,
            product=finished, bom=bom, quantity=quantity, unit=unit)
        production.explode_bom()
        production.save()
        Production.wait([production])
        return production, component

    @with_transaction()
    def test_output_backflush_proportion(self):
        "Backflush in proportion of the output, exact once complete"
        pool = Pool()
        Production = pool.get('production')
        company = create_company()
        with set_company(company):
            production, component = self._output_production(3, 10)
            move, = production.inputs
            self.assertTrue(move.production_backflush)
            consumed = []
            for made, complete in [(1, False), (2, False), (3, True)]:
                production = Production(production.id)
                request, = production.backflush_requests(made, complete)
                self.assertEqual(
                    (request.product, request.kind), (component, 'backflush'))
                consumed.append(request.quantity)
                Production.issue([request], negative=True)
            # 10 × 1/3 = 3.33 → 3, 10 × 2/3 = 6.67 → 7, then what remains
            self.assertEqual(consumed, [3, 4, 3])
            production = Production(production.id)
            self.assertEqual(production.backflush_requests(3, True), [])
            self.assertEqual(sum(m.quantity for m in production.inputs
                    if m.state == 'done'), 10)
            self.assertFalse([m for m in production.inputs
                    if m.state != 'done'])

    @with_transaction()
    def test_output_backflush_shortage(self):
        "A component short in the picking location is named with numbers"
        pool = Pool()
        Production = pool.get('production')
        company = create_company()
        with set_company(company):
            production, component = self._output_production(4, 8)
            requests = production.backflush_requests(2, False)
            _, (shortage,) = Production.backflush_lots(
                requests, Production.backflush_stock(requests))
            self.assertIn('"Component" needs 4 u', shortage)
            self.assertIn('has 0 u (short by 4 u)', shortage)

    @with_transaction()
    def test_issue_cost_price(self):
        "An issued move is done at the product's cost price of the moment"
        pool = Pool()
        Production = pool.get('production')
        company = create_company()
        with set_company(company):
            production, component = self._output_production(3, 10)
            component.cost_price = Decimal('2.5')
            component.save()
            request, = production.backflush_requests(3, True)
            move, = Production.issue([request], negative=True)
            self.assertEqual(
                (move.state, move.quantity, move.cost_price),
                ('done', 10, Decimal('2.5')))

    @with_transaction()
    def test_move_write_merged(self):
        "Moves written with equal values in a row keep each one's values"
        pool = Pool()
        Move = pool.get('stock.move')
        company = create_company()
        with set_company(company):
            production, _ = self._output_production(3, 10)
            move, = production.inputs
            first, second = Move.copy([move, move])
            Move.write([move], {'quantity': 4}, [first], {'quantity': 4},
                [second], {'quantity': 5})
            self.assertEqual(
                [m.quantity for m in Move.browse([move, first, second])],
                [4, 4, 5])

    @with_transaction()
    def test_output_client_rules(self):
        "A client cannot set the state, number or audit fields of reports"
        pool = Pool()
        Report = pool.get('production.output.report')
        company = create_company()
        with set_company(company):
            report = Report(state='done', number=None, rec_name='-',
                done_by=None, done_at=None, unit_price=None, moves=[])
            with self.assertRaises(AccessError):
                Report.check_client_create([report])
            report = Report(state='draft', number='OR1', rec_name='OR1')
            for name in ['state', 'number', 'reported_by', 'moves',
                    'done_by', 'done_at', 'unit_price']:
                with self.assertRaises(AccessError):
                    Report.check_client_write([report], {name: None})
            Report.check_client_write([report], {'quantity': 2})
            report.state = 'done'
            with self.assertRaises(AccessError):
                Report.check_client_write([report], {'quantity': 2})

    @with_transaction()
    def test_output_quality_gate(self):
        "Output reports are inspected by the controls of Production Done"
        pool = Pool()
        Inspect = pool.get('quality.inspect', type='wizard')
        Inspection = pool.get('quality.inspection')
        self.assertIn(
            'production.output.report', Inspection._get_origins())
        session_id, _, _ = Inspect.create()
        inspect = Inspect(session_id)
        self.assertEqual(inspect._operations[
                'production_picking.wizard_output_report_inspect_do'], 'do')


del ModuleTestCase
