# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import fields
from trytond.model.exceptions import AccessError
from trytond.pool import Pool, PoolMeta
from trytond.i18n import gettext
from trytond.modules.stock_quarantine.locking import lock_written


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    subcontract_location = fields.Many2One(
        'stock.location', "Subcontract Location", readonly=True,
        ondelete='RESTRICT',
        domain=[('type', '=', 'storage')],
        help="Where the material sent to the subcontractor is held "
        "(under 委外仓, outside every warehouse).")

    @classmethod
    def copy(cls, parties, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('subcontract_location', None)
        return super().copy(parties, default=default)

    @classmethod
    def check_modification(cls, mode, parties, values=None, external=False):
        super().check_modification(
            mode, parties, values=values, external=external)
        if external and (
                'subcontract_location' in (values or {})
                or (mode == 'create'
                    and any(p.subcontract_location for p in parties))):
            raise AccessError(gettext(
                    'production_subcontract.msg_location_server_only',
                    party=parties[0].rec_name if parties else ''))

    @classmethod
    def get_subcontract_locations(cls, parties):
        """The location of each subcontractor, created under 委外仓 the
        first time"""
        lock_written(cls, [p for p in parties if not p.subcontract_location])
        parties = cls.browse(parties)
        missing = [p for p in parties if not p.subcontract_location]
        if missing:
            cls._create_subcontract_locations(missing)
        return {p: p.subcontract_location for p in parties}

    @classmethod
    def _create_subcontract_locations(cls, parties):
        pool = Pool()
        Location = pool.get('stock.location')
        ModelData = pool.get('ir.model.data')
        parent = ModelData.get_id(
            'production_subcontract', 'location_subcontract')
        locations = Location.create([{
                    'name': p.rec_name,
                    'code': p.code,
                    'type': 'storage',
                    'parent': parent,
                    } for p in parties])
        for party, location in zip(parties, locations):
            party.subcontract_location = location
        cls.save(parties)
