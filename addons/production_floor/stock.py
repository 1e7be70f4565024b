# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Indexes for the stock of a few products at a location, the question of
every scan (products_by_location filtered by product): Tryton's indexes
put the product after the date, so PostgreSQL reads every move of the
location since the closed period and filters the products out"""
import datetime

from sql.conditionals import Coalesce

from trytond.model import Index
from trytond.pool import Pool, PoolMeta


class Move(metaclass=PoolMeta):
    __name__ = 'stock.move'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        date = Coalesce(t.effective_date, t.planned_date, datetime.date.max)
        cls._sql_indexes.update({
                Index(t, (t.company, Index.Equality()),
                    (location, Index.Equality()),
                    (t.product, Index.Equality()),
                    (date, Index.Range()))
                for location in [t.from_location, t.to_location]})


class Location(metaclass=PoolMeta):
    __name__ = 'stock.location'

    @classmethod
    def on_modification(cls, mode, locations, field_names=None):
        super().on_modification(mode, locations, field_names=field_names)
        Floor = Pool().get('production.floor')
        Floor._locations_cache.clear()
        Floor._cards_cache.clear()


class PeriodCacheLot(metaclass=PoolMeta):
    __name__ = 'stock.period.cache.lot'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t,
                (t.period, Index.Equality()),
                (t.location, Index.Equality()),
                (t.product, Index.Equality())))
