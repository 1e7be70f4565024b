# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The production picking slip (生产领料单): normal and partial, merged for
many orders, kit and supplementary picking"""
import datetime as dt
import math
from collections import defaultdict
from decimal import Decimal

from trytond import backend
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.model.exceptions import AccessError
from trytond.modules.company import CompanyReport
from trytond.modules.company.model import (
    employee_field, reset_employee, set_employee)
from trytond.modules.stock_quarantine.employee import own_employee
from trytond.modules.stock_quarantine.locking import lock_written
from trytond.modules.stock_quarantine.mixin import ProductUnitMixin
from trytond.modules.stock_quarantine.numbers import format_quantity
from trytond.pool import Pool
from trytond.pyson import Eval, Id, If
from trytond.tools import grouped_slice, reduce_ids
from trytond.transaction import Transaction

from .configuration import SequenceNumberMixin
from .exceptions import DutyError, PickingError, ScanError
from .production import EPSILON, OPEN_STATES, Issue

KINDS = [
    ('normal', "Normal"),
    ('merged', "Merged"),
    ('kit', "Kit"),
    ('supplementary', "Supplementary"),
    ]


class Picking(SequenceNumberMixin, Workflow, ModelSQL, ModelView):
    __name__ = 'production.picking'
    _number_sequence = 'picking_sequence'
    _rec_name = 'number'

    _states = {
        'readonly': Eval('state') != 'draft',
        }

    number = fields.Char("Number", readonly=True)
    company = fields.Many2One(
        'company.company', "Company", required=True, states=_states)
    warehouse = fields.Many2One(
        'stock.location', "Warehouse", required=True,
        domain=[('type', '=', 'warehouse')], states=_states)
    date = fields.Date("Date", required=True, states=_states)
    kind = fields.Selection(KINDS, "Kind", required=True, states=_states,
        help="Normal: what the orders still need, in full or in part. "
        "Merged: one total per product for many orders, split to them by "
        "start date. Kit: complete sets for a number of units of an order. "
        "Supplementary: above the BOM standard, with a reason.")
    kind_string = kind.translated('kind')
    productions = fields.Many2Many(
        'production.picking-production', 'picking', 'production',
        "Productions",
        domain=[
            ('company', '=', Eval('company', -1)),
            ('warehouse', '=', Eval('warehouse', -1)),
            ('state', 'in', sorted(OPEN_STATES)),
            ],
        states=_states,
        help="The orders to pick for: the button Fill takes what they "
        "still need.")
    kit_quantity = fields.Float(
        "Sets", digits=(16, 4),
        domain=[If(Eval('kind') == 'kit',
                ('kit_quantity', '>', 0),
                ())],
        states={
            'readonly': Eval('state') != 'draft',
            'invisible': Eval('kind') != 'kit',
            'required': Eval('kind') == 'kit',
            },
        help="The number of units of the order whose complete sets of "
        "components are picked.")
    reason = fields.Char(
        "Reason",
        states={
            'readonly': Eval('state') != 'draft',
            'invisible': Eval('kind') != 'supplementary',
            'required': Eval('kind') == 'supplementary',
            })
    totals = fields.One2Many(
        'production.picking.total', 'picking', "Totals",
        states={
            'readonly': Eval('state') != 'draft',
            'invisible': Eval('kind') != 'merged',
            },
        help="What the storekeeper picks in total of each product and lot: "
        "split to the orders by their start date.")
    lines = fields.One2Many(
        'production.picking.line', 'picking', "Lines",
        states=_states)
    comment = fields.Text("Comment")
    needs_approval = fields.Function(fields.Boolean(
            "Needs Approval",
            help="A supplementary picking above the tolerance of the "
            "configuration waits for the production manager's approval."),
        'get_needs_approval')
    requested_by = employee_field(
        "Requested by", states=['waiting', 'approved', 'done', 'cancelled'])
    requested_user = fields.Many2One(
        'res.user', "Requested by User", readonly=True)
    approved_by = employee_field(
        "Approved by", states=['approved', 'done', 'cancelled'])
    done_by = employee_field("Picked by", states=['done', 'cancelled'])
    done_at = fields.DateTime("Picked at", readonly=True)
    state = fields.Selection([
            ('draft', "Draft"),
            ('waiting', "Waiting for Approval"),
            ('approved', "Approved"),
            ('done', "Done"),
            ('cancelled', "Cancelled"),
            ], "State", required=True, readonly=True, sort=False)
    state_string = state.translated('state')

    del _states

    @classmethod
    def __setup__(cls):
        cls.number.search_unaccented = False
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.state, Index.Equality(cardinality='low')),
                    where=t.state.in_(['draft', 'waiting', 'approved'])),
                })
        cls._order = [('number', 'DESC NULLS FIRST'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'waiting'), ('waiting', 'approved'),
            ('draft', 'done'), ('approved', 'done'),
            ('waiting', 'draft'), ('approved', 'draft'),
            ('draft', 'cancelled'), ('waiting', 'cancelled'),
            ('approved', 'cancelled'), ('cancelled', 'draft'),
            }
        cls._buttons.update(cls._picking_buttons())

    @classmethod
    def _picking_buttons(cls):
        return {
            'fill': {
                'invisible': (Eval('state') != 'draft')
                | (Eval('kind') == 'supplementary'),
                'readonly': ~Eval('productions', []),
                'icon': 'tryton-refresh',
                'depends': ['state', 'kind', 'productions'],
                },
            'split': {
                'invisible': (Eval('state') != 'draft')
                | (Eval('kind') != 'merged'),
                'readonly': ~Eval('totals', []),
                'icon': 'tryton-launch',
                'depends': ['state', 'kind', 'totals'],
                },
            'request': {
                'invisible': (Eval('state') != 'draft')
                | (Eval('kind') != 'supplementary'),
                'readonly': ~Eval('lines', []),
                'icon': 'tryton-forward',
                'depends': ['state', 'kind', 'lines'],
                },
            'approve': {
                'invisible': (Eval('state') != 'waiting')
                | ~Id('production_picking', 'group_picking_approver').in_(
                    Eval('context', {}).get('groups', [])),
                'icon': 'tryton-ok',
                'depends': ['state'],
                },
            'done': {
                'invisible': ~Eval('state').in_(['draft', 'approved']),
                'readonly': (~Eval('lines', [])
                    & (Eval('kind') != 'merged')),
                'icon': 'tryton-ok',
                'depends': ['state', 'lines', 'kind'],
                },
            'cancel': {
                'invisible': Eval('state').in_(['cancelled', 'done']),
                'icon': 'tryton-cancel',
                'depends': ['state'],
                },
            'draft': {
                'invisible': ~Eval('state').in_(
                    ['waiting', 'approved', 'cancelled']),
                'icon': If(Eval('state') == 'cancelled',
                    'tryton-undo', 'tryton-back'),
                'depends': ['state'],
                },
            }

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_state():
        return 'draft'

    @staticmethod
    def default_kind():
        return 'normal'

    @classmethod
    def default_date(cls):
        pool = Pool()
        Date = pool.get('ir.date')
        return Date.today()

    @classmethod
    def default_warehouse(cls):
        pool = Pool()
        Location = pool.get('stock.location')
        return Location.get_default_warehouse()

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual',
                If(Eval('state') == 'waiting', 'warning',
                    If(Eval('state') == 'cancelled', 'muted', ''))),
            ]

    @fields.depends('state', 'number', 'kind', 'productions', 'lines',
        'totals', 'company', 'warehouse')
    def on_scan_code(self, code):
        """Add the order of a scanned order number to the slip, or set the
        scanned lot on the slip's line (total when merged) of its product
        that has no lot yet.  Only a draft slip changes; any other scan is
        refused with the reason."""
        code = (code or '').strip()
        if not code:
            return
        self.check_scan_draft()
        if not self._scan_production(code) and not self._scan_lot(code):
            raise ScanError(gettext(
                    'production_picking.msg_scan_unknown', code=code))

    def check_scan_draft(self):
        "Refuse a scan on a slip that is no longer a draft"
        self.check_scan_state()
        if self.id is not None and self.id >= 0:
            # The state as stored, whatever the client says
            self.__class__(self.id).check_scan_state()

    def check_scan_state(self):
        if self.state != 'draft':
            raise ScanError(gettext(
                    'production_picking.msg_scan_not_draft',
                    picking=self.number or '-', state=self.state_string))

    def _scan_production(self, code):
        pool = Pool()
        Production = pool.get('production')
        productions = Production.search([
                ('number', '=', code),
                ('company', '=', self.company.id if self.company else -1),
                ], limit=1)
        if not productions:
            return False
        production, = productions
        self.check_scan_production(production)
        if production not in (self.productions or []):
            self.productions = list(self.productions or []) + [production]
        return True

    def check_scan_production(self, production):
        "Refuse an order closed or of another warehouse than the slip"
        if (production.state not in OPEN_STATES
                or production.warehouse != self.warehouse):
            raise ScanError(gettext(
                    'production_picking.msg_scan_production',
                    production=production.rec_name,
                    warehouse=self.warehouse.rec_name
                    if self.warehouse else '-'))

    def _scan_lot(self, code):
        pool = Pool()
        Lot = pool.get('stock.lot')
        lots = Lot.search([('number', '=', code)], order=[('id', 'ASC')])
        if not lots:
            return False
        records = self._scan_records()
        for lot in lots:
            if self._set_scanned_lot(records, lot):
                return True
        raise ScanError(gettext(
                'production_picking.msg_scan_lot',
                lot=lots[0].rec_name, product=lots[0].product.rec_name))

    def _set_scanned_lot(self, records, lot):
        """Set lot on the first of records (lines or totals) of its product
        without lot; return whether one was"""
        for record in records:
            if record.product == lot.product and not record.lot:
                record.lot = lot
                self._set_scan_records(records)
                return True
        return False

    def _scan_records(self):
        "The records a lot is scanned on: the totals when merged, or lines"
        return list(
            (self.totals if self.kind == 'merged' else self.lines) or [])

    def _set_scan_records(self, records):
        if self.kind == 'merged':
            self.totals = records
        else:
            self.lines = records

    @property
    def print_productions(self):
        "The orders of the lines by planned start, for the printed slip"
        return sorted({l.production for l in self.lines if l.production},
            key=_start_key)

    # Rules of the client's writes

    @classmethod
    def check_modification(cls, mode, pickings, values=None, external=False):
        super().check_modification(
            mode, pickings, values=values, external=external)
        if mode == 'create' and external:
            cls.check_client_create(pickings)
        elif mode == 'write' and external:
            cls.check_client_write(pickings, values)
        elif mode == 'delete':
            for picking in pickings:
                picking.check_delete()

    def check_delete(self):
        if self.state not in {'draft', 'cancelled'}:
            raise AccessError(gettext(
                    'production_picking.msg_delete_draft',
                    picking=self.rec_name))

    @classmethod
    def _audit_fields(cls):
        return ['number', 'requested_by', 'requested_user', 'approved_by',
            'done_by', 'done_at']

    @classmethod
    def check_client_create(cls, pickings):
        for picking in pickings:
            audit = picking._created_audit_fields()
            if audit:
                cls.raise_audit_fields([picking], audit)

    def _created_audit_fields(self):
        "The state and the audit fields that a client set on a new picking"
        audit = [n for n in self._audit_fields()
            if n != 'number' and getattr(self, n) is not None]
        if self.state != 'draft':
            audit.insert(0, 'state')
        return audit

    @classmethod
    def check_client_write(cls, pickings, values):
        audit = [n for n in ['state'] + cls._audit_fields() if n in values]
        if audit:
            cls.raise_audit_fields(pickings, audit)
        if values.keys() - {'comment'}:
            for picking in pickings:
                picking.check_draft()

    def check_draft(self):
        "Refuse to change a picking no longer a draft"
        if self.state != 'draft':
            raise AccessError(gettext(
                    'production_picking.msg_modify_not_draft',
                    picking=self.rec_name,
                    state=self.state_string))

    @classmethod
    def raise_audit_fields(cls, pickings, names):
        raise AccessError(gettext(
                'production_picking.msg_audit_fields',
                picking=', '.join(
                    p.rec_name for p in pickings[:5] if p.number) or '-',
                fields=', '.join(
                    '"%s"' % cls.__names__(n)['field'] for n in names)))

    @classmethod
    def copy(cls, pickings, default=None):
        default = default.copy() if default is not None else {}
        for name in cls._audit_fields():
            default.setdefault(name)
        return super().copy(pickings, default=default)

    # What the orders still need

    @classmethod
    def get_needs_approval(cls, pickings, name):
        needs = dict.fromkeys([p.id for p in pickings], False)
        supplementary = [p for p in pickings
            if p.kind == 'supplementary' and p.state == 'draft']
        if supplementary:
            for picking, _ in cls.above_tolerance(supplementary):
                needs[picking.id] = True
        return needs

    @classmethod
    def above_tolerance(cls, pickings):
        """Yield (picking, (line, standard, supplementary)) of the
        supplementary pickings whose lines bring an order's supplementary
        quantity of a product above the tolerance of its standard"""
        pool = Pool()
        Configuration = pool.get('production.configuration')
        tolerance = float(
            Configuration(1).supplementary_tolerance or Decimal(0))
        components = cls._line_components(pickings)
        for picking in pickings:
            above = picking._above_tolerance(components, tolerance)
            if above:
                yield picking, above

    @classmethod
    def _line_components(cls, pickings):
        """The picking progress of the orders of the lines by (production
        id, product id)"""
        pool = Pool()
        Component = pool.get('production.picking.component')
        productions = {l.production.id for p in pickings for l in p.lines
            if l.production}
        return {(c.production.id, c.product.id): c
            for c in Component.search([
                    ('production', 'in', sorted(productions)),
                    ])}

    def _above_tolerance(self, components, tolerance):
        """The first (line, standard, supplementary) whose supplementary
        quantity is above the tolerance % of the standard"""
        pool = Pool()
        Uom = pool.get('product.uom')
        asked = defaultdict(float)
        for line in self.lines:
            if not (line.production and line.product and line.unit
                    and line.quantity):
                continue
            key = line.production.id, line.product.id
            asked[key] += Uom.compute_qty(line.unit, line.quantity,
                line.product.default_uom, round=False)
            component = components.get(key)
            standard = component.standard_quantity if component else 0
            done = component.supplementary_quantity if component else 0
            if (asked[key] + done
                    > (standard or 0) * tolerance / 100 + EPSILON):
                return line, standard or 0, asked[key] + done

    @classmethod
    def check_tolerance(cls, pickings):
        "Refuse the supplementary pickings above tolerance not approved"
        pool = Pool()
        Configuration = pool.get('production.configuration')
        tolerance = Configuration(1).supplementary_tolerance or Decimal(0)
        for picking, (line, standard, asked) in cls.above_tolerance(
                pickings):
            unit = line.product.default_uom
            raise PickingError(gettext(
                    'production_picking.msg_needs_approval',
                    picking=picking.rec_name,
                    production=line.production.rec_name,
                    product=line.product.rec_name,
                    quantity=format_quantity(unit, asked),
                    standard=format_quantity(unit, standard),
                    tolerance=format_quantity(None, tolerance),
                    unit=unit.symbol))

    @classmethod
    def remaining(cls, productions):
        """Return what each order still plans to pick of each product:
        {(production, product): quantity in the product's unit}, in the
        order of the orders' planned start and of the products' codes"""
        pool = Pool()
        Production = pool.get('production')
        Product = pool.get('product.product')
        planned = Production.planned_quantities(productions)
        products = sorted(Product.browse(sorted({p for _, p in planned})),
            key=lambda p: p.rec_name)
        remaining = {}
        for production in sorted(productions, key=_start_key):
            for product in products:
                quantity = planned.get((production.id, product.id), 0)
                if quantity > EPSILON:
                    remaining[production, product] = quantity
        return remaining

    # Buttons

    @classmethod
    @ModelView.button
    def fill(cls, pickings):
        "Fill the lines (or the totals of a merged picking) of the orders"
        pool = Pool()
        Line = pool.get('production.picking.line')
        Total = pool.get('production.picking.total')
        pickings = [p for p in cls.browse(pickings) if p.state == 'draft']
        Line.delete([l for p in pickings if p.kind != 'supplementary'
                for l in p.lines])
        Total.delete([t for p in pickings if p.kind == 'merged'
                for t in p.totals])
        Line.save([l for p in pickings for l in p.get_fill_lines()])
        Total.save([t for p in pickings if p.kind == 'merged'
                for t in p.get_totals()])
        cls.split([p for p in pickings if p.kind == 'merged'])

    def get_fill_lines(self):
        "The lines that fill the picking of its kind"
        if self.kind == 'normal':
            return self.get_remaining_lines()
        elif self.kind == 'kit':
            return self.get_kit_lines()
        return []

    def get_remaining_lines(self):
        "The lines of all that the orders still plan to pick"
        return [self._new_line(production, product, quantity)
            for (production, product), quantity
            in self.remaining(self.productions).items()]

    def _new_line(self, production, product, quantity):
        "A line of quantity of product in its default unit for production"
        pool = Pool()
        Line = pool.get('production.picking.line')
        unit = product.default_uom
        return Line(picking=self, production=production, product=product,
            quantity=unit.round(quantity), unit=unit)

    def get_totals(self):
        "The totals per product of what the orders still plan to pick"
        pool = Pool()
        Total = pool.get('production.picking.total')
        totals = {}
        for (_, product), quantity in self.remaining(
                self.productions).items():
            totals[product] = totals.get(product, 0) + quantity
        return [Total(picking=self, product=product,
                quantity=product.default_uom.round(quantity),
                unit=product.default_uom)
            for product, quantity in sorted(
                totals.items(), key=lambda t: t[0].rec_name)]

    def get_kit_lines(self):
        """The lines of complete sets of components for kit_quantity units
        of the order, at most what the free stock completes"""
        production = self.kit_production()
        per_set = self.kit_per_set(production)
        if not per_set:
            raise PickingError(gettext(
                    'production_picking.msg_kit_no_components',
                    production=production.rec_name))
        sets = self.kit_quantity or 0
        self.check_kit_sets(production, per_set, sets)
        return [self._new_line(production, product, quantity * sets)
            for product, quantity in sorted(
                per_set.items(), key=lambda p: p[0].rec_name)]

    def kit_production(self):
        "The one order of a kit picking"
        if len(self.productions) != 1:
            raise PickingError(gettext(
                    'production_picking.msg_kit_one_production',
                    picking=self.rec_name or '-'))
        production, = self.productions
        return production

    @classmethod
    def kit_per_set(cls, production):
        """The quantity of each picked component for one unit of the
        order: its standard (BOM with loss rate) / the order quantity"""
        pool = Pool()
        Component = pool.get('production.picking.component')
        if not production.quantity:
            return {}
        return {c.product: c.standard_quantity / production.quantity
            for c in Component.search([('production', '=', production.id)])
            if not c.backflush and c.standard_quantity}

    def check_kit_sets(self, production, per_set, sets):
        """Refuse more sets than the free stock completes or than the
        order still plans to pick"""
        limit = self._kit_limit(production, per_set)
        possible = math.floor(max(limit[0], 0) + EPSILON)
        if sets > possible + EPSILON:
            self.raise_kit_sets(production, sets, possible, *limit[1:])

    def _kit_limit(self, production, per_set):
        """The (sets, product, stock, remaining, quantity a set) of the
        component that limits the sets most"""
        pool = Pool()
        Kitting = pool.get('production.kitting')
        free = Kitting.load_stock(
            [p.id for p in per_set], production.warehouse.id)
        remaining = self.remaining([production])
        limits = []
        for product, quantity in per_set.items():
            rest = remaining.get((production, product), 0)
            limits.append((min(free.get(product.id, 0), rest) / quantity,
                    product, free.get(product.id, 0), rest, quantity))
        return min(limits, key=lambda l: l[0])

    def raise_kit_sets(
            self, production, sets, possible, product, stock, rest,
            quantity):
        unit = product.default_uom
        raise PickingError(gettext(
                'production_picking.msg_kit_sets',
                picking=self.rec_name or '-',
                production=production.rec_name,
                sets=format_quantity(production.unit, sets),
                possible=possible,
                product=product.rec_name,
                stock=format_quantity(unit, stock),
                remaining=format_quantity(unit, rest),
                quantity=format_quantity(unit, quantity),
                unit=unit.symbol))

    @classmethod
    @ModelView.button
    def split(cls, pickings):
        """Split the totals of the merged pickings to their orders: by
        planned start date, each up to what it still plans to pick"""
        pool = Pool()
        Line = pool.get('production.picking.line')
        pickings = [p for p in cls.browse(pickings)
            if p.state == 'draft' and p.kind == 'merged']
        to_delete, to_save = [], []
        for picking in pickings:
            lines = picking.get_split_lines()
            if not picking.is_split(lines):
                to_delete.extend(picking.lines)
                to_save.extend(lines)
        Line.delete(to_delete)
        Line.save(to_save)

    def is_split(self, lines):
        "Whether the lines of the picking are already the lines of its split"
        return (sorted(map(_split_key, self.lines))
            == sorted(map(_split_key, lines)))

    def get_split_lines(self):
        remaining = self.remaining(self.productions)
        needs = defaultdict(list)
        for production, product in remaining:
            needs[product].append(production)
        lines = []
        for total in self.totals:
            lines.extend(self._split_total(
                    total, needs[total.product], remaining))
        return lines

    def _split_total(self, total, productions, remaining):
        """The lines of the total to the productions in their order, each
        up to what remains to it (updated)"""
        pool = Pool()
        Line = pool.get('production.picking.line')
        Uom = pool.get('product.uom')
        product = total.product
        left = Uom.compute_qty(total.unit, total.quantity,
            product.default_uom, round=False)
        lines = []
        for production in productions:
            if left <= EPSILON:
                break
            taken = product.default_uom.round(
                min(remaining[production, product], left))
            if taken <= 0:
                # filled by an earlier total of the product
                continue
            remaining[production, product] -= taken
            left -= taken
            lines.append(Line(picking=self, production=production,
                    product=product, lot=total.lot,
                    quantity=taken, unit=product.default_uom))
        if left > EPSILON:
            self.raise_split_above_need(total, left)
        return lines

    def raise_split_above_need(self, total, extra):
        product = total.product
        raise PickingError(gettext(
                'production_picking.msg_split_above_need',
                picking=self.rec_name or '-',
                product=product.rec_name,
                total=format_quantity(total.unit, total.quantity),
                extra=format_quantity(product.default_uom, extra),
                unit=product.default_uom.symbol))

    @classmethod
    @ModelView.button
    @Workflow.transition('waiting')
    @own_employee
    @set_employee('requested_by')
    def request(cls, pickings):
        cls.check_lines(pickings)
        cls.write(pickings, {'requested_user': Transaction().user})

    @classmethod
    @ModelView.button
    @own_employee
    def approve(cls, pickings):
        pool = Pool()
        User = pool.get('res.user')
        pickings = [p for p in cls.lock_steps(pickings)
            if p.state == 'waiting']
        user = User(Transaction().user)
        for picking in pickings:
            picking.check_duties(user)
        cls.accept(pickings)

    def check_duties(self, user):
        "Refuse the approval of the user who requested the picking"
        if self.requested_by_user(user):
            raise DutyError(gettext(
                    'production_picking.msg_separate_duties',
                    picking=self.rec_name,
                    user=(self.requested_by.rec_name if self.requested_by
                        else self.requested_user.rec_name)))

    @classmethod
    @Workflow.transition('approved')
    @set_employee('approved_by')
    def accept(cls, pickings):
        pass

    def requested_by_user(self, user):
        employee = user.employee
        return (self.requested_user == user
            or (employee is not None and employee.company == self.company
                and self.requested_by == employee))

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    @reset_employee('requested_by', 'approved_by')
    def draft(cls, pickings):
        cls.write(pickings, {'requested_user': None})

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, pickings):
        pass

    @classmethod
    def lock_steps(cls, pickings):
        """Lock the pickings and return them as stored then: a picking
        done (or approved) twice at once is done once"""
        lock_written(cls, pickings)
        return cls.browse([p.id for p in pickings])

    @classmethod
    def lock_issue(cls, pickings):
        """Lock first what issuing the pickings locks: the transaction is
        retried to take the locks before any work is done"""
        pool = Pool()
        Production = pool.get('production')
        productions, products = cls._line_ids(pickings)
        for picking in pickings:
            if picking.kind == 'merged':
                productions.update(p.id for p in picking.productions)
                products.update(t.product.id for t in picking.totals)
        Production.lock_issue_records(productions, products)

    @classmethod
    def _line_ids(cls, pickings):
        """The ids of the orders and of the products of the pickings' lines
        (read again at each retry of the transaction for its locks)"""
        pool = Pool()
        Line = pool.get('production.picking.line')
        line = Line.__table__()
        cursor = Transaction().connection.cursor()
        productions, products = set(), set()
        for sub_ids in grouped_slice(
                [p.id for p in pickings], backend.MAX_QUERY_PARAMS):
            cursor.execute(*line.select(line.production, line.product,
                    where=reduce_ids(line.picking, sub_ids)))
            for production, product in cursor:
                productions.add(production)
                products.add(product)
        return productions, products

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    @own_employee
    @set_employee('done_by')
    def done(cls, pickings):
        pool = Pool()
        Production = pool.get('production')
        pickings = [p for p in cls.lock_steps(pickings)
            if p.state in {'draft', 'approved'}]
        if not pickings:
            return
        cls.lock_issue(pickings)
        cls.split([p for p in pickings if p.kind == 'merged' and p.totals])
        pickings = cls.browse(pickings)
        cls.check_lines(pickings)
        cls.check_tolerance([p for p in pickings
                if p.state == 'draft' and p.kind == 'supplementary'])
        Production.issue([l.get_issue() for p in pickings for l in p.lines])
        cls.write(pickings, {'done_at': dt.datetime.now()})

    @classmethod
    def check_lines(cls, pickings):
        pool = Pool()
        Production = pool.get('production')
        backflushed = Production.backflushed_products(
            {l.production for p in pickings for l in p.lines})
        for picking in pickings:
            picking.check_content()
            for line in picking.lines:
                line.check_line(backflushed)

    def check_content(self):
        "Refuse a picking without lines or supplementary without reason"
        if not self.lines:
            raise PickingError(gettext(
                    'production_picking.msg_no_lines',
                    picking=self.rec_name))
        if self.kind == 'supplementary' and not self.reason:
            raise PickingError(gettext(
                    'production_picking.msg_reason_required',
                    picking=self.rec_name))


class PickingProduction(ModelSQL):
    __name__ = 'production.picking-production'
    picking = fields.Many2One(
        'production.picking', "Picking", required=True, ondelete='CASCADE')
    production = fields.Many2One(
        'production', "Production", required=True, ondelete='CASCADE')


class PickingTotal(ProductUnitMixin, ModelSQL, ModelView):
    __name__ = 'production.picking.total'
    picking = fields.Many2One(
        'production.picking', "Picking", required=True, ondelete='CASCADE',
        states={
            'readonly': Eval('picking_state') != 'draft',
            })
    product = fields.Many2One(
        'product.product', "Product", required=True,
        domain=[('type', 'in', ['goods', 'assets'])],
        states={
            'readonly': Eval('picking_state') != 'draft',
            })
    lot = fields.Many2One(
        'stock.lot', "Lot",
        domain=[('product', '=', Eval('product', -1))],
        states={
            'readonly': Eval('picking_state') != 'draft',
            })
    quantity = fields.Float(
        "Quantity", digits='unit', required=True,
        domain=[('quantity', '>', 0)],
        states={
            'readonly': Eval('picking_state') != 'draft',
            })
    unit = fields.Many2One(
        'product.uom', "Unit", required=True,
        domain=[('category', '=', Eval('product_uom_category', -1))],
        states={
            'readonly': Eval('picking_state') != 'draft',
            })
    picking_state = fields.Function(fields.Selection(
            'get_picking_states', "Picking State"),
        'on_change_with_picking_state')

    @classmethod
    def get_picking_states(cls):
        pool = Pool()
        Picking = pool.get('production.picking')
        return Picking.fields_get(['state'])['state']['selection']

    @fields.depends('picking', '_parent_picking.state')
    def on_change_with_picking_state(self, name=None):
        return self.picking.state if self.picking else 'draft'

    @classmethod
    def check_modification(cls, mode, totals, values=None, external=False):
        super().check_modification(
            mode, totals, values=values, external=external)
        for total in totals:
            total.picking.check_draft()


class PickingLine(ProductUnitMixin, ModelSQL, ModelView):
    __name__ = 'production.picking.line'
    _states = {
        'readonly': Eval('picking_state') != 'draft',
        }
    picking = fields.Many2One(
        'production.picking', "Picking", required=True, ondelete='CASCADE',
        states=_states)
    production = fields.Many2One(
        'production', "Production", required=True,
        domain=[
            If(Eval('picking_state') == 'draft',
                ('state', 'in', sorted(OPEN_STATES)),
                ()),
            ],
        states=_states)
    product = fields.Many2One(
        'product.product', "Product", required=True,
        domain=[('type', 'in', ['goods', 'assets'])],
        states=_states)
    lot = fields.Many2One(
        'stock.lot', "Lot",
        domain=[('product', '=', Eval('product', -1))],
        states=_states)
    quantity = fields.Float(
        "Quantity", digits='unit', required=True,
        domain=[('quantity', '>', 0)], states=_states)
    unit = fields.Many2One(
        'product.uom', "Unit", required=True,
        domain=[('category', '=', Eval('product_uom_category', -1))],
        states=_states)
    remaining_quantity = fields.Function(fields.Float(
            "To Pick", digits='unit',
            help="What the order still plans to pick of the product, "
            "this slip not included."),
        'get_remaining_quantity')
    move = fields.Function(fields.Many2One(
            'stock.move', "Move",
            help="The move that issued the line (its origin)."),
        'get_move')
    picking_state = fields.Function(fields.Selection(
            'get_picking_states', "Picking State"),
        'on_change_with_picking_state')
    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.production, Index.Range())),
                })
        cls._order.insert(0, ('picking', 'DESC'))

    get_picking_states = PickingTotal.get_picking_states
    on_change_with_picking_state = PickingTotal.on_change_with_picking_state

    def get_rec_name(self, name):
        return '%s %s' % (self.picking.rec_name or '',
            self.product.rec_name if self.product else '')

    @classmethod
    def get_remaining_quantity(cls, lines, name):
        pool = Pool()
        Picking = pool.get('production.picking')
        productions = {l.production for l in lines if l.production}
        remaining = Picking.remaining(list(productions))
        return {l.id: l._remaining_quantity(remaining) for l in lines}

    def _remaining_quantity(self, remaining):
        "What remains to pick for the line's order, in the line's unit"
        pool = Pool()
        Uom = pool.get('product.uom')
        quantity = remaining.get((self.production, self.product), 0)
        if self.unit and self.product:
            quantity = Uom.compute_qty(self.product.default_uom,
                quantity, self.unit)
        return quantity

    @classmethod
    def get_move(cls, lines, name):
        "The done (or cancelled) move whose origin is the line"
        pool = Pool()
        Move = pool.get('stock.move')
        moves = {}
        for move in Move.search([
                    ('origin', 'in', [str(l) for l in lines]),
                    ], order=[('id', 'ASC')]):
            moves.setdefault(move.origin.id, move.id)
        return {l.id: moves.get(l.id) for l in lines}

    @classmethod
    def check_modification(cls, mode, lines, values=None, external=False):
        super().check_modification(
            mode, lines, values=values, external=external)
        for line in lines:
            line.picking.check_draft()

    def check_line(self, backflushed):
        """Check the line can be issued as its picking's kind; backflushed:
        the (production id, product id) of the orders' backflushed inputs"""
        self.check_line_warehouse()
        if (self.picking.kind != 'supplementary'
                and (self.production.id, self.product.id) in backflushed):
            raise PickingError(gettext(
                    'production_picking.msg_line_backflush',
                    picking=self.picking.rec_name,
                    production=self.production.rec_name,
                    product=self.product.rec_name))

    def check_line_warehouse(self):
        "Refuse an order of another company or warehouse than the picking"
        picking, production = self.picking, self.production
        if (production.company != picking.company
                or production.warehouse != picking.warehouse):
            raise PickingError(gettext(
                    'production_picking.msg_line_warehouse',
                    picking=picking.rec_name,
                    production=production.rec_name,
                    warehouse=picking.warehouse.rec_name))

    def get_issue(self):
        kind = ('supplementary' if self.picking.kind == 'supplementary'
            else 'picking')
        return Issue(self.production, self.product, self.lot, self.quantity,
            self.unit, self, kind)


def _split_key(line):
    return (line.production.id, line.product.id,
        line.lot.id if line.lot else None, line.quantity, line.unit.id)


def _start_key(production):
    return (production.planned_start_date or dt.date.max,
        production.number or '', production.id)


class PickingSlip(CompanyReport):
    __name__ = 'production.picking'

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context['format_quantity'] = format_quantity
        return context
