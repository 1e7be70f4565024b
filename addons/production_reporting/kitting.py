# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from sql import Literal, Null
from sql.aggregate import Count, Sum
from sql.conditionals import Case, Coalesce

from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

from .production import OPEN_STATES

KITTING_STATUSES = [
    (None, ""),
    ('ready', "Ready"),
    ('short', "Short"),
    ]


def kitting_analyses():
    """Query of the last kitting analysis of each production: its number of
    lines and of components short (a shortage covered by a substitute in
    stock does not stop the kitting)"""
    pool = Pool()
    Shortage = pool.get('production.kitting.shortage')
    shortage = Shortage.__table__()
    short = (shortage.short > 0) & (
        Coalesce(shortage.action, '') != 'substitute')
    return shortage.select(
        shortage.production.as_('production'),
        Count(shortage.id).as_('lines'),
        Sum(Case((short, Literal(1)), else_=Literal(0))).as_('short'),
        group_by=[shortage.production])


class Tracking(metaclass=PoolMeta):
    __name__ = 'production.reporting.tracking'

    kitting_status = fields.Selection(
        KITTING_STATUSES, "Kitting Status",
        help="As of the last kitting analysis of the open order: ready when "
        "the free stock and the receipts planned before its start cover "
        "the components still to issue, else short.")

    @classmethod
    def _figures(cls):
        return super()._figures() + ['kitting_status']

    @classmethod
    def _joins(cls):
        from_item, tables = super()._joins()
        tables['kitting'] = kitting = kitting_analyses()
        from_item = from_item.join(kitting, 'LEFT',
            condition=kitting.production == tables['production'].id)
        return from_item, tables

    @classmethod
    def _columns(cls, tables):
        return super()._columns(tables) + [
            cls._kitting_status(tables).as_('kitting_status')]

    @classmethod
    def _kitting_status(cls, tables):
        "The status of the open order as of its last kitting analysis"
        production = tables['production']
        kitting = tables['kitting']
        return Case(
            (~production.state.in_(OPEN_STATES), Null),
            (kitting.short > 0, Literal('short')),
            (kitting.production != Null, Literal('ready')),
            else_=Null)


class ProductionWarning(metaclass=PoolMeta):
    __name__ = 'production.reporting.warning'

    @classmethod
    def _not_kitted_query(cls):
        """Query of the orders due in 7 days that are not kitted: short as of
        their last kitting analysis, or never analysed and not reserved"""
        pool = Pool()
        Production = pool.get('production')
        production = Production.__table__()
        kitting = kitting_analyses()
        from_item = production.join(kitting, 'LEFT',
            condition=kitting.production == production.id)
        where = (cls._due(production)
            & ((kitting.production == Null) | (kitting.short > 0)))
        return from_item, production, where

    @classmethod
    def _counts(cls):
        for kind, from_item, where in super()._counts():
            if kind == 'not_kitted':
                from_item, _, where = cls._not_kitted_query()
            yield kind, from_item, where

    @classmethod
    def _domain(cls, kind):
        if kind == 'not_kitted':
            return [('id', 'in', cls._not_kitted_ids())]
        return super()._domain(kind)

    @classmethod
    def _not_kitted_ids(cls):
        "The ids of the orders due in 7 days that are not kitted"
        from_item, production, where = cls._not_kitted_query()
        cursor = Transaction().connection.cursor()
        cursor.execute(*from_item.select(production.id, where=where))
        return [i for i, in cursor]
