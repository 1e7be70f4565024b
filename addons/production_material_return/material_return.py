# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
import math
from collections import defaultdict
from decimal import Decimal

from sql import Union
from sql.aggregate import Sum
from sql.conditionals import Coalesce
from sql.operators import Concat

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Workflow, fields)
from trytond.model.exceptions import AccessError
from trytond.modules.company import CompanyReport
from trytond.modules.company.model import (
    employee_field, reset_employee, set_employee)
from trytond.modules.product import round_price
from trytond.modules.quality.quality import ControlledMixin
from trytond.modules.stock_quarantine.employee import own_employee
from trytond.modules.stock_quarantine.locking import lock_written
from trytond.modules.stock_quarantine.mixin import ProductUnitMixin
from trytond.modules.stock_quarantine.numbers import (  # noqa: F401
    format_number, format_quantity)
from trytond.pool import Pool
from trytond.pyson import Eval, If, PYSONEncoder
from trytond.transaction import Transaction
from trytond.wizard import StateAction, Wizard

from .exceptions import (
    DutyError, InspectionError, MaterialReturnError, QuantityError, ScanError)

# States whose lines count as returned
COUNTED = ['submitted', 'approved', 'inspecting', 'done']


class Reason(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'production.material.return.reason'
    name = fields.Char("Name", required=True, translate=True)
    code = fields.Char("Code")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('name', 'ASC'))


class MaterialReturn(Workflow, ModelSQL, ModelView, ControlledMixin):
    __name__ = 'production.material.return'
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
                ('state', 'in', ['running', 'done']),
                ()),
            ],
        states=_states)
    warehouse = fields.Many2One(
        'stock.location', "Warehouse", required=True,
        domain=[('type', '=', 'warehouse')], states=_states)
    to_location = fields.Many2One(
        'stock.location', "To Location", required=True,
        domain=[
            ('type', '=', 'storage'),
            ('quarantine', '!=', True),
            ('parent', 'child_of', [Eval('warehouse', -1)]),
            ],
        states=_states,
        help="Where the returned material is stocked in "
        "(storage or workshop).")
    reason = fields.Many2One(
        'production.material.return.reason', "Reason", required=True,
        states=_states)
    comment = fields.Text("Comment")
    lines = fields.One2Many(
        'production.material.return.line', 'material_return', "Lines",
        states={
            'readonly': ~Eval('state').in_(['draft', 'inspecting']),
            })
    requested_by = employee_field(
        "Requested by", states=COUNTED + ['rejected', 'cancelled'])
    requested_at = fields.DateTime("Requested at", readonly=True)
    requested_user = fields.Many2One(
        'res.user', "Requested by User", readonly=True)
    approved_by = employee_field(
        "Approved by", states=COUNTED + ['rejected', 'cancelled'])
    approved_at = fields.DateTime("Approved at", readonly=True)
    done_by = employee_field(
        "Stocked in by", states=COUNTED + ['rejected', 'cancelled'])
    done_at = fields.DateTime("Stocked in at", readonly=True)
    cost = fields.Function(
        fields.Numeric("Cost", digits='currency'), 'get_cost')
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"),
        'on_change_with_currency')
    issued_products = fields.Function(fields.Many2Many(
            'product.product', None, None, "Issued Products",
            context={
                'company': Eval('company', -1),
                },
            depends={'company'},
            help="The products issued to the production order: "
            "only they can be returned."),
        'on_change_with_issued_products')
    issued_lots = fields.Function(fields.Many2Many(
            'stock.lot', None, None, "Issued Lots",
            help="The lots issued to the production order: "
            "only they can be returned."),
        'on_change_with_issued_lots')
    inspection_state = fields.Function(fields.Selection([
                (None, ""),
                ('pending', "Pending"),
                ('passed', "Passed"),
                ('failed', "Failed"),
                ], "Inspection State"), 'get_inspection_state')
    state = fields.Selection([
            ('draft', "Draft"),
            ('submitted', "Submitted"),
            ('approved', "Approved"),
            ('inspecting', "Inspecting"),
            ('done', "Done"),
            ('rejected', "Rejected"),
            ('cancelled', "Cancelled"),
            ], "State", required=True, readonly=True, sort=False)
    state_string = state.translated('state')

    @classmethod
    def __setup__(cls):
        cls.number.search_unaccented = False
        super().__setup__()
        # An inspection of an earlier round (before draft) no longer counts
        cls.quality_inspections.filter = [('superseded', '=', False)]
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.production, Index.Range())),
                Index(t, (t.state, Index.Equality(cardinality='low')),
                    where=t.state.in_(
                        ['draft', 'submitted', 'approved', 'inspecting'])),
                })
        cls._order = [('number', 'DESC NULLS FIRST'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'submitted'), ('submitted', 'approved'),
            ('submitted', 'inspecting'), ('approved', 'done'),
            ('inspecting', 'done'), ('submitted', 'rejected'),
            ('approved', 'rejected'), ('inspecting', 'rejected'),
            ('draft', 'cancelled'), ('submitted', 'cancelled'),
            ('approved', 'cancelled'), ('inspecting', 'cancelled'),
            ('rejected', 'cancelled'), ('submitted', 'draft'),
            ('rejected', 'draft'), ('cancelled', 'draft'),
            }
        cls._buttons.update({
                'submit': {
                    'invisible': Eval('state') != 'draft',
                    'readonly': ~Eval('lines', []),
                    'icon': 'tryton-forward',
                    'depends': ['state', 'lines'],
                    },
                'approve': {
                    'invisible': Eval('state') != 'submitted',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'reject': {
                    'invisible': ~Eval('state').in_(
                        ['submitted', 'approved', 'inspecting']),
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                'do': {
                    'invisible': ~Eval('state').in_(
                        ['approved', 'inspecting']),
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': Eval('state').in_(['cancelled', 'done']),
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': ~Eval('state').in_(
                        ['submitted', 'rejected', 'cancelled']),
                    'icon': If(Eval('state') == 'cancelled',
                        'tryton-undo', 'tryton-back'),
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
    def default_reason(cls):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        try:
            return ModelData.get_id(
                'production_material_return', 'reason_over_issue')
        except KeyError:
            return None

    @fields.depends('production', 'warehouse', 'to_location')
    def on_change_production(self):
        if self.production:
            self.company = self.production.company
            self.warehouse = self.production.warehouse
            if self.warehouse and not self.to_location:
                self.to_location = self.warehouse.storage_location

    @fields.depends('warehouse', 'to_location')
    def on_change_warehouse(self):
        if self.warehouse:
            self.to_location = self.warehouse.storage_location

    @classmethod
    def get_cost(cls, returns, name):
        # in the currency's digits: the sum of the lines as shown
        return {
            r.id: r.company.currency.round(sum(
                    (l.cost or 0 for l in r.lines), Decimal(0)))
            for r in returns}

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None

    def get_inspection_state(self, name):
        states = {i.state for i in self.quality_inspections}
        for state in ['failed', 'pending', 'passed']:
            if state in states:
                return state

    @fields.depends('production')
    def on_change_with_issued_products(self, name=None):
        pool = Pool()
        Line = pool.get('production.material.return.line')
        keys = Line.issued_keys(self.production) if self.production else []
        return sorted({p for p, _ in keys})

    @fields.depends('production')
    def on_change_with_issued_lots(self, name=None):
        pool = Pool()
        Line = pool.get('production.material.return.line')
        keys = Line.issued_keys(self.production) if self.production else []
        return sorted({l for _, l in keys if l is not None})

    @fields.depends('production', 'lines', 'state', 'number')
    def on_scan_code(self, code):
        """Add or increment a line from a scanned lot or product code.

        Only a draft return changes, and only with what was issued to its
        production order; any other scan is refused with the reason."""
        code = (code or '').strip()
        if not code:
            return
        self.check_scan_draft()
        if not self.production:
            raise ScanError(gettext(
                    'production_material_return.msg_scan_no_production',
                    code=code))
        self.add_scanned(*self.get_scanned(code))

    def add_scanned(self, product, lot):
        "Add 1 to the line of the product and lot, a new line if none"
        pool = Pool()
        Line = pool.get('production.material.return.line')
        lines = list(self.lines or [])
        for line in lines:
            if line.product == product and line.lot == lot:
                line.quantity = (line.quantity or 0) + 1
                break
        else:
            line = Line(
                product=product, lot=lot, quantity=1,
                unit=product.default_uom)
            lines.append(line)
        line.material_return = self
        line.returnable_quantity = line.on_change_with_returnable_quantity()
        self.lines = lines

    def check_scan_draft(self):
        "Refuse a scan on a return that is no longer a draft"
        records = [self]
        if self.id is not None and self.id >= 0:
            # The state as stored, whatever the client says
            records.append(self.__class__(self.id))
        for record in records:
            if record.state != 'draft':
                raise ScanError(gettext(
                        'production_material_return.msg_scan_not_draft',
                        material_return=record.number or '-',
                        state=record.state_string))

    def get_scanned(self, code):
        """Return the product and lot issued to the production order that
        the code names: a lot number, a product code or identifier"""
        pool = Pool()
        Line = pool.get('production.material.return.line')
        issued = Line.issued_keys(self.production)
        return (self._get_scanned_lot(code, issued)
            or self._get_scanned_product(code, issued))

    def _get_scanned_lot(self, code, issued):
        "The issued lot numbered code, None if no lot has this number"
        pool = Pool()
        Lot = pool.get('stock.lot')
        lots = Lot.search([('number', '=', code)], order=[('id', 'ASC')])
        for lot in lots:
            if (lot.product.id, lot.id) in issued:
                return lot.product, lot
        if lots:
            lot = lots[0]
            raise ScanError(gettext(
                    'production_material_return.msg_scan_lot_not_issued',
                    lot=lot.rec_name,
                    product=lot.product.rec_name,
                    production=self.production.rec_name))

    def _get_scanned_product(self, code, issued):
        "The issued product of the code, with its lot if only one was issued"
        pool = Pool()
        Lot = pool.get('stock.lot')
        Product = pool.get('product.product')
        products = Product.search(['OR',
                ('code', '=', code),
                ('identifiers.code', '=', code),
                ], order=[('id', 'ASC')])
        if not products:
            raise ScanError(gettext(
                    'production_material_return.msg_scan_not_found',
                    code=code))
        for product in products:
            lot_ids = {l for p, l in issued if p == product.id}
            if not lot_ids:
                continue
            if len(lot_ids) == 1 and None not in lot_ids:
                # The only lot issued of the product
                return product, Lot(lot_ids.pop())
            return product, None
        raise ScanError(gettext(
                'production_material_return.msg_scan_product_not_issued',
                code=code, product=products[0].rec_name,
                production=self.production.rec_name))

    def quality_control_pattern(self, operation):
        pattern = super().quality_control_pattern(operation)
        pattern['company'] = self.company.id
        pattern['products'] = {l.product.id for l in self.lines}
        return pattern

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual',
                If(Eval('state') == 'rejected', 'danger',
                    If(Eval('state').in_(['submitted', 'inspecting']),
                        'warning',
                        If(Eval('state') == 'cancelled', 'muted', '')))),
            ]

    @classmethod
    def create(cls, vlist):
        transaction = Transaction()
        if transaction.user and transaction.check_access:
            cls.check_client_values(vlist)
        with transaction.set_context(_material_return_create=True):
            return super().create(vlist)

    @classmethod
    def check_client_values(cls, vlist):
        "Refuse what only the server sets among the values of a client"
        for values in vlist:
            if values.get('number'):
                raise AccessError(gettext(
                        'production_material_return.msg_number_sequence',
                        number=values['number']))
            audit = [n for n in cls._audit_fields()
                if values.get(n) is not None]
            if values.get('state', 'draft') != 'draft':
                audit.insert(0, 'state')
            if audit:
                cls.raise_audit_fields([], audit)

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Configuration = pool.get('production.configuration')
        values = super().preprocess_values(mode, values)
        if mode == 'create' and not values.get('number'):
            company_id = values.get('company', cls.default_company())
            if company_id is not None:
                sequence = Configuration(1).get_material_return_sequence(
                    company_id)
                if sequence:
                    values['number'] = sequence.get()
        return values

    @classmethod
    def check_modification(
            cls, mode, returns, values=None, external=False):
        super().check_modification(
            mode, returns, values=values, external=external)
        if mode == 'create' and external:
            cls.check_client_create(returns)
        if mode == 'write' and external:
            cls.check_client_write(returns, values)
        elif mode == 'delete':
            cls.check_delete(returns)

    @classmethod
    def check_delete(cls, returns):
        for return_ in returns:
            if return_.state not in {'draft', 'cancelled'}:
                raise AccessError(gettext(
                        'production_material_return.msg_delete_draft',
                        material_return=return_.rec_name))

    @classmethod
    def check_client_create(cls, returns):
        "Refuse the returns a client creates beyond the draft"
        for return_ in returns:
            audit = cls._created_audit_fields(return_)
            if audit:
                cls.raise_audit_fields([return_], audit)

    @classmethod
    def _created_audit_fields(cls, return_):
        "Return the state and the audit fields set on a new return_"
        audit = [n for n in cls._audit_fields()
            if getattr(return_, n) is not None]
        if return_.state != 'draft':
            audit.insert(0, 'state')
        return audit

    @classmethod
    def check_client_write(cls, returns, values):
        """Refuse a client's write of the state, the number or an audit
        field, and of a return no longer a draft but its comment and
        lines"""
        if 'state' in values:
            raise AccessError(gettext(
                    'production_material_return.msg_modify_state',
                    material_return=', '.join(
                        r.rec_name for r in returns[:5])))
        audit = [n for n in ['number'] + cls._audit_fields()
            if n in values]
        if audit:
            cls.raise_audit_fields(returns, audit)
        if values.keys() - {'comment', 'lines'}:
            for return_ in returns:
                if return_.state != 'draft':
                    raise AccessError(gettext(
                            'production_material_return'
                            '.msg_modify_not_draft',
                            material_return=return_.rec_name))

    @classmethod
    def _audit_fields(cls):
        "The fields that record who did each step and when"
        return [
            'requested_by', 'requested_at', 'requested_user',
            'approved_by', 'approved_at', 'done_by', 'done_at']

    @classmethod
    def raise_audit_fields(cls, returns, names):
        raise AccessError(gettext(
                'production_material_return.msg_audit_fields',
                material_return=', '.join(
                    r.rec_name for r in returns[:5] if r.number) or '-',
                fields=', '.join(
                    '"%s"' % cls.__names__(n)['field'] for n in names)))

    @classmethod
    def copy(cls, returns, default=None):
        default = default.copy() if default is not None else {}
        for name in ['number'] + cls._audit_fields():
            default.setdefault(name)
        with Transaction().set_context(_material_return_create=True):
            return super().copy(returns, default=default)

    @classmethod
    def create_from_productions(cls, productions):
        "Create draft returns pre-filled with the returnable material"
        pool = Pool()
        Line = pool.get('production.material.return.line')
        quantities = Line.returnable_quantities(productions)
        returns = []
        for production in productions:
            if production.state not in {'running', 'done'}:
                continue
            lines = Line.get_returnable_lines(production, quantities)
            if lines:
                returns.append(cls._new_return(production, lines))
        cls.save(returns)
        return returns

    @classmethod
    def _new_return(cls, production, lines):
        "Return an unsaved return of lines filled in from production"
        return_ = cls(production=production, lines=lines)
        return_.on_change_production()
        return return_

    @classmethod
    def lock_productions(cls, returns):
        "Lock the production orders before reading any returned quantity"
        pool = Pool()
        Production = pool.get('production')
        lock_written(Production, {r.production.id for r in returns})

    @classmethod
    def validate_fields(cls, returns, field_names):
        super().validate_fields(returns, field_names)
        if field_names is None or (
                field_names & {'production', 'warehouse', 'to_location'}):
            cls.check_locations(returns)

    @classmethod
    def check_locations(cls, returns):
        """The material goes back to the warehouse of the order, into its
        storage tree"""
        for return_ in returns:
            return_.check_warehouse()
            return_.check_to_location()

    def check_warehouse(self):
        production = self.production
        if self.warehouse != production.warehouse:
            raise MaterialReturnError(gettext(
                    'production_material_return.msg_warehouse',
                    material_return=self.rec_name or '-',
                    warehouse=self.warehouse.rec_name,
                    production=production.rec_name,
                    production_warehouse=(production.warehouse.rec_name
                        if production.warehouse else '-')))

    def check_to_location(self):
        pool = Pool()
        Location = pool.get('stock.location')
        storage = self.warehouse.storage_location
        if not storage or not Location.search([
                    ('id', '=', self.to_location.id),
                    ('parent', 'child_of', [storage.id]),
                    ('quarantine', '!=', True),
                    ], limit=1):
            raise MaterialReturnError(gettext(
                    'production_material_return.msg_to_location',
                    material_return=self.rec_name or '-',
                    location=self.to_location.rec_name,
                    storage=storage.rec_name if storage else '-',
                    warehouse=self.warehouse.rec_name))

    @classmethod
    def lock_steps(cls, returns):
        """Lock the returns and their production orders and return the
        returns as stored then"""
        cls.lock(returns)
        cls.lock_productions(returns)
        return cls.browse([r.id for r in returns])

    @classmethod
    def check_returns(cls, returns):
        """Check the rules of the returns against the issued quantities and
        store the quantities checked in the default unit of the products"""
        pool = Pool()
        Line = pool.get('production.material.return.line')
        cls.check_lines(returns)
        cls.check_locations(returns)
        lines = [l for r in returns for l in r.lines]
        Line.check_returnable(lines, exclude=[r.id for r in returns])
        Line.set_internal_quantity(lines)

    @classmethod
    def check_lines(cls, returns):
        "Refuse a return without lines"
        for return_ in returns:
            if not return_.lines:
                raise MaterialReturnError(gettext(
                        'production_material_return.msg_no_lines',
                        material_return=return_.rec_name))

    @classmethod
    def supersede_inspections(cls, returns):
        "Start a fresh inspection round for the returns sent back to draft"
        pool = Pool()
        Inspection = pool.get('quality.inspection')
        inspections = Inspection.search([
                ('origin', 'in', [str(r) for r in returns]),
                ('superseded', '=', False),
                ])
        pending = [i for i in inspections if i.state == 'pending']
        decided = [i for i in inspections if i.state != 'pending']
        Inspection.delete(pending)
        if decided:
            Inspection.write(decided, {'superseded': True})

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    @reset_employee('requested_by', 'approved_by')
    def draft(cls, returns):
        cls.supersede_inspections(returns)
        cls.write(returns, {
                'requested_at': None, 'requested_user': None,
                'approved_at': None})

    @classmethod
    @ModelView.button
    @Workflow.transition('submitted')
    @own_employee
    @set_employee('requested_by')
    def submit(cls, returns):
        if not returns:
            return
        returns = cls.lock_steps(returns)
        cls.check_returns(returns)
        cls.write(returns, {
                'requested_at': dt.datetime.now(),
                'requested_user': Transaction().user,
                })

    def requested_by_user(self, user):
        "Whether the user or its employee in the company requested it"
        employee = user.employee
        return (self.requested_user == user
            or (employee is not None and employee.company == self.company
                and self.requested_by == employee))

    @classmethod
    def check_duties(cls, returns):
        pool = Pool()
        Configuration = pool.get('production.configuration')
        User = pool.get('res.user')
        if not Configuration(1).material_return_separate_duties:
            return
        user = User(Transaction().user)
        for return_ in returns:
            if return_.requested_by_user(user):
                raise DutyError(gettext(
                        'production_material_return.msg_separate_duties',
                        material_return=return_.rec_name,
                        user=(return_.requested_by.rec_name
                            if return_.requested_by
                            else return_.requested_user.rec_name)))

    @classmethod
    @ModelView.button
    @own_employee
    def approve(cls, returns):
        "Approve the submitted returns: to inspect or to stock in"
        pool = Pool()
        Control = pool.get('quality.control')
        Inspection = pool.get('quality.inspection')
        if not returns:
            return
        # Re-read the state under the lock: a concurrent approval wins once
        returns = [r for r in cls.lock_steps(returns)
            if r.state == 'submitted']
        if not returns:
            return
        cls.check_duties(returns)
        cls.check_returns(returns)
        Inspection.save(Control.get_inspections(returns, 'approve'))
        returns = cls.browse([r.id for r in returns])
        to_inspect = [r for r in returns if r.quality_inspections_pending()]
        cls.inspect(to_inspect)
        cls.accept([r for r in returns if r not in to_inspect])

    @classmethod
    @Workflow.transition('inspecting')
    @set_employee('approved_by')
    def inspect(cls, returns):
        "Approve the returns whose material waits for its inspection"
        cls.write(returns, {'approved_at': dt.datetime.now()})

    @classmethod
    @Workflow.transition('approved')
    @set_employee('approved_by')
    def accept(cls, returns):
        "Approve the returns whose material goes straight to stock"
        cls.write(returns, {'approved_at': dt.datetime.now()})

    @classmethod
    @ModelView.button
    @Workflow.transition('rejected')
    def reject(cls, returns):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, returns):
        pass

    def _check_inspections(self):
        "Return True if the material failed its inspection"
        if self.state != 'inspecting':
            return False
        if self.quality_inspections_pending():
            raise InspectionError(gettext(
                    'production_material_return.msg_inspection_pending',
                    material_return=self.rec_name))
        return any(i.state == 'failed' for i in self.quality_inspections)

    @classmethod
    def get_stock_in_moves(cls, returns):
        """Return the (line, moves) that stock in the lines of the returns
        at the unit price of the issued material"""
        pool = Pool()
        Line = pool.get('production.material.return.line')
        lines = []
        unit_prices = Line.issued_unit_prices(
            [l for r in returns for l in r.lines])
        for return_ in returns:
            failed = return_._check_inspections()
            for line in return_.lines:
                moves = line.get_moves(failed=failed)
                for move in moves:
                    move.unit_price = unit_prices[line]
                lines.append((line, moves))
        return lines

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    @own_employee
    @set_employee('done_by')
    def do(cls, returns):
        pool = Pool()
        Line = pool.get('production.material.return.line')
        Move = pool.get('stock.move')
        Production = pool.get('production')
        if not returns:
            return
        returns = cls.lock_steps(returns)
        cls.check_returns(returns)
        lines = cls.get_stock_in_moves(returns)
        moves = [m for _, line_moves in lines for m in line_moves]
        Move.save(moves)
        Move.do(moves)
        Line.write(*sum(
                ([[l], {'move': m[0].id}] for l, m in lines), []))
        cls.write(returns, {'done_at': dt.datetime.now()})
        Production.recost_returned(Production.browse(
                sorted({r.production.id for r in returns})))


class MaterialReturnLine(ProductUnitMixin, ModelSQL, ModelView):
    __name__ = 'production.material.return.line'

    _states = {
        'readonly': Eval('material_return_state') != 'draft',
        }

    material_return = fields.Many2One(
        'production.material.return', "Material Return", required=True,
        ondelete='CASCADE', states=_states)
    material_return_state = fields.Function(fields.Selection(
            'get_material_return_states', "Material Return State"),
        'on_change_with_material_return_state')
    product = fields.Many2One(
        'product.product', "Product", required=True,
        domain=[
            ('type', 'in', ['goods', 'assets']),
            # Only what was issued to the production order comes back
            ('id', 'in', Eval('_parent_material_return', {}).get(
                    'issued_products', [])),
            ],
        states=_states, depends=['material_return'])
    lot = fields.Many2One(
        'stock.lot', "Lot",
        domain=[
            ('product', '=', Eval('product', -1)),
            ('id', 'in', Eval('_parent_material_return', {}).get(
                    'issued_lots', [])),
            ],
        states=_states, depends=['material_return'])
    quantity = fields.Float(
        "Quantity", digits='unit', required=True, states=_states)
    unit = fields.Many2One(
        'product.uom', "Unit", required=True,
        domain=[('category', '=', Eval('product_uom_category', -1))],
        states=_states)
    internal_quantity = fields.Float("Internal Quantity", readonly=True)
    returnable_quantity = fields.Function(fields.Float(
            "Returnable Quantity", digits='unit',
            help="Issued to the order minus what its other returns "
            "(submitted to done) take back, in the unit of the line."),
        'get_returnable_quantity')
    move = fields.Many2One('stock.move', "Move", readonly=True)
    moves = fields.One2Many(
        'stock.move', 'origin', "Moves", readonly=True,
        help="The stock moves of the line: one, or more when a quality "
        "decision split it.")
    cost = fields.Function(fields.Numeric(
            "Cost", digits='currency'), 'get_cost')
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"),
        'on_change_with_currency')
    disposition = fields.Selection([
            (None, ""),
            ('scrap', "Scrap"),
            ('rework', "Rework"),
            ('return', "Return to Supplier"),
            ('concession', "Concession"),
            ], "Disposition",
        states={
            'readonly': ~Eval('material_return_state').in_(
                ['draft', 'inspecting']),
            },
        help="What to do with material that failed its inspection.")
    disposition_string = disposition.translated('disposition')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.material_return, Index.Range())))

    @classmethod
    def __register__(cls, module_name):
        cursor = Transaction().connection.cursor()
        table = cls.__table__()
        super().__register__(module_name)
        # Migration from 8.0.0: the disposition types of quality_gate
        cursor.execute(*table.update(
                [table.disposition], ['return'],
                where=table.disposition == 'return_supplier'))

    @classmethod
    def get_material_return_states(cls):
        pool = Pool()
        Return = pool.get('production.material.return')
        return Return.fields_get(['state'])['state']['selection']

    @fields.depends(
        'material_return', '_parent_material_return.company')
    def on_change_with_currency(self, name=None):
        if self.material_return and self.material_return.company:
            return self.material_return.company.currency

    @fields.depends('material_return', '_parent_material_return.state')
    def on_change_with_material_return_state(self, name=None):
        if self.material_return:
            return self.material_return.state

    def get_rec_name(self, name):
        return '%s %s %s' % (
            format_quantity(self.unit, self.quantity or 0),
            self.unit.symbol if self.unit else '',
            self.product.rec_name if self.product else '')

    @classmethod
    def get_cost(cls, lines, name):
        return {l.id: l.get_moves_cost() for l in lines}

    def get_moves_cost(self):
        "Σ quantity × unit price of the moves, None if no move is priced"
        moves = self._priced_moves()
        if moves:
            return self.material_return.company.currency.round(sum(
                    Decimal(str(m.quantity)) * m.unit_price for m in moves))

    def _priced_moves(self):
        "Return the moves of the line with a unit price, not cancelled"
        return [m for m in self.moves
            if m.state != 'cancelled' and m.unit_price is not None]

    @classmethod
    def get_returnable_quantity(cls, lines, name):
        productions = {l.material_return.production for l in lines}
        exclude = {l.material_return.id for l in lines}
        quantities = cls.returnable_quantities(productions, exclude=exclude)
        return {l.id: l._compute_returnable_quantity(quantities)
            for l in lines}

    @fields.depends(
        'material_return', '_parent_material_return.production',
        'product', 'lot', 'unit')
    def on_change_with_returnable_quantity(self, name=None):
        "The returnable quantity of a line being edited, before it is saved"
        return_ = self.material_return
        if not return_ or not return_.production:
            return None
        exclude = None
        if return_.id is not None and return_.id >= 0:
            exclude = {return_.id}
        quantities = self.returnable_quantities(
            [return_.production], exclude=exclude)
        return self._compute_returnable_quantity(quantities)

    def _compute_returnable_quantity(self, quantities):
        """The returnable quantity in the unit of the line from the
        (issued, returned) quantities of returnable_quantities()"""
        pool = Pool()
        Uom = pool.get('product.uom')
        if not self.product or not self.unit:
            return None
        production = self.material_return.production
        returnable = quantities.get(
            (production.id, self.product.id,
                self.lot.id if self.lot else None),
            (0, 0))
        returnable = self._returnable(returnable, production, self)
        return self.unit.floor(Uom.compute_qty(
                self.product.default_uom, max(returnable, 0),
                self.unit, round=False))

    @classmethod
    def _returnable(cls, quantities, production, line):
        issued, returned = quantities
        return issued - returned

    def _get_internal_quantity(self):
        pool = Pool()
        Uom = pool.get('product.uom')
        return Uom.compute_qty(
            self.unit, self.quantity, self.product.default_uom,
            round=False)

    @classmethod
    def set_internal_quantity(cls, lines):
        to_write = []
        for line in lines:
            quantity = line._get_internal_quantity()
            if quantity != line.internal_quantity:
                to_write.extend([[line], {'internal_quantity': quantity}])
        if to_write:
            cls.write(*to_write)

    @classmethod
    def get_returnable_lines(cls, production, quantities):
        """New lines of what the order may still return, by product and lot,
        from the (issued, returned) quantities of returnable_quantities()"""
        pool = Pool()
        Lot = pool.get('stock.lot')
        Product = pool.get('product.product')
        lines = []
        for (production_id, product_id, lot_id), (issued, returned) in (
                sorted(quantities.items(),
                    key=lambda i: (i[0][1], i[0][2] or 0))):
            if production_id != production.id:
                continue
            product = Product(product_id)
            quantity = product.default_uom.floor(issued - returned)
            if quantity > 0:
                lines.append(cls(
                        product=product,
                        lot=Lot(lot_id) if lot_id else None,
                        quantity=quantity,
                        unit=product.default_uom))
        return lines

    @classmethod
    def issued_keys(cls, production):
        """Return the (product id, lot id) issued to the production order
        by its done input moves"""
        quantities = cls.returnable_quantities([production])
        return {key[1:] for key, (issued, _) in quantities.items()
            if key[0] == production.id and issued > 0}

    @classmethod
    def returnable_quantities(cls, productions, exclude=None):
        """Return (issued, returned) per (production, product, lot)
        in the default unit of the product.

        Issued is the sum of the done input moves of the production,
        returned the sum of the lines of its returns that are submitted,
        approved, inspecting or done except the returns in exclude.
        """
        cursor = Transaction().connection.cursor()
        production_ids = sorted({p.id for p in productions})
        if not production_ids:
            return {}
        union = Union(
            cls._issued_query(production_ids),
            cls._returned_query(production_ids, exclude),
            all_=True)
        cursor.execute(*union.select(
                union.production, union.product, union.lot,
                Sum(union.issued), Sum(union.returned),
                group_by=[union.production, union.product, union.lot]))
        return {
            (production, product, lot): (issued or 0, returned or 0)
            for production, product, lot, issued, returned in cursor}

    @classmethod
    def _issued_query(cls, production_ids):
        "The done input moves of the orders"
        pool = Pool()
        Move = pool.get('stock.move')
        move = Move.__table__()
        return move.select(
            move.production_input.as_('production'),
            move.product.as_('product'),
            move.lot.as_('lot'),
            move.internal_quantity.as_('issued'),
            (move.internal_quantity * 0).as_('returned'),
            where=(move.state == 'done')
            & fields.SQL_OPERATORS['in'](
                move.production_input, production_ids))

    @classmethod
    def _returned_query(cls, production_ids, exclude=None):
        "The lines of the counted returns of the orders but exclude"
        pool = Pool()
        Return = pool.get('production.material.return')
        line = cls.__table__()
        return_ = Return.__table__()
        in_ = fields.SQL_OPERATORS['in']
        where = (return_.state.in_(COUNTED)
            & in_(return_.production, production_ids))
        if exclude:
            where &= ~in_(return_.id, sorted(exclude))
        return line.join(return_,
            condition=line.material_return == return_.id
            ).select(
                return_.production.as_('production'),
                line.product.as_('product'),
                line.lot.as_('lot'),
                (line.internal_quantity * 0).as_('issued'),
                Coalesce(line.internal_quantity, 0).as_('returned'),
                where=where)

    @classmethod
    def moves_join(cls):
        """Return the join of the stock moves to the return lines they stock
        in and to their returns, with the tables of the moves and returns"""
        pool = Pool()
        Move = pool.get('stock.move')
        Return = pool.get('production.material.return')
        move = Move.__table__()
        line = cls.__table__()
        return_ = Return.__table__()
        return (move
            .join(line, condition=move.origin == Concat(
                    'production.material.return.line,', line.id))
            .join(return_, condition=line.material_return == return_.id),
            move, return_)

    @classmethod
    def consumed_quantities(cls, productions):
        """Return the standard consumption of the output already done
        per (production, product) in the default unit of the product"""
        pool = Pool()
        Uom = pool.get('product.uom')
        consumed = defaultdict(float)
        for production in productions:
            if not production.bom or not production.product:
                continue
            done = cls._done_output(production)
            if not done:
                continue
            factor = production.bom.compute_factor(
                production.product, done, production.unit)
            for input_ in production.bom.inputs:
                quantity = input_.compute_quantity(factor)
                consumed[production.id, input_.product.id] += (
                    Uom.compute_qty(
                        input_.unit, quantity,
                        input_.product.default_uom, round=False))
        return consumed

    @classmethod
    def _done_output(cls, production):
        "The quantity of the product done by the order, in its unit"
        pool = Pool()
        Uom = pool.get('product.uom')
        return sum(
            Uom.compute_qty(o.unit, o.quantity, production.unit, round=False)
            for o in production.outputs
            if o.state == 'done' and o.product == production.product)

    def _error_values(self, **values):
        result = dict(
            material_return=self.material_return.rec_name,
            production=self.material_return.production.rec_name,
            product=self.product.rec_name,
            lot=self.lot.rec_name if self.lot else '-',
            quantity=format_quantity(self.unit, self.quantity or 0),
            unit=self.unit.rec_name if self.unit else '-')
        result.update(values)
        return result

    def check_line(self, quantities):
        "Check the line alone against the (issued, returned) quantities"
        self.check_production_state()
        self.check_quantity()
        self.check_issued_key(quantities)

    def check_production_state(self):
        production = self.material_return.production
        if production.state not in {'running', 'done'}:
            raise MaterialReturnError(gettext(
                    'production_material_return.msg_production_state',
                    **self._error_values(state=production.state)))

    def check_quantity(self):
        "A positive quantity in the rounding of the unit"
        quantity = self.quantity
        if (quantity is None or not math.isfinite(quantity)
                or quantity <= 0):
            raise QuantityError(gettext(
                    'production_material_return.msg_quantity_positive',
                    **self._error_values(**(
                            {} if quantity is not None
                            and math.isfinite(quantity)
                            else {'quantity': str(quantity)}))))
        if self.unit.round(quantity) != quantity:
            raise QuantityError(gettext(
                    'production_material_return.msg_quantity_rounding',
                    **self._error_values(
                        quantity=str(quantity),
                        rounding=format_quantity(
                            self.unit, self.unit.rounding))))

    def check_issued_key(self, quantities):
        "The product and the lot were issued to the order"
        production = self.material_return.production
        issued = {
            k[1:] for k, (q, _) in quantities.items()
            if k[0] == production.id and q > 0}
        if not any(p == self.product.id for p, _ in issued):
            raise MaterialReturnError(gettext(
                    'production_material_return.msg_product_not_issued',
                    **self._error_values()))
        if self.product.lot_is_required(
                production.location, self.material_return.to_location):
            if not self.lot:
                raise MaterialReturnError(gettext(
                        'production_material_return.msg_lot_required',
                        **self._error_values()))
        if (self.product.id, self.lot.id if self.lot else None) not in issued:
            raise MaterialReturnError(gettext(
                    'production_material_return.msg_lot_not_issued',
                    **self._error_values()))

    @classmethod
    def check_returnable(cls, lines, exclude=None):
        """Check each line and that the lines together do not return more
        than returnable (issued − returned by the other returns)"""
        if not lines:
            return
        productions = {l.material_return.production for l in lines}
        quantities = cls.returnable_quantities(productions, exclude=exclude)
        per_product = cls._strict_returnable(productions, quantities)
        requested = defaultdict(float)
        requested_product = defaultdict(float)
        for line in sorted(lines, key=lambda l: l.id or 0):
            line.check_line(quantities)
            key = line._quantity_key()
            issued, returned = quantities.get(key, (0, 0))
            # What the lines of the key may take together
            returnable = issued - returned
            if per_product is not None:
                returnable = min(returnable,
                    per_product[key[:2]] - requested_product[key[:2]]
                    + requested[key])
            quantity = requested[key] + line._get_internal_quantity()
            line.check_exceeds(quantity, returnable)
            requested[key] = quantity
            requested_product[key[:2]] += line._get_internal_quantity()

    @classmethod
    def _strict_returnable(cls, productions, quantities):
        """With the strict configuration, the returnable quantity per
        (production, product): issued − returned − consumed"""
        pool = Pool()
        Configuration = pool.get('production.configuration')
        if not Configuration(1).material_return_strict:
            return None
        per_product = defaultdict(float)
        for (production, product, _), (issued, returned) in (
                quantities.items()):
            per_product[production, product] += issued - returned
        for key, consumed in cls.consumed_quantities(productions).items():
            per_product[key] -= consumed
        return per_product

    def _quantity_key(self):
        "The (production, product, lot) ids of returnable_quantities()"
        return (self.material_return.production.id, self.product.id,
            self.lot.id if self.lot else None)

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        quantity = values.get('quantity')
        if quantity is not None and (isinstance(quantity, bool)
                or not isinstance(quantity, (int, float, Decimal))):
            raise QuantityError(gettext(
                    'production_material_return.msg_quantity_number',
                    quantity=str(quantity)[:30]))
        return values

    def check_exceeds(self, quantity, returnable):
        """Refuse to return quantity when returnable is less, both in the
        default unit of the product"""
        uom = self.product.default_uom
        # Compared at full precision, rounded with the finer of both units
        excess = quantity - returnable
        if excess <= 0 or (uom.round(excess) <= 0
                and self.unit.round(self._in_line_unit(excess)) <= 0):
            return
        self.raise_exceeds(quantity, returnable)

    def _in_line_unit(self, quantity):
        "The quantity in the default unit of the product in the line's unit"
        pool = Pool()
        Uom = pool.get('product.uom')
        return Uom.compute_qty(
            self.product.default_uom, quantity, self.unit, round=False)

    def raise_exceeds(self, quantity, returnable):
        uom = self.product.default_uom
        values = self._error_values(
            quantity=format_quantity(self.unit, self._in_line_unit(quantity)),
            returnable=format_quantity(self.unit,
                self.unit.floor(self._in_line_unit(max(returnable, 0)))))
        if self.unit == uom:
            raise QuantityError(gettext(
                    'production_material_return.msg_quantity_exceeds',
                    **values))
        raise QuantityError(gettext(
                'production_material_return.msg_quantity_exceeds_unit',
                **dict(values,
                    unit=self.unit.symbol,
                    internal_quantity=format_number(quantity),
                    internal_returnable=format_number(max(returnable, 0)),
                    default_unit=uom.symbol)))

    @classmethod
    def _validate(cls, lines, field_names=None):
        # Before the domains: this error names the order, product and lot
        if field_names is None or (
                field_names & {'material_return', 'product', 'lot'}):
            cls.check_issued(lines)
        super()._validate(lines, field_names=field_names)

    @classmethod
    def check_issued(cls, lines):
        "Refuse a product or a lot that was not issued to the order"
        issued = {}
        for line in lines:
            if not line.material_return or not line.product:
                continue  # refused as required
            production = line.material_return.production
            if production not in issued:
                issued[production] = cls.issued_keys(production)
            keys = issued[production]
            if not any(p == line.product.id for p, _ in keys):
                raise MaterialReturnError(gettext(
                        'production_material_return.msg_product_not_issued',
                        **line._error_values()))
            if line.lot and (line.product.id, line.lot.id) not in keys:
                raise MaterialReturnError(gettext(
                        'production_material_return.msg_lot_not_issued',
                        **line._error_values()))

    @classmethod
    def validate_fields(cls, lines, field_names):
        super().validate_fields(lines, field_names)
        if field_names is None or (field_names
                & {'material_return', 'product', 'lot', 'quantity', 'unit'}):
            cls.check_draft_returns(lines)

    @classmethod
    def check_draft_returns(cls, lines):
        "Check each line with all the lines of its return while a draft"
        returns = {l.material_return for l in lines
            if l.material_return.state == 'draft'}
        cls.check_returnable(
            [l for r in returns for l in r.lines],
            exclude={r.id for r in returns})

    @classmethod
    def check_modification(cls, mode, lines, values=None, external=False):
        super().check_modification(
            mode, lines, values=values, external=external)
        returns = cls.lock_returns(mode, lines, values)
        if external:
            cls.check_client_modification(mode, lines, values, returns)

    @classmethod
    def lock_returns(cls, mode, lines, values):
        "Lock and return the returns whose lines change"
        pool = Pool()
        Return = pool.get('production.material.return')
        returns = {l.material_return for l in lines}
        if mode == 'write' and values.get('material_return'):
            returns.add(Return(values['material_return']))
        # A line changes only while no step of its return is running; the
        # lines of a return being created need no lock (its id is new at
        # each retry of the transaction)
        returns = Return.browse(sorted(r.id for r in returns))
        if not (mode == 'create'
                and Transaction().context.get('_material_return_create')):
            Return.lock(returns)
        return returns

    @classmethod
    def check_client_modification(cls, mode, lines, values, returns):
        "Refuse a client's change of a server field or of a decided return"
        if ((mode == 'write'
                    and values.keys() & {'move', 'moves', 'internal_quantity'})
                or (mode == 'create' and any(
                        l.move or l.moves or l.internal_quantity is not None
                        for l in lines))):
            raise AccessError(gettext(
                    'production_material_return.msg_modify_state',
                    material_return=lines[0].material_return.rec_name))
        if mode == 'write' and values.keys() <= {'disposition'}:
            states = {'draft', 'inspecting'}
        else:
            states = {'draft'}
        for return_ in returns:
            if return_.state not in states:
                raise AccessError(gettext(
                        'production_material_return.msg_modify_not_draft',
                        material_return=return_.rec_name))

    @classmethod
    def issued_unit_prices(cls, lines):
        """Return the unit price in the unit of each line at which its
        material was issued: per lot if possible, else per product"""
        pool = Pool()
        Uom = pool.get('product.uom')
        costs = cls._issued_costs(
            {l.material_return.production for l in lines})
        prices = {}
        for line in lines:
            key = line._quantity_key()
            if not costs.get(key, [0])[0]:
                key = key[:2]
            quantity, cost = costs.get(key, (0, 0))
            price = cost / quantity if quantity else (
                line.product.cost_price or Decimal(0))
            prices[line] = round_price(Uom.compute_price(
                    line.product.default_uom, price, line.unit))
        return prices

    @classmethod
    def _issued_costs(cls, productions):
        """Return [quantity, cost] of the done inputs of the orders per
        (production, product, lot) and per (production, product)"""
        costs = defaultdict(lambda: [Decimal(0), Decimal(0)])
        for production in productions:
            for input_ in production.inputs:
                if input_.state != 'done':
                    continue
                quantity = Decimal(str(input_.internal_quantity))
                cost = quantity * (input_.get_cost_price() or 0)
                for key in [
                        (production.id, input_.product.id,
                            input_.lot.id if input_.lot else None),
                        (production.id, input_.product.id)]:
                    costs[key][0] += quantity
                    costs[key][1] += cost
        return costs

    def get_moves(self, failed=False):
        "Return the moves that stock the line in, the main one first"
        return [self.get_move(failed=failed)]

    def get_move(self, failed=False):
        pool = Pool()
        Date = pool.get('ir.date')
        Move = pool.get('stock.move')
        return_ = self.material_return
        to_location = self.get_to_location(failed)
        with Transaction().set_context(company=return_.company.id):
            today = Date.today()
        return Move(
            from_location=return_.production.location,
            to_location=to_location,
            product=self.product,
            lot=self.lot,
            quantity=self.quantity,
            unit=self.unit,
            company=return_.company,
            currency=return_.company.currency,
            planned_date=today,
            effective_date=today,
            origin=self,
            )

    def get_to_location(self, failed=False):
        "Where the material goes: quarantine if it failed its inspection"
        return_ = self.material_return
        if not failed:
            return return_.to_location
        location = return_.warehouse.get_quarantine_location(
            document=return_)
        if not self.disposition:
            raise InspectionError(gettext(
                    'production_material_return.msg_disposition_required',
                    **self._error_values()))
        return location

    @classmethod
    def copy(cls, lines, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('move')
        default.setdefault('moves')
        default.setdefault('internal_quantity')
        return super().copy(lines, default=default)


class CreateMaterialReturn(Wizard):
    __name__ = 'production.material.return.create'
    start_state = 'open_'
    open_ = StateAction(
        'production_material_return.act_material_return_form')

    def do_open_(self, action):
        pool = Pool()
        Return = pool.get('production.material.return')
        ids = [r.id for r in Return.create_from_productions(self.records)]
        action['pyson_domain'] = PYSONEncoder().encode([('id', 'in', ids)])
        return action, {}


class MaterialReturnSlip(CompanyReport):
    __name__ = 'production.material.return'
