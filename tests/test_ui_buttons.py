# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The web client at desk size (1366×850) and phone size (390×844): on the
forms of the demo each role opens, every visible button can be reached by
a click (the browser's own hit testing at the button's centre finds the
button, not something drawn over it — sao's floating 扫码 button covered
审批 on a submitted return); our own name and stylesheet are served."""
import urllib.request

import pytest

from data.demo import DEMO_PASSWORD

SIZES = {'desk': (1366, 850), 'phone': (390, 844)}
# (role, model, domain of the record, a text the form shows)
FORMS = [
    ('manager', 'production.material.return',
        [('state', '=', 'submitted')], '审批'),
    ('storekeeper', 'production.material.return',
        [('state', '=', 'approved')], '退料入库'),
    ('planner', 'production.material.return',
        [('state', '=', 'draft')], '提交'),
    ('planner', 'production', [('state', '=', 'running')], '投入物料'),
    ('qc', 'quality.inspection', [('state', '=', 'pending')], '质检'),
    ('planner', 'production.mrp.suggestion', [('state', '=', 'proposed')],
        '投放'),
    ('storekeeper', 'production.picking', [('state', '=', 'draft')],
        '确认领料'),
    ('manager', 'production.picking', [('state', '=', 'waiting')], '审批'),
    ('manager', 'production.output.report', [('state', '=', 'done')],
        '汇报数量'),
    ]

COVERED = """() => {
    const covered = [];
    for (const button of document.querySelectorAll('.form button')) {
        const box = button.getBoundingClientRect();
        if (!box.width || !box.height
                || getComputedStyle(button).visibility === 'hidden') {
            continue;
        }
        button.scrollIntoView({block: 'center', inline: 'center'});
        const rect = button.getBoundingClientRect();
        const x = rect.left + rect.width / 2, y = rect.top + rect.height / 2;
        if (x < 0 || y < 0 || x > innerWidth || y > innerHeight) {
            continue;
        }
        const hit = document.elementFromPoint(x, y);
        // sao lays a transparent date input over the calendar icon of its
        // date widgets: a click there opens the picker, as meant
        const picker = hit && hit.tagName === 'INPUT'
            && ['date', 'datetime-local', 'time'].includes(hit.type)
            && button.parentElement.parentElement.contains(hit);
        if (!hit || !(button === hit || button.contains(hit) || picker)) {
            covered.push((button.innerText.trim()
                    || button.title || button.outerHTML.slice(0, 120))
                + ' covered by '
                + (hit ? hit.outerHTML.slice(0, 160) : 'nothing'));
        }
    }
    return covered;
}"""


def open_form(server, browser, sao_login, role, model, domain, size):
    "A page logged in as role on the first record of domain, its buttons up"
    proxy = server.xmlrpc(role, DEMO_PASSWORD)
    context = proxy.model.res.user.get_preferences(True, {})
    ids = getattr(proxy.model, model).search(domain, 0, 1, None, context)
    assert ids, (model, domain)
    width, height = size
    page = browser.new_page(locale='zh-CN',
        viewport={'width': width, 'height': height})
    try:
        sao_login(page, server, role, DEMO_PASSWORD)
        page.goto('%s/#%s/model/%s/%s' % (
                server.base_url, server.database, model, ids[0]))
        page.locator('.form button').locator('visible=true').first.wait_for(
            timeout=30000)
        page.wait_for_timeout(500)
    except Exception:
        page.close()
        raise
    return page


@pytest.mark.parametrize('size', SIZES)
@pytest.mark.parametrize('role,model,domain,text', FORMS,
    ids=['%s-%s-%s' % (f[0], f[1], f[2][0][2]) for f in FORMS])
def test_every_button_reachable(demo_server, browser, sao_login, artifacts,
        size, role, model, domain, text):
    page = open_form(demo_server, browser, sao_login, role, model, domain,
        SIZES[size])
    try:
        covered = page.evaluate(COVERED)
        page.screenshot(path='%s/buttons-%s-%s-%s.png' % (
                artifacts, role, model, size))
        assert not covered, (role, size, model, domain, covered)
    finally:
        page.close()


def test_our_name_and_look_are_served(demo_server, browser):
    for name in ['custom.css', 'custom.js']:
        with urllib.request.urlopen(
                '%s/%s' % (demo_server.base_url, name)) as response:
            assert response.status == 200
            assert '制造 Zhizao' in response.read().decode('utf-8')
    page = browser.new_page(locale='zh-CN')
    try:
        page.goto(demo_server.base_url + '/')
        page.wait_for_selector('#login', timeout=30000)
        assert page.title() == '制造 Zhizao'
    finally:
        page.close()


VISIBLE_BUTTONS = """() => Array.from(
        document.querySelectorAll('.form button'))
    .filter(b => b.offsetParent !== null
        && getComputedStyle(b).visibility !== 'hidden')
    .map(b => b.innerText.trim()).filter(t => t)"""
# (role, model, domain, buttons offered, buttons not offered): a step the
# role may not click is not offered (issue 13: the accountant was offered
# 等待 / 完工 on production orders)
OFFERED = [
    ('accountant', 'production', [('state', '=', 'running')],
        [], ['等待', '完工', '足缺料分析', '生成请购']),
    ('manager', 'production', [('state', '=', 'running')],
        ['等待', '完工'], []),
    ('storekeeper', 'production', [('state', '=', 'running')],
        [], ['等待', '完工']),
    ('storekeeper', 'production.picking', [('state', '=', 'waiting')],
        [], ['审批']),
    ]


@pytest.mark.parametrize('role,model,domain,offered,hidden', OFFERED,
    ids=['%s-%s' % (o[0], o[1]) for o in OFFERED])
def test_buttons_offered_by_role(demo_server, browser, sao_login, artifacts,
        role, model, domain, offered, hidden):
    page = open_form(demo_server, browser, sao_login, role, model, domain,
        SIZES['desk'])
    try:
        texts = page.evaluate(VISIBLE_BUTTONS)
        page.screenshot(path='%s/offered-%s-%s.png' % (
                artifacts, role, model))
        assert set(offered) <= set(texts), (role, offered, texts)
        assert not set(hidden) & set(texts), (role, hidden, texts)
    finally:
        page.close()
