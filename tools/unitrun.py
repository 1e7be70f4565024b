# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Run the unittest suites (ModuleTestCase and scenario doctests) of modules.

    python -m tools.unitrun --json OUT MODULE [MODULE ...]

pytest ignores ``load_tests`` and so skips the scenarios; unittest runs them.

trytond finds a module among the installed packages' entry points each
time it resolves one of its classes by name (``trytond.tools.import_module``,
0.5 ms here): thousands of times per generic test of ModuleTestCase
(``isregisteredby``), 2 of the 2.2 s each of them took for
production_reporting (cProfile).  The packages do not change while the
suites run, so each module is looked up once (``cache_module_lookup``, the
module object itself is what Python keeps in sys.modules anyway).

Every activation (a test class, a scenario's modules) starts from a new
database with ir and res (``create_db``: 10 to 20 s, about 20 times per
backend and run).  With DB_CACHE that database is built once and copied
like any other cached database (``cache_base_database``: trytond's own
``backup_db_cache``/``restore_db_cache``, a template database on
PostgreSQL), one process at a time building it.

Installing the modules is most of the rest: about 30 distinct module sets
per backend and run (each test class and scenario names its own), 30 to
80 s each.  ``cache_module_sets`` keeps each set once activated (before
any scenario's set-up functions) and builds a new set from the largest
cached one it contains, activating only the modules missing, the way a
user adds a module to a live database (``ir.module`` activate and the
upgrade wizard; tools/modulesets.py).
"""
import argparse
import contextlib
import fcntl
import functools
import hashlib
import importlib.util
import json
import os
import sys
import tempfile
import time
import unittest

from tools import modulesets


def suite(modules):
    loader = unittest.TestLoader()
    tests = unittest.TestSuite()
    for module in modules:
        # the scenarios first: they mostly activate the module alone, the
        # test case the module with all its extras, which can then be
        # built from their databases (cache_module_sets)
        for name in ['test_scenario', 'test_module']:
            full = 'trytond.modules.%s.tests.%s' % (module, name)
            if importlib.util.find_spec(full):
                tests.addTests(loader.loadTestsFromName(full))
    return tests


def cache_module_lookup():
    from trytond import tools
    from trytond.tools import misc
    if not hasattr(misc.import_module, 'cache_info'):
        misc.import_module = tools.import_module = functools.cache(
            misc.import_module)


def cache_base_database():
    from trytond.tests import test_tryton
    if not test_tryton.DB_CACHE or hasattr(test_tryton.create_db, 'base'):
        return
    create_db = test_tryton.create_db

    def create_db_from_cache(name=None, lang='en'):
        name = name or test_tryton.DB_NAME
        if name != test_tryton.DB_NAME or test_tryton.db_exist(name):
            return create_db(name, lang)
        cache = 'zhizao-base--%s' % lang
        with _cache_lock():
            if test_tryton.restore_db_cache(cache):
                return
            create_db(name, lang)
            test_tryton.backup_db_cache(cache)
    create_db_from_cache.base = create_db
    test_tryton.create_db = create_db_from_cache


_tryton_activate_module = None


def cache_module_sets():
    from trytond.tests import test_tryton, tools
    if hasattr(test_tryton.activate_module, 'module_sets'):
        return
    if not test_tryton.DB_CACHE:
        return
    global _tryton_activate_module
    activate_module = _tryton_activate_module = test_tryton.activate_module

    def activate_module_from_sets(modules, lang='en'):
        if isinstance(modules, str):
            modules = [modules]
        if test_tryton.db_exist(test_tryton.DB_NAME):
            return activate_module(modules, lang)
        _restore_or_build(modules, lang)

    def activate_modules(modules, *setup):
        if isinstance(modules, str):
            modules = [modules]
        # the name trytond.tests.tools gives the database after set-up
        cache_name = '-'.join(sorted(modules))
        if setup_name := '|'.join(tools._func_name(f) for f in setup):
            cache_name += f'--{setup_name}'
        if test_tryton.restore_db_cache(cache_name):
            return tools._get_config()
        test_tryton.drop_db()
        _restore_or_build(modules, 'en')
        config = tools._get_config()
        for func in setup:
            func(config=config)
        test_tryton.backup_db_cache(cache_name)
        return config
    activate_module_from_sets.module_sets = True
    test_tryton.activate_module = activate_module_from_sets
    tools.activate_modules = activate_modules


def _restore_or_build(modules, lang):
    """Restore the database of the modules, else build it from the largest
    cached set it contains (or from the layers of modulesets.layers, built
    and cached on the way) and cache it; return its cache name"""
    from trytond.tests import test_tryton
    name = 'zhizao-modules--%s--%s' % ('-'.join(sorted(modules)), lang)
    with _cache_lock(name):
        if test_tryton.restore_db_cache(name):
            return name
        wanted = modulesets.closure(modules)
        base, done = _restore_base(wanted, lang)
        start = time.monotonic()
        # trytond's own: creates the database when no base was restored,
        # activates the modules missing
        _tryton_activate_module(modules, lang)
        test_tryton.backup_db_cache(name)
        print('module set %s: %d modules activated on %s in %.0f s' % (
                '-'.join(sorted(modules)), len(wanted - done),
                base or 'ir and res', time.monotonic() - start),
            file=sys.stderr)
        _write_index(name, sorted(wanted), lang)
    return name


def _restore_base(wanted, lang):
    """Restore the largest cached set within wanted, or the largest layer
    of wanted bigger than it; return its name and modules"""
    from trytond.tests import test_tryton
    candidates = {n: set(m) for n, (m, l) in _read_index().items()
        if l == lang}
    base = modulesets.best_base(candidates, wanted)
    for layer in reversed(modulesets.layers(wanted)):
        if len(layer) > len(candidates.get(base, ())):
            return _restore_or_build(sorted(layer), lang), layer
    while base and not test_tryton.restore_db_cache(base):
        del candidates[base]
        base = modulesets.best_base(candidates, wanted)
    return base, candidates.get(base, set())


def _index_path():
    if os.environ['DB_CACHE'].startswith('postgresql://'):
        # the cluster's template databases: one index per cluster
        key = os.environ.get('TRYTOND_DATABASE_URI', '')
        return os.path.join(tempfile.gettempdir(), 'zhizao-module-sets-%s.json'
            % hashlib.sha256(key.encode()).hexdigest()[:16])
    return os.path.join(os.environ['DB_CACHE'], 'zhizao-module-sets.json')


def _read_index():
    try:
        with open(_index_path()) as fp:
            return json.load(fp)
    except (OSError, ValueError):
        return {}


def _write_index(name, modules, lang):
    with _cache_lock('index'):
        index = _read_index()
        index[name] = [modules, lang]
        path = _index_path()
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path + '.tmp', 'w') as fp:
            json.dump(index, fp)
        os.replace(path + '.tmp', path)


@contextlib.contextmanager
def _cache_lock(name=''):
    """Held by one process of those sharing the cache (and cluster), per
    name"""
    key = '%s %s %s' % (os.environ.get('TRYTOND_DATABASE_URI'),
        os.path.abspath(os.environ['DB_CACHE']), name)
    path = os.path.join(tempfile.gettempdir(), 'zhizao-db-cache-%s.lock'
        % hashlib.sha256(key.encode()).hexdigest()[:16])
    with open(path, 'w') as fp:
        fcntl.flock(fp, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fp, fcntl.LOCK_UN)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--json')
    parser.add_argument('modules', nargs='+')
    args = parser.parse_args()
    cache_module_lookup()
    cache_base_database()
    cache_module_sets()
    start = time.monotonic()
    result = unittest.TextTestRunner(verbosity=1).run(suite(args.modules))
    counts = {
        'run': result.testsRun,
        'failed': len(result.failures) + len(result.errors)
        + len(result.unexpectedSuccesses),
        'skipped': len(result.skipped),
        'skipped_reasons': [r for _, r in result.skipped],
        'seconds': round(time.monotonic() - start, 1),
        }
    counts['passed'] = counts['run'] - counts['failed'] - counts['skipped']
    if args.json:
        with open(args.json, 'w') as fp:
            json.dump(counts, fp)
    sys.exit(0 if result.wasSuccessful() else 1)


if __name__ == '__main__':
    main()
