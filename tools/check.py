# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The integrity check (``./zhizao check``).

Runs every invariant of the installed modules (model ``stock.integrity``:
quarantine never negative, returned ≤ issued, decided inspections add up,
documents agree with their moves …) on a database and prints what is
wrong, in Chinese by default.  Exit status 0 when nothing is wrong, 1 when
something is, 2 when the database cannot be opened.

    ./zhizao check                       the demo database (SQLite)
    ./zhizao check -d DB --uri postgresql://user@127.0.0.1:5432/
    ./zhizao check --language en
"""
import argparse
import os
import sys

from tools.server import Server

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def problems(database, language):
    "The broken invariants of every company of the database"
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    pool = Pool(database)
    pool.init()
    with Transaction().start(database, 0, readonly=True,
            context={'language': language}):
        return pool.get('stock.integrity').problems()


def main(argv=None):
    parser = argparse.ArgumentParser(prog='./zhizao check')
    parser.add_argument('-d', '--database',
        default=os.environ.get('ZHIZAO_DEMO_DB', 'zhizao_demo'))
    parser.add_argument('--uri', default='sqlite://',
        help="database URI (default: the demo's SQLite)")
    parser.add_argument('--workdir',
        default=os.environ.get(
            'ZHIZAO_DEMO_DIR', os.path.join(ROOT, 'var', 'db')),
        help="folder of the SQLite databases")
    parser.add_argument('-c', '--config',
        default=os.path.join(ROOT, 'config', 'trytond.conf'))
    parser.add_argument('--language', default='zh_CN')
    args = parser.parse_args(argv)
    server = Server(args.database, [], uri=args.uri, workdir=args.workdir,
        config_file=args.config)
    if not server.exists():
        print("数据库 %s 不存在（先运行 ./zhizao demo）" % args.database,
            file=sys.stderr)
        return 2
    os.environ.update(server.env())
    from trytond import config
    config.update_etc(args.config)
    found = problems(args.database, args.language)
    for problem in found:
        print("✗ %s" % problem)
    if found:
        print("完整性检查：数据库 %s 发现 %d 个问题。" % (
                args.database, len(found)))
        return 1
    print("完整性检查通过：数据库 %s 没有发现问题。" % args.database)
    return 0


if __name__ == '__main__':
    sys.exit(main())
