# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Workflow, fields
from trytond.model.exceptions import AccessError
from trytond.modules.company.model import employee_field, set_employee
from trytond.modules.product import round_price
from trytond.modules.stock_quarantine.locking import lock_written
from trytond.modules.stock_quarantine.mixin import ProductUnitMixin
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.transaction import Transaction

from .exceptions import DispositionError
from .quality import changed_fields


class Disposition(Workflow, ModelSQL, ModelView):
    "Quality Disposition"
    __name__ = 'quality.disposition'

    _states = {
        'readonly': Eval('state') != 'draft',
        }

    company = fields.Many2One(
        'company.company', "Company", required=True, states=_states)
    inspection_line = fields.Many2One(
        'quality.inspection.line', "Inspection Line", states=_states,
        domain=[
            ('rejected_quantity', '>', 0),
            ('inspection.company', '=', Eval('company', -1)),
            ])
    type = fields.Selection([
            (None, ""),
            ('return', "Return to Supplier"),
            ('scrap', "Scrap"),
            ('rework', "Rework"),
            ('concession', "Concession"),
            ], "Type",
        states={
            'readonly': Eval('state') != 'draft',
            'required': Eval('state') == 'done',
            },
        help="Chosen by the inspector before doing the disposition: the "
        "decision of an inspection leaves a draft disposition for each "
        "line with rejected units.")
    reason = fields.Text("Reason", required=True, states=_states)
    product = fields.Many2One(
        'product.product', "Product", required=True, states=_states,
        context={
            'company': Eval('company', -1),
            })
    lot = fields.Many2One(
        'stock.lot', "Lot", states=_states,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        domain=[
            ('product', '=', Eval('product', -1)),
            ])
    quantity = fields.Float(
        "Quantity", digits='unit', required=True, states=_states,
        domain=[('quantity', '>', 0)])
    unit = fields.Many2One('product.uom', "Unit", required=True,
        states=_states)
    location = fields.Many2One(
        'stock.location', "Quarantine Location", required=True,
        states=_states,
        domain=[('quarantine', '=', True)])
    supplier = fields.Many2One(
        'party.party', "Supplier",
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        states={
            'readonly': Eval('state') != 'draft',
            'required': Eval('type') == 'return',
            'invisible': Eval('type') != 'return',
            })
    cost = fields.Numeric(
        "Cost Written Off", digits='currency', readonly=True,
        states={
            'invisible': Eval('type') != 'scrap',
            })
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"),
        'on_change_with_currency')
    rework_materials = fields.One2Many(
        'quality.disposition.material', 'disposition', "Extra Materials",
        states={
            'readonly': Eval('state') != 'draft',
            'invisible': Eval('type') != 'rework',
            },
        help="Materials added by the rework, taken from the storage of "
        "the warehouse.")
    rework_labour_cost = fields.Numeric(
        "Labour Cost", digits='currency',
        domain=['OR',
            ('rework_labour_cost', '=', None),
            ('rework_labour_cost', '>=', 0),
            ],
        states={
            'readonly': Eval('state') != 'draft',
            'invisible': Eval('type') != 'rework',
            },
        help="The labour of the rework, added to the cost of its output.")
    move = fields.Many2One('stock.move', "Move", readonly=True)
    return_shipment = fields.Many2One(
        'stock.shipment.in.return', "Return Shipment", readonly=True)
    production = fields.Many2One('production', "Rework", readonly=True)
    done_by = employee_field("Done by", states=['done'])
    state = fields.Selection([
            ('draft', "Draft"),
            ('done', "Done"),
            ('cancelled', "Cancelled"),
            ], "State", required=True, readonly=True, sort=False)
    state_string = state.translated('state')

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'done'),
            ('draft', 'cancelled'),
            ('cancelled', 'draft'),
            }
        cls._buttons.update({
                'draft': {
                    'invisible': Eval('state') != 'cancelled',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'do': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_state(cls):
        return 'draft'

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None

    @classmethod
    def from_inspection_lines(cls, lines):
        "The draft dispositions of the rejected units of decided lines"
        dispositions = []
        for line in lines:
            if not line.rejected_quantity:
                continue
            disposition = cls(
                company=line.inspection.company, inspection_line=line,
                type=line.disposition_type(),
                reason=(line.rejection_reason
                    or line.inspection.rec_name),
                product=line.product, lot=line.lot, unit=line.unit,
                quantity=line.rejected_quantity,
                location=line.get_quarantine_location(),
                supplier=line.supplier, state='draft')
            dispositions.append(disposition)
        return dispositions

    @fields.depends('inspection_line', 'product', 'lot', 'unit', 'quantity',
        'location', 'supplier')
    def on_change_inspection_line(self):
        line = self.inspection_line
        if line:
            self.product = line.product
            self.lot = line.lot
            self.unit = line.unit
            self.quantity = line.rejected_quantity
            if line.rejected_move:
                self.location = line.rejected_move.to_location
            self.supplier = line.supplier

    def get_rec_name(self, name):
        return '%s %s %s' % (
            self.product.rec_name, self.quantity, self.unit.symbol)

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, dispositions):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, dispositions):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    @set_employee('done_by')
    def do(cls, dispositions):
        pool = Pool()
        Move = pool.get('stock.move')
        ShipmentInReturn = pool.get('stock.shipment.in.return')
        Production = pool.get('production')
        Lot = pool.get('stock.lot')
        cls.lock(dispositions)
        dispositions = cls.browse(dispositions)
        for disposition in dispositions:
            if not disposition.type:
                raise DispositionError(gettext(
                        'quality_gate.msg_disposition_type_required',
                        disposition=disposition.rec_name))
        cls.lock_stock(dispositions)
        cls.check_available(dispositions)
        moves, shipments, productions = [], [], []
        for disposition in dispositions:
            if disposition.type in {'scrap', 'concession'}:
                disposition.move = disposition.get_move()
                moves.append(disposition.move)
            elif disposition.type == 'return':
                disposition.return_shipment = (
                    disposition.get_return_shipment())
                shipments.append(disposition.return_shipment)
            elif disposition.type == 'rework':
                disposition.production = disposition.get_production()
                productions.append(disposition.production)
        Move.save(moves)
        Move.do(moves)
        for disposition in dispositions:
            if disposition.type == 'scrap':
                disposition.cost = disposition.get_cost()
        ShipmentInReturn.save(shipments)
        ShipmentInReturn.wait(shipments)
        Production.save(productions)
        cls.save(dispositions)
        concessions = [
            d for d in dispositions if d.type == 'concession' and d.lot]
        if concessions:
            Lot.mark_concession([d.lot for d in concessions], concessions)

    @classmethod
    def lock_stock(cls, dispositions):
        """Lock the products of the dispositions: two dispositions of the
        same quarantine stock are done one after the other"""
        pool = Pool()
        Product = pool.get('product.product')
        lock_written(Product, {d.product.id for d in dispositions})

    @classmethod
    def check_available(cls, dispositions):
        """Check the quarantine holds the quantity: its stock, plus what
        still comes in, less what its dispositions still take out"""
        pool = Pool()
        Date = pool.get('ir.date')
        Product = pool.get('product.product')
        Uom = pool.get('product.uom')
        if not dispositions:
            return
        locations = {d.location.id for d in dispositions}
        products = {d.product.id for d in dispositions}
        company = dispositions[0].company
        with Transaction().set_context(company=company.id):
            today = Date.today()
        with Transaction().set_context(
                company=company.id, stock_date_end=today, stock_assign=True,
                forecast=False):
            quantities = Product.products_by_location(
                list(locations), with_childs=True,
                grouping=('product', 'lot'),
                grouping_filter=(list(products),))
        for key, quantity in cls._pending(
                company, locations, products).items():
            quantities[key] = quantities.get(key, 0) + quantity
        used = {}
        for disposition in dispositions:
            key = (disposition.location.id, disposition.product.id,
                disposition.lot.id if disposition.lot else None)
            quantity = Uom.compute_qty(
                disposition.unit, disposition.quantity,
                disposition.product.default_uom, round=False)
            used[key] = used.get(key, 0) + quantity
            available = quantities.get(key, 0)
            if used[key] > available + 1e-9:
                raise DispositionError(gettext(
                        'quality_gate.msg_disposition_exceeds_quarantine',
                        disposition=disposition.rec_name,
                        lot=disposition.lot.rec_name
                        if disposition.lot else '-',
                        location=disposition.location.rec_name,
                        quantity=used[key],
                        available=available))

    @classmethod
    def _pending(cls, company, locations, products):
        """The quantities still to come into the locations (a decided
        receipt not yet done) less those still to leave them by the moves
        of dispositions: no other move may leave quarantine"""
        pool = Pool()
        Move = pool.get('stock.move')
        pending = {}
        for location in locations:
            moves = Move.search([
                    ('company', '=', company.id),
                    ('product', 'in', list(products)),
                    ['OR', [
                            ('to_location', 'child_of', [location],
                                'parent'),
                            ('from_location', 'not child_of', [location],
                                'parent'),
                            ('state', 'in', ['draft', 'assigned']),
                            ], [
                            ('from_location', 'child_of', [location],
                                'parent'),
                            ('to_location', 'not child_of', [location],
                                'parent'),
                            ('state', 'in', ['staging', 'draft']),
                            ]],
                    ])
            for move in moves:
                key = (location, move.product.id,
                    move.lot.id if move.lot else None)
                if cls._inside(move.to_location, location):
                    quantity = move.internal_quantity
                elif move.quality_disposition:
                    quantity = -move.internal_quantity
                else:
                    continue
                pending[key] = pending.get(key, 0) + quantity
        return pending

    @staticmethod
    def _inside(location, ancestor):
        "Whether location is ancestor or one of its children"
        while location and location.id != ancestor:
            location = location.parent
        return bool(location)

    def _get_move(self, from_location, to_location):
        pool = Pool()
        Move = pool.get('stock.move')
        return Move(
            company=self.company, product=self.product, lot=self.lot,
            unit=self.unit, quantity=self.quantity,
            from_location=from_location, to_location=to_location,
            origin=self)

    def get_move(self):
        pool = Pool()
        Location = pool.get('stock.location')
        warehouse = self.location.warehouse
        if self.type == 'scrap':
            to_location = warehouse.lost_found_location if warehouse else None
            if not to_location:
                to_location, = Location.search(
                    [('type', '=', 'lost_found')], limit=1)
        else:
            to_location = warehouse.storage_location
        return self._get_move(self.location, to_location)

    def get_cost_price(self):
        pool = Pool()
        Product = pool.get('product.product')
        with Transaction().set_context(company=self.company.id):
            return Product(self.product.id).cost_price or Decimal(0)

    def get_cost(self):
        cost_price = self.move.cost_price or self.get_cost_price()
        return round_price(
            Decimal(str(self.move.internal_quantity)) * cost_price).quantize(
            Decimal(10) ** -self.company.currency.digits)

    def get_return_shipment(self):
        pool = Pool()
        ShipmentInReturn = pool.get('stock.shipment.in.return')
        to_location = self.supplier.supplier_location
        move = self._get_move(self.location, to_location)
        move.unit_price = self.get_cost_price()
        move.currency = self.company.currency
        return ShipmentInReturn(
            company=self.company, supplier=self.supplier,
            from_location=self.location, to_location=to_location,
            reference=self.reason[:80], moves=[move])

    def get_production(self):
        pool = Pool()
        Production = pool.get('production')
        warehouse = self.location.warehouse
        production = Production(
            company=self.company, warehouse=warehouse,
            location=warehouse.production_location,
            reference=self.reason[:80], origin=self)
        if self.product.producible:
            production.product = self.product
            production.unit = self.unit
            production.quantity = self.quantity
        input_ = self._get_move(self.location, production.location)
        input_.origin = None
        output = self._get_move(
            production.location, warehouse.storage_location)
        output.origin = None
        output.unit_price = Decimal(0)
        output.currency = self.company.currency
        production.inputs = [input_] + [
            m.get_move(production) for m in self.rework_materials]
        production.outputs = [output]
        return production

    @classmethod
    def _server_fields(cls):
        "The fields that only the server writes, in every state"
        return {'state', 'move', 'return_shipment', 'production', 'cost',
            'done_by'}

    @classmethod
    def check_modification(
            cls, mode, dispositions, values=None, external=False):
        super().check_modification(
            mode, dispositions, values=values, external=external)
        if not external:
            return
        if mode == 'create':
            names = {n for d in dispositions for n in cls._server_fields()
                if getattr(d, n) and not (n == 'state' and d.state == 'draft')}
        elif mode == 'write':
            names = changed_fields(dispositions, values, cls._server_fields())
        else:
            names = set()
        if names and dispositions:
            raise AccessError(gettext(
                    'quality_gate.msg_disposition_server_fields',
                    fields=', '.join(sorted(
                            cls.__names__(n)['field'] for n in names)),
                    disposition=dispositions[0].rec_name))
        if mode == 'write':
            cls.check_draft(dispositions)
        elif mode == 'delete':
            cls.check_draft(d for d in dispositions if d.state == 'done')

    @classmethod
    def check_draft(cls, dispositions):
        "Refuse to change dispositions that are not drafts"
        for disposition in dispositions:
            if disposition.state != 'draft':
                raise AccessError(gettext(
                        'quality_gate.msg_disposition_not_draft',
                        disposition=disposition.rec_name,
                        state=disposition.state_string))

    @classmethod
    def copy(cls, dispositions, default=None):
        default = default.copy() if default is not None else {}
        for name in ['move', 'return_shipment', 'production', 'cost',
                'done_by']:
            default.setdefault(name)
        return super().copy(dispositions, default=default)

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual', If(Eval('state') == 'cancelled', 'muted', '')),
            ]


class DispositionMaterial(ProductUnitMixin, ModelSQL, ModelView):
    "Quality Disposition Extra Material"
    __name__ = 'quality.disposition.material'

    _states = {
        'readonly': Eval('disposition_state') != 'draft',
        }

    disposition = fields.Many2One(
        'quality.disposition', "Disposition", required=True,
        ondelete='CASCADE', states=_states)
    disposition_state = fields.Function(
        fields.Selection('get_disposition_states', "Disposition State"),
        'on_change_with_disposition_state')
    product = fields.Many2One(
        'product.product', "Product", required=True, states=_states,
        domain=[('type', 'in', ['goods', 'assets'])])
    quantity = fields.Float(
        "Quantity", digits='unit', required=True, states=_states,
        domain=[('quantity', '>', 0)])
    unit = fields.Many2One(
        'product.uom', "Unit", required=True, states=_states,
        domain=[('category', '=', Eval('product_uom_category', -1))])

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('disposition')

    @classmethod
    def get_disposition_states(cls):
        pool = Pool()
        Disposition = pool.get('quality.disposition')
        return Disposition.fields_get(['state'])['state']['selection']

    @fields.depends('disposition', '_parent_disposition.state')
    def on_change_with_disposition_state(self, name=None):
        if self.disposition:
            return self.disposition.state

    @classmethod
    def check_modification(cls, mode, materials, values=None, external=False):
        pool = Pool()
        Disposition = pool.get('quality.disposition')
        super().check_modification(
            mode, materials, values=values, external=external)
        if not external:
            return
        dispositions = {m.disposition for m in materials}
        if mode == 'write' and values.get('disposition'):
            dispositions.add(Disposition(values['disposition']))
        Disposition.check_draft(dispositions)

    def get_rec_name(self, name):
        return '%s %s %s' % (
            self.quantity, self.unit.symbol, self.product.rec_name)

    def get_move(self, production):
        "The input move of the rework production"
        pool = Pool()
        Move = pool.get('stock.move')
        disposition = self.disposition
        return Move(
            company=disposition.company, product=self.product,
            unit=self.unit, quantity=self.quantity,
            from_location=production.warehouse.storage_location,
            to_location=production.location)
