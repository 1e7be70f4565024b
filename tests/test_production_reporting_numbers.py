# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Numbers of the demo's reports as a Chinese user reads them (issue
13.12), on PostgreSQL: a week as a week, outputs and component quantities
with their unit, the unit cost of the done orders with 2 digits."""
import re
from decimal import Decimal

from data.demo import DEMO_PASSWORD, USERS


def test_reports_numbers(demo_server):
    session = demo_server.jsonrpc(USERS['accountant'][0], DEMO_PASSWORD)
    weeks = session('model.production.reporting.on_time.search_read',
        [], 0, None, None, ['week', 'week_name'])
    assert weeks
    for week in weeks:
        assert re.fullmatch(r'\d{4}年第\d{2}周', week['week_name']), week
    outputs = session('model.production.reporting.output.search_read',
        [], 0, None, None, ['quantity', 'unit.symbol'])
    assert outputs and all(o['unit.'] for o in outputs), outputs
    rows = session('model.production.reporting.tracking.search_read',
        [('state', '=', 'done')], 0, None, None,
        ['required_quantities', 'issued_quantities'])
    assert rows
    for row in rows:
        assert '.0000' not in row['issued_quantities'], row
        assert '个' in row['issued_quantities'], row
    productions = session('model.production.search_read',
        [('state', '=', 'done')], 0, None, None,
        ['cost', 'unit_cost', 'quantity', 'closed_short',
            'reported_quantity'])
    assert productions
    # the demo closes an order of 5 short after 3 reported (短缺关闭)
    assert [p['reported_quantity'] for p in productions
        if p['closed_short']] == [3]
    for production in productions:
        # JSON-RPC sends a Decimal as its text
        unit_cost = Decimal(production['unit_cost']['decimal'])
        cost = Decimal(production['cost']['decimal'])
        # the unit cost is over what the order made
        quantity = Decimal(str(production['reported_quantity']
                if production['closed_short'] else production['quantity']))
        assert unit_cost == unit_cost.quantize(Decimal('0.01')), production
        assert abs(unit_cost * quantity - cost) <= (
            Decimal('0.005') * quantity), production
