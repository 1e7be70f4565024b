# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import random
import unittest
from decimal import Decimal

from trytond.modules.company.tests import (
    CompanyTestMixin, create_company, set_company)
from trytond.modules.production_customer_material.exceptions import (
    CustomerMaterialError)
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.tests.test_tryton import (
    ModuleTestCase, activate_module, with_transaction)
from trytond.transaction import Transaction


class ProductionCustomerMaterialTestCase(CompanyTestMixin, ModuleTestCase):
    "Test Production Customer Material module"
    module = 'production_customer_material'

    def _setup(self):
        "A cabinet made of 4 panels, two customers and the locations"
        pool = Pool()
        Location = pool.get('stock.location')
        Party = pool.get('party.party')
        Template = pool.get('product.template')
        Uom = pool.get('product.uom')
        unit, = Uom.search([('name', '=', "Unit")])

        def product(name, **values):
            template, = Template.create([dict(name=name, type='goods',
                        default_uom=unit.id, products=[('create', [{}])],
                        cost_price_method='average', **values)])
            return template.products[0]
        self.cabinet = product(
            "Cabinet", producible=True, salable=True, list_price=100,
            sale_uom=unit.id)
        self.panel = product("Panel")
        self.acme, self.other = Party.create(
            [{'name': "Acme"}, {'name': "Other"}])
        self.warehouse, = Location.search([('type', '=', 'warehouse')])
        self.customer_location, = Location.search([('type', '=', 'customer')])
        self.supplier_location, = Location.search([('type', '=', 'supplier')])
        self.lost_found, = Location.search([('type', '=', 'lost_found')])
        locations = Party.customer_material_locations([self.acme, self.other])
        self.acme_location = locations[self.acme]
        self.other_location = locations[self.other]

    def _move(self, from_, to, quantity, **values):
        pool = Pool()
        Move = pool.get('stock.move')
        if Move(from_location=from_, to_location=to
                ).on_change_with_unit_price_required():
            values.setdefault('unit_price', Decimal(10))
            values.setdefault('currency', self.company.currency.id)
        move, = Move.create([dict(
                    product=self.panel.id, unit=self.panel.default_uom.id,
                    quantity=quantity, from_location=from_.id,
                    to_location=to.id, company=self.company.id,
                    **values)])
        return move

    def _do(self, *args, **values):
        pool = Pool()
        Move = pool.get('stock.move')
        move = self._move(*args, **values)
        with Transaction().set_context(_skip_warnings=True):
            Move.do([move])
        return move

    def _receive(self, party_location, quantity):
        return self._do(self.customer_location, party_location, quantity)

    def _production(self, customer, location, quantity):
        "An order for customer's sale consuming 4 panels a cabinet"
        pool = Pool()
        Production = pool.get('production')
        Sale = pool.get('sale.sale')
        sale, = Sale.create([{
                    'party': customer.id, 'company': self.company.id,
                    'currency': self.company.currency.id,
                    'lines': [('create', [{
                                    'product': self.cabinet.id,
                                    'quantity': quantity,
                                    'unit': self.cabinet.default_uom.id,
                                    'unit_price': Decimal(100),
                                    }])],
                    }])
        production, = Production.create([{
                    'company': self.company.id,
                    'warehouse': self.warehouse.id,
                    'location': self.warehouse.production_location.id,
                    'product': self.cabinet.id, 'quantity': quantity,
                    'unit': self.cabinet.default_uom.id,
                    'origin': str(sale.lines[0]),
                    }])
        self._input(production, location, quantity * 4)
        return production

    def _input(self, production, location, quantity, **values):
        return self._move(location, self.warehouse.production_location,
            quantity, production_input=production.id, **values)

    def _output(self, production):
        pool = Pool()
        Move = pool.get('stock.move')
        Move.create([{
                    'product': self.cabinet.id,
                    'unit': self.cabinet.default_uom.id,
                    'quantity': production.quantity,
                    'from_location': self.warehouse.production_location.id,
                    'to_location': self.warehouse.storage_location.id,
                    'production_output': production.id,
                    'company': self.company.id,
                    'unit_price': Decimal(0),
                    'currency': self.company.currency.id,
                    }])

    def _ledger(self):
        pool = Pool()
        Ledger = pool.get('production.customer_material.ledger')
        return {(l.customer, l.product): (l.received, l.consumed, l.returned,
                l.scrapped, l.balance) for l in Ledger.search([])}

    def _stock(self, location):
        pool = Pool()
        Product = pool.get('product.product')
        with Transaction().set_context(
                locations=[location.id], with_childs=False):
            return Product(self.panel.id).quantity

    @with_transaction()
    def test_location_outside_warehouses(self):
        "A customer's location is created once, outside every warehouse"
        pool = Pool()
        Location = pool.get('stock.location')
        Party = pool.get('party.party')
        self.company = create_company()
        with set_company(self.company):
            self._setup()
            again = Party.customer_material_locations([self.acme])
            self.assertEqual(again[self.acme], self.acme_location)
            self.assertEqual(
                self.acme.customer_material_location, self.acme_location)
            self.assertEqual(self.acme_location.parent.type, 'view')
            self.assertNotIn(self.acme_location, Location.search([
                        ('parent', 'child_of', [self.warehouse.id]),
                        ]))
            with Transaction().set_context(_check_access=True):
                for values in [{'customer_material_party': self.other.id},
                        {'parent': self.warehouse.storage_location.id}]:
                    with self.assertRaises(AccessError):
                        Location.write([self.acme_location], values)

    @with_transaction()
    def test_zero_value_and_cost(self):
        """50 panels of Acme at zero value: the company's own panels keep
        their cost, the cabinet costs only the company's panels"""
        pool = Pool()
        Production = pool.get('production')
        self.company = create_company()
        with set_company(self.company):
            self._setup()
            receipt = self._receive(self.acme_location, 50)
            self.assertEqual(
                (receipt.unit_price, receipt.cost_price), (0, 0))
            self._do(self.supplier_location, self.warehouse.storage_location,
                10, unit_price=Decimal(12))
            self.assertEqual(self.panel.cost_price, Decimal(12))

            production = self._production(self.acme, self.acme_location, 10)
            self._input(production, self.warehouse.storage_location, 2)
            self._output(production)
            # 40 of Acme's panels at 0, 2 of the company's at 12
            self.assertEqual(production.cost, Decimal(24))
            Production.wait([production])
            Production.assign_force([production])
            Production.run([production])
            Production.do([production])
            production = Production(production.id)
            self.assertEqual(production.cost, Decimal(24))
            self.assertEqual(production.outputs[0].unit_price, Decimal('2.4'))
            self.assertEqual(self._stock(self.acme_location), 10)

    @with_transaction()
    def test_other_uses_refused(self):
        "Another customer's order, a warehouse, a sale or no reason: refused"
        pool = Pool()
        Move = pool.get('stock.move')
        self.company = create_company()
        with set_company(self.company):
            self._setup()
            self._receive(self.acme_location, 50)
            production = self._production(self.other, self.acme_location, 1)
            with self.assertRaisesRegex(CustomerMaterialError, "Acme"):
                Move.do(production.inputs)
            with self.assertRaises(CustomerMaterialError):
                Move.assign(production.inputs)
            for to in [self.warehouse.storage_location, self.other_location]:
                with self.assertRaises(CustomerMaterialError):
                    self._do(self.acme_location, to, 1)
            with self.assertRaises(CustomerMaterialError):
                self._do(self.warehouse.storage_location, self.acme_location,
                    1)
            with self.assertRaises(CustomerMaterialError):
                self._do(self.acme_location, self.lost_found, 1)
            sale_line = production.origin
            with self.assertRaises(CustomerMaterialError):
                self._do(self.acme_location, self.customer_location, 1,
                    origin=str(sale_line))
            self._do(self.acme_location, self.lost_found, 1,
                customer_material_reason="Scratched")
            self.assertEqual(self._stock(self.acme_location), 49)

    @with_transaction()
    def test_held_never_negative(self):
        """Acme's 50 panels, 30 of lot A: taking 31 of lot A or 51 is refused
        with the numbers; 0 and a done scrap's reason too"""
        pool = Pool()
        Lot = pool.get('stock.lot')
        Move = pool.get('stock.move')
        self.company = create_company()
        with set_company(self.company):
            self._setup()
            lot_a, = Lot.create([{'number': "A", 'product': self.panel.id}])
            self._do(self.customer_location, self.acme_location, 30,
                lot=lot_a.id)
            self._receive(self.acme_location, 20)
            production = self._production(self.acme, self.acme_location, 1)
            move = self._input(production, self.acme_location, 31,
                lot=lot_a.id)
            with self.assertRaisesRegex(CustomerMaterialError, "30 u"):
                Move.do([move])
            move = self._input(production, self.acme_location, 51)
            with self.assertRaisesRegex(CustomerMaterialError, "50 u"):
                Move.do([move])
            with self.assertRaises(CustomerMaterialError):
                self._receive(self.acme_location, 0)
            scrap = self._do(self.acme_location, self.lost_found, 1,
                customer_material_reason="Scratched")
            with self.assertRaises(AccessError):
                Move.write([scrap], {'customer_material_reason': "Other"})
            Move.do([self._input(production, self.acme_location, 30,
                        lot=lot_a.id)])
            self.assertEqual(self._stock(self.acme_location), 19)
            self.assertEqual(
                self._ledger()[(self.acme, self.panel)], (50, 30, 0, 1, 19))

    @with_transaction()
    def test_random_sequences(self):
        "The ledger is the stock at each customer's location"
        pool = Pool()
        Integrity = pool.get('stock.integrity')
        self.company = create_company()
        with set_company(self.company):
            self._setup()
            orders = {p: self._production(p, l, 1000) for p, l in [
                    (self.acme, self.acme_location),
                    (self.other, self.other_location)]}
            rng = random.Random(18)
            for _ in range(60):
                self._random_operation(rng, orders)
            for party, location in [(self.acme, self.acme_location),
                    (self.other, self.other_location)]:
                row = self._ledger().get((party, self.panel))
                balance = row[4] if row else 0
                self.assertEqual(balance, self._stock(location))
                if row:
                    self.assertEqual(
                        row[0] - row[1] - row[2] - row[3], row[4])
            self.assertEqual(
                Integrity.check_customer_material_balance(
                    [self.company.id]), [])

    def _random_operation(self, rng, orders):
        party = rng.choice(list(orders))
        location = party.customer_material_location
        quantity = rng.randint(1, 5)
        kind = rng.choice(['receive', 'consume', 'return', 'scrap'])
        if kind != 'receive' and quantity > self._stock(location):
            # more than the customer holds: refused, nothing moves
            with self.assertRaises(CustomerMaterialError):
                self._do(location, self.customer_location, quantity)
            return
        if kind == 'receive':
            self._receive(location, quantity)
        elif kind == 'consume':
            move = self._input(orders[party], location, quantity)
            Pool().get('stock.move').do([move])
        elif kind == 'return':
            self._do(location, self.customer_location, quantity)
        else:
            self._do(location, self.lost_found, quantity,
                customer_material_reason="Damaged")


class CustomerMaterialKittingTestCase(unittest.TestCase):
    "What kitting, shortage and MRP count of a customer's material"

    @classmethod
    def setUpClass(cls):
        activate_module(['production_customer_material', 'production_kitting'])

    @with_transaction()
    def test_not_free_stock(self):
        """Acme's 50 panels are never the warehouse's free stock: kitting
        (storage tree) and MRP (whole warehouse) count only the company's 7,
        for Acme's own order too"""
        pool = Pool()
        Kitting = pool.get('production.kitting')
        Move = pool.get('stock.move')
        case = ProductionCustomerMaterialTestCase()
        case.company = create_company()
        with set_company(case.company):
            case._setup()
            case._receive(case.acme_location, 50)
            case._do(case.lost_found, case.warehouse.storage_location, 7)
            production = case._production(case.acme, case.acme_location, 10)
            self.assertEqual(
                Move.search([('production_input', '=', production.id)])[0]
                .from_location, case.acme_location)
            panel, warehouse = case.panel.id, case.warehouse.id
            self.assertEqual(
                Kitting.load_stock([panel], warehouse), {panel: 7})
            self.assertEqual(Kitting.load_stock(
                    [panel], warehouse, assigned=False, whole=True),
                {panel: 7})
            self.assertEqual(case._stock(case.acme_location), 50)


class CustomerMaterialHeldTestCase(unittest.TestCase):
    "Kitting, shortage and MRP count a customer's material for its orders"

    @classmethod
    def setUpClass(cls):
        activate_module(['production_customer_material', 'production_kitting',
                'production_mrp'])

    def _orders(self, case):
        """Acme supplied 10 panels; Acme's order needs 8 of the warehouse's
        panels, Other's order 5 (the warehouse has none)"""
        case._receive(case.acme_location, 10)
        storage = case.warehouse.storage_location
        acme = case._production(case.acme, storage, 2)
        other = case._production(case.other, storage, 1)
        move, = other.inputs
        move.quantity = 5
        move.save()
        return acme, other

    @with_transaction()
    def test_shortage(self):
        """Acme's order is kitted from Acme's 10 panels, Other's is short 5:
        Acme's 2 left are not Other's"""
        pool = Pool()
        Kitting = pool.get('production.kitting')
        case = ProductionCustomerMaterialTestCase()
        case.company = create_company()
        with set_company(case.company):
            case._setup()
            acme, other = self._orders(case)
            shortage = Kitting.shortage([acme.id, other.id])
            self.assertEqual(
                [(l['free_stock'], l['short']) for l in shortage[acme.id]],
                [(8, 0)])
            self.assertEqual(
                [(l['free_stock'], l['short']) for l in shortage[other.id]],
                [(0, 5)])
            self.assertEqual(
                Kitting.shortage([other.id])[other.id][0]['short'], 5)
            self.assertEqual(
                Kitting.load_stock([case.panel.id], case.warehouse.id),
                {case.panel.id: 0})

    @with_transaction()
    def test_sale_kitting(self):
        """Acme's sale of 3 cabinets (12 panels) is promised from Acme's 10
        panels: 2 cabinets, 1 short; Other's sale gets none of them"""
        pool = Pool()
        Kitting = pool.get('production.kitting')
        case = ProductionCustomerMaterialTestCase()
        case.company = create_company()
        with set_company(case.company):
            case._setup()
            self._bom(case)
            case._receive(case.acme_location, 10)
            acme = case._production(case.acme, case.acme_location, 3)
            other = case._production(case.other, case.other_location, 1)
            sales = [acme.origin.sale, other.origin.sale]
            for sale in sales:
                sale.warehouse = case.warehouse
            type(sales[0]).save(sales)
            result = Kitting.sale_atp([s.id for s in sales])
            self.assertEqual(
                [(result[s.lines[0].id]['from_production'],
                        result[s.lines[0].id]['short']) for s in sales],
                [(2, 1), (0, 1)])

    def _bom(self, case):
        "A cabinet made of 4 panels"
        pool = Pool()
        BOM = pool.get('production.bom')
        ProductBOM = pool.get('product.product-production.bom')
        bom, = BOM.create([{'name': "Cabinet", 'inputs': [('create', [{
                                'product': case.panel.id, 'quantity': 4,
                                'unit': case.panel.default_uom.id}])],
                    'outputs': [('create', [{
                                'product': case.cabinet.id, 'quantity': 1,
                                'unit': case.cabinet.default_uom.id}])]}])
        ProductBOM.create([{'product': case.cabinet.id, 'bom': bom.id}])

    @with_transaction()
    def test_mrp(self):
        """MRP buys 5 panels for Other's order only: Acme's order takes
        Acme's own 10"""
        pool = Pool()
        Run = pool.get('production.mrp.run')
        Template = pool.get('product.template')
        case = ProductionCustomerMaterialTestCase()
        case.company = create_company()
        with set_company(case.company):
            case._setup()
            Template.write([case.panel.template], {'purchasable': True,
                    'purchase_uom': case.panel.default_uom.id})
            acme, other = self._orders(case)
            today = pool.get('ir.date').today()
            run = Run(Run.plan(case.warehouse.id, 30, today))
            self.assertEqual(
                [(s.product, s.kind, s.quantity) for s in run.suggestions],
                [(case.panel, 'purchase', 5)])
            self.assertEqual(
                {p.top_origin for s in run.suggestions for p in s.pegs},
                {other})


del ModuleTestCase
