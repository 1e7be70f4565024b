# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The app image's entry point (docker/Dockerfile, docker/compose.yaml).

    web      gunicorn serving trytond.application:app on :8000
             (WEB_WORKERS processes), the database preloaded
    cron     trytond-cron
    worker   trytond-worker (WORKER_PROCESSES processes)
    init     create the database ZHIZAO_DATABASE with every module (and,
             with ZHIZAO_DEMO=1, the demo factory) or, when it exists,
             update the modules (trytond-admin -u): the one-shot service.
             A new database is restored from the dump the image was built
             with (seed/, in seconds; ZHIZAO_SEED=0 builds it instead)
    seed DIR at build time (docker/seed.sh): build the new database and
             the demo factory, each dumped into DIR
    ...      anything else is run as it is (trytond-admin, a shell)

Configuration: config/trytond-multiprocess.conf (TRYTOND_CONFIG) with
TRYTOND_SECTION__OPTION variables (TRYTOND_DATABASE__URI, ...).
"""
import os
import secrets
import subprocess
import sys
import time

sys.path.insert(0, '/opt/zhizao')

from tools import modules as modules_  # noqa: E402

CONFIG = os.environ.get('TRYTOND_CONFIG',
    '/opt/zhizao/config/trytond-multiprocess.conf')
DATABASE = os.environ.get('ZHIZAO_DATABASE', 'zhizao')
LANGUAGES = ['en', 'zh_CN']
BIN = os.path.dirname(sys.executable)
SEEDS = '/opt/zhizao/seed'


def log(message):
    print('[zhizao] %s' % message, file=sys.stderr, flush=True)


def uri(dbname):
    return '%s/%s' % (
        os.environ['TRYTOND_DATABASE__URI'].rstrip('/'), dbname)


def connect(dbname='postgres'):
    import psycopg
    return psycopg.connect(uri(dbname), autocommit=True)


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
    return password


def admin_email():
    return os.environ.get('ZHIZAO_ADMIN_EMAIL', 'admin@example.com')


def create(conn):
    """Built under a temporary name and renamed at the end: a build that
    failed half way is never taken for a database"""
    partial = DATABASE + '_init'
    conn.execute('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % partial)
    conn.execute('CREATE DATABASE "%s" TEMPLATE template0 '
        "ENCODING 'UTF8'" % partial)
    path = seed_file()
    if path:
        restore(partial, path)
    else:
        build(partial)
    conn.execute('ALTER DATABASE "%s" RENAME TO "%s"' % (partial, DATABASE))


def build(database):
    path = '/tmp/zhizao-admin-password'
    with open(path, 'w') as fp:
        fp.write(admin_password())
    os.environ['TRYTONPASSFILE'] = path
    admin(database, '--all', '--email', admin_email(), '-l', *LANGUAGES)
    admin(database, '-u', *modules(), '--activate-dependencies',
        '-l', *LANGUAGES)
    if os.environ.get('ZHIZAO_DEMO') == '1':
        demo(database)


def seed_file():
    "The dump of the image (docker/seed.sh) a new database is restored from"
    if os.environ.get('ZHIZAO_SEED', '1') != '1':
        return None
    name = 'demo' if os.environ.get('ZHIZAO_DEMO') == '1' else 'database'
    path = os.path.join(SEEDS, '%s.dump' % name)
    return path if os.path.exists(path) else None


def restore(database, path):
    "The dump restored; the admin user gets this site's password and email"
    from trytond.res.user import PASSWORD_HASH
    password = admin_password()
    log("restoring %s (built with the image) into %s" % (path, DATABASE))
    subprocess.run(['pg_restore', '--no-owner', '--no-privileges',
            '--exit-on-error', '-d', uri(database), path], check=True)
    with connect(database) as conn:
        conn.execute("UPDATE res_user SET password_hash = %s, email = %s "
            "WHERE login = 'admin'",
            (PASSWORD_HASH.hash(password), admin_email()))


def seed(directory):
    """At build time (docker/seed.sh, on a throwaway PostgreSQL): the new
    database, then with the demo factory, each dumped into directory"""
    os.environ.update(ZHIZAO_SEED='0', ZHIZAO_DEMO='0',
        ZHIZAO_ADMIN_PASSWORD=secrets.token_urlsafe(24))
    init()
    dump(os.path.join(directory, 'database.dump'))
    demo(DATABASE)
    dump(os.path.join(directory, 'demo.dump'))


def dump(path):
    subprocess.run(['pg_dump', '-Fc', '-f', path, uri(DATABASE)],
        check=True)
    log("%s: %.1f MB" % (path, os.path.getsize(path) / 1e6))


def demo(database):
    """The demo factory, built in this process's transactions: with the
    one-process configuration, whose queued tasks run at once (no
    trytond-worker runs yet)"""
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
    elif command == 'seed':
        seed(*args)
    else:
        os.execvp(command, [command] + list(args))


if __name__ == '__main__':
    main(*sys.argv[1:])
