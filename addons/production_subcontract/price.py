# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from decimal import Decimal

from trytond.model import ModelView, fields
from trytond.modules.product import price_digits
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, If
from trytond.transaction import Transaction
from trytond.wizard import Button, StateView, Wizard


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


class ProductSupplier(metaclass=PoolMeta):
    __name__ = 'purchase.product_supplier'

    @classmethod
    def compare_prices(cls, product, quantity, date):
        """Each supplier's processing price of product for quantity (in its
        default unit) on date, in the company currency, cheapest first:
        the price a purchase of that day would get (委外比价)"""
        pool = Pool()
        Price = pool.get('purchase.product_supplier.price')
        rows, seen = [], set()
        with Transaction().set_context(purchase_date=date):
            for product_supplier in product.product_suppliers_used():
                if product_supplier.party in seen:
                    continue  # the first one of a supplier prices it
                seen.add(product_supplier.party)
                matching = [p for p in product_supplier.prices
                    if p.match(quantity, product.default_uom,
                        Price.get_pattern())]
                if matching:
                    rows.append(product_supplier._compare_row(
                            product, quantity, matching[-1]))
        return sorted(rows, key=lambda r: (
                r['unit_price'], r['supplier_name'], r['product_supplier']))

    def _compare_row(self, product, quantity, price):
        "The price a purchase from the supplier gets, as Tryton computes it"
        pool = Pool()
        Company = pool.get('company.company')
        Product = pool.get('product.product')
        company = Company(Transaction().context['company'])
        with Transaction().set_context(
                supplier=self.party.id, product_supplier=self.id,
                currency=company.currency.id, uom=product.default_uom.id):
            unit_price = Product.get_purchase_price(
                [product], quantity)[product.id]
        return {
            'supplier': self.party.id,
            'supplier_name': self.party.rec_name,
            'product_supplier': self.id,
            'unit_price': unit_price,
            'amount': company.currency.round(
                unit_price * Decimal(str(quantity))),
            'break_quantity': price.quantity,
            'start_date': price.start_date,
            'end_date': price.end_date,
            }


class PriceCompareStart(ModelView):
    "Subcontract Price Comparison"
    __name__ = 'production.subcontract.price.compare.start'

    product = fields.Many2One(
        'product.product', "Service", required=True,
        domain=[('purchasable', '=', True)],
        help="The processing service to compare (its price per unit).")
    quantity = fields.Float(
        "Quantity", required=True, domain=[('quantity', '>', 0)],
        help="The quantity to buy, in the service's unit.")
    date = fields.Date("Date", required=True)
    lines = fields.One2Many(
        'production.subcontract.price.compare.line', None, "Prices",
        readonly=True)

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def default_quantity(cls):
        return 1

    @fields.depends('product', 'quantity', 'date', 'lines')
    def on_change_with_lines(self):
        pool = Pool()
        ProductSupplier = pool.get('purchase.product_supplier')
        if not (self.product and self.quantity and self.quantity > 0
                and self.date):
            return []
        rows = ProductSupplier.compare_prices(
            self.product, self.quantity, self.date)
        for rank, row in enumerate(rows, 1):
            row['rank'] = rank
            del row['supplier_name']
        return rows


class PriceCompareLine(ModelView):
    "Subcontract Price Comparison Line"
    __name__ = 'production.subcontract.price.compare.line'

    rank = fields.Integer("Rank", help="1 for the cheapest supplier.")
    supplier = fields.Many2One('party.party', "Supplier")
    product_supplier = fields.Many2One(
        'purchase.product_supplier', "Supplier's Product")
    unit_price = fields.Numeric(
        "Unit Price", digits=price_digits,
        help="In the company currency, as a purchase of the date gets it.")
    amount = fields.Numeric("Amount", digits=(16, 2))
    break_quantity = fields.Float(
        "From Quantity", help="The quantity break of the price.")
    start_date = fields.Date("Start Date")
    end_date = fields.Date("End Date")


class PriceCompare(Wizard):
    "Subcontract Price Comparison"
    __name__ = 'production.subcontract.price.compare'

    start = StateView(
        'production.subcontract.price.compare.start',
        'production_subcontract.price_compare_start_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def default_start(self, fields):
        "The product the wizard is opened from, if any"
        model = self.model.__name__ if self.model else None
        if model == 'product.product' and self.record:
            return {'product': self.record.id}
        if (model == 'product.template' and self.record
                and len(self.record.products) == 1):
            return {'product': self.record.products[0].id}
        return {}
