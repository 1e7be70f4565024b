# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from sql import Null
from sql.aggregate import Count, Max, Min
from sql.conditionals import Coalesce
from sql.operators import Concat

from trytond.model import fields
from trytond.pool import Pool, PoolMeta

from .arguments import company_id as company_id_


class LineTracking(metaclass=PoolMeta):
    __name__ = 'production.reporting.sale_line'

    outsourced = fields.Integer(
        "Outsourced",
        help="The number of production orders serving the line that are "
        "outsourced.")
    outsourcing_purchase = fields.Many2One(
        'purchase.purchase', "Outsourcing Purchase",
        help="The purchase of the outsourced work.")
    outsourcing_state = fields.Selection(
        'get_purchase_states', "Outsourcing State")
    outsourcing_end = fields.Date(
        "Outsourcing Delivery",
        help="When the supplier is expected to deliver the work.")

    @classmethod
    def _outsourcing(cls, company_id):
        "Purchases of outsourced work aggregated per origin sale line"
        pool = Pool()
        Production = pool.get('production')
        PurchaseLine = pool.get('purchase.line')
        Purchase = pool.get('purchase.purchase')
        production = Production.__table__()
        line = PurchaseLine.__table__()
        purchase = Purchase.__table__()
        return (line
            .join(production, condition=line.production == production.id)
            .join(purchase, condition=line.purchase == purchase.id)
            .select(
                production.origin.as_('origin'),
                Count(production.id, distinct=True).as_('number'),
                Min(purchase.id).as_('purchase'),
                Max(line.delivery_date_store).as_('end'),
                where=production.origin.like('sale.line,%')
                & (line.production != Null)
                & (production.state != 'cancelled')
                & (purchase.state != 'cancelled')
                & (production.company == company_id),
                group_by=[production.origin]))

    @classmethod
    def _joins(cls):
        pool = Pool()
        Purchase = pool.get('purchase.purchase')
        from_item, tables = super()._joins()
        company_id = company_id_()
        line = tables['line']
        tables['outsourcing'] = outsourcing = cls._outsourcing(company_id)
        tables['outsourcing_purchase'] = purchase = Purchase.__table__()
        from_item = (from_item
            .join(outsourcing, 'LEFT',
                condition=outsourcing.origin == Concat(
                    'sale.line,', line.id))
            .join(purchase, 'LEFT',
                condition=outsourcing.purchase == purchase.id))
        return from_item, tables

    @classmethod
    def _columns(cls, tables):
        outsourcing = tables['outsourcing']
        purchase = tables['outsourcing_purchase']
        return super()._columns(tables) + [
            Coalesce(outsourcing.number, 0).as_('outsourced'),
            purchase.id.as_('outsourcing_purchase'),
            purchase.state.as_('outsourcing_state'),
            outsourcing.end.as_('outsourcing_end'),
            ]

    @classmethod
    def _supply_text(cls, production, states):
        pool = Pool()
        Purchase = pool.get('purchase.purchase')
        text = super()._supply_text(production, states)
        purchase_states = dict(
            Purchase.fields_get(['state'])['state']['selection'])
        purchases = cls._outsourcing_purchases(production)
        if purchases:
            text += ' (%s)' % ', '.join('%s %s' % (
                    p.rec_name, purchase_states.get(p.state))
                for p in purchases)
        return text

    @classmethod
    def _outsourcing_purchases(cls, production):
        "The purchases of the outsourced work of the order not cancelled"
        return sorted({l.purchase for l in production.purchase_lines
                if l.purchase.state != 'cancelled'}, key=lambda p: p.id)
