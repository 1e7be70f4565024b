# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The demo's sales order tracking (issue 13.5): the line of 40 FG-001 that
no stock and no supply serve is flagged first, without a supply date, with
the missing quantity in words, for the sales and the production roles."""
import pytest

from data.demo import DEMO_PASSWORD, USERS

FIELDS = ['product.code', 'quantity', 'supply_date', 'risk_state',
    'risk_level', 'missing', 'from_stock', 'risk', 'supply', 'at_risk',
    'sale_state']


@pytest.mark.parametrize('role', ['sales', 'planner', 'accountant'])
def test_unserved_line_comes_first(demo_server, role):
    session = demo_server.jsonrpc(USERS[role][0], DEMO_PASSWORD)
    rows = session('model.production.reporting.sale_line.search_read',
        [('sale_state', 'in', ['confirmed', 'processing'])], 0, None, None,
        FIELDS)
    unserved = [r for r in rows if r['risk_state'] == 'no_supply']
    assert unserved, rows
    # the worst first: the default order puts them on top
    assert rows[:len(unserved)] == unserved, rows
    chair, = [r for r in unserved if r['product.']['code'] == 'FG-001']
    assert chair['quantity'] == 40 and chair['missing'] == 40, chair
    assert chair['supply_date'] is None, chair
    assert chair['from_stock'] == 0 and chair['at_risk'], chair
    # in Chinese, with the quantity missing
    assert chair['risk'].startswith('缺 40'), chair
    assert '无库存' in chair['risk'], chair
    assert chair['supply'] == '无供应', chair
    # no open line without supply shows a supply date of today any more
    for row in rows:
        if not row['supply'] or '无供应' in row['supply']:
            assert row['supply_date'] is None, row


def test_shipped_line_says_shipped(demo_server):
    "The line of SO0003 (20 × FG-003, all shipped) says 已发货, not blank"
    session = demo_server.jsonrpc(USERS['sales'][0], DEMO_PASSWORD)
    rows = session('model.production.reporting.sale_line.search_read',
        [('product.code', '=', 'FG-003')], 0, None, None,
        FIELDS + ['shipped'])
    shipped = [r for r in rows if r['shipped'] >= r['quantity']]
    assert shipped, rows
    for row in shipped:
        assert row['risk_state'] == 'shipped', row
        assert not row['at_risk'] and row['missing'] == 0, row
    assert all(r['risk_state'] != 'shipped' for r in rows
        if r['shipped'] < r['quantity']), rows
