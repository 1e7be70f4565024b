# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The whole test command (``./zhizao test``).

1. lint (ruff) over our code;
2. every module's ModuleTestCase and scenario doctests on SQLite;
3. the same on PostgreSQL 15 (a throwaway cluster on a free loopback port);
4. the repository tests (tests/: cross-module, RPC, browser, concurrency,
   the demo command) with pytest, PostgreSQL available to them;
5. the containers (tests/test_docker.py: docker/ built and run with
   docker-compose), its own pytest process started first beside all the
   others (it waits on image builds and containers most of the time;
   output in test-artifacts/docker.log).
``--quick`` runs 1 and 2 only (a few minutes, no PostgreSQL).

Phases 2 to 4 share the machine's cores (``-j``, at least 2): the
repository tests are one process that mostly waits on its servers, so it
starts first and holds one slot while the module suites, the longest first,
take the others (then all of them once pytest is done); its output is kept
in test-artifacts/pytest.log and printed when it ends.

It ends with one line ``N passed, N failed`` and exits non-zero on any
failure.  A test that is skipped is reported and counts as a failure:
nothing may silently not run.
"""
import argparse
import glob
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET

from tools import modules as our_modules
from tools.pgcluster import Cluster

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PYTHON = sys.executable
LINT_PATHS = ['addons', 'tests', 'tools', 'data', 'bench', 'setup.py']
# seconds each suite took last time here, to start the longest first
DURATIONS = os.path.join(ROOT, 'var', 'cache', 'suite-seconds.json')
PYTEST_LOG = os.path.join(ROOT, 'test-artifacts', 'pytest.log')
DOCKER_LOG = os.path.join(ROOT, 'test-artifacts', 'docker.log')
DOCKER_TESTS = 'tests/test_docker.py'
REPO_LABEL = 'repository tests (pytest)'
DOCKER_LABEL = 'containers (tests/test_docker.py)'


def log(message):
    print('\033[1;34m[test]\033[0m %s' % message, flush=True)


def modules():
    "Our modules that have tests, in dependency order"
    return [name for name in our_modules.ordered()
        if glob.glob(os.path.join(
                our_modules.ADDONS, name, 'tests', 'test_*.py'))]


def cache_key():
    digest = hashlib.sha256()
    for path in sorted(glob.glob(
                os.path.join(ROOT, 'addons', '**', '*'), recursive=True)):
        if path.endswith(('.xml', '.cfg', '.py', '.po')) \
                and '__pycache__' not in path:
            digest.update(path.encode())
            with open(path, 'rb') as fp:
                digest.update(fp.read())
    return digest.hexdigest()[:16]


class Totals:

    def __init__(self):
        self.passed = self.failed = 0
        self.lines = []
        self.lock = threading.Lock()

    def add(self, name, passed, failed, skipped=0, seconds=0, note=''):
        with self.lock:
            self._add(name, passed, failed, skipped, seconds, note)

    def _add(self, name, passed, failed, skipped, seconds, note):
        self.passed += passed
        self.failed += failed + skipped
        status = 'ok' if not (failed or skipped) else 'FAILED'
        self.lines.append('%-48s %4d passed %3d failed %3d skipped %6.1fs %s'
            % (name, passed, failed, skipped, seconds, status + note))


def run_lint(totals):
    start = time.monotonic()
    paths = [p for p in LINT_PATHS if os.path.exists(os.path.join(ROOT, p))]
    code = subprocess.call(
        [os.path.join(os.path.dirname(PYTHON), 'ruff'), 'check'] + paths,
        cwd=ROOT)
    totals.add('lint (ruff)', int(code == 0), int(code != 0),
        seconds=time.monotonic() - start)


def run_module(backend, env, name):
    "Run one module's suites in a subprocess; return its counts"
    out = tempfile.mktemp(suffix='.json')
    logfile = tempfile.mktemp(suffix='.log')
    start = time.monotonic()
    with open(logfile, 'w') as fp:
        subprocess.call(
            [PYTHON, '-m', 'tools.unitrun', '--json', out, name],
            cwd=ROOT, env=env, stdout=fp, stderr=subprocess.STDOUT)
    seconds = time.monotonic() - start
    with open(logfile) as fp:
        output = fp.read()
    os.remove(logfile)
    counts = None
    if os.path.exists(out):
        with open(out) as fp:
            counts = json.load(fp)
        os.remove(out)
    return backend, name, counts, seconds, output


def report_module(totals, backend, name, counts, seconds, output):
    label = '%s %s' % (backend, name)
    if counts is None:
        print(output)
        totals.add(label, 0, 1, seconds=seconds,
            note=' (the suite crashed)')
        return
    if counts['failed'] or counts['skipped']:
        print(output)
    log('%s: %d passed, %d failed, %d skipped (%.0fs)' % (
            label, counts['passed'], counts['failed'],
            counts['skipped'], seconds))
    totals.add(label, counts['passed'], counts['failed'],
        counts['skipped'], seconds)


def expected_seconds(backend, name, last):
    """How long a suite should take: its time of the last run here, else
    a guess from its scenarios (each activates its modules anew) and
    PostgreSQL's slower activations"""
    if '%s %s' % (backend, name) in last:
        return last['%s %s' % (backend, name)]
    scenarios = glob.glob(os.path.join(
            our_modules.ADDONS, name, 'tests', 'scenario_*.rst'))
    return (1 + len(scenarios)) * (60 if backend == 'postgresql' else 30)


def load_durations():
    try:
        with open(DURATIONS) as fp:
            return json.load(fp)
    except (OSError, ValueError):
        return {}


def save_durations(durations):
    last = load_durations()
    last.update(durations)
    os.makedirs(os.path.dirname(DURATIONS), exist_ok=True)
    with open(DURATIONS, 'w') as fp:
        json.dump(last, fp, indent=1, sort_keys=True)


def run_all(totals, jobs, parallel, repo=None):
    """Run the (backend, env, module) jobs, the longest first, and
    ``repo()`` (the repository tests) beside them: ``parallel`` processes
    at a time, the repository tests holding one slot from the start"""
    last = load_durations()
    queue = sorted(jobs, key=lambda job: -expected_seconds(
            job[0], job[2], last))
    slots = threading.Semaphore(parallel)
    lock = threading.Lock()
    durations = {}

    def modules_worker():
        while True:
            with slots:
                with lock:
                    if not queue:
                        return
                    job = queue.pop(0)
                backend, name, counts, seconds, output = run_module(*job)
            if counts is not None:
                durations['%s %s' % (backend, name)] = round(seconds)
            report_module(totals, backend, name, counts, seconds, output)

    def repo_worker():
        try:
            repo()
        finally:
            slots.release()

    threads = []
    if repo:
        slots.acquire()
        threads.append(threading.Thread(target=repo_worker))
    threads.extend(threading.Thread(target=modules_worker)
        for _ in range(min(parallel, len(queue))))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if durations:
        save_durations(durations)


def module_env(**extra):
    env = os.environ.copy()
    env['PYTHONPATH'] = ROOT
    env.pop('DB_CACHE', None)
    env.update(extra)
    return env


def run_pytest(totals, env, args, logfile=None, paths=('tests',),
        label=REPO_LABEL):
    """The repository tests; their output goes to ``logfile`` (printed
    when they end) when they run beside the module suites"""
    xml = tempfile.mktemp(suffix='.xml')
    start = time.monotonic()
    command = [PYTHON, '-m', 'pytest', '-rfEs', '--durations=20',
        '--junitxml', xml] + list(paths) + args
    if logfile:
        os.makedirs(os.path.dirname(logfile), exist_ok=True)
        log('%s started beside the others: output in %s'
            % (label, os.path.relpath(logfile, ROOT)))
        with open(logfile, 'w') as fp:
            subprocess.call(command, cwd=ROOT, env=env, stdout=fp,
                stderr=subprocess.STDOUT)
        with open(logfile) as fp:
            print(fp.read(), flush=True)
    else:
        subprocess.call(command, cwd=ROOT, env=env)
    seconds = time.monotonic() - start
    if not os.path.exists(xml):
        totals.add(label, 0, 1, seconds=seconds, note=' (pytest crashed)')
        return
    suite = ET.parse(xml).getroot()
    if suite.tag == 'testsuites':
        suite = suite[0]
    tests = int(suite.get('tests', 0))
    failed = int(suite.get('failures', 0)) + int(suite.get('errors', 0))
    skipped = int(suite.get('skipped', 0))
    os.remove(xml)
    log('%s: %d passed, %d failed, %d skipped (%.0fs)' % (
            label, tests - failed - skipped, failed, skipped, seconds))
    totals.add(label, tests - failed - skipped, failed, skipped, seconds)


def start_docker(totals, args):
    "The containers' tests in a thread of their own, beside everything"
    thread = threading.Thread(target=run_pytest, args=(
            totals, module_env(), args, DOCKER_LOG, [DOCKER_TESTS],
            DOCKER_LABEL))
    thread.start()
    return thread


def main():
    parser = argparse.ArgumentParser(prog='./zhizao test')
    parser.add_argument('--only',
        default='lint,sqlite,postgresql,repo,docker',
        help="comma-separated phases among lint, sqlite, postgresql, "
            "repo, docker")
    parser.add_argument('--quick', action='store_true',
        help="lint and the module suites on SQLite only (a few minutes): "
            "no PostgreSQL, no repository tests")
    parser.add_argument('-m', '--module', action='append',
        help="restrict the module suites to these modules")
    parser.add_argument('-k', help="pytest -k expression for repo tests")
    parser.add_argument('-j', '--jobs', type=int,
        default=max(2, os.cpu_count() or 2) + 1,
        help="test processes at once (module suites and the repository "
            "tests; by default one per core beside the repository tests, "
            "which wait on their servers and browser much of the time)")
    args = parser.parse_args()
    phases = set(args.only.split(','))
    unknown = phases - {'lint', 'sqlite', 'postgresql', 'repo', 'docker'}
    if unknown:
        parser.error("unknown phase %s" % ', '.join(sorted(unknown)))
    if args.quick:
        if args.k:
            parser.error("-k selects repository tests, which --quick "
                "does not run")
        phases &= {'lint', 'sqlite'}
        if not phases:
            parser.error("--quick runs only lint and sqlite: nothing left "
                "of --only %s" % args.only)
    names = args.module or modules()
    totals = Totals()
    start = time.monotonic()
    key = cache_key()
    cluster = docker = None
    try:
        if 'docker' in phases:
            docker = start_docker(totals, ['-k', args.k] if args.k else [])
        if 'lint' in phases:
            run_lint(totals)
        jobs = []
        if 'sqlite' in phases:
            env = module_env(
                TRYTOND_DATABASE_URI='sqlite://', DB_NAME=':memory:',
                DB_CACHE=os.path.join(ROOT, 'var', 'cache', 'sqlite-' + key))
            jobs.extend(('sqlite', env, name) for name in names)
        if phases & {'postgresql', 'repo'}:
            log('starting a throwaway PostgreSQL 15 cluster')
            cluster = Cluster()
            uri = cluster.start()
            log('PostgreSQL at %s' % uri)
        if 'postgresql' in phases:
            for name in names:
                env = module_env(
                    TRYTOND_DATABASE_URI=uri, DB_NAME='test_' + name,
                    DB_CACHE='postgresql://')
                jobs.append(('postgresql', env, name))
        repo = None
        if 'repo' in phases:
            env = module_env(ZHIZAO_PG_URI=uri)
            pytest_args = ['--ignore', DOCKER_TESTS] + (
                ['-k', args.k] if args.k else [])
            if jobs:
                def repo():
                    run_pytest(totals, env, pytest_args, PYTEST_LOG)
            else:
                def repo():
                    run_pytest(totals, env, pytest_args)
        run_all(totals, jobs, args.jobs, repo)
        if docker:
            docker.join()
    finally:
        if cluster:
            cluster.stop()
    print()
    print('\n'.join(totals.lines))
    print('total time %.0fs' % (time.monotonic() - start))
    print('%d passed, %d failed' % (totals.passed, totals.failed))
    sys.exit(1 if totals.failed or not totals.passed else 0)


if __name__ == '__main__':
    main()
