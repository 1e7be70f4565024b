# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The context of the reports: the company is one of the user's and every
filter is checked before a query is built, refused with a clear error that
names the key and the value"""

from trytond.i18n import gettext
from trytond.modules.stock_quarantine.arguments import show, to_date
from trytond.pool import Pool
from trytond.transaction import Transaction

from .exceptions import ContextError

# filters by record id
ID_KEYS = ('warehouse', 'workshop', 'product', 'customer', 'category')
# whole numbers and their bounds
NUMBER_KEYS = {'days': (0, 36500), 'weeks': (0, 5200)}


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def context_date():
    "Return the date of the context (a date or 'YYYY-MM-DD') or None"
    value = Transaction().context.get('date')
    try:
        return to_date(value)
    except ValueError:
        raise ContextError(gettext('production_reporting.msg_context_date',
                key='date', value=show(value)))


def check_filters():
    "Refuse the filters of the context that are not what they should be"
    context = Transaction().context
    for key in ID_KEYS:
        check_id(key, context.get(key))
    for key, (minimum, maximum) in NUMBER_KEYS.items():
        check_number(key, context.get(key), minimum, maximum)
    context_date()


def check_id(key, value):
    "Refuse a value of the filter key that is not the id of a record"
    if value is not None and (not _is_int(value) or value < 0):
        raise ContextError(gettext('production_reporting.msg_context_id',
                key=key, value=show(value)))


def check_number(key, value, minimum, maximum):
    "Refuse a value of the key that is not a whole number within the bounds"
    if value is not None and (
            not _is_int(value) or not minimum <= value <= maximum):
        raise ContextError(gettext('production_reporting.msg_context_number',
                key=key, value=show(value), minimum=minimum, maximum=maximum))


def company_id():
    """Return the id of the company of the reports: the context's if it is
    one of the user's (refused otherwise), else the user's current company
    (None without)

    The filters of the context are checked too."""
    pool = Pool()
    User = pool.get('res.user')
    transaction = Transaction()
    check_filters()
    company = transaction.context.get('company')
    if transaction.user == 0:
        return company
    if company is not None:
        check_company(User(transaction.user), company)
        return company
    return stored_company()


def check_company(user, company):
    "Refuse a company of the context that is not one of the user's"
    if (not _is_int(company)
            or company not in {c.id for c in user.companies}):
        raise ContextError(gettext('production_reporting.msg_context_company',
                company=show(company), user=user.rec_name))


def stored_company():
    """Return the id of the user's stored company (None without): res.user
    reads a context's company instead"""
    pool = Pool()
    User = pool.get('res.user')
    transaction = Transaction()
    with transaction.reset_context():
        company = User(transaction.user).company
    return company.id if company else None
