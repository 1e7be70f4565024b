# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from sql import Cast, Null
from sql.aggregate import Min, Sum
from sql.conditionals import Case, Coalesce
from sql.functions import Round

from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.transaction import Transaction

DIGITS = 6
# the columns of the ledger and the kinds of moves they sum
LEDGER = [
    ('sent', ('send',)),
    ('supplemented', ('supplement',)),
    ('consumed', ('consume',)),
    ('returned', ('return',)),
    ('lost', ('loss',)),
    ]


class _Ledger(ModelSQL, ModelView):
    subcontractor = fields.Many2One('party.party', "Subcontractor")
    product = fields.Many2One('product.product', "Product")
    unit = fields.Many2One('product.uom', "Unit")
    sent = fields.Float("Sent", digits='unit')
    supplemented = fields.Float("Supplemented", digits='unit')
    consumed = fields.Float("Consumed", digits='unit')
    returned = fields.Float("Returned", digits='unit')
    lost = fields.Float("Lost", digits='unit',
        help="The material the subcontractor lost beyond the allowance "
        "(委外损耗).")
    balance = fields.Float("Balance", digits='unit',
        help="The material still held by the subcontractor.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('product', 'ASC'))

    @classmethod
    def _ledger_from(cls):
        pool = Pool()
        Move = pool.get('stock.move')
        Production = pool.get('production')
        Template = pool.get('product.template')
        Product = pool.get('product.product')
        Routing = pool.get('production.routing')
        move = Move.__table__()
        production = Production.__table__()
        product = Product.__table__()
        template = Template.__table__()
        routing = Routing.__table__()
        from_item = (move
            .join(production,
                condition=move.subcontract_production == production.id)
            .join(routing, 'LEFT',
                condition=production.routing == routing.id)
            .join(product, condition=move.product == product.id)
            .join(template, condition=product.template == template.id))
        company = Transaction().context.get('company') or -1
        where = ((move.state == 'done')
            & (move.subcontract_kind != Null)
            & (move.subcontract_kind != 'receive')
            & (production.company == company))
        # the whole order's subcontractor or the routing's (工序委外)
        party = Coalesce(production.subcontractor, routing.supplier)
        return from_item, move, production, template, party, where

    @classmethod
    def _ledger_columns(cls, move):
        columns = []
        for name, kinds in LEDGER:
            columns.append(cls._round(name, Sum(Case(
                            (move.subcontract_kind.in_(kinds),
                                move.internal_quantity),
                            else_=0))))
        sign = Case(
            (move.subcontract_kind.in_(['send', 'supplement']), 1),
            else_=-1)
        columns.append(cls._round(
                'balance', Sum(sign * move.internal_quantity)))
        return columns

    @classmethod
    def _round(cls, name, total):
        "A float sum without its binary noise (6.200000000000003)"
        return getattr(cls, name).sql_cast(
            Round(Cast(total, 'NUMERIC'), DIGITS)).as_(name)


class Tracking(_Ledger):
    "Subcontract Tracking"
    __name__ = 'production.subcontract.tracking'

    production = fields.Many2One('production', "Production")
    standard = fields.Function(fields.Float(
            "Standard", digits='unit',
            help="The BOM quantity of the finished goods received."),
        'get_standards')
    allowed_loss = fields.Function(fields.Float(
            "Allowed Loss", digits='unit',
            help="Consumed above the BOM by the allowed loss."),
        'get_standards')
    actual_loss = fields.Function(fields.Float(
            "Actual Loss", digits='unit',
            help="The allowed loss and the material lost."),
        'get_standards')
    received = fields.Function(fields.Float(
            "Received", digits='production_unit',
            help="The finished goods received from the subcontractor."),
        'get_received')
    quality_passed = fields.Function(fields.Float(
            "QC Passed", digits='production_unit',
            help="The finished goods received and accepted by the QC gate."),
        'get_received')
    quality_rejected = fields.Function(fields.Float(
            "QC Rejected", digits='production_unit',
            help="The finished goods received and rejected by the QC gate "
            "(counted once: in the received quantity, not again)."),
        'get_received')
    production_unit = fields.Function(fields.Many2One(
            'product.uom', "Production Unit"), 'get_received')
    fee = fields.Function(fields.Numeric(
            "Processing Fee", digits=(16, 4)), 'get_fee')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('production', 'DESC'))

    @classmethod
    def table_query(cls):
        from_item, move, production, template, party, where = (
            cls._ledger_from())
        return from_item.select(
            Min(move.id).as_('id'),
            production.id.as_('production'),
            party.as_('subcontractor'),
            move.product.as_('product'),
            template.default_uom.as_('unit'),
            *cls._ledger_columns(move),
            where=where,
            group_by=[production.id, party,
                move.product, template.default_uom])

    @classmethod
    def _productions(cls, records):
        "The orders of the rows, browsed together"
        Production = Pool().get('production')
        return Production.browse(sorted({r.production.id for r in records}))

    @classmethod
    def get_standards(cls, records, names):
        pool = Pool()
        Production = pool.get('production')
        Standard = pool.get('production.subcontract.standard')
        result = {n: {} for n in names}
        productions = cls._productions(records)
        standards = Standard.quantities(productions,
            Production.get_subcontract_received(productions, None))
        for record in records:
            # in the row's unit: the product's default unit
            standard = standards[record.production.id].get(
                record.product.id, 0)
            values = {
                'standard': standard,
                'allowed_loss': record.unit.round(record.consumed - standard),
                'actual_loss': record.unit.round(
                    record.consumed - standard + record.lost),
                }
            for name in names:
                result[name][record.id] = values[name]
        return result

    @classmethod
    def get_received(cls, records, names):
        pool = Pool()
        Production = pool.get('production')
        result = {n: {} for n in names}
        received = Production.subcontract_quantities(
            cls._productions(records))
        for record in records:
            values = received[record.production.id]
            for name in names:
                result[name][record.id] = values[name]
        return result

    @classmethod
    def get_fee(cls, records, name):
        pool = Pool()
        Production = pool.get('production')
        fees = Production.get_subcontract_fee(cls._productions(records), name)
        return {r.id: fees[r.production.id] for r in records}


class Balance(_Ledger):
    "Subcontract Balance"
    __name__ = 'production.subcontract.balance'

    location = fields.Many2One('stock.location', "Location")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('subcontractor', 'ASC'))

    @classmethod
    def table_query(cls):
        pool = Pool()
        Party = pool.get('party.party')
        party = Party.__table__()
        from_item, move, production, template, supplier, where = (
            cls._ledger_from())
        from_item = from_item.join(party, condition=supplier == party.id)
        return from_item.select(
            Min(move.id).as_('id'),
            party.id.as_('subcontractor'),
            party.subcontract_location.as_('location'),
            move.product.as_('product'),
            template.default_uom.as_('unit'),
            *cls._ledger_columns(move),
            where=where,
            group_by=[party.id, party.subcontract_location,
                move.product, template.default_uom])
