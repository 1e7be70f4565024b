# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, If
from trytond.transaction import Transaction


class ProductSupplierPrice(metaclass=PoolMeta):
    __name__ = 'purchase.product_supplier.price'

    start_date = fields.Date(
        "Start Date",
        domain=[
            If(Eval('start_date') & Eval('end_date'),
                ('start_date', '<=', Eval('end_date')),
                ()),
            ],
        help="The first day the price applies (委外价格资料: the processing "
        "price of a subcontractor from this day).")
    end_date = fields.Date(
        "End Date",
        domain=[
            If(Eval('start_date') & Eval('end_date'),
                ('end_date', '>=', Eval('start_date')),
                ()),
            ],
        help="The last day the price applies.")

    def match(self, quantity, unit, pattern):
        if not self.match_date(self._price_date()):
            return False
        return super().match(quantity, unit, pattern)

    @classmethod
    def _price_date(cls):
        "The day of the purchase the price is for (today by default)"
        pool = Pool()
        Date = pool.get('ir.date')
        return Transaction().context.get('purchase_date') or Date.today()

    def match_date(self, date):
        return ((not self.start_date or self.start_date <= date)
            and (not self.end_date or date <= self.end_date))
