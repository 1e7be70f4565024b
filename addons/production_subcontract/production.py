# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from collections import defaultdict
from decimal import Decimal

from sql.aggregate import Sum

from trytond.i18n import gettext
from trytond.model import ModelView, Workflow, fields
from trytond.model.exceptions import AccessError
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval
from trytond.transaction import Transaction
from trytond.modules.product import price_digits, round_price

from .exceptions import SubcontractError


class BOMInput(metaclass=PoolMeta):
    __name__ = 'production.bom.input'

    subcontract_loss = fields.Float(
        "Allowed Loss (%)", digits=(16, 4),
        domain=['OR',
            ('subcontract_loss', '=', None),
            [('subcontract_loss', '>=', 0), ('subcontract_loss', '<', 1)],
            ],
        help="The percentage of the material a subcontractor may lose on top "
        "of the BOM quantity (2 for 2 %).")

    def subcontract_quantities(self, factor):
        "The (product, unit, quantity) a subcontractor consumes for factor"
        loss = 1 + (self.subcontract_loss or 0)
        for line, quantity in self.lines_for_quantity(
                self.compute_quantity(factor)):
            yield line.product, line.unit, line.unit.round(quantity * loss)


class Production(metaclass=PoolMeta):
    __name__ = 'production'

    subcontractor = fields.Many2One(
        'party.party', "Subcontractor", ondelete='RESTRICT',
        states={
            'readonly': ~Eval('state').in_(['request', 'draft']),
            },
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        help="The supplier who makes the whole order with material sent "
        "to it (整单委外).")
    subcontract_receipts = fields.One2Many(
        'production.subcontract.receipt', 'production', "Subcontract Receipts",
        readonly=True,
        states={
            'invisible': ~Bool(Eval('subcontractor')),
            })
    subcontract_received = fields.Function(fields.Float(
            "Received", digits='unit',
            states={
                'invisible': ~Bool(Eval('subcontractor')),
                }),
        'get_subcontract_received')
    subcontract_fee = fields.Function(fields.Numeric(
            "Processing Fee", digits=price_digits,
            states={
                'invisible': ~Bool(Eval('subcontractor')),
                }),
        'get_subcontract_fee')

    @classmethod
    def get_subcontract_received(cls, productions, name):
        "The finished goods received from the subcontractor"
        pool = Pool()
        Move = pool.get('stock.move')
        Uom = pool.get('product.uom')
        move = Move.__table__()
        cursor = Transaction().connection.cursor()
        received = {p.id: 0 for p in productions}
        units = {p.id: p.unit for p in productions}
        cursor.execute(*move.select(
                move.subcontract_production, move.unit, Sum(move.quantity),
                where=fields.SQL_OPERATORS['in'](
                    move.subcontract_production, list(received))
                & (move.subcontract_kind == 'receive')
                & (move.state == 'done'),
                group_by=[move.subcontract_production, move.unit]))
        for production, unit, quantity in cursor:
            received[production] += Uom.compute_qty(
                Uom(unit), quantity, units[production], round=False)
        return {i: units[i].round(q) if units[i] else q
            for i, q in received.items()}

    @classmethod
    def subcontract_quantities(cls, productions):
        """The finished goods received, passed and rejected by the QC gate
        of each order, read together"""
        pool = Pool()
        Receipt = pool.get('production.subcontract.receipt')
        received = cls.get_subcontract_received(productions, None)
        result = {p.id: {
                'received': received[p.id],
                'quality_passed': 0,
                'quality_rejected': 0,
                'production_unit': p.unit.id,
                } for p in productions}
        for receipt in Receipt.search([
                    ('production', 'in', list(result)),
                    ('state', '=', 'done'),
                    ]):
            values = result[receipt.production.id]
            values['quality_passed'] += receipt.quality_passed
            values['quality_rejected'] += receipt.quality_rejected
        for production in productions:
            values = result[production.id]
            for name in ['quality_passed', 'quality_rejected']:
                values[name] = production.unit.round(values[name])
        return result

    @classmethod
    def get_subcontract_fee(cls, productions, name):
        """The processing fee bought for each order, in the company
        currency"""
        pool = Pool()
        Currency = pool.get('currency.currency')
        PurchaseLine = pool.get('purchase.line')
        fees = {p.id: Decimal(0) for p in productions}
        companies = {p.id: p.company for p in productions}
        for line in PurchaseLine.search([
                    ('production', 'in', list(fees)),
                    ('purchase.state', '!=', 'cancelled'),
                    ]):
            if line.amount:
                production = line.production.id
                fees[production] += Currency.compute(
                    line.purchase.currency, line.amount,
                    companies[production].currency, round=False)
        return {i: round_price(f) for i, f in fees.items()}

    @classmethod
    def copy(cls, productions, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('subcontract_receipts', None)
        return super().copy(productions, default=default)

    @classmethod
    def check_modification(
            cls, mode, productions, values=None, external=False):
        super().check_modification(
            mode, productions, values=values, external=external)
        if mode == 'write' and 'subcontractor' in values:
            for production in productions:
                if production.state not in {'request', 'draft'}:
                    raise AccessError(gettext(
                            'production_subcontract.msg_subcontractor_state',
                            production=production.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('waiting')
    def wait(cls, productions):
        pool = Pool()
        Move = pool.get('stock.move')
        Party = pool.get('party.party')
        super().wait(productions)
        subcontracted = [p for p in productions if p.subcontractor]
        # the material goes through the subcontract shipments and receipts
        Move.delete([m for p in subcontracted for m in p.inputs + p.outputs
                if m.state in {'staging', 'draft', 'cancelled'}])
        Party.get_subcontract_locations(
            {p.subcontract_party for p in productions if p.subcontract_party})

    @classmethod
    def subcontract_balances(cls, productions):
        """The material each order still has at its subcontractor: sent and
        supplemented less consumed, returned and lost, per product"""
        pool = Pool()
        Tracking = pool.get('production.subcontract.tracking')
        balances = {p: defaultdict(float) for p in productions}
        by_company = defaultdict(list)
        for production in productions:
            by_company[production.company.id].append(production.id)
        for company, ids in by_company.items():
            with Transaction().set_context(company=company):
                rows = Tracking.search([('production', 'in', ids)])
            for row in rows:
                balances[row.production][row.product] += row.balance
        return balances

    def subcontract_needs(self, quantity):
        """The quantity of each material (in its default unit) the
        subcontractor consumes to make quantity of the product"""
        pool = Pool()
        Uom = pool.get('product.uom')
        if not self.bom:
            raise SubcontractError(gettext(
                    'production_subcontract.msg_no_bom',
                    production=self.rec_name))
        factor = self.bom.compute_factor(self.product, quantity, self.unit)
        needs = defaultdict(float)
        for input_ in self.bom.inputs:
            for product, unit, qty in input_.subcontract_quantities(factor):
                needs[product] += Uom.compute_qty(
                    unit, qty, product.default_uom, round=False)
        return {p: p.default_uom.round(q) for p, q in needs.items()}

    def subcontract_standard(self, quantity):
        """The BOM quantity without loss of each material to make quantity
        of the product, in the material's default unit (委外标准用量)"""
        pool = Pool()
        Uom = pool.get('product.uom')
        standard = defaultdict(float)
        if not quantity or not self.bom:
            return standard
        factor = self.bom.compute_factor(self.product, quantity, self.unit)
        for input_ in self.bom.inputs:
            for line, qty in input_.lines_for_quantity(
                    input_.compute_quantity(factor)):
                standard[line.product] += Uom.compute_qty(
                    line.unit, qty, line.product.default_uom)
        return standard

    @property
    def subcontract_party(self):
        """The supplier holding material of the order: its subcontractor
        (整单委外) or the supplier of its outsourced routing (工序委外)"""
        if self.subcontractor:
            return self.subcontractor
        if self.routing and self.routing.supplier:
            return self.routing.supplier

    def check_subcontract_party(self):
        if not self.subcontract_party:
            raise SubcontractError(gettext(
                    'production_subcontract.msg_no_subcontract_party',
                    production=self.rec_name))

    def check_subcontracted(self):
        if not self.subcontractor:
            raise SubcontractError(gettext(
                    'production_subcontract.msg_not_subcontracted',
                    production=self.rec_name))
