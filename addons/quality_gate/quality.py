# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
import math
from decimal import Decimal
from zoneinfo import ZoneInfo

from sql import Literal, Null
from sql.aggregate import Count, Min, Sum
from sql.conditionals import Case
from sql.functions import DateTrunc

from trytond.i18n import gettext
from trytond.model import (
    Model, ModelSQL, ModelView, Workflow, dualmethod, fields)
from trytond.model.exceptions import AccessError
from trytond.modules.company import CompanyReport
from trytond.modules.company.model import set_employee
from trytond.modules.stock_quarantine.numbers import (
    format_month, format_quantity)
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, If
from trytond.transaction import Transaction

from .exceptions import DecisionError, InspectionLineError



def is_inspector():
    "Whether the user of the transaction is a quality inspector"
    pool = Pool()
    ModelData = pool.get('ir.model.data')
    User = pool.get('res.user')
    if Transaction().user == 0:
        return True
    group = ModelData.get_id('quality_gate', 'group_quality_inspector')
    return group in User.get_groups()


def from_client(external):
    "Whether a modification comes from a client: an RPC call or a form"
    return external or Transaction().context.get(
        '_quality_gate_client', False)


def changed_fields(records, values, names):
    "The fields among names to which values give another value on records"
    changed = set()
    for name in values.keys() & set(names):
        for record in records:
            current = getattr(record, name)
            if isinstance(current, Model):
                current = current.id
            if current != values[name]:
                changed.add(name)
    return changed


def _with_unit(unit, quantity):
    return '%s %s' % (format_quantity(unit, quantity), unit.symbol)


SAMPLING = [
    ('all', "All"),
    ('fixed', "Fixed Count"),
    ('percentage', "Percentage"),
    ]


class Control(metaclass=PoolMeta):
    __name__ = 'quality.control'

    sampling = fields.Selection(
        SAMPLING, "Sampling", required=True,
        help="How many units of each inspected quantity are sampled.")
    sample_count = fields.Integer(
        "Sample Count",
        domain=[
            If(Eval('sampling') == 'fixed',
                ('sample_count', '>', 0),
                ()),
            ],
        states={
            'invisible': Eval('sampling') != 'fixed',
            'required': Eval('sampling') == 'fixed',
            })
    sample_percentage = fields.Float(
        "Sample Percentage", digits=(1, 4),
        domain=[
            If(Eval('sampling') == 'percentage',
                [('sample_percentage', '>', 0),
                    ('sample_percentage', '<=', 1)],
                []),
            ],
        states={
            'invisible': Eval('sampling') != 'percentage',
            'required': Eval('sampling') == 'percentage',
            })

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.product_category.context = {
            'company': Eval('company', Eval('context', {}).get('company')),
            }
        cls.product_category.depends.add('company')

    @classmethod
    def default_sampling(cls):
        return 'all'

    def sample_quantity(self, quantity, unit):
        "Return the quantity to sample out of quantity"
        if self.sampling == 'fixed':
            return min(quantity, self.sample_count or 0)
        elif self.sampling == 'percentage':
            return min(quantity, unit.ceil(
                    quantity * (self.sample_percentage or 0)))
        return quantity

    @classmethod
    def get_inspections(cls, records, operation):
        pool = Pool()
        Inspection = pool.get('quality.inspection')
        inspections = super().get_inspections(records, operation)
        inspected = {i.origin for i in inspections}
        for record in records:
            control = getattr(record, 'quality_rework_control', None)
            if (operation == 'do' and control and record not in inspected
                    and not record.quality_controlled_for(operation)):
                inspections.append(
                    Inspection.get_from_control(control, record))
        return inspections

    def match_product(self, product):
        return self.match({'product': product.id})


class ConfigurationSequence(metaclass=PoolMeta):
    __name__ = 'quality.configuration.sequence'

    @classmethod
    def default_inspection_sequence(cls):
        "Inspections numbered QC0001, QC0002… rather than 1, 2…"
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        try:
            return ModelData.get_id(
                'quality_gate', 'sequence_quality_inspection')
        except KeyError:
            return super().default_inspection_sequence()


DECISIONS = [
    (None, ""),
    ('pending', "To Inspect"),
    ('passed', "Passed"),
    ('concession', "Concession"),
    ('partial', "Partly Rejected"),
    ('rejected', "Rejected"),
    ]


class Inspection(metaclass=PoolMeta):
    __name__ = 'quality.inspection'

    inspection_date = fields.Function(fields.Date(
            "Date",
            help="The day the inspection was created, in the company's "
            "time zone."),
        'get_inspection_date')
    products = fields.Function(fields.Char(
            "Products", help="The products inspected."),
        'get_summary')
    quantities = fields.Function(fields.Char(
            "Quantities",
            help="The inspected quantity, and once decided how much was "
            "accepted, accepted with deviation and rejected."),
        'get_summary')
    decision = fields.Function(fields.Selection(
            DECISIONS, "Decision",
            help="The outcome per unit: a decision that rejects part of "
            "the quantity is partly rejected, not rejected."),
        'get_summary')
    lines = fields.One2Many(
        'quality.inspection.line', 'inspection', "Lines",
        states={
            'readonly': Eval('state') != 'pending',
            },
        help="The inspected quantities per move and lot with their "
        "decision.")
    decided = fields.Boolean(
        "Decided", readonly=True,
        help="The quantities have been routed by the decision.")
    sampling = fields.Function(
        fields.Selection(SAMPLING, "Sampling"), 'on_change_with_sampling')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons['pending']['invisible'] = (
            cls._buttons['pending']['invisible'] | Eval('decided', False))
        cls._buttons['pending']['depends'] = ['state', 'decided']

    @classmethod
    def default_decided(cls):
        return False

    @classmethod
    def _decided_writable(cls):
        "The fields of Tryton's bookkeeping still written once decided"
        return {
            'state', 'processed_by', 'processed_at', 'passed_by',
            'failed_by', 'superseded'}

    @classmethod
    def check_modification(
            cls, mode, inspections, values=None, external=False):
        super().check_modification(
            mode, inspections, values=values, external=external)
        external = from_client(external)
        if mode == 'write' and values:
            for inspection in inspections:
                if inspection.decided and (external
                        or values.keys() - cls._decided_writable()):
                    raise AccessError(gettext(
                            'quality_gate.msg_inspection_decided_write',
                            inspection=inspection.rec_name))
        if external and (
                (mode == 'write'
                    and changed_fields(inspections, values, ['decided']))
                or (mode == 'create'
                    and any(i.decided for i in inspections))):
            raise AccessError(gettext(
                    'quality_gate.msg_inspection_decided_server',
                    inspection=', '.join(i.rec_name for i in inspections)))

    @fields.depends('control')
    def on_change_with_sampling(self, name=None):
        return self.control.sampling if self.control else None

    def get_inspection_date(self, name):
        if self.create_date:
            timezone = (ZoneInfo(self.company.timezone)
                if self.company and self.company.timezone else None)
            created = self.create_date.replace(tzinfo=dt.timezone.utc)
            return created.astimezone(timezone).date()

    @classmethod
    def get_summary(cls, inspections, names):
        summaries = {i.id: i._summary() for i in inspections}
        return {n: {i: s[n] for i, s in summaries.items() if n in s}
            for n in names}

    def _summary(self):
        "The products, quantities and decision of the inspection in words"
        lines = list(self.lines)
        products = []
        for line in lines:
            if line.product.rec_name not in products:
                products.append(line.product.rec_name)
        text = products[0] if products else ''
        if len(products) > 1:
            text = gettext('quality_gate.msg_inspection_products_more',
                product=products[0], count=len(products) - 1,
                total=len(products))
        totals = {}
        for line in lines:
            total = totals.setdefault(line.unit, [0, 0, 0, 0])
            for i, quantity in enumerate([
                        line.quantity, line.accepted_quantity,
                        line.rejected_quantity, line.concession_quantity]):
                total[i] += quantity or 0
        quantities = []
        for unit, (quantity, accepted, rejected, concession) in (
                totals.items()):
            if self.decided:
                words = [gettext('quality_gate.msg_inspection_accepted',
                        quantity=_with_unit(unit, accepted))]
                if concession:
                    words.append(gettext(
                            'quality_gate.msg_inspection_concession',
                            quantity=_with_unit(unit, concession)))
                if rejected:
                    words.append(gettext(
                            'quality_gate.msg_inspection_rejected',
                            quantity=_with_unit(unit, rejected)))
                quantities.append(
                    gettext('quality_gate.msg_list_separator').join(words))
            else:
                quantities.append(_with_unit(unit, quantity))
        rejected = sum(t[2] for t in totals.values())
        kept = sum(t[1] + t[3] for t in totals.values())
        concession = sum(t[3] for t in totals.values())
        if self.state == 'pending' and not self.decided:
            decision = 'pending'
        elif not lines:
            decision = 'passed' if self.state == 'passed' else 'rejected'
        elif rejected and kept:
            decision = 'partial'
        elif rejected:
            decision = 'rejected'
        elif concession:
            decision = 'concession'
        else:
            decision = 'passed'
        return {
            'products': text,
            'quantities': '; '.join(quantities),
            'decision': decision,
            }

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree/field[@name="decision"]', 'visual',
                If(Eval('decision') == 'rejected', 'danger',
                    If(Eval('decision').in_(['partial', 'pending']),
                        'warning',
                        If(Eval('decision') == 'concession', 'muted',
                            'success')))),
            ]

    @classmethod
    def get_from_control(cls, control, origin=None):
        pool = Pool()
        Line = pool.get('quality.inspection.line')
        inspection = super().get_from_control(control, origin=origin)
        if origin is not None and hasattr(origin, 'quality_inspection_moves'):
            inspection.lines = [
                Line.get_from_move(control, m)
                for m in origin.quality_inspection_moves()
                if control.match_product(m.product)]
        elif (origin is not None
                and hasattr(origin, 'get_quality_inspection_lines')):
            inspection.lines = origin.get_quality_inspection_lines(control)
        return inspection

    def check(self):
        return super().check() and not any(
            l.rejected_quantity for l in self.lines)

    def check_decidable(self):
        if self.state != 'pending' or self.decided:
            raise DecisionError(gettext(
                    'quality_gate.msg_inspection_already_decided',
                    inspection=self.rec_name))

    @dualmethod
    @ModelView.button
    def process(cls, inspections):
        pool = Pool()
        Line = pool.get('quality.inspection.line')
        to_decide = [i for i in inspections if i.lines]
        if to_decide:
            # Lock before reading the state so that a second decision
            # made at the same time fails instead of routing twice
            cls.lock(to_decide)
            to_decide = cls.browse([i.id for i in to_decide])
            for inspection in to_decide:
                inspection.check_decidable()
                # The inspect wizard of the gate calls process without
                # checking the button's groups
                if not is_inspector():
                    raise AccessError(gettext(
                            'quality_gate.msg_inspection_decide_access',
                            inspection=inspection.rec_name))
            Line.decide([l for i in to_decide for l in i.lines])
            cls.write(to_decide, {'decided': True})
        super().process(inspections)

    @classmethod
    @ModelView.button
    @Workflow.transition('pending')
    def pending(cls, inspections):
        for inspection in inspections:
            if inspection.decided:
                raise DecisionError(gettext(
                        'quality_gate.msg_inspection_decided_pending',
                        inspection=inspection.rec_name))
        super().pending(inspections)

    @classmethod
    def copy(cls, inspections, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('lines')
        default.setdefault('decided')
        return super().copy(inspections, default=default)


class InspectionLine(ModelSQL, ModelView):
    "Quality Inspection Line"
    __name__ = 'quality.inspection.line'

    _states = {
        'readonly': Eval('inspection_state') != 'pending',
        }

    inspection = fields.Many2One(
        'quality.inspection', "Inspection", required=True,
        ondelete='CASCADE')
    inspection_state = fields.Function(
        fields.Selection('get_inspection_states', "Inspection State"),
        'on_change_with_inspection_state')
    move = fields.Many2One(
        'stock.move', "Move", readonly=True, ondelete='SET NULL')
    product = fields.Many2One(
        'product.product', "Product", required=True, readonly=True)
    lot = fields.Many2One(
        'stock.lot', "Lot", readonly=True,
        domain=[
            ('product', '=', Eval('product', -1)),
            ])
    unit = fields.Many2One('product.uom', "Unit", required=True, readonly=True)
    supplier = fields.Many2One('party.party', "Supplier", readonly=True)
    quantity = fields.Float(
        "Inspected Quantity", digits='unit', required=True, readonly=True)
    sample_quantity = fields.Float(
        "Sample Quantity", digits='unit', readonly=True)
    accepted_quantity = fields.Float(
        "Accepted Quantity", digits='unit', required=True, states=_states,
        domain=[('accepted_quantity', '>=', 0)])
    rejected_quantity = fields.Float(
        "Rejected Quantity", digits='unit', required=True, states=_states,
        domain=[('rejected_quantity', '>=', 0)])
    concession_quantity = fields.Float(
        "Concession Quantity", digits='unit', required=True, states=_states,
        domain=[('concession_quantity', '>=', 0)],
        help="Quantity accepted with deviation (让步接收).")
    rejection_reason = fields.Char(
        "Rejection Reason", states=_states)
    rejected_move = fields.Many2One(
        'stock.move', "Rejected Move", readonly=True, ondelete='SET NULL',
        help="The move that brings the rejected quantity to quarantine.")
    dispositions = fields.One2Many(
        'quality.disposition', 'inspection_line', "Dispositions",
        readonly=True)

    del _states

    @classmethod
    def default_accepted_quantity(cls):
        return 0

    @classmethod
    def default_rejected_quantity(cls):
        return 0

    @classmethod
    def default_concession_quantity(cls):
        return 0

    @classmethod
    def get_inspection_states(cls):
        pool = Pool()
        Inspection = pool.get('quality.inspection')
        return Inspection.fields_get(['state'])['state']['selection']

    @fields.depends('inspection', '_parent_inspection.state')
    def on_change_with_inspection_state(self, name=None):
        if self.inspection:
            return self.inspection.state

    def get_rec_name(self, name):
        name = self.product.rec_name
        if self.lot:
            name += ' / ' + self.lot.rec_name
        return name

    @classmethod
    def get_from_move(cls, control, move):
        line = cls._get_sampled(control, move=move, product=move.product,
            lot=move.lot, unit=move.unit, quantity=move.quantity)
        line.supplier = line.get_supplier()
        return line

    @classmethod
    def _get_sampled(cls, control, **values):
        "A line that accepts all its quantity until decided, with its sample"
        line = cls(accepted_quantity=values['quantity'],
            rejected_quantity=0, concession_quantity=0, **values)
        line.sample_quantity = control.sample_quantity(
            line.quantity, line.unit)
        return line

    def get_supplier(self):
        pool = Pool()
        ShipmentIn = pool.get('stock.shipment.in')
        shipment = getattr(self.move, 'shipment', None)
        if isinstance(shipment, ShipmentIn):
            return shipment.supplier

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        for name in [
                'accepted_quantity', 'rejected_quantity',
                'concession_quantity']:
            value = values.get(name)
            if value is None:
                continue
            if (isinstance(value, bool)
                    or not isinstance(value, (int, float, Decimal))
                    or not math.isfinite(value)):
                raise InspectionLineError(gettext(
                        'quality_gate.msg_line_not_a_number',
                        field=cls.__names__(name)['field'],
                        value=repr(value)[:30]))
        return values

    @classmethod
    def _server_fields(cls):
        "The fields set by the server from the inspected document"
        return {
            'inspection', 'move', 'product', 'lot', 'unit', 'supplier',
            'quantity', 'sample_quantity', 'rejected_move'}

    @property
    def decided(self):
        "Whether the decision of the line has been made"
        return bool(self.inspection.decided
            or self.inspection.state != 'pending')

    @classmethod
    def check_modification(cls, mode, lines, values=None, external=False):
        super().check_modification(
            mode, lines, values=values, external=external)
        external = from_client(external)
        if mode == 'create' and external and lines:
            line = lines[0]
            raise AccessError(gettext(
                    'quality_gate.msg_line_create',
                    line=line.rec_name,
                    quantity=line.quantity,
                    inspection=line.inspection.rec_name))
        if mode == 'write' and external:
            names = sorted(
                changed_fields(lines, values, cls._server_fields()))
            if names and lines:
                line = lines[0]
                raise AccessError(gettext(
                        'quality_gate.msg_line_server_fields',
                        fields=', '.join(
                            cls.__names__(n)['field'] for n in names),
                        line=line.rec_name,
                        quantity=line.quantity,
                        inspection=line.inspection.rec_name))
        if mode == 'write' and not values:
            return
        # The server links the moves that routed a decided line
        if (mode == 'write' and not external
                and not values.keys() - {'rejected_move'}):
            return
        for line in lines:
            if line.decided:
                raise AccessError(gettext(
                        'quality_gate.msg_line_decided_write',
                        line=line.rec_name,
                        inspection=line.inspection.rec_name))

    @property
    def decided_quantities(self):
        return [
            self.accepted_quantity, self.rejected_quantity,
            self.concession_quantity]

    @classmethod
    def validate_fields(cls, lines, field_names):
        super().validate_fields(lines, field_names)
        cls.check_quantities(lines)

    @classmethod
    def check_quantities(cls, lines):
        for line in lines:
            if line.inspection.decided:
                line.check_total()
            for value in line.decided_quantities:
                if (value is None or not math.isfinite(value)
                        or value < 0
                        or value > line.quantity
                        or line.unit.round(value) != value):
                    raise InspectionLineError(gettext(
                            'quality_gate.msg_line_invalid_quantity',
                            line=line.rec_name,
                            inspection=line.inspection.rec_name,
                            value=value,
                            quantity=line.quantity))

    def check_decision(self):
        self.check_total()
        if self.move and self.move.state not in {'staging', 'draft'}:
            raise DecisionError(gettext(
                    'quality_gate.msg_line_move_not_draft',
                    line=self.rec_name,
                    inspection=self.inspection.rec_name))

    def check_total(self):
        "Accepted, rejected and concession add up to the inspected quantity"
        total = self.unit.round(sum(self.decided_quantities))
        if total != self.quantity:
            raise DecisionError(gettext(
                    'quality_gate.msg_line_quantities_not_adding_up',
                    line=self.rec_name,
                    inspection=self.inspection.rec_name,
                    accepted=self.accepted_quantity,
                    rejected=self.rejected_quantity,
                    concession=self.concession_quantity,
                    total=total,
                    quantity=self.quantity))

    def get_quarantine_location(self):
        return self.move.to_location.get_quarantine_location(
            document=self.inspection)

    def disposition_type(self):
        "The type of disposition proposed for the rejected units"
        return None

    @classmethod
    def decide(cls, lines):
        "Route the rejected quantities to quarantine"
        pool = Pool()
        Disposition = pool.get('quality.disposition')
        Move = pool.get('stock.move')
        Lot = pool.get('stock.lot')
        for line in lines:
            line.check_decision()
        to_write, to_split = [], {}
        for line in lines:
            if not line.rejected_quantity or not line.move:
                continue
            quarantine = line.get_quarantine_location()
            kept = line.unit.round(
                line.accepted_quantity + line.concession_quantity)
            if kept:
                to_split[line.move.id] = (line, quarantine)
                to_write.extend(([line.move], {'quantity': kept}))
            else:
                to_write.extend(([line.move], {'to_location': quarantine.id}))
                line.rejected_move = line.move
        if to_split:
            moves = Move.browse(list(to_split))
            copies = Move.copy(moves, default={
                    'quantity': lambda d: (
                        to_split[d['id']][0].rejected_quantity),
                    'to_location': lambda d: to_split[d['id']][1].id,
                    'origin': lambda d: d['origin'],
                    'lot': lambda d: d['lot'],
                    })
            for move, copy in zip(moves, copies):
                to_split[move.id][0].rejected_move = copy
        if to_write:
            Move.write(*to_write)
        cls.save(lines)
        # The rejected units get a draft disposition to work from
        with Transaction().set_context(_check_access=False):
            Disposition.save(Disposition.from_inspection_lines(lines))
        Lot.mark_concession(
            [l.lot for l in lines if l.lot and l.concession_quantity],
            lines)


class Inspect(metaclass=PoolMeta):
    __name__ = 'quality.inspect'

    @property
    def _operations(self):
        # quality 8.0.1 still names the "do" wizards "…_inspect_done" while
        # the actions are "…_inspect_do", so their inspections are never
        # created and the record stays stuck.
        operations = super()._operations
        for xml_id in list(operations):
            if xml_id.endswith('_inspect_done'):
                operations[xml_id[:-len('done')] + 'do'] = 'do'
        return operations

    def value_inspection(self, fields):
        values = super().value_inspection(fields)
        if 'lines' in values:
            values['lines'] = [l.id for l in values['lines']]
        return values

    def transition_save(self):
        pool = Pool()
        Inspection = pool.get('quality.inspection')
        inspection = self.store.inspections[0]
        # The values come from the client's form: checked as its write
        with Transaction().set_context(_quality_gate_client=True):
            Inspection.write([inspection], self.inspection._save_values())
        inspection.process()
        return 'next_'


class Alert(metaclass=PoolMeta):
    __name__ = 'quality.alert'

    root_cause = fields.Text(
        "Root Cause", states={
            'readonly': ~Eval('state').in_(['open', 'processing']),
            })
    actions = fields.One2Many(
        'quality.alert.action', 'alert', "Corrective Actions",
        states={
            'readonly': Eval('state') == 'resolved',
            })
    overdue = fields.Function(
        fields.Boolean("Overdue"), 'get_overdue', searcher='search_overdue')
    products = fields.Function(
        fields.Many2Many('product.product', None, None, "Products",
            context={
                'company': Eval('company', -1),
                },
            depends={'company'}),
        'get_inspection_links')
    lots = fields.Function(
        fields.Many2Many('stock.lot', None, None, "Lots",
            context={
                'company': Eval('company', -1),
                },
            depends={'company'}),
        'get_inspection_links')
    suppliers = fields.Function(
        fields.Many2Many('party.party', None, None, "Suppliers",
            context={
                'company': Eval('company', -1),
                },
            depends={'company'}),
        'get_inspection_links')

    def get_overdue(self, name):
        return any(a.overdue for a in self.actions)

    @classmethod
    def search_overdue(cls, name, clause):
        _, operator, value = clause
        if (operator == '=') == bool(value):
            return [('actions.overdue', '=', True)]
        return [('actions.overdue', '!=', True)]

    def get_inspection_links(self, name):
        pool = Pool()
        Inspection = pool.get('quality.inspection')
        field = {
            'products': 'product', 'lots': 'lot', 'suppliers': 'supplier',
            }[name]
        if isinstance(self.origin, Inspection):
            return sorted({
                    getattr(l, field).id for l in self.origin.lines
                    if getattr(l, field)})
        return []


class AlertAction(Workflow, ModelSQL, ModelView):
    "Quality Alert Corrective Action"
    __name__ = 'quality.alert.action'

    _states = {
        'readonly': Eval('state') != 'open',
        }

    alert = fields.Many2One(
        'quality.alert', "Alert", required=True, ondelete='CASCADE')
    description = fields.Char("Description", required=True, states=_states)
    kind = fields.Selection([
            ('corrective', "Corrective"),
            ('preventive', "Preventive"),
            ], "Kind", required=True, states=_states)
    responsible = fields.Many2One(
        'company.employee', "Responsible", required=True, states=_states)
    due_date = fields.Date("Due Date", required=True, states=_states)
    done_by = fields.Many2One('company.employee', "Done by", readonly=True)
    done_date = fields.Date("Done Date", readonly=True)
    state = fields.Selection([
            ('open', "Open"),
            ('done', "Done"),
            ('cancelled', "Cancelled"),
            ], "State", required=True, readonly=True, sort=False)
    overdue = fields.Function(
        fields.Boolean("Overdue"), 'get_overdue', searcher='search_overdue')

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('alert')
        cls._order = [('due_date', 'ASC'), ('id', 'ASC')]
        cls._transitions |= {
            ('open', 'done'),
            ('open', 'cancelled'),
            ('cancelled', 'open'),
            ('done', 'open'),
            }
        cls._buttons.update({
                'open': {
                    'invisible': Eval('state') == 'open',
                    'depends': ['state'],
                    },
                'do': {
                    'invisible': Eval('state') != 'open',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': Eval('state') != 'open',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'open'

    @classmethod
    def default_kind(cls):
        return 'corrective'

    @classmethod
    def _today(cls):
        pool = Pool()
        Date = pool.get('ir.date')
        return Date.today()

    def get_overdue(self, name):
        return self.state == 'open' and self.due_date < self._today()

    @classmethod
    def search_overdue(cls, name, clause):
        _, operator, value = clause
        domain = [
            ('state', '=', 'open'),
            ('due_date', '<', cls._today()),
            ]
        if (operator == '=') == bool(value):
            return domain
        return ['OR',
            ('state', '!=', 'open'),
            ('due_date', '>=', cls._today()),
            ]

    @classmethod
    @ModelView.button
    @Workflow.transition('open')
    def open(cls, actions):
        cls.write(actions, {'done_date': None, 'done_by': None})

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    @set_employee('done_by')
    def do(cls, actions):
        cls.write(actions, {'done_date': cls._today()})

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, actions):
        pass


class SupplierReportContext(ModelView):
    "Supplier Quality Report Context"
    __name__ = 'quality.supplier.report.context'

    from_date = fields.Date("From Date")
    to_date = fields.Date("To Date")

    @classmethod
    def default_from_date(cls):
        pool = Pool()
        Date = pool.get('ir.date')
        return Date.today().replace(month=1, day=1)


class SupplierReport(ModelSQL, ModelView):
    "Supplier Quality Report"
    __name__ = 'quality.supplier.report'

    company = fields.Many2One('company.company', "Company")
    supplier = fields.Many2One(
        'party.party', "Supplier",
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    product = fields.Many2One(
        'product.product', "Product",
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    month = fields.Date("Month")
    month_name = fields.Function(fields.Char("Month"), 'get_month_name')
    inspections = fields.Integer("Inspections")
    quantity = fields.Float("Inspected Quantity", digits='unit')
    accepted_quantity = fields.Float("Accepted Quantity", digits='unit')
    rejected_quantity = fields.Float("Rejected Quantity", digits='unit')
    concession_quantity = fields.Float(
        "Concession Quantity", digits='unit')
    unit = fields.Function(
        fields.Many2One('product.uom', "Unit"), 'get_unit')
    pass_rate = fields.Float("Pass Rate", digits=(1, 4))

    def get_month_name(self, name):
        return format_month(self.month)

    def get_unit(self, name):
        return self.product.default_uom if self.product else None

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('month', 'DESC'), ('supplier', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Line = pool.get('quality.inspection.line')
        Inspection = pool.get('quality.inspection')
        line = Line.__table__()
        inspection = Inspection.__table__()
        context = Transaction().context
        # grouped by the output name: PostgreSQL does not match two
        # DATE_TRUNC with separate parameters
        month = cls.month.sql_cast(
            DateTrunc('month', inspection.processed_at)).as_('month')
        where = (inspection.decided == Literal(True)) & (
            line.supplier != Null)
        if context.get('company'):
            where &= inspection.company == context['company']
        if context.get('from_date'):
            where &= inspection.processed_at >= dt.datetime.combine(
                context['from_date'], dt.time())
        if context.get('to_date'):
            where &= inspection.processed_at < dt.datetime.combine(
                context['to_date'] + dt.timedelta(days=1), dt.time())
        quantity = Sum(line.quantity)
        accepted = Sum(line.accepted_quantity)
        return line.join(inspection,
            condition=line.inspection == inspection.id
            ).select(
                Min(line.id).as_('id'),
                inspection.company.as_('company'),
                line.supplier.as_('supplier'),
                line.product.as_('product'),
                month,
                Count(inspection.id, distinct=True).as_('inspections'),
                quantity.as_('quantity'),
                accepted.as_('accepted_quantity'),
                Sum(line.rejected_quantity).as_('rejected_quantity'),
                Sum(line.concession_quantity).as_('concession_quantity'),
                Case((quantity > 0, accepted / quantity),
                    else_=Literal(None)).as_('pass_rate'),
                where=where,
                group_by=[
                    inspection.company, line.supplier, line.product, month],
                )


class InspectionReport(CompanyReport):
    "质检单: the printed inspection with its decisions per line"
    __name__ = 'quality.inspection'
