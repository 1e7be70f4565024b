# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import os
import re

import polib

from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction
from trytond.transaction import Transaction

PO_FILE = os.path.join(
    os.path.dirname(os.path.dirname(__file__)), 'locale', 'zh_CN.po')
CJK = re.compile('[\u3400-\u9fff]')


def load_zh_cn():
    Lang = Pool().get('ir.lang')
    zh_cn, = Lang.search([('code', '=', 'zh_CN')])
    Lang.load_translations([zh_cn])


class LocaleZhCnTestCase(ModuleTestCase):
    "Test Locale zh_CN module"
    module = 'locale_zh_cn'

    def test_po_entries_are_chinese(self):
        "Every entry of the po file has a Chinese, non fuzzy translation"
        pofile = polib.pofile(PO_FILE)
        self.assertGreater(len(pofile), 1500)
        for entry in pofile:
            self.assertFalse(entry.fuzzy, entry.msgctxt)
            self.assertTrue(entry.msgstr, entry.msgctxt)
            if entry.msgstr == entry.msgid:
                # a proper name replacing a wrong translation: Skipe
                continue
            self.assertRegex(
                entry.msgstr, CJK if re.search('[A-Za-z]{2}', entry.msgid)
                else '.', entry.msgctxt)

    def test_po_placeholders(self):
        "Translations keep the placeholders of the source"
        placeholder = re.compile(r'%\(\w+\)\w|\$\{\w+\}|\{\}|\[\d+:')
        for entry in polib.pofile(PO_FILE):
            self.assertEqual(
                sorted(placeholder.findall(entry.msgid)),
                sorted(placeholder.findall(entry.msgstr)), entry.msgctxt)

    @with_transaction()
    def test_overriding_translations_applied(self):
        "Loading zh_CN overrides the other modules' translations"
        pool = Pool()
        Translation = pool.get('ir.translation')
        ModelData = pool.get('ir.model.data')
        load_zh_cn()

        pofile = polib.pofile(PO_FILE)
        overriding = [e for e in pofile if not e.msgctxt.endswith(':')]
        applied = 0
        for entry in overriding:
            type_, name, ref = entry.msgctxt.split(':')
            module, fs_id = ref.split('.')
            res_id = ModelData.get_id(module, fs_id) if fs_id else -1
            domain = [
                ('lang', '=', 'zh_CN'),
                ('type', '=', type_),
                ('name', '=', name),
                ('module', '=', module),
                ('res_id', '=', res_id),
                ]
            if type_ in {'report', 'view', 'wizard_button', 'selection'}:
                domain.append(('src', '=', entry.msgid))
            translation, = Translation.search(domain)
            self.assertEqual(translation.value, entry.msgstr, entry.msgctxt)
            self.assertFalse(translation.fuzzy, entry.msgctxt)
            applied += translation.overriding_module == 'locale_zh_cn'
        # the others already had this value but were marked fuzzy
        self.assertGreater(applied, 1900)

    @with_transaction()
    def test_production_labels(self):
        "The production model reads with the glossary terms"
        pool = Pool()
        Production = pool.get('production')
        Menu = pool.get('ir.ui.menu')
        ModelData = pool.get('ir.model.data')
        load_zh_cn()

        with Transaction().set_context(language='zh_CN'):
            fields = Production.fields_get(['state', 'inputs', 'bom'])
            menu = Menu(ModelData.get_id('production', 'menu_production'))
            menu_name = menu.name
        self.assertEqual(dict(fields['state']['selection']), {
                'request': "生产建议",
                'draft': "草稿",
                'waiting': "等待中",
                'assigned': "已分配",
                'running': "生产中",
                'done': "已完工",
                'cancelled': "已取消",
                })
        self.assertEqual(fields['inputs']['string'], "投入物料")
        self.assertEqual(fields['bom']['string'], "物料清单")
        self.assertEqual(menu_name, "生产管理")

    @with_transaction()
    def test_storekeeper_wording(self):
        "The product list, the unit and the names read as a factory says"
        pool = Pool()
        ActionKeyword = pool.get('ir.action.keyword')
        ModelData = pool.get('ir.model.data')
        Uom = pool.get('product.uom')
        Request = pool.get('purchase.request')
        Template = pool.get('product.template')
        load_zh_cn()

        menu_id = ModelData.get_id('product', 'menu_template')
        with Transaction().set_context(language='zh_CN'):
            # the title of the tab the menu opens
            action, = ActionKeyword.get_keyword(
                'tree_open', ('ir.ui.menu', menu_id))
            units = {fs_id: Uom(ModelData.get_id('product', fs_id)).rec_name
                for fs_id in ['uom_unit', 'uom_gram', 'uom_pound']}
            request_fields = Request.fields_get(['purchase_date'])
            template_fields = Template.fields_get(['rec_name'])
        self.assertEqual(action['name'], "产品")
        self.assertEqual(units, {
                'uom_unit': "个", 'uom_gram': "克", 'uom_pound': "磅"})
        self.assertEqual(
            request_fields['purchase_date']['string'], "建议下单日期")
        self.assertEqual(template_fields['rec_name']['string'], "名称")


del ModuleTestCase
