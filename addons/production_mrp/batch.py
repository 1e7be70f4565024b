# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""生产任务单批量新增: production orders in one go from sales lines (以销定产)
or from products with quantities and dates (备货生产)"""
from collections import defaultdict

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, PYSONEncoder
from trytond.transaction import Transaction
from trytond.wizard import Button, StateAction, StateView, Wizard

from trytond.modules.stock_quarantine.mixin import ProductUnitMixin

from .exceptions import MRPError


class BatchStart(ModelView):
    "Create Production Orders in Batch"
    __name__ = 'production.mrp.batch.start'
    warehouse = fields.Many2One('stock.location', "Warehouse", required=True,
        domain=[('type', '=', 'warehouse')])
    merge = fields.Boolean("Merge per Product",
        help="One order per product with the summed quantity at the "
        "earliest date, instead of one order per line.")
    lines = fields.One2Many('production.mrp.batch.line', None, "Lines")

    @classmethod
    def default_warehouse(cls):
        return Pool().get('stock.location').get_default_warehouse()


class BatchLine(ProductUnitMixin, ModelView):
    "Create Production Orders in Batch Line"
    __name__ = 'production.mrp.batch.line'
    product = fields.Many2One('product.product', "Product", required=True,
        domain=[('producible', '=', True), ('boms', '!=', None)])
    quantity = fields.Float("Quantity", digits='unit', required=True,
        domain=[('quantity', '>', 0)])
    unit = fields.Many2One('product.uom', "Unit", required=True,
        domain=[('category', '=', Eval('product_uom_category', -1))])
    planned_date = fields.Date("Planned Date", required=True)
    origin = fields.Reference("Origin", selection='get_origins',
        readonly=True)

    @classmethod
    def get_origins(cls):
        Production = Pool().get('production')
        return Production.get_origin()


class Batch(Wizard):
    "Create Production Orders in Batch"
    __name__ = 'production.mrp.batch'
    start = StateView('production.mrp.batch.start',
        'production_mrp.batch_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Create", 'create_', 'tryton-ok', default=True),
            ])
    create_ = StateAction('production.act_production_list')

    def default_start(self, fields):
        return {'lines': self._default_lines()}

    def _default_lines(self):
        "The lines of the active records (none for products)"
        return []

    def do_create_(self, action):
        pool = Pool()
        Production = pool.get('production')
        productions = self.create_productions()
        # the 齐套 status of what was made
        Production.kitting_analyse(productions)
        action['domain'] = PYSONEncoder().encode(
            [('id', 'in', [p.id for p in productions])])
        action['name'] = gettext('production_mrp.msg_batch_created',
            count=len(productions))
        return action, {}

    def create_productions(self):
        "Create one draft order per line or per product (merge)"
        pool = Pool()
        Production = pool.get('production')
        if not self.start.lines:
            raise MRPError(gettext('production_mrp.msg_batch_empty'))
        groups = self._groups()
        productions = [self._production(lines) for lines in groups]
        Production.save(productions)
        Production.set_moves(productions)
        return productions

    def _groups(self):
        lines = sorted(self.start.lines,
            key=lambda l: (l.planned_date, l.product.id))
        if not self.start.merge:
            return [[l] for l in lines]
        return self._merge_lines(lines)

    @classmethod
    def _merge_lines(cls, lines):
        "Return the lines grouped by product and unit"
        groups = defaultdict(list)
        for line in lines:
            groups[(line.product.id, line.unit.id)].append(line)
        return list(groups.values())

    def _production(self, lines):
        pool = Pool()
        Production = pool.get('production')
        first = lines[0]
        product = first.product
        bom = product.boms[0] if product.boms else None
        production = Production(
            company=Transaction().context.get('company'),
            warehouse=self.start.warehouse,
            location=self.start.warehouse.production_location,
            product=product, bom=bom.bom if bom else None, unit=first.unit,
            quantity=first.unit.round(sum(l.quantity for l in lines)),
            planned_date=min(l.planned_date for l in lines),
            origin=first.origin if len(lines) == 1 else None,
            state='draft')
        if 'routing' in Production._fields and bom:
            production.routing = getattr(bom, 'routing', None)
        production.on_change_planned_date()
        return production


class BatchSale(metaclass=PoolMeta):
    __name__ = 'production.mrp.batch'

    @classmethod
    def _planned_date(cls, line):
        "Return the date MRP plans the sale line at"
        pool = Pool()
        Date = pool.get('ir.date')
        return line.sale.shipping_date or line.sale.sale_date or Date.today()

    def _default_lines(self):
        """One line per selected sales line of a producible product, for
        what no order made from it covers yet"""
        pool = Pool()
        SaleLine = pool.get('sale.line')
        Sale = pool.get('sale.sale')
        context = Transaction().context
        model, ids = context.get('active_model'), context.get('active_ids')
        if model == 'sale.sale':
            lines = [l for s in Sale.browse(ids or []) for l in s.lines]
        elif model == 'sale.line':
            lines = SaleLine.browse(ids or [])
        else:
            return super()._default_lines()
        covered = self._covered(lines)
        result = []
        for line in lines:
            quantity = self._to_make(line, covered)
            if quantity > 0:
                result.append({
                        'product': line.product.id,
                        'quantity': quantity,
                        'unit': line.unit.id,
                        'product_uom_category': line.unit.category.id,
                        'planned_date': self._planned_date(line),
                        'origin': str(line),
                        })
        return result

    @staticmethod
    def _to_make(line, covered):
        if (line.type != 'line' or not line.product
                or not line.product.producible or not line.product.boms
                or line.sale.state not in {'confirmed', 'processing'}):
            return 0
        return line.unit.round(line.quantity - covered.get(line.id, 0))

    @staticmethod
    def _covered(lines):
        "Return {sale line: quantity of the open orders made from it}"
        pool = Pool()
        Production = pool.get('production')
        Uom = pool.get('product.uom')
        origins = [str(l) for l in lines]
        covered = defaultdict(float)
        for production in Production.search([
                    ('origin', 'in', origins),
                    ('state', '!=', 'cancelled'),
                    ]):
            line = production.origin
            covered[line.id] += Uom.compute_qty(
                production.unit, production.quantity, line.unit, round=False)
        return covered


class ProductionOriginSale(metaclass=PoolMeta):
    __name__ = 'production'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() | {'sale.line'}
