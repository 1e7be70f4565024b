# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import math
from collections import defaultdict
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Workflow, fields
from trytond.model.exceptions import AccessError
from trytond.modules.product import round_price
from trytond.modules.stock_quarantine.locking import lock_written
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.transaction import Transaction

from .exceptions import ConsumptionError, SubcontractError

EPSILON = 1e-9
_READONLY = {
    'readonly': Eval('state') != 'draft',
    }


class Receipt(Workflow, ModelSQL, ModelView):
    "Subcontract Receipt"
    __name__ = 'production.subcontract.receipt'

    company = fields.Many2One(
        'company.company', "Company", required=True, states=_READONLY)
    production = fields.Many2One(
        'production', "Production", required=True, states=_READONLY,
        domain=[
            ('company', '=', Eval('company', -1)),
            ('subcontractor', '!=', None),
            If(Eval('state') == 'draft',
                ('state', 'in', ['waiting', 'assigned', 'running']),
                ()),
            ])
    subcontractor = fields.Function(fields.Many2One(
            'party.party', "Subcontractor",
            context={
                'company': Eval('company', -1),
                },
            depends={'company'}),
        'on_change_with_subcontractor')
    product = fields.Function(fields.Many2One(
            'product.product', "Product",
            context={
                'company': Eval('company', -1),
                },
            depends={'company'}),
        'on_change_with_product')
    quantity = fields.Float(
        "Quantity", digits='unit', required=True, states=_READONLY,
        domain=[('quantity', '>', 0)],
        help="The quantity of finished goods received, in the unit of the "
        "order.")
    unit = fields.Function(fields.Many2One(
            'product.uom', "Unit"), 'on_change_with_unit')
    lot = fields.Many2One(
        'stock.lot', "Lot", states=_READONLY,
        domain=[('product', '=', Eval('product', -1))],
        help="The lot of the finished goods received.")
    date = fields.Date("Date", required=True, states=_READONLY)
    moves = fields.One2Many(
        'stock.move', 'origin', "Moves", readonly=True,
        help="The finished goods received and the material consumed at the "
        "subcontractor.")
    state = fields.Selection([
            ('draft', "Draft"),
            ('done', "Done"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('date', 'DESC'))
        cls._transitions |= {
            ('draft', 'done'),
            ('draft', 'cancelled'),
            ('cancelled', 'draft'),
            }
        cls._buttons.update({
                'cancel': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': Eval('state') != 'cancelled',
                    'depends': ['state'],
                    },
                'do': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()

    @fields.depends('production')
    def on_change_with_subcontractor(self, name=None):
        return self.production.subcontractor if self.production else None

    @fields.depends('production')
    def on_change_with_product(self, name=None):
        return self.production.product if self.production else None

    @fields.depends('production')
    def on_change_with_unit(self, name=None):
        return self.production.unit if self.production else None

    def get_rec_name(self, name):
        return '%s @ %s' % (self.production.rec_name, self.date)

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('production.rec_name',) + tuple(clause[1:])]

    @classmethod
    def copy(cls, receipts, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('moves', None)
        return super().copy(receipts, default=default)

    @classmethod
    def check_modification(cls, mode, receipts, values=None, external=False):
        super().check_modification(
            mode, receipts, values=values, external=external)
        if mode in {'write', 'delete'}:
            for receipt in receipts:
                if receipt.state == 'done' and (
                        mode == 'delete' or set(values) - {'state'}):
                    raise AccessError(gettext(
                            'production_subcontract.msg_receipt_done',
                            receipt=receipt.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, receipts):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, receipts):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def do(cls, receipts):
        pool = Pool()
        Move = pool.get('stock.move')
        Production = pool.get('production')
        Standard = pool.get('production.subcontract.standard')
        cls.lock_receive(receipts)
        receipts = cls.browse(receipts)
        for receipt in receipts:
            receipt.check_receive()
        consumptions = cls.consume(receipts)
        outputs = [m for r in receipts
            for m in r._output_moves(consumptions[r])]
        moves = [m for ms in consumptions.values() for m in ms] + outputs
        Move.save(moves)
        Move.do(moves)
        Standard.store(Production.browse(
                sorted({r.production.id for r in receipts})))

    @classmethod
    def lock_receive(cls, receipts):
        """Serialise the receipts of an order and what consumes the material
        at a subcontractor: the orders and the subcontractors' locations,
        locked and written (a retried transaction sees the last commit)"""
        pool = Pool()
        Production = pool.get('production')
        Location = pool.get('stock.location')
        lock_written(cls, receipts)
        lock_written(Production, {r.production for r in receipts})
        lock_written(Location, {r.subcontract_location for r in receipts
                if r.subcontract_location})

    @property
    def subcontract_location(self):
        return self.production.subcontractor.subcontract_location

    def check_receive(self):
        production = self.production
        production.check_subcontracted()
        if self.state != 'draft' or production.state not in {
                'waiting', 'assigned', 'running'}:
            raise SubcontractError(gettext(
                    'production_subcontract.msg_receipt_production_state',
                    receipt=self.rec_name, production=production.rec_name))
        quantity = self.quantity
        if (not isinstance(quantity, (int, float)) or not math.isfinite(
                    quantity) or quantity <= 0
                or abs(self.unit.round(quantity) - quantity) > EPSILON):
            raise SubcontractError(gettext(
                    'production_subcontract.msg_receipt_quantity',
                    receipt=self.rec_name, quantity=quantity,
                    unit=self.unit.rec_name))

    @classmethod
    def consume(cls, receipts):
        """The moves consuming at each subcontractor the material of the
        receipts, refused beyond the stock held there"""
        pool = Pool()
        Production = pool.get('production')
        needs = {r: r.production.subcontract_needs(r.quantity)
            for r in receipts}
        stock = cls._subcontract_stock(receipts, needs)
        balances = Production.subcontract_balances(
            {r.production for r in receipts})
        moves = defaultdict(list)
        for receipt in receipts:
            location = receipt.subcontract_location
            balance = balances[receipt.production]
            for product, quantity in needs[receipt].items():
                lots = stock[location, product]
                receipt.check_consumption(
                    product, quantity, sum(lots.values()), balance[product])
                balance[product] -= quantity
                moves[receipt].extend(receipt._consumption_moves(
                        product, quantity, lots))
        return moves

    def check_consumption(self, product, quantity, held, balance):
        "Consume what the subcontractor holds and this order sent it"
        if quantity > held + EPSILON:
            self.raise_consumption(product, quantity, held)
        if quantity > balance + EPSILON:
            production = self.production
            raise ConsumptionError(gettext(
                    'production_subcontract.msg_consumption_order',
                    supplier=production.subcontractor.rec_name,
                    production=production.rec_name,
                    product=product.rec_name,
                    quantity=quantity, available=round(balance, 6),
                    unit=product.default_uom.symbol,
                    received=self.quantity))

    @classmethod
    def _subcontract_stock(cls, receipts, needs):
        """What each subcontractor holds today of each product, by lot,
        out of what is assigned to leave"""
        pool = Pool()
        Date = pool.get('ir.date')
        Product = pool.get('product.product')
        Location = pool.get('stock.location')
        locations = {r.subcontract_location for r in receipts}
        products = {p for n in needs.values() for p in n}
        stock = defaultdict(dict)
        if None in locations:
            locations.discard(None)
        with Transaction().set_context(
                stock_date_end=Date.today(), stock_assign=True):
            quantities = Product.products_by_location(
                [l.id for l in locations], grouping=('product', 'lot'),
                grouping_filter=([p.id for p in products],))
        for (location_id, product_id, lot_id), quantity in (
                quantities.items()):
            if quantity > EPSILON:
                key = (Location(location_id), Product(product_id))
                stock[key][lot_id] = quantity
        return defaultdict(dict, stock)

    def raise_consumption(self, product, quantity, available):
        production = self.production
        raise ConsumptionError(gettext(
                'production_subcontract.msg_consumption_exceeds',
                supplier=production.subcontractor.rec_name,
                production=production.rec_name,
                product=product.rec_name,
                quantity=quantity, available=available,
                unit=product.default_uom.symbol,
                received=self.quantity))

    def _consumption_moves(self, product, quantity, lots):
        "Consume quantity of product, the lots by order (no lot first)"
        moves = []
        for lot_id in sorted(lots, key=lambda l: (l is not None, l or 0)):
            taken = min(quantity, lots[lot_id])
            taken = product.default_uom.round(taken)
            if taken <= 0:
                continue
            lots[lot_id] -= taken
            quantity -= taken
            moves.append(self._consumption_move(product, taken, lot_id))
            if quantity <= EPSILON:
                break
        return moves

    def _consumption_move(self, product, quantity, lot_id):
        pool = Pool()
        Move = pool.get('stock.move')
        return Move(
            product=product, unit=product.default_uom, quantity=quantity,
            lot=lot_id, from_location=self.subcontract_location,
            to_location=self.production.location,
            effective_date=self.date, planned_date=self.date,
            company=self.company, origin=self,
            subcontract_production=self.production, subcontract_kind='consume')

    def _output_moves(self, consumptions):
        "The moves of the finished goods received (split by the QC gate)"
        return [self._output_move(consumptions)]

    def _output_move(self, consumptions):
        pool = Pool()
        Move = pool.get('stock.move')
        production = self.production
        return Move(
            product=production.product, unit=production.unit,
            quantity=self.quantity, lot=self.lot,
            from_location=production.location,
            to_location=production.output_location,
            effective_date=self.date, planned_date=self.date,
            company=self.company, origin=self,
            subcontract_production=production, subcontract_kind='receive',
            unit_price=self._unit_price(consumptions),
            currency=self.company.currency)

    def _unit_price(self, consumptions):
        """The cost of the material consumed and the share of the
        processing fee, per unit received"""
        cost = sum((Decimal(str(m.quantity)) * (m.product.cost_price or 0)
                for m in consumptions), Decimal(0))
        cost += self.production.subcontract_fee * Decimal(
            str(self.quantity / self.production.quantity))
        return round_price(cost / Decimal(str(self.quantity)))
