# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Zhizao's containers (``./zhizao docker``): docker/Dockerfile and
docker/compose.yaml on this machine.

    ./zhizao docker build            the three images (app, db, proxy)
    ./zhizao docker compose ARGS     docker compose (Compose v2) or
                                     docker-compose (v1) -f
                                     docker/compose.yaml -p zhizao ARGS
                                     (ZHIZAO_PROJECT; ZHIZAO_COMPOSE
                                     chooses: "docker compose" or
                                     "docker-compose")

``build`` first makes sure the tools are there: Debian's docker.io,
docker-compose and debootstrap (apt) when missing, dockerd started when not
running, and a ``debian:bookworm-slim`` base built with debootstrap from
the Debian mirror apt uses when it is not in the local images (no image
registry needed).  The images are built with BuildKit; the host's CA
bundle goes to pip as a build secret (sites behind an inspecting proxy).
"""
import functools
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COMPOSE_FILE = os.path.join(ROOT, 'docker', 'compose.yaml')
BASE = 'debian:bookworm-slim'
CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt'
TARGETS = {'app': 'zhizao-app', 'db': 'zhizao-db', 'proxy': 'zhizao-proxy'}


def cli():
    """Debian's CLI: it speaks to Debian's daemon and builds with BuildKit
    without the buildx plugin (a docker of a later release earlier on the
    PATH refuses to build without it).  Looked up at each call: the
    set-up installs docker.io after this module is imported"""
    return '/usr/bin/docker' if os.path.exists('/usr/bin/docker') \
        else 'docker'


DEBIAN_SOURCES = """\
Types: deb
URIs: {mirror}
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: {security}
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
"""


def log(message):
    print('\033[1;34m[docker]\033[0m %s' % message, file=sys.stderr,
        flush=True)


def tag():
    return os.environ.get('ZHIZAO_TAG', '8.0')


def ensure_packages():
    missing = [package for package, path in [
            ('docker.io', '/usr/sbin/dockerd'),
            ('docker-compose', '/usr/bin/docker-compose'),
            ('debootstrap', '/usr/sbin/debootstrap')]
        if not os.path.exists(path)]
    if missing:
        log("installing Debian packages: %s" % ' '.join(missing))
        sudo = [] if os.geteuid() == 0 else ['sudo']
        subprocess.run(sudo + ['apt-get', 'update', '-qq'], check=True)
        subprocess.run(sudo + ['apt-get', 'install', '-y', '-qq',
                '--no-install-recommends'] + missing, check=True,
            env=dict(os.environ, DEBIAN_FRONTEND='noninteractive'))


def daemon_running():
    return subprocess.run([cli(), 'info'], stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL).returncode == 0


def ensure_daemon(timeout=60):
    if daemon_running():
        return
    log("starting dockerd (log in /var/log/zhizao-dockerd.log)")
    with open('/var/log/zhizao-dockerd.log', 'ab') as out:
        subprocess.Popen(['/usr/sbin/dockerd'], stdout=out,
            stderr=subprocess.STDOUT, start_new_session=True)
    end = time.monotonic() + timeout
    while not daemon_running():
        if time.monotonic() > end:
            raise SystemExit("dockerd did not start: see "
                "/var/log/zhizao-dockerd.log")
        time.sleep(1)


def image_exists(name):
    return subprocess.run([cli(), 'image', 'inspect', name],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        ).returncode == 0


def apt_mirrors():
    "The Debian mirror and security mirror apt uses on this machine"
    text = ''
    for path in ['/etc/apt/sources.list'] + [
            os.path.join('/etc/apt/sources.list.d', name)
            for name in sorted(os.listdir('/etc/apt/sources.list.d'))]:
        if os.path.isfile(path):
            with open(path) as fp:
                text += fp.read() + '\n'
    uris = re.findall(r'(?:URIs:|deb)\s+(https?://\S+)', text)
    mirror = next((u for u in uris if re.search(r'/debian/?$', u)),
        'http://deb.debian.org/debian')
    security = next((u for u in uris if 'security' in u),
        'http://deb.debian.org/debian-security')
    return mirror, security


def ensure_base():
    if image_exists(BASE):
        return
    mirror, security = apt_mirrors()
    log("no %s image: building it with debootstrap from %s"
        % (BASE, mirror))
    rootfs = tempfile.mkdtemp(prefix='zhizao-rootfs-')
    try:
        subprocess.run(['debootstrap', '--variant=minbase', 'bookworm',
                rootfs, mirror], check=True, stdout=subprocess.DEVNULL)
        os.remove(os.path.join(rootfs, 'etc', 'apt', 'sources.list'))
        with open(os.path.join(rootfs, 'etc', 'apt', 'sources.list.d',
                    'debian.sources'), 'w') as fp:
            fp.write(DEBIAN_SOURCES.format(
                    mirror=mirror, security=security))
        archives = os.path.join(rootfs, 'var', 'cache', 'apt', 'archives')
        for name in os.listdir(archives):
            if name.endswith('.deb'):
                os.remove(os.path.join(archives, name))
        tar = subprocess.Popen(['tar', '-C', rootfs, '-c', '.'],
            stdout=subprocess.PIPE)
        subprocess.run([cli(), 'import', '-', BASE], stdin=tar.stdout,
            check=True, stdout=subprocess.DEVNULL)
        if tar.wait():
            raise SystemExit("tar of the debootstrap root failed")
    finally:
        shutil.rmtree(rootfs, ignore_errors=True)


def ensure():
    ensure_packages()
    ensure_daemon()
    ensure_base()


def build(targets=None, tag_=None):
    ensure()
    sao = os.path.join(ROOT, 'var', 'sao', 'index.html')
    if not os.path.exists(sao):
        raise SystemExit("var/sao is missing: run ./zhizao setup (the "
            "image serves the web client it installs)")
    env = dict(os.environ, DOCKER_BUILDKIT='1')
    for target in targets or TARGETS:
        name = '%s:%s' % (TARGETS[target], tag_ or tag())
        log("building %s" % name)
        command = [cli(), 'build', '--progress=plain', '-f',
            os.path.join(ROOT, 'docker', 'Dockerfile'),
            '--target', target, '-t', name]
        if os.path.exists(CA_BUNDLE):
            command += ['--secret', 'id=ca,src=%s' % CA_BUNDLE]
        subprocess.run(command + [ROOT], check=True, env=env)


def project():
    "The compose project name of ./zhizao docker compose and backups"
    return os.environ.get('ZHIZAO_PROJECT', 'zhizao')


@functools.lru_cache(maxsize=None)
def compose_program():
    """Compose v2 (the `docker compose` plugin) when the docker CLI has
    it, else v1's docker-compose (Debian bookworm packages only v1)"""
    chosen = os.environ.get('ZHIZAO_COMPOSE')
    if chosen:
        return tuple(chosen.split())
    v2 = subprocess.run([cli(), 'compose', 'version'],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return (cli(), 'compose') if v2.returncode == 0 else ('docker-compose',)


def compose_command(project=None):
    command = list(compose_program()) + ['-f', COMPOSE_FILE]
    if project:
        command += ['-p', project]
    return command


def compose(*args, project=None, check=True, **kwargs):
    return subprocess.run(compose_command(project) + list(args),
        check=check, **kwargs)


def main(argv):
    if not argv or argv[0] not in {'build', 'compose'}:
        print(__doc__.split('\n\n')[1])
        return 2
    if argv[0] == 'build':
        build(argv[1:] or None)
    else:
        ensure_daemon()
        return compose(*argv[1:], check=False, project=project()).returncode
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
