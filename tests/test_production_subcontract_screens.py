# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The screens of 委外加工 and 客供料 in the web client (sao in Debian's
headless Chromium) on the demo, in zh_CN, at a desk (1366×850) and on a
phone (390×844): each shows a Chinese title and the demo's rows and
numbers.  The screenshots land in test-artifacts/tour/ (copied to
doc/screenshots/ for the README)."""
import os
import re

import pytest

from data.demo import DEMO_PASSWORD

CJK = re.compile('[\u4e00-\u9fff]')
SIZES = {
    'desk': {'width': 1366, 'height': 850},
    'phone': {'width': 390, 'height': 844},
    }
# (file, role, model, domain of the record to open or None for the list,
#  texts that must show on a desk; on a phone the first one or two)
SCREENS = [
    ('subcontract_tracking', 'manager', 'production.subcontract.tracking',
        None, ['慈溪华通五金加工厂', '方管 20×20', '91.8']),
    ('subcontract_balance', 'storekeeper', 'production.subcontract.balance',
        None, ['慈溪华通五金加工厂', '方管 20×20']),
    ('subcontract_send', 'storekeeper', 'stock.shipment.internal',
        [('subcontract_kind', '=', 'send')],
        ['委外发料', '慈溪华通五金加工厂', '方管 20×20']),
    ('subcontract_receipt', 'storekeeper', 'production.subcontract.receipt',
        None, ['焊接椅脚', '90']),
    ('customer_material_ledger', 'storekeeper',
        'production.customer_material.ledger', None,
        ['深圳前海电竞馆', '杭州云栖科技', '50', '28']),
    ('customer_material_production', 'planner', 'production',
        [('product.code', '=', 'FG-101')],
        ['电竞椅 G5 定制版', '客供 LOGO 背板', '19.2']),
    ]
# a text shown on the page: in its text or in a field's value (a phone
# form shows its Many2One fields as inputs only)
SHOWS = """text => document.body.innerText.includes(text)
    || Array.from(document.querySelectorAll('input, textarea')).some(
        e => (e.value || '').includes(text))"""


@pytest.fixture(scope='module')
def tour_dir(artifacts):
    path = os.path.join(artifacts, 'tour')
    os.makedirs(path, exist_ok=True)
    return path


def _fragment(proxy, context, database, model, domain):
    fragment = '#%s/model/%s' % (database, model)
    if domain is not None:
        ids = proxy.model.__getattr__(model).search(
            domain, 0, 1, None, context)
        assert ids, (model, domain)
        fragment += '/%s' % ids[0]
    return fragment


@pytest.mark.parametrize('size', sorted(SIZES))
@pytest.mark.parametrize('name,role,model,domain,texts', SCREENS,
    ids=[s[0] for s in SCREENS])
def test_screen(demo_server, browser, sao_login, tour_dir, name, role,
        model, domain, texts, size):
    proxy = demo_server.xmlrpc(role, DEMO_PASSWORD)
    context = proxy.model.res.user.get_preferences(True, {})
    title, = proxy.model.ir.model.search_read(
        [('name', '=', model)], 0, 1, None, ['string'], context)
    assert CJK.search(title['string']), title
    fragment = _fragment(
        proxy, context, demo_server.database, model, domain)
    page = browser.new_page(locale='zh-CN', viewport=SIZES[size])
    try:
        sao_login(page, demo_server, role, DEMO_PASSWORD)
        page.goto(demo_server.base_url + '/' + fragment)
        page.get_by_text(title['string']).first.wait_for(
            state='attached', timeout=30000)
        # a phone shows the first rows of a list, the header of a form
        shown = texts[:1 if domain else 2] if size == 'phone' else texts
        for text in shown:
            page.wait_for_function(SHOWS, arg=text, timeout=30000)
        page.wait_for_timeout(800)
        suffix = '' if size == 'desk' else '_phone'
        page.screenshot(path=os.path.join(tour_dir, name + suffix + '.png'))
    finally:
        page.close()
