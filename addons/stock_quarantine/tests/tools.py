# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Test helpers shared by Zhizao's modules"""
import doctest

from trytond.tests import test_tryton


def load_doc_tests(name, path, loader, tests, pattern, skips=None):
    """Tryton's scenario loader without IGNORE_EXCEPTION_DETAIL: an
    expected error in a scenario must match its class and its message
    (``...`` still stands for any text)."""
    flags = doctest.IGNORE_EXCEPTION_DETAIL
    suite = test_tryton.load_doc_tests(
        name, path, loader, test_tryton.unittest.TestSuite(), pattern,
        skips=skips)
    for test in _flatten(suite):
        for example in test._dt_test.examples:
            example.options[flags] = False
        test._dt_optionflags &= ~flags
        tests.addTest(test)
    return tests


def _flatten(suite):
    for test in suite:
        if hasattr(test, '_dt_test'):
            yield test
        else:
            yield from _flatten(test)
