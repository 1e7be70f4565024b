# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The demo command (``./zhizao demo``): build the demo factory on SQLite
and serve the web client at http://127.0.0.1:8000.

    ./zhizao demo               reuse the demo database if it exists
    ./zhizao demo --rebuild     build it again from scratch
    ./zhizao demo --build-only  build (if needed) and exit
"""
import argparse
import os
import subprocess
import sys
import time

from tools import modules as modules_
from tools.server import Server

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATABASE = 'zhizao_demo'


def our_modules():
    "Our modules, in dependency order (tools/modules.py finds them)"
    return modules_.ordered()


def modules():
    """The stack and our modules; ZHIZAO_DEMO_MODULES (names separated by
    spaces) restricts ours to a few"""
    only = os.environ.get('ZHIZAO_DEMO_MODULES')
    if only is not None:
        return modules_.stack() + only.split()
    return modules_.stack() + our_modules()


def build(workdir=None, database=DATABASE, uri='sqlite://',
        config_file=None):
    "Create the database with every module and the demo data"
    if workdir is None and config_file is None:
        workdir = os.path.join(ROOT, 'var', 'db')
        config_file = os.path.join(ROOT, 'config', 'trytond.conf')
    server = Server(database, modules(), uri=uri, workdir=workdir,
        config_file=config_file)
    start = time.monotonic()
    print("[demo] activating %d modules in %s (zh_CN)…"
        % (len(server.modules), database), file=sys.stderr, flush=True)
    server.build()
    print("[demo] creating the demo factory…", file=sys.stderr, flush=True)
    subprocess.run([sys.executable, '-m', 'data.demo',
            '--config', server.config_file, '--database', database],
        env=server.env(), cwd=ROOT, check=True)
    print("[demo] built in %.0f s" % (time.monotonic() - start),
        file=sys.stderr, flush=True)
    return server


def banner(port, database, workdir):
    from data.demo import DEMO_PASSWORD, USERS
    lines = [
        "",
        "  制造 Zhizao demo — 宁波华椅办公家具有限公司",
        "  Web client : http://127.0.0.1:%s/" % port,
        "  Database   : %s (SQLite, %s)" % (
            database, os.path.join(workdir, database + '.sqlite')),
        "  Logins     : admin / admin (administrator)",
        ]
    for login, name, _ in USERS.values():
        lines.append("               %-12s / %s  %s" % (
                login, DEMO_PASSWORD, name))
    lines.append("  Stop with Ctrl+C.")
    return '\n'.join(lines) + '\n'


def main():
    parser = argparse.ArgumentParser(prog='./zhizao demo')
    parser.add_argument('--rebuild', action='store_true')
    parser.add_argument('--build-only', action='store_true')
    parser.add_argument('--port', type=int, default=8000)
    args = parser.parse_args()
    # ZHIZAO_DEMO_DIR and ZHIZAO_DEMO_DB let the tests run the command
    # itself beside a running demo
    workdir = os.environ.get(
        'ZHIZAO_DEMO_DIR', os.path.join(ROOT, 'var', 'db'))
    database = os.environ.get('ZHIZAO_DEMO_DB', DATABASE)
    config_file = os.path.join(ROOT, 'config', 'trytond.conf')
    server = Server(database, modules(), workdir=workdir,
        config_file=config_file)
    if args.rebuild or not server.exists():
        server = build(workdir=workdir, database=database,
            config_file=config_file)
    if args.build_only:
        return
    sys.stderr.write(banner(args.port, database, workdir))
    env = server.env()
    env['TRYTOND_WEB__LISTEN'] = '127.0.0.1:%s' % args.port
    os.chdir(ROOT)
    os.execve(os.path.join(os.path.dirname(sys.executable), 'trytond'),
        ['trytond', '-c', config_file, '-d', database], env)


if __name__ == '__main__':
    main()
