# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from collections import defaultdict
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import ModelView, Workflow, fields
from trytond.modules.stock_quarantine.locking import lock_written
from trytond.modules.stock_quarantine.numbers import format_number
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .exceptions import CustomerMaterialError


class Move(metaclass=PoolMeta):
    __name__ = 'stock.move'

    customer_material_reason = fields.Char(
        "Scrap Reason",
        states={
            'readonly': Eval('state').in_(['cancelled', 'done']),
            },
        help="Why the customer's material is scrapped (客供料报废).")
    customer_material_customer = fields.Function(fields.Many2One(
            'party.party', "Material Owner",
            context={
                'company': Eval('company', -1),
                },
            depends={'company'},
            help="The customer whose material the move takes or brings."),
        'get_customer_material_customer')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._deny_modify_done_cancel.add('customer_material_reason')
        cls._buttons.update({
                'customer_material_assign': {
                    'invisible': (~Eval('customer_material_customer')
                        | (Eval('state') != 'draft')
                        | ~Eval('assignation_required', False)),
                    'depends': ['customer_material_customer', 'state',
                        'assignation_required'],
                    },
                })

    def get_customer_material_customer(self, name):
        owner = self.customer_material_owner
        return owner.id if owner else None

    @classmethod
    @ModelView.button
    def customer_material_assign(cls, moves):
        "Reserve what a 客供料退回 or a scrap takes from the customer"
        moves = [m for m in moves
            if m.state == 'draft' and m.customer_material_owner]
        cls.check_customer_material(moves)
        # named before assign_try splits the move to what it could reserve
        short = moves and moves[0]._customer_material_error(
            'msg_assign_short')
        if not cls.assign_try(moves):
            raise short

    @property
    def customer_material_owner(self):
        "The customer whose material the move takes or brings"
        for location in [self.from_location, self.to_location]:
            if location and location.customer_material_party:
                return location.customer_material_party

    @classmethod
    @Workflow.transition('assigned')
    def assign(cls, moves):
        cls.check_customer_material(moves)
        super().assign(moves)

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def do(cls, moves):
        cls.check_customer_material(moves)
        cls.lock_customer_material(moves)
        cls.check_customer_material_held(moves)
        cls._zero_customer_material(moves)
        super().do(moves)

    @classmethod
    def lock_customer_material(cls, moves):
        """Moves out of a customer's location wait for each other: the
        location is locked and written (a retried transaction sees the last
        commit)"""
        pool = Pool()
        Location = pool.get('stock.location')
        lock_written(Location, {m.from_location for m in moves
                if m.from_location.customer_material_party})

    @classmethod
    def check_customer_material_held(cls, moves):
        """What the moves take from a customer's location is there, in total
        and of each lot"""
        taken = [m for m in moves if m.state != 'done'
            and m.from_location.customer_material_party]
        if not taken:
            return
        held = cls._customer_material_held(
            {m.from_location.id for m in taken}, {m.product.id for m in taken})
        keys = {m: m._customer_material_keys() for m in taken}
        need = defaultdict(float)
        for move in taken:
            for key in keys[move]:
                need[key] += move.internal_quantity
        for move in taken:
            for key in keys[move]:
                if need[key] - held[key] > 1e-6:
                    move._raise_customer_material_short(held[key], need[key])

    def _customer_material_keys(self):
        key = (self.from_location.id, self.product.id, None)
        return [key, key[:2] + (self.lot.id,)] if self.lot else [key]

    @classmethod
    def _customer_material_held(cls, locations, products):
        """The quantity (default unit) done moves leave at each (location,
        product, None) and (location, product, lot), from Tryton's stock
        query (its period cache included)"""
        pool = Pool()
        Date = pool.get('ir.date')
        Product = pool.get('product.product')
        with Transaction().set_context(
                stock_date_end=Date.today(), forecast=False):
            quantities = Product.products_by_location(
                sorted(locations), grouping=('product', 'lot'),
                grouping_filter=(sorted(products),))
        held = defaultdict(float)
        for (location, product_id, lot_id), quantity in quantities.items():
            held[(location, product_id, None)] += quantity
            if lot_id is not None:
                held[(location, product_id, lot_id)] += quantity
        return held

    def _raise_customer_material_short(self, held, need):
        raise CustomerMaterialError(gettext(
                'production_customer_material.msg_held_short',
                customer=self.customer_material_owner.rec_name,
                product=self.product.rec_name,
                lot=self.lot.rec_name if self.lot else '-',
                from_location=self.from_location.rec_name,
                quantity=format_number(need), held=format_number(held),
                unit=self.product.default_uom.symbol))

    @classmethod
    def check_origin(cls, moves, types=None):
        "客供料入库 and 客供料退回 are moves of their own, without origin"
        super().check_origin(
            [m for m in moves if not m.customer_material_owner], types=types)

    @classmethod
    def check_customer_material(cls, moves):
        "Each move of a customer's material is one the customer allows"
        for move in moves:
            if move.customer_material_owner:
                move._check_customer_material()

    def _check_customer_material(self):
        if (self.quantity <= 0
                and self.to_location.type != 'production'):
            self._raise_customer_material('msg_quantity_positive')
        if self.to_location.customer_material_party:
            self._check_customer_material_receipt()
        elif self.to_location.type == 'production':
            self._check_customer_material_consumption()
        elif self.to_location.type == 'customer':
            self._check_customer_material_return()
        elif self.to_location.type == 'lost_found':
            self._check_customer_material_scrap()
        else:
            self._raise_customer_material('msg_use_refused')

    def _check_customer_material_receipt(self):
        if (self.from_location.type != 'customer'
                or self.from_location.customer_material_party):
            self._raise_customer_material('msg_receipt_from')

    def _check_customer_material_consumption(self):
        sale = self.customer_material_sale
        if not sale or sale.party != self.customer_material_owner:
            self._raise_customer_material('msg_consumption_refused')

    def _check_customer_material_return(self):
        if self.shipment or self.customer_material_sale:
            self._raise_customer_material('msg_return_sale')

    def _check_customer_material_scrap(self):
        if not (self.customer_material_reason or '').strip():
            self._raise_customer_material('msg_scrap_reason')

    @property
    def customer_material_sale(self):
        "The sale of the order the move supplies or of its sale line"
        pool = Pool()
        SaleLine = pool.get('sale.line')
        origin = (self.production_input.origin
            if self.production_input else self.origin)
        if isinstance(origin, SaleLine):
            return origin.sale

    def _raise_customer_material(self, message):
        raise self._customer_material_error(message)

    def _customer_material_error(self, message):
        production = self.production_input
        sale = self.customer_material_sale
        return CustomerMaterialError(gettext(
                'production_customer_material.%s' % message,
                customer=self.customer_material_owner.rec_name,
                product=self.product.rec_name,
                quantity=self.quantity, unit=self.unit.symbol,
                from_location=self.from_location.rec_name,
                to_location=self.to_location.rec_name,
                production=production.rec_name if production else '-',
                sale=sale.rec_name if sale else '-',
                sale_party=sale.party.rec_name if sale else '-'))

    @classmethod
    def _zero_customer_material(cls, moves):
        "The customer's material has no value for the company"
        zero = [m for m in moves if m.customer_material_owner]
        for move in zero:
            move.cost_price = Decimal(0)
            if move.unit_price_required:
                move.unit_price = Decimal(0)
                move.currency = move.currency or move.company.currency
        cls.save(zero)

    def get_cost_price(self, product_cost_price=None):
        if self.customer_material_owner:
            return Decimal(0)
        return super().get_cost_price(product_cost_price=product_cost_price)

    @classmethod
    def _cost_price_context(cls, moves):
        "The average cost never counts the customers' material"
        pool = Pool()
        Location = pool.get('stock.location')
        context = super()._cost_price_context(moves)
        owned = {l.id for l in Location.search([
                    ('customer_material_party', '!=', None),
                    ])}
        context['locations'] = [
            l for l in context['locations'] if l not in owned]
        return context
