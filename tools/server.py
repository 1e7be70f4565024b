# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Build a Tryton database and run a real trytond server on loopback.

    server = Server('test_mr', modules=['production_material_return'],
        uri='postgresql://postgres@127.0.0.1:5433/')   # or uri='sqlite://'
    server.build()          # creates the database, activates the modules
                            # (build(base_template=True): see build)
    server.start()          # trytond -d DB on a free 127.0.0.1 port
    proxy = server.xmlrpc('admin', 'admin')
    server.stop()

The admin password is ``admin``.  ``server.proteus()`` configures proteus
over XML-RPC for data set-up in tests.
"""
import configparser
import gzip
import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import xmlrpc.client

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)
ADMIN_PASSWORD = 'admin'
ADMIN_EMAIL = 'admin@example.com'
# pg_advisory_lock key of the base template's builder
BASE_LOCK = 20260601


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def _pg_connect(uri, dbname='postgres'):
    import psycopg
    return psycopg.connect(uri.rstrip('/') + '/' + dbname, autocommit=True)


class Server:

    def __init__(self, database, modules, uri='sqlite://', workdir=None,
            languages=('en', 'zh_CN'), extra_config=None, config_file=None,
            extra_env=None):
        self.database = database
        self.modules = list(modules)
        self.uri = uri
        self.languages = list(languages)
        self.workdir = os.path.abspath(
            workdir or tempfile.mkdtemp(prefix='zhizao-srv-'))
        self.port = None
        self.process = None
        self.extra_config = extra_config or {}
        # set in the environment of every process (TRYTOND_SECTION__OPTION
        # overrides a shared configuration file)
        self.extra_env = extra_env or {}
        os.makedirs(self.workdir, exist_ok=True)
        if config_file:
            self.config_file = config_file
        else:
            self.config_file = os.path.join(self.workdir, 'trytond.conf')
            self._write_config()

    @property
    def backend(self):
        return 'postgresql' if self.uri.startswith('postgresql') else 'sqlite'

    def _write_config(self):
        sections = {
            # retry as config/trytond-postgresql.conf deploys it: a click
            # that meets another's lock waits up to about 4 s, not 0.3 s
            'database': {
                'uri': self.uri, 'path': self.workdir, 'retry': '20'},
            'web': {'root': os.path.join(ROOT, 'var', 'sao')},
            'session': {'max_attempt': '1000'},
            }
        for key, value in self.extra_config.items():
            section, name = key.split('.', 1)
            sections.setdefault(section, {})[name] = value
        with open(self.config_file, 'w') as fp:
            for section, values in sections.items():
                fp.write('[%s]\n' % section)
                for name, value in values.items():
                    fp.write('%s = %s\n' % (name, value))

    def env(self):
        env = os.environ.copy()
        env.setdefault('PYTHONOPTIMIZE', '1')
        for key in list(env):
            if key.startswith('TRYTOND_') or key in {'DB_NAME', 'DB_CACHE'}:
                del env[key]
        passfile = os.path.join(self.workdir, 'admin-password')
        with open(passfile, 'w') as fp:
            fp.write(ADMIN_PASSWORD)
        env['TRYTONPASSFILE'] = passfile
        # trytond needs absolute paths; a shared config file keeps relative
        # ones for the reader, made absolute here
        env['TRYTOND_DATABASE__PATH'] = os.path.abspath(self.workdir)
        env['TRYTOND_WEB__ROOT'] = os.path.join(ROOT, 'var', 'sao')
        if self.backend == 'postgresql':
            # a shared configuration file (config/*.conf) leaves the URI to
            # the environment
            env['TRYTOND_DATABASE__URI'] = self.uri
        env['PYTHONPATH'] = ROOT
        env.update(self.extra_env)
        return env

    def drop(self):
        if self.backend == 'postgresql':
            with _pg_connect(self.uri) as conn:
                conn.execute(
                    'DROP DATABASE IF EXISTS "%s" WITH (FORCE)'
                    % self.database)
        else:
            path = os.path.join(self.workdir, self.database + '.sqlite')
            if os.path.exists(path):
                os.remove(path)

    def exists(self):
        if self.backend == 'postgresql':
            with _pg_connect(self.uri) as conn:
                return bool(conn.execute(
                        'SELECT 1 FROM pg_database WHERE datname = %s',
                        (self.database,)).fetchone())
        return os.path.exists(
            os.path.join(self.workdir, self.database + '.sqlite'))

    def main_language(self):
        "The database's main language: [database] language, else en"
        env = self.env()
        if env.get('TRYTOND_DATABASE__LANGUAGE'):
            return env['TRYTOND_DATABASE__LANGUAGE']
        parser = configparser.ConfigParser(interpolation=None)
        parser.read(self.config_file, encoding='utf-8')
        return parser.get('database', 'language', fallback='en')

    def base_name(self):
        """The template database of the first step of a build (ir and res
        with the languages): one per trytond version, languages and main
        language"""
        import trytond
        key = json.dumps([trytond.__version__, sorted(self.languages),
                self.main_language(), ADMIN_EMAIL])
        return 'zhizao_base_' + hashlib.sha256(key.encode()).hexdigest()[:12]

    def build(self, base_template=False):
        """Create the database and activate the modules

        With ``base_template`` (PostgreSQL only) the first step, the same
        for every database of the cluster with the same languages, is done
        once in a template database (``base_name()``, left in the cluster:
        for throwaway clusters) and copied by ``CREATE DATABASE ...
        TEMPLATE``"""
        self.drop()
        if self.backend == 'postgresql' and base_template:
            self._create_from_module_sets()
            return
        else:
            if self.backend == 'postgresql':
                with _pg_connect(self.uri) as conn:
                    conn.execute(
                        'CREATE DATABASE "%s" TEMPLATE template0 '
                        "ENCODING 'UTF8'" % self.database)
            else:
                open(os.path.join(
                        self.workdir, self.database + '.sqlite'), 'w').close()
            self._init_base(self.database)
        self.admin('-u', *self.modules, '--activate-dependencies',
            '-l', *self.languages)

    def _init_base(self, database):
        # ir and res get their translations now: overriding translations of
        # later modules (locale_zh_cn) need the rows to exist
        self.admin('--all', '--email', ADMIN_EMAIL, '-l', *self.languages,
            database=database)

    def _create_from_base(self, database=None):
        base = self.base_name()
        with _pg_connect(self.uri) as conn:
            # one builder at a time per cluster (processes may share it)
            conn.execute('SELECT pg_advisory_lock(%s)', (BASE_LOCK,))
            try:
                if not conn.execute(
                        'SELECT 1 FROM pg_database WHERE datname = %s',
                        (base,)).fetchone():
                    # built under another name: a failed build is never
                    # taken for a base
                    partial = base + '_partial'
                    conn.execute(
                        'DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % partial)
                    conn.execute(
                        'CREATE DATABASE "%s" TEMPLATE template0 '
                        "ENCODING 'UTF8'" % partial)
                    self._init_base(partial)
                    conn.execute('ALTER DATABASE "%s" RENAME TO "%s"'
                        % (partial, base))
                    # trytond's database list skips templates
                    conn.execute(
                        'ALTER DATABASE "%s" IS_TEMPLATE true' % base)
                conn.execute('CREATE DATABASE "%s" TEMPLATE "%s"'
                    % (database or self.database, base))
            finally:
                conn.execute('SELECT pg_advisory_unlock(%s)', (BASE_LOCK,))

    def _create_from_module_sets(self):
        """Copy the cluster's template of these modules (and languages),
        built first when missing: from the largest template of fewer
        modules, or through the layers of tools/modulesets.py, activating
        the modules missing.  Each template names its modules in its
        comment."""
        from tools import modulesets
        template = self._module_set_template(
            modulesets.closure(self.modules))
        with _pg_connect(self.uri) as conn:
            conn.execute('CREATE DATABASE "%s" TEMPLATE "%s"'
                % (self.database, template))

    def _module_set_template(self, wanted):
        "The name of the template database of the modules wanted"
        key = json.dumps([self.base_name(), sorted(wanted)])
        digest = hashlib.sha256(key.encode()).hexdigest()
        template = 'zhizao_mods_' + digest[:12]
        with _pg_connect(self.uri) as conn:
            # one builder per module set
            conn.execute('SELECT pg_advisory_lock(%s)',
                (int(digest[:8], 16),))
            try:
                if not conn.execute(
                        'SELECT 1 FROM pg_database WHERE datname = %s',
                        (template,)).fetchone():
                    self._build_template(conn, template, wanted)
            finally:
                conn.execute('SELECT pg_advisory_unlock(%s)',
                    (int(digest[:8], 16),))
        return template

    def _templates(self, conn):
        "The module set templates of the cluster: {name: modules}"
        result = {}
        for name, comment in conn.execute(
                "SELECT datname, shobj_description(oid, 'pg_database') "
                "FROM pg_database WHERE datname LIKE %s",
                ('zhizao_mods_%',)):
            info = json.loads(comment or 'null')
            if info and info['base'] == self.base_name():
                result[name] = set(info['modules'])
        return result

    def _build_template(self, conn, template, wanted):
        from psycopg import sql

        from tools import modulesets
        candidates = self._templates(conn)
        base = modulesets.best_base(candidates, wanted)
        for layer in reversed(modulesets.layers(wanted)):
            if len(layer) > len(candidates.get(base, ())):
                base = self._module_set_template(layer)
                candidates[base] = layer
                break
        # built under another name: a failed build is never taken for a
        # template
        partial = template + '_partial'
        conn.execute('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % partial)
        if base:
            conn.execute('CREATE DATABASE "%s" TEMPLATE "%s"'
                % (partial, base))
        else:
            self._create_from_base(partial)
        missing = wanted - candidates.get(base, set()) - {'ir', 'res'}
        self.admin('-u', *sorted(missing), '--activate-dependencies',
            '-l', *self.languages, database=partial)
        conn.execute(sql.SQL('COMMENT ON DATABASE {} IS {}').format(
                sql.Identifier(partial), sql.Literal(json.dumps({
                            'base': self.base_name(),
                            'modules': sorted(wanted)}))))
        conn.execute('ALTER DATABASE "%s" RENAME TO "%s"'
            % (partial, template))
        # trytond's database list skips templates
        conn.execute('ALTER DATABASE "%s" IS_TEMPLATE true' % template)

    def admin(self, *args, database=None):
        subprocess.run(
            [os.path.join(BIN, 'trytond-admin'), '-c', self.config_file,
                '-d', database or self.database] + list(args),
            env=self.env(), check=True, cwd=ROOT)

    def start(self, port=None, timeout=60):
        self.port = port or free_port()
        log = open(os.path.join(self.workdir, 'trytond.log'), 'ab')
        env = self.env()
        env['TRYTOND_WEB__LISTEN'] = '127.0.0.1:%s' % self.port
        self.process = subprocess.Popen(
            [os.path.join(BIN, 'trytond'), '-c', self.config_file,
                '-d', self.database],
            env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
            start_new_session=True)
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.process.poll() is not None:
                raise RuntimeError(
                    "trytond exited (%s): see %s" % (
                        self.process.returncode, log.name))
            try:
                urllib.request.urlopen(
                    'http://127.0.0.1:%s/' % self.port, timeout=2).close()
                return self
            except urllib.error.HTTPError:
                return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("trytond did not answer on %s" % self.port)

    def stop(self, sig=signal.SIGTERM):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None

    def kill(self):
        self.stop(signal.SIGKILL)

    @property
    def base_url(self):
        return 'http://127.0.0.1:%s' % self.port

    @property
    def rpc_url(self):
        return '%s/%s/rpc/' % (self.base_url, self.database)

    def xmlrpc(self, login='admin', password=ADMIN_PASSWORD):
        return xmlrpc.client.ServerProxy(
            'http://%s:%s@127.0.0.1:%s/%s/rpc/' % (
                login, password, self.port, self.database),
            allow_none=True, use_builtin_types=True)

    def jsonrpc(self, login='admin', password=ADMIN_PASSWORD):
        return JSONRPC(self.base_url, self.database, login, password)

    def proteus(self, login='admin', password=ADMIN_PASSWORD):
        from proteus import config
        return config.set_xmlrpc(
            'http://%s:%s@127.0.0.1:%s/%s/rpc/' % (
                login, password, self.port, self.database))


class RPCError(Exception):
    "An error answered by the server: .error is its payload"

    def __init__(self, error):
        super().__init__(error)
        self.error = error


class JSONRPC:
    "A JSON-RPC session as sao opens it: login, then calls with the key"

    def __init__(self, base_url, database, login, password):
        self.url = '%s/%s/rpc/' % (base_url, database)
        self.login = login
        result = self._post('common.db.login',
            [login, {'password': password}, 'zh_CN'], auth=False)
        self.user_id, self.session = result[0], result[1]
        self.context = self._post('model.res.user.get_preferences', [True, {}])
        self.id = 0

    def _post(self, method, params, auth=True):
        data = json.dumps({'id': 1, 'method': method, 'params': params},
            default=str).encode('utf-8')
        # gzip as browsers (sao) ask: trytond streams long answers in
        # pieces otherwise
        request = urllib.request.Request(self.url, data=data,
            headers={'Content-Type': 'application/json',
                'Accept-Encoding': 'gzip'})
        if auth:
            import base64
            token = base64.b64encode(('%s:%s:%s' % (
                        self.login, self.user_id, self.session)
                    ).encode('utf-8')).decode('ascii')
            request.add_header('Authorization', 'Session ' + token)
        with urllib.request.urlopen(request, timeout=120) as response:
            body = response.read()
            if response.headers.get('Content-Encoding') == 'gzip':
                body = gzip.decompress(body)
            answer = json.loads(body)
        if answer.get('error'):
            raise RPCError(answer['error'])
        return answer['result']

    def __call__(self, method, *args, context=None):
        ctx = dict(self.context)
        ctx.update(context or {})
        return self._post(method, list(args) + [ctx])
