# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
import io
import random
import unittest
import zipfile
from collections import Counter, defaultdict
from decimal import Decimal

from trytond.modules.account.tests import create_chart
from trytond.modules.company.tests import (
    CompanyTestMixin, create_company, set_company)
from trytond.modules.production_subcontract.exceptions import (
    ConsumptionError, SubcontractError)
from trytond.model.exceptions import DomainValidationError
from trytond.model.modelview import ButtonActionException
from trytond.pool import Pool
from trytond.tests.test_tryton import (
    ModuleTestCase, activate_module, with_transaction)
from trytond.transaction import Transaction


class ProductionSubcontractTestCase(CompanyTestMixin, ModuleTestCase):
    "Test Production Subcontract module"
    module = 'production_subcontract'

    def _setup(self):
        """Two materials (kg) of a frame (unit) with 2 % and 5 % allowed
        loss, 10,000 kg of each in the warehouse"""
        pool = Pool()
        BOM = pool.get('production.bom')
        Location = pool.get('stock.location')
        Move = pool.get('stock.move')
        Template = pool.get('product.template')
        Uom = pool.get('product.uom')
        unit, = Uom.search([('name', '=', "Unit")])
        kg, = Uom.search([('name', '=', "Kilogram")])

        def product(name, uom, **values):
            template, = Template.create([dict(name=name, type='goods',
                        default_uom=uom.id, products=[('create', [{}])],
                        **values)])
            return template.products[0]
        frame = product("Frame", unit, producible=True)
        tube = product("Tube", kg)
        paint = product("Paint", kg)
        bom, = BOM.create([{
                    'name': "Frame",
                    'inputs': [('create', [{
                                    'product': tube.id, 'quantity': 1.5,
                                    'unit': kg.id, 'subcontract_loss': 0.02,
                                    }, {
                                    'product': paint.id, 'quantity': 0.2,
                                    'unit': kg.id, 'subcontract_loss': 0.05,
                                    }])],
                    'outputs': [('create', [{
                                    'product': frame.id, 'quantity': 1,
                                    'unit': unit.id,
                                    }])],
                    }])
        warehouse, = Location.search([('type', '=', 'warehouse')])
        lost_found, = Location.search([('type', '=', 'lost_found')])
        moves = Move.create([{
                    'product': p.id, 'unit': kg.id, 'quantity': 10000,
                    'from_location': lost_found.id,
                    'to_location': warehouse.storage_location.id,
                    'company': Transaction().context['company'],
                    } for p in [tube, paint]])
        Move.do(moves)
        return frame, bom, [tube, paint], warehouse, lost_found

    def _order(self, frame, bom, warehouse, supplier, quantity, unit=None):
        pool = Pool()
        Production = pool.get('production')
        production = Production(
            warehouse=warehouse, location=warehouse.production_location,
            product=frame, bom=bom, quantity=quantity,
            unit=unit or frame.default_uom, subcontractor=supplier)
        production.explode_bom()
        production.save()
        Production.wait([production])
        return production

    def _ship(self, production, kind, from_, to, quantities, reason=None):
        pool = Pool()
        Shipment = pool.get('stock.shipment.internal')
        shipment, = Shipment.create([{
                    'subcontract_kind': kind,
                    'subcontract_production': production.id,
                    'subcontract_reason': reason,
                    'from_location': from_.id, 'to_location': to.id,
                    'company': production.company.id,
                    'moves': [('create', [{
                                    'product': p.id,
                                    'unit': p.default_uom.id,
                                    'quantity': q,
                                    'from_location': from_.id,
                                    'to_location': to.id,
                                    'company': production.company.id,
                                    } for p, q in quantities.items()])],
                    }])
        Shipment.wait([shipment])
        Shipment.assign_try([shipment])
        if shipment.state != 'assigned':
            Shipment.cancel([shipment])
            return False
        Shipment.do([shipment])
        return True

    def _receive(self, production, quantity):
        pool = Pool()
        Receipt = pool.get('production.subcontract.receipt')
        receipt, = Receipt.create([{
                    'production': production.id, 'quantity': quantity,
                    'company': production.company.id,
                    }])
        Receipt.do([receipt])
        return receipt

    def _check_ledger(self, suppliers, materials):
        "The balance per subcontractor and product is its stock"
        pool = Pool()
        Balance = pool.get('production.subcontract.balance')
        Product = pool.get('product.product')
        locations = [s.subcontract_location.id for s in suppliers]
        Date = pool.get('ir.date')
        with Transaction().set_context(stock_date_end=Date.today()):
            stock = Product.products_by_location(
                locations, grouping_filter=([m.id for m in materials],))
        balances = {(b.location.id, b.product.id): b.balance
            for b in Balance.search([])}
        for key in set(stock) | set(balances):
            self.assertAlmostEqual(
                balances.get(key, 0), stock.get(key, 0), places=6,
                msg=key)
        self._check_orders(stock)

    def _check_orders(self, stock):
        """The balance of each order is never negative and the orders of a
        subcontractor add up to the stock at its location"""
        pool = Pool()
        Tracking = pool.get('production.subcontract.tracking')
        totals = Counter()
        for row in Tracking.search([]):
            self.assertGreaterEqual(row.balance, -1e-6, row.production)
            self.assertAlmostEqual(row.balance, row.sent + row.supplemented
                - row.consumed - row.returned - row.lost, places=6)
            location = row.subcontractor.subcontract_location
            totals[location.id, row.product.id] += row.balance
        for key in set(stock) | set(totals):
            self.assertAlmostEqual(
                totals.get(key, 0), stock.get(key, 0), places=6, msg=key)

    def _simple_bom(self, frame, tube):
        "1 kg of tube a frame, 2 % allowed loss (the issue's numbers)"
        pool = Pool()
        BOM = pool.get('production.bom')
        bom, = BOM.create([{
                    'name': "Frame 1 kg",
                    'inputs': [('create', [{
                                    'product': tube.id, 'quantity': 1,
                                    'unit': tube.default_uom.id,
                                    'subcontract_loss': 0.02,
                                    }])],
                    'outputs': [('create', [{
                                    'product': frame.id, 'quantity': 1,
                                    'unit': frame.default_uom.id,
                                    }])],
                    }])
        return bom

    def _control(self, product):
        "A QC control on subcontract receipts of product"
        pool = Pool()
        Control = pool.get('quality.control')
        control, = Control.create([{
                    'name': "Frame check",
                    'operations': ['production.subcontract.receipt:do'],
                    'product': product.id,
                    'points': [('create', [{
                                    'string': "Look", 'name': 'look',
                                    'type_': 'boolean'}])],
                    }])
        return control

    def _inspect(self, receipt, rejected):
        "The inspector rejects rejected units of the receipt"
        pool = Pool()
        Control = pool.get('quality.control')
        Inspection = pool.get('quality.inspection')
        inspection, = Control.get_inspections([receipt], 'do')
        inspection.points = {'look': True}
        Inspection.save([inspection])
        line, = inspection.lines
        line.accepted_quantity = line.quantity - rejected
        line.rejected_quantity = rejected
        line.rejection_reason = "焊缝开裂"
        line.save()
        Inspection.process([inspection])
        return Inspection(inspection.id)

    @with_transaction(user=0)
    def test_quality_gate_receipt(self):
        """Send 100 kg, receive 90 frames of which QC rejects 5: 91.8 kg
        consumed once (per delivered quantity), 85 in storage, 5 in
        quarantine, 90 received counted once, 2 returned, 6.2 held"""
        pool = Pool()
        Party = pool.get('party.party')
        Product = pool.get('product.product')
        Receipt = pool.get('production.subcontract.receipt')
        Tracking = pool.get('production.subcontract.tracking')
        company = create_company()
        with set_company(company):
            frame, _, (tube, _), warehouse, _ = self._setup()
            bom = self._simple_bom(frame, tube)
            self._control(frame)
            supplier, = Party.create([{'name': "华通五金"}])
            production = self._order(frame, bom, warehouse, supplier, 100)
            location = supplier.subcontract_location
            storage = warehouse.storage_location
            self.assertTrue(self._ship(
                    production, 'send', storage, location, {tube: 100}))
            receipt, = Receipt.create([{
                        'production': production.id, 'quantity': 90,
                        'company': company.id,
                        }])
            with self.assertRaises(ButtonActionException):
                Receipt.do([receipt])
            inspection = self._inspect(receipt, 5)
            self.assertEqual(inspection.state, 'failed')
            Receipt.write([receipt], {'quantity': 95})
            with self.assertRaises(SubcontractError):
                Receipt.do([receipt])
            Receipt.write([receipt], {'quantity': 90})
            Receipt.do([receipt])
            self.assertTrue(self._ship(
                    production, 'return', location, storage, {tube: 2}))

            receipt = Receipt(receipt.id)
            self.assertEqual(
                (receipt.quality_passed, receipt.quality_rejected), (85, 5))
            line, = inspection.lines
            self.assertEqual(line.rejected_move.quantity, 5)
            self.assertEqual(line.rejected_move.to_location,
                warehouse.quarantine_location)
            self.assertEqual(Receipt.do([receipt]), None)  # already done

            def stock(product, location):
                with Transaction().set_context(locations=[location.id]):
                    return Product(product.id).quantity
            self.assertEqual(stock(frame, storage), 85)
            self.assertEqual(stock(frame, warehouse.quarantine_location), 5)
            self.assertAlmostEqual(stock(tube, location), 6.2)
            row, = Tracking.search([('production', '=', production.id)])
            self.assertEqual((row.received, row.quality_passed,
                    row.quality_rejected), (90, 85, 5))
            self.assertEqual((row.sent, row.consumed, row.returned,
                    row.balance, row.standard, row.allowed_loss),
                (100, 91.8, 2, 6.2, 90, 1.8))
            self._check_ledger([supplier], [tube])

    @with_transaction()
    def test_order_balance(self):
        """Material sent for one order is not consumed nor returned by
        another order of the same subcontractor"""
        pool = Pool()
        Party = pool.get('party.party')
        Production = pool.get('production')
        Tracking = pool.get('production.subcontract.tracking')
        company = create_company()
        with set_company(company):
            frame, _, (tube, _), warehouse, _ = self._setup()
            bom = self._simple_bom(frame, tube)
            supplier, = Party.create([{'name': "华通五金"}])
            first, second = [self._order(frame, bom, warehouse, supplier, q)
                for q in [100, 50]]
            location = supplier.subcontract_location
            storage = warehouse.storage_location
            self._ship(first, 'send', storage, location, {tube: 100})
            self._ship(second, 'send', storage, location, {tube: 20})
            with self.assertRaises(ConsumptionError) as cm:
                self._receive(second, 20)  # 20.4 kg, 20 sent for it
            self.assertIn("20.4", cm.exception.message)
            self.assertIn("other orders", cm.exception.message)
            with self.assertRaises(SubcontractError):
                self._ship(second, 'return', location, storage, {tube: 25})
            self._receive(second, 19)  # 19.38 kg
            self._ship(second, 'return', location, storage, {tube: 0.62})
            self._receive(first, 90)
            self.assertEqual(
                Production.subcontract_balances([first, second]),
                {first: {tube: 8.2}, second: {tube: 0}})
            rows = {r.production: r for r in Tracking.search([])}
            self.assertEqual(
                (rows[first].consumed, rows[first].balance), (91.8, 8.2))
            self.assertEqual(
                (rows[second].consumed, rows[second].returned,
                    rows[second].balance), (19.38, 0.62, 0))
            self._check_ledger([supplier], [tube])
            self._check_rows_read()

    def _check_rows_read(self):
        """A row read alone (only its order's moves grouped) is the row
        read with all the others, and its id gives back its order and
        material"""
        pool = Pool()
        Tracking = pool.get('production.subcontract.tracking')
        names = ['production', 'product', 'sent', 'consumed', 'returned',
            'lost', 'balance', 'standard', 'allowed_loss', 'actual_loss',
            'received', 'quality_passed', 'production_unit', 'fee']
        rows = Tracking.read([r.id for r in Tracking.search([])], names)
        self.assertEqual(len({r['production'] for r in rows}), len(rows))
        for row in rows:
            self.assertEqual(Tracking.read([row['id']], names), [row])
            self.assertEqual(Tracking._key(row['id']),
                (row['production'], row['product']))

    def _bom_of_four(self, frame, tube, paint):
        "4 frames of 1,500 g of tube (2 % allowed loss) and 0.5 kg of paint"
        pool = Pool()
        BOM = pool.get('production.bom')
        Uom = pool.get('product.uom')
        gram, = Uom.search([('name', '=', "Gram")])
        bom, = BOM.create([{
                    'name': "Frame x4",
                    'inputs': [('create', [{
                                    'product': tube.id, 'quantity': 1500,
                                    'unit': gram.id, 'subcontract_loss': 0.02,
                                    }, {
                                    'product': paint.id, 'quantity': 0.5,
                                    'unit': paint.default_uom.id,
                                    }])],
                    'outputs': [('create', [{
                                    'product': frame.id, 'quantity': 4,
                                    'unit': frame.default_uom.id,
                                    }])],
                    }])
        return bom

    def _exploded(self, production, quantity):
        """Tryton's explosion of the order's BOM for quantity (a draft
        order's input moves), in the materials' default units"""
        pool = Pool()
        Production = pool.get('production')
        Uom = pool.get('product.uom')
        draft = Production(
            company=production.company, warehouse=production.warehouse,
            location=production.location, product=production.product,
            bom=production.bom, quantity=quantity, unit=production.unit)
        draft.explode_bom()
        exploded = defaultdict(float)
        for move in draft.inputs:
            exploded[move.product] += Uom.compute_qty(
                move.unit, move.quantity, move.product.default_uom)
        return dict(exploded)

    @with_transaction()
    def test_standard_stored(self):
        """Each 委外入库 stores the standard of what the order received, as
        Tryton explodes the BOM: 4 frames take 1,500 g of tube and 0.5 kg
        of paint, so 6 then 10 frames received take 2.25 then 3.75 kg of
        tube, an order of 1 dozen with half received 2.25 kg; an order
        without stored standard (received before) gets the same"""
        pool = Pool()
        Party = pool.get('party.party')
        Standard = pool.get('production.subcontract.standard')
        Tracking = pool.get('production.subcontract.tracking')
        Uom = pool.get('product.uom')
        unit, = Uom.search([('name', '=', "Unit")])
        dozen, = Uom.create([{'name': "Dozen", 'symbol': "dz",
                    'category': unit.category.id, 'factor': 12,
                    'rate': round(1 / 12, 12), 'rounding': 0.01,
                    'digits': 2}])
        company = create_company()
        with set_company(company):
            frame, _, (tube, paint), warehouse, _ = self._setup()
            bom = self._bom_of_four(frame, tube, paint)
            supplier, = Party.create([{'name': "华通五金"}])
            units = self._order(frame, bom, warehouse, supplier, 12)
            dozens = self._order(frame, bom, warehouse, supplier, 1, dozen)
            for order in [units, dozens]:
                self.assertTrue(self._ship(
                        order, 'send', warehouse.storage_location,
                        supplier.subcontract_location,
                        {tube: 4.5, paint: 1.5}))

            def stored(order):
                return {s.product: s.quantity for s in Standard.search(
                        [('production', '=', order.id)])}
            for order, quantity, received, expected in [
                    (units, 6, 6, {tube: 2.25, paint: 0.75}),
                    (units, 4, 10, {tube: 3.75, paint: 1.25}),
                    (dozens, 0.5, 0.5, {tube: 2.25, paint: 0.75})]:
                self._receive(order, quantity)
                self.assertEqual(stored(order), expected)
                self.assertEqual(self._exploded(order, received), expected)

            def standards():
                return {(r.production, r.product): r.standard
                    for r in Tracking.search([])}
            self.assertEqual(standards(), {
                    (units, tube): 3.75, (units, paint): 1.25,
                    (dozens, tube): 2.25, (dozens, paint): 0.75})
            Standard.delete(Standard.search([('production', '=', units.id)]))
            self.assertEqual(standards()[units, tube], 3.75)

    def _service(self, company, name):
        "A purchasable processing service (per unit) with its accounts"
        pool = Pool()
        Account = pool.get('account.account')
        Category = pool.get('product.category')
        Template = pool.get('product.template')
        Uom = pool.get('product.uom')
        unit, = Uom.search([('name', '=', "Unit")])
        create_chart(company)
        expense = Account.search([('type.expense', '=', True)])[0]
        category, = Category.create([{
                    'name': "加工费", 'accounting': True,
                    'account_expense': expense.id,
                    }])
        template, = Template.create([{
                    'name': name, 'type': 'service',
                    'account_category': category.id,
                    'default_uom': unit.id, 'purchasable': True,
                    'purchase_uom': unit.id,
                    'products': [('create', [{}])],
                    }])
        return template.products[0]

    @with_transaction()
    def test_price_comparison(self):
        """委外比价: each supplier's price of a service for a quantity on a
        date, cheapest first; an expired price is left out; a purchase
        line of that day gets the same price"""
        pool = Pool()
        Date = pool.get('ir.date')
        Party = pool.get('party.party')
        ProductSupplier = pool.get('purchase.product_supplier')
        Purchase = pool.get('purchase.purchase')
        PurchaseLine = pool.get('purchase.line')
        Start = pool.get('production.subcontract.price.compare.start')
        company = create_company()
        with set_company(company):
            today = Date.today()
            later = today + dt.timedelta(days=30)
            service = self._service(company, "车架加工费")
            huatong, yonggu, old = Party.create([
                    {'name': "华通五金"}, {'name': "永固"}, {'name': "旧厂"}])

            def prices(party, *rows):
                ProductSupplier.create([{
                            'template': service.template.id,
                            'party': party.id,
                            'currency': company.currency.id,
                            'prices': [('create', [dict(sequence=i,
                                            quantity=q,
                                            unit_price=Decimal(p), **d)
                                        for i, (q, p, d) in enumerate(rows)])],
                            }])
            until = {'end_date': later - dt.timedelta(days=1)}
            prices(huatong, (0, '5', until), (100, '4.5', until),
                (0, '6', {'start_date': later}),
                (100, '5.4', {'start_date': later}))
            prices(yonggu, (0, '4.8', {}))
            prices(old, (0, '3', {'end_date': today - dt.timedelta(days=1)}))

            def compare(quantity, date):
                return [(r['supplier'], r['unit_price'], r['amount'])
                    for r in ProductSupplier.compare_prices(
                        service, quantity, date)]
            self.assertEqual(compare(150, today), [
                    (huatong.id, Decimal('4.5'), Decimal('675.00')),
                    (yonggu.id, Decimal('4.8'), Decimal('720.00'))])
            self.assertEqual(compare(10, today), [
                    (yonggu.id, Decimal('4.8'), Decimal('48.00')),
                    (huatong.id, Decimal('5'), Decimal('50.00'))])
            self.assertEqual(compare(150, later), [
                    (yonggu.id, Decimal('4.8'), Decimal('720.00')),
                    (huatong.id, Decimal('5.4'), Decimal('810.00'))])

            start = Start(product=service, quantity=150, date=today)
            self.assertEqual(
                [(l['rank'], l['supplier']) for l in
                    start.on_change_with_lines()],
                [(1, huatong.id), (2, yonggu.id)])

            purchase = Purchase(party=huatong, company=company,
                currency=company.currency, purchase_date=today)
            line = PurchaseLine(purchase=purchase, product=service,
                quantity=150, unit=service.purchase_uom)
            line.on_change_product()
            self.assertEqual(line.unit_price, Decimal('4.5'))

    @with_transaction()
    def test_operation_outsourcing(self):
        """工序委外: an order made in house whose routing is outsourced
        (production_outsourcing): its material goes to the routing's
        supplier and back, tracked at the supplier's location"""
        pool = Pool()
        Party = pool.get('party.party')
        Product = pool.get('product.product')
        Production = pool.get('production')
        Receipt = pool.get('production.subcontract.receipt')
        Routing = pool.get('production.routing')
        Tracking = pool.get('production.subcontract.tracking')
        company = create_company()
        with set_company(company):
            frame, _, (tube, _), warehouse, lost_found = self._setup()
            bom = self._simple_bom(frame, tube)
            plater, = Party.create([{'name': "明辉电镀"}])
            service = self._service(company, "电镀加工费")
            routing, = Routing.create([{
                        'name': "Frame plated", 'supplier': plater.id,
                        'supplier_service': service.id,
                        'boms': [('add', [bom.id])],
                        }])
            production = Production(
                warehouse=warehouse, location=warehouse.production_location,
                product=frame, bom=bom, routing=routing, quantity=30,
                unit=frame.default_uom)
            production.explode_bom()
            production.save()
            Production.wait([production])
            self.assertIsNone(production.subcontractor)
            self.assertEqual(production.subcontract_party, plater)
            self.assertEqual(len(production.inputs), 1)  # kept: made here
            self.assertEqual(len(production.purchase_lines), 1)
            location = plater.subcontract_location
            storage = warehouse.storage_location
            self._ship(production, 'send', storage, location, {tube: 30})
            self._ship(production, 'return', location, storage, {tube: 28.5})
            self._ship(production, 'loss', location, lost_found, {tube: 0.5},
                reason="电镀报废")
            with self.assertRaises(SubcontractError):
                self._ship(production, 'return', location, storage,
                    {tube: 2})
            with self.assertRaises(DomainValidationError):
                Receipt.create([{
                            'production': production.id, 'quantity': 1,
                            'company': company.id,
                            }])
            row, = Tracking.search([('production', '=', production.id)])
            self.assertEqual(row.subcontractor, plater)
            self.assertEqual(
                (row.sent, row.returned, row.lost, row.consumed, row.balance),
                (30, 28.5, 0.5, 0, 1))
            with Transaction().set_context(locations=[location.id]):
                self.assertEqual(Product(tube.id).quantity, 1)
            self._check_ledger([plater], [tube])

    @with_transaction()
    def test_price_breaks_and_dates(self):
        """委外价格资料: Tryton's quantity breaks of a supplier's prices,
        each valid between its dates, price the processing service"""
        pool = Pool()
        Date = pool.get('ir.date')
        Party = pool.get('party.party')
        Product = pool.get('product.product')
        ProductSupplier = pool.get('purchase.product_supplier')
        Template = pool.get('product.template')
        Uom = pool.get('product.uom')
        unit, = Uom.search([('name', '=', "Unit")])
        company = create_company()
        with set_company(company):
            today = Date.today()
            supplier, = Party.create([{'name': "华通五金"}])
            template, = Template.create([{
                        'name': "车架加工费", 'type': 'service',
                        'default_uom': unit.id, 'purchasable': True,
                        'purchase_uom': unit.id,
                        'products': [('create', [{}])],
                        }])
            service, = template.products
            later = today + dt.timedelta(days=30)
            ProductSupplier.create([{
                        'template': template.id, 'party': supplier.id,
                        'currency': company.currency.id,
                        'prices': [('create', [
                                    {'sequence': 1, 'quantity': 0,
                                        'unit_price': Decimal('5'),
                                        'end_date': later
                                        - dt.timedelta(days=1)},
                                    {'sequence': 2, 'quantity': 100,
                                        'unit_price': Decimal('4.5'),
                                        'end_date': later
                                        - dt.timedelta(days=1)},
                                    {'sequence': 3, 'quantity': 0,
                                        'unit_price': Decimal('6'),
                                        'start_date': later},
                                    {'sequence': 4, 'quantity': 100,
                                        'unit_price': Decimal('5.4'),
                                        'start_date': later},
                                    ])],
                        }])

            def price(quantity, date):
                with Transaction().set_context(
                        supplier=supplier.id, purchase_date=date,
                        currency=company.currency.id):
                    return Product.get_purchase_price(
                        [service], quantity)[service.id]
            self.assertEqual(price(10, today), Decimal('5'))
            self.assertEqual(price(150, today), Decimal('4.5'))
            self.assertEqual(price(10, later), Decimal('6'))
            self.assertEqual(price(150, later), Decimal('5.4'))

    @with_transaction()
    def test_location_outside_warehouses(self):
        "A subcontractor's location is storage under 委外仓, in no warehouse"
        pool = Pool()
        Party = pool.get('party.party')
        Product = pool.get('product.product')
        company = create_company()
        with set_company(company):
            supplier, = Party.create([{'name': "华通五金"}])
            location = Party.get_subcontract_locations([supplier])[supplier]
            self.assertEqual(location.type, 'storage')
            self.assertEqual(location.parent.code, 'SUBCONTRACT')
            self.assertIsNone(location.warehouse)
            self.assertEqual(
                Party.get_subcontract_locations([supplier])[supplier],
                location)
            frame, bom, (tube, _), warehouse, _ = self._setup()
            production = self._order(frame, bom, warehouse, supplier, 10)
            self._ship(production, 'send', warehouse.storage_location,
                location, {tube: 15})
            with Transaction().set_context(
                    locations=[warehouse.id], with_childs=True):
                self.assertEqual(Product(tube.id).quantity, 10000 - 15)

    @with_transaction()
    def test_slip(self):
        "委外发料单: the shipment printed with supplier, order and lines"
        pool = Pool()
        Party = pool.get('party.party')
        Shipment = pool.get('stock.shipment.internal')
        Slip = pool.get('production.subcontract.slip', type='report')
        company = create_company()
        with set_company(company):
            supplier, = Party.create([{'name': "华通五金"}])
            frame, bom, (tube, paint), warehouse, _ = self._setup()
            production = self._order(frame, bom, warehouse, supplier, 10)
            location = supplier.subcontract_location
            self._ship(production, 'send', warehouse.storage_location,
                location, {tube: 15, paint: 2.1})
            shipment, = Shipment.search([('subcontract_kind', '=', 'send')])
            extension, content, _, name = Slip.execute([shipment.id], {})
            self.assertIn(extension, {'odt', 'pdf'})
            if extension == 'odt':
                with zipfile.ZipFile(io.BytesIO(content)) as odt:
                    text = odt.read('content.xml').decode()
                for word in ["委外发料单", "华通五金", "Tube", "Paint",
                        production.rec_name]:
                    self.assertIn(word, text)
            else:
                self.assertTrue(content.startswith(b'%PDF'))

    @with_transaction()
    def test_plain_shipment_refused(self):
        "Only a subcontract shipment moves material to a subcontractor"
        pool = Pool()
        Party = pool.get('party.party')
        Shipment = pool.get('stock.shipment.internal')
        company = create_company()
        with set_company(company):
            supplier, = Party.create([{'name': "华通五金"}])
            location = Party.get_subcontract_locations([supplier])[supplier]
            _, _, (tube, _), warehouse, _ = self._setup()
            shipment, = Shipment.create([{
                        'from_location': warehouse.storage_location.id,
                        'to_location': location.id,
                        'moves': [('create', [{
                                        'product': tube.id,
                                        'unit': tube.default_uom.id,
                                        'quantity': 1,
                                        'from_location':
                                        warehouse.storage_location.id,
                                        'to_location': location.id,
                                        }])],
                        }])
            with self.assertRaises(SubcontractError):
                Shipment.wait([shipment])

    @with_transaction()
    def test_random_sequences(self):
        """Random sends, supplements, returns, losses and receipts at two
        subcontractors: the ledger is the stock at each location, and a
        receipt is refused exactly when it needs more than is there"""
        pool = Pool()
        Integrity = pool.get('stock.integrity')
        Party = pool.get('party.party')
        Product = pool.get('product.product')
        company = create_company()
        with set_company(company):
            frame, bom, materials, warehouse, lost_found = self._setup()
            storage = warehouse.storage_location
            suppliers = Party.create([{'name': "华通五金"}, {'name': "永固"}])
            orders = [self._order(frame, bom, warehouse, s, 40)
                for s in suppliers for _ in range(2)]
            outcomes = Counter()
            for seed in range(3):
                rng = random.Random(seed)
                for _ in range(20):
                    outcomes[self._random_step(
                            rng, orders, materials, storage, lost_found)] += 1
                    self._check_ledger(suppliers, materials)
            self.assertTrue(outcomes['received'] and outcomes['refused'],
                outcomes)
            self.assertTrue(outcomes['return refused']
                or outcomes['loss refused'], outcomes)
            self.assertEqual(
                Integrity.check_subcontract_balance([company.id]), [])
            for production in orders:
                location = production.subcontractor.subcontract_location
                with Transaction().set_context(locations=[location.id]):
                    self.assertGreaterEqual(
                        min(Product(m.id).quantity for m in materials), 0)

    def _random_step(self, rng, orders, materials, storage, lost_found):
        pool = Pool()
        Product = pool.get('product.product')
        Production = pool.get('production')
        production = rng.choice(orders)
        location = production.subcontractor.subcontract_location
        material = rng.choice(materials)
        quantity = round(rng.uniform(0.1, 12), 1)
        kind = rng.choice(['send', 'supplement', 'return', 'loss', 'receive'])
        if kind == 'send':
            try:
                self._ship(production, 'send', storage, location,
                    {material: quantity})
            except SubcontractError:
                return 'send refused'
        elif kind == 'supplement':
            self._ship(production, 'supplement', storage, location,
                {material: quantity}, reason="报废")
        elif kind in {'return', 'loss'}:
            to = storage if kind == 'return' else lost_found
            balance = Production.subcontract_balances(
                [production])[production][material]
            try:
                if not self._ship(production, kind, location, to,
                        {material: quantity}, reason="丢失"):
                    return kind + ' not assigned'
            except SubcontractError:
                self.assertGreater(quantity, balance + 1e-9)
                return kind + ' refused'
            self.assertLessEqual(quantity, balance + 1e-9)
        else:
            received = rng.randint(1, 5)
            needs = production.subcontract_needs(received)
            balance = Production.subcontract_balances(
                [production])[production]
            with Transaction().set_context(locations=[location.id]):
                short = any(
                    needs[m] > min(Product(m.id).quantity, balance[m]) + 1e-9
                    for m in needs)
            if short:
                with self.assertRaises(ConsumptionError):
                    self._receive(production, received)
                return 'refused'
            self._receive(production, received)
            return 'received'
        return kind

    @with_transaction()
    def test_routing_not_subcontract(self):
        """Choosing a routing outsourced to 明辉 makes a 工序委外 order, not a
        整单委外 one: the subcontractor stays empty; the one the user chose
        stays when the routing changes"""
        pool = Pool()
        Party = pool.get('party.party')
        Production = pool.get('production')
        Routing = pool.get('production.routing')
        company = create_company()
        with set_company(company):
            frame, bom, _, warehouse, _ = self._setup()
            minghui, huatong = Party.create(
                [{'name': "明辉"}, {'name': "华通五金"}])
            service = self._service(company, "电镀加工费")
            routing, = Routing.create([{'name': "电镀",
                        'supplier': minghui.id,
                        'supplier_service': service.id,
                        'boms': [('add', [bom.id])]}])
            # as the client sends it: the fields of the form
            production = Production(warehouse=warehouse, product=frame,
                bom=bom, routing=routing, subcontractor=None)
            production.on_change(['routing'])
            self.assertIsNone(production.subcontractor)
            self.assertEqual(production.subcontract_party, minghui)
            production.subcontractor = huatong
            production.on_change(['routing'])
            self.assertEqual(production.subcontractor, huatong)
            self.assertEqual(production.subcontract_party, huatong)


class SubcontractHeldTestCase(unittest.TestCase):
    "Kitting, shortage and MRP count the material at a subcontractor"

    @classmethod
    def setUpClass(cls):
        activate_module(
            ['production_subcontract', 'production_kitting', 'production_mrp'])

    def _orders(self, case, company):
        """工序委外 of a frame (1 kg of tube, 2 % allowed loss): 明辉 holds
        91.8 kg of tube sent for its orders of 60 and 30 frames; 远大's order
        needs 15 kg; the warehouse has no tube left"""
        pool = Pool()
        Move = pool.get('stock.move')
        Party = pool.get('party.party')
        frame, _, (tube, _), warehouse, lost_found = case._setup()
        bom = case._simple_bom(frame, tube)
        minghui, yuanda = Party.create([{'name': "明辉"}, {'name': "远大"}])
        service = case._service(company, "电镀加工费")
        orders = [self._order(frame, bom, warehouse, s, service, q)
            for s, q in [(minghui, 60), (minghui, 30), (yuanda, 15)]]
        storage = warehouse.storage_location
        for order, quantity in zip(orders, [61.2, 30.6]):
            case._ship(order, 'send', storage, minghui.subcontract_location,
                {tube: quantity})
        Move.do(Move.create([{'product': tube.id, 'unit': tube.default_uom.id,
                        'quantity': 9908.2, 'from_location': storage.id,
                        'to_location': lost_found.id,
                        'company': company.id}]))
        return tube, warehouse, orders

    def _order(self, frame, bom, warehouse, supplier, service, quantity):
        "An order made here whose routing is outsourced to supplier"
        pool = Pool()
        Production = pool.get('production')
        Routing = pool.get('production.routing')
        routing, = Routing.create([{'name': supplier.name,
                    'supplier': supplier.id, 'supplier_service': service.id,
                    'boms': [('add', [bom.id])]}])
        production = Production(
            warehouse=warehouse, location=warehouse.production_location,
            product=frame, bom=bom, routing=routing, quantity=quantity,
            unit=frame.default_uom)
        production.explode_bom()
        production.save()
        Production.wait([production])
        return production

    @with_transaction()
    def test_shortage(self):
        """明辉's orders take its 91.8 kg (60 + 30), 远大's order is short
        15 kg: 明辉's 1.8 kg left are not 远大's"""
        pool = Pool()
        Kitting = pool.get('production.kitting')
        case = ProductionSubcontractTestCase()
        company = create_company()
        with set_company(company):
            tube, _, orders = self._orders(case, company)
            shortage = Kitting.shortage([o.id for o in orders])
            self.assertEqual(
                [(l['free_stock'], l['short']) for o in orders
                    for l in shortage[o.id]],
                [(60, 0), (30, 0), (0, 15)])

    @with_transaction()
    def test_mrp(self):
        "MRP buys 15 kg of tube for 远大's order only"
        pool = Pool()
        Run = pool.get('production.mrp.run')
        Template = pool.get('product.template')
        case = ProductionSubcontractTestCase()
        company = create_company()
        with set_company(company):
            tube, warehouse, orders = self._orders(case, company)
            Template.write([tube.template], {'purchasable': True,
                    'purchase_uom': tube.default_uom.id})
            today = pool.get('ir.date').today()
            run = Run(Run.plan(warehouse.id, 30, today))
            self.assertEqual(
                [(s.product, s.kind, s.quantity) for s in run.suggestions
                    if s.product == tube],
                [(tube, 'purchase', 15)])
            suggestion, = [s for s in run.suggestions if s.product == tube]
            self.assertEqual(
                {p.top_origin for p in suggestion.pegs}, {orders[2]})

    def _subcontracted(self, case, company):
        """整单委外 of frames (1 kg of tube each, no allowed loss) to 华通:
        order A of 100 frames with 60 kg sent (华通 holds them), order B of
        30 frames with nothing sent; 25 kg of tube left in the warehouse"""
        pool = Pool()
        BOMInput = pool.get('production.bom.input')
        Move = pool.get('stock.move')
        Party = pool.get('party.party')
        frame, _, (tube, _), warehouse, lost_found = case._setup()
        bom = case._simple_bom(frame, tube)
        BOMInput.write(list(bom.inputs), {'subcontract_loss': None})
        huatong, = Party.create([{'name': "华通五金"}])
        orders = [case._order(frame, bom, warehouse, huatong, q)
            for q in [100, 30]]
        storage = warehouse.storage_location
        case._ship(orders[0], 'send', storage, huatong.subcontract_location,
            {tube: 60})
        Move.do(Move.create([{'product': tube.id, 'unit': tube.default_uom.id,
                        'quantity': 9915, 'from_location': storage.id,
                        'to_location': lost_found.id,
                        'company': company.id}]))
        return tube, warehouse, huatong, orders

    def _short(self, orders):
        "The (required, free stock, short) of each order"
        Kitting = Pool().get('production.kitting')
        shortage = Kitting.shortage([o.id for o in orders])
        return [[(l['required'], l['free_stock'], l['short'])
                for l in shortage[o.id]] for o in orders]

    def _mrp_tube(self, tube, warehouse):
        "The tube MRP buys, pegged how much and to which demands"
        pool = Pool()
        Run = pool.get('production.mrp.run')
        Template = pool.get('product.template')
        Template.write([tube.template], {'purchasable': True,
                'purchase_uom': tube.default_uom.id})
        run = Run(Run.plan(warehouse.id, 30, pool.get('ir.date').today()))
        suggestions = [s for s in run.suggestions if s.product == tube]
        return [(s.kind, s.quantity, sum(p.quantity for p in s.pegs),
                {str(p.top_origin) for p in s.pegs}) for s in suggestions]

    def _draft_send(self, order, quantity):
        "A draft 委外发料 of quantity of the order's material"
        pool = Pool()
        Shipment = pool.get('stock.shipment.internal')
        tube, = {i.product for i in order.bom.inputs}
        storage = order.warehouse.storage_location
        location = order.subcontractor.subcontract_location
        shipment, = Shipment.create([{'subcontract_kind': 'send',
                    'subcontract_production': order.id,
                    'from_location': storage.id,
                    'to_location': location.id,
                    'moves': [('create', [{'product': tube.id,
                                    'unit': tube.default_uom.id,
                                    'quantity': quantity,
                                    'from_location': storage.id,
                                    'to_location': location.id}])]}])
        return shipment

    @with_transaction()
    def test_subcontracted_shortage(self):
        """整单委外: A needs 100 kg, 60 sent and held by 华通: 40 still to
        send, 25 in the warehouse, short 15; B's 30 kg are not taken from
        A's 60 at 华通: short 30.  A send of 10 assigned for A reserves 10
        of the 25 (short still 15); 50 frames received (50 kg consumed)
        change nothing; 5 kg returned make 45 to send; cancelled, nothing"""
        pool = Pool()
        Kitting = pool.get('production.kitting')
        Production = pool.get('production')
        Shipment = pool.get('stock.shipment.internal')
        case = ProductionSubcontractTestCase()
        company = create_company()
        with set_company(company):
            tube, warehouse, huatong, (a, b) = self._subcontracted(
                case, company)
            self.assertEqual(self._short([a, b]),
                [[(40, 25, 15)], [(30, 0, 30)]])
            shipment = self._draft_send(a, 10)
            self.assertEqual(self._short([a]), [[(40, 25, 15)]])
            Shipment.wait([shipment])
            Shipment.assign_try([shipment])
            self.assertEqual(shipment.state, 'assigned')
            self.assertEqual(self._short([a]), [[(40, 15, 15)]])
            Shipment.cancel([shipment])
            case._receive(a, 50)
            self.assertEqual(self._short([a]), [[(40, 25, 15)]])
            case._ship(a, 'return', huatong.subcontract_location,
                warehouse.storage_location, {tube: 5})
            self.assertEqual(self._short([a]), [[(45, 30, 15)]])
            Production.cancel([b])
            self.assertEqual(Kitting.production_needs([a, b]),
                {a.id: {tube.id: (45, 0, 45)}})

    @with_transaction()
    def test_subcontracted_mrp(self):
        """MRP buys 45 kg of tube for A (40 to send) and B (30), the
        warehouse having 25, pegged to the orders; a draft send of 10 for A
        is counted once (its move, not again in what A still needs)"""
        case = ProductionSubcontractTestCase()
        company = create_company()
        with set_company(company):
            tube, warehouse, _, (a, b) = self._subcontracted(case, company)
            self.assertEqual(self._mrp_tube(tube, warehouse),
                [('purchase', 45, 45, {str(a), str(b)})])
            self._draft_send(a, 10)
            self.assertEqual(self._mrp_tube(tube, warehouse)[0][:3],
                ('purchase', 45, 45))


del ModuleTestCase
