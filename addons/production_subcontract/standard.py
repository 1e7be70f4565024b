# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from collections import defaultdict

from trytond.model import ModelSQL, fields
from trytond.pool import Pool
from trytond.transaction import Transaction


class Standard(ModelSQL):
    "Subcontract Standard"
    __name__ = 'production.subcontract.standard'

    production = fields.Many2One(
        'production', "Production", required=True, ondelete='CASCADE')
    product = fields.Many2One(
        'product.product', "Product", required=True, ondelete='CASCADE')
    quantity = fields.Float(
        "Quantity", required=True,
        help="The BOM quantity without loss of the finished goods received, "
        "in the default unit of the product (委外标准用量).")
    received = fields.Float(
        "Received", required=True,
        help="The finished goods received it is for, in the unit of the "
        "order.")

    @classmethod
    def store(cls, productions):
        """Store the standard of what each order received so far (at each
        委外入库), replacing the one stored before"""
        pool = Pool()
        Production = pool.get('production')
        received = Production.get_subcontract_received(productions, None)
        cls.delete(cls.search(
                [('production', 'in', [p.id for p in productions])]))
        cls.create([{
                    'production': p.id, 'product': product.id,
                    'quantity': quantity, 'received': received[p.id],
                    } for p in productions
                for product, quantity in p.subcontract_standard(
                    received[p.id]).items()])

    @classmethod
    def quantities(cls, productions, received):
        """{production id: {product id: quantity}} of what each order
        received: the stored standard, else (orders received before it was
        stored, or since) computed from the BOM"""
        stored, marks = cls._stored([p.id for p in productions])
        result = {}
        for production in productions:
            quantity = received[production.id]
            if not quantity or marks.get(production.id) == quantity:
                result[production.id] = stored[production.id]
            else:
                result[production.id] = {p.id: q for p, q in
                    production.subcontract_standard(quantity).items()}
        return result

    @classmethod
    def _stored(cls, ids):
        "The stored quantities and the received quantity they are for"
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        stored, marks = defaultdict(dict), {}
        cursor.execute(*table.select(
                table.production, table.product, table.quantity,
                table.received,
                where=fields.SQL_OPERATORS['in'](table.production, ids)))
        for production, product, quantity, received in cursor:
            stored[production][product] = quantity
            marks[production] = received
        return stored, marks
