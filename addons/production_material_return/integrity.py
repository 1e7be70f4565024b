# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.i18n import gettext
from trytond.pool import Pool, PoolMeta

from .material_return import COUNTED, format_number


class Integrity(metaclass=PoolMeta):
    __name__ = 'stock.integrity'

    @classmethod
    def _checks(cls):
        return super()._checks() + [
            cls.check_material_returned,
            cls.check_material_return_moves,
            ]

    @classmethod
    def check_material_returned(cls, companies):
        "Returned ≤ issued per production, product and lot"
        pool = Pool()
        Line = pool.get('production.material.return.line')
        Product = pool.get('product.product')
        Return = pool.get('production.material.return')
        returns = Return.search([
                ('company', 'in', companies),
                ('state', 'in', COUNTED),
                ])
        productions = {r.production for r in returns}
        quantities = Line.returnable_quantities(productions)
        result = []
        for key, (issued, returned) in sorted(quantities.items(),
                key=lambda i: (i[0][0], i[0][1], i[0][2] or 0)):
            product = Product(key[1])
            if product.default_uom.round(issued - returned) < 0:
                result.append(cls._material_returned_problem(
                        key, issued, returned))
        return result

    @classmethod
    def _material_returned_problem(cls, key, issued, returned):
        pool = Pool()
        Lot = pool.get('stock.lot')
        Product = pool.get('product.product')
        Production = pool.get('production')
        production, product, lot = key
        product = Product(product)
        return gettext(
            'production_material_return.msg_integrity_returned',
            production=Production(production).rec_name,
            product=product.rec_name,
            lot=Lot(lot).rec_name if lot else '-',
            returned=format_number(returned),
            issued=format_number(issued),
            unit=product.default_uom.symbol)

    @classmethod
    def check_material_return_moves(cls, companies):
        """Every line of a done return has done moves from the order's
        location that add up to its quantity"""
        pool = Pool()
        Return = pool.get('production.material.return')
        result = []
        for return_ in Return.search([
                    ('company', 'in', companies),
                    ('state', '=', 'done'),
                    ]):
            for line in return_.lines:
                quantity = cls._material_return_moved(line)
                if line.unit.round(quantity - line.quantity) == 0:
                    continue
                result.append(gettext(
                        'production_material_return.msg_integrity_moves',
                        material_return=return_.rec_name,
                        product=line.product.rec_name,
                        quantity=format_number(line.quantity),
                        moved=format_number(quantity),
                        unit=line.unit.symbol))
        return result

    @classmethod
    def _material_return_moved(cls, line):
        "The quantity of the done moves of the line in the line's unit"
        pool = Pool()
        Uom = pool.get('product.uom')
        location = line.material_return.production.location
        return sum(
            Uom.compute_qty(m.unit, m.quantity, line.unit, round=False)
            for m in line.moves
            if m.state == 'done' and m.from_location == location
            and m.product == line.product and m.lot == line.lot)
