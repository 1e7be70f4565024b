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
        (工序委外).  A subcontracted order (整单委外) holds none: its
        balance there is already out of what it still needs
        (production_needs), and the rest there is other orders'."""
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
        """What a subcontracted order (整单委外) still has to send, its
        inputs gone once it waits: the BOM with the allowed loss for its
        quantity less what was sent, net of returns and losses (consumed or
        still held there for the order).  An open send or supplement
        reserves (assigned) or plans (draft) its part."""
        needs = super().production_needs(productions)
        orders = cls._subcontract_open(productions)
        moved = cls._subcontract_moved({o.id for o in orders})
        for order in orders:
            needs[order.id] = cls._subcontract_to_send(
                order, moved[order.id])
        return needs

    @classmethod
    def _subcontract_open(cls, productions):
        "The subcontracted orders with a BOM, waiting to running"
        Production = Pool().get('production')
        production = Production.__table__()
        ids = {p.id for p in productions}
        if not ids:
            return []
        cursor = Transaction().connection.cursor()
        cursor.execute(*production.select(production.id,
                where=_in(production.id, ids)
                & (production.subcontractor != Null)
                & (production.bom != Null)
                & production.state.in_(SUBCONTRACT_OPEN)))
        return Production.browse(sorted(i for i, in cursor if i in ids))

    @classmethod
    def _subcontract_moved(cls, ids):
        """Return {production: {product: [sent, draft, assigned]}}: sent net
        of returns and losses (done), and on open sends and supplements"""
        moved = defaultdict(dict)
        if not ids:
            return moved
        for production, product, column, quantity in (
                cls._subcontract_sent(ids) + cls._subcontract_sending(ids)):
            moved[production].setdefault(product, [0, 0, 0])[column] += (
                quantity)
        return moved

    @classmethod
    def _subcontract_sent(cls, ids):
        """Return [(production, product, 0, quantity)] sent to the orders,
        net of returns and losses, done"""
        Move = Pool().get('stock.move')
        move = Move.__table__()
        cursor = Transaction().connection.cursor()
        back = move.subcontract_kind.in_(['return', 'loss'])
        cursor.execute(*move.select(move.subcontract_production,
                move.product, Sum(Case((back, -move.internal_quantity),
                        else_=move.internal_quantity)),
                where=_in(move.subcontract_production, ids)
                & (move.state == 'done')
                & (back | move.subcontract_kind.in_(['send', 'supplement'])),
                group_by=[move.subcontract_production, move.product]))
        return [(p, m, 0, q or 0) for p, m, q in cursor if p in ids]

    @classmethod
    def _subcontract_sending(cls, ids):
        """Return [(production, product, 1 if draft else 2, quantity)] of
        the open moves of the orders' open sends and supplements (a draft
        shipment's moves are not yet tagged with the order)"""
        Shipment = Pool().get('stock.shipment.internal')
        # the planner's shortage and MRP read the storekeeper's shipments
        with without_check_access():
            shipments = Shipment.search([
                    ('subcontract_production', 'in', list(ids)),
                    ('subcontract_kind', 'in', ['send', 'supplement']),
                    ('state', 'in', ['draft', 'waiting', 'assigned']),
                    ])
            return [(s.subcontract_production.id, m.product.id,
                    OPEN_COLUMN[m.state], m.internal_quantity)
                for s in shipments for m in s.moves
                if m.state in OPEN_COLUMN]

    @classmethod
    def _subcontract_to_send(cls, order, moved):
        """Return {product: (required, reserved, unplanned)} of order: what
        is still to send, at least what is on open sends; the part on no
        open move is MRP's demand"""
        needs = {p.id: q
            for p, q in order.subcontract_needs(order.quantity).items()}
        remaining = {}
        for product in needs.keys() | moved.keys():
            sent, draft, assigned = moved.get(product, (0, 0, 0))
            # without the float noise of the sums (as the tracking)
            required = round(
                max(needs.get(product, 0) - sent, draft + assigned), 6)
            if required > EPSILON:
                remaining[product] = (required, assigned,
                    round(required - draft - assigned, 6))
        return remaining
