# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Unit tests of BOM versions and engineering change orders"""
import datetime

from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from ..bom_copy import columns
from ..change import _next_version
from ..exceptions import ChangeLineError, VersionError

MONDAY = datetime.date(2026, 12, 14)


def _lines(Model, records, parent):
    """Return the values of the columns of records but ids, parent and
    create date, with their children, in the order of their ids"""
    from ..bom_copy import children
    names = [n for n in columns(Model) if n != parent]
    result = []
    for record in sorted(records, key=lambda r: r.id):
        values = [getattr(record, n) for n in names]
        values = [v.id if hasattr(v, 'id') else v for v in values]
        for name, field in children(Model).items():
            values.append(_lines(field.get_target(),
                    getattr(record, name), field.field))
        result.append(values)
    return result


def _version_values(bom):
    """Return the values of the columns of bom but those of its version
    and its translations in the database language"""
    pool = Pool()
    Translation = pool.get('ir.translation')
    version = {'version', 'previous_version', 'family', 'start_date',
        'end_date', 'change', 'state', 'code'}
    names = [n for n in columns(bom.__class__, translated=True)
        if n not in version]
    values = [getattr(bom, n) for n in names]
    return values, [(t.lang, t.src, t.value, t.fuzzy)
        for t in Translation.search([('name', '=', 'production.bom,name'),
                ('res_id', '=', bom.id), ('type', '=', 'model')])]


class BOMChangeTestMixin:
    "Versions by date in kitting, edits refused, change lines checked"

    def _versions(self):
        "钢管 Φ25 in V1 until Monday, 钢管 Φ22 in V2 from Monday"
        pool = Pool()
        BOM = pool.get('production.bom')
        Template = pool.get('product.template')
        Uom = pool.get('product.uom')
        unit, = Uom.search([('name', '=', 'Unit')])
        tube25, tube22, frame = [t.products[0] for t in Template.create([{
                        'name': n, 'type': 'goods', 'producible': True,
                        'default_uom': unit.id, 'products': [('create', [{}])],
                        } for n in ["钢管 Φ25", "钢管 Φ22", "车架"]])]
        v1, v2 = BOM.create([{
                    'name': "车架", 'version': v,
                    'inputs': [('create', [{'product': p.id, 'quantity': 4,
                                    'unit': unit.id}])],
                    'outputs': [('create', [{'product': frame.id,
                                    'quantity': 1, 'unit': unit.id}])],
                    } for v, p in [('V1', tube25), ('V2', tube22)]])
        BOM.write([v2], {'previous_version': v1.id, 'family': v1.id,
                'start_date': MONDAY})
        BOM.write([v1], {'start_date': datetime.date(2026, 1, 1),
                'end_date': MONDAY})
        frame.boms = [{'bom': v1.id}, {'bom': v2.id}]
        frame.save()
        BOM.write([v1, v2], {'state': 'active'})
        return tube25, tube22, frame, v1, v2

    def test_next_version(self):
        "V1 → V2, V9 → V10, A → A.2"
        self.assertEqual(
            [_next_version(v) for v in ['V1', 'V9', 'A', 'V1.2']],
            ['V2', 'V10', 'A.2', 'V1.3'])

    @with_transaction()
    def test_kitting_version_by_date(self):
        "Kitting loads V1 before Monday, V2 from Monday (own cache per date)"
        Kitting = Pool().get('production.kitting')
        tube25, tube22, frame, _, _ = self._versions()
        found = []
        for date in [MONDAY - datetime.timedelta(days=1), MONDAY,
                MONDAY - datetime.timedelta(days=1)]:
            with Transaction().set_context(bom_date=date):
                boms, _ = Kitting.load_boms([frame.id])
            found.append([l.product for l in boms[frame.id]])
        self.assertEqual(found, [[tube25.id], [tube22.id], [tube25.id]])

    @with_transaction()
    def test_product_bom_by_date(self):
        "get_bom gives the version of the date of the context"
        _, _, frame, v1, v2 = self._versions()
        with Transaction().set_context(bom_date=MONDAY):
            self.assertEqual(frame.get_bom().bom, v2)
        with Transaction().set_context(bom_date=datetime.date(2026, 6, 1)):
            self.assertEqual(frame.get_bom().bom, v1)

    @with_transaction()
    def test_active_version_not_edited(self):
        "An active version and its inputs refuse edits, accept obsolete"
        pool = Pool()
        BOM = pool.get('production.bom')
        Input = pool.get('production.bom.input')
        _, _, _, v1, v2 = self._versions()
        with self.assertRaisesRegex(VersionError, "V2"):
            Input.write(list(v2.inputs), {'quantity': 5})
        with self.assertRaisesRegex(VersionError, "V1"):
            BOM.write([v1], {'name': "other"})
        self.assertEqual(v2.inputs[0].quantity, 4)
        BOM.obsolete([v2])
        self.assertEqual(v2.state, 'obsolete')

    @with_transaction()
    def test_change_line_refused(self):
        "A ratio ≤ 0, a quantity ≤ 0 or a loss rate ≥ 1000 is refused"
        Change = Pool().get('production.bom.change')
        company = create_company()
        with set_company(company):
            tube25, tube22, _, _, _ = self._versions()
            for line, text in [
                    ({'action': 'replace', 'new_product': tube22.id,
                        'ratio': 0}, "ratio 0"),
                    ({'action': 'quantity', 'quantity': -2}, "-2"),
                    ({'action': 'loss_rate', 'loss_rate': 1000}, "1000"),
                    ]:
                line['product'] = tube25.id
                with self.assertRaisesRegex(ChangeLineError, text):
                    Change.create([{'reason': "test", 'requested_by': 1,
                                'lines': [('create', [line])]}])

    @with_transaction()
    def test_apply_copies_lines(self):
        """Applied to two BOMs: each new version has its own inputs (with
        their loss rates and substitutes), outputs and product link"""
        pool = Pool()
        BOM = pool.get('production.bom')
        Change = pool.get('production.bom.change')
        Template = pool.get('product.template')
        company = create_company()
        with set_company(company):
            tube25, tube22, frame, v1, v2 = self._versions()
            steel, = [t.products[0] for t in Template.create([{
                            'name': "钢板", 'type': 'goods',
                            'default_uom': frame.default_uom.id,
                            'products': [('create', [{}])]}])]
            other = BOM.copy([v1], default={'name': "车架 B"})[0]
            BOM.write([other], {'inputs': [('create', [{
                                'product': steel.id, 'quantity': 2,
                                'unit': steel.default_uom.id,
                                'loss_rate': 5,
                                'substitutes': [('create', [{
                                                'product': tube22.id,
                                                'ratio': 2}])]}])]})
            BOM.activate([other])
            change, = Change.create([{'reason': "Φ22", 'requested_by': 1,
                        'effective_date': MONDAY,
                        'boms': [('add', [v2.id, other.id])],
                        'lines': [('create', [{'action': 'quantity',
                                        'product': tube22.id,
                                        'quantity': 5}])]}])
            Change.write([change], {'state': 'approved'})
            Change.apply([change])
            new = {b.previous_version: b for b in change.new_boms}
            self.assertEqual(
                [[(i.product, i.quantity, i.loss_rate,
                            [(s.product, s.ratio) for s in i.substitutes])
                        for i in sorted(new[b].inputs,
                            key=lambda i: i.product.id)]
                    for b in [v2, other]],
                [[(tube22, 5, 0, [])],
                    [(tube25, 4, 0, []), (steel, 2, 5, [(tube22, 2)])]])
            self.assertEqual([i.substitutes[0].ratio
                    for i in other.inputs if i.substitutes], [2])
            self.assertEqual(
                [[(o.product, o.quantity) for o in new[b].outputs]
                    for b in [v2, other]], [[(frame, 1)]] * 2)
            self.assertEqual({b.end_date for b in [v2, other]}, {MONDAY})
            self.assertEqual(
                {b.version for b in new.values()}, {'V3', 'V2'})

    @with_transaction()
    def test_apply_copies_name_translations(self):
        """The new versions carry the zh_CN names of the old ones (or else
        their source name), as Tryton's copy() does"""
        pool = Pool()
        BOM = pool.get('production.bom')
        Change = pool.get('production.bom.change')
        Lang = pool.get('ir.lang')
        Translation = pool.get('ir.translation')
        Lang.write(Lang.search([('code', '=', 'zh_CN')]),
            {'translatable': True})
        company = create_company()
        with set_company(company):
            _, tube22, _, v1, v2 = self._versions()
            other, = BOM.copy([v1], default={'name': "Frame B"})
            with Transaction().set_context(language='zh_CN'):
                BOM.write([other], {'name': "车架 B"})
            BOM.activate([other])
            change, = Change.create([{'reason': "Φ22", 'requested_by': 1,
                        'effective_date': MONDAY,
                        'boms': [('add', [v2.id, other.id])],
                        'lines': [('create', [{'action': 'quantity',
                                        'product': tube22.id,
                                        'quantity': 5}])]}])
            Change.write([change], {'state': 'approved'})
            Change.apply([change])
            new = {b.previous_version: b.id for b in change.new_boms}
            reference, = BOM.copy([other])
            names = {}
            for lang in ['en', 'zh_CN']:
                with Transaction().set_context(language=lang):
                    names[lang] = [b.name for b in BOM.browse(
                                [new[v2], new[other], reference])]
            self.assertEqual(names, {
                    'en': ["车架", "Frame B", "Frame B"],
                    'zh_CN': ["车架", "车架 B", "车架 B"]})
            self.assertEqual(*[sorted((t.lang, t.src, t.value, t.fuzzy)
                        for t in Translation.search([
                                ('name', '=', 'production.bom,name'),
                                ('res_id', '=', i)]))
                    for i in [new[other], reference]])

    @with_transaction()
    def test_apply_copy_equals_tryton_copy(self):
        """The lines and product links of a new version (INSERT … SELECT)
        equal those of Tryton's copy() field by field, with their creator"""
        pool = Pool()
        BOM = pool.get('production.bom')
        Change = pool.get('production.bom.change')
        ProductBOM = pool.get('product.product-production.bom')
        Input = pool.get('production.bom.input')
        Output = pool.get('production.bom.output')
        Substitute = pool.get('production.bom.input.substitute')
        company = create_company()
        with set_company(company):
            tube25, tube22, frame, v1, v2 = self._versions()
            BOM.write([v2], {'state': 'draft'})
            unit = tube25.default_uom.id
            BOM.write([v2], {'inputs': [
                        ('create', [{'product': tube25.id, 'quantity': 3,
                                    'unit': unit, 'loss_rate': 3,
                                    'substitutes': [('create', [{
                                                    'product': tube22.id,
                                                    'ratio': 1.5,
                                                    'sequence': 2}])]}]),
                        ('write', [v2.inputs[0].id], {'substitutes': [
                                    ('create', [{'product': tube25.id,
                                                'ratio': 3}])]}),
                        ]})
            BOM.write([v2], {'state': 'active'})
            change, = Change.create([{'reason': "copy", 'requested_by': 1,
                        'effective_date': MONDAY,
                        'boms': [('add', [v2.id])],
                        'lines': [('create', [{'action': 'quantity',
                                        'product': frame.id,
                                        'quantity': 5}])]}])
            Change.write([change], {'state': 'approved'})
            Change.apply([change])
            new, = change.new_boms
            reference, = BOM.copy([v2])
            self.assertEqual(
                *[_version_values(b) for b in [new, reference]])
            self.assertEqual(_version_values(new)[1],
                [('en', "车架", "车架", False)])
            self.assertEqual((new.version, new.previous_version, new.family,
                    new.start_date, new.state, new.change),
                ('V3', v2, v1, MONDAY, 'active', change))
            ProductBOM.copy(ProductBOM.search([('bom', '=', v2.id)]),
                default={'bom': reference.id})
            for Model, name in [(Input, 'inputs'), (Output, 'outputs')]:
                self.assertEqual(
                    *[_lines(Model, getattr(b, name), 'bom')
                        for b in [new, reference]])
            self.assertEqual(len(new.inputs), 2)
            self.assertEqual(
                *[_lines(ProductBOM, ProductBOM.search([('bom', '=', b.id)]),
                        'bom') for b in [new, reference]])
            lines = (list(new.inputs) + list(new.outputs)
                + [s for i in new.inputs for s in i.substitutes])
            self.assertEqual(len(lines), 5)
            self.assertEqual(
                [[(s.product, s.ratio) for s in i.substitutes]
                    for i in sorted(new.inputs, key=lambda i: i.id)],
                [[(tube25, 3)], [(tube22, 1.5)]])
            self.assertEqual({(l.create_uid.id, bool(l.create_date))
                    for l in lines}, {(Transaction().user, True)})
            for Model in [Input, Output, Substitute, ProductBOM]:
                self.assertFalse([n for n in columns(Model)
                        if getattr(Model._fields[n], 'translate', False)])

    @with_transaction()
    def test_apply_clears_kitting_graph(self):
        """Kitting reads the new version right after an apply in the same
        transaction: 钢管 Φ25 replaced by 钢管 Φ22 today, 5 frames instead
        of 2"""
        pool = Pool()
        BOM = pool.get('production.bom')
        Change = pool.get('production.bom.change')
        Date = pool.get('ir.date')
        Kitting = pool.get('production.kitting')
        Location = pool.get('stock.location')
        Inventory = pool.get('stock.inventory')
        company = create_company()
        with set_company(company):
            tube25, tube22, frame, v1, v2 = self._versions()
            today = Date.today()
            # V1 without its expiry: not replaced by V2 of Monday
            BOM.write([v1], {'end_date': None})
            warehouse, = Location.search([('type', '=', 'warehouse')])
            inventory, = Inventory.create([{
                        'location': warehouse.storage_location.id,
                        'lines': [('create', [
                                    {'product': tube25.id, 'quantity': 8},
                                    {'product': tube22.id,
                                        'quantity': 20}])]}])
            Inventory.confirm([inventory])

            def buildable():
                return Kitting.buildable(
                    [frame.id], warehouse.id, date=today)[frame.id]
            self.assertEqual(buildable(), 2)
            change, = Change.create([{'reason': "Φ22", 'requested_by': 1,
                        'effective_date': today,
                        'boms': [('add', [v1.id])],
                        'lines': [('create', [{'action': 'replace',
                                        'product': tube25.id,
                                        'new_product': tube22.id,
                                        'ratio': 1}])]}])
            Change.write([change], {'state': 'approved'})
            Change.apply([change])
            self.assertEqual(
                [(i.product, i.quantity) for i in change.new_boms[0].inputs],
                [(tube22, 4)])
            self.assertEqual(buildable(), 5)

    @with_transaction()
    def test_apply_expires_old_version_at_date(self):
        """The old version of an order effective next week stays active
        until then (the scheduled action makes it obsolete on the date);
        a version replaced on its own start date is obsolete at once"""
        pool = Pool()
        BOM = pool.get('production.bom')
        Change = pool.get('production.bom.change')
        Date = pool.get('ir.date')
        company = create_company()
        with set_company(company):
            tube25, _, _, v1, _ = self._versions()
            today = Date.today()
            week = today + datetime.timedelta(days=7)
            old, = BOM.copy([v1])
            BOM.write([old], {'start_date': today - datetime.timedelta(30)})
            BOM.activate([old])

            def apply(bom, quantity):
                change, = Change.create([{'reason': "%s" % quantity,
                            'requested_by': 1, 'effective_date': week,
                            'boms': [('add', [bom.id])],
                            'lines': [('create', [{'action': 'quantity',
                                            'product': tube25.id,
                                            'quantity': quantity}])]}])
                Change.write([change], {'state': 'approved'})
                Change.apply([change])
                return change.new_boms[0]
            new = apply(old, 5)
            BOM.expire_versions()
            self.assertEqual([(b.state, b.start_date, b.end_date)
                    for b in BOM.browse([old, new])],
                [('active', today - datetime.timedelta(30), week),
                    ('active', week, None)])
            self.assertEqual(Change.preview(tube25.id)['boms'], [new.id])
            third = apply(old, 6)
            self.assertEqual(third.previous_version, new)
            self.assertEqual([(b.state, b.end_date)
                    for b in BOM.browse([old, new, third])],
                [('active', week), ('obsolete', week), ('active', None)])
            # on the date
            BOM.write([old], {'end_date': today})
            BOM.expire_versions()
            self.assertEqual(BOM(old.id).state, 'obsolete')
