# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.i18n import gettext
from trytond.modules.stock_quarantine.numbers import format_number
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
        result = []
        for company in companies:
            ledger, stock = cls._customer_material_ledger(company)
            for key in sorted(set(ledger) | set(stock)):
                balance, held = ledger.get(key, 0), stock.get(key, 0)
                if abs(balance - held) > 1e-6 or held < -1e-6:
                    result.append(cls._customer_material_problem(
                            key, balance, held))
        return result

    @classmethod
    def _customer_material_ledger(cls, company):
        pool = Pool()
        Ledger = pool.get('production.customer_material.ledger')
        Location = pool.get('stock.location')
        with Transaction().set_context(company=company):
            ledger = {(l.location.id, l.product.id): l.balance
                for l in Ledger.search([])}
        locations = [l.id for l in Location.search([
                    ('customer_material_party', '!=', None),
                    ])]
        stock = cls.on_hand(company, locations, ('product',))
        return ledger, {k: q for k, q in stock.items() if q}

    @classmethod
    def _customer_material_problem(cls, key, balance, held):
        pool = Pool()
        Location = pool.get('stock.location')
        Product = pool.get('product.product')
        location, product = Location(key[0]), Product(key[1])
        return gettext(
            'production_customer_material.msg_integrity_balance',
            location=location.rec_name, product=product.rec_name,
            balance=format_number(balance), stock=format_number(held),
            unit=product.default_uom.symbol)
