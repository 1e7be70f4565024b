# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, Id

from .exceptions import QuarantineError


class Location(metaclass=PoolMeta):
    __name__ = 'stock.location'
    quarantine = fields.Boolean(
        "Quarantine",
        states={
            'invisible': Eval('type') != 'storage',
            },
        help="Stock in this location is held back: "
        "it is not free for sales, production or kitting.")
    quarantine_location = fields.Many2One(
        'stock.location', "Quarantine",
        states={
            'invisible': Eval('type') != 'warehouse',
            },
        domain=[
            ('type', '=', 'storage'),
            ('quarantine', '=', True),
            ('parent', 'child_of', [Eval('id', -1)]),
            ],
        help="Where rejected or suspect material of this warehouse is "
        "isolated.")

    @classmethod
    def default_quarantine(cls):
        return False

    @classmethod
    def quarantine_locations(cls):
        "Return the ids of all quarantine locations and their children"
        locations = cls.search([('quarantine', '=', True)])
        return [l.id for l in cls.search([
                    ('parent', 'child_of', [l.id for l in locations]),
                    ])] if locations else []

    def get_quarantine_location(self, document=None):
        """Return the quarantine location of the warehouse of the location;
        when document needs one and there is none, raise QuarantineError"""
        pool = Pool()
        Location = pool.get('stock.location')
        warehouse = self if self.type == 'warehouse' else self.warehouse
        location = None
        if warehouse:
            location = Location(warehouse.id).quarantine_location
        if not location and document is not None:
            raise QuarantineError(gettext(
                    'stock_quarantine.msg_no_quarantine_location',
                    document=document.rec_name,
                    location=self.rec_name,
                    warehouse=warehouse.rec_name if warehouse else '-'))
        return location


def in_group(module, fs_id):
    "PYSON: the user of the client is in the group (for button states)"
    return Id(module, fs_id).in_(Eval('context', {}).get('groups', []))


def _storekeeper():
    "PYSON: the user of the client is a storekeeper (rights.xml)"
    return in_group('stock_quarantine', 'group_storekeeper')


def _storekeeper_buttons(cls, names):
    "Offer the buttons to the role that may click them (rights.xml)"
    for name in names:
        states = cls._buttons[name] = dict(cls._buttons[name])
        states['invisible'] = states.get('invisible', False) | ~_storekeeper()


class Move(metaclass=PoolMeta):
    __name__ = 'stock.move'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        _storekeeper_buttons(cls, ['do', 'cancel'])


class ShipmentIn(metaclass=PoolMeta):
    __name__ = 'stock.shipment.in'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        _storekeeper_buttons(cls, ['receive', 'do'])
