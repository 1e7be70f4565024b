# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Back up and restore a Zhizao database with its attachments.

    ./zhizao backup  [WHERE] FILE
    ./zhizao restore [WHERE] [--force] FILE

WHERE is one of
    --compose [--project zhizao]   the containers of docker/compose.yaml
    --uri postgresql://USER:PASS@HOST:5432/ --data PATH
                                   a PostgreSQL install (the values of
                                   TRYTOND_DATABASE__URI and
                                   TRYTOND_DATABASE__PATH by default)
    (nothing)                      the SQLite demo in var/db
and -d NAME the database (zhizao for PostgreSQL, zhizao_demo for SQLite;
a restore takes the name in the file unless -d is given).

FILE is a tar holding manifest.json, the database (database.dump in
pg_dump's custom format, or database.sqlite) and filestore.tar (the
attachments: Tryton's file store of the database, <data path>/<name>/).
A restore refuses to replace an existing database or file store unless
--force is given; with --compose it stops the app, cron and worker
containers during the restore and starts them again.
"""
import argparse
import datetime as dt
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from urllib.parse import urlsplit

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PG_BIN = '/usr/lib/postgresql/15/bin'
FORMAT = 1


class Refused(Exception):
    pass


def log(message):
    print('\033[1;34m[zhizao]\033[0m %s' % message, file=sys.stderr,
        flush=True)


def pg_tool(name):
    path = os.path.join(PG_BIN, name)
    return path if os.path.exists(path) else name


def empty_tar():
    buffer = io.BytesIO()
    tarfile.open(fileobj=buffer, mode='w').close()
    return buffer.getvalue()


class Target:
    "Where a database lives: the compose set-up, PostgreSQL or SQLite"
    kind = 'postgresql'

    def __init__(self, database):
        self.database = database

    def describe(self):
        return self.database


class Compose(Target):

    def __init__(self, database, project):
        super().__init__(database)
        from tools import docker
        self.docker = docker
        self.project = project

    def describe(self):
        return "%s in the compose set-up %s" % (self.database, self.project)

    def containers(self, service):
        "The containers of a service, found by compose's labels"
        return subprocess.run([self.docker.cli(), 'ps', '-aq',
                '--filter', 'label=com.docker.compose.project=%s'
                % self.project,
                '--filter', 'label=com.docker.compose.service=%s' % service],
            capture_output=True, text=True, check=True).stdout.split()

    def container(self, service):
        ids = self.containers(service)
        if not ids:
            raise Refused("no %s container in the compose set-up %s: "
                "start it first (./zhizao docker compose up -d)"
                % (service, self.project))
        return ids[0]

    def db_exec(self, *args, stdin=None, stdout=None):
        command = [self.docker.cli(), 'exec', '-i', self.container('db')]
        return subprocess.run(command + list(args), stdin=stdin,
            stdout=stdout, check=True)

    def files(self, script, stdin=None, stdout=None):
        "Run a shell script on the file store volume (as tryton)"
        image = 'zhizao-app:%s' % self.docker.tag()
        volume = '%s_filestore:/var/lib/trytond' % self.project
        command = [self.docker.cli(), 'run', '--rm', '-i', '-v', volume,
            '--entrypoint', 'sh', image, '-c', script, 'sh', self.database]
        return subprocess.run(command, stdin=stdin, stdout=stdout,
            check=True)

    def exists(self):
        out = subprocess.run([self.docker.cli(), 'exec',
                self.container('db'), 'psql', '-U', 'tryton', '-d',
                'postgres', '-tAc',
                "SELECT 1 FROM pg_database WHERE datname = '%s'"
                % self.database.replace("'", "''")],
            capture_output=True, text=True, check=True).stdout
        return out.strip() == '1'

    def dump(self, path):
        with open(path, 'wb') as fp:
            self.db_exec('pg_dump', '-U', 'tryton', '-Fc', self.database,
                stdout=fp)

    def dump_files(self, path):
        with open(path, 'wb') as fp:
            self.files('cd /var/lib/trytond && if [ -d "$1" ]; then '
                'tar -cf - "$1"; else tar -cf - -T /dev/null; fi',
                stdout=fp)

    def restore(self, dump, files):
        services = ['app', 'cron', 'worker']
        running = [c for s in services for c in self.containers(s)]
        log("stopping %s" % ', '.join(services))
        self.docker_('stop', *running)
        try:
            self.db_exec('dropdb', '-U', 'tryton', '--if-exists', '--force',
                self.database)
            self.db_exec('createdb', '-U', 'tryton', '-E', 'UTF8',
                '-T', 'template0', self.database)
            with open(dump, 'rb') as fp:
                self.db_exec('pg_restore', '-U', 'tryton', '--no-owner',
                    '--exit-on-error', '-d', self.database, stdin=fp)
            with open(files, 'rb') as fp:
                self.files('cd /var/lib/trytond && rm -rf "$1" '
                    '&& tar -xf -', stdin=fp)
        finally:
            log("starting %s" % ', '.join(services))
            self.docker_('start', *running)
            # nginx resolves the app containers again
            self.docker_('restart', *self.containers('nginx'))

    def docker_(self, command, *containers):
        if containers:
            subprocess.run([self.docker.cli(), command] + list(containers),
                check=True, stdout=subprocess.DEVNULL)


class PostgreSQL(Target):

    def __init__(self, database, uri, data):
        super().__init__(database)
        self.uri = uri.rstrip('/')
        self.data = data

    def describe(self):
        parts = urlsplit(self.uri)
        return "%s on PostgreSQL %s" % (self.database,
            parts.hostname or 'local')

    def dsn(self, database=None):
        return '%s/%s' % (self.uri, database or self.database)

    def psql(self, sql):
        return subprocess.run([pg_tool('psql'), '-d', self.dsn('postgres'),
                '-v', 'ON_ERROR_STOP=1', '-tAc', sql], capture_output=True,
            text=True, check=True).stdout.strip()

    def exists(self):
        return self.psql("SELECT 1 FROM pg_database WHERE datname = '%s'"
            % self.database.replace("'", "''")) == '1'

    def store(self):
        return os.path.join(self.data, self.database) if self.data else None

    def dump(self, path):
        subprocess.run([pg_tool('pg_dump'), '-Fc', '-f', path,
                '-d', self.dsn()], check=True)

    def dump_files(self, path):
        dump_store(self.store(), path)

    def restore(self, dump, files):
        name = self.database.replace('"', '""')
        self.psql('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % name)
        self.psql('CREATE DATABASE "%s" TEMPLATE template0 '
            "ENCODING 'UTF8'" % name)
        subprocess.run([pg_tool('pg_restore'), '--no-owner',
                '--exit-on-error', '-d', self.dsn(), dump], check=True)
        restore_store(self.store(), files)


class SQLite(Target):
    kind = 'sqlite'

    def __init__(self, database, data):
        super().__init__(database)
        self.data = data

    def describe(self):
        return "%s (SQLite in %s)" % (self.database, self.data)

    def path(self):
        return os.path.join(self.data, self.database + '.sqlite')

    def store(self):
        return os.path.join(self.data, self.database)

    def exists(self):
        return os.path.exists(self.path())

    def dump(self, path):
        import sqlite3
        if not self.exists():
            raise Refused("no SQLite database %s" % self.path())
        # the online backup API: a consistent copy even while served
        with sqlite3.connect(self.path()) as source, \
                sqlite3.connect(path) as copy:
            source.backup(copy)

    def dump_files(self, path):
        dump_store(self.store(), path)

    def restore(self, dump, files):
        os.makedirs(self.data, exist_ok=True)
        shutil.copyfile(dump, self.path())
        restore_store(self.store(), files)


def dump_store(store, path):
    "A tar of the file store folder (named after the database)"
    with tarfile.open(path, 'w') as tar:
        if store and os.path.isdir(store):
            tar.add(store, arcname=os.path.basename(store))


def restore_store(store, path):
    if not store:
        return
    if os.path.isdir(store):
        shutil.rmtree(store)
    with tarfile.open(path) as tar:
        for member in tar.getmembers():
            # the members are renamed to the target database's folder
            name = member.name.split('/', 1)
            member.name = '/'.join(
                [os.path.basename(store)] + name[1:])
        tar.extractall(os.path.dirname(store), filter='data')


def target(args, database=None):
    name = args.database or database
    if args.compose:
        return Compose(name or os.environ.get('ZHIZAO_DATABASE', 'zhizao'),
            args.project)
    uri = args.uri or os.environ.get('TRYTOND_DATABASE__URI', '')
    data = args.data or os.environ.get('TRYTOND_DATABASE__PATH')
    if uri.startswith('postgresql'):
        return PostgreSQL(name or 'zhizao', uri, data)
    return SQLite(name or 'zhizao_demo',
        data or os.path.join(ROOT, 'var', 'db'))


def backup(args):
    where = target(args)
    with tempfile.TemporaryDirectory(prefix='zhizao-backup-') as tmp:
        dump = os.path.join(tmp, 'database.' + (
                'sqlite' if where.kind == 'sqlite' else 'dump'))
        log("dumping %s" % where.describe())
        where.dump(dump)
        where.dump_files(os.path.join(tmp, 'filestore.tar'))
        manifest = {'format': FORMAT, 'kind': where.kind,
            'database': where.database,
            'date': dt.datetime.now(dt.timezone.utc).isoformat()}
        with open(os.path.join(tmp, 'manifest.json'), 'w') as fp:
            json.dump(manifest, fp, indent=1)
        partial = args.file + '.partial'
        with tarfile.open(partial, 'w') as tar:
            for name in ['manifest.json', os.path.basename(dump),
                    'filestore.tar']:
                tar.add(os.path.join(tmp, name), arcname=name)
        os.replace(partial, args.file)
    log("%s written (%d bytes): %s and its attachments"
        % (args.file, os.path.getsize(args.file), where.describe()))


def read_archive(path, tmp):
    if not os.path.isfile(path):
        raise Refused("no backup file %s" % path)
    with tarfile.open(path) as tar:
        names = set(tar.getnames())
        if 'manifest.json' not in names:
            raise Refused("%s is not a Zhizao backup (no manifest.json)"
                % path)
        tar.extractall(tmp, filter='data')
    with open(os.path.join(tmp, 'manifest.json')) as fp:
        return json.load(fp)


def restore(args):
    with tempfile.TemporaryDirectory(prefix='zhizao-restore-') as tmp:
        manifest = read_archive(args.file, tmp)
        where = target(args, manifest['database'])
        if manifest['kind'] != where.kind:
            raise Refused("%s holds a %s database: it cannot be restored "
                "into %s" % (args.file, manifest['kind'], where.describe()))
        if where.exists() and not args.force:
            raise Refused("%s exists: restoring would replace it and its "
                "attachments; add --force to do so" % where.describe())
        dump = os.path.join(tmp, 'database.' + (
                'sqlite' if where.kind == 'sqlite' else 'dump'))
        log("restoring %s of %s (%s) into %s" % (args.file,
                manifest['database'], manifest['date'], where.describe()))
        where.restore(dump, os.path.join(tmp, 'filestore.tar'))
    log("restored %s" % where.describe())


def parser(command):
    parser = argparse.ArgumentParser(prog='./zhizao ' + command,
        description=__doc__.split('\n\n')[0])
    parser.add_argument('--compose', action='store_true',
        help="the containers of docker/compose.yaml")
    parser.add_argument('--project',
        default=os.environ.get('ZHIZAO_PROJECT', 'zhizao'),
        help="compose project name (default zhizao)")
    parser.add_argument('--uri', help="PostgreSQL URI, as "
        "TRYTOND_DATABASE__URI (postgresql://USER:PASS@HOST:PORT/)")
    parser.add_argument('--data', help="Tryton's data path (attachments), "
        "as TRYTOND_DATABASE__PATH")
    parser.add_argument('-d', '--database')
    if command == 'restore':
        parser.add_argument('--force', action='store_true',
            help="replace an existing database and its attachments")
    parser.add_argument('file', metavar='FILE')
    return parser


def main(argv):
    if not argv or argv[0] not in {'backup', 'restore'}:
        print(__doc__)
        return 2
    args = parser(argv[0]).parse_args(argv[1:])
    try:
        (backup if argv[0] == 'backup' else restore)(args)
    except Refused as error:
        log("refused: %s" % error)
        return 1
    except subprocess.CalledProcessError as error:
        log("failed: %s exited with %s" % (
                ' '.join(map(str, error.cmd[:3])), error.returncode))
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
