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
        return super()._checks() + [
            cls.check_picking_moves,
            cls.check_lot_stock,
            ]

    @classmethod
    def check_picking_moves(cls, companies):
        """Every line of a done picking issued exactly its quantity, product
        and lot to its order by one done move"""
        pool = Pool()
        Picking = pool.get('production.picking')
        result = []
        for picking in Picking.search([
                    ('company', 'in', companies),
                    ('state', '=', 'done'),
                    ]):
            for line in picking.lines:
                move = line.move
                if (move and move.state == 'done'
                        and move.production_input == line.production
                        and move.product == line.product
                        and move.lot == line.lot
                        and move.unit == line.unit
                        and line.unit.round(
                            move.quantity - line.quantity) == 0):
                    continue
                result.append(gettext(
                        'production_picking.msg_integrity_picking_move',
                        picking=picking.rec_name,
                        production=line.production.rec_name,
                        product=line.product.rec_name,
                        quantity=format_number(line.quantity),
                        unit=line.unit.symbol))
        return result

    @classmethod
    def check_lot_stock(cls, companies):
        "No lot is below zero in the storage tree of a warehouse"
        pool = Pool()
        Location = pool.get('stock.location')
        Lot = pool.get('stock.lot')
        Product = pool.get('product.product')
        warehouses = Location.search([('type', '=', 'warehouse')])
        result = []
        for company in companies:
            for warehouse in warehouses:
                with Transaction().set_context(company=company,
                        stock_date_end=None, forecast=False):
                    quantities = Product.products_by_location(
                        [warehouse.storage_location.id], with_childs=True,
                        grouping=('product', 'lot'))
                for (_, product, lot), quantity in sorted(
                        quantities.items(),
                        key=lambda i: (i[0][1], i[0][2] or 0)):
                    if lot is None or quantity >= 0:
                        continue
                    product = Product(product)
                    if product.default_uom.round(quantity) >= 0:
                        continue
                    result.append(gettext(
                            'production_picking.msg_integrity_lot_negative',
                            warehouse=warehouse.rec_name,
                            product=product.rec_name,
                            lot=Lot(lot).rec_name,
                            quantity=format_number(quantity),
                            unit=product.default_uom.symbol))
        return result
