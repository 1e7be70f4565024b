# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A throwaway PostgreSQL 15 cluster on a free loopback port.

    with Cluster() as uri:   # postgresql://postgres@127.0.0.1:PORT/
        ...
"""
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time

BINDIR = os.environ.get('PG_BINDIR', '/usr/lib/postgresql/15/bin')


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class Cluster:

    def __init__(self, port=None, fsync=False):
        self.port = port or free_port()
        self.fsync = fsync
        self.dir = None

    @property
    def uri(self):
        return 'postgresql://postgres@127.0.0.1:%s/' % self.port

    def _run(self, *args, **kwargs):
        cmd = [os.path.join(BINDIR, args[0])] + list(args[1:])
        if os.getuid() == 0:
            cmd = ['runuser', '-u', 'postgres', '--'] + cmd
        return subprocess.run(
            cmd, check=True, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, **kwargs)

    def start(self):
        self.dir = tempfile.mkdtemp(prefix='zhizao-pg-')
        if os.getuid() == 0:
            pw = pwd.getpwnam('postgres')
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        data = os.path.join(self.dir, 'data')
        self._run('initdb', '-D', data, '-U', 'postgres', '-A', 'trust',
            '-E', 'UTF8', '--locale=C.UTF-8')
        options = ' '.join([
                '-p %s' % self.port,
                "-c listen_addresses=127.0.0.1",
                "-c unix_socket_directories=%s" % self.dir,
                '-c max_connections=200',
                '-c shared_buffers=256MB',
                '-c fsync=%s' % ('on' if self.fsync else 'off'),
                '-c synchronous_commit=%s' % ('on' if self.fsync else 'off'),
                '-c full_page_writes=%s' % ('on' if self.fsync else 'off'),
                ])
        self._run('pg_ctl', '-D', data, '-w', '-t', '60',
            '-l', os.path.join(self.dir, 'log'), '-o', options, 'start')
        self._wait()
        return self.uri

    def _wait(self, timeout=30):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                socket.create_connection(('127.0.0.1', self.port), 1).close()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("PostgreSQL did not start on %s" % self.port)

    def restart(self):
        data = os.path.join(self.dir, 'data')
        self._run('pg_ctl', '-D', data, '-w', '-m', 'fast', 'restart')
        self._wait()

    def stop(self):
        if not self.dir:
            return
        data = os.path.join(self.dir, 'data')
        try:
            self._run('pg_ctl', '-D', data, '-w', '-m', 'immediate', 'stop')
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
