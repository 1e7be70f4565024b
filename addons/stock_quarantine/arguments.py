# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The arguments of our RPC methods: checked before
anything is read, refused with a clear error that names the argument and
the value; the company is the user's own"""
import datetime
import math
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import Model
from trytond.pool import Pool
from trytond.transaction import Transaction

from .exceptions import ArgumentError, CompanyError

# Above this a quantity is a typing error, not a plan
MAX_QUANTITY = 1e9
MAX_IDS = 100000


def show(value):
    "The value as the user sent it, shortened"
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + '...'


def _is_id(value):
    return isinstance(value, int) and not isinstance(value, bool)


def record_id(argument, value):
    "Return the id of value (an id or a record)"
    if isinstance(value, Model) and _is_id(value.id):
        return value.id
    if not _is_id(value) or value < 0:
        raise ArgumentError(gettext('stock_quarantine.msg_argument_id',
                argument=argument, value=show(value)))
    return value


def record_ids(argument, value):
    "Return the list of ids of value (a list of ids or records)"
    if (not isinstance(value, (list, tuple))
            or len(value) > MAX_IDS):
        raise ArgumentError(gettext('stock_quarantine.msg_argument_ids',
                argument=argument, value=show(value)))
    ids = []
    for item in value:
        try:
            ids.append(record_id(argument, item))
        except ArgumentError:
            raise ArgumentError(gettext(
                    'stock_quarantine.msg_argument_ids',
                    argument=argument, value=show(item)))
    return ids


def quantity(argument, value):
    "Return value as a float: a finite number from 0 to MAX_QUANTITY"
    if (isinstance(value, (int, float, Decimal))
            and not isinstance(value, bool)):
        number = float(value)
        if math.isfinite(number) and 0 <= number <= MAX_QUANTITY:
            return number
    raise ArgumentError(gettext('stock_quarantine.msg_argument_quantity',
            argument=argument, value=show(value), maximum=MAX_QUANTITY))


def to_date(value):
    """Return value as a date: None, a date or an ISO date 'YYYY-MM-DD';
    raise ValueError otherwise"""
    if value is None or value == '':
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str) and len(value) == 10:
        return datetime.date.fromisoformat(value)
    raise ValueError(value)


def date(argument, value):
    "Return value as a date: None, a date or an ISO date 'YYYY-MM-DD'"
    try:
        return to_date(value)
    except ValueError:
        raise ArgumentError(gettext('stock_quarantine.msg_argument_date',
                argument=argument, value=show(value)))


def context_company(required=True):
    """Return the id of the company to work for: the context's company if
    it is one of the user's companies, else the user's current company

    A company in the context that is not the user's is refused; without a
    company a user (not root) is refused when required."""
    pool = Pool()
    User = pool.get('res.user')
    transaction = Transaction()
    company = transaction.context.get('company')
    if transaction.user == 0:
        if company is None:
            user = User(0)
            company = user.company.id if user.company else None
        return company
    user = User(transaction.user)
    if company is not None:
        if (not _is_id(company)
                or company not in {c.id for c in user.companies}):
            raise CompanyError(gettext(
                    'stock_quarantine.msg_context_company',
                    company=show(company), user=user.rec_name))
        return company
    # the stored company: res.user reads a context's company instead
    with transaction.reset_context():
        company = User(transaction.user).company
    if not company:
        if required:
            raise CompanyError(gettext(
                    'stock_quarantine.msg_no_company',
                    user=user.rec_name))
        return None
    return company.id


def check_companies(records, argument):
    """Refuse the records of a company that is not one of the user's
    (as unknown ids)"""
    pool = Pool()
    User = pool.get('res.user')
    transaction = Transaction()
    if transaction.user == 0:
        return
    companies = {c.id for c in User(transaction.user).companies}
    foreign = [r.id for r in records
        if not r.company or r.company.id not in companies]
    if foreign:
        raise unknown(records[0].__name__, argument, foreign)


def unknown(model, argument, ids):
    Model_ = Pool().get(model)
    return ArgumentError(gettext('stock_quarantine.msg_unknown_records',
            model=Model_.__names__()['model'], argument=argument,
            ids=', '.join(str(i) for i in sorted(set(ids)))))


def records(model, argument, ids, domain=None):
    """Return the records of ids (in order), refusing those that do not
    exist, do not match domain or are hidden by the caller's record rules"""
    pool = Pool()
    Model_ = pool.get(model)
    ids = record_ids(argument, ids)
    found = {}
    if ids:
        with Transaction().set_context(active_test=False):
            found = {r.id: r for r in Model_.search(
                    [('id', 'in', list(set(ids)))] + (domain or []),
                    order=[])}
    missing = [i for i in ids if i not in found]
    if missing:
        raise unknown(model, argument, missing)
    return [found[i] for i in ids]
