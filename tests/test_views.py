# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Every list view of our modules can be drawn by the web client: sao 8.0
has no list column for a date-time field without a date or time widget
(the page stops with "ColumnFactory is not a constructor")."""
import xml.etree.ElementTree as ET

from tools.demo import our_modules

SAO_TREE_WIDGETS = {
    'binary', 'boolean', 'callto', 'char', 'date', 'dict', 'email', 'float',
    'image', 'integer', 'many2many', 'many2one', 'numeric', 'one2many',
    'one2one', 'progressbar', 'reference', 'selection', 'multiselection',
    'sip', 'text', 'time', 'timedelta', 'url'}


def test_list_views_have_sao_columns(demo_server):
    proxy = demo_server.xmlrpc()
    context = proxy.model.res.user.get_preferences(True, {})
    views = proxy.model.ir.ui.view.search_read([
            ('type', '=', 'tree'),
            ('module', 'in', our_modules()),
            ('inherit', '=', None),
            ], 0, None, None, ['model', 'id'], context)
    # and the standard lists our modules extend
    inherited = proxy.model.ir.ui.view.search_read([
            ('module', 'in', our_modules()),
            ('inherit', '!=', None),
            ], 0, None, None, ['model', 'inherit'], context)
    targets = {(v['model'], v['id']) for v in views} | {
        (v['model'], v['inherit']) for v in inherited}
    assert len(targets) > 20
    wrong = []
    for model, view_id in sorted(targets):
        view = getattr(proxy.model, model).fields_view_get(
            view_id, 'tree', context)
        if view['type'] != 'tree':
            continue
        for field in ET.fromstring(view['arch']).iter('field'):
            type_ = view['fields'][field.get('name')]['type']
            widget = field.get('widget') or type_
            if widget not in SAO_TREE_WIDGETS:
                wrong.append('%s %s: %s' % (model, field.get('name'), widget))
    assert not wrong, wrong
