# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Kitting, shortage and MRP: a customer's own material (客供料) serves only
that customer's orders"""
from sql import Cast, Null
from sql.operators import Concat

from trytond.modules.production_kitting.stock import _in
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction


class Kitting(metaclass=PoolMeta):
    __name__ = 'production.kitting'

    @classmethod
    def demand_holders(cls, references):
        """The location of the customer of the sale a sale line or a
        production (made for a sale line) serves"""
        holders = super().demand_holders(references)
        for model in ['sale.line', 'production']:
            ids = cls.reference_ids(references, model)
            if ids:
                holders.update(cls._customer_material_holders(model, ids))
        return holders

    @classmethod
    def _customer_material_holders(cls, model, ids):
        "Return {'model,id': location} of the ids of model"
        cursor = Transaction().connection.cursor()
        cursor.execute(*cls._customer_material_query(model, ids))
        return {'%s,%s' % (model, i): l for i, l in cursor if i in ids}

    @classmethod
    def _customer_material_query(cls, model, ids):
        """Return the query of (id, location of the customer) of the sale
        lines or the productions of ids"""
        pool = Pool()
        Location = pool.get('stock.location')
        Sale = pool.get('sale.sale')
        Line = pool.get('sale.line')
        location = Location.__table__()
        sale = Sale.__table__()
        line = Line.__table__()
        query = line.join(sale, condition=line.sale == sale.id
            ).join(location,
            condition=location.customer_material_party == sale.party)
        if model == 'sale.line':
            return query.select(line.id, location.id,
                where=_in(line.id, ids))
        return cls._production_query(query, line, location, ids)

    @classmethod
    def _production_query(cls, query, line, location, ids):
        "The productions of ids made for the sale lines of query"
        Production = Pool().get('production')
        production = Production.__table__()
        varchar = Transaction().database.sql_type('VARCHAR').base
        return query.join(production, condition=production.origin == Concat(
                'sale.line,', Cast(line.id, varchar))
            ).select(production.id, location.id,
            where=_in(production.id, ids) & (production.origin != Null))
