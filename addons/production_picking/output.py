# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Output reports (完工汇报): the quantity made posted in parts with its
lots, its backflushed components and its cost; orders done when fully
reported or closed short (短缺关闭); sub-assemblies delivered straight into
a parent order (半成品流转不入库)"""
import datetime as dt
from collections import defaultdict

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.model.exceptions import AccessError
from trytond.modules.company.model import employee_field, set_employee
from trytond.modules.product import price_digits, round_price
from trytond.modules.quality.quality import ControlledMixin
from trytond.modules.stock_quarantine.employee import (
    own_context, own_employee)
from trytond.modules.stock_quarantine.locking import lock_written
from trytond.modules.stock_quarantine.numbers import format_quantity
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval, If
from trytond.transaction import Transaction, without_check_access

from .configuration import SequenceNumberMixin
from .exceptions import BackflushWarning, OutputReportError
from .production import EPSILON, OPEN_STATES, PLANNED_MOVE_STATES, Issue


def _quantity(unit, quantity):
    return '%s %s' % (format_quantity(unit, quantity), unit.symbol)


class OutputReport(SequenceNumberMixin, Workflow, ModelSQL, ModelView):
    __name__ = 'production.output.report'
    _number_sequence = 'output_report_sequence'
    _rec_name = 'number'

    _states = {
        'readonly': Eval('state') != 'draft',
        }

    number = fields.Char("Number", readonly=True)
    company = fields.Many2One(
        'company.company', "Company", required=True, states=_states)
    production = fields.Many2One(
        'production', "Production", required=True,
        domain=[
            ('company', '=', Eval('company', -1)),
            If(Eval('state') == 'draft',
                ('state', '=', 'running'),
                ()),
            ],
        states=_states,
        help="The running production order whose output is reported.")
    product = fields.Function(fields.Many2One(
            'product.product', "Product",
            context={
                'company': Eval('company', -1),
                },
            depends={'company'}),
        'on_change_with_product')
    date = fields.Date("Date", required=True, states=_states)
    quantity = fields.Float(
        "Quantity", digits='unit', required=True,
        domain=[('quantity', '>', 0)], states=_states,
        help="The quantity made since the last report.")
    unit = fields.Many2One(
        'product.uom', "Unit", required=True,
        domain=[('category', '=', Eval('product_uom_category', -1))],
        states=_states)
    product_uom_category = fields.Function(fields.Many2One(
            'product.uom.category', "Product UoM Category"),
        'on_change_with_product_uom_category')
    lots = fields.One2Many(
        'production.output.report.lot', 'report', "Lots", states=_states,
        help="The quantity made per lot (none when the product has no "
        "lot).")
    parent_production = fields.Many2One(
        'production', "Parent Production",
        domain=[
            ('company', '=', Eval('company', -1)),
            ('id', '!=', Eval('production', -1)),
            If(Eval('state') == 'draft',
                [('state', 'in', sorted(OPEN_STATES)),
                    ('inputs.product', '=', Eval('product', -1))],
                []),
            ],
        states=_states,
        help="An order that consumes this sub-assembly: the output is "
        "issued straight to it, never stocked.")
    unit_price = fields.Numeric(
        "Unit Cost", digits=price_digits, readonly=True,
        help="The cost of a unit of the order when the report was done.")
    moves = fields.One2Many(
        'stock.move', 'origin', "Moves", readonly=True,
        help="The output moves, the backflushed components and the issue "
        "to the parent order.")
    reported_by = employee_field(
        "Reported by", states=['draft', 'done', 'cancelled'])
    done_by = employee_field("Done by", states=['draft', 'done', 'cancelled'])
    done_at = fields.DateTime("Done at", readonly=True)
    state = fields.Selection([
            ('draft', "Draft"),
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
                Index(t, (t.production, Index.Range())),
                Index(t, (t.state, Index.Equality(cardinality='low')),
                    where=t.state == 'draft'),
                })
        cls._order = [('number', 'DESC NULLS FIRST'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'done'),
            ('draft', 'cancelled'),
            ('cancelled', 'draft'),
            }
        cls._buttons.update({
                'done': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': Eval('state') != 'cancelled',
                    'icon': 'tryton-undo',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_state():
        return 'draft'

    @classmethod
    def default_date(cls):
        pool = Pool()
        Date = pool.get('ir.date')
        return Date.today()

    @fields.depends('production', 'unit', 'quantity')
    def on_change_production(self):
        if self.production:
            self.company = self.production.company
            if self.production.product and (not self.unit
                    or self.unit.category
                    != self.production.product.default_uom.category):
                self.unit = self.production.unit

    @fields.depends('production')
    def on_change_with_product(self, name=None):
        if self.production:
            return self.production.product

    @fields.depends('production')
    def on_change_with_product_uom_category(self, name=None):
        if self.production and self.production.product:
            return self.production.product.default_uom.category

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual',
                If(Eval('state') == 'cancelled', 'muted', '')),
            ]

    # Rules of the client's writes

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if mode == 'create':
            # who reports is the user's own employee, never a client value
            values['reported_by'] = cls._user_employee(
                values.get('company', cls.default_company()))
        return values

    @classmethod
    def _user_employee(cls, company_id):
        pool = Pool()
        User = pool.get('res.user')
        with own_context():
            employee = User(Transaction().user).employee
        if employee and employee.company.id == company_id:
            return employee.id

    @classmethod
    def check_modification(cls, mode, reports, values=None, external=False):
        super().check_modification(
            mode, reports, values=values, external=external)
        if mode == 'create' and external:
            cls.check_client_create(reports)
        elif mode == 'write' and external:
            cls.check_client_write(reports, values)
        elif mode == 'delete':
            for report in reports:
                if report.state != 'draft' and report.state != 'cancelled':
                    raise AccessError(gettext(
                            'production_picking.msg_output_delete_draft',
                            report=report.rec_name))

    @classmethod
    def _audit_fields(cls):
        return ['number', 'done_by', 'done_at', 'unit_price']

    @classmethod
    def check_client_create(cls, reports):
        for report in reports:
            audit = report._created_audit_fields()
            if audit:
                cls.raise_audit_fields([report], audit)

    def _created_audit_fields(self):
        "The state, moves and audit fields that a client set on a new report"
        audit = [n for n in self._audit_fields()
            if n != 'number' and getattr(self, n) is not None]
        if self.moves:
            audit.insert(0, 'moves')
        if self.state != 'draft':
            audit.insert(0, 'state')
        return audit

    @classmethod
    def check_client_write(cls, reports, values):
        audit = [n for n in ['state', 'reported_by', 'moves']
            + cls._audit_fields() if n in values]
        if audit:
            cls.raise_audit_fields(reports, audit)
        for report in reports:
            report.check_draft()

    def check_draft(self):
        "Refuse to change a report no longer a draft"
        if self.state != 'draft':
            raise AccessError(gettext(
                    'production_picking.msg_output_modify_not_draft',
                    report=self.rec_name, state=self.state_string))

    @classmethod
    def raise_audit_fields(cls, reports, names):
        raise AccessError(gettext(
                'production_picking.msg_output_audit_fields',
                report=', '.join(
                    r.rec_name for r in reports[:5] if r.number) or '-',
                fields=', '.join(
                    '"%s"' % cls.__names__(n)['field'] for n in names)))

    @classmethod
    def copy(cls, reports, default=None):
        default = default.copy() if default is not None else {}
        for name in cls._audit_fields():
            default.setdefault(name)
        default.setdefault('moves')
        default.setdefault('date', cls.default_date())
        return super().copy(reports, default=default)

    # Steps

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, reports):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, reports):
        pass

    @classmethod
    def lock_steps(cls, reports):
        """Lock the reports and their orders and return the reports as
        stored then: a report done twice at once posts once"""
        pool = Pool()
        Production = pool.get('production')
        lock_written(cls, reports)
        reports = cls.browse([r.id for r in reports])
        lock_written(Production, {r.production.id for r in reports}
            | {r.parent_production.id for r in reports
                if r.parent_production})
        return reports

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    @own_employee
    @set_employee('done_by')
    def done(cls, reports):
        pool = Pool()
        Production = pool.get('production')
        reports = [r for r in cls.lock_steps(reports) if r.state == 'draft']
        if not reports:
            return
        completed = []
        for report in reports:
            report.check_report()
            if report.post():
                completed.append(report.production)
        cls.write(reports, {'done_at': dt.datetime.now()})
        # the report that completes its order does the order
        with without_check_access():
            Production.do(Production.browse([p.id for p in completed]))

    # Checks

    def check_report(self):
        "Check the report against its order and its parent order"
        self.check_report_production()
        self.check_report_quantity()
        self.check_lots()
        if self.parent_production:
            self.check_parent()

    def check_report_production(self):
        "The order is running in the company of the report"
        production = self.production
        if production.state != 'running':
            raise OutputReportError(gettext(
                    'production_picking.msg_output_production_running',
                    report=self.rec_name,
                    production=production.rec_name,
                    state=production.state_label))
        if self.company != production.company:
            raise OutputReportError(gettext(
                    'production_picking.msg_output_company',
                    report=self.rec_name,
                    production=production.rec_name))

    def check_report_quantity(self):
        "The quantity is positive in a unit of the order's product"
        production = self.production
        if self.unit.category != production.product.default_uom.category:
            raise OutputReportError(gettext(
                    'production_picking.msg_output_unit',
                    report=self.rec_name,
                    unit=self.unit.rec_name,
                    product=production.product.rec_name))
        if not self.quantity or self.quantity <= 0:
            raise OutputReportError(gettext(
                    'production_picking.msg_output_quantity_positive',
                    report=self.rec_name,
                    quantity=format_quantity(self.unit, self.quantity or 0)))

    def check_lots(self):
        for line in self.lots:
            self.check_lot(line)
        if self.lots:
            self.check_lots_total()

    def check_lot(self, line):
        "The lot is of the order's product, with a positive quantity"
        product = self.production.product
        if line.lot.product != product:
            raise OutputReportError(gettext(
                    'production_picking.msg_output_lot_product',
                    report=self.rec_name,
                    lot=line.lot.rec_name,
                    product=product.rec_name))
        if not line.quantity or line.quantity <= 0:
            raise OutputReportError(gettext(
                    'production_picking.msg_output_lot_quantity',
                    report=self.rec_name,
                    lot=line.lot.rec_name))

    def check_lots_total(self):
        "The lots add up to the quantity reported"
        total = self.unit.round(sum(l.quantity for l in self.lots))
        if total != self.unit.round(self.quantity):
            raise OutputReportError(gettext(
                    'production_picking.msg_output_lots_total',
                    report=self.rec_name,
                    lots=_quantity(self.unit, total),
                    quantity=_quantity(self.unit, self.quantity)))

    @property
    def internal_quantity(self):
        "The quantity reported in the default unit of the product"
        pool = Pool()
        Uom = pool.get('product.uom')
        return Uom.compute_qty(self.unit, self.quantity,
            self.production.product.default_uom, round=False)

    def check_parent(self):
        """The parent order is open, in the same company and still plans
        at least the quantity reported of the sub-assembly"""
        self.check_parent_open()
        self.check_parent_remaining()

    def check_parent_open(self):
        "The parent order is another open order of the report's company"
        parent = self.parent_production
        if parent.state not in OPEN_STATES or parent == self.production:
            raise OutputReportError(gettext(
                    'production_picking.msg_output_parent_state',
                    report=self.rec_name,
                    parent=parent.rec_name,
                    state=parent.state_label))
        if parent.company != self.company:
            raise OutputReportError(gettext(
                    'production_picking.msg_output_company',
                    report=self.rec_name,
                    production=parent.rec_name))

    def check_parent_remaining(self):
        "The parent order still plans the quantity reported"
        pool = Pool()
        Production = pool.get('production')
        parent, product = self.parent_production, self.production.product
        planned = Production.planned_inputs([parent]).get(
            (parent.id, product.id), [])
        remaining = sum(m.internal_quantity for m in planned)
        if self.internal_quantity > remaining + EPSILON:
            raise OutputReportError(gettext(
                    'production_picking.msg_output_parent_remaining',
                    report=self.rec_name,
                    parent=parent.rec_name,
                    product=product.rec_name,
                    quantity=_quantity(
                        product.default_uom, self.internal_quantity),
                    remaining=_quantity(product.default_uom, remaining)))

    # Posting

    def post(self):
        """Post the report: backflush its components, cost the order, split
        its planned output and issue it to the parent order.
        Return whether the report completes the order."""
        pool = Pool()
        Production = pool.get('production')
        production = Production(self.production.id)
        complete = self.check_completes(production)
        Production.backflush([(production,
                    production.reported_internal_quantity()
                    + self.internal_quantity, complete)], origin=self)
        moves = self.post_outputs(Production(production.id))
        if self.parent_production:
            self.issue_to_parent(moves)
        return complete

    def check_completes(self, production):
        """Whether the report completes the order; refused above what the
        order still plans to make"""
        remaining = sum(
            m.internal_quantity for m in production.planned_outputs())
        quantity = self.internal_quantity
        if quantity > remaining + EPSILON:
            self.raise_above_remaining(production, quantity, remaining)
        return quantity >= remaining - EPSILON

    def raise_above_remaining(self, production, quantity, remaining):
        product = production.product
        raise OutputReportError(gettext(
                'production_picking.msg_output_above_remaining',
                report=self.rec_name,
                production=production.rec_name,
                product=product.rec_name,
                quantity=_quantity(product.default_uom, quantity),
                remaining=_quantity(product.default_uom, remaining)))

    def post_outputs(self, production):
        """Cost the order, then take the report out of its planned output
        and post it as done moves at the order's unit cost.

        The unit cost is what Tryton's ``Production.set_cost`` computes at
        that moment: the cost of the order's inputs (issued at their cost,
        still planned at the product's cost) spread over its outputs; it
        re-prices the outputs of the earlier reports too, as Tryton's own
        re-costing does, so that every unit of the order carries the same
        cost, and the order's done re-costs them with what was really
        issued."""
        pool = Pool()
        Move = pool.get('stock.move')
        Production = pool.get('production')
        Production.set_cost([production])
        production = Production(production.id)
        planned = production.planned_outputs()
        moves = self.get_output_moves(planned[0])
        self.take_planned_outputs(planned)
        Move.save(moves)
        self.add_lots(moves)
        Move.do(moves)
        self.write([self], {'unit_price': moves[0].unit_price})
        return moves

    def get_output_moves(self, planned):
        "The done output moves of the report (not saved), one per lot"
        lines = [(l.lot, l.quantity) for l in self.lots] or [
            (None, self.quantity)]
        return [self.get_output_move(planned, lot, quantity)
            for lot, quantity in lines]

    def take_planned_outputs(self, planned):
        "Take the quantity reported out of the planned output moves"
        pool = Pool()
        Production = pool.get('production')
        left = {m: m.internal_quantity for m in planned}
        quantity = self.internal_quantity
        for move in planned:
            taken = min(left[move], quantity)
            left[move] -= taken
            quantity -= taken
        Production._write_planned(
            {m: q for m, q in left.items() if q != m.internal_quantity})

    def get_output_move(self, planned, lot, quantity):
        "A done output move like planned of quantity of the lot"
        production = self.production
        move = production._move(
            'output', production.product, self.unit, quantity)
        move.from_location = planned.from_location
        move.to_location = self.output_location(planned)
        move.lot = lot
        move.origin = self
        self.set_output_price(move, planned)
        move.planned_date = move.effective_date = self.date
        return move

    def set_output_price(self, move, planned):
        "Price the output move at the unit price of the planned one"
        pool = Pool()
        Uom = pool.get('product.uom')
        if planned.unit_price is not None:
            move.unit_price = round_price(Uom.compute_price(
                    planned.unit, planned.unit_price, self.unit))
            move.currency = self.production.company.currency

    def output_location(self, planned):
        "Where the output goes: stock, or the picking of the parent order"
        if self.parent_production:
            return self.parent_production.picking_location
        return planned.to_location

    @classmethod
    def add_lots(cls, moves):
        "Create the lots the moves require, as Tryton's production does"
        pool = Pool()
        Lot = pool.get('stock.lot')
        Move = pool.get('stock.move')
        with_lot = [m for m in moves if cls._add_lot(m)]
        Lot.save([m.lot for m in with_lot])
        Move.save(with_lot)

    @classmethod
    def _add_lot(cls, move):
        "Add a new lot to the move if it requires one; return whether added"
        if not move.lot and move.product.lot_is_required(
                move.from_location, move.to_location):
            with Transaction().set_context(date=move.effective_date):
                move.add_lot()
            return bool(move.lot)
        return False

    def issue_to_parent(self, moves):
        """Issue the output moves that reached the parent's picking
        location to the parent order at the same unit cost"""
        pool = Pool()
        Move = pool.get('stock.move')
        Production = pool.get('production')
        parent = self.parent_production
        moves = [m for m in moves
            if m.to_location == parent.picking_location]
        issued = Production.issue([
                Issue(parent, m.product, m.lot, m.quantity, m.unit, self,
                    'picking') for m in moves])
        for move, output in zip(issued, moves):
            self.set_issue_cost(move, output)
        Move.save(issued)

    @classmethod
    def set_issue_cost(cls, move, output):
        "Cost the move issued to the parent at the output's unit price"
        pool = Pool()
        Uom = pool.get('product.uom')
        if output.unit_price is not None:
            move.cost_price = round_price(Uom.compute_price(
                    output.unit, output.unit_price,
                    output.product.default_uom))


class OutputReportLot(ModelSQL, ModelView):
    __name__ = 'production.output.report.lot'
    report = fields.Many2One(
        'production.output.report', "Output Report", required=True,
        ondelete='CASCADE')
    lot = fields.Many2One(
        'stock.lot', "Lot", required=True,
        domain=[
            ('product', '=', Eval('product', -1)),
            ])
    quantity = fields.Float(
        "Quantity", digits='unit', required=True,
        domain=[('quantity', '>', 0)])
    product = fields.Function(fields.Many2One(
            'product.product', "Product"), 'on_change_with_product')
    unit = fields.Function(fields.Many2One(
            'product.uom', "Unit"), 'on_change_with_unit')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('report')
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.report, Index.Range())))

    @fields.depends('report', '_parent_report.production')
    def on_change_with_product(self, name=None):
        if self.report and self.report.production:
            return self.report.production.product

    @fields.depends('report', '_parent_report.unit')
    def on_change_with_unit(self, name=None):
        if self.report:
            return self.report.unit

    @classmethod
    def check_modification(cls, mode, lines, values=None, external=False):
        super().check_modification(
            mode, lines, values=values, external=external)
        if mode == 'write' and external and 'report' in values:
            raise AccessError(gettext(
                    'production_picking.msg_output_lot_report',
                    lot=', '.join(l.lot.rec_name for l in lines[:5])))
        for line in lines:
            line.check_report_draft(mode)

    def check_report_draft(self, mode):
        "Refuse to change a lot of a report no longer a draft"
        if not (mode == 'delete' and self.report.state == 'cancelled'):
            self.report.check_draft()


class Production(metaclass=PoolMeta):
    __name__ = 'production'

    output_reports = fields.One2Many(
        'production.output.report', 'production', "Output Reports",
        readonly=True)
    reported_quantity = fields.Function(fields.Float(
            "Reported", digits='unit',
            help="The quantity posted by the output reports done."),
        'get_reported_quantity')
    short_close_reason = fields.Char(
        "Short Close Reason",
        states={
            'readonly': Eval('state') != 'running',
            'invisible': ~Eval('state').in_(['running', 'done']),
            },
        help="Why the order is closed before all its output is made.")
    closed_short = fields.Boolean("Closed Short", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'close_short': {
                    'invisible': Eval('state') != 'running',
                    'readonly': ~Bool(Eval('short_close_reason')),
                    'icon': 'tryton-cancel',
                    'depends': ['state', 'short_close_reason'],
                    },
                })

    @classmethod
    def default_closed_short(cls):
        return False

    @classmethod
    def get_reported_quantity(cls, productions, name):
        pool = Pool()
        Report = pool.get('production.output.report')
        Uom = pool.get('product.uom')
        quantities = defaultdict(float)
        for report in Report.search([
                    ('production', 'in', [p.id for p in productions]),
                    ('state', '=', 'done'),
                    ]):
            production = report.production
            quantities[production.id] += Uom.compute_qty(
                report.unit, report.quantity, production.unit, round=False)
        return {p.id: p.unit.round(quantities[p.id]) if p.unit else None
            for p in productions}

    @classmethod
    def check_modification(
            cls, mode, productions, values=None, external=False):
        super().check_modification(
            mode, productions, values=values, external=external)
        if mode == 'create' and external:
            cls.check_client_close(
                productions, cls._created_close_values(productions))
        elif mode == 'write' and external:
            cls.check_client_close(productions, values)

    @classmethod
    def _created_close_values(cls, productions):
        "The values of the short close that new productions set"
        values = {}
        for production in productions:
            if production.closed_short:
                values['closed_short'] = True
            if production.short_close_reason:
                values['short_close_reason'] = production.short_close_reason
        return values

    @classmethod
    def check_client_close(cls, productions, values):
        """Refuse a client's closed short (the server's to set) and a
        reason of an order not running"""
        if 'closed_short' in values:
            raise AccessError(gettext(
                    'production_picking.msg_output_closed_short_server',
                    production=', '.join(
                        p.rec_name for p in productions[:5])))
        if 'short_close_reason' in values:
            for production in productions:
                if production.state != 'running':
                    raise AccessError(gettext(
                            'production_picking.msg_output_reason_running',
                            production=production.rec_name,
                            state=production.state_label))

    @classmethod
    def copy(cls, productions, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('output_reports')
        default.setdefault('short_close_reason')
        default.setdefault('closed_short')
        return super().copy(productions, default=default)

    def planned_outputs(self):
        "The planned output moves of the order's product"
        return [m for m in self.outputs
            if m.product == self.product
            and m.state in PLANNED_MOVE_STATES]

    def reported_internal_quantity(self):
        "The output of the order's product done, in its default unit"
        return sum(m.internal_quantity for m in self.outputs
            if m.product == self.product and m.state == 'done')

    def ordered_internal_quantity(self):
        "The quantity of the order in the default unit of its product"
        pool = Pool()
        Uom = pool.get('product.uom')
        if self.quantity and self.unit and self.product:
            return Uom.compute_qty(self.unit, self.quantity,
                self.product.default_uom, round=False)
        return 0

    def backflush_requests(self, made, complete, origin=None):
        """The backflush issues that bring each backflushed component to
        its share of made (the order's output done): the planned quantity
        × made / the order's quantity, all that remains when complete"""
        pool = Pool()
        Product = pool.get('product.product')
        ordered = self.ordered_internal_quantity()
        ratio = min(made / ordered, 1) if ordered else 1
        done, planned = self.backflush_quantities()
        requests = []
        for product_id, remaining in sorted(planned.items()):
            product = Product(product_id)
            quantity = remaining if complete else self._backflush_quantity(
                product.default_uom, done[product_id], remaining, ratio)
            if quantity > EPSILON:
                requests.append(Issue(self, product, None, quantity,
                        product.default_uom, origin, 'backflush'))
        return requests

    @classmethod
    def _backflush_quantity(cls, unit, done, remaining, ratio):
        """What to backflush of a component to bring it to ratio of its
        total (done and remaining), never more than remaining"""
        return min(max(unit.round((done + remaining) * ratio) - done, 0),
            remaining)

    def backflush_quantities(self):
        """The quantities of each backflushed component done and planned:
        ({product id: quantity}, {product id: quantity})"""
        done, planned = defaultdict(float), defaultdict(float)
        for move in self.inputs:
            if move.production_issue == 'backflush' and move.state == 'done':
                done[move.product.id] += move.internal_quantity
            elif (move.production_backflush
                    and move.state in PLANNED_MOVE_STATES):
                planned[move.product.id] += move.internal_quantity
        return done, planned

    @classmethod
    def backflush(cls, orders, origin=None):
        """Consume the backflushed components of the (production, made,
        complete) orders from their picking locations.

        A component that the picking location lacks refuses the whole,
        naming it with the quantities, unless the configuration consumes
        into negative after the user's answer to a warning."""
        requests = [r for p, made, complete in orders
            for r in p.backflush_requests(made, complete, origin=origin)]
        if not requests:
            return []
        cls.lock_issue(requests)
        requests, shortages = cls.backflush_lots(
            requests, cls.backflush_stock(requests))
        if shortages:
            cls.check_backflush_shortages(origin or orders[0][0], shortages)
        return cls.issue(requests, negative=bool(shortages))

    @classmethod
    def check_backflush_shortages(cls, record, shortages):
        """Refuse the shortages of the backflush of record, or warn when
        the configuration consumes into negative"""
        pool = Pool()
        Configuration = pool.get('production.configuration')
        text = gettext('production_picking.msg_output_list_separator').join(
            shortages)
        if not Configuration(1).backflush_negative:
            raise OutputReportError(gettext(
                    'production_picking.msg_output_backflush_shortage',
                    record=record.rec_name, shortages=text))
        cls.warn_backflush_negative(record, text)

    @classmethod
    def warn_backflush_negative(cls, record, text):
        "Warn that the backflush of record consumes into the negative"
        pool = Pool()
        Warning = pool.get('res.user.warning')
        warning_name = Warning.format(
            'production_backflush_negative', [record])
        if Warning.check(warning_name):
            raise BackflushWarning(warning_name, gettext(
                    'production_picking.msg_output_backflush_negative',
                    record=record.rec_name, shortages=text))

    @classmethod
    def backflush_stock(cls, requests):
        """The quantities that the picking locations of the requests hold
        of their products: {(location id, product id, lot id): quantity},
        without the lots held by quality control"""
        pool = Pool()
        Lot = pool.get('stock.lot')
        stock = cls.issue_stock({
                (r.production.picking_location, r.product, None)
                for r in requests})
        held = {l.id for l in Lot.browse(sorted(
                    {k[2] for k in stock if k[2] is not None}))
            if getattr(l, 'quality_status', 'released') != 'released'}
        return {k: q for k, q in stock.items()
            if q > EPSILON and k[2] not in held}

    @classmethod
    def backflush_lots(cls, requests, stock):
        """Split the requests over the stock of their picking locations:
        the stock without lot first, then the lots in the order they were
        created.  Return the split requests and the texts of the
        shortages; what is short is requested without lot (never into
        the negative of a lot)."""
        free = dict(stock)
        split = []
        needed, missing = defaultdict(float), defaultdict(float)
        for request in requests:
            location, product = request.production.picking_location, (
                request.product)
            needed[location, product] += request.quantity
            quantity = cls._backflush_request_lots(request, free, split)
            if quantity > EPSILON:
                split.append(request._replace(
                        quantity=product.default_uom.round(quantity)))
                missing[location, product] += quantity
        return split, [
            cls._backflush_shortage(location, product, needed[
                    location, product], needed[location, product] - quantity)
            for (location, product), quantity in missing.items()]

    @classmethod
    def _backflush_request_lots(cls, request, free, split):
        """Append to split the request taken from the free stock of its
        picking location (updated), without lot first then by lot.
        Return the quantity that the stock lacks."""
        pool = Pool()
        Lot = pool.get('stock.lot')
        location, product = request.production.picking_location, (
            request.product)
        quantity = request.quantity
        for key in sorted((k for k in free
                    if k[:2] == (location.id, product.id)),
                key=lambda k: (k[2] is not None, k[2] or 0)):
            taken = product.default_uom.round(min(free[key], quantity))
            if taken <= EPSILON:
                continue
            free[key] -= taken
            quantity -= taken
            split.append(request._replace(
                    lot=Lot(key[2]) if key[2] is not None else None,
                    quantity=taken))
            if quantity <= EPSILON:
                break
        return quantity

    @classmethod
    def _backflush_shortage(cls, location, product, quantity, available):
        unit = product.default_uom
        return gettext('production_picking.msg_output_backflush_short',
            product=product.rec_name,
            location=location.rec_name,
            quantity=_quantity(unit, quantity),
            available=_quantity(unit, max(available, 0)),
            missing=_quantity(unit, unit.round(
                    quantity - max(available, 0))))

    @classmethod
    def reported_productions(cls, productions):
        "The ids of the productions with output posted by output reports"
        pool = Pool()
        Move = pool.get('stock.move')
        return {m.production_output.id for m in Move.search([
                    ('production_output', 'in', [p.id for p in productions]),
                    ('state', '=', 'done'),
                    ('origin', 'like', 'production.output.report,%'),
                    ])}

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def do(cls, productions):
        """Do the orders: one reported in parts only once fully reported,
        one without report consumes its backflushed components in
        proportion to its output; what remains planned of the inputs is
        cancelled"""
        reported = cls.reported_productions(productions)
        for production in productions:
            if production.id in reported and production.planned_outputs():
                production.raise_partly_reported()
        cls.backflush([(p, p.planned_output_quantity(),
                    p.planned_output_quantity()
                    >= p.ordered_internal_quantity() - EPSILON)
                for p in productions if p.id not in reported])
        productions = cls.browse([p.id for p in productions])
        cls.cancel_planned_inputs(productions)
        super().do(cls.browse(productions))

    def planned_output_quantity(self):
        "The output of the order's product done and planned"
        return sum(m.internal_quantity for m in self.outputs
            if m.product == self.product and m.state != 'cancelled')

    def raise_partly_reported(self):
        product = self.product
        raise OutputReportError(gettext(
                'production_picking.msg_output_do_partly_reported',
                production=self.rec_name,
                reported=_quantity(product.default_uom,
                    self.reported_internal_quantity()),
                remaining=_quantity(product.default_uom, sum(
                        m.internal_quantity
                        for m in self.planned_outputs()))))

    @classmethod
    def cancel_planned_inputs(cls, productions):
        "Cancel the inputs the orders no longer issue"
        pool = Pool()
        Move = pool.get('stock.move')
        Move.cancel([m for p in productions for m in p.inputs
                if m.state in PLANNED_MOVE_STATES])

    @classmethod
    @ModelView.button
    def close_short(cls, productions):
        """Close the running orders short (短缺关闭): cancel what remains
        planned of their output and inputs and do them"""
        pool = Pool()
        Move = pool.get('stock.move')
        lock_written(cls, productions)
        productions = cls.browse([p.id for p in productions])
        for production in productions:
            production.check_close_short()
        Move.cancel([m for p in productions for m in p.outputs
                if m.state in PLANNED_MOVE_STATES])
        cls.cancel_planned_inputs(productions)
        cls.write(list(productions), {'closed_short': True})
        with without_check_access():
            cls.do(cls.browse(productions))


    def check_close_short(self):
        "The order is running and says why it is closed short"
        if self.state != 'running':
            raise OutputReportError(gettext(
                    'production_picking.msg_output_close_running',
                    production=self.rec_name,
                    state=self.state_label))
        if not (self.short_close_reason or '').strip():
            raise OutputReportError(gettext(
                    'production_picking.msg_output_close_reason',
                    production=self.rec_name))


class OutputReportQuality(ControlledMixin, metaclass=PoolMeta):
    """The output of a report goes through the gate of the order's "do"
    (quality_gate): the controls on "Production Done" inspect the
    report's part before it is posted; the rejected units are posted to
    quarantine with a disposition to decide on them"""
    __name__ = 'production.output.report'

    def quality_control_pattern(self, operation):
        pattern = super().quality_control_pattern(operation)
        pattern['company'] = self.company.id
        pattern['products'] = {self.production.product.id}
        return pattern

    def quality_controlled_for(self, operation):
        # the controls of the order's "do"
        return any(i for i in self.quality_inspections
            if 'production:do' in i.control.operations)

    def quality_inspections_failed(self):
        # decided inspections routed their rejected units
        return [i for i in super().quality_inspections_failed()
            if not i.decided]

    def get_quality_inspection_lines(self, control):
        "One inspection line per lot of the report (one without lot)"
        pool = Pool()
        Line = pool.get('quality.inspection.line')
        product = self.production.product
        if not control.match_product(product):
            return []
        lines = [(l.lot, l.quantity) for l in self.lots] or [
            (None, self.quantity)]
        return [Line._get_sampled(control, product=product, lot=lot,
                unit=self.unit, quantity=quantity)
            for lot, quantity in lines]

    def get_quarantine_location(self, document=None):
        return self.production.warehouse.get_quarantine_location(
            document=document)

    @classmethod
    @ModelView.button
    @ControlledMixin.control(
        'do', 'production_picking.wizard_output_report_inspect_do')
    def done(cls, reports):
        super().done(reports)

    def get_output_moves(self, planned):
        """Split the moves by the decided inspection lines: the rejected
        units of a lot go to quarantine"""
        moves = super().get_output_moves(planned)
        rejected = self.quality_rejected()
        for move in list(moves):
            quantity = min(rejected.get(move.lot, 0), move.quantity)
            if not quantity:
                continue
            move.quantity = self.unit.round(move.quantity - quantity)
            moves.append(self._quarantine_move(planned, move.lot, quantity))
            if not move.quantity:
                moves.remove(move)
        return moves

    def _quarantine_move(self, planned, lot, quantity):
        "The output move of the rejected quantity of lot to quarantine"
        move = self.get_output_move(planned, lot, quantity)
        move.to_location = self.get_quarantine_location(document=self)
        return move

    def quality_decided_lines(self):
        return [l for i in self.quality_inspections if i.decided
            for l in i.lines]

    def quality_rejected(self):
        "The rejected quantity per lot in the unit of the report"
        pool = Pool()
        Uom = pool.get('product.uom')
        rejected = defaultdict(float)
        for line in self.quality_decided_lines():
            if line.rejected_quantity:
                quantity = Uom.compute_qty(
                    line.unit, line.rejected_quantity, self.unit)
                rejected[line.lot] = max(rejected[line.lot], quantity)
        return rejected

    def post_outputs(self, production):
        pool = Pool()
        Line = pool.get('quality.inspection.line')
        moves = super().post_outputs(production)
        quarantine = self.get_quarantine_location()
        to_save = []
        for line in self.quality_decided_lines():
            for move in moves:
                if (line.rejected_quantity and move.lot == line.lot
                        and move.to_location == quarantine):
                    line.rejected_move = move
                    to_save.append(line)
        Line.save(to_save)
        return moves


class ProductionQuality(metaclass=PoolMeta):
    __name__ = 'production'

    def quality_controlled_for(self, operation):
        # The output reports inspected their parts: nothing is left to
        # inspect once no output is planned (fully reported or closed short)
        return super().quality_controlled_for(operation) or (
            operation == 'do' and not self.quality_inspection_moves())


class Control(metaclass=PoolMeta):
    __name__ = 'quality.control'

    @classmethod
    def get_inspections(cls, records, operation):
        """The controls of "Production Done" inspect the draft output
        reports"""
        pool = Pool()
        Inspection = pool.get('quality.inspection')
        if not records or records[0].__name__ != 'production.output.report':
            return super().get_inspections(records, operation)
        records = [r for r in records if r.state == 'draft'
            and not r.quality_controlled_for(operation)]
        if not records or operation != 'do':
            return []
        return [Inspection.get_from_control(control, record)
            for control in cls.search([
                    ('operations', 'in', 'production:do'),
                    ])
            for record in records
            if control.match(record.quality_control_pattern(operation))
            and control.choose(record)]


class Inspection(metaclass=PoolMeta):
    __name__ = 'quality.inspection'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.origin.domain['production.output.report'] = [
            ('company', '=', Eval('company', -1)),
            ]

    @classmethod
    def _get_origins(cls):
        return super()._get_origins() + ['production.output.report']


class InspectionLine(metaclass=PoolMeta):
    __name__ = 'quality.inspection.line'

    @property
    def output_report(self):
        pool = Pool()
        Report = pool.get('production.output.report')
        origin = self.inspection.origin
        if isinstance(origin, Report):
            return origin

    def get_quarantine_location(self):
        report = self.output_report
        if report:
            return report.get_quarantine_location(document=self.inspection)
        return super().get_quarantine_location()

    def check_decision(self):
        super().check_decision()
        report = self.output_report
        if report and report.state != 'draft':
            raise OutputReportError(gettext(
                    'production_picking.msg_output_inspection_report',
                    line=self.rec_name,
                    inspection=self.inspection.rec_name,
                    report=report.rec_name,
                    state=report.state_string))


class Inspect(metaclass=PoolMeta):
    __name__ = 'quality.inspect'

    @property
    def _operations(self):
        operations = super()._operations
        operations['production_picking.wizard_output_report_inspect_do'] = (
            'do')
        return operations
