# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.i18n import gettext
from trytond.modules.stock_quarantine.numbers import format_number
from trytond.pool import Pool, PoolMeta


class Integrity(metaclass=PoolMeta):
    __name__ = 'stock.integrity'

    @classmethod
    def _checks(cls):
        return super()._checks() + [
            cls.check_picking_moves,
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
