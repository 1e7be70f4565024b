# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Kitting, shortage and MRP: the material at a subcontractor serves only
that subcontractor's orders"""
from sql import Null
from sql.conditionals import Coalesce

from trytond.modules.production_kitting.stock import _in
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction


class Kitting(metaclass=PoolMeta):
    __name__ = 'production.kitting'

    @classmethod
    def demand_holders(cls, references):
        """The location of the subcontractor of a production (整单委外) or of
        the supplier of its outsourced routing (工序委外)"""
        holders = super().demand_holders(references)
        ids = cls.reference_ids(references, 'production')
        holders.update(cls._subcontract_holders(ids) if ids else {})
        return holders

    @classmethod
    def _subcontract_holders(cls, ids):
        "Return {'production,id': location of its subcontractor}"
        cursor = Transaction().connection.cursor()
        cursor.execute(*cls._subcontract_holders_query(ids))
        return {'production,%s' % i: l for i, l in cursor if i in ids}

    @classmethod
    def _subcontract_holders_query(cls, ids):
        "Return the query of (production, location of its subcontractor)"
        pool = Pool()
        Production = pool.get('production')
        Routing = pool.get('production.routing')
        Party = pool.get('party.party')
        production = Production.__table__()
        routing = Routing.__table__()
        party = Party.__table__()
        return production.join(routing, 'LEFT',
            condition=production.routing == routing.id
            ).join(party, condition=party.id == Coalesce(
                production.subcontractor, routing.supplier)
            ).select(production.id, party.subcontract_location,
            where=_in(production.id, ids)
            & (party.subcontract_location != Null))
