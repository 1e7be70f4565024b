# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import logging

from trytond.i18n import gettext
from trytond.model import ModelView
from trytond.pool import Pool, PoolMeta
from trytond.rpc import RPC
from trytond.transaction import Transaction

from .numbers import format_number

logger = logging.getLogger(__name__)


class Integrity(ModelView):
    """Stock Integrity Check

    Each module adds its invariants to ``_checks``: a check takes the ids of
    the companies to check and returns the broken invariants as texts in the
    language of the context.
    """
    __name__ = 'stock.integrity'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__rpc__.update({
                'problems': RPC(),
                })

    @classmethod
    def companies(cls):
        "The companies the user may check: all for root"
        pool = Pool()
        Company = pool.get('company.company')
        User = pool.get('res.user')
        transaction = Transaction()
        if transaction.user == 0:
            company = transaction.context.get('company')
            if company is not None:
                return [company]
            return [c.id for c in Company.search([])]
        return [c.id for c in User(transaction.user).companies]

    @classmethod
    def problems(cls):
        "Return the broken invariants of the user's companies as texts"
        pool = Pool()
        ModelAccess = pool.get('ir.model.access')
        # Tryton checks no model access on the RPC methods of a Model
        ModelAccess.check(cls.__name__, 'read')
        companies = cls.companies()
        result = []
        if not companies:
            return result
        with Transaction().set_context(_check_access=False):
            for check in cls._checks():
                result.extend(check(companies))
        return result

    @classmethod
    def _checks(cls):
        return [cls.check_quarantine_stock, cls.check_lot_stock]

    @classmethod
    def on_hand(cls, company, locations, grouping, with_childs=False):
        """The quantities the locations hold on the company's today: done
        moves only, not the planned ones (no stock_date_end would read the
        forecast, planned consumptions included)"""
        pool = Pool()
        Date = pool.get('ir.date')
        Product = pool.get('product.product')
        with Transaction().set_context(company=company):
            today = Date.today()
        with Transaction().set_context(
                company=company, stock_date_end=today, forecast=False):
            return Product.products_by_location(
                locations, with_childs=with_childs, grouping=grouping)

    @classmethod
    def ledger_problems(cls, company, ledger, locations, message):
        """The texts of the (location, product) keys where a ledger's balance
        differs from the stock the locations hold, or the stock is negative

        ``ledger`` maps (location id, product id) to the balance; ``message``
        is the id of a message taking location, product, balance, stock and
        unit."""
        pool = Pool()
        Location = pool.get('stock.location')
        Product = pool.get('product.product')
        stock = {k: q for k, q in cls.on_hand(
                company, locations, ('product',)).items() if q}
        result = []
        for key in sorted(set(ledger) | set(stock)):
            balance, held = ledger.get(key, 0), stock.get(key, 0)
            if abs(balance - held) < 1e-6 and held > -1e-6:
                continue
            location, product = Location(key[0]), Product(key[1])
            result.append(gettext(message,
                    location=location.rec_name, product=product.rec_name,
                    balance=format_number(balance), stock=format_number(held),
                    unit=product.default_uom.symbol))
        return result

    @classmethod
    def check_quarantine_stock(cls, companies):
        "No quarantine location holds a negative quantity"
        pool = Pool()
        Location = pool.get('stock.location')
        Product = pool.get('product.product')
        try:
            Lot = pool.get('stock.lot')
        except KeyError:
            Lot = None
        grouping = ('product', 'lot') if Lot else ('product',)
        locations = Location.quarantine_locations()
        if not locations:
            return []
        result = []
        for company in companies:
            quantities = cls.on_hand(company, locations, grouping)
            for key, quantity in sorted(
                    quantities.items(), key=lambda i: i[0]):
                location, product, lot = (key + (None,))[:3]
                if quantity >= 0 or Product(product).default_uom.round(
                        quantity) >= 0:
                    continue
                result.append(gettext(
                        'stock_quarantine.msg_integrity_quarantine_negative',
                        location=Location(location).rec_name,
                        product=Product(product).rec_name,
                        lot=Lot(lot).rec_name if lot else '-',
                        quantity=format_number(quantity)))
        return result

    @classmethod
    def check_lot_stock(cls, companies):
        "No lot is below zero in the storage tree of a warehouse"
        pool = Pool()
        Location = pool.get('stock.location')
        try:
            pool.get('stock.lot')
        except KeyError:
            return []
        warehouses = Location.search([('type', '=', 'warehouse')])
        result = []
        for company in companies:
            for warehouse in warehouses:
                result.extend(cls._negative_lots(company, warehouse))
        return result

    @classmethod
    def _negative_lots(cls, company, warehouse):
        "The texts of the lots below zero in the warehouse's storage tree"
        pool = Pool()
        Lot = pool.get('stock.lot')
        Product = pool.get('product.product')
        quantities = cls.on_hand(company, [warehouse.storage_location.id],
            ('product', 'lot'), with_childs=True)
        result = []
        for (_, product, lot), quantity in sorted(quantities.items(),
                key=lambda i: (i[0][1], i[0][2] or 0)):
            product = Product(product)
            if lot is None or product.default_uom.round(quantity) >= 0:
                continue
            result.append(gettext('stock_quarantine.msg_integrity_lot_negative',
                    warehouse=warehouse.rec_name, product=product.rec_name,
                    lot=Lot(lot).rec_name, quantity=format_number(quantity),
                    unit=product.default_uom.symbol))
        return result

    @classmethod
    def run(cls):
        "Log every broken invariant (scheduled action)"
        problems = cls.problems()
        for problem in problems:
            logger.error("integrity: %s", problem)
        return problems


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.append(
            ('stock.integrity|run', "Check Stock Integrity"))
