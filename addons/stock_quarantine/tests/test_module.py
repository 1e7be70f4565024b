# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction


class StockQuarantineTestCase(ModuleTestCase):
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


del ModuleTestCase
