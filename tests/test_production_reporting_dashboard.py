# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The home dashboard of the demo (issue 13): each warning and each panel
opens exactly the records its count counts, for every role with a board."""
import pytest

from data.demo import DEMO_PASSWORD, USERS
from trytond.pyson import PYSONDecoder

# the panel of a dashboard action and the warning whose records it shows
PANELS = {'act_dashboard_late': 'late'}


def _decode(value, context):
    return PYSONDecoder(context).decode(value) if value else None


def _board(admin, login):
    "The act_window ids of the dashboard actions of the user"
    user, = admin('model.res.user.search', [('login', '=', login)],
        0, None, None)
    boards = admin('model.dashboard.action.search_read',
        [('user', '=', user)], 0, None, None, ['act_window'])
    return {b['act_window'] for b in boards}


def _open_warning(session, warning):
    "Run the wizard that opens the warning as the client does"
    wizard = 'wizard.production.reporting.warning.open'
    session_id, start, _ = session(wizard + '.create')
    active = {'active_model': 'production.reporting.warning',
        'active_id': warning['id'], 'active_ids': [warning['id']]}
    try:
        result = session(wizard + '.execute', session_id, {}, start,
            context=active)
    finally:
        session(wizard + '.delete', session_id)
    (action, _), = result['actions']
    return action


def _records(session, action, with_domain=True):
    """The ids the action opens: with its context and domain as the desktop
    client does, with its context only as sao does on a dashboard"""
    context = dict(session.context)
    context.update(_decode(action.get('pyson_context'), context) or {})
    domain = _decode(action.get('pyson_domain'), context) or []
    return session('model.%s.search' % action['res_model'],
        domain if with_domain else [], 0, None, None, context=context)


@pytest.mark.parametrize('role', ['manager', 'planner', 'accountant'])
def test_warnings_open_what_they_count(demo_server, role):
    "Each warning opens as many records as it counts, and the same ones"
    session = demo_server.jsonrpc(USERS[role][0], DEMO_PASSWORD)
    warnings = session('model.production.reporting.warning.search_read',
        [], 0, None, None, ['kind', 'count'])
    counts = {w['kind']: w['count'] for w in warnings}
    assert set(counts) == {'late', 'not_kitted', 'at_risk',
        'return_approval', 'inspection'}, counts
    # the demo has something to count in most of them
    assert counts['late'] > 0 and counts['return_approval'] > 0, counts
    for warning in warnings:
        action = _open_warning(session, warning)
        ids = _records(session, action)
        assert len(ids) == warning['count'], (warning, action['res_model'],
            ids)


@pytest.mark.parametrize('role', ['manager', 'planner', 'accountant'])
def test_dashboard_panels_show_what_the_warnings_count(demo_server, role):
    """The late orders' panel lists the late open orders, not all of them,
    in sao (context only) as in the desktop client (context and domain);
    it shows the very records the warning opens"""
    admin = demo_server.jsonrpc()
    login = USERS[role][0]
    board = _board(admin, login)
    session = demo_server.jsonrpc(login, DEMO_PASSWORD)
    warnings = {w['kind']: w for w in session(
            'model.production.reporting.warning.search_read',
            [], 0, None, None, ['kind', 'count'])}
    all_orders = session('model.production.reporting.tracking.search',
        [], 0, None, None)
    for fs_id, kind in PANELS.items():
        action_id = admin('model.ir.model.data.get_id',
            'production_reporting', fs_id)
        assert action_id in board, (fs_id, board)
        action, = admin('model.ir.action.act_window.read', [action_id],
            ['res_model', 'pyson_domain', 'pyson_context'])
        opened = sorted(_records(session, _open_warning(
                    session, warnings[kind])))
        for with_domain in [False, True]:
            ids = _records(session, action, with_domain)
            assert len(ids) == warnings[kind]['count'], (
                fs_id, with_domain, ids)
            assert sorted(ids) == opened, (fs_id, with_domain)
        assert len(opened) < len(all_orders)
