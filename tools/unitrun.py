# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Run the unittest suites (ModuleTestCase and scenario doctests) of modules.

    python -m tools.unitrun --json OUT MODULE [MODULE ...]

pytest ignores ``load_tests`` and so skips the scenarios; unittest runs them.
"""
import argparse
import importlib.util
import json
import sys
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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--json')
    parser.add_argument('modules', nargs='+')
    args = parser.parse_args()
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
