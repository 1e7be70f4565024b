# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Kitting, shortage and MRP: the material at a subcontractor serves only
that subcontractor's orders; what a subcontracted order still needs is
demand"""
from collections import defaultdict

from sql import Null
from sql.aggregate import Sum
from sql.conditionals import Case

from trytond.modules.production_kitting.stock import _in
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction, without_check_access

EPSILON = 1e-9
# the orders whose inputs are gone (Production.wait) and that still need
SUBCONTRACT_OPEN = ['waiting', 'assigned', 'running']
# the column of an open move in _subcontract_moved by its state
OPEN_COLUMN = {'draft': 1, 'assigned': 2}


class Kitting(metaclass=PoolMeta):
    __name__ = 'production.kitting'

    @classmethod
    def demand_holders(cls, references):
        """The location of the supplier of a production's outsourced routing
        (工序委外); none for 整单委外: production_needs nets its balance"""
        holders = super().demand_holders(references)
        ids = cls.reference_ids(references, 'production')
        holders.update(cls._subcontract_holders(ids) if ids else {})
        return holders

    @classmethod
    def _subcontract_holders(cls, ids):
        "Return {'production,id': location of its subcontractor}"
        cursor = Transaction().connection.cursor()
        cursor.execute(*cls._subcontract_holders_query(ids))
        return {'production,%s' % i: l for i, l in cursor if i in ids}

    @classmethod
    def _subcontract_holders_query(cls, ids):
        "Return the query of (production, location of its routing's supplier)"
        pool = Pool()
        Production = pool.get('production')
        Routing = pool.get('production.routing')
        Party = pool.get('party.party')
        production = Production.__table__()
        routing = Routing.__table__()
        party = Party.__table__()
        return production.join(routing, 'LEFT',
            condition=production.routing == routing.id
            ).join(party, condition=party.id == routing.supplier
            ).select(production.id, party.subcontract_location,
            where=_in(production.id, ids)
            & (production.subcontractor == Null)
            & (party.subcontract_location != Null))

    @classmethod
    def production_needs(cls, productions):
        "What the subcontracted orders (整单委外) still have to send"
        orders = cls._subcontract_open(productions)
        return super().production_needs(productions) | (
            cls._subcontract_to_send(orders))

    @classmethod
    def _subcontract_open(cls, productions):
        "The subcontracted orders with a BOM, waiting to running"
        return [p for p in productions if p.subcontractor and p.bom
            and p.state in SUBCONTRACT_OPEN]

    @classmethod
    def _subcontract_to_send(cls, orders):
        "Return {order id: {product id: (required, reserved, unplanned)}}"
        moved = cls._subcontract_moved({o.id for o in orders})
        return {o.id: cls._subcontract_order_needs(o, moved[o.id])
            for o in orders}

    @classmethod
    def _subcontract_order_needs(cls, order, moved):
        "The BOM with the allowed loss for the order less what was sent"
        needs = {p.id: q
            for p, q in order.subcontract_needs(order.quantity).items()}
        return {p: n for p in needs.keys() | moved.keys()
            if (n := cls._subcontract_need(needs.get(p, 0), *moved[p]))}

    @staticmethod
    def _subcontract_need(need, sent, draft, assigned):
        """Return (required, reserved, unplanned) of a material: at least
        what is on open sends; unplanned on no open move (MRP's demand)"""
        required = round(max(need - sent, draft + assigned), 6)
        if required > EPSILON:
            return required, assigned, round(required - draft - assigned, 6)

    @classmethod
    def _subcontract_moved(cls, ids):
        "Return {order: {product: [sent, draft, assigned]}} of the orders"
        moved = defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))
        for order, product, column, quantity in cls._subcontract_moves(ids):
            moved[order][product][column] += quantity
        return moved

    @classmethod
    def _subcontract_moves(cls, ids):
        "Return [(order, product, column, quantity)] of _subcontract_moved"
        if not ids:
            return []
        return cls._subcontract_sent(ids) + cls._subcontract_sending(ids)

    @classmethod
    def _subcontract_sent(cls, ids):
        "Return [(order, product, 0, quantity)] sent, done, net of returns"
        cursor = Transaction().connection.cursor()
        cursor.execute(*cls._subcontract_sent_query(ids))
        return [(o, p, 0, q or 0) for o, p, q in cursor if o in ids]

    @classmethod
    def _subcontract_sent_query(cls, ids):
        """The query of the quantities sent and supplemented to the orders
        less returned and lost, done, per order and product"""
        move = Pool().get('stock.move').__table__()
        back = move.subcontract_kind.in_(['return', 'loss'])
        sent = move.subcontract_kind.in_(['send', 'supplement'])
        return move.select(move.subcontract_production, move.product,
            Sum(Case((back, -move.internal_quantity),
                    else_=move.internal_quantity)),
            where=_in(move.subcontract_production, ids)
            & (move.state == 'done') & (back | sent),
            group_by=[move.subcontract_production, move.product])

    @classmethod
    def _subcontract_sending(cls, ids):
        """Return [(order, product, 1 draft or 2 assigned, quantity)] of the
        open moves of the open sends and supplements"""
        with without_check_access():
            return [(s.subcontract_production.id, m.product.id,
                    OPEN_COLUMN[m.state], m.internal_quantity)
                for s in cls._subcontract_shipments(ids) for m in s.moves
                if m.state in OPEN_COLUMN]

    @classmethod
    def _subcontract_shipments(cls, ids):
        """The open sends and supplements of the orders (a draft one's moves
        are not yet tagged with the order)"""
        return Pool().get('stock.shipment.internal').search([
                ('subcontract_production', 'in', list(ids)),
                ('subcontract_kind', 'in', ['send', 'supplement']),
                ('state', 'in', ['draft', 'waiting', 'assigned'])])
