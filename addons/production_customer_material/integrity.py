# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction


class Integrity(metaclass=PoolMeta):
    __name__ = 'stock.integrity'

    @classmethod
    def _checks(cls):
        return super()._checks() + [cls.check_customer_material_balance]

    @classmethod
    def check_customer_material_balance(cls, companies):
        """The ledger of each customer and material is the stock at the
        customer's location, never negative"""
        pool = Pool()
        Ledger = pool.get('production.customer_material.ledger')
        Location = pool.get('stock.location')
        locations = [l.id for l in Location.search([
                    ('customer_material_party', '!=', None),
                    ])]
        result = []
        for company in companies:
            with Transaction().set_context(company=company):
                ledger = {(l.location.id, l.product.id): l.balance
                    for l in Ledger.search([])}
            result.extend(cls.ledger_problems(company, ledger, locations,
                    'production_customer_material.msg_integrity_balance'))
        return result
