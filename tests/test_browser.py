# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Debian's headless Chromium (never a downloaded browser), driven by
Playwright over CDP, logs in to the demo and opens the production orders."""
import os

from data.demo import DEMO_PASSWORD

def test_planner_sees_production_orders(demo_server, browser, artifacts,
        sao_login):
    page = browser.new_page(locale='zh-CN',
        viewport={'width': 1400, 'height': 900})
    sao_login(page, demo_server, 'planner', DEMO_PASSWORD)
    page.goto('%s/#%s/model/production' % (
            demo_server.base_url, demo_server.database))
    # the planner lands on the dashboard: wait for the orders' own rows
    for text in ['MO0001', '[SA-102] 底座总成（尼龙）']:
        page.get_by_text(text).locator('visible=true').first.wait_for(
            timeout=30000)
    body = page.inner_text('body')
    page.screenshot(
        path=os.path.join(artifacts, 'production_list.png'), full_page=True)
    # rows of the demo: 12 orders, from request to done
    assert '[FG-001] 人体工学网椅 E1' in body
    assert '[SA-102] 底座总成（尼龙）' in body
    assert 'MO0001' in body
    # the user's name and Chinese labels of the client
    assert '计划员 王芳' in body
    assert '筛选' in body
    page.close()
