# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.i18n import gettext
from trytond.model import ModelView, Workflow
from trytond.pool import Pool, PoolMeta

from .exceptions import SaleShortageWarning


class Sale(metaclass=PoolMeta):
    __name__ = 'sale.sale'

    @classmethod
    @ModelView.button
    @Workflow.transition('quotation')
    def quote(cls, sales):
        cls.check_kitting(sales)
        super().quote(sales)

    @classmethod
    @ModelView.button
    @Workflow.transition('confirmed')
    def confirm(cls, sales):
        cls.check_kitting(sales)
        super().confirm(sales)

    @classmethod
    def check_kitting(cls, sales):
        "Warn when a line cannot be promised by its date"
        pool = Pool()
        Kitting = pool.get('production.kitting')
        Warning = pool.get('res.user.warning')
        Lang = pool.get('ir.lang')
        Product = pool.get('product.product')
        SaleLine = pool.get('sale.line')
        sales = [s for s in sales if s.warehouse]
        if not sales:
            return
        lang = Lang.get()
        for line_id, values in Kitting.sale_atp(sales).items():
            if not values['short']:
                continue
            line = SaleLine(line_id)
            warning_name = Warning.format('kitting_short', [line])
            if Warning.check(warning_name):
                unit = line.product.default_uom

                def number(value, unit=unit):
                    return lang.format_number(value, unit.digits)
                limiting = ', '.join(
                    '%s (%s %s)' % (product.rec_name,
                        number(l['quantity'], product.default_uom),
                        product.default_uom.symbol)
                    for l in values['limiting']
                    for product in [Product(l['product'])])
                raise SaleShortageWarning(warning_name, gettext(
                        'production_kitting.msg_sale_line_short',
                        sale=line.sale.rec_name,
                        product=line.product.rec_name,
                        quantity=number(values['quantity']),
                        promised=number(
                            values['from_stock']
                            + values['from_production']),
                        stock=number(values['from_stock']),
                        production=number(values['from_production']),
                        short=number(values['short']),
                        unit=unit.symbol,
                        date=lang.strftime(values['date']),
                        limiting=limiting or '-'))
