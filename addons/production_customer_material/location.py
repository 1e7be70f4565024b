# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.model.exceptions import AccessError
from trytond.modules.stock_quarantine.locking import lock_written
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval


class Location(metaclass=PoolMeta):
    __name__ = 'stock.location'

    customer_material_party = fields.Many2One(
        'party.party', "Material Owner", readonly=True, ondelete='RESTRICT',
        help="The customer who owns the material held here (客供料).")

    @classmethod
    def copy(cls, locations, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('customer_material_party', None)
        return super().copy(locations, default=default)

    @classmethod
    def check_modification(
            cls, mode, locations, values=None, external=False):
        super().check_modification(
            mode, locations, values=values, external=external)
        if external and cls._customer_material_touched(
                mode, locations, values):
            raise AccessError(gettext(
                    'production_customer_material.msg_location_server_only',
                    location=locations[0].rec_name if locations else ''))

    @classmethod
    def _customer_material_touched(cls, mode, locations, values):
        "A client sets the owner or moves a customer's location"
        if mode == 'create':
            return any(l.customer_material_party for l in locations)
        return bool(values) and (
            'customer_material_party' in values
            or ('parent' in values
                and any(l.customer_material_party for l in locations)))


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    customer_material_location = fields.Function(fields.Many2One(
            'stock.location', "Customer Material Location",
            help="Where the material this customer supplies is held "
            "(under 客供料仓, outside every warehouse)."),
        'get_customer_material_location')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'create_customer_material_location': {
                    'invisible': Bool(Eval('customer_material_location')),
                    'depends': ['customer_material_location'],
                    },
                })

    @classmethod
    def get_customer_material_location(cls, parties, name):
        locations = cls._customer_material_locations(parties)
        return {p.id: locations[p.id] for p in parties}

    @classmethod
    def _customer_material_locations(cls, parties):
        "The id of each party's location, None if it has none yet"
        pool = Pool()
        Location = pool.get('stock.location')
        result = dict.fromkeys(map(int, parties))
        for location in Location.search([
                    ('customer_material_party', 'in', list(result)),
                    ]):
            result[location.customer_material_party.id] = location.id
        return result

    @classmethod
    @ModelView.button
    def create_customer_material_location(cls, parties):
        cls.customer_material_locations(parties)

    @classmethod
    def customer_material_locations(cls, parties):
        """The location of each customer, created under 客供料仓 the first
        time"""
        pool = Pool()
        Location = pool.get('stock.location')
        lock_written(cls, parties)
        locations = cls._customer_material_locations(parties)
        missing = [p for p in parties if not locations[p.id]]
        for party, location in zip(
                missing, cls._create_customer_material_locations(missing)):
            locations[party.id] = location.id
        return {p: Location(locations[p.id]) for p in parties}

    @classmethod
    def _create_customer_material_locations(cls, parties):
        pool = Pool()
        Location = pool.get('stock.location')
        ModelData = pool.get('ir.model.data')
        parent = ModelData.get_id(
            'production_customer_material', 'location_customer_material')
        return Location.create([{
                    'name': p.rec_name,
                    'code': p.code,
                    'type': 'storage',
                    'parent': parent,
                    'customer_material_party': p.id,
                    } for p in parties])
