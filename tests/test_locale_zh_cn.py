# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A Chinese user walks every menu and every view: nothing left in English.

The database holds the Tryton stack, every real module of the repository
and locale_zh_cn, activated with zh_CN on SQLite.  A user whose language is
zh_CN logs in over JSON-RPC (as sao does), reads every menu, every window
action it opens (name and domain tabs), and for every model they open the
default tree and form views plus the views named by the actions
(``fields_view_get``) and the toolbar (``view_toolbar_get``), then the
same for every other model that has views (linked models, wizard forms).
Any text a user reads (menu, action, tab, view label, page, group,
separator, button, field string, selection text, toolbar entry) that
contains no CJK character fails the test, unless it is in ALLOWED.
"""
import configparser
import glob
import importlib.util
import os
import re
import urllib.error
import xml.etree.ElementTree as ET

import pytest

from tools import modules as our_modules
from tools.server import RPCError, Server

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STACK = list(our_modules.CORE) + our_modules.stack()
CJK = re.compile('[\u3400-\u9fff]')
LETTERS = re.compile('[A-Za-z]')
# Proper names, codes and units a Chinese user reads as they are
ALLOWED = {
    'ID', 'XML ID', 'UUID', 'URL', 'IP', 'SIP', 'Skype', 'IRC', 'Jabber',
    'REST API', 'Cookie', 'Message-ID', 'PYSON', 'SEPA', 'IBAN', 'BIC',
    'VIES', 'E-mail', 'kg', 'g', 'm', 'km', 'cm', 'mm', 'l', 'L',
    'BOM', 'UoM', 'SKU', 'EAN', 'UPC', 'ISBN', 'GTIN', 'PDF', 'CSV', 'XML',
    'HTML', 'JSON', 'UBL', 'CII', 'ODT', 'Python', 'Tryton', 'Gmail',
    }
# attributes of view elements read by the user
STRING_ATTRIBUTES = ['string', 'sum', 'confirm', 'help_selection']
# selections of proper names Tryton does not translate: time zones and
# the LibreOffice output formats of reports
SKIPPED_FIELDS = {
    ('company.company', 'timezone'),
    ('res.user', 'timezone'),
    ('ir.action.report', 'extension'),
    ('ir.action.report', 'template_extension'),
    }


def real_modules():
    "Modules of the repository that are more than a stub"
    modules = []
    for cfg in sorted(glob.glob(os.path.join(ROOT, 'addons', '*',
                    'tryton.cfg'))):
        name = os.path.basename(os.path.dirname(cfg))
        parser = configparser.ConfigParser()
        parser.read(cfg)
        if not (parser.has_section('register')
                or parser.get('tryton', 'xml', fallback='').strip()):
            continue
        if importlib.util.find_spec('trytond.modules.%s' % name) is None:
            continue
        modules.append(name)
    return modules


def untranslated(text):
    if not text or not isinstance(text, str):
        return False
    text = text.strip()
    return (bool(LETTERS.search(text)) and not CJK.search(text)
        and text not in ALLOWED)


class Walker:

    def __init__(self, rpc):
        self.rpc = rpc
        self.failures = {}
        self.models = {}

    def check(self, where, text, owner=None):
        if untranslated(text):
            self.failures['%s: %r' % (where, text)] = owner

    def module(self, admin, owner):
        "The module that owns the record or field of the text"
        if owner is None:
            return '?'
        if owner[0] == 'field':
            domain = [
                ('type', '=', 'field'),
                ('name', '=', '%s,%s' % owner[1:]),
                ]
        else:
            name = 'ir.ui.menu' if owner[0] == 'ir.ui.menu' else owner[0]
            domain = [
                ('type', '=', 'model'),
                ('name', '=', '%s,name' % name),
                ('res_id', '=', owner[1]),
                ]
        translations = admin('model.ir.translation.search_read',
            domain + [('lang', '=', 'en')], 0, 1, None, ['module'])
        return translations[0]['module'] if translations else '?'

    def report(self, admin):
        "The failures grouped by the module that owns them"
        by_module = {}
        for failure, owner in sorted(self.failures.items()):
            by_module.setdefault(
                self.module(admin, owner), []).append(failure)
        return '\n'.join('[%s] %d\n  %s' % (
                module, len(failures), '\n  '.join(failures))
            for module, failures in sorted(by_module.items()))

    def walk_menus(self):
        menus = self.rpc('model.ir.ui.menu.search_read', [], 0, None, None,
            ['complete_name', 'name', 'action'])
        assert len(menus) > 100
        for menu in menus:
            self.check('menu %s' % menu['complete_name'], menu['name'],
                ('ir.ui.menu', menu['id']))
            if menu['action']:
                self.walk_action(menu['complete_name'], menu['action'])
        return menus

    def walk_action(self, menu, action):
        model, action_id = action.split(',')
        action_id = int(action_id)
        if model == 'ir.action.act_window':
            action, = self.rpc('model.ir.action.act_window.read',
                [action_id], ['name', 'res_model', 'act_window_views',
                    'act_window_domains'])
            self.check('action %s' % menu, action['name'],
                ('ir.action', action_id))
            views = self.rpc('model.ir.action.act_window.view.read',
                action['act_window_views'], ['view'])
            if not action['res_model']:
                return
            view_ids = self.models.setdefault(action['res_model'], set())
            view_ids.update(v['view'] for v in views)
            if action['act_window_domains']:
                for domain in self.rpc(
                        'model.ir.action.act_window.domain.read',
                        action['act_window_domains'], ['name']):
                    self.check('tab %s' % menu, domain['name'],
                        ('ir.action.act_window.domain', domain['id']))
        else:
            action, = self.rpc('model.%s.read' % model, [action_id],
                ['name'])
            self.check('action %s' % menu, action['name'],
                ('ir.action', action_id))

    def walk_models(self):
        "Walk the models of the actions, then the models they link to"
        self.relations = set()
        self._walk_models(sorted(self.models.items()))
        related = self.relations - set(self.models)
        # then every other model with views: wizard forms, contexts
        others = {m['name'] for m in self.rpc('model.ir.model.search_read',
                [], 0, None, None, ['name'])}
        others = (others | related) - set(self.models)
        self._walk_models(
            [(m, set()) for m in sorted(others)], related=True)
        self.models.update((m, set()) for m in others)

    def _walk_models(self, models, related=False):
        for model, view_ids in models:
            try:
                self.walk_model(model, view_ids)
            except (RPCError, urllib.error.HTTPError):
                # a linked model without views or not readable by the user
                if not related:
                    raise

    def walk_model(self, model, view_ids):
        views = [(None, 'tree'), (None, 'form')]
        views += [(v, None) for v in sorted(view_ids)]
        for view_id, view_type in views:
            view = self.rpc('model.%s.fields_view_get' % model,
                view_id, view_type or 'form')
            self.check_view(model, view)
        toolbar = self.rpc('model.%s.view_toolbar_get' % model)
        for key in ['print', 'action', 'relate']:
            for action in toolbar.get(key, []):
                self.check('%s toolbar' % model, action['name'],
                    ('ir.action', action['id']))

    def check_view(self, model, view):
        where = '%s %s view' % (model, view['type'])
        arch = ET.fromstring(view['arch'])
        for element in arch.iter():
            for attribute in STRING_ATTRIBUTES:
                self.check('%s <%s %s>' % (where, element.tag, attribute),
                    element.get(attribute))
            if element.tag == 'label' and element.text:
                self.check('%s <label>' % where, element.text)
        for name, field in view['fields'].items():
            self.check('%s.%s' % (model, name), field.get('string'),
                ('field', model, name))
            if field.get('relation'):
                self.relations.add(field['relation'])
            selection = field.get('selection')
            if (isinstance(selection, list)
                    and (model, name) not in SKIPPED_FIELDS):
                for value in selection:
                    if isinstance(value, (list, tuple)) and len(value) > 1:
                        self.check('%s.%s selection %r' % (
                                model, name, value[0]), value[1],
                            ('field', model, name))


@pytest.fixture(scope='module')
def zh_server(tmp_path_factory):
    modules = STACK + real_modules()
    if 'locale_zh_cn' not in modules:
        modules.append('locale_zh_cn')
    server = Server('zh_walk', modules, uri='sqlite://',
        workdir=str(tmp_path_factory.mktemp('zh_walk')))
    server.build()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope='module')
def planner(zh_server):
    "A zh_CN user of every group, logged in over JSON-RPC"
    return create_user(zh_server)


def create_user(server):
    admin = server.jsonrpc()
    zh_cn, = admin('model.ir.lang.search', [('code', '=', 'zh_CN')], 0,
        None, None)
    groups = admin('model.res.group.search', [], 0, None, None)
    admin('model.res.user.create', [{
                'name': "计划员",
                'login': 'planner',
                'password': 'zhizao2026',
                'language': zh_cn,
                'groups': [('add', groups)],
                }])
    return server.jsonrpc('planner', 'zhizao2026')


def test_everything_chinese(zh_server, planner):
    "A zh_CN user finds no English text in any menu or view"
    rpc = planner
    assert rpc.context['language'] == 'zh_CN'
    walker = Walker(rpc)
    menus = walker.walk_menus()
    walker.walk_models()
    assert len(walker.models) > 150, len(walker.models)
    production, = [m for m in menus if m['complete_name'] == "生产管理"]
    assert production['name'] == "生产管理"
    assert not walker.failures, "%d untranslated texts:\n%s" % (
        len(walker.failures), walker.report(zh_server.jsonrpc()))


def test_storekeeper_wording(zh_server, planner):
    "The product list, the unit 个, the purchase date and the names"
    admin = zh_server.jsonrpc()

    def xml_id(module, fs_id):
        return admin('model.ir.model.data.get_id', module, fs_id)

    # the tab the menu opens is named after the menu: 产品, not 产品设置
    menu_id = xml_id('product', 'menu_template')
    action, = planner('model.ir.action.keyword.get_keyword', 'tree_open',
        ['ir.ui.menu', menu_id])
    assert action['name'] == "产品"
    unit, = planner('model.product.uom.read', [xml_id('product', 'uom_unit')],
        ['rec_name', 'symbol'])
    assert (unit['rec_name'], unit['symbol']) == ("个", "个")
    view = planner('model.purchase.request.fields_view_get', None, 'tree')
    assert view['fields']['purchase_date']['string'] == "建议下单日期"
    fields = planner('model.product.template.fields_get', ['rec_name'])
    assert fields['rec_name']['string'] == "名称"


# sao's words (web/custom.js over sao's locale/zh_CN.json)
SAO_WORDS = {
    'Previous': "上一条",
    'Next': "下一条",
    'Code Scanner': "扫码",
    '%1/Record Name': "%1/名称",
    'Add to favorites': "收藏",
    'Favorites': "收藏",
    'Email...': "发送邮件…",
    'Chat': "沟通",
    'Restore': "恢复",
    'Record saved.': "记录已保存。",
    'Previous tab': "上一标签",
    'Records removed.': "记录已成功删除。",
    }
GETTEXT = '''keys => Object.fromEntries(
    keys.map(key => [key, Sao.i18n.gettext(key, '%1')]))'''
# the tooltips (title) of the page that are English words
ENGLISH_TITLES = '''() => Array.from(document.querySelectorAll('[title]'))
    .map(e => e.getAttribute('title'))
    .filter(t => /[A-Za-z]{2}/.test(t) && !/[\\u3400-\\u9fff]/.test(t))'''


def test_client_words_chinese(zh_server, planner, browser, artifacts):
    "The web client's tooltips and messages are Chinese, without mnemonics"
    admin = zh_server.jsonrpc()
    unit = admin('model.ir.model.data.get_id', 'product', 'uom_unit')
    template, = admin('model.product.template.create', [{
                'name': "螺丝 M6", 'default_uom': unit,
                'products': [('create', [{}])],
                }])
    page = browser.new_page(locale='zh-CN',
        viewport={'width': 1366, 'height': 850})
    try:
        page.goto(zh_server.base_url + '/')
        page.wait_for_selector('#login', timeout=30000)
        assert page.evaluate(GETTEXT, list(SAO_WORDS)) == SAO_WORDS
        page.fill('#login', 'planner')
        page.click('button[type=submit]')
        page.wait_for_selector('input[type=password]', timeout=30000)
        page.fill('input[type=password]', 'zhizao2026')
        page.keyboard.press('Enter')
        page.get_by_text("计划员").first.wait_for(
            state='attached', timeout=30000)
        # the stars of the menu
        page.locator('img.column-affix[title]').first.wait_for(
            state='attached', timeout=30000)
        stars = page.eval_on_selector_all('img.column-affix[title]',
            'stars => stars.map(s => s.getAttribute("title"))')
        assert set(stars) <= {"收藏", "取消收藏"}, set(stars)
        assert page.get_attribute(
            '#user-favorites > button', 'title') == "收藏"

        page.goto('%s/#%s/model/product.template/%s' % (
                zh_server.base_url, zh_server.database, template))
        page.locator('.form input').locator('visible=true').first.wait_for(
            timeout=30000)
        page.wait_for_timeout(500)
        page.screenshot(path='%s/locale-product-form.png' % artifacts)
        titles = {b: page.get_attribute('button#%s' % b, 'title')
            for b in ['previous', 'next', 'email']}
        assert titles == {
            'previous': "上一条", 'next': "下一条", 'email': "发送邮件…"}
        assert page.evaluate(ENGLISH_TITLES) == []
    finally:
        page.close()
