# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction


class Integrity(metaclass=PoolMeta):
    __name__ = 'stock.integrity'

    @classmethod
    def _checks(cls):
        return super()._checks() + [
            cls.check_subcontract_balance,
            ]

    @classmethod
    def check_subcontract_balance(cls, companies):
        """The ledger of each subcontractor and material is the stock at its
        location, never negative"""
        pool = Pool()
        Balance = pool.get('production.subcontract.balance')
        Party = pool.get('party.party')
        locations = [p.subcontract_location.id for p in Party.search([
                    ('subcontract_location', '!=', None),
                    ])]
        result = []
        for company in companies:
            with Transaction().set_context(company=company):
                ledger = {(b.location.id, b.product.id): b.balance
                    for b in Balance.search([])}
            result.extend(cls.ledger_problems(company, ledger, locations,
                    'production_subcontract.msg_integrity_balance'))
        return result
