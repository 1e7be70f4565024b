# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The user's own employee: the steps of our documents record who did them
(company's ``set_employee``) and check the separation of duties with the
employee of the user, never with an ``employee`` key that a client put in
the context"""
import contextlib
import functools

from trytond.transaction import Transaction


@contextlib.contextmanager
def own_context():
    "The transaction's context without the client's employee key"
    transaction = Transaction()
    context = transaction.context.copy()
    context.pop('employee', None)
    with transaction.reset_context(), transaction.set_context(context):
        yield


def own_employee(func):
    "Run the class method func(cls, records, …) in own_context()"
    @functools.wraps(func)
    def wrapper(cls, records, *args, **kwargs):
        with own_context():
            return func(cls, records, *args, **kwargs)
    return wrapper
