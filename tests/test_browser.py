# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Debian's headless Chromium (never a downloaded browser), driven by
Playwright over CDP, logs in to the demo and opens the production orders."""
import os
import shutil

import pytest

from data.demo import DEMO_PASSWORD, USERS

CHROMIUM = '/usr/bin/chromium'
NAMES = {login: name for login, name, _ in USERS.values()}
FLAGS = ['--headless', '--no-sandbox', '--disable-gpu',
    '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-quic']


@pytest.fixture(scope='module')
def browser():
    from playwright.sync_api import sync_playwright
    assert shutil.which('chromium') == CHROMIUM, "apt-get install chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


def login(page, server, user, password):
    "Log in through sao's login dialogs (user, then password)"
    page.goto(server.base_url + '/')
    page.fill('#login', user)
    page.click('button[type=submit]')
    page.wait_for_selector('input[type=password]', timeout=30000)
    page.fill('input[type=password]', password)
    page.keyboard.press('Enter')
    page.wait_for_selector('input[type=password]', state='detached',
        timeout=30000)
    # the menu is loaded once the user's name shows in the navigation bar
    page.get_by_text(NAMES[user]).first.wait_for(timeout=30000)


def test_planner_sees_production_orders(demo_server, browser, artifacts):
    page = browser.new_page(locale='zh-CN',
        viewport={'width': 1400, 'height': 900})
    login(page, demo_server, 'planner', DEMO_PASSWORD)
    page.goto('%s/#%s/model/production' % (
            demo_server.base_url, demo_server.database))
    page.get_by_text('[FG-001] 人体工学网椅 E1').first.wait_for(
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
