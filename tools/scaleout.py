# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Zhizao scaled out on one machine, as README "Scaling out" describes.

    server = Server('zz', modules, uri=pg_uri,
        config_file='config/trytond-multiprocess.conf')
    server.build()
    with ScaleOut(server, hosts=2, workers=2) as cluster:
        cluster.jsonrpc('admin', 'admin')        # through nginx
        cluster.hosts[0].url                     # one app host directly

Each "host" is a gunicorn master with W workers serving
``trytond.application:app`` (stateless WSGI processes, the database preloaded
with TRYTOND_DATABASE_NAMES); Debian's nginx proxies to all of them
(round robin); one ``trytond-cron`` and one ``trytond-worker`` run beside
them; everything shares one PostgreSQL.  Only the trytond configuration
file, the environment and the command lines of the README are used.
"""
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

from .server import BIN, JSONRPC, free_port

NGINX = os.environ.get('NGINX', '/usr/sbin/nginx')

NGINX_CONF = """\
worker_processes 2;
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log warn;
daemon off;
events {{
    worker_connections 1024;
}}
http {{
    access_log {dir}/nginx-access.log;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    client_max_body_size 50m;
    upstream trytond {{
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            # no keep-alive to the hosts: a request to a dead host fails
            # to connect and goes to the next one (a POST already sent is
            # never sent twice)
            proxy_pass http://trytond;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_read_timeout 300s;
        }}
    }}
}}
"""


class Host:
    "One application host: a gunicorn master and its workers"

    def __init__(self, port, process):
        self.port = port
        self.process = process

    @property
    def url(self):
        return 'http://127.0.0.1:%s' % self.port


class ScaleOut:

    def __init__(self, server, hosts=2, workers=2, cron=True, worker=True):
        self.server = server
        self.nhosts = hosts
        self.nworkers = workers
        self.with_cron = cron
        self.with_worker = worker
        self.dir = os.path.join(server.workdir, 'scaleout')
        self.hosts = []
        self.others = {}
        self.port = None

    def env(self):
        env = self.server.env()
        env['TRYTOND_CONFIG'] = os.path.abspath(self.server.config_file)
        env['TRYTOND_DATABASE_NAMES'] = self.server.database
        return env

    def _spawn(self, name, args, env=None):
        log = open(os.path.join(self.dir, name + '.log'), 'ab')
        return subprocess.Popen(args, env=env or self.env(), stdout=log,
            stderr=subprocess.STDOUT, cwd=self.dir, start_new_session=True)

    def start(self, timeout=90):
        os.makedirs(self.dir, exist_ok=True)
        config = os.path.abspath(self.server.config_file)
        database = self.server.database
        for i in range(self.nhosts):
            port = free_port()
            process = self._spawn('gunicorn-%s' % i, [
                    os.path.join(BIN, 'gunicorn'),
                    '-w', str(self.nworkers),
                    '-b', '127.0.0.1:%s' % port,
                    '--timeout', '300',
                    '--graceful-timeout', '5',
                    'trytond.application:app'])
            self.hosts.append(Host(port, process))
        if self.with_cron:
            self.start_cron()
        if self.with_worker:
            self.others['worker'] = self._spawn('worker', [
                    os.path.join(BIN, 'trytond-worker'), '-c', config,
                    '-d', database, '-n', '1', '-v'])
        self.port = free_port()
        conf = os.path.join(self.dir, 'nginx.conf')
        with open(conf, 'w') as fp:
            fp.write(NGINX_CONF.format(
                    dir=self.dir, port=self.port,
                    servers='\n'.join(
                        '        server 127.0.0.1:%s;' % h.port
                        for h in self.hosts)))
        self.others['nginx'] = self._spawn('nginx',
            [NGINX, '-p', self.dir, '-c', conf], env=os.environ.copy())
        end = time.monotonic() + timeout
        for url in [h.url for h in self.hosts] + [self.url]:
            self._wait(url, end)
        return self

    def start_cron(self):
        "trytond-cron: runs the due tasks at once, then every minute"
        self.others['cron'] = self._spawn('cron', [
                os.path.join(BIN, 'trytond-cron'),
                '-c', os.path.abspath(self.server.config_file),
                '-d', self.server.database, '-n', '1', '-v'])

    def kill_host(self, index):
        "SIGKILL one application host, its master and its workers"
        host = self.hosts[index]
        os.killpg(host.process.pid, signal.SIGKILL)
        host.process.wait()
        # until its workers are gone the kernel still accepts connections
        end = time.monotonic() + 10
        while time.monotonic() < end:
            try:
                socket.create_connection(('127.0.0.1', host.port), 1).close()
            except OSError:
                return
            time.sleep(0.05)
        raise RuntimeError("host %s still accepts connections" % index)

    def _wait(self, url, end):
        while time.monotonic() < end:
            for name, process in self.processes():
                if process.poll() is not None:
                    raise RuntimeError("%s exited (%s): see %s" % (
                            name, process.returncode, self.dir))
            try:
                urllib.request.urlopen(url + '/', timeout=5).close()
                return
            except urllib.error.HTTPError:
                return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("%s did not answer: see %s" % (url, self.dir))

    def processes(self):
        for i, host in enumerate(self.hosts):
            yield 'gunicorn-%s' % i, host.process
        yield from self.others.items()

    def alive(self):
        return {name: process.poll() is None
            for name, process in self.processes()}

    def stop(self):
        for _, process in self.processes():
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for _, process in self.processes():
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.hosts = []
        self.others = {}

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def url(self):
        return 'http://127.0.0.1:%s' % self.port

    @property
    def database(self):
        return self.server.database

    def jsonrpc(self, login='admin', password='admin', url=None):
        "A JSON-RPC session through nginx (or one host with url)"
        return JSONRPC(url or self.url, self.server.database, login, password)
