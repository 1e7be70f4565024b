# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model.exceptions import AccessError
from trytond.modules.company.tests import (
    CompanyTestMixin, create_company, set_company)
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction
from trytond.transaction import Transaction


def create_product(name="Bolt"):
    pool = Pool()
    Template = pool.get('product.template')
    Uom = pool.get('product.uom')
    unit, = Uom.search([('name', '=', "Unit")])
    template, = Template.create([{
                'name': name, 'type': 'goods', 'default_uom': unit.id,
                'products': [('create', [{}])],
                }])
    product, = template.products
    return product


def as_client(user):
    "The context of an RPC call of user: access checked"
    transaction = Transaction()
    return transaction.set_user(user.id), transaction.set_context(
        _check_access=True)


class QualityGateTestCase(CompanyTestMixin, ModuleTestCase):
    "Test Quality Gate module"
    module = 'quality_gate'
    extras = ['production_outsourcing', 'production_material_return']

    def create_user(self, company, access_models=()):
        "A user of a group granted full model access on access_models"
        pool = Pool()
        Access = pool.get('ir.model.access')
        Group = pool.get('res.group')
        User = pool.get('res.user')
        group, = Group.create([{'name': "Forgers"}])
        Access.create([{
                    'model': m, 'group': group.id,
                    'perm_read': True, 'perm_write': True,
                    'perm_create': True, 'perm_delete': True,
                    } for m in access_models])
        user, = User.create([{
                    'name': "Forger", 'login': 'forger',
                    'groups': [('add', [group.id])],
                    'companies': [('add', [company.id])],
                    'company': company.id,
                    }])
        return user

    @with_transaction()
    def test_lot_quality_log_server_only(self):
        "Even a group granted access cannot forge the quality log"
        pool = Pool()
        Log = pool.get('stock.lot.quality.log')
        Lot = pool.get('stock.lot')
        company = create_company()
        with set_company(company):
            product = create_product()
            lot, = Lot.create([{'number': "L-1", 'product': product.id}])
            log, = Log.create([{
                        'lot': lot.id, 'status': 'on_hold',
                        'previous_status': 'released', 'reason': "Server"}])
            user = self.create_user(
                company, ['stock.lot.quality.log', 'stock.lot'])
            message = ('The quality log of lot "L-1" is written only by the '
                'server when a quality inspector acts: it cannot be '
                'created, changed or deleted.')
            user_context, access = as_client(user)
            with user_context, access:
                for call in [
                        lambda: Log.create([{'lot': lot.id,
                                    'status': 'released',
                                    'previous_status': 'on_hold',
                                    'reason': "Forged"}]),
                        lambda: Log.write([log], {'reason': "Forged"}),
                        lambda: Log.delete([log]),
                        ]:
                    with self.assertRaises(AccessError) as cm:
                        call()
                    self.assertEqual(cm.exception.message, message)
            log = Log(log.id)
            self.assertEqual((log.reason, log.status), ("Server", 'on_hold'))

    @with_transaction()
    def test_lot_quality_status_by_action_only(self):
        "A client writes no quality status; the inspector's action does"
        pool = Pool()
        Lot = pool.get('stock.lot')
        company = create_company()
        with set_company(company):
            product = create_product()
            lot, = Lot.create([{'number': "L-2", 'product': product.id}])
            user = self.create_user(company, ['stock.lot'])
            message = ('The quality status of lot "L-2" changes only '
                'through the "Change Quality Status" action of a quality '
                'inspector, which logs it.')
            user_context, access = as_client(user)
            with user_context, access:
                for values in [
                        {'quality_status': 'rejected'},
                        {'quality_status': 'released'},
                        {'quality_concession': True},
                        ]:
                    with self.assertRaises(AccessError) as cm:
                        Lot.write([lot], values)
                    self.assertEqual(cm.exception.message, message)
                with self.assertRaises(AccessError) as cm:
                    Lot.create([{'number': "L-3", 'product': product.id,
                                'quality_status': 'on_hold'}])
                self.assertIn('"L-3"', cm.exception.message)
                # Other fields stay writable
                Lot.write([lot], {'number': "L-2"})
            # The inspector's action changes and logs it
            ModelData = pool.get('ir.model.data')
            User = pool.get('res.user')
            inspector, = User.create([{
                        'name': "QC", 'login': 'qc',
                        'groups': [('add', [
                                        ModelData.get_id('quality_gate',
                                            'group_quality_inspector'),
                                        # to read the lots at all
                                        ModelData.get_id(
                                            'stock', 'group_stock')])],
                        'companies': [('add', [company.id])],
                        'company': company.id,
                        }])
            user_context, access = as_client(inspector)
            with user_context, access:
                Lot.set_quality_status([lot.id], 'rejected', "Cracks")
            lot = Lot(lot.id)
            self.assertEqual(lot.quality_status, 'rejected')
            self.assertEqual(
                [(l.previous_status, l.status, l.reason)
                    for l in lot.quality_logs],
                [('released', 'rejected', "Cracks")])

    def create_inspection(self, product, quantity=10):
        "A pending inspection of quantity created by the server"
        pool = Pool()
        Control = pool.get('quality.control')
        Inspection = pool.get('quality.inspection')
        control, = Control.create([{
                    'name': "Look",
                    'points': [('create', [{
                                    'string': "Look", 'name': 'look',
                                    'type_': 'boolean'}])],
                    }])
        inspection, = Inspection.create([{
                    'control': control.id,
                    'points': {'look': True},
                    'lines': [('create', [{
                                    'product': product.id,
                                    'unit': product.default_uom.id,
                                    'quantity': quantity,
                                    'accepted_quantity': quantity,
                                    }])],
                    }])
        return inspection

    @with_transaction()
    def test_inspection_line_server_fields(self):
        "A client sets no inspected quantity, product nor origin of a line"
        pool = Pool()
        Line = pool.get('quality.inspection.line')
        Inspection = pool.get('quality.inspection')
        company = create_company()
        with set_company(company):
            product = create_product()
            other = create_product("Nut")
            inspection = self.create_inspection(product, 50)
            line, = inspection.lines
            user = self.create_user(
                company, ['quality.inspection', 'quality.inspection.line'])
            user_context, access = as_client(user)
            with user_context, access:
                for values, fields in [
                        ({'quantity': 500}, "Inspected Quantity"),
                        ({'product': other.id}, "Product"),
                        ({'quantity': 500, 'accepted_quantity': 500},
                            "Inspected Quantity"),
                        ({'move': None, 'quantity': 49},
                            "Inspected Quantity"),
                        ]:
                    for call in [
                            lambda v=values: Line.write([line], v),
                            lambda v=values: Inspection.write([inspection], {
                                    'lines': [('write', [line.id], v)],
                                    }),
                            ]:
                        with self.assertRaises(AccessError) as cm:
                            call()
                        self.assertEqual(cm.exception.message,
                            'Line "Bolt" of inspection "%s" takes its %s '
                            'from the inspected document (inspected '
                            'quantity 50.0): a client cannot set them.'
                            % (inspection.rec_name, fields))
                with self.assertRaises(AccessError) as cm:
                    Inspection.write([inspection], {
                            'lines': [('create', [{
                                            'product': product.id,
                                            'unit': product.default_uom.id,
                                            'quantity': 500,
                                            'accepted_quantity': 500,
                                            }])]})
                self.assertEqual(cm.exception.message,
                    'Line "Bolt" of 500.0 cannot be added to inspection '
                    '"%s" by hand: the server creates the lines from the '
                    'inspected document.' % inspection.rec_name)
                # The decision stays the client's, the same values pass
                Line.write([line], {
                        'accepted_quantity': 45, 'rejected_quantity': 5,
                        'quantity': 50, 'product': product.id})
            line = Line(line.id)
            self.assertEqual(
                (line.quantity, line.product, line.accepted_quantity,
                    line.rejected_quantity),
                (50, product, 45, 5))

    @with_transaction()
    def test_decided_inspection_immutable(self):
        "Nobody rewrites a decided inspection nor its lines"
        pool = Pool()
        Line = pool.get('quality.inspection.line')
        Inspection = pool.get('quality.inspection')
        company = create_company()
        with set_company(company):
            product = create_product()
            inspection = self.create_inspection(product, 10)
            line, = inspection.lines
            user = self.create_user(
                company, ['quality.inspection', 'quality.inspection.line'])
            user_context, access = as_client(user)
            with user_context, access:
                with self.assertRaises(AccessError) as cm:
                    Inspection.write([inspection], {'decided': True})
                self.assertEqual(cm.exception.message,
                    'Only the server marks inspection "%s" as decided, '
                    'when a quality inspector decides it.'
                    % inspection.rec_name)
            Inspection.process([inspection])
            inspection = Inspection(inspection.id)
            self.assertEqual(
                (inspection.state, inspection.decided), ('passed', True))
            line_message = ('Line "Bolt" of inspection "%s" has been '
                'decided: its quantities cannot be changed any more.'
                % inspection.rec_name)
            inspection_message = ('Inspection "%s" has been decided: it '
                'cannot be changed any more.' % inspection.rec_name)
            values = {'accepted_quantity': 10, 'rejected_quantity': 10,
                'concession_quantity': 10}
            # Neither the server
            for call, message in [
                    (lambda: Line.write([line], values), line_message),
                    (lambda: Line.delete([line]), line_message),
                    (lambda: Inspection.write([inspection], {
                                'lines': [('write', [line.id], values)]}),
                        inspection_message),
                    (lambda: Inspection.write([inspection], {
                                'points': {'look': False}}),
                        inspection_message),
                    (lambda: Inspection.write(
                            [inspection], {'decided': False}),
                        inspection_message),
                    ]:
                with self.assertRaises(AccessError) as cm:
                    call()
                self.assertEqual(cm.exception.message, message)
            # nor a client
            user_context, access = as_client(user)
            with user_context, access:
                for call, message in [
                        (lambda: Line.write([line], {
                                    'rejection_reason': "x"}),
                            line_message),
                        (lambda: Line.write([line], {'rejected_move': None}),
                            line_message),
                        (lambda: Inspection.write([inspection], {
                                    'state': 'passed'}),
                            inspection_message),
                        ]:
                    with self.assertRaises(AccessError) as cm:
                        call()
                    self.assertEqual(cm.exception.message, message)
            # Tryton's bookkeeping goes on
            Inspection.fail([inspection])
            line = Line(line.id)
            self.assertEqual(
                (line.quantity, line.accepted_quantity,
                    line.rejected_quantity, line.concession_quantity),
                (10, 10, 0, 0))
            self.assertEqual(Inspection(inspection.id).state, 'failed')

    @with_transaction()
    def test_move_without_lot_takes_no_held_lot(self):
        "899 on hand of which 150 on hold: a move without lot gets 749"
        pool = Pool()
        Location = pool.get('stock.location')
        Lot = pool.get('stock.lot')
        Move = pool.get('stock.move')
        company = create_company()
        with set_company(company):
            product = create_product()
            supplier, = Location.search([('code', '=', 'SUP')])
            customer, = Location.search([('code', '=', 'CUS')])
            warehouse, = Location.search([('type', '=', 'warehouse')])
            storage = warehouse.storage_location
            released, held, rejected = Lot.create([
                    {'number': n, 'product': product.id}
                    for n in ["R-1", "H-1", "X-1"]])
            receipts = Move.create([{
                        'product': product.id, 'unit': product.default_uom.id,
                        'quantity': quantity, 'lot': lot,
                        'from_location': supplier.id,
                        'to_location': storage.id, 'company': company.id,
                        'unit_price': 1, 'currency': company.currency.id,
                        } for quantity, lot in [
                        (700, released.id), (100, held.id),
                        (50, rejected.id), (49, None)]])
            with Transaction().set_context(_skip_warnings=True):
                Move.do(receipts)
            Lot.set_quality_status([held.id], 'on_hold', "Suspect")
            Lot.set_quality_status([rejected.id], 'rejected', "Cracks")
            move, = Move.create([{
                        'product': product.id, 'unit': product.default_uom.id,
                        'quantity': 899, 'from_location': storage.id,
                        'to_location': customer.id, 'company': company.id,
                        'unit_price': 1, 'currency': company.currency.id,
                        }])
            self.assertFalse(Move.assign_try([move]))
            moves = Move.search([('to_location', '=', customer.id)])
            self.assertEqual(
                sorted((m.state, m.quantity, m.lot) for m in moves),
                [('assigned', 749, None), ('draft', 150, None)])
            # Once released the rest is assigned too
            Lot.set_quality_status([held.id], 'released', "Checked")
            draft, = [m for m in moves if m.state == 'draft']
            self.assertFalse(Move.assign_try([draft]))
            moves = Move.search([('to_location', '=', customer.id)])
            self.assertEqual(
                sorted((m.state, m.quantity) for m in moves),
                [('assigned', 100), ('assigned', 749), ('draft', 50)])

    @with_transaction()
    def test_given_quantities_take_no_held_lot(self):
        "Quantities a caller gives (what a purchase supplied) skip held lots"
        pool = Pool()
        Location = pool.get('stock.location')
        Lot = pool.get('stock.lot')
        Move = pool.get('stock.move')
        company = create_company()
        with set_company(company):
            product = create_product()
            supplier, = Location.search([('code', '=', 'SUP')])
            customer, = Location.search([('code', '=', 'CUS')])
            warehouse, = Location.search([('type', '=', 'warehouse')])
            storage = warehouse.storage_location
            released, held = Lot.create([
                    {'number': n, 'product': product.id}
                    for n in ["R-1", "H-1"]])
            receipts = Move.create([{
                        'product': product.id, 'unit': product.default_uom.id,
                        'quantity': quantity, 'lot': lot,
                        'from_location': supplier.id,
                        'to_location': storage.id, 'company': company.id,
                        'unit_price': 1, 'currency': company.currency.id,
                        } for quantity, lot in [
                        (30, released.id), (100, held.id)]])
            with Transaction().set_context(_skip_warnings=True):
                Move.do(receipts)
            Lot.set_quality_status([held.id], 'on_hold', "Suspect")
            move, = Move.create([{
                        'product': product.id, 'unit': product.default_uom.id,
                        'quantity': 80, 'from_location': storage.id,
                        'to_location': customer.id, 'company': company.id,
                        'unit_price': 1, 'currency': company.currency.id,
                        }])
            # As sale_supply does when the purchase of 100 arrives
            supplied = {(storage.id, product.id): 100}
            self.assertFalse(Move.assign_try(
                    [move], pblc={company.id: supplied}))
            moves = Move.search([('to_location', '=', customer.id)])
            self.assertEqual(
                sorted((m.state, m.quantity) for m in moves),
                [('assigned', 30), ('draft', 50)])
            # the caller sees what is left of its quantities
            self.assertEqual(supplied, {(storage.id, product.id): 0})

    @with_transaction()
    def test_integrity_decided_inspection_adds_up(self):
        "The integrity check names a decided line that does not add up"
        pool = Pool()
        Integrity = pool.get('stock.integrity')
        Inspection = pool.get('quality.inspection')
        Line = pool.get('quality.inspection.line')
        company = create_company()
        with set_company(company):
            product = create_product()
            inspection = self.create_inspection(product, 10)
            pending = self.create_inspection(product, 5)
            Inspection.process([inspection])
            self.assertEqual(Integrity.problems(), [])
            # Only a write behind the server's back can break it
            line = Line.__table__()
            cursor = Transaction().connection.cursor()
            cursor.execute(*line.update(
                    [line.rejected_quantity], [3],
                    where=line.inspection.in_([inspection.id, pending.id])))
            Transaction().cache.clear()
            self.assertEqual(Integrity.problems(), [
                    'Decided inspection "%s", line "Bolt": accepted 10 + '
                    'rejected 3 + concession 0 = 13, not the inspected '
                    'quantity 10.' % inspection.rec_name])


del ModuleTestCase
