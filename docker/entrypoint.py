# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The app image's entry point (docker/Dockerfile, docker/compose.yaml).

    web      gunicorn serving trytond.application:app on :8000
             (WEB_WORKERS processes), the database preloaded
    cron     trytond-cron
    worker   trytond-worker (WORKER_PROCESSES processes)
    init     create the database ZHIZAO_DATABASE with every module (and,
             with ZHIZAO_DEMO=1, the demo factory) or, when it exists,
             update the modules (trytond-admin -u): the one-shot service
    ...      anything else is run as it is (trytond-admin, a shell)

Configuration: config/trytond-multiprocess.conf (TRYTOND_CONFIG) with
TRYTOND_SECTION__OPTION variables (TRYTOND_DATABASE__URI, ...).
"""
import os
import sys
import time

sys.path.insert(0, '/opt/zhizao')

from tools import modules as modules_  # noqa: E402

CONFIG = os.environ.get('TRYTOND_CONFIG',
    '/opt/zhizao/config/trytond-multiprocess.conf')
DATABASE = os.environ.get('ZHIZAO_DATABASE', 'zhizao')
LANGUAGES = ['en', 'zh_CN']
BIN = os.path.dirname(sys.executable)


def log(message):
    print('[zhizao] %s' % message, file=sys.stderr, flush=True)


def connect(dbname='postgres'):
    import psycopg
    uri = os.environ['TRYTOND_DATABASE__URI'].rstrip('/')
    return psycopg.connect('%s/%s' % (uri, dbname), autocommit=True)


def wait_for_database(timeout=120):
    end = time.monotonic() + timeout
    while True:
        try:
            connect().close()
            return
        except Exception as error:
            if time.monotonic() > end:
                raise SystemExit("PostgreSQL unreachable: %s" % error)
            time.sleep(1)


def admin(database, *args):
    import subprocess
    subprocess.run([os.path.join(BIN, 'trytond-admin'), '-c', CONFIG,
            '-d', database] + list(args), check=True)


def exists(conn, name):
    return bool(conn.execute(
            'SELECT 1 FROM pg_database WHERE datname = %s',
            (name,)).fetchone())


def admin_password():
    password = os.environ.get('ZHIZAO_ADMIN_PASSWORD')
    if not password:
        raise SystemExit("ZHIZAO_ADMIN_PASSWORD is not set: the password "
            "of the admin user of a new database")
    path = '/tmp/zhizao-admin-password'
    with open(path, 'w') as fp:
        fp.write(password)
    os.environ['TRYTONPASSFILE'] = path


def create(conn):
    """Built under a temporary name and renamed at the end: a build that
    failed half way is never taken for a database"""
    partial = DATABASE + '_init'
    conn.execute('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % partial)
    conn.execute('CREATE DATABASE "%s" TEMPLATE template0 '
        "ENCODING 'UTF8'" % partial)
    admin_password()
    email = os.environ.get('ZHIZAO_ADMIN_EMAIL', 'admin@example.com')
    admin(partial, '--all', '--email', email, '-l', *LANGUAGES)
    admin(partial, '-u', *modules(), '--activate-dependencies',
        '-l', *LANGUAGES)
    if os.environ.get('ZHIZAO_DEMO') == '1':
        demo(partial)
    conn.execute('ALTER DATABASE "%s" RENAME TO "%s"' % (partial, DATABASE))


def demo(database):
    """The demo factory, built in this process's transactions: with the
    one-process configuration, whose queued tasks run at once (no
    trytond-worker runs yet)"""
    import subprocess
    log("creating the demo factory in %s" % database)
    env = dict(os.environ)
    env.pop('TRYTOND_CONFIG', None)
    subprocess.run([sys.executable, '-m', 'data.demo', '--config',
            '/opt/zhizao/config/trytond-postgresql.conf',
            '--database', database], check=True, cwd='/opt/zhizao', env=env)


def modules():
    "The stack and our modules (as the demo activates them)"
    return modules_.stack() + modules_.ordered()


def init():
    wait_for_database()
    start = time.monotonic()
    with connect() as conn:
        if exists(conn, DATABASE):
            log("updating the modules of %s" % DATABASE)
            admin(DATABASE, '-u', *modules(), '--activate-dependencies')
        else:
            log("creating %s with %d modules" % (DATABASE, len(modules())))
            create(conn)
    log("%s ready in %.0f s" % (DATABASE, time.monotonic() - start))


def run(*args):
    os.execv(os.path.join(BIN, args[0]), list(args))


def main(command='web', *args):
    os.environ.setdefault('TRYTOND_DATABASE_NAMES', DATABASE)
    if command == 'web':
        run('gunicorn', '-w', os.environ.get('WEB_WORKERS', '2'),
            '-b', '0.0.0.0:8000', '--timeout', '300',
            '--graceful-timeout', '5', 'trytond.application:app', *args)
    elif command == 'cron':
        run('trytond-cron', '-c', CONFIG, '-d', DATABASE, *args)
    elif command == 'worker':
        run('trytond-worker', '-c', CONFIG, '-d', DATABASE,
            '-n', os.environ.get('WORKER_PROCESSES', '1'), *args)
    elif command == 'init':
        init()
    else:
        os.execvp(command, [command] + list(args))


if __name__ == '__main__':
    main(*sys.argv[1:])
