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

from tools.server import RPCError, Server

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STACK = [
    'ir', 'res', 'country', 'currency', 'company', 'party', 'product',
    'stock', 'stock_lot', 'stock_supply', 'stock_supply_production',
    'production', 'production_routing', 'production_outsourcing', 'quality',
    'purchase', 'purchase_request', 'sale', 'sale_supply',
    'sale_supply_production', 'account', 'account_invoice',
    'account_product', 'account_invoice_stock', 'dashboard',
    ]
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


def test_everything_chinese(zh_server):
    "A zh_CN user finds no English text in any menu or view"
    rpc = create_user(zh_server)
    assert rpc.context['language'] == 'zh_CN'
    walker = Walker(rpc)
    menus = walker.walk_menus()
    walker.walk_models()
    assert len(walker.models) > 150, len(walker.models)
    production, = [m for m in menus if m['complete_name'] == "生产管理"]
    assert production['name'] == "生产管理"
    assert not walker.failures, "%d untranslated texts:\n%s" % (
        len(walker.failures), walker.report(zh_server.jsonrpc()))
