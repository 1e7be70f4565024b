# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Where-used, multi-level tree and cost query (run from test_module)"""
import datetime
import unittest
from decimal import Decimal

from trytond.exceptions import UserError
from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.transaction import Transaction


class BOMGraph:
    """Three levels: FG ← 4 SA (5 % loss) + 2 phantom PH + 1 kg RM;
    SA × 2 ← 3 kg RM (10 % loss); PH ← 500 g RM"""

    def _uoms(self):
        Uom = Pool().get('product.uom')
        unit, = Uom.search([('name', '=', 'Unit')])
        kg, = Uom.search([('name', '=', 'Kilogram')])
        gram, = Uom.search([('name', '=', 'Gram')])
        return unit, kg, gram

    def _product(self, code, uom, cost_price=0):
        Template = Pool().get('product.template')
        template, = Template.create([{
                    'name': code, 'code': code, 'type': 'goods',
                    'default_uom': uom.id, 'producible': True,
                    'list_price': Decimal(0),
                    'products': [('create', [{
                                    'cost_price': Decimal(cost_price)}])],
                    }])
        return template.products[0]

    def _bom(self, name, inputs, output=None, quantity=1, phantom=None):
        BOM = Pool().get('production.bom')
        values = {'name': name, 'inputs': [('create', [{
                            'product': p.id if not b else None,
                            'phantom_bom': b.id if b else None,
                            'quantity': q, 'unit': u.id,
                            'loss_rate': Decimal(l),
                            } for p, b, q, u, l in inputs])]}
        if phantom:
            values.update(phantom=True, phantom_quantity=phantom[0],
                phantom_unit=phantom[1].id)
        else:
            values['outputs'] = [('create', [{
                            'product': output.id, 'quantity': quantity,
                            'unit': output.default_uom.id}])]
        bom, = BOM.create([values])
        if output:
            output.boms = [{'bom': bom.id}]
            output.save()
        return bom

    def _graph(self):
        unit, kg, gram = self._uoms()
        rm = self._product('RM', kg, 10)
        sa = self._product('SA', unit)
        fg = self._product('FG', unit)
        sa_bom = self._bom('SA', [(rm, None, 3, kg, 10)], sa, quantity=2)
        ph = self._bom('PH', [(rm, None, 500, gram, 0)], phantom=(1, unit))
        fg_bom = self._bom('FG', [
                (sa, None, 4, unit, 5), (None, ph, 2, unit, 0),
                (rm, None, 1, kg, 0)], fg)
        return rm, sa, fg, sa_bom, ph, fg_bom

    def _routing(self, company, product, hours):
        pool = Pool()
        Routing = pool.get('production.routing')
        Operation = pool.get('production.routing.operation')
        Center = pool.get('production.work.center')
        Location = pool.get('stock.location')
        warehouse, = Location.search([('type', '=', 'warehouse')], limit=1)
        center, = Center.create([{
                    'name': 'WC', 'company': company.id,
                    'warehouse': warehouse.id, 'cost_method': 'hour',
                    'cost_price': Decimal(50),
                    'overhead_rate': Decimal(20)}])
        operation, = Operation.create([{'name': 'OP'}])
        product_bom, = product.boms
        routing, = Routing.create([{'name': product.code,
                    'boms': [('add', [product_bom.bom.id])], 'steps': [
                        ('create', [{'operation': operation.id,
                                    'work_center': center.id,
                                    'hours': Decimal(hours)}])]}])
        product_bom.routing = routing
        product_bom.save()
        return center


class BOMQueryTestMixin(BOMGraph):
    "Where-used, cost query and tree on the three levels of BOMGraph"

    @with_transaction()
    def test_where_used_multi_level(self):
        "Where-used sums every path, loss rates and units included"
        BOM = Pool().get('production.bom')
        company = create_company()
        with set_company(company):
            rm, sa, fg, sa_bom, ph, fg_bom = self._graph()
            rows = BOM.where_used([rm.id])
        found = {(r['bom'], r['product']): (r['level'], r['quantity'],
                r['top']) for r in rows}
        self.assertEqual(found, {
                # 3 kg × 1.10 / 2 SA
                (sa_bom.id, sa.id): (1, 1.65, False),
                # 500 g per phantom unit
                (ph.id, None): (1, 0.5, False),
                # 1 + 4 × 1.05 × 1.65 + 2 × 0.5
                (fg_bom.id, fg.id): (1, 8.93, True),
                })
        self.assertEqual({r['component'] for r in rows}, {rm.id})

    @with_transaction()
    def test_where_used_unknown_product(self):
        "Where-used refuses an unknown product naming it"
        BOM = Pool().get('production.bom')
        company = create_company()
        with set_company(company):
            with self.assertRaisesRegex(UserError, '987654'):
                BOM.where_used([987654])

    @with_transaction()
    def test_cost_rollup_three_levels(self):
        "The cost is rolled up per level with labour and overhead"
        BOM = Pool().get('production.bom')
        company = create_company()
        with set_company(company):
            rm, sa, fg, *_ = self._graph()
            self._routing(company, sa, '0.1')
            self._routing(company, fg, '0.2')
            result, = BOM.cost_rollup([fg.id])
        self.assertEqual(
            [(l['level'], l['material'], l['labour'], l['overhead'],
                    l['total']) for l in result['levels']], [
                # FG's own 0.2 h × 50, 20 % overhead
                (0, Decimal('0'), Decimal('10'), Decimal('2'),
                    Decimal('12')),
                # 1 kg + 2 × 0.5 kg at 10; 4.2 SA × 0.1 h × 50
                (1, Decimal('20'), Decimal('21'), Decimal('4.2'),
                    Decimal('45.2')),
                # 4.2 SA × 1.65 kg × 10
                (2, Decimal('69.3'), Decimal('0'), Decimal('0'),
                    Decimal('69.3')),
                ])
        self.assertEqual(result['total'], Decimal('126.5'))
        self.assertEqual(
            (result['material'], result['labour'], result['overhead']),
            (Decimal('89.3'), Decimal('31'), Decimal('6.2')))
        self.assertIsNone(result['actual'])

    @with_transaction()
    def test_cost_rollup_other_company_center(self):
        "The work centre of another company gives no labour"
        BOM = Pool().get('production.bom')
        company = create_company()
        other = create_company('Other')
        with set_company(company):
            rm, sa, fg, *_ = self._graph()
        with set_company(other):
            self._routing(other, fg, '1')
        with set_company(company):
            result, = BOM.cost_rollup([fg.id])
        self.assertEqual(result['labour'], Decimal(0))
        self.assertEqual(result['total'], Decimal('89.3'))

    @with_transaction()
    def test_cost_rollup_bad_input(self):
        "The cost query refuses an unknown product or price source"
        BOM = Pool().get('production.bom')
        company = create_company()
        with set_company(company):
            rm, *_ = self._graph()
            with self.assertRaisesRegex(UserError, '987654'):
                BOM.cost_rollup([987654])
            with self.assertRaisesRegex(UserError, 'list_price'):
                BOM.cost_rollup([rm.id], 'list_price')
            result, = BOM.cost_rollup([rm.id], 'supplier_price')
        # no supplier price: the cost price of the material
        self.assertEqual(result['total'], Decimal(10))
        self.assertIsNone(result['bom'])

    @with_transaction()
    def test_tree_write(self):
        "The tree saves a line at any level and refuses bad values"
        pool = Pool()
        Input = pool.get('production.bom.input')
        company = create_company()
        with set_company(company):
            rm, sa, fg, sa_bom, ph, fg_bom = self._graph()
            line, = sa_bom.inputs
            self.assertEqual(Input.tree_write([{'input': line.id,
                            'quantity': 3.5, 'loss_rate': Decimal(8)}]), 1)
            line = Input(line.id)
            self.assertEqual((line.quantity, line.loss_rate),
                (3.5, Decimal(8)))
            unit, = [u for u in self._uoms() if u.name == 'Unit']
            for change, error in [
                    ({'quantity': -2}, '-2'),
                    ({'quantity': 0}, 'greater than 0'),
                    ({'loss_rate': Decimal(1000)}, '1000'),
                    ({'unit': unit.id}, 'category'),
                    ]:
                with self.assertRaisesRegex(UserError, error):
                    Input.tree_write([
                            {'input': fg_bom.inputs[0].id, 'quantity': 9},
                            dict(change, input=line.id)])
            self.assertEqual(Input(fg_bom.inputs[0].id).quantity, 4)
            with self.assertRaisesRegex(UserError, '987654'):
                Input.tree_write([{'input': 987654, 'quantity': 1}])

    @with_transaction()
    def test_tree_write_active_version(self):
        "The tree refuses a line of a BOM version no longer in draft"
        pool = Pool()
        BOM = pool.get('production.bom')
        Input = pool.get('production.bom.input')
        company = create_company()
        with set_company(company):
            rm, sa, fg, sa_bom, ph, fg_bom = self._graph()
            BOM.activate([sa_bom])
            line, = sa_bom.inputs
            with self.assertRaisesRegex(UserError, 'draft'):
                Input.tree_write([{'input': line.id, 'quantity': 5}])
            self.assertEqual(Input(line.id).quantity, 3)
            # the where-used walks the active version too
            self.assertEqual(len(BOM.where_used([rm.id])), 3)

    @with_transaction()
    def test_tree_wizard_lines(self):
        "The tree shows every level under the top product"
        pool = Pool()
        Wizard = pool.get('production.bom.tree.edit', type='wizard')
        company = create_company()
        with set_company(company):
            rm, sa, fg, sa_bom, ph, fg_bom = self._graph()
            session_id, _, _ = Wizard.create()
            with Transaction().set_context(active_model='product.product',
                    active_id=fg.id, active_ids=[fg.id]):
                wizard = Wizard(session_id)
                values = wizard.default_show(None)
        self.assertEqual(
            [(l['path'], l['level'], l['quantity']) for l in values['lines']],
            [('1', 1, 4), ('1.1', 2, 3), ('2', 1, 2), ('2.1', 2, 500),
                ('3', 1, 1)])


class BOMCostActualTestCase(BOMGraph, unittest.TestCase):
    "The cost query against production_costing's results"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        activate_module(['production_bom_engineering', 'production_costing'])

    @with_transaction()
    def test_cost_rollup_actual(self):
        "The actual unit cost is the average of the latest cost results"
        pool = Pool()
        BOM = pool.get('production.bom')
        Period = pool.get('production.cost.period')
        Production = pool.get('production')
        Result = pool.get('production.cost.result')
        Location = pool.get('stock.location')
        company = create_company()
        with set_company(company):
            rm, sa, fg, *_ = self._graph()
            warehouse, = Location.search([('type', '=', 'warehouse')])
            today = datetime.date.today()
            periods = Period.create([{
                        'company': company.id,
                        'start_date': today - datetime.timedelta(days=d + 9),
                        'end_date': today - datetime.timedelta(days=d),
                        } for d in [10, 30]])
            production, = Production.create([{
                        'product': fg.id, 'quantity': 1,
                        'warehouse': warehouse.id,
                        'location': warehouse.production_location.id,
                        'company': company.id}])
            Result.create([{
                        'period': p.id, 'production': production.id,
                        'product': fg.id, 'finished_quantity': q,
                        'finished_cost': Decimal(c)}
                    for p, q, c in zip(periods, [10, 30], [1000, 3300])])
            result, = BOM.cost_rollup([fg.id])
        # (1000 + 3300) / (10 + 30) = 107.5 against 89.3 by the BOM
        self.assertEqual(result['actual'], Decimal('107.5'))
        self.assertEqual(result['difference'], Decimal('-18.2'))
