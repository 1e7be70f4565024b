# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Printed times are the company's (issue 13): the demo factory keeps
Beijing time, and the material return slip prints its request, approval and
stock-in times as the screen shows them (08:59, not the 00:59 stored in
UTC)."""
import datetime as dt
import io
import zipfile
from zoneinfo import ZoneInfo

from data.demo import TIMEZONE

UTC = dt.timezone.utc


def _local(value):
    "The stored UTC datetime as the company's clock reads it"
    return value.replace(tzinfo=UTC).astimezone(ZoneInfo(TIMEZONE))


def test_demo_company_keeps_beijing_time(demo_server):
    proxy = demo_server.xmlrpc()
    companies = proxy.model.company.company.search_read(
        [], 0, None, None, ['timezone'], {})
    assert [c['timezone'] for c in companies] == ['Asia/Shanghai']


def _slip(proxy, model, report_name, record_id):
    """The report as its template renders it, not converted to PDF: printed
    through a copy of its action that keeps the template's format"""
    Action = proxy.model.ir.action.report
    action, = Action.search_read([('report_name', '=', report_name)],
        0, None, None, ['name', 'report'], {})
    copy, = Action.create([{'name': action['name'], 'model': model,
                'report_name': report_name, 'report': action['report'],
                'extension': ''}], {})
    try:
        extension, content, _, _ = getattr(
            proxy, 'report.%s.execute' % report_name)([record_id], {
                'model': model, 'id': record_id, 'ids': [record_id],
                'action_id': copy}, {})
    finally:
        Action.delete([copy], {})
    assert extension == 'odt', extension
    with zipfile.ZipFile(io.BytesIO(content)) as odt:
        return odt.read('content.xml').decode('utf-8')


def test_material_return_slip_prints_beijing_times(demo_server):
    proxy = demo_server.xmlrpc()
    model = 'production.material.return'
    returns = getattr(proxy, 'model.%s.search_read' % model)(
        [('done_at', '!=', None)], 0, 1, None,
        ['number', 'requested_at', 'approved_at', 'done_at'], {})
    assert returns, "the demo has a return stocked in"
    record, = returns
    text = _slip(proxy, model, model, record['id'])
    assert '审批时间' in text
    for name in ['requested_at', 'approved_at', 'done_at']:
        stored = record[name]
        local = _local(stored).strftime('%H:%M:%S')
        assert local in text, (name, local)
        # the UTC clock is 8 hours behind: never printed
        assert stored.strftime('%H:%M:%S') not in text, (name, stored)


def test_inspection_report_prints_beijing_time(demo_server):
    proxy = demo_server.xmlrpc()
    model = 'quality.inspection'
    inspections = proxy.model.quality.inspection.search_read(
        [('processed_at', '!=', None)], 0, 1, None, ['processed_at'], {})
    assert inspections, "the demo has a decided inspection"
    record, = inspections
    text = _slip(proxy, model, model, record['id'])
    stored = record['processed_at']
    assert _local(stored).strftime('%H:%M:%S') in text
    assert stored.strftime('%H:%M:%S') not in text
