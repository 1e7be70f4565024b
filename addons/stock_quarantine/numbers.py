# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Numbers as our users read them in messages and summaries"""
from trytond.i18n import gettext


def format_number(value):
    "A quantity at full precision, without trailing zeros"
    text = '%.6f' % value
    return text.rstrip('0').rstrip('.') if '.' in text else text


def format_quantity(unit, quantity):
    "Format quantity with the digits of the unit, without trailing zeros"
    text = '%.*f' % (unit.digits if unit else 2, quantity)
    if '.' in text:
        text = text.rstrip('0').rstrip('.')
    return text


def format_month(date):
    "The month of date as a month: 2026-11 (2026年11月), not 2026-11-01"
    if date:
        return gettext('stock_quarantine.msg_month',
            year=date.year, month=date.month)
