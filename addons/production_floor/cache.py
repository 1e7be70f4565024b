# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""What clears the caches of a scan (floor.py) when the records they keep
change: in this transaction at once, in the other processes through
Tryton's cache channel when it commits (stock.Location clears the
locations' caches)"""
from trytond.pool import Pool, PoolMeta


class ClearFloorCaches:
    "Clear the floor's caches named in _floor_caches on any change"
    __slots__ = ()
    _floor_caches = ('_cards_cache',)

    @classmethod
    def on_modification(cls, mode, records, field_names=None):
        super().on_modification(mode, records, field_names=field_names)
        Floor = Pool().get('production.floor')
        for name in cls._floor_caches:
            getattr(Floor, name).clear()


class User(ClearFloorCaches, metaclass=PoolMeta):
    __name__ = 'res.user'
    _floor_caches = ('_user_cache',)


class UserCompany(ClearFloorCaches, metaclass=PoolMeta):
    __name__ = 'res.user-company.company'
    _floor_caches = ('_user_cache',)


class Company(ClearFloorCaches, metaclass=PoolMeta):
    __name__ = 'company.company'
    _floor_caches = ('_user_cache', '_timezone_cache')


class Product(ClearFloorCaches, metaclass=PoolMeta):
    __name__ = 'product.product'


class Template(ClearFloorCaches, metaclass=PoolMeta):
    __name__ = 'product.template'


class Uom(ClearFloorCaches, metaclass=PoolMeta):
    __name__ = 'product.uom'


class Translation(ClearFloorCaches, metaclass=PoolMeta):
    __name__ = 'ir.translation'
