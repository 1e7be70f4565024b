# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt

from trytond.exceptions import UserError
from trytond.modules.company.tests import (
    CompanyTestMixin, create_company, set_company)
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction


class ProductionFloorTestCase(CompanyTestMixin, ModuleTestCase):
    "Test Production Floor module"
    module = 'production_floor'

    def _order(self):
        """A waiting order of 2 chairs picked by slips: 10 screws (no lot)
        and 4 seats (by lot); 30 screws and 6 seats of lot S-1 in
        storage, 2 more seats of lot S-2 on hold"""
        pool = Pool()
        BOM = pool.get('production.bom')
        Location = pool.get('stock.location')
        Lot = pool.get('stock.lot')
        Move = pool.get('stock.move')
        Production = pool.get('production')
        Template = pool.get('product.template')
        Uom = pool.get('product.uom')
        unit, = Uom.search([('name', '=', "Unit")])

        def product(name, code, **values):
            template, = Template.create([dict(name=name, type='goods',
                        default_uom=unit.id, list_price=0,
                        products=[('create', [{'suffix_code': code}])],
                        **values)])
            return template.products[0]
        chair = product("Chair", 'FG-1', producible=True)
        screw = product("Screw", 'RM-1')
        seat = product("Seat", 'RM-2', lot_required=['storage'])
        bom, = BOM.create([{
                    'name': "Chair",
                    'inputs': [('create', [
                                {'product': screw.id, 'quantity': 5,
                                    'unit': unit.id},
                                {'product': seat.id, 'quantity': 2,
                                    'unit': unit.id},
                                ])],
                    'outputs': [('create', [{'product': chair.id,
                                    'quantity': 1, 'unit': unit.id}])],
                    }])
        warehouse, = Location.search([('type', '=', 'warehouse')])
        lost, = Location.search([('type', '=', 'lost_found')])
        lot, held = Lot.create([
                {'number': 'S-1', 'product': seat.id},
                {'number': 'S-2', 'product': seat.id}])
        moves = Move.create([{
                    'product': p.id, 'lot': l.id if l else None,
                    'quantity': q, 'unit': unit.id,
                    'from_location': lost.id,
                    'to_location': warehouse.storage_location.id,
                    'effective_date': dt.date.today(),
                    } for p, l, q in [(screw, None, 30), (seat, lot, 6),
                    (seat, held, 2)]])
        Move.do(moves)
        Lot.set_quality_status([held], 'on_hold', "test")
        production = Production(
            warehouse=warehouse, location=warehouse.production_location,
            product=chair, bom=bom, quantity=2, unit=unit,
            picking_method='slip')
        production.explode_bom()
        production.save()
        Production.wait([production])
        return production, screw, seat, lot, held

    def _remaining(self, result):
        return {r['code']: r['remaining'] for r in result['rows']}

    @with_transaction()
    def test_pick(self):
        "Scan an order, a product and a lot; post once per client id"
        pool = Pool()
        Floor = pool.get('production.floor')
        Picking = pool.get('production.picking')
        company = create_company()
        with set_company(company):
            production, screw, seat, lot, _ = self._order()
            order = Floor.scan('pick', production.number)
            self.assertEqual(order['document']['id'], production.id)
            self.assertEqual(self._remaining(order), {'RM-1': 10, 'RM-2': 4})
            seats, = [r for r in order['rows'] if r['code'] == 'RM-2']
            self.assertTrue(seats['lot_required'])
            self.assertEqual(
                [(l['number'], l['quantity'], l['released'])
                    for l in seats['lots']],
                [('S-1', 6, True), ('S-2', 2, False)])

            line = Floor.scan('pick', 'S-1', production.id)['line']
            self.assertEqual((line['product'], line['lot']),
                (seat.id, lot.id))
            self.assertEqual((line['remaining'], line['available']), (4, 6))
            line = Floor.scan('pick', 'RM-1', production.id)['line']
            self.assertEqual((line['remaining'], line['available']),
                (10, 30))

            values = {'production': production.id, 'lines': [
                    {'product': seat.id, 'lot': lot.id, 'quantity': 3},
                    {'product': screw.id, 'quantity': 10}]}
            result = Floor.post('pick', 'client-0001', values)
            self.assertTrue(result['ok'])
            self.assertEqual(self._remaining(result), {'RM-2': 1})
            picking = Picking(result['posted']['id'])
            self.assertEqual(picking.state, 'done')
            self.assertEqual(
                sorted((l.product.code, l.quantity) for l in picking.lines),
                [('RM-1', 10), ('RM-2', 3)])
            self.assertIn(picking.number, result['message'])

            again = Floor.post('pick', 'client-0001', values)
            self.assertTrue(again['repeated'])
            self.assertEqual(again['posted']['id'], picking.id)
            self.assertEqual(Picking.search([], count=True), 1)
            seats, = Floor.scan('pick', production.number)['rows']
            self.assertEqual(seats['lots'][0]['quantity'], 3)

    @with_transaction()
    def test_pick_refusals(self):
        "Bad scans and postings say why with the numbers, write nothing"
        pool = Pool()
        Floor = pool.get('production.floor')
        Picking = pool.get('production.picking')
        company = create_company()
        with set_company(company):
            production, screw, seat, lot, held = self._order()
            for code, document, text in [
                    ('NOPE', production.id, 'NOPE'),
                    ('RM-1', None, 'RM-1'),
                    ('FG-1', production.id, 'Chair'),
                    ('RM-2', production.id, 'Seat'),
                    ('S-2', production.id, 'S-2'),
                    ]:
                with self.assertRaises(UserError) as cm:
                    Floor.scan('pick', code, document)
                self.assertIn(text, cm.exception.message)
            with self.assertRaises(UserError) as cm:
                Floor.post('pick', 'client-0002', {
                        'production': production.id, 'lines': [
                            {'product': seat.id, 'lot': lot.id,
                                'quantity': 3},
                            {'product': seat.id, 'lot': lot.id,
                                'quantity': 2}]})
            self.assertIn('5', cm.exception.message)
            self.assertIn('4', cm.exception.message)
            with self.assertRaises(UserError):
                Floor.post('pick', 'short', {'production': production.id})
            with self.assertRaises(UserError):
                Floor.scan('dance', 'X')
            self.assertEqual(Picking.search([], count=True), 0)

    @with_transaction()
    def test_stock(self):
        "Stock of a product by location and lot with quality status"
        pool = Pool()
        Floor = pool.get('production.floor')
        company = create_company()
        with set_company(company):
            self._order()
            result = Floor.scan('stock', 'RM-2')
            rows = sorted((r['lot'], r['quantity'], r['free'], r['released'])
                for r in result['rows'])
            self.assertEqual(rows, [('S-1', 6, 6, True),
                    ('S-2', 2, 2, False)])
            result = Floor.scan('stock', 'S-2')
            self.assertEqual([r['lot'] for r in result['rows']], ['S-2'])
            result = Floor.scan('stock', 'STO')
            self.assertEqual(len(result['rows']), 3)


del ModuleTestCase
