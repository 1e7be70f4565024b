# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.model.exceptions import AccessError
from trytond.pool import Pool, PoolMeta
from trytond.modules.stock_quarantine import arguments
from trytond.rpc import RPC
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .exceptions import LotQualityError
from .quality import is_inspector

QUALITY_STATUS = [
    ('released', "Released"),
    ('on_hold', "On Hold"),
    ('rejected', "Rejected"),
    ]


class Lot(metaclass=PoolMeta):
    __name__ = 'stock.lot'

    quality_status = fields.Selection(
        QUALITY_STATUS, "Quality Status", required=True, readonly=True,
        help="Lots on hold or rejected cannot be assigned or picked.")
    quality_status_string = quality_status.translated('quality_status')
    quality_concession = fields.Boolean(
        "Concession", readonly=True,
        help="Part of the lot was accepted with deviation (让步接收).")
    quality_logs = fields.One2Many(
        'stock.lot.quality.log', 'lot', "Quality Logs", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__rpc__['set_quality_status'] = RPC(
            readonly=False, fresh_session=True)
        cls._buttons['change_quality_status'] = {}

    @classmethod
    def default_quality_status(cls):
        return 'released'

    @classmethod
    def check_modification(cls, mode, lots, values=None, external=False):
        super().check_modification(
            mode, lots, values=values, external=external)
        if not external:
            return
        if mode == 'create':
            changed = [l for l in lots
                if l.quality_status != cls.default_quality_status()
                or l.quality_concession]
        elif mode == 'write' and values.keys() & {
                'quality_status', 'quality_concession', 'quality_logs'}:
            changed = lots
        else:
            changed = []
        if changed:
            raise AccessError(gettext(
                    'quality_gate.msg_lot_quality_status_write',
                    lot=', '.join(l.rec_name for l in changed)))

    @classmethod
    def default_quality_concession(cls):
        return False

    @classmethod
    def copy(cls, lots, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('quality_status')
        default.setdefault('quality_concession')
        default.setdefault('quality_logs')
        return super().copy(lots, default=default)

    @classmethod
    @ModelView.button_action('quality_gate.wizard_lot_quality_change')
    def change_quality_status(cls, lots):
        pass

    @classmethod
    def check_quality_group(cls):
        if not is_inspector():
            raise AccessError(gettext(
                    'quality_gate.msg_lot_quality_status_access'))

    @classmethod
    def set_quality_status(cls, lots, status, reason):
        "Change the quality status of lots, logging who and why"
        pool = Pool()
        Log = pool.get('stock.lot.quality.log')
        cls.check_quality_group()
        if not isinstance(status, str) or status not in dict(QUALITY_STATUS):
            raise LotQualityError(gettext(
                    'quality_gate.msg_lot_quality_status_unknown',
                    status=arguments.show(status)))
        if not isinstance(reason, str) or not reason.strip():
            raise LotQualityError(gettext(
                    'quality_gate.msg_lot_quality_reason_required'))
        # ids over RPC, records on the server; those the caller can read
        lots = arguments.records('stock.lot', 'lots', lots)
        cls.lock(lots)
        with Transaction().set_context(_check_access=False):
            Log.save([Log(lot=l, previous_status=l.quality_status,
                        status=status, reason=reason) for l in lots])
            cls.write(lots, {'quality_status': status})

    @classmethod
    def mark_concession(cls, lots, origins):
        pool = Pool()
        Log = pool.get('stock.lot.quality.log')
        lots = list(set(lots))
        if not lots:
            return
        reason = ', '.join(sorted({o.rec_name for o in origins}))
        Log.save([Log(lot=l, previous_status=l.quality_status,
                    status=l.quality_status, concession=True,
                    reason=reason) for l in lots])
        cls.write(lots, {'quality_concession': True})


class LotQualityLog(ModelSQL, ModelView):
    "Lot Quality Status Log"
    __name__ = 'stock.lot.quality.log'

    lot = fields.Many2One(
        'stock.lot', "Lot", required=True, readonly=True, ondelete='CASCADE')
    previous_status = fields.Selection(
        QUALITY_STATUS, "Previous Status", readonly=True)
    status = fields.Selection(
        QUALITY_STATUS, "Status", required=True, readonly=True)
    concession = fields.Boolean("Concession", readonly=True)
    reason = fields.Text("Reason", required=True, readonly=True)
    employee = fields.Many2One('company.employee', "Employee", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('lot')
        cls._order = [('id', 'DESC')]

    @classmethod
    def default_employee(cls):
        "The employee of the user as stored, never a context value"
        pool = Pool()
        User = pool.get('res.user')
        user = User(Transaction().user)
        return user.employee.id if user.employee else None

    @classmethod
    def create(cls, vlist):
        # the access of lot (__access__) would let a stock user create
        # logs; even an empty list is refused to a client
        pool = Pool()
        Lot = pool.get('stock.lot')
        transaction = Transaction()
        if transaction.user and transaction.check_access:
            with without_check_access():
                lots = Lot.search([('id', 'in', [
                                v['lot'] for v in vlist
                                if isinstance(v.get('lot'), int)])])
            raise AccessError(gettext(
                    'quality_gate.msg_lot_quality_log_server',
                    lot=', '.join(sorted(l.rec_name for l in lots)) or '-'))
        return super().create(vlist)

    @classmethod
    def check_modification(cls, mode, logs, values=None, external=False):
        super().check_modification(
            mode, logs, values=values, external=external)
        if external:
            raise AccessError(gettext(
                    'quality_gate.msg_lot_quality_log_server',
                    lot=', '.join(sorted({l.lot.rec_name for l in logs}))
                    or '-'))

    @classmethod
    def default_concession(cls):
        return False


class LotQualityChangeStart(ModelView):
    "Change Lot Quality Status"
    __name__ = 'stock.lot.quality.change.start'

    status = fields.Selection(QUALITY_STATUS, "Status", required=True)
    reason = fields.Text("Reason", required=True)


class LotQualityChange(Wizard):
    "Change Lot Quality Status"
    __name__ = 'stock.lot.quality.change'

    start = StateView('stock.lot.quality.change.start',
        'quality_gate.lot_quality_change_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Change", 'change', 'tryton-ok', default=True),
            ])
    change = StateTransition()

    def transition_change(self):
        pool = Pool()
        Lot = pool.get('stock.lot')
        Lot.set_quality_status(
            self.records, self.start.status, self.start.reason)
        return 'end'


class Move(metaclass=PoolMeta):
    __name__ = 'stock.move'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['quality.disposition']

    @classmethod
    def check_lot_quality(cls, moves):
        "Refuse lots not released leaving storage outside quarantine"
        pool = Pool()
        Location = pool.get('stock.location')
        quarantine = None
        for move in moves:
            lot = getattr(move, 'lot', None)
            if (not lot or lot.quality_status == 'released'
                    or move.from_location.type != 'storage'):
                continue
            if quarantine is None:
                quarantine = set(Location.quarantine_locations())
            if (move.from_location.id in quarantine
                    or move.to_location.id in quarantine):
                continue
            raise LotQualityError(gettext(
                    'quality_gate.msg_lot_not_released',
                    lot=lot.rec_name,
                    product=move.product.rec_name,
                    status=lot.quality_status_string,
                    quantity=move.quantity,
                    location=move.from_location.rec_name))

    @property
    def quality_disposition(self):
        "The disposition that takes the move out of quarantine if any"
        Disposition = Pool().get('quality.disposition')
        for record in [self, getattr(self, 'production_input', None)]:
            if record and isinstance(record.origin, Disposition):
                return record.origin

    @classmethod
    def check_quarantine_exit(cls, moves):
        "Refuse moves out of quarantine not made by a disposition"
        pool = Pool()
        Location = pool.get('stock.location')
        InventoryLine = pool.get('stock.inventory.line')
        quarantine = None
        for move in moves:
            if move.from_location.type != 'storage':
                continue
            if quarantine is None:
                quarantine = set(Location.quarantine_locations())
            if (move.from_location.id not in quarantine
                    or move.to_location.id in quarantine
                    or move.quality_disposition):
                continue
            if isinstance(move.origin, InventoryLine):
                # A count short in quarantine would write rejected units
                # off without anyone deciding on them
                raise LotQualityError(gettext(
                        'quality_gate.msg_quarantine_inventory',
                        inventory=move.origin.inventory.rec_name,
                        quantity=move.quantity,
                        unit=move.unit.symbol,
                        product=move.product.rec_name,
                        lot=move.lot.rec_name if move.lot else '-',
                        location=move.from_location.rec_name))
            raise LotQualityError(gettext(
                    'quality_gate.msg_quarantine_exit',
                    quantity=move.quantity,
                    unit=move.unit.symbol,
                    product=move.product.rec_name,
                    lot=move.lot.rec_name if move.lot else '-',
                    location=move.from_location.rec_name,
                    to_location=move.to_location.rec_name))

    @classmethod
    def assign_try(
            cls, moves, with_childs=True, grouping=('product',), pblc=None):
        if grouping != ('product',):
            return super().assign_try(moves, with_childs=with_childs,
                grouping=grouping, pblc=pblc)
        with_lot = [m for m in moves if m.lot]
        without_lot = [m for m in moves
            if not m.lot and m.state in {'draft', 'staging'}]
        success = super().assign_try(
            with_lot, with_childs=with_childs, pblc=pblc)
        if without_lot:
            # Lots on hold or rejected are not free for moves without lot
            released = cls._assign_try_released(without_lot, with_childs)
            if pblc is not None:
                # The caller's quantities (e.g. what a purchase supplied)
                # are updated in place by the assignment: cap them there
                for company, pbl in pblc.items():
                    free = released.get(company, {})
                    for key, quantity in pbl.items():
                        pbl[key] = min(quantity, free.get(key, 0))
                released = pblc
            success &= super().assign_try(without_lot,
                with_childs=with_childs, pblc=released)
        return success

    @classmethod
    def _assign_try_released(cls, moves, with_childs):
        "The assignable quantities per company without the held lots"
        pool = Pool()
        Date = pool.get('ir.date')
        Location = pool.get('stock.location')
        Product = pool.get('product.product')
        if with_childs:
            locations = Location.search([
                    ('parent', 'child_of',
                        [m.from_location.id for m in moves]),
                    ])
        else:
            locations = list({m.from_location for m in moves})
        location_ids = [l.id for l in locations]
        product_ids = list({m.product.id for m in moves})
        grouping = ('product', 'lot')
        pblc = {}
        for company in {m.company for m in moves}:
            with Transaction().set_context(company=company.id):
                today = Date.today()
            cls._assign_try_lock(
                product_ids, location_ids, [company.id], today, grouping)
            with Transaction().set_context(
                    stock_date_end=today, stock_assign=True,
                    company=company.id):
                quantities = Product.products_by_location(
                    location_ids, grouping=grouping,
                    grouping_filter=(product_ids,))
            held = cls._held_lots(
                {k[2] for k, q in quantities.items() if k[2] and q})
            pbl = pblc[company.id] = {}
            for (location, product, lot), quantity in quantities.items():
                if lot not in held:
                    key = (location, product)
                    pbl[key] = pbl.get(key, 0) + quantity
        return pblc

    @classmethod
    def _held_lots(cls, lot_ids):
        "The ids among lot_ids of the lots on hold or rejected"
        pool = Pool()
        Lot = pool.get('stock.lot')
        return {l.id for l in Lot.browse(list(lot_ids))
            if l.quality_status != 'released'}

    @classmethod
    def assign(cls, moves):
        cls.check_lot_quality(moves)
        cls.check_quarantine_exit(moves)
        super().assign(moves)

    @classmethod
    def do(cls, moves):
        cls.check_lot_quality(moves)
        cls.check_quarantine_exit(moves)
        super().do(moves)


class ShipmentIn(metaclass=PoolMeta):
    __name__ = 'stock.shipment.in'

    def quality_inspection_moves(self):
        "The moves waiting in the input location for the decision"
        return [m for m in self.inventory_moves
            if m.state in {'staging', 'draft'}]

    def quality_inspections_failed(self):
        return [i for i in super().quality_inspections_failed()
            if not i.decided]

    @classmethod
    @ModelView.button
    def receive(cls, shipments):
        pool = Pool()
        Control = pool.get('quality.control')
        Inspection = pool.get('quality.inspection')
        super().receive(shipments)
        # The receipt notice creates the inspection of its "do" gate so
        # that the goods wait in the input location until decided
        Inspection.save(Control.get_inspections(
                [s for s in shipments if s.state == 'received'], 'do'))
