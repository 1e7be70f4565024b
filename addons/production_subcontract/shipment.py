# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from collections import defaultdict

from trytond.i18n import gettext
from trytond.model import ModelView, Workflow, dualmethod, fields
from trytond.model.exceptions import AccessError
from trytond.modules.company import CompanyReport
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval
from trytond.modules.stock_quarantine.locking import lock_written

from .exceptions import SubcontractError

KINDS = [
    (None, ""),
    ('send', "Send"),
    ('supplement', "Supplement"),
    ('return', "Return"),
    ('loss', "Loss"),
    ]
_STATES = {
    'readonly': ~Eval('state').in_(['request', 'draft']),
    }
EPSILON = 1e-9


class ShipmentInternal(metaclass=PoolMeta):
    __name__ = 'stock.shipment.internal'

    subcontract_production = fields.Many2One(
        'production', "Subcontracted Production", ondelete='RESTRICT',
        domain=[
            ['OR',
                ('subcontractor', '!=', None),
                ('routing.supplier', '!=', None),
                ],
            ('company', '=', Eval('company', -1)),
            ],
        states={
            'readonly': _STATES['readonly'],
            'required': Bool(Eval('subcontract_kind')),
            })
    subcontract_kind = fields.Selection(
        KINDS, "Subcontract Kind", states=_STATES,
        help="Send: the BOM material (委外发料); Supplement: above the BOM "
        "(委外补料); Return: unused material back (委外退料); Loss: material "
        "the subcontractor lost (委外损耗).")
    subcontract_reason = fields.Char(
        "Subcontract Reason",
        states={
            'readonly': _STATES['readonly'],
            'required': Eval('subcontract_kind').in_(['supplement', 'loss']),
            'invisible': ~Eval('subcontract_kind').in_(
                ['supplement', 'loss']),
            })

    @classmethod
    def check_modification(cls, mode, shipments, values=None, external=False):
        super().check_modification(
            mode, shipments, values=values, external=external)
        fields_ = {'subcontract_production', 'subcontract_kind',
            'subcontract_reason'}
        if mode == 'write' and fields_ & set(values):
            for shipment in shipments:
                if shipment.state not in {'request', 'draft'}:
                    raise AccessError(gettext(
                            'production_subcontract.msg_shipment_state',
                            shipment=shipment.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('waiting')
    def wait(cls, shipments, moves=None):
        cls.check_subcontract(shipments)
        super().wait(shipments, moves=moves)
        cls.set_subcontract_moves(shipments)

    @dualmethod
    @ModelView.button
    def assign_try(cls, shipments):
        cls.lock_subcontract(shipments)
        return super().assign_try(shipments)

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def do(cls, shipments):
        cls.check_subcontract(shipments)
        super().do(shipments)

    @classmethod
    def lock_subcontract(cls, shipments):
        """Serialise what moves material at a subcontractor: the orders and
        the subcontractors' locations"""
        pool = Pool()
        Production = pool.get('production')
        Location = pool.get('stock.location')
        shipments = [s for s in shipments if s.subcontract_kind]
        lock_written(Production, {s.subcontract_production
                for s in shipments})
        lock_written(Location, {s.subcontract_location for s in shipments
                if s.subcontract_location})

    @property
    def subcontract_location(self):
        if self.subcontract_production:
            party = self.subcontract_production.subcontract_party
            return party.subcontract_location if party else None

    @property
    def subcontract_party(self):
        if self.subcontract_production:
            return self.subcontract_production.subcontract_party

    @classmethod
    def check_subcontract(cls, shipments):
        cls.lock_subcontract(shipments)
        cls.check_subcontract_plain(
            [s for s in cls.browse(shipments) if not s.subcontract_kind])
        shipments = [s for s in cls.browse(shipments) if s.subcontract_kind]
        for shipment in shipments:
            shipment.check_subcontract_production()
            shipment.check_subcontract_locations()
            shipment.check_subcontract_reason()
            shipment.check_subcontract_products()
        cls.check_subcontract_sent(
            [s for s in shipments if s.subcontract_kind == 'send'])
        cls.check_subcontract_balance(
            [s for s in shipments if s.subcontract_kind in {'return', 'loss'}])

    @classmethod
    def check_subcontract_plain(cls, shipments):
        "Only a subcontract shipment moves material to or from 委外仓"
        pool = Pool()
        Location = pool.get('stock.location')
        ModelData = pool.get('ir.model.data')
        if not shipments:
            return
        subcontract = set(map(int, Location.search([
                        ('parent', 'child_of', [ModelData.get_id(
                                    'production_subcontract',
                                    'location_subcontract')]),
                        ])))
        for shipment in shipments:
            for move in shipment.moves:
                if {move.from_location.id, move.to_location.id} & subcontract:
                    raise SubcontractError(gettext(
                            'production_subcontract.msg_shipment_plain',
                            shipment=shipment.rec_name,
                            location=(move.from_location.id in subcontract
                                and move.from_location
                                or move.to_location).rec_name))

    def check_subcontract_production(self):
        production = self.subcontract_production
        production.check_subcontract_party()
        if production.state not in {'waiting', 'assigned', 'running'}:
            raise SubcontractError(gettext(
                    'production_subcontract.msg_shipment_production_state',
                    shipment=self.rec_name, production=production.rec_name))

    def check_subcontract_locations(self):
        location = self.subcontract_location
        if self.subcontract_kind in {'send', 'supplement'}:
            valid = (self.to_location == location
                and self.from_location.warehouse)
        elif self.subcontract_kind == 'return':
            valid = (self.from_location == location
                and self.to_location.warehouse)
        else:
            valid = (self.from_location == location
                and self.to_location.type == 'lost_found')
        if not valid:
            raise SubcontractError(gettext(
                    'production_subcontract.msg_shipment_locations',
                    shipment=self.rec_name,
                    production=self.subcontract_production.rec_name,
                    supplier=self.subcontract_party.rec_name,
                    location=location.rec_name if location else ''))

    def check_subcontract_reason(self):
        if (self.subcontract_kind in {'supplement', 'loss'}
                and not (self.subcontract_reason or '').strip()):
            raise SubcontractError(gettext(
                    'production_subcontract.msg_shipment_reason',
                    shipment=self.rec_name))

    def check_subcontract_products(self):
        production = self.subcontract_production
        needs = production.subcontract_needs(production.quantity)
        for move in self.moves:
            if move.product not in needs:
                raise SubcontractError(gettext(
                        'production_subcontract.msg_shipment_product',
                        shipment=self.rec_name, product=move.product.rec_name,
                        production=production.rec_name))

    @classmethod
    def check_subcontract_sent(cls, shipments):
        """Refuse to send more than the BOM of the order needs (with its
        allowed loss): above it is a supplement with a reason"""
        for production in {s.subcontract_production for s in shipments}:
            needs = production.subcontract_needs(production.quantity)
            sent = cls.subcontract_sent(production)
            for product, quantity in sent.items():
                if quantity > needs[product] + EPSILON:
                    raise SubcontractError(gettext(
                            'production_subcontract.msg_send_exceeds',
                            production=production.rec_name,
                            supplier=production.subcontract_party.rec_name,
                            product=product.rec_name,
                            quantity=quantity, needed=needs[product],
                            unit=product.default_uom.symbol))

    @classmethod
    def check_subcontract_balance(cls, shipments):
        """Refuse to take back or lose more than the order still has at
        the subcontractor (the rest there belongs to its other orders)"""
        pool = Pool()
        Production = pool.get('production')
        balances = Production.subcontract_balances(
            {s.subcontract_production for s in shipments})
        for shipment in shipments:
            balance = balances[shipment.subcontract_production]
            for product, quantity in shipment.subcontract_quantities().items():
                if quantity > balance[product] + EPSILON:
                    shipment.raise_balance(product, quantity, balance[product])
                balance[product] -= quantity

    def subcontract_quantities(self):
        "The quantity of each product the shipment moves"
        quantities = defaultdict(float)
        for move in self.moves:
            if move.state != 'cancelled':
                quantities[move.product] += move.internal_quantity
        return quantities

    def raise_balance(self, product, quantity, balance):
        production = self.subcontract_production
        raise SubcontractError(gettext(
                'production_subcontract.msg_shipment_order_balance',
                shipment=self.rec_name, production=production.rec_name,
                supplier=self.subcontract_party.rec_name,
                product=product.rec_name, quantity=quantity,
                available=round(balance, 6),
                unit=product.default_uom.symbol))

    @classmethod
    def subcontract_sent(cls, production):
        "The quantity sent of each product to the order, not cancelled"
        shipments = cls.search([
                ('subcontract_production', '=', production.id),
                ('subcontract_kind', '=', 'send'),
                ('state', '!=', 'cancelled'),
                ])
        sent = defaultdict(float)
        for move in (m for s in shipments for m in s.moves):
            if move.state != 'cancelled':
                sent[move.product] += move.internal_quantity
        return sent

    @classmethod
    def set_subcontract_moves(cls, shipments):
        pool = Pool()
        Move = pool.get('stock.move')
        moves = []
        for shipment in shipments:
            if not shipment.subcontract_kind:
                continue
            for move in shipment.moves:
                move.origin = shipment.subcontract_production
                move.subcontract_production = shipment.subcontract_production
                move.subcontract_kind = shipment.subcontract_kind
                moves.append(move)
        Move.save(moves)


class Move(metaclass=PoolMeta):
    __name__ = 'stock.move'

    subcontract_production = fields.Many2One(
        'production', "Subcontracted Production", readonly=True,
        ondelete='RESTRICT')
    subcontract_kind = fields.Selection(KINDS + [
            ('consume', "Consumption"),
            ('receive', "Receipt"),
            ], "Subcontract Kind", readonly=True)

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + [
            'production', 'production.subcontract.receipt']

    @classmethod
    def copy(cls, moves, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('subcontract_production', None)
        default.setdefault('subcontract_kind', None)
        return super().copy(moves, default=default)

    @classmethod
    def check_modification(cls, mode, moves, values=None, external=False):
        super().check_modification(
            mode, moves, values=values, external=external)
        if external and (
                {'subcontract_production', 'subcontract_kind'}
                & set(values or {})
                or (mode == 'create'
                    and any(m.subcontract_production or m.subcontract_kind
                        for m in moves))):
            raise AccessError(gettext(
                    'production_subcontract.msg_move_server_only'))


class SubcontractSlip(CompanyReport):
    "委外发料单: a subcontract shipment printed for the supplier to sign"
    __name__ = 'production.subcontract.slip'

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context['titles'] = {
            'send': "委外发料单",
            'supplement': "委外补料单",
            'return': "委外退料单",
            'loss': "委外损耗单",
            }
        return context
