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


def suite(modules):
    loader = unittest.TestLoader()
    tests = unittest.TestSuite()
    for module in modules:
        for name in ['test_module', 'test_scenario']:
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


@contextlib.contextmanager
def _cache_lock():
    "Held by one process of those sharing the cache (and cluster)"
    key = '%s %s' % (os.environ.get('TRYTOND_DATABASE_URI'),
        os.path.abspath(os.environ['DB_CACHE']))
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
