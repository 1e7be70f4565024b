# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt

from trytond.exceptions import UserError
from trytond.modules.company.tests import (
    CompanyTestMixin, create_company, set_company)
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction
from trytond.transaction import Transaction


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
        glue = product("Glue", 'RM-3')
        lot, held, _ = Lot.create([
                {'number': 'S-1', 'product': seat.id},
                {'number': 'S-2', 'product': seat.id},
                # the same number for another product (as suppliers do)
                {'number': 'S-1', 'product': glue.id}])
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
    def test_scan_caches(self):
        """What a scan keeps between scans follows its changes: a product
        and a location renamed, a company's timezone, a company taken from
        the user (its orders refused)"""
        pool = Pool()
        Company = pool.get('company.company')
        Date = pool.get('ir.date')
        Floor = pool.get('production.floor')
        Location = pool.get('stock.location')
        Template = pool.get('product.template')
        User = pool.get('res.user')
        company = create_company()
        with set_company(company):
            production, screw, *_ = self._order()
            order = Floor.scan('pick', production.number)
            self.assertEqual(sorted(r['name'] for r in order['rows']),
                ['[RM-1] Screw', '[RM-2] Seat'])
            Template.write([screw.template], {'name': "Bolt"})
            Location.write([production.warehouse.storage_location],
                {'name': "Shelves"})
            order = Floor.scan('pick', production.number)
            self.assertEqual(sorted(r['name'] for r in order['rows']),
                ['[RM-1] Bolt', '[RM-2] Seat'])
            self.assertEqual(order['document']['location'], '[STO] Shelves')
            line = Floor.scan('pick', 'RM-1', production.id)['line']
            self.assertEqual(line['name'], '[RM-1] Bolt')
            # UTC+14 and UTC-11: never the same date
            for zone in ['Pacific/Kiritimati', 'Pacific/Niue']:
                Company.write([company], {'timezone': zone})
                self.assertEqual(Floor._today(), Date.today())

            other = create_company(name="Other", currency=company.currency)
            User.write([User(Transaction().user)], {
                    'companies': [('add', [other.id]),
                        ('remove', [company.id])],
                    'company': other.id})
            with self.assertRaises(UserError):
                Floor.scan('pick', production.number)
            with Transaction().set_context(company=other.id):
                with self.assertRaises(UserError) as cm:
                    Floor.scan('pick', 'RM-1', production.id)
                self.assertIn('"document_id"', cm.exception.message)

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

    @with_transaction()
    def test_stock_reserved(self):
        """Stock less the assigned moves out of storage: reserved and free
        as Tryton's products_by_location counts them with stock_assign"""
        pool = Pool()
        Floor = pool.get('production.floor')
        Location = pool.get('stock.location')
        Move = pool.get('stock.move')
        Product = pool.get('product.product')
        company = create_company()
        with set_company(company):
            _, screw, seat, lot, _ = self._order()
            storage = Location.search([('code', '=', 'STO')])
            lost, = Location.search([('type', '=', 'lost_found')])
            moves = Move.create([{'product': p.id, 'lot': l.id if l else None,
                        'quantity': q, 'unit': p.default_uom.id,
                        'from_location': storage[0].id,
                        'to_location': lost.id,
                        'planned_date': dt.date.today(),
                        'company': company.id,
                        } for p, l, q in [(seat, lot, 2), (screw, None, 7),
                        (screw, None, 3)]])
            Move.assign(moves)
            rows = Floor.scan('stock', 'STO')['rows']
            self.assertEqual(sorted((r['product'], r['lot'], r['quantity'],
                        r['reserved'], r['free']) for r in rows), [
                    ('[RM-1] Screw', '', 30, 10, 20),
                    ('[RM-2] Seat', 'S-1', 6, 2, 4),
                    ('[RM-2] Seat', 'S-2', 2, 0, 2)])
            location_ids = [l.id for l in Location.search(
                        [('type', '=', 'storage')])]
            with Transaction().set_context(stock_date_end=dt.date.today(),
                    forecast=False, stock_assign=True):
                tryton = Product.products_by_location(location_ids,
                    grouping=('product', 'lot'))
            on_hand = Floor._stock_quantities(location_ids, None)
            ours = Floor._free(on_hand, Floor._assigned(location_ids, None))
            self.assertEqual({k: q for k, q in ours.items() if q},
                {k: q for k, q in tryton.items() if q})
            with Transaction().set_context(stock_date_end=dt.date.today(),
                    forecast=False):
                self.assertEqual(on_hand, dict(Product.products_by_location(
                            location_ids, grouping=('product', 'lot'))))

    @with_transaction()
    def test_stock_query(self):
        """The floor's stock query gives products_by_location's numbers by
        lot: a closed period, a child location, draft and assigned moves"""
        pool = Pool()
        Floor = pool.get('production.floor')
        Location = pool.get('stock.location')
        Move = pool.get('stock.move')
        Period = pool.get('stock.period')
        Product = pool.get('product.product')
        company = create_company()
        with set_company(company):
            _, screw, seat, lot, held = self._order()
            storage, = Location.search([('code', '=', 'STO')])
            lost, = Location.search([('type', '=', 'lost_found')])
            self.assertEqual(Floor._storage_locations([storage]),
                [storage.id])
            shelf, = Location.create([{'name': "Shelf", 'type': 'storage',
                        'parent': storage.id}])
            # the cached locations are cleared by the new location
            self.assertEqual(sorted(Floor._storage_locations([storage])),
                sorted([storage.id, shelf.id]))
            today = dt.date.today()

            def move(product, lot, quantity, from_, to, date, state):
                move, = Move.create([{'product': product.id,
                            'lot': lot.id if lot else None,
                            'quantity': quantity,
                            'unit': product.default_uom.id,
                            'from_location': from_.id, 'to_location': to.id,
                            'planned_date': date, 'company': company.id,
                            'effective_date': date if state == 'do' else None,
                            }])
                getattr(Move, state)([move])
            for product, lot_, quantity, from_, to in [
                    (seat, lot, 5, lost, shelf), (seat, held, 3, lost, shelf),
                    (seat, lot, 2, shelf, storage), (screw, None, 4, lost,
                        shelf)]:
                move(product, lot_, quantity, from_, to,
                    today - dt.timedelta(days=5), 'do')
            period = Period(date=today - dt.timedelta(days=2),
                company=company)
            period.save()
            Period.close([period])
            move(seat, lot, 1, shelf, lost, today, 'do')
            move(seat, lot, 1, shelf, storage, today, 'assign')
            move(screw, None, 9, lost, shelf, today, 'save')
            location_ids = [storage.id, shelf.id, lost.id]
            with Transaction().set_context(stock_date_end=today,
                    forecast=False):
                for products in [None, [seat.id], [screw.id, seat.id]]:
                    tryton = Product.products_by_location(location_ids,
                        grouping=('product', 'lot'),
                        grouping_filter=(products,) if products else None)
                    self.assertEqual(Floor._stock_quantities(location_ids,
                            (products,) if products else None),
                        dict(tryton))
            self.assertEqual(Floor._stock_quantities(
                    [shelf.id], ([seat.id],)), {
                    (shelf.id, seat.id, lot.id): 2,
                    (shelf.id, seat.id, held.id): 3})


    def _run(self, production):
        pool = Pool()
        Production = pool.get('production')
        Production.assign_force([production])
        Production.run([production])
        return Production(production.id)

    @with_transaction()
    def test_output(self):
        "完工汇报 of a running order posts its output"
        pool = Pool()
        Floor = pool.get('production.floor')
        Report = pool.get('production.output.report')
        company = create_company()
        with set_company(company):
            production, *_ = self._order()
            with self.assertRaises(UserError) as cm:
                Floor.post('output', 'output-01', {
                        'production': production.id, 'quantity': 1})
            self.assertIn(production.rec_name, cm.exception.message)
            self.assertEqual(Report.search([], count=True), 0)
            production = self._run(production)
            scan = Floor.scan('output', production.number)
            self.assertEqual(
                (scan['document']['reported'], scan['document']['left']),
                (0, 2))
            result = Floor.post('output', 'output-02', {
                    'production': production.id, 'quantity': 1})
            report, = Report.search([])
            self.assertEqual((report.state, report.quantity), ('done', 1))
            self.assertEqual(result['document']['left'], 1)
            self.assertIn(report.number, result['message'])

    @with_transaction()
    def test_return(self):
        "生产退料: the issued lot is returned and submitted; approval"
        pool = Pool()
        Floor = pool.get('production.floor')
        Reason = pool.get('production.material.return.reason')
        Return = pool.get('production.material.return')
        company = create_company()
        with set_company(company):
            production, screw, seat, lot, _ = self._order()
            Reason.create([{'name': "超领"}])
            Floor.post('pick', 'pick-0001', {'production': production.id,
                    'lines': [{'product': seat.id, 'lot': lot.id,
                            'quantity': 3}]})
            production = self._run(production)
            rows = Floor.scan('return', production.number)['rows']
            self.assertEqual([(r['lot_number'], r['issued']) for r in rows],
                [('S-1', 3)])
            line = Floor.scan('return', 'S-1', production.id)['line']
            self.assertEqual((line['lot'], line['remaining']), (lot.id, 3))
            with self.assertRaises(UserError) as cm:
                Floor.scan('return', 'RM-1', production.id)
            self.assertIn('Screw', cm.exception.message)
            result = Floor.post('return', 'return-01', {
                    'production': production.id, 'lines': [{
                            'product': seat.id, 'lot': lot.id,
                            'quantity': 1}]})
            material_return, = Return.search([])
            self.assertEqual(material_return.state, 'submitted')
            self.assertEqual(result['document']['id'], material_return.id)
            scan = Floor.scan('return', material_return.number)
            self.assertTrue(scan['open'])
            # the requester does not approve his own return
            with self.assertRaises(UserError):
                Floor.post('return', 'approve-01',
                    {'material_return': material_return.id})
            self.assertEqual(Return(material_return.id).state, 'submitted')

    @with_transaction()
    def test_receive_inspect(self):
        "收料 into the input location, then 质检 decides the inspection"
        pool = Pool()
        Control = pool.get('quality.control')
        Floor = pool.get('production.floor')
        Inspection = pool.get('quality.inspection')
        Location = pool.get('stock.location')
        Move = pool.get('stock.move')
        Party = pool.get('party.party')
        Shipment = pool.get('stock.shipment.in')
        company = create_company()
        with set_company(company):
            _, screw, *_ = self._order()
            Control.create([{'name': "来料检验",
                        'operations': ['stock.shipment.in:do'],
                        'points': [('create', [{'name': 'clean',
                                        'string': "外观", 'type_': 'boolean',
                                        }])]}])
            supplier, = Party.create([{'name': "Supplier"}])
            warehouse, = Location.search([('type', '=', 'warehouse')])
            shipment, = Shipment.create([{
                        'supplier': supplier.id, 'warehouse': warehouse.id,
                        'warehouse_input': warehouse.input_location.id,
                        'warehouse_storage': warehouse.storage_location.id,
                        'reference': 'DN-7'}])
            Move.create([{
                        'shipment': str(shipment),
                        'product': screw.id, 'quantity': 20,
                        'unit': screw.default_uom.id,
                        'from_location': supplier.supplier_location.id,
                        'to_location': warehouse.input_location.id,
                        'unit_price': 1, 'currency': company.currency.id,
                        }])
            scan = Floor.scan('receive', 'DN-7')
            self.assertEqual((scan['document']['id'], scan['open']),
                (shipment.id, True))
            # moves of a purchase have an origin: these are typed in
            with Transaction().set_context(_skip_warnings=True):
                result = Floor.post('receive', 'receive-01',
                    {'shipment': shipment.id})
            self.assertEqual(Shipment(shipment.id).state, 'received')
            self.assertFalse(result['open'])
            inspection, = Inspection.search([])
            self.assertIn(inspection.number, result['message'])

            scan = Floor.scan('inspect', 'DN-7')
            self.assertEqual(scan['document']['id'], inspection.id)
            self.assertEqual([p['name'] for p in scan['points']], ['clean'])
            line, = scan['rows']
            with self.assertRaises(UserError) as cm:
                Floor.post('inspect', 'inspect-01', {
                        'inspection': inspection.id, 'points': {
                            'clean': True}, 'lines': [{'id': line['id'],
                                'accepted': 15, 'rejected': 2,
                                'concession': 0}]})
            self.assertIn('17', cm.exception.message)
            self.assertIn('20', cm.exception.message)
            Floor.post('inspect', 'inspect-02', {
                    'inspection': inspection.id, 'points': {'clean': True},
                    'lines': [{'id': line['id'], 'accepted': 18,
                            'rejected': 2, 'concession': 0,
                            'reason': "锈蚀"}]})
            inspection = Inspection(inspection.id)
            self.assertTrue(inspection.decided)
            self.assertEqual(inspection.lines[0].rejected_quantity, 2)

    @with_transaction()
    def test_output_quality_gate(self):
        "完工汇报 at a quality gate waits for its inspection, then posts"
        pool = Pool()
        Control = pool.get('quality.control')
        Floor = pool.get('production.floor')
        Inspection = pool.get('quality.inspection')
        Report = pool.get('production.output.report')
        company = create_company()
        with set_company(company):
            production, *_ = self._order()
            production = self._run(production)
            Control.create([{'name': "成品检验",
                        'operations': ['production:do'],
                        'points': [('create', [{'name': 'ok',
                                        'string': "外观", 'type_': 'boolean',
                                        }])]}])
            result = Floor.post('output', 'output-qc-1', {
                    'production': production.id, 'quantity': 2})
            report, = Report.search([])
            inspection, = Inspection.search([])
            self.assertEqual(report.state, 'draft')
            self.assertEqual(inspection.origin, report)
            self.assertIn(inspection.rec_name, result['message'])
            line, = inspection.lines
            Floor.post('inspect', 'inspect-qc-1', {
                    'inspection': inspection.id, 'points': {'ok': True},
                    'lines': [{'id': line.id, 'accepted': 2, 'rejected': 0,
                            'concession': 0}]})
            self.assertTrue(Inspection(inspection.id).decided)
            row, = Floor.scan('output', production.number)['rows']
            self.assertEqual((row['id'], row['decided']), (report.id, True))
            result = Floor.post('output', 'output-qc-2',
                {'report': report.id})
            self.assertEqual(Report(report.id).state, 'done')
            self.assertEqual(result['rows'], [])
            self.assertEqual(result['document']['reported'], 2)

del ModuleTestCase
