# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Unit tests of BOM versions and engineering change orders"""
import datetime

from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from ..change import _next_version
from ..exceptions import ChangeLineError, VersionError

MONDAY = datetime.date(2026, 12, 14)


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
            self.assertEqual({b.state for b in [v2, other]}, {'obsolete'})
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
