# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""docker/: the whole system in containers, as the README's "Docker" part
tells an administrator to run it.

Docker itself is made ready the way ``./zhizao docker build`` does it
(tools/docker.py): Debian's docker.io, docker-compose and debootstrap when
missing, dockerd started, a ``debian:bookworm-slim`` base built with
debootstrap when there is none (no image registry here).  Then, with the
images tagged ``test`` and the compose project ``zhizaotest`` (a site's
own containers and images are left alone):

- up with two app containers, the demo factory restored by the init
  service from the dump built with the image (docker/seed.sh);
- a login through nginx over XML-RPC, and the README's material return;
- one app container killed with SIGKILL while 8 clients keep creating
  records: every call answered OK made exactly one record, no record is
  doubled, and only calls in flight on the dead container go unanswered;
- the PostgreSQL container restarted: calls fail with an answer (no hang)
  then work again;
- backup, drop the database, restore: the same counts, stock, costs and
  attachment; a restore over an existing database is refused;
- the app containers scaled from 2 to 3: nginx sends calls to the new one
  without a restart or reload (its resolver asks Docker's DNS);
- the upgrade path: an image with a changed module (a new version and a
  new field) started on the same volumes: init updates the modules, the
  new column is there and the data is the same;
- down, the containers and volumes removed.

Compose v2 (``docker compose``) is used when the docker CLI has it, else
Debian's docker-compose 1.29 (tools/docker.py, ZHIZAO_COMPOSE).
"""
import os
import subprocess
import threading
import time
import uuid
import xmlrpc.client

import pytest

from tests.test_readme import example
from tools import docker
from tools.server import ROOT, free_port

PROJECT = 'zhizaotest'
TAG = 'test'
DATABASE = 'zhizao'
PASSWORD = 'zhizao2026'
CLIENTS = 8
ARTIFACTS = os.path.join(ROOT, 'test-artifacts')


class Transport(xmlrpc.client.Transport):
    "XML-RPC with a timeout: a call that hangs fails the test"

    def make_connection(self, host):
        connection = super().make_connection(host)
        connection.timeout = 60
        return connection


def env(port):
    return dict(os.environ, ZHIZAO_TAG=TAG, ZHIZAO_PORT=str(port),
        POSTGRES_PASSWORD='docker-test', ZHIZAO_ADMIN_PASSWORD='admin',
        ZHIZAO_DEMO='1', ZHIZAO_PROJECT=PROJECT, WEB_WORKERS='2')


class Stack:

    def __init__(self, port):
        self.port = port
        self.env = env(port)

    def compose(self, *args, **kwargs):
        kwargs.setdefault('check', True)
        return docker.compose(*args, project=PROJECT, env=self.env,
            **kwargs)

    def containers(self, service):
        # -a: Compose v2 lists only running containers without it
        return self.compose('ps', '-a', '-q', service, capture_output=True,
            text=True).stdout.split()

    def inspect(self, container, template):
        return subprocess.run([docker.cli(), 'inspect', '-f', template,
                container], capture_output=True, text=True,
            check=True).stdout.strip()

    def proxy(self, login='admin', password='admin'):
        return xmlrpc.client.ServerProxy(
            'http://%s:%s@127.0.0.1:%s/%s/rpc/' % (
                login, password, self.port, DATABASE),
            allow_none=True, use_builtin_types=True, transport=Transport())

    def wait_healthy(self, service, timeout=180):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            states = [self.inspect(c, '{{.State.Health.Status}}')
                for c in self.containers(service)]
            if states and all(s == 'healthy' for s in states):
                return
            time.sleep(1)
        pytest.fail("%s not healthy after %s s" % (service, timeout))

    def logs(self, service):
        return self.compose('logs', '--no-color', service,
            capture_output=True, text=True).stdout

    def save_logs(self):
        os.makedirs(ARTIFACTS, exist_ok=True)
        with open(os.path.join(ARTIFACTS, 'docker-compose.log'), 'w') as fp:
            self.compose('logs', '--no-color', stdout=fp,
                stderr=subprocess.STDOUT, check=False)

    def zhizao(self, *args):
        return subprocess.run([os.path.join(ROOT, 'zhizao')] + list(args),
            env=self.env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope='module')
def stack():
    start = time.monotonic()
    docker.build(tag_=TAG)
    built = time.monotonic()
    stack = Stack(free_port())
    stack.compose('down', '-v', '--remove-orphans')
    try:
        stack.compose('up', '-d', '--no-build', '--scale', 'app=2')
        stack.wait_healthy('nginx')
        print("built in %.0f s, up in %.0f s" % (
                built - start, time.monotonic() - built))
        yield stack
    finally:
        stack.save_logs()
        stack.compose('down', '-v', '--remove-orphans', check=False)


def test_up_with_two_app_containers(stack):
    apps = stack.containers('app')
    assert len(apps) == 2
    for service in ['app', 'cron', 'worker', 'nginx', 'db']:
        for container in stack.containers(service):
            assert stack.inspect(container, '{{.State.Status}}') \
                == 'running', service
    init, = stack.containers('init')
    assert stack.inspect(init, '{{.State.ExitCode}}') == '0'
    # the database and the demo were restored, not built on this start
    assert 'restoring /opt/zhizao/seed/demo.dump' in stack.logs('init')
    # the attachments' volume is mounted on every Tryton container
    for service in ['app', 'cron', 'worker']:
        for container in stack.containers(service):
            assert '/var/lib/trytond' in stack.inspect(container,
                '{{range .Mounts}}{{.Destination}} {{end}}')


def test_login_through_nginx(stack):
    proxy = stack.proxy('planner', PASSWORD)
    context = proxy.model.res.user.get_preferences(True, {})
    assert context['language'] == 'zh_CN'
    # the web client is served too
    import urllib.request
    with urllib.request.urlopen(
            'http://127.0.0.1:%s/' % stack.port, timeout=30) as response:
        assert b'sao' in response.read().lower()


def test_material_return(stack):
    code = example('material-return').replace(
        '127.0.0.1:8000/zhizao_demo/',
        '127.0.0.1:%s/%s/' % (stack.port, DATABASE))
    result = subprocess.run(['python3', '-c', code], capture_output=True,
        text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == 'issued 8.0 returnable 8.0'
    number, state = lines[1].split()
    assert number.startswith('MR') and state == 'done'
    assert lines[2] == 'MO0005 returned cost 37.0000'


def _client(stack, prefix, index, stop, results):
    """Create one party per call, named after the call; a call that fails
    is not sent again (a create is not idempotent)"""
    proxy = stack.proxy()
    call = 0
    while not stop.is_set():
        name = '%s-%d-%d' % (prefix, index, call)
        call += 1
        started = time.monotonic()
        try:
            proxy.model.party.party.create([{'name': name}], {})
            results.append(('ok', name, started, time.monotonic(), ''))
        except (xmlrpc.client.Error, OSError) as error:
            results.append(('failed', name, started, time.monotonic(),
                    repr(error)[:300]))
            time.sleep(0.1)


def _load(stack, fault, after=10):
    """Run the clients; once each has had a call answered, apply the fault,
    then let them work ``after`` seconds more"""
    stop, results = threading.Event(), []
    prefix = 'docker-%s' % uuid.uuid4().hex[:8]
    threads = [threading.Thread(target=_client,
            args=(stack, prefix, i, stop, results)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    end = time.monotonic() + 120
    while len({r[1].rsplit('-', 1)[0] for r in results if r[0] == 'ok'}) \
            < CLIENTS and time.monotonic() < end:
        time.sleep(0.2)
    time.sleep(2)
    window = [time.monotonic()]
    fault()
    window.append(time.monotonic())
    time.sleep(after)
    stop.set()
    for thread in threads:
        thread.join(90)
    assert not any(t.is_alive() for t in threads), "a client hung"
    return results, window


def test_app_container_killed_under_load(stack):
    victim = stack.containers('app')[0]
    # the container dies somewhere between the two ends of `docker kill`
    # (seconds under load): a call sent before it returned may be in flight
    results, (_, killed) = _load(stack, lambda: subprocess.run(
            [docker.cli(), 'kill', '-s', 'KILL', victim], check=True))
    names = [r[1] for r in results]
    prefix = names[0].split('-')[1]
    stored = stack.proxy().model.party.party.search_read(
        [('name', 'like', 'docker-%s-%%' % prefix)], 0, None, None,
        ['name'], {})
    counts = {}
    for party in stored:
        counts[party['name']] = counts.get(party['name'], 0) + 1
    ok = {r[1] for r in results if r[0] == 'ok'}
    failed = [r for r in results if r[0] == 'failed']
    # no record doubled, none made by a call that was never sent
    assert all(n == 1 for n in counts.values()), counts
    assert set(counts) <= set(names)
    # every call answered OK made its record
    assert ok <= set(counts)
    # only calls in flight when the container died may go unanswered
    # (those its 2 gunicorn workers were serving, and those nginx had
    # already handed to its socket): at most one per client, each sent
    # before the kill returned; each made its record or none
    clients = [r[1].rsplit('-', 1)[0] for r in failed]
    assert len(clients) == len(set(clients)), failed
    assert all(r[2] <= killed for r in failed), failed
    assert len(counts) == len(ok) + sum(r[1] in counts for r in failed)
    # the clients kept working after the kill
    assert sum(r[0] == 'ok' and r[2] > killed for r in results) \
        >= CLIENTS, results
    print("kill: %d calls answered OK, %d unanswered, %d records"
        % (len(ok), len(failed), len(counts)))


def test_postgresql_restarted(stack):
    db, = stack.containers('db')
    started = stack.inspect(db, '{{.State.StartedAt}}')
    results, window = _load(stack, lambda: stack.compose('restart', 'db'),
        after=3)
    assert stack.inspect(db, '{{.State.StartedAt}}') != started
    # every call got an answer within the client's timeout (no hang): an
    # OK or an error; the records made are those answered OK or unknown
    assert all(r[3] - r[2] < 60 for r in results)
    stack.wait_healthy('db')
    proxy = stack.proxy()
    end = time.monotonic() + 120
    while True:
        try:
            ids = [proxy.model.party.party.create(
                    [{'name': 'docker-after-restart-%d' % i}], {})[0]
                for i in range(6)]
            break
        except (xmlrpc.client.Error, OSError):
            if time.monotonic() > end:
                raise
            time.sleep(1)
    assert len(set(ids)) == 6
    stored = proxy.model.party.party.search_count(
        [('name', 'like', 'docker-after-restart-%')], {})
    assert stored == 6


def _snapshot(stack, name=None):
    proxy = stack.proxy()
    context = proxy.model.res.user.get_preferences(True, {})
    counts = {model: getattr(proxy.model, model).search_count([], context)
        for model in ['production', 'stock.move', 'party.party',
            'production.material.return', 'ir.attachment', 'stock.lot']}
    workshop, = proxy.model.stock.location.search(
        [('code', '=', 'WS')], 0, None, None, context)
    stock = {p['code']: p['quantity']
        for p in proxy.model.product.product.search_read(
            [('code', 'like', 'RM-%')], 0, None, [('code', 'ASC')],
            ['code', 'quantity'], dict(context, locations=[workshop]))}
    costs = {p['number']: (p['cost'], p['returned_cost'])
        for p in proxy.model.production.search_read([], 0, None, None,
            ['number', 'cost', 'returned_cost'], context)}
    if name is None:
        return counts, stock, costs
    attachment, = proxy.model.ir.attachment.search_read(
        [('name', '=', name)], 0, None, None, ['data'],
        context)
    # bytes, or a Binary where trytond's decoders are registered
    data = getattr(attachment['data'], 'data', attachment['data'])
    return counts, stock, costs, bytes(data).decode()


def test_backup_drop_restore(stack, tmp_path):
    proxy = stack.proxy()
    company, = proxy.model.company.company.search([], 0, 1, None, {})
    name = 'docker-backup-%s.txt' % uuid.uuid4().hex[:8]
    proxy.model.ir.attachment.create([{'name': name,
                'resource': 'company.company,%s' % company,
                'data': '备份 — attachment in the file store'.encode()}],
        {})
    before = _snapshot(stack, name)
    assert before[3] == '备份 — attachment in the file store'
    path = str(tmp_path / 'zhizao.backup')
    result = stack.zhizao('backup', '--compose', path)
    assert result.returncode == 0, result.stderr
    # the database exists: a restore is refused, nothing touched
    result = stack.zhizao('restore', '--compose', path)
    assert result.returncode == 1
    assert 'exists' in result.stderr and '--force' in result.stderr
    db, = stack.containers('db')
    subprocess.run([docker.cli(), 'exec', db, 'dropdb', '-U', 'tryton',
            '--force', DATABASE], check=True)
    with pytest.raises(xmlrpc.client.Error):
        stack.proxy().model.res.user.get_preferences(True, {})
    result = stack.zhizao('restore', '--compose', path)
    assert result.returncode == 0, result.stderr
    stack.wait_healthy('nginx')
    stack.wait_healthy('app')
    assert _snapshot(stack, name) == before


def _served(stack, nginx, since):
    "The app container (address) that answered each request nginx logged"
    logs = subprocess.run([docker.cli(), 'logs', '--since', since, nginx],
        capture_output=True, text=True, check=True).stdout
    return [line.rsplit('upstream=', 1)[1].split(', ')[-1]
        for line in logs.splitlines()
        if ' /%s/rpc/ ' % DATABASE in line and '" 200 ' in line]


def test_scale_app_without_nginx_restart(stack):
    """A third app container gets its share of the calls as soon as it is
    healthy: nginx asks Docker's DNS for "app" (every 5 s), no restart or
    reload of nginx"""
    nginx, = stack.containers('nginx')
    started = stack.inspect(nginx, '{{.State.StartedAt}}')
    before = set(stack.containers('app'))
    stack.compose('up', '-d', '--no-build', '--no-deps', '--no-recreate',
        '--scale', 'app=3', 'app')
    new, = set(stack.containers('app')) - before
    stack.wait_healthy('app')
    address = '%s:8000' % stack.inspect(new,
        '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}')
    time.sleep(6)
    since = time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())
    proxy = stack.proxy()
    for _ in range(30):
        assert proxy.model.res.user.get_preferences(True, {})['language']
    served = _served(stack, nginx, since)
    assert len(served) == 30, served
    # each of the 3 answers about a third: 30 calls all missing the new
    # one is a chance of (2/3)^30 = 5e-6
    assert served.count(address) >= 1, (address, served)
    assert len(set(served)) == 3, served
    assert stack.inspect(nginx, '{{.State.StartedAt}}') == started
    print("scale 2 -> 3: the new container answered %d of 30 calls"
        % served.count(address))


UPGRADED = 'production_material_return'
UPGRADE_DOCKERFILE = """\
FROM zhizao-app:%(tag)s
USER root
COPY tryton.cfg material_return.py %(path)s/
RUN python -O -m compileall -q %(path)s
USER tryton
"""


def _upgraded_image(context):
    """The app image with a code change: the module's version raised and
    a new field on material returns, tagged as the image in use"""
    source = os.path.join(ROOT, 'addons', UPGRADED)
    with open(os.path.join(source, 'tryton.cfg')) as fp:
        cfg = fp.read().replace('version=8.0.0', 'version=8.0.1')
    with open(os.path.join(source, 'material_return.py')) as fp:
        code = fp.read().replace(
            "    __name__ = 'production.material.return'\n",
            "    __name__ = 'production.material.return'\n"
            "    upgrade_note = fields.Char(\"Upgrade note\")\n", 1)
    assert 'version=8.0.1' in cfg and 'upgrade_note' in code
    for name, text in [('tryton.cfg', cfg), ('material_return.py', code),
            ('Dockerfile', UPGRADE_DOCKERFILE % {'tag': TAG,
                    'path': '/opt/venv/lib/python3.11/site-packages/'
                    'trytond/modules/' + UPGRADED})]:
        with open(os.path.join(context, name), 'w') as fp:
            fp.write(text)
    subprocess.run([docker.cli(), 'build', '-q', '-t',
            'zhizao-app:%s' % TAG, context], check=True,
        env=dict(os.environ, DOCKER_BUILDKIT='1'))


def _answering(stack, timeout=180):
    "The first call through nginx answered after the app containers moved"
    end = time.monotonic() + timeout
    while True:
        try:
            return stack.proxy().model.res.user.get_preferences(True, {})
        except (xmlrpc.client.Error, OSError):
            if time.monotonic() > end:
                raise
            time.sleep(2)


def test_upgrade_on_existing_volumes(stack, tmp_path):
    """The README's upgrade: a rebuilt image started on the same volumes;
    init updates the modules (trytond-admin -u) before the app starts"""
    model = 'production.material.return'
    before = _snapshot(stack)
    old_init, = stack.containers('init')
    _upgraded_image(str(tmp_path))
    stack.compose('up', '-d', '--no-build', '--scale', 'app=2')
    init, = stack.containers('init')
    assert init != old_init
    assert stack.inspect(init, '{{.State.ExitCode}}') == '0'
    assert 'updating the modules of zhizao' in stack.logs('init')
    stack.wait_healthy('app')
    _answering(stack)
    module, = stack.proxy().model.ir.module.search_read(
        [('name', '=', UPGRADED)], 0, None, None, ['version', 'state'], {})
    assert (module['version'], module['state']) == ('8.0.1', 'activated')
    returns = getattr(stack.proxy().model, model)
    assert 'upgrade_note' in returns.fields_get(['upgrade_note'], {})
    # the column was added by the update: reading and writing it works
    records = returns.search_read([], 0, None, [('id', 'ASC')],
        ['upgrade_note'], {})
    assert records and all(r['upgrade_note'] is None for r in records)
    returns.write([records[0]['id']], {'upgrade_note': "升级后"}, {})
    assert returns.read([records[0]['id']], ['upgrade_note'], {})[0][
        'upgrade_note'] == "升级后"
    assert _snapshot(stack) == before
