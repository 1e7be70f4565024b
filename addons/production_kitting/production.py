# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from collections import defaultdict

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.model.exceptions import AccessError
from trytond.modules.stock_quarantine.locking import lock_written
from trytond.modules.stock_quarantine.stock import in_group
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, PYSONEncoder
from trytond.rpc import RPC
from trytond.transaction import Transaction

from .engine import Engine, ceil_round, take_free
from .exceptions import RequestError

OPEN_STATES = {'request', 'draft', 'waiting', 'assigned', 'running'}


class Production(metaclass=PoolMeta):
    __name__ = 'production'
    kitting_shortages = fields.One2Many(
        'production.kitting.shortage', 'production', "Shortage",
        readonly=True,
        help="The components that are short, as of the last analysis.")
    kitting_analysed_at = fields.Function(fields.DateTime(
            "Shortage Analysed at",
            help="When the shortage was last analysed: the shortage is "
            "a snapshot of that moment."),
        'get_kitting_analysed_at')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        planning = in_group('production_kitting', 'group_production_planning')
        cls._buttons.update({
                'kitting_analyse': {
                    'invisible': ~Eval('state').in_(
                        ['request', 'draft', 'waiting', 'assigned',
                            'running']) | ~planning,
                    'depends': ['state'],
                    },
                'kitting_request': {
                    'invisible': ~Eval('state').in_(
                        ['draft', 'waiting', 'assigned', 'running'])
                    | ~planning,
                    'depends': ['state'],
                    },
                })
        # Tryton's steps are offered to the roles that may click them
        # (their button groups in production.xml, doc/RIGHTS.md)
        supervisor = in_group('production', 'group_production_admin')
        for name, group in [
                ('wait', planning), ('run', supervisor), ('do', supervisor)]:
            if name in cls._buttons:
                states = cls._buttons[name] = dict(cls._buttons[name])
                states['invisible'] = states.get('invisible', False) | ~group

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() | {'production'}

    def get_kitting_analysed_at(self, name):
        dates = [s.create_date for s in self.kitting_shortages]
        if dates:
            return max(dates).replace(microsecond=0)

    @classmethod
    def copy(cls, productions, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('kitting_shortages', None)
        return super().copy(productions, default=default)

    @classmethod
    @ModelView.button
    def kitting_analyse(cls, productions):
        "Refresh the shortage of the productions"
        pool = Pool()
        Shortage = pool.get('production.kitting.shortage')
        Shortage.refresh(
            [p for p in productions if p.state in OPEN_STATES])

    @classmethod
    @ModelView.button
    def kitting_request(cls, productions):
        """Create purchase requests and production requests for what is
        short, without duplicating those already requested"""
        pool = Pool()
        Shortage = pool.get('production.kitting.shortage')
        productions = cls._kitting_lock(productions)
        cls._check_kitting_request(productions)
        shortages = Shortage.refresh(productions)
        covered = cls._kitting_requested(productions)
        requests, sub_productions = [], []
        for production in productions:
            production._kitting_requests(
                shortages[production.id], covered, requests, sub_productions)
        cls._kitting_save_requests(requests, sub_productions)
        return cls._kitting_requests_action(productions)

    @classmethod
    def _kitting_lock(cls, productions):
        "Lock the productions and return them as stored then"
        lock_written(cls, productions)
        return cls.browse(productions)

    @classmethod
    def _kitting_save_requests(cls, requests, productions):
        "Save the purchase requests, and the production requests with moves"
        PurchaseRequest = Pool().get('purchase.request')
        PurchaseRequest.save(requests)
        cls.save(productions)
        cls.set_moves(productions)

    @classmethod
    def _check_kitting_request(cls, productions):
        "Refuse to request for productions that are no longer open"
        for production in productions:
            if production.state not in OPEN_STATES - {'request'}:
                raise RequestError(gettext(
                        'production_kitting.msg_request_production_state',
                        production=production.rec_name))

    def _kitting_requests(self, shortage, covered, requests, productions):
        """Add to requests and productions what covers the shortage lines
        not yet covered"""
        for line in shortage:
            if line['action'] not in {'purchase', 'production'}:
                continue
            product, missing = self._kitting_missing(line, covered)
            if missing <= 1e-9:
                continue
            if line['action'] == 'purchase':
                requests.append(
                    self._kitting_purchase_request(product, missing))
            else:
                productions.append(
                    self._kitting_production_request(product, missing))

    def _kitting_missing(self, line, covered):
        "Return the product of the shortage line and its quantity not covered"
        pool = Pool()
        Product = pool.get('product.product')
        product = Product(line['product'])
        return product, line['short'] - covered[(self.id, product.id)]

    @classmethod
    def _kitting_requests_action(cls, productions):
        """The action that opens what covers the shortage of the
        productions: their purchase requests, else their production
        requests (what this click made and what earlier ones did)"""
        pool = Pool()
        ActWindow = pool.get('ir.action.act_window')
        requests, xml_id = cls._kitting_request_records(productions)
        if not requests:
            return
        action = ActWindow.get(xml_id)
        action['name'] = cls._kitting_requests_name(
            action['name'], productions)
        cls._kitting_action_domain(action, requests)
        return action

    @classmethod
    def _kitting_action_domain(cls, action, records):
        "Make action open the records, with no search value"
        action['pyson_domain'] = PYSONEncoder().encode(
            [('id', 'in', [r.id for r in records])])
        action['pyson_search_value'] = '[]'

    @classmethod
    def _kitting_requests_name(cls, name, productions):
        "Return the name of the action opening the requests of productions"
        return gettext('production_kitting.msg_requests_of', name=name,
            productions=', '.join(p.rec_name for p in productions))

    @classmethod
    def _kitting_request_records(cls, productions):
        """Return the purchase requests of the productions, else their
        production requests, with the id of the action that opens them"""
        pool = Pool()
        PurchaseRequest = pool.get('purchase.request')
        domain = cls._kitting_requests_domain(productions)
        requests = PurchaseRequest.search(domain)
        if requests:
            return requests, 'purchase_request.act_purchase_request_form'
        return cls.search(domain), 'production.act_production_list'

    @classmethod
    def _kitting_requests_domain(cls, productions):
        "The domain of the requests (not cancelled) of the productions"
        return [
            ('origin', 'in', [str(p) for p in productions]),
            ('state', '!=', 'cancelled'),
            ]

    @classmethod
    def _kitting_requested(cls, productions):
        "Quantities already requested per (production, product)"
        pool = Pool()
        PurchaseRequest = pool.get('purchase.request')
        domain = cls._kitting_requests_domain(productions)
        covered = defaultdict(float)
        cls._kitting_cover(covered, PurchaseRequest.search(domain))
        cls._kitting_cover(covered, cls.search(domain))
        return covered

    @classmethod
    def _kitting_cover(cls, covered, requests):
        "Add the quantities of requests to covered by (origin, product)"
        for request in requests:
            covered[(request.origin.id, request.product.id)] += (
                cls._kitting_request_quantity(request))

    @classmethod
    def _kitting_request_quantity(cls, request):
        "Return the quantity of request in its product's default unit"
        pool = Pool()
        Uom = pool.get('product.uom')
        return Uom.compute_qty(request.unit, request.quantity,
            request.product.default_uom, round=False)

    def _kitting_purchase_request(self, product, quantity):
        "Return the purchase request of quantity of product for self"
        pool = Pool()
        PurchaseRequest = pool.get('purchase.request')
        date = self._kitting_supply_date()
        unit = self._kitting_purchase_unit(product)
        quantity = self._kitting_purchase_quantity(
            product, quantity, unit, date)
        party, purchase_date = PurchaseRequest.find_best_supplier(
            product, date)
        return PurchaseRequest(
            product=product,
            party=party,
            quantity=quantity,
            unit=unit,
            computed_quantity=quantity,
            computed_unit=unit,
            purchase_date=purchase_date,
            supply_date=date,
            stock_level=0,
            company=self.company,
            warehouse=self.warehouse,
            origin=self,
            )

    @classmethod
    def _kitting_bom(cls, product):
        "Return the BOM product is made with, None if it has none"
        pbom = product.get_bom()
        return pbom.bom if pbom else None

    @classmethod
    def _kitting_purchase_unit(cls, product):
        "Return the unit product is purchased in"
        return product.purchase_uom or product.default_uom

    @classmethod
    def _kitting_purchase_quantity(cls, product, quantity, unit, date):
        """Return quantity in unit rounded up, not below the minimum of the
        best supplier's prices"""
        pool = Pool()
        Uom = pool.get('product.uom')
        minimum = cls._kitting_purchase_minimum(product, unit, date)
        quantity = Uom.compute_qty(
            product.default_uom, quantity, unit, round=False)
        return ceil_round(max(quantity, minimum), unit.rounding)

    @classmethod
    def _kitting_purchase_minimum(cls, product, unit, date):
        "Return the least quantity of the best supplier's prices in unit"
        pool = Pool()
        PurchaseRequest = pool.get('purchase.request')
        Uom = pool.get('product.uom')
        product_supplier = PurchaseRequest.find_best_product_supplier(
            product, date)
        if not (product_supplier and product_supplier.prices):
            return 0
        minimum = cls._kitting_supplier_minimum(product_supplier)
        return Uom.compute_qty(
            product_supplier.unit, minimum, unit, round=False)

    @classmethod
    def _kitting_supplier_minimum(cls, product_supplier):
        "Return the least quantity of the prices of product_supplier"
        return min(p.quantity or 0 for p in product_supplier.prices)

    def _kitting_supply_date(self):
        "The date the supplies of the components are needed by"
        pool = Pool()
        Date = pool.get('ir.date')
        return self.planned_start_date or Date.today()

    def _kitting_production_request(self, product, quantity):
        "Return the production request of quantity of product for self"
        date = self._kitting_supply_date()
        unit = product.default_uom
        production = self.__class__(
            planned_date=date,
            company=self.company,
            warehouse=self.warehouse,
            location=self.warehouse.production_location,
            product=product,
            bom=self._kitting_bom(product),
            unit=unit,
            quantity=ceil_round(quantity, unit.rounding),
            state='request',
            origin=self,
            )
        production.set_planned_start_date()
        return production


class ProductionShortage(ModelSQL, ModelView):
    "Production Shortage"
    __name__ = 'production.kitting.shortage'
    production = fields.Many2One(
        'production', "Production", required=True, ondelete='CASCADE')
    product = fields.Many2One('product.product', "Product", required=True)
    unit = fields.Function(
        fields.Many2One('product.uom', "Unit"), 'on_change_with_unit')
    required = fields.Float("Required", digits='unit', readonly=True)
    reserved = fields.Float("Reserved", digits='unit', readonly=True)
    free_stock = fields.Float("Free Stock", digits='unit', readonly=True)
    incoming = fields.Float(
        "Incoming", digits='unit', readonly=True,
        help="Planned receipts before the planned start of the production.")
    short = fields.Float("Short", digits='unit', readonly=True)
    action = fields.Selection([
            (None, ""),
            ('purchase', "Purchase"),
            ('production', "Production"),
            ('substitute', "Substitute"),
            ], "Action", readonly=True)
    substitute = fields.Many2One(
        'product.product', "Substitute", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('production')
        cls._order.insert(0, ('short', 'DESC'))

    @fields.depends('product')
    def on_change_with_unit(self, name=None):
        return self.product.default_uom if self.product else None

    @classmethod
    def _refuse_client(cls):
        "Refuse clients: the access of production lets them write it"
        transaction = Transaction()
        if transaction.user and transaction.check_access:
            raise AccessError(gettext(
                    'ir.msg_access_rule_error', **cls.__names__()))

    @classmethod
    def create(cls, vlist):
        cls._refuse_client()
        return super().create(vlist)

    @classmethod
    def check_modification(cls, mode, shortages, values=None, external=False):
        super().check_modification(
            mode, shortages, values=values, external=external)
        if external and mode in {'write', 'delete'}:
            raise AccessError(gettext(
                    'ir.msg_access_rule_error', **cls.__names__()))

    @classmethod
    def refresh(cls, productions):
        "Replace the shortage lines of the productions"
        pool = Pool()
        Kitting = pool.get('production.kitting')
        cls._delete_of(productions)
        shortages = Kitting.shortage(productions)
        cls.save(cls._new_lines(productions, shortages))
        return shortages

    @classmethod
    def _new_lines(cls, productions, shortages):
        "Return the unsaved shortage lines of the productions"
        return [cls(production=p, **v)
            for p in productions for v in shortages[p.id]]

    @classmethod
    def _delete_of(cls, productions):
        "Delete the shortage lines of the productions"
        cls.delete(cls.search([
                    ('production', 'in', [p.id for p in productions]),
                    ]))


class KittingProduction(metaclass=PoolMeta):
    "Kitting Analysis: the shortage of production orders"
    __name__ = 'production.kitting'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__rpc__['shortage'] = RPC()

    @classmethod
    def shortage(cls, production_ids):
        """Return for each production order the shortage of each component
        still to issue"""
        cls._check_planning('shortage')
        productions = cls._check_documents(
            'production', 'production_ids', production_ids)
        return cls._by_warehouse_compute(productions, cls._shortage)

    @classmethod
    def _shortage(cls, warehouse, productions):
        """Return {production: [shortage line]} of the productions, served
        in the order of their planned start"""
        pool = Pool()
        Date = pool.get('ir.date')
        today = Date.today()
        productions = cls._by_start(productions, today)
        extra = cls.production_needs(productions)
        needs = [(p, *cls._shortage_needs(p, extra.get(p.id)))
            for p in productions]
        substitutes = cls._production_substitutes(productions)
        engine, incoming = cls._shortage_supply(
            warehouse, productions, needs, substitutes, today)
        return {production.id: cls._shortage_lines(
                production, required, reserved, engine, incoming,
                substitutes, production.planned_start_date or today)
            for production, required, reserved in needs}

    @classmethod
    def _by_start(cls, productions, today):
        "Return the productions in the order of their planned start"
        return sorted(productions, key=lambda p: (
                p.planned_start_date or p.planned_date or today, p.id))

    @classmethod
    def _shortage_supply(cls, warehouse, productions, needs, substitutes,
            today):
        """Return the engine of the free stock of the components and their
        substitutes, and their planned receipts up to the last start"""
        product_ids = {p for _, r, _ in needs for p in r}
        engine = cls._shortage_engine(warehouse, product_ids | {
                s for ss in substitutes.values() for s, _ in ss})
        engine.held = cls.held_pools(
            [str(p) for p in productions], engine.products.keys())
        last = cls._last_start(productions, today)
        return engine, cls.load_incoming(product_ids, warehouse, last)

    @classmethod
    def _last_start(cls, productions, today):
        "Return the last planned start of the productions, today at least"
        return max(
            [p.planned_start_date or today for p in productions] + [today])

    @classmethod
    def _shortage_lines(cls, production, required, reserved, engine,
            incoming, substitutes, start):
        "Return the shortage lines of production, taken from engine's stock"
        return [cls._shortage_line(
                production, product, required[product], reserved[product],
                engine.pool_of(str(production)), incoming.get(product, []),
                start, engine,
                substitutes.get((production.id, product), []))
            for product in sorted(required)]

    @classmethod
    def production_needs(cls, productions):
        """Return {production id: {product id: (required, reserved,
        unplanned)}} needed beyond the inputs (doc/index.rst)"""
        return {}

    @classmethod
    def _shortage_needs(cls, production, extra=None):
        """Return the required and the reserved quantities {product:
        quantity} of the inputs of production still to issue, and of its
        extra needs (production_needs)"""
        required = defaultdict(float)
        reserved = defaultdict(float)
        for move in production.inputs:
            if move.state in {'done', 'cancelled'}:
                continue
            required[move.product.id] += move.internal_quantity
            if move.state == 'assigned':
                reserved[move.product.id] += move.internal_quantity
        cls._add_needs(required, reserved, extra or {})
        return required, reserved

    @classmethod
    def _add_needs(cls, required, reserved, extra):
        "Add the extra needs of production_needs to required and reserved"
        for product, (needed, assigned, _) in extra.items():
            required[product] += needed
            reserved[product] += assigned

    @classmethod
    def _shortage_engine(cls, warehouse, product_ids):
        "Return an engine without BOMs of the free stock of the products"
        # the components and their substitutes only: no BOM walk
        _, products = cls.load_boms(product_ids, depth=0)
        engine = Engine({}, cls.load_stock(products.keys(), warehouse),
            cls._by_product(products, 'rounding'))
        engine.products = products
        return engine

    @classmethod
    def _shortage_line(cls, production, product, required, reserved, stock,
            incoming, start, engine, substitutes):
        """Return the shortage line of product for production: taken from
        the free stock, then from the receipts before start"""
        rounding = engine.rounding.get(product, 0)
        missing = required - reserved
        from_stock = take_free(stock, product, missing)
        missing -= from_stock
        from_incoming, missing = cls._take_incoming(missing, incoming, start)
        short = cls._short_quantity(missing, rounding)
        action, substitute = cls._shortage_action(
            engine, product, short, stock, substitutes)
        return {
            'product': product,
            'required': required,
            'reserved': reserved,
            'free_stock': from_stock,
            'incoming': from_incoming,
            'short': short,
            'action': action,
            'substitute': substitute,
            }

    @classmethod
    def _short_quantity(cls, missing, rounding):
        "Return missing rounded up, 0 when nothing is missing"
        return ceil_round(max(missing, 0), rounding) if missing > 1e-9 else 0

    @classmethod
    def _take_incoming(cls, missing, incoming, start):
        """Take missing from the receipts [[date, quantity]] up to start:
        return the quantity taken and what is still missing"""
        taken = 0
        for receipt in incoming:
            if missing <= 0 or receipt[0] > start:
                break
            quantity = min(missing, receipt[1])
            receipt[1] -= quantity
            taken += quantity
            missing -= quantity
        return taken, missing

    @classmethod
    def _shortage_action(cls, engine, product, short, stock, substitutes):
        """Return the action and the substitute that cover short of product:
        a substitute in stock, else production or purchase"""
        if not short:
            return None, None
        substitute = cls._substitute_in_stock(stock, short, substitutes)
        if substitute is not None:
            return 'substitute', substitute
        return cls._supply_action(engine.products[product]), None

    @classmethod
    def _substitute_in_stock(cls, stock, short, substitutes):
        "Return the first substitute whose stock covers short, None if none"
        for sub, quantity in substitutes:
            if stock.get(sub, 0) >= short * quantity - 1e-9:
                return sub

    @classmethod
    def _supply_action(cls, product):
        """Return how the product ({'bom', 'purchasable'}) is supplied: made
        with a BOM, else purchased if it can be"""
        if product['bom']:
            return 'production'
        elif product['purchasable']:
            return 'purchase'

    @classmethod
    def _production_substitutes(cls, productions):
        "Return {(production, product): [(substitute, ratio)]}"
        result = {}
        for production in productions:
            if production.bom:
                result.update(cls._bom_substitutes_of(production))
        return result

    @classmethod
    def _bom_substitutes_of(cls, production):
        "Return the substitutes of the inputs of the BOM of production"
        return {(production.id, input_.product.id): [
                (s.product.id, s.ratio) for s in input_.substitutes]
            for input_ in production.bom.inputs
            if input_.product and input_.substitutes}
