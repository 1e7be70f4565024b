# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.modules.company.tests import (
    CompanyTestMixin, create_company, set_company)
from trytond.modules.stock_quarantine.exceptions import QuarantineError
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction


class StockQuarantineTestCase(CompanyTestMixin, ModuleTestCase):
    "Test Stock Quarantine module"
    module = 'stock_quarantine'

    @with_transaction()
    def test_default_warehouse_has_quarantine(self):
        "The default warehouse gets a quarantine location"
        pool = Pool()
        Location = pool.get('stock.location')
        warehouse, = Location.search([('type', '=', 'warehouse')])
        quarantine = warehouse.quarantine_location
        self.assertTrue(quarantine.quarantine)
        self.assertEqual(quarantine.parent, warehouse)
        self.assertEqual(warehouse.get_quarantine_location(), quarantine)
        self.assertEqual(
            warehouse.storage_location.get_quarantine_location(), quarantine)
        self.assertEqual(Location.quarantine_locations(), [quarantine.id])
        self.assertNotIn(
            quarantine,
            Location.search([
                    ('parent', 'child_of', [warehouse.storage_location.id]),
                    ]))

    @with_transaction()
    def test_no_quarantine_location_named(self):
        "A document that needs the quarantine of a warehouse without one"
        pool = Pool()
        Location = pool.get('stock.location')
        warehouse, = Location.search([('type', '=', 'warehouse')])
        storage = warehouse.storage_location
        warehouse.quarantine_location = None
        warehouse.save()
        self.assertIsNone(storage.get_quarantine_location())
        with self.assertRaises(QuarantineError) as context:
            storage.get_quarantine_location(document=storage)
        message = context.exception.message
        self.assertIn(warehouse.rec_name, message)
        self.assertIn(storage.rec_name, message)

    @with_transaction()
    def test_integrity_negative_quarantine(self):
        "The integrity check names a quarantine that holds less than 0"
        pool = Pool()
        Integrity = pool.get('stock.integrity')
        Location = pool.get('stock.location')
        Move = pool.get('stock.move')
        Template = pool.get('product.template')
        Uom = pool.get('product.uom')
        unit, = Uom.search([('name', '=', "Unit")])
        company = create_company()
        with set_company(company):
            template, = Template.create([{
                        'name': "Bolt", 'type': 'goods',
                        'default_uom': unit.id,
                        'products': [('create', [{}])],
                        }])
            product, = template.products
            warehouse, = Location.search([('type', '=', 'warehouse')])
            quarantine = warehouse.quarantine_location
            storage = warehouse.storage_location
            self.assertEqual(Integrity.problems(), [])
            move, = Move.create([{
                        'product': product.id, 'unit': unit.id,
                        'quantity': 3, 'from_location': quarantine.id,
                        'to_location': storage.id, 'company': company.id,
                        }])
            Move.do([move])
            problem, = Integrity.problems()
            self.assertIn('-3', problem)
            self.assertIn(quarantine.rec_name, problem)
            self.assertIn("Bolt", problem)


del ModuleTestCase
