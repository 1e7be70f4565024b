# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""BOM versions: a version, a state and effective dates on each BOM, the
version valid at a date used by production orders, kitting and MRP, and
the comparison of two versions"""
import datetime
from collections import defaultdict

from sql import Null

from trytond.i18n import gettext
from trytond.model import ModelView, Workflow, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval, If
from trytond.rpc import RPC
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import Button, StateView, Wizard

from .exceptions import VersionError

# the fields of an active or obsolete version that may still be written
VERSION_FIELDS = {'state', 'end_date', 'active'}


def bom_date():
    "The date whose BOM versions are used: bom_date of the context or today"
    date = Transaction().context.get('bom_date')
    if isinstance(date, str):
        date = datetime.date.fromisoformat(date)
    return date or Pool().get('ir.date').today()


def valid_at(bom, date):
    "The SQL condition of the rows of table bom valid at date"
    return ((bom.start_date == Null) | (bom.start_date <= date)) & (
        (bom.end_date == Null) | (bom.end_date > date)) & (
        (bom.state != 'draft') | (bom.previous_version == Null))


class BOM(Workflow, metaclass=PoolMeta):
    __name__ = 'production.bom'
    version = fields.Char(
        "Version", required=True, readonly=True,
        help="V1 for the first version, V2 for the next one …")
    state = fields.Selection([
            ('draft', "Draft"),
            ('active', "Active"),
            ('obsolete', "Obsolete"),
            ], "State", readonly=True, required=True, sort=False)
    state_string = state.translated('state')
    start_date = fields.Date(
        "Effective Date",
        domain=[If(Eval('start_date') & Eval('end_date'),
                ('start_date', '<=', Eval('end_date', None)), ())],
        states={'readonly': Eval('state') != 'draft'},
        help="Used from this date on (empty: always).")
    end_date = fields.Date(
        "Expiry Date", readonly=True,
        help="No longer used from this date on.")
    previous_version = fields.Many2One(
        'production.bom', "Previous Version", readonly=True,
        ondelete='RESTRICT')
    family = fields.Many2One(
        'production.bom', "First Version", readonly=True,
        ondelete='RESTRICT',
        help="The first version of the BOM: all versions share it.")
    versions = fields.Function(fields.Many2Many(
            'production.bom', None, None, "Versions", readonly=True),
        'get_versions')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._transitions |= {
            ('draft', 'active'),
            ('active', 'obsolete'),
            }
        cls._buttons.update({
                'activate': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'obsolete': {
                    # an expiry date set: it expires by itself then
                    'invisible': ((Eval('state') != 'active')
                        | Bool(Eval('end_date'))),
                    'depends': ['state', 'end_date'],
                    },
                })
        cls.__rpc__['compare'] = RPC(readonly=True)
        for name in ['name', 'code', 'phantom', 'phantom_unit',
                'phantom_quantity', 'inputs', 'outputs']:
            field = getattr(cls, name)
            field.states = field.states.copy()
            field.states['readonly'] = (
                field.states.get('readonly', False)
                | (Eval('state') != 'draft'))

    @classmethod
    def __register__(cls, module):
        table_h = cls.__table_handler__(module)
        created = not table_h.column_exist('state')
        super().__register__(module)
        if created:
            # the BOMs made before versions are their active first version
            table = cls.__table__()
            cursor = Transaction().connection.cursor()
            cursor.execute(*table.update([table.state], ['active']))

    @classmethod
    def default_version(cls):
        return 'V1'

    @classmethod
    def default_state(cls):
        return 'draft'

    def get_versions(self, name):
        family = self.family or self
        return [b.id for b in self.search([
                    ['OR', ('id', '=', family.id),
                        ('family', '=', family.id)],
                    ], order=[('id', 'ASC')])]

    def valid_at(self, date):
        "Whether this version is used at date"
        return ((not self.start_date or self.start_date <= date)
            and (not self.end_date or self.end_date > date)
            and (self.state != 'draft' or not self.previous_version))

    @classmethod
    def copy(cls, boms, default=None):
        default = default.copy() if default else {}
        for name in ['end_date', 'previous_version', 'family']:
            default.setdefault(name, None)
        default.setdefault('state', 'draft')
        default.setdefault('version', cls.default_version())
        return super().copy(boms, default=default)

    @classmethod
    def check_modification(cls, mode, boms, values=None, external=False):
        super().check_modification(
            mode, boms, values=values, external=external)
        if mode == 'write' and not (set(values) - VERSION_FIELDS):
            return
        if mode in {'write', 'delete'}:
            cls.check_draft(boms)

    @classmethod
    def check_draft(cls, boms):
        "Refuse the change of a BOM that is not a draft version"
        for bom in boms:
            if bom.state != 'draft':
                raise VersionError(gettext(
                        'production_bom_engineering.msg_version_not_draft',
                        bom=bom.rec_name, version=bom.version,
                        state=bom.state_string))

    @classmethod
    @ModelView.button
    @Workflow.transition('active')
    def activate(cls, boms):
        Date = Pool().get('ir.date')
        today = Date.today()
        cls.write([b for b in boms if not b.start_date],
            {'start_date': today})

    @classmethod
    @ModelView.button
    @Workflow.transition('obsolete')
    def obsolete(cls, boms):
        "Expire today (a version not started yet: on its start date)"
        Date = Pool().get('ir.date')
        today = Date.today()
        for bom in boms:
            if not bom.end_date or bom.end_date > today:
                bom.end_date = max(today, bom.start_date or today)
        cls.save(boms)

    @classmethod
    def expire(cls, boms):
        "Make obsolete the active versions of boms no longer used from today"
        today = Pool().get('ir.date').today()
        cls.write([b for b in boms if b._expired(today)],
            {'state': 'obsolete'})

    def _expired(self, today):
        "Whether this active version is expired or expires before it starts"
        return (self.state == 'active' and self.end_date is not None
            and self.end_date <= max(today, self.start_date or today))

    @classmethod
    def expire_versions(cls):
        "Make obsolete the active versions expired (scheduled action)"
        cls.expire(cls.search([
                    ('state', '=', 'active'),
                    ('end_date', '!=', None),
                    ]))

    @classmethod
    def compare(cls, old_id, new_id):
        """Return the differences from version old_id to version new_id:
        [{'type': 'input' or 'output', 'product', 'product_name', 'unit',
        'old_quantity', 'new_quantity', 'old_loss_rate', 'new_loss_rate',
        'change': 'added', 'removed' or 'changed'}]"""
        old, new = cls.browse([int(old_id), int(new_id)])
        before, after = old._compare_lines(), new._compare_lines()
        differences = []
        for key in sorted(set(before) | set(after)):
            difference = _difference(key, before.get(key), after.get(key))
            if difference:
                differences.append(difference)
        return differences

    def _compare_lines(self):
        "Return {(type, product id): (product, quantity, unit, loss rate)}"
        lines = defaultdict(lambda: [None, 0, None, None])
        for type_, records in [
                ('input', self.inputs), ('output', self.outputs)]:
            for record in records:
                if not record.product:
                    continue
                line = lines[type_, record.product.id]
                line[0] = record.product
                line[1] += record.quantity
                line[2] = record.unit
                line[3] = getattr(record, 'loss_rate', None)
        return {k: tuple(v) for k, v in lines.items()}


def _difference(key, before, after):
    "Return the difference of one product between two versions or None"
    if before == after:
        return None
    change = ('added' if before is None
        else 'removed' if after is None else 'changed')
    product, unit = (after or before)[0], (after or before)[2]
    return {
        'type': key[0],
        'product': product.id,
        'product_name': product.rec_name,
        'unit': unit.rec_name if unit else '',
        'old_quantity': before[1] if before else None,
        'new_quantity': after[1] if after else None,
        'old_loss_rate': before[3] if before else None,
        'new_loss_rate': after[3] if after else None,
        'change': change,
        }


class BOMLineMixin:
    "Only the inputs and outputs of a draft BOM version can be changed"
    __slots__ = ()

    @classmethod
    def check_modification(cls, mode, lines, values=None, external=False):
        super().check_modification(
            mode, lines, values=values, external=external)
        BOM = Pool().get('production.bom')
        boms = {r['bom'] for r in cls.read([l.id for l in lines], ['bom'])}
        if mode == 'write' and values and values.get('bom'):
            boms.add(values['bom'])
        # in one query: thousands of lines are copied at once
        with without_check_access(), Transaction().set_context(
                active_test=False):
            BOM.check_draft(BOM.search([
                        ('id', 'in', list(boms)), ('state', '!=', 'draft'),
                        ], limit=1))


class BOMInput(BOMLineMixin, metaclass=PoolMeta):
    __name__ = 'production.bom.input'


class BOMOutput(BOMLineMixin, metaclass=PoolMeta):
    __name__ = 'production.bom.output'


class ProductBOM(metaclass=PoolMeta):
    __name__ = 'product.product-production.bom'

    def match(self, pattern, match_none=False):
        "Match only the BOM version valid at the date of the context"
        return (self.bom.valid_at(bom_date())
            and super().match(pattern, match_none=match_none))


class Production(metaclass=PoolMeta):
    __name__ = 'production'

    @fields.depends('product', 'bom', 'planned_date', 'state')
    def set_bom_version(self):
        "Use the version of the BOM valid at the planned date"
        if not self.product or self.state not in {'request', 'draft', None}:
            return
        date = self._bom_version_date()
        if (self.bom and self.bom.valid_at(date)
                and self.product in self.bom.output_products):
            return
        self.bom = self._bom_version(date)

    def _bom_version(self, date):
        "Return the version of the BOM (or else the product's) valid at date"
        if self.bom and self.product in self.bom.output_products:
            for version in self.bom.versions:
                if version.valid_at(date):
                    return version
        with Transaction().set_context(bom_date=date):
            pbom = self.product.get_bom()
        return pbom.bom if pbom else None

    def _bom_version_date(self):
        Date = Pool().get('ir.date')
        return self.planned_date or Date.today()

    @fields.depends(methods=['set_bom_version'])
    def on_change_product(self):
        self.set_bom_version()
        super().on_change_product()

    @fields.depends(methods=['set_bom_version'])
    def on_change_bom(self):
        self.set_bom_version()
        super().on_change_bom()

    @fields.depends('bom', methods=['set_bom_version', 'explode_bom'])
    def on_change_planned_date(self):
        bom = self.bom
        self.set_bom_version()
        super().on_change_planned_date()
        if self.bom != bom:
            self.explode_bom()


class Kitting(metaclass=PoolMeta):
    "Kitting and MRP read the BOM versions valid at bom_date"
    __name__ = 'production.kitting'

    @classmethod
    def _bom_products_query(cls, where):
        BOM = Pool().get('production.bom')
        bom = BOM.__table__()
        query = super()._bom_products_query(where)
        # product ⋈ template ⟕ product_bom: keep the valid versions only
        join = query.from_[0]
        assert join.type_ == 'LEFT'
        product_bom = join.right
        join.condition &= product_bom.bom.in_(bom.select(
                bom.id, where=valid_at(bom, bom_date())))
        return query

    @classmethod
    def _bom_rows(cls):
        from trytond.modules.production_kitting.bom import _Rows
        rows = super()._bom_rows()
        products = rows['products']
        # the products' BOMs depend on the date: one cached table per date
        rows['products'] = _Rows(products.cursor, products.query,
            products.cache, 'products@%s' % bom_date().isoformat())
        return rows

    @classmethod
    def get_engine(cls, product_ids, warehouse_id, date=None):
        with Transaction().set_context(bom_date=date or bom_date()):
            return super().get_engine(product_ids, warehouse_id, date=date)


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.append(
            ('production.bom|expire_versions', "Expire BOM Versions"))


class MRPRun(metaclass=PoolMeta):
    __name__ = 'production.mrp.run'

    def _build_planner(self):
        with Transaction().set_context(bom_date=self.date):
            return super()._build_planner()


class CompareStart(ModelView):
    "Compare BOM Versions"
    __name__ = 'production.bom.compare.start'
    old = fields.Many2One('production.bom', "Old Version", required=True)
    new = fields.Many2One(
        'production.bom', "New Version", required=True,
        domain=[('id', '!=', Eval('old', -1))])


class CompareLine(ModelView):
    "BOM Version Difference"
    __name__ = 'production.bom.compare.line'
    type = fields.Selection([
            ('input', "Input"),
            ('output', "Output"),
            ], "Type", readonly=True)
    product = fields.Many2One('product.product', "Product", readonly=True)
    unit = fields.Char("Unit", readonly=True)
    old_quantity = fields.Float("Old Quantity", readonly=True)
    new_quantity = fields.Float("New Quantity", readonly=True)
    old_loss_rate = fields.Numeric(
        "Old Loss Rate", digits=(16, 2), readonly=True)
    new_loss_rate = fields.Numeric(
        "New Loss Rate", digits=(16, 2), readonly=True)
    change = fields.Selection([
            ('added', "Added"),
            ('removed', "Removed"),
            ('changed', "Changed"),
            ], "Change", readonly=True)


class CompareResult(ModelView):
    "Compare BOM Versions"
    __name__ = 'production.bom.compare.result'
    old = fields.Many2One('production.bom', "Old Version", readonly=True)
    new = fields.Many2One('production.bom', "New Version", readonly=True)
    lines = fields.One2Many(
        'production.bom.compare.line', None, "Differences", readonly=True)


class Compare(Wizard):
    "Compare BOM Versions"
    __name__ = 'production.bom.compare'
    start = StateView('production.bom.compare.start',
        'production_bom_engineering.bom_compare_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Compare", 'result', 'tryton-ok', default=True),
            ])
    result = StateView('production.bom.compare.result',
        'production_bom_engineering.bom_compare_result_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def default_start(self, fields):
        bom = self.record
        if bom and bom.previous_version:
            return {'old': bom.previous_version.id, 'new': bom.id}
        return {'old': bom.id} if bom else {}

    def default_result(self, fields):
        BOM = Pool().get('production.bom')
        differences = BOM.compare(self.start.old.id, self.start.new.id)
        for difference in differences:
            del difference['product_name']
        return {
            'old': self.start.old.id, 'new': self.start.new.id,
            'lines': differences,
            }
