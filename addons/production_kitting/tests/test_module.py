# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime
import unittest
from decimal import Decimal

from trytond import config
from trytond.modules.company.tests import (
    CompanyTestMixin, create_company, set_company)
from trytond.modules.production_kitting.exceptions import (
    CyclicBOMError, SubstituteError)
from trytond.modules.production_kitting.stock import IN_MAX
from trytond.pool import Pool
from trytond.tests.test_tryton import (
    ModuleTestCase, activate_module, with_transaction)
from trytond.transaction import Transaction


def create_products(*codes):
    "Create goods with the codes in the unit Unit"
    pool = Pool()
    Uom = pool.get('product.uom')
    Template = pool.get('product.template')
    unit, = Uom.search([('name', '=', 'Unit')])
    templates = Template.create([{
                'name': c, 'code': c, 'type': 'goods',
                'producible': True, 'default_uom': unit.id,
                'products': [('create', [{}])],
                } for c in codes])
    return [t.products[0] for t in templates], unit


class ProductionKittingTestCase(CompanyTestMixin, ModuleTestCase):
    "Test Production Kitting module"
    module = 'production_kitting'
    extras = ['sale']

    def _bom(self, product, inputs, unit):
        pool = Pool()
        BOM = pool.get('production.bom')
        Product = pool.get('product.product')
        bom, = BOM.create([{
                    'name': product.code,
                    'inputs': [('create', [{
                                    'product': i.id, 'quantity': 1,
                                    'unit': unit.id,
                                    } for i in inputs])],
                    'outputs': [('create', [{
                                    'product': product.id, 'quantity': 1,
                                    'unit': unit.id,
                                    }])],
                    }])
        Product.write([product], {'boms': [('create', [{'bom': bom.id}])]})
        return bom

    def _stock(self, quantities):
        "Count quantities ({product: quantity}) into the warehouse"
        pool = Pool()
        Location = pool.get('stock.location')
        Inventory = pool.get('stock.inventory')
        warehouse, = Location.search([('type', '=', 'warehouse')])
        inventory, = Inventory.create([{
                    'location': warehouse.storage_location.id,
                    'lines': [('create', [
                                    {'product': p.id, 'quantity': q}
                                    for p, q in quantities.items()])],
                    }])
        Inventory.confirm([inventory])
        return warehouse

    @with_transaction()
    def test_cyclic_bom_named(self):
        "A cycle slipped in by SQL is refused with its chain of codes"
        pool = Pool()
        Kitting = pool.get('production.kitting')
        Input = pool.get('production.bom.input')
        Location = pool.get('stock.location')
        company = create_company()
        with set_company(company):
            (a, b, c), unit = create_products('A', 'B', 'C')
            self._bom(a, [b], unit)
            bom_b = self._bom(b, [c], unit)
            self.assertEqual(
                Kitting.buildable([a.id], Location.search(
                        [('type', '=', 'warehouse')])[0].id),
                {a.id: 0})
            input_ = Input.__table__()
            cursor = Transaction().connection.cursor()
            cursor.execute(*input_.insert(
                    [input_.bom, input_.product, input_.quantity,
                        input_.unit],
                    [[bom_b.id, a.id, 1, unit.id]]))
            # SQL bypasses the ORM that clears the graph's cache
            Kitting._bom_graph_cache.clear()
            warehouse, = Location.search([('type', '=', 'warehouse')])
            with self.assertRaisesRegex(CyclicBOMError, 'A → B → A'):
                Kitting.buildable([a.id], warehouse.id)

    @with_transaction()
    def test_input_quantity_rounded_up_without_float_noise(self):
        "An input's quantity is rounded up to its unit, float noise ignored"
        pool = Pool()
        Input = pool.get('production.bom.input')
        ModelData = pool.get('ir.model.data')
        Uom = pool.get('product.uom')
        kg = Uom(ModelData.get_id('product', 'uom_kilogram'))
        unit = Uom(ModelData.get_id('product', 'uom_unit'))
        # 0.2 of 1.5 kg is 0.30000000000000004 kg, and Uom.ceil of 0.3 kg
        # is 0.31 (0.3 * 100 = 30.000000000000004)
        self.assertEqual(
            Input(quantity=1.5, unit=kg, loss_rate=0).compute_quantity(0.2),
            0.3)
        self.assertEqual(
            Input(quantity=10, unit=unit, loss_rate=Decimal(10)
                ).compute_quantity(1), 11)
        self.assertEqual(
            Input(quantity=1.5, unit=kg, loss_rate=0).compute_quantity(
                0.2001), 0.31)

    @with_transaction()
    def test_phantom_rounded_up(self):
        "A phantom input is rounded up to its unit before its lines"
        pool = Pool()
        Kitting = pool.get('production.kitting')
        BOM = pool.get('production.bom')
        Product = pool.get('product.product')
        company = create_company()
        with set_company(company):
            (lamp, screw), unit = create_products('LAMP', 'SCREW')
            kit, = BOM.create([{
                        'name': "Kit", 'phantom': True,
                        'phantom_unit': unit.id, 'phantom_quantity': 1,
                        'inputs': [('create', [{
                                        'product': screw.id, 'quantity': 4,
                                        'unit': unit.id,
                                        }])],
                        }])
            # 1 kit makes 2 lamps
            bom, = BOM.create([{
                        'name': "Lamp",
                        'inputs': [('create', [{
                                        'phantom_bom': kit.id,
                                        'quantity': 1, 'unit': unit.id,
                                        }])],
                        'outputs': [('create', [{
                                        'product': lamp.id, 'quantity': 2,
                                        'unit': unit.id,
                                        }])],
                        }])
            Product.write([lamp], {'boms': [('create', [{'bom': bom.id}])]})
            warehouse = self._stock({screw: 10})
            # N lamps take ceil(N / 2) kits of 4 screws: 4 lamps, not 5
            self.assertEqual(
                Kitting.buildable([lamp.id], warehouse.id), {lamp.id: 4})
            tree = Kitting.explain(lamp.id, warehouse.id, 1)
            self.assertEqual(tree['children'][0]['required'], 4)

    @with_transaction()
    def test_substitute_checks(self):
        "A substitute must differ from the input and share its unit category"
        pool = Pool()
        Substitute = pool.get('production.bom.input.substitute')
        Template = pool.get('product.template')
        Uom = pool.get('product.uom')
        company = create_company()
        with set_company(company):
            (a, b), unit = create_products('A', 'B')
            bom = self._bom(a, [b], unit)
            input_, = bom.inputs
            with self.assertRaises(SubstituteError):
                Substitute.create([{'input': input_.id, 'product': b.id}])
            kilogram, = Uom.search([('name', '=', 'Kilogram')])
            template, = Template.create([{
                        'name': 'K', 'type': 'goods',
                        'default_uom': kilogram.id,
                        'products': [('create', [{}])],
                        }])
            with self.assertRaises(SubstituteError):
                Substitute.create([{
                            'input': input_.id,
                            'product': template.products[0].id,
                            }])


    @with_transaction()
    def test_substitute_after_making(self):
        "A sub-assembly is made before its substitute is used"
        pool = Pool()
        Kitting = pool.get('production.kitting')
        Substitute = pool.get('production.bom.input.substitute')
        Input = pool.get('production.bom.input')
        company = create_company()
        with set_company(company):
            (chair, seat, board, seat_b), unit = create_products(
                'CHAIR', 'SEAT', 'BOARD', 'SEAT-B')
            bom = self._bom(chair, [seat], unit)
            seat_bom = self._bom(seat, [board], unit)
            Input.write(list(seat_bom.inputs), {'quantity': 2})
            seat_input, = bom.inputs
            Substitute.create([{
                        'input': seat_input.id, 'product': seat_b.id,
                        'ratio': 1,
                        }])
            warehouse = self._stock({seat: 1, board: 4, seat_b: 5})
            # 1 seat in stock + 2 made of 4 boards + 5 substitutes
            self.assertEqual(
                Kitting.buildable([chair.id], warehouse.id), {chair.id: 8})
            node, = Kitting.explain(chair.id, warehouse.id, 4)['children']
            self.assertEqual(
                (node['from_stock'], node['to_make'], node['substitutes']),
                (1, 2, [{'product': seat_b.id, 'quantity': 1}]))

    @with_transaction()
    def test_bom_graph_cache(self):
        "The BOM graph read whole is cached and cleared by its changes only"
        pool = Pool()
        Kitting = pool.get('production.kitting')
        Input = pool.get('production.bom.input')
        Substitute = pool.get('production.bom.input.substitute')
        Template = pool.get('product.template')
        Uom = pool.get('product.uom')
        cache = Kitting._bom_graph_cache
        company = create_company()
        with set_company(company):
            (chair, leg, spare), unit = create_products('CHAIR', 'LEG', 'SP')
            bom = self._bom(chair, [leg], unit)
            input_, = bom.inputs
            Input.write([input_], {'quantity': 4})
            warehouse = self._stock({leg: 10, spare: 6})

            def buildable():
                return Kitting.buildable([chair.id], warehouse.id)[chair.id]

            # read the graph whole, as for more than graph_in_max products
            if not config.has_section('production_kitting'):
                config.add_section('production_kitting')
            config.set('production_kitting', 'graph_in_max', '0')
            self.addCleanup(config.set, 'production_kitting', 'graph_in_max',
                str(IN_MAX))
            self.assertEqual(buildable(), 2)
            self.assertIsNotNone(cache.get('inputs'))
            self.assertEqual(buildable(), 2)

            # a price is not part of the graph: kept
            Template.write([chair.template], {'list_price': 12})
            self.assertIsNotNone(cache.get('inputs'))

            # 4 → 2 legs per chair: cleared, read again
            Input.write([input_], {'quantity': 2})
            self.assertIsNone(cache.get('inputs'))
            self.assertEqual(buildable(), 5)
            self.assertIsNotNone(cache.get('inputs'))

            # a substitute, 2 spares per leg: 10 legs + 3 → 6 chairs
            Substitute.create([{
                        'input': input_.id, 'product': spare.id,
                        'ratio': 2,
                        }])
            self.assertIsNone(cache.get('substitutes'))
            self.assertEqual(buildable(), 6)

            # without the substitute again: 10 legs, 5 chairs
            Substitute.delete(input_.substitutes)
            self.assertIsNone(cache.get('substitutes'))
            self.assertEqual(buildable(), 5)

            # 0.05 dozen per chair, needs rounded up to whole dozens: the
            # first chair takes 12 legs, none buildable from 10
            dozen, = Uom.create([{
                        'name': "Dozen", 'symbol': 'dz',
                        'category': unit.category.id,
                        'factor': 12, 'rate': round(1 / 12, 12),
                        'rounding': 1, 'digits': 2,
                        }])
            self.assertIsNone(cache.get('uoms'))
            Input.write([input_], {'unit': dozen.id, 'quantity': 0.05})
            self.assertEqual(buildable(), 0)
            # rounded to 0.05 dozen: 0.6 leg per chair, 16 chairs
            Uom.write([dozen], {'rounding': 0.05})
            self.assertIsNone(cache.get('uoms'))
            self.assertEqual(buildable(), 16)

            # purchasable decides the proposed action of a shortage
            Template.write([leg.template], {
                    'purchasable': True, 'purchase_uom': unit.id})
            self.assertIsNone(cache.get('products'))
            self.assertEqual(buildable(), 16)

class ProductionKittingQualityGateTestCase(unittest.TestCase):
    "Test Production Kitting with Quality Gate"

    @classmethod
    def setUpClass(cls):
        activate_module(['production_kitting', 'quality_gate'])

    @with_transaction()
    def test_lots_on_hold_not_free(self):
        "Lots on hold or rejected are not free stock"
        pool = Pool()
        Kitting = pool.get('production.kitting')
        Location = pool.get('stock.location')
        Lot = pool.get('stock.lot')
        Move = pool.get('stock.move')
        Uom = pool.get('product.uom')
        Template = pool.get('product.template')
        company = create_company()
        with set_company(company):
            unit, = Uom.search([('name', '=', 'Unit')])
            template, = Template.create([{
                        'name': 'P', 'type': 'goods',
                        'default_uom': unit.id,
                        'products': [('create', [{}])],
                        }])
            product, = template.products
            released, held, rejected = Lot.create([
                    {'number': n, 'product': product.id}
                    for n in ['L1', 'L2', 'L3']])
            lot = Lot.__table__()
            cursor = Transaction().connection.cursor()
            for record, status in [(held, 'on_hold'), (rejected, 'rejected')]:
                cursor.execute(*lot.update(
                        [lot.quality_status], [status],
                        where=lot.id == record.id))
            warehouse, = Location.search([('type', '=', 'warehouse')])
            supplier, = Location.search([('code', '=', 'SUP')])
            move = Move.__table__()
            cursor.execute(*move.insert(
                    [move.product, move.unit, move.quantity,
                        move.internal_quantity, move.from_location,
                        move.to_location, move.state, move.company,
                        move.lot],
                    [[product.id, unit.id, q, q, supplier.id,
                            warehouse.storage_location.id, 'done',
                            company.id, l]
                        for q, l in [(5, released.id), (7, held.id),
                            (11, rejected.id), (2, None)]]))
            self.assertEqual(
                Kitting.load_stock([product.id], warehouse.id),
                {product.id: 7})

    @with_transaction()
    def test_closed_period(self):
        "Free stock reads the cache of the closed period as Tryton does"
        pool = Pool()
        Kitting = pool.get('production.kitting')
        Location = pool.get('stock.location')
        Lot = pool.get('stock.lot')
        Move = pool.get('stock.move')
        Period = pool.get('stock.period')
        Date = pool.get('ir.date')
        Uom = pool.get('product.uom')
        Template = pool.get('product.template')
        company = create_company()
        with set_company(company):
            today = Date.today()
            before = today - datetime.timedelta(days=10)
            unit, = Uom.search([('name', '=', 'Unit')])
            template, = Template.create([{
                        'name': 'P', 'type': 'goods',
                        'default_uom': unit.id,
                        'products': [('create', [{}])],
                        }])
            product, = template.products
            released, held = Lot.create([
                    {'number': n, 'product': product.id}
                    for n in ['L1', 'L2']])
            warehouse, = Location.search([('type', '=', 'warehouse')])
            supplier, = Location.search([('code', '=', 'SUP')])
            customer, = Location.search([('code', '=', 'CUS')])
            storage = warehouse.storage_location.id
            move = Move.__table__()
            lot = Lot.__table__()
            cursor = Transaction().connection.cursor()
            cursor.execute(*lot.update(
                    [lot.quality_status], ['on_hold'],
                    where=lot.id == held.id))

            def insert(rows):
                cursor.execute(*move.insert(
                        [move.product, move.unit, move.quantity,
                            move.internal_quantity, move.from_location,
                            move.to_location, move.state, move.company,
                            move.lot, move.planned_date,
                            move.effective_date],
                        [[product.id, unit.id, q, q, f, t, 'done',
                                company.id, l, d, d]
                            for q, f, t, l, d in rows]))
            insert([
                    (5, supplier.id, storage, released.id, before),
                    (7, supplier.id, storage, held.id, before),
                    (2, supplier.id, storage, None, before),
                    (1, storage, customer.id, None, before),
                    ])
            period, = Period.create([{
                        'date': today - datetime.timedelta(days=5),
                        'company': company.id,
                        }])
            Period.close([period])
            # 5 released + 2 - 1 from the cache, the held lot excluded
            self.assertEqual(
                Kitting.load_stock([product.id], warehouse.id),
                {product.id: 6})
            # the moves of a closed period are read from its cache only
            cursor.execute(*move.update(
                    [move.internal_quantity], [100],
                    where=move.product == product.id))
            insert([
                    (3, supplier.id, storage, None, today),
                    (4, supplier.id, storage, held.id, today),
                    ])
            self.assertEqual(
                Kitting.load_stock([product.id], warehouse.id),
                {product.id: 9})
            cursor.execute(*lot.update(
                    [lot.quality_status], ['released'],
                    where=lot.id == held.id))
            self.assertEqual(
                Kitting.load_stock([product.id], warehouse.id),
                {product.id: 20})

    @with_transaction()
    def test_free_stock_is_tryton_stock(self):
        "Free stock gives products_by_location's numbers on random moves"
        pool = Pool()
        Kitting = pool.get('production.kitting')
        Location = pool.get('stock.location')
        Lot = pool.get('stock.lot')
        Move = pool.get('stock.move')
        Product = pool.get('product.product')
        Date = pool.get('ir.date')
        company = create_company()
        with set_company(company):
            today = Date.today()
            products, unit = create_products('A', 'B', 'C')
            lots = Lot.create([{'number': 'L%s' % i, 'product': p.id}
                    for i, p in enumerate(products)])
            held = {lots[1].id}
            lot = Lot.__table__()
            cursor = Transaction().connection.cursor()
            cursor.execute(*lot.update([lot.quality_status], ['on_hold'],
                    where=lot.id.in_(list(held))))
            warehouse, = Location.search([('type', '=', 'warehouse')])
            storage = warehouse.storage_location
            shelf, quarantine = Location.create([
                    {'name': 'Shelf', 'parent': storage.id},
                    {'name': 'Q', 'parent': storage.id, 'quarantine': True},
                    ])
            supplier, = Location.search([('code', '=', 'SUP')])
            customer, = Location.search([('code', '=', 'CUS')])
            inside = [storage.id, shelf.id, quarantine.id]
            outside = [supplier.id, customer.id]
            random = __import__('random').Random(7)
            rows = []
            for _ in range(300):
                product = random.choice(products)
                lot_id = random.choice(
                    [None, lots[products.index(product)].id])
                from_, to = random.choice([
                        (random.choice(outside), random.choice(inside)),
                        (random.choice(inside), random.choice(outside)),
                        # to or from quarantine (between two free locations
                        # Tryton's per-location sums would count an
                        # assigned move out of its source only)
                        random.choice([(storage.id, quarantine.id),
                                (quarantine.id, shelf.id)]),
                        ])
                state = random.choice(
                    ['done', 'done', 'assigned', 'draft', 'cancelled'])
                days = random.randint(-20, 0 if state == 'done' else 20)
                date = today + datetime.timedelta(days=days)
                quantity = random.randint(1, 9)
                rows.append([product.id, unit.id, quantity, quantity, from_,
                        to, state, company.id, lot_id, date,
                        date if state == 'done' else None])
            move = Move.__table__()
            cursor.execute(*move.insert(
                    [move.product, move.unit, move.quantity,
                        move.internal_quantity, move.from_location,
                        move.to_location, move.state, move.company,
                        move.lot, move.planned_date, move.effective_date],
                    rows))
            free = [storage.id, shelf.id]
            ids = [p.id for p in products]
            with Transaction().set_context(
                    stock_assign=True, stock_date_end=today):
                quantities = Product.products_by_location(free,
                    grouping=('product', 'lot'), grouping_filter=(ids,))
            tryton = dict.fromkeys(ids, 0)
            for (_, product, lot_id), quantity in quantities.items():
                if lot_id not in held:
                    tryton[product] += quantity
            self.assertEqual(Kitting.load_stock(ids, warehouse.id), tryton)

del ModuleTestCase
