# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Engineering change orders (工程变更单): the changes of BOMs approved by
another person than the requester and applied as new BOM versions"""
import datetime
from decimal import Decimal
from itertools import product

from sql import Column, Literal, Null
from sql.aggregate import Max
from sql.conditionals import Coalesce
from sql.functions import CurrentTimestamp

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Workflow, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.rpc import RPC
from trytond.transaction import Transaction, without_check_access

from .bom_copy import META, copy_lines, insert_versions, modified
from .exceptions import ChangeError, ChangeLineError

# production orders whose inputs may still follow a new BOM version
UPDATABLE = {'request', 'draft', 'waiting'}
OPEN = UPDATABLE | {'assigned', 'running'}
# the actions of a line and the values each one needs
ACTIONS = [
    ('replace', "Replace Component"),
    ('add', "Add Component"),
    ('remove', "Remove Component"),
    ('quantity', "Change Quantity"),
    ('loss_rate', "Change Loss Rate"),
    ('output_quantity', "Change Output Quantity"),
    ]
_DRAFT = Eval('state') != 'draft'


class BOM(metaclass=PoolMeta):
    __name__ = 'production.bom'
    change = fields.Many2One(
        'production.bom.change', "Engineering Change Order", readonly=True,
        ondelete='RESTRICT',
        help="The engineering change order that made this version.")

    @classmethod
    def copy(cls, boms, default=None):
        default = default.copy() if default else {}
        default.setdefault('change', None)
        return super().copy(boms, default=default)


class Change(Workflow, ModelSQL, ModelView):
    "Engineering Change Order"
    __name__ = 'production.bom.change'
    _rec_name = 'number'
    number = fields.Char(
        "Number", readonly=True,
        help="Given by the sequence of the company on creation.")
    reason = fields.Text("Reason", required=True, states={
            'readonly': _DRAFT})
    requested_by = fields.Many2One(
        'res.user', "Requested by", required=True, readonly=True)
    approved_by = fields.Many2One('res.user', "Approved by", readonly=True)
    effective_date = fields.Date(
        "Effective Date", required=True, states={'readonly': _DRAFT},
        help="The new versions are used from this date on, the old ones "
        "are obsolete from it.")
    component = fields.Many2One(
        'product.product', "Component", states={'readonly': _DRAFT},
        help="Find BOMs picks every active BOM using it.")
    boms = fields.Many2Many(
        'production.bom.change-production.bom', 'change', 'bom', "BOMs",
        domain=[('state', '=', 'active')],
        states={'readonly': _DRAFT},
        help="The active BOM versions changed.")
    lines = fields.One2Many(
        'production.bom.change.line', 'change', "Changes",
        states={'readonly': _DRAFT})
    new_boms = fields.One2Many(
        'production.bom', 'change', "New Versions", readonly=True)
    productions = fields.Function(fields.Many2Many(
            'production', None, None, "Affected Orders",
            readonly=True,
            help="The open production orders of the changed BOMs planned "
            "from the effective date on."),
        'get_productions')
    state = fields.Selection([
            ('draft', "Draft"),
            ('submitted', "Submitted"),
            ('approved', "Approved"),
            ('applied', "Applied"),
            ('rejected', "Rejected"),
            ], "State", readonly=True, required=True, sort=False)
    state_string = state.translated('state')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'submitted'),
            ('submitted', 'draft'),
            ('submitted', 'approved'),
            ('submitted', 'rejected'),
            ('rejected', 'draft'),
            ('approved', 'applied'),
            }
        cls._buttons.update({
                'draft': {
                    'invisible': ~Eval('state').in_(
                        ['submitted', 'rejected']),
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                'submit': _button('draft', 'tryton-forward'),
                'approve': _button('submitted', 'tryton-ok'),
                'reject': _button('submitted', 'tryton-cancel'),
                'apply': _button('approved', 'tryton-launch'),
                'find_boms': _button('draft', 'tryton-search'),
                'update_productions': _button('applied', 'tryton-refresh'),
                })
        cls.__rpc__['preview'] = RPC(readonly=True)

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_requested_by(cls):
        return Transaction().user

    @classmethod
    def default_effective_date(cls):
        return Pool().get('ir.date').today()

    def get_rec_name(self, name):
        # the orders made before their number: named by their id
        return self.number or 'ECN-%s' % self.id

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, operand, *extra = clause
        bool_op = 'AND' if operator.startswith(('!', 'not ')) else 'OR'
        return [bool_op, ('number', operator, operand, *extra),
            ('reason', operator, operand, *extra)]

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if mode == 'create':
            values['number'] = cls._next_number()
        return values

    @classmethod
    def _next_number(cls):
        "The next number of the sequence of the company of the context"
        Configuration = Pool().get('production.configuration')
        sequence = Configuration(1).get_bom_change_sequence(
            Transaction().context.get('company'))
        return sequence.get() if sequence else None

    def get_productions(self, name):
        return [p.id for p in self._productions(OPEN)]

    def _productions(self, states):
        "Return the orders of the changed BOMs planned from the date on"
        Production = Pool().get('production')
        old = self.old_boms
        if not old:
            return []
        return Production.search([
                ('bom', 'in', [b.id for b in old]),
                ('state', 'in', list(states)),
                ['OR', ('planned_date', '=', None),
                    ('planned_date', '>=', self.effective_date)],
                ], order=[('id', 'ASC')])

    @property
    def old_boms(self):
        "The versions changed: the previous ones of the new versions once "
        "applied"
        if self.new_boms:
            return [b.previous_version for b in self.new_boms]
        return list(self.boms)

    @classmethod
    def copy(cls, changes, default=None):
        default = default.copy() if default else {}
        for name in ['number', 'approved_by', 'new_boms']:
            default.setdefault(name, None)
        default.setdefault('requested_by', Transaction().user)
        return super().copy(changes, default=default)

    @classmethod
    def check_modification(cls, mode, changes, values=None, external=False):
        super().check_modification(
            mode, changes, values=values, external=external)
        if mode == 'delete':
            for change in changes:
                if change.state not in {'draft', 'rejected'}:
                    raise ChangeError(gettext(
                            'production_bom_engineering.msg_change_delete',
                            change=change.rec_name,
                            state=change.state_string))
        elif external and mode == 'create':
            cls.check_client_create(changes)
        elif external and mode == 'write':
            cls.check_client_write(changes, values)

    @classmethod
    def _client_fields(cls):
        "The fields a client may write, on a draft order only"
        return {'reason', 'effective_date', 'component', 'boms', 'lines'}

    @classmethod
    def check_client_create(cls, changes):
        "Refuse an order a client creates past its draft or in another's name"
        for change in changes:
            fields = change._step_fields_set()
            if fields:
                cls._raise_server_fields(change, fields)

    def _step_fields_set(self):
        "The fields of the steps set on a new order"
        fields = [n for n in ['approved_by', 'new_boms'] if getattr(self, n)]
        if self.state != 'draft':
            fields.insert(0, 'state')
        if self.requested_by.id != Transaction().user:
            fields.append('requested_by')
        return fields

    @classmethod
    def check_client_write(cls, changes, values):
        "Refuse a client's write of a server field or of an order not draft"
        fields = sorted(values.keys() - cls._client_fields())
        for change in changes:
            if fields:
                cls._raise_server_fields(change, fields)
            change.check_draft()

    @classmethod
    def _raise_server_fields(cls, change, fields):
        raise ChangeError(gettext(
                'production_bom_engineering.msg_change_server_fields',
                change=change.rec_name,
                fields=', '.join(
                    '"%s"' % cls.__names__(n)['field'] for n in fields)))

    def check_draft(self):
        "Refuse a change of the order once submitted"
        if self.state != 'draft':
            raise ChangeError(gettext(
                    'production_bom_engineering.msg_change_not_draft',
                    change=self.rec_name, state=self.state_string))

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, changes):
        cls.write(changes, {'approved_by': None})

    @classmethod
    @ModelView.button
    @Workflow.transition('submitted')
    def submit(cls, changes):
        for change in changes:
            change.check_complete()

    def check_complete(self):
        "Refuse an order without changes or without BOMs"
        if not self.lines or not self.boms:
            raise ChangeError(gettext(
                    'production_bom_engineering.msg_change_empty',
                    change=self.rec_name, lines=len(self.lines),
                    boms=len(self.boms)))

    @classmethod
    @ModelView.button
    @Workflow.transition('approved')
    def approve(cls, changes):
        for change in changes:
            change.check_approver()
        cls.write(changes, {'approved_by': Transaction().user})

    def check_approver(self):
        "Refuse the approval by the requester"
        User = Pool().get('res.user')
        user = User(Transaction().user)
        if self.requested_by == user:
            raise ChangeError(gettext(
                    'production_bom_engineering.msg_change_self_approval',
                    change=self.rec_name,
                    requester=self.requested_by.rec_name,
                    approver=user.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('rejected')
    def reject(cls, changes):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('applied')
    def apply(cls, changes):
        for change in changes:
            change._apply()

    def _apply(self):
        "Make the new versions of the BOMs, the old ones expire at the date"
        pool = Pool()
        BOM = pool.get('production.bom')
        old = self.current_versions(self.boms)
        self.check_dates(old)
        new = self.copy_versions(old)
        for line in self.lines:
            line.apply([b.id for b in new])
        BOM.write(old, {'end_date': self.effective_date})
        BOM.write(new, {'state': 'active'})
        # the old versions stay active until the date (scheduled action)
        BOM.expire(old)

    def copy_versions(self, boms):
        """Return the new draft versions of boms: the BOMs by INSERT …
        SELECT (by one read and one create when a sequence numbers them),
        their name translations in one statement per language, then their
        lines and product links by INSERT … SELECT (bom_copy)"""
        BOM = Pool().get('production.bom')
        if BOM._code_sequence():
            new = _copy_rows(BOM, boms, {
                    'previous_version': lambda d: d['id'],
                    'family': lambda d: d['family'] or d['id'],
                    'version': lambda d: _next_version(d['version']),
                    'start_date': self.effective_date,
                    'change': self.id,
                    'state': 'draft',
                    # the other defaults of BOM.copy()
                    **dict.fromkeys(['end_date', 'code', 'input_products',
                            'output_products'], None),
                    })
        else:
            new = insert_versions(BOM, boms, self.id, self.effective_date)
        _copy_translations(BOM, new)
        copy_lines(BOM, new)
        return new

    @classmethod
    def current_versions(cls, boms):
        """Return the versions now active of boms, locked: a BOM made
        obsolete by another order is replaced by its new version"""
        BOM = Pool().get('production.bom')
        boms = list(boms)
        for _ in range(100):
            BOM.lock(boms)
            boms = BOM.browse(boms)
            # obsolete or expiring: replaced by a version of an order
            replaced = [b for b in boms
                if b.state == 'obsolete' or b.end_date]
            if not replaced:
                break
            successors = {b.previous_version: b for b in BOM.search([
                        ('previous_version', 'in', [b.id for b in replaced]),
                        ('state', '!=', 'draft'),
                        ])}
            boms = list({successors.get(b, b) for b in boms})
            if not (set(boms) & set(successors.values())):
                break
        return boms

    def check_dates(self, boms):
        "Refuse a BOM not active or starting after the effective date"
        for bom in boms:
            if bom.state != 'active' or (bom.start_date
                    and bom.start_date > self.effective_date):
                raise ChangeError(gettext(
                        'production_bom_engineering.msg_change_bom_dates',
                        change=self.rec_name, bom=bom.rec_name,
                        version=bom.version, state=bom.state_string,
                        start_date=bom.start_date or '',
                        date=self.effective_date))

    @classmethod
    @ModelView.button
    def find_boms(cls, changes):
        for change in changes:
            if change.state == 'draft' and change.component:
                found = cls.preview(
                    change.component.id, change.effective_date)['boms']
                change.boms = sorted(set(found) | {b.id for b in change.boms})
        cls.save(changes)

    @classmethod
    @ModelView.button
    def update_productions(cls, changes):
        "Replace the inputs of the draft or waiting orders by the new version"
        Production = Pool().get('production')
        productions = []
        for change in changes:
            if change.state != 'applied':
                continue
            versions = {b.previous_version: b for b in change.new_boms}
            for production in change._productions(UPDATABLE):
                production.bom = versions[production.bom]
                production.explode_bom()
                productions.append(production)
        Production.save(productions)

    @classmethod
    def preview(cls, product_id, date=None):
        """Return what a change of component product_id at date touches:
        {'boms': the active BOMs using it, 'parents': [[BOM, level]] of
        the BOMs using their products, level by level, 'productions': the
        open orders of the BOMs planned from date on}"""
        pool = Pool()
        Date = pool.get('ir.date')
        date = _date(date) or Date.today()
        boms = cls._users([int(product_id)])
        return {
            'boms': sorted(boms),
            'parents': cls._parents(boms),
            'productions': cls._open_productions(boms, date),
            }

    @classmethod
    def create_mass(cls, line, effective_date, reason, component_id):
        """Create and submit the order of one change line (values) to every
        active BOM using component_id; return it"""
        effective_date = _date(effective_date)
        change, = cls.create([{
                    'reason': reason,
                    'effective_date': effective_date,
                    'component': int(component_id),
                    'boms': [('add', cls.preview(
                                component_id, effective_date)['boms'])],
                    'lines': [('create', [dict(line)])],
                    }])
        cls.submit([change])
        return change

    @classmethod
    def _users(cls, product_ids, exclude=()):
        """Return the ids of the active BOMs with an input of the products,
        not those expiring (replaced by a version of an order)"""
        pool = Pool()
        BOM = pool.get('production.bom')
        Input = pool.get('production.bom.input')
        bom = BOM.__table__()
        input_ = Input.__table__()
        cursor = Transaction().connection.cursor()
        if not product_ids:
            return set()
        cursor.execute(*input_.join(bom, condition=input_.bom == bom.id
                ).select(bom.id,
                where=input_.product.in_(list(product_ids))
                & (bom.state == 'active') & (bom.end_date == Null),
                group_by=[bom.id]))
        return {i for i, in cursor} - set(exclude)

    @classmethod
    def _parents(cls, boms, depth=50):
        "Return [[BOM id, level]] of the BOMs using the products of boms"
        pool = Pool()
        Output = pool.get('production.bom.output')
        output = Output.__table__()
        cursor = Transaction().connection.cursor()
        seen, parents, level = set(boms), [], 1
        while boms and level <= depth:
            cursor.execute(*output.select(output.product,
                    where=output.bom.in_(list(boms)),
                    group_by=[output.product]))
            boms = cls._users([p for p, in cursor], exclude=seen)
            level += 1
            seen |= boms
            parents.extend([b, level] for b in sorted(boms))
        return parents

    @classmethod
    def _open_productions(cls, boms, date):
        "Return the ids of the open orders of boms planned from date on"
        pool = Pool()
        Production = pool.get('production')
        production = Production.__table__()
        cursor = Transaction().connection.cursor()
        if not boms:
            return []
        cursor.execute(*production.select(production.id,
                where=production.bom.in_(list(boms))
                & production.state.in_(list(OPEN))
                & ((production.planned_date == Null)
                    | (production.planned_date >= date)),
                order_by=[production.id]))
        return [i for i, in cursor]


class ChangeDraftMixin:
    "The records of an order (a change field) a client changes in its draft"
    __slots__ = ()

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        super().check_modification(
            mode, records, values=values, external=external)
        if external:
            cls.check_changes_draft(records, values)

    @classmethod
    def check_changes_draft(cls, records, values=None):
        "Refuse a client's change of the records of an order not draft"
        Change = Pool().get('production.bom.change')
        changes = {r.change for r in records}
        if values and values.get('change'):
            changes.add(Change(values['change']))
        for change in Change.browse(sorted(c.id for c in changes)):
            change.check_draft()


def _button(state, icon):
    return {
        'invisible': Eval('state') != state,
        'icon': icon,
        'depends': ['state'],
        }


def _copy_rows(Model, records, default):
    """Copy records as copy() does (default: {field: value or function of
    the values read}) without their One2Many, with one read and one create
    in the database language: copy() writes the translatable fields back
    record by record"""
    Config = Pool().get('ir.configuration')
    names = [n for n, f in Model._fields.items()
        if (not isinstance(f, fields.Function)
            or isinstance(f, fields.MultiValue))
        and f._type != 'one2many' and n not in META]
    ids = [r.id for r in records]
    with Transaction().set_context(language=Config.get_language()):
        with without_check_access():
            rows = {r['id']: r for r in Model.read(ids, names)}
        copies = Model.create(
            [_copy_values(Model, rows[i], names, default) for i in ids])
    return Model.browse([c.id for c in copies])


def _copy_values(Model, row, names, default):
    "Return the values of the copy of row, as copy() converts them"
    values = {}
    for name in names:
        value = default.get(name, row[name])
        value = value(row) if callable(value) else value
        field = Model._fields[name]
        if field._type == 'many2many':
            if field.readonly or field.filter or not value:
                continue
            value = [('add', value)]
        values[name] = value
    return values


def _copy_translations(Model, copies):
    """Give copies the translations of their previous versions (or else
    their source, as copy() does) in every other translatable language"""
    pool = Pool()
    Config = pool.get('ir.configuration')
    Lang = pool.get('ir.lang')
    Translation = pool.get('ir.translation')
    langs = [l.code for l in Lang.search([('translatable', '=', True)])
        if l.code != Config.get_language()]
    names = [n for n, f in Model._fields.items()
        if getattr(f, 'translate', False) and not hasattr(f, 'set')]
    cursor = Transaction().connection.cursor()
    for lang, name in product(langs, names):
        cursor.execute(*_translations_insert(Model, copies, lang, name))
    if langs and names:
        Translation._translation_cache.clear()


def _translations_insert(Model, copies, lang, field):
    """The INSERT … SELECT of the translations in lang of field of copies:
    the previous version's value not fuzzy, or else the source"""
    Translation = Pool().get('ir.translation')
    table = Model.__table__()
    translation = Translation.__table__()
    old = Translation.__table__()
    name = '%s,%s' % (Model.__name__, field)
    source = Column(table, field)
    value = old.select(Max(old.value), where=(
            old.res_id == table.previous_version)
        & _translated(old, name, lang))
    columns = ['name', 'lang', 'type', 'res_id', 'src', 'value', 'fuzzy',
        'create_uid', 'create_date']
    return translation.insert(
        [Column(translation, c) for c in columns],
        table.select(Literal(name), Literal(lang), Literal('model'),
            table.id, source, Coalesce(value, source), Literal(False),
            Literal(Transaction().user), CurrentTimestamp(),
            where=fields.SQL_OPERATORS['in'](
                table.id, [c.id for c in copies])))


def _translated(translation, name, lang):
    "The condition of the rows read as translations of name in lang"
    return ((translation.name == name) & (translation.lang == lang)
        & (translation.type == 'model')
        & ((translation.fuzzy == Literal(False)) | (translation.fuzzy == Null))
        & (translation.value != '') & (translation.value != Null))


def _date(value):
    if isinstance(value, str):
        return datetime.date.fromisoformat(value)
    return value


def _next_version(version):
    "V1 → V2, A → A.2, V1.9 → V1.10"
    head = (version or '').rstrip('0123456789')
    number = version[len(head):] if version else ''
    if not number:
        return '%s.2' % (version or 'V1')
    return '%s%s' % (head, int(number) + 1)


class ChangeBOM(ChangeDraftMixin, ModelSQL):
    "Engineering Change Order - BOM"
    __name__ = 'production.bom.change-production.bom'
    change = fields.Many2One(
        'production.bom.change', "Change", required=True,
        ondelete='CASCADE')
    bom = fields.Many2One(
        'production.bom', "BOM", required=True, ondelete='RESTRICT')


class ChangeLine(ChangeDraftMixin, ModelSQL, ModelView):
    "Engineering Change Order Line"
    __name__ = 'production.bom.change.line'
    change = fields.Many2One(
        'production.bom.change', "Change", required=True,
        ondelete='CASCADE')
    action = fields.Selection(ACTIONS, "Action", required=True)
    action_string = action.translated('action')
    product = fields.Many2One(
        'product.product', "Product", required=True,
        help="The component changed (the product made for an output "
        "quantity, the new component for an addition).")
    new_product = fields.Many2One(
        'product.product', "New Product",
        states={
            'invisible': Eval('action') != 'replace',
            'required': Eval('action') == 'replace',
            })
    ratio = fields.Float(
        "Ratio", digits=(16, 4),
        states={
            'invisible': Eval('action') != 'replace',
            'required': Eval('action') == 'replace',
            },
        help="Units of the new product per unit of the replaced one.")
    quantity = fields.Float(
        "Quantity", digits='unit',
        states={
            'invisible': ~Eval('action').in_(
                ['add', 'quantity', 'output_quantity']),
            'required': Eval('action').in_(
                ['add', 'quantity', 'output_quantity']),
            })
    unit = fields.Many2One(
        'product.uom', "Unit",
        states={
            'invisible': Eval('action') != 'add',
            'required': Eval('action') == 'add',
            })
    loss_rate = fields.Numeric(
        "Loss Rate", digits=(16, 2),
        states={
            'invisible': ~Eval('action').in_(['add', 'loss_rate']),
            'required': Eval('action') == 'loss_rate',
            },
        help="In %.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('change')

    @classmethod
    def default_action(cls):
        return 'replace'

    @classmethod
    def default_ratio(cls):
        return 1.0

    @fields.depends('product', 'unit')
    def on_change_product(self):
        if self.product and not self.unit:
            self.unit = self.product.default_uom

    def get_rec_name(self, name):
        return '%s %s' % (
            self.action_string, self.product.rec_name if self.product else '')

    @classmethod
    def validate_fields(cls, lines, field_names):
        super().validate_fields(lines, field_names)
        for line in lines:
            line.check_values()

    def check_values(self):
        "Refuse a ratio, quantity or loss rate out of range, another unit"
        if self.action == 'replace' and not (self.ratio or 0) > 0:
            self._raise('msg_change_line_ratio', ratio=self.ratio)
        if (self.action in {'add', 'quantity', 'output_quantity'}
                and not (self.quantity or 0) > 0):
            self._raise('msg_change_line_quantity', quantity=self.quantity)
        if self.loss_rate is not None and not (
                0 <= self.loss_rate < 1000):
            self._raise('msg_change_line_loss_rate', loss_rate=self.loss_rate)
        category = self.product.default_uom.category
        other = self.new_product if self.action == 'replace' else self.unit
        if other and self.action in {'replace', 'add'} and (
                (getattr(other, 'default_uom', None) or other).category
                != category):
            self._raise('msg_change_line_unit', other=other.rec_name)

    def _raise(self, message, **values):
        values = {k: '%g' % v if isinstance(v, float) else v
            for k, v in values.items()}
        raise ChangeLineError(gettext(
                'production_bom_engineering.' + message,
                change=self.change.rec_name, line=self.rec_name,
                product=self.product.rec_name, **values))

    def apply(self, bom_ids):
        "Apply the change to the BOMs bom_ids in few statements"
        getattr(self, '_apply_' + self.action)(bom_ids)

    def _inputs(self):
        Input = Pool().get('production.bom.input')
        return Input.__table__()

    def _execute(self, query):
        Transaction().connection.cursor().execute(*query)

    def _apply_replace(self, bom_ids):
        """Replace the product of the inputs in SQL, validated through the
        ORM once per unit and quantity (all else is the same product)"""
        Input = Pool().get('production.bom.input')
        inputs = self._product_inputs(bom_ids)
        input_ = self._inputs()
        self._execute(input_.update(
                [input_.product, input_.quantity],
                [self.new_product.id, input_.quantity * self.ratio],
                where=fields.SQL_OPERATORS['in'](
                    input_.id, [i.id for i in inputs])))
        values = {'product': self.new_product.id, 'quantity': self.ratio}
        modified(Input, [i.id for i in inputs], 'write', values)
        inputs = Input.browse([i.id for i in inputs])
        Input._validate(list({(i.unit, i.quantity): i
                    for i in inputs}.values()))

    def _product_inputs(self, bom_ids):
        "The inputs of the product in the BOMs bom_ids, in their order"
        Input = Pool().get('production.bom.input')
        return Input.search([('bom', 'in', bom_ids),
                ('product', '=', self.product.id)], order=[('id', 'ASC')])

    def _apply_remove(self, bom_ids):
        input_ = self._inputs()
        self._execute(input_.delete(
                where=input_.bom.in_(bom_ids)
                & (input_.product == self.product.id)))

    def _apply_quantity(self, bom_ids):
        self._update_inputs(bom_ids, 'quantity', self.quantity)

    def _apply_loss_rate(self, bom_ids):
        self._update_inputs(bom_ids, 'loss_rate', self.loss_rate)

    def _update_inputs(self, bom_ids, name, value):
        input_ = self._inputs()
        self._execute(input_.update(
                [getattr(input_, name)], [value],
                where=input_.bom.in_(bom_ids)
                & (input_.product == self.product.id)))

    def _apply_add(self, bom_ids):
        "Add the input through the ORM: validated (unit, recursion)"
        Input = Pool().get('production.bom.input')
        Input.create([{'bom': b, 'product': self.product.id,
                    'quantity': self.quantity, 'unit': self.unit.id,
                    'loss_rate': self.loss_rate or Decimal(0),
                    } for b in bom_ids])

    def _apply_output_quantity(self, bom_ids):
        Output = Pool().get('production.bom.output')
        output = Output.__table__()
        self._execute(output.update(
                [output.quantity], [self.quantity],
                where=output.bom.in_(bom_ids)
                & (output.product == self.product.id)))
