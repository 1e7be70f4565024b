# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Shared fixtures of the repository tests.

- ``pg_uri``: a running PostgreSQL 15 (the cluster the test command started,
  ZHIZAO_PG_URI, or a throwaway one started here).
- ``make_server(name, modules, backend='postgresql')``: builds a database
  with the modules and starts a real trytond on 127.0.0.1; stopped at the
  end of the test session.  See tools/server.py.  On PostgreSQL the first
  step of every build (ir and res with en and zh_CN) is done once per
  cluster and copied (``Server.build(base_template=True)``).
- ``demo_server``: the demo command itself builds the factory on SQLite
  and serves it.
- ``browser``: Debian's headless Chromium driven by Playwright;
  ``sao_login(page, server, login, password)`` logs in to the web client.
"""
import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from tools.pgcluster import Cluster  # noqa: E402
from tools.server import Server  # noqa: E402

from data.demo import USERS  # noqa: E402

ARTIFACTS = os.path.join(ROOT, 'test-artifacts')
CHROMIUM = '/usr/bin/chromium'
NAMES = {login: name for login, name, _ in USERS.values()}
FLAGS = ['--headless', '--no-sandbox', '--disable-gpu',
    '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-quic']


@pytest.fixture(scope='session')
def browser():
    import shutil

    from playwright.sync_api import sync_playwright
    assert shutil.which('chromium') == CHROMIUM, "apt-get install chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture(scope='session')
def sao_login():
    return login


# each step of the log-in is one or two calls to the server; on a 2-core
# machine running the module suites beside the browser tests a call to the
# demo (one process on SQLite) has taken more than 30 s
LOGIN_WAIT = 90000


def login(page, server, user, password):
    "Log in through sao's login dialogs (user, then password)"
    page.goto(server.base_url + '/')
    page.fill('#login', user)
    page.click('button[type=submit]')
    page.wait_for_selector('input[type=password]', timeout=LOGIN_WAIT)
    page.fill('input[type=password]', password)
    page.keyboard.press('Enter')
    page.wait_for_selector('input[type=password]', state='detached',
        timeout=LOGIN_WAIT)
    # the menu is loaded once the user's name shows in the navigation bar
    page.get_by_text(NAMES[user]).first.wait_for(
        state="attached", timeout=LOGIN_WAIT)


@pytest.fixture(scope='session')
def artifacts():
    os.makedirs(ARTIFACTS, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope='session')
def pg_uri():
    uri = os.environ.get('ZHIZAO_PG_URI')
    if uri:
        yield uri
        return
    cluster = Cluster()
    yield cluster.start()
    cluster.stop()


@pytest.fixture(scope='session')
def make_server(pg_uri, tmp_path_factory):
    servers = []

    def make(name, modules, backend='postgresql', **kwargs):
        uri = pg_uri if backend == 'postgresql' else 'sqlite://'
        server = Server(name, modules, uri=uri,
            workdir=str(tmp_path_factory.mktemp(name)), **kwargs)
        server.build(base_template=(backend == 'postgresql'))
        server.start()
        servers.append(server)
        return server
    yield make
    for server in servers:
        server.stop()


@pytest.fixture(scope='session')
def demo_server(tmp_path_factory):
    """The demo command itself: ``python -m tools.demo --build-only`` builds
    the factory, ``python -m tools.demo --port N`` serves it"""
    import subprocess
    import time
    import urllib.request

    from tools import demo
    from tools.server import free_port
    workdir = str(tmp_path_factory.mktemp('demo'))
    env = os.environ.copy()
    env.update(ZHIZAO_DEMO_DIR=workdir, ZHIZAO_DEMO_DB='zhizao_demo_test',
        PYTHONPATH=ROOT)
    subprocess.run([sys.executable, '-m', 'tools.demo', '--build-only'],
        cwd=ROOT, env=env, check=True)
    server = Server('zhizao_demo_test', demo.modules(), workdir=workdir,
        config_file=os.path.join(ROOT, 'config', 'trytond.conf'))
    server.port = free_port()
    log = open(os.path.join(workdir, 'demo.log'), 'wb')
    server.process = subprocess.Popen(
        [sys.executable, '-m', 'tools.demo', '--port', str(server.port)],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True)
    # loading the pool of every module takes a minute or more on a busy
    # 2-core machine
    end = time.monotonic() + 240
    while True:
        try:
            urllib.request.urlopen(server.base_url + '/', timeout=2).close()
            break
        except OSError:
            assert server.process.poll() is None, "the demo command exited"
            assert time.monotonic() < end, "the demo did not answer"
            time.sleep(0.3)
    yield server
    server.stop()
