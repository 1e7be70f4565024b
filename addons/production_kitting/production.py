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

    @classmethod
    def get_kitting_analysed_at(cls, productions, name):
        result = {p.id: None for p in productions}
        for production in productions:
            dates = [s.create_date for s in production.kitting_shortages]
            if dates:
                result[production.id] = max(dates).replace(microsecond=0)
        return result

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
        lock_written(cls, productions)
        productions = cls.browse(productions)
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
    def _kitting_save_requests(cls, requests, productions):
        "Save the purchase requests, and the production requests with moves"
        pool = Pool()
        PurchaseRequest = pool.get('purchase.request')
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
        pool = Pool()
        Product = pool.get('product.product')
        for line in shortage:
            if line['action'] not in {'purchase', 'production'}:
                continue
            product = Product(line['product'])
            missing = line['short'] - covered[(self.id, product.id)]
            if missing <= 1e-9:
                continue
            if line['action'] == 'purchase':
                requests.append(
                    self._kitting_purchase_request(product, missing))
            else:
                productions.append(
                    self._kitting_production_request(product, missing))

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
        action['name'] = gettext('production_kitting.msg_requests_of',
            name=action['name'],
            productions=', '.join(p.rec_name for p in productions))
        action['pyson_domain'] = PYSONEncoder().encode(
            [('id', 'in', [r.id for r in requests])])
        action['pyson_search_value'] = '[]'
        return action

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
        pool = Pool()
        Uom = pool.get('product.uom')
        for request in requests:
            covered[(request.origin.id, request.product.id)] += (
                Uom.compute_qty(request.unit, request.quantity,
                    request.product.default_uom, round=False))

    def _kitting_purchase_request(self, product, quantity):
        "Return the purchase request of quantity of product for self"
        pool = Pool()
        PurchaseRequest = pool.get('purchase.request')
        date = self._kitting_supply_date()
        unit = product.purchase_uom or product.default_uom
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
    def _kitting_purchase_quantity(cls, product, quantity, unit, date):
        """Return quantity in unit rounded up, not below the minimum of the
        best supplier's prices"""
        pool = Pool()
        Uom = pool.get('product.uom')
        minimum = cls._kitting_purchase_minimum(product, unit, date)
        quantity = Uom.compute_qty(
            product.default_uom, quantity, unit, round=False)
        return unit.ceil(max(quantity, minimum))

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
        minimum = min(p.quantity or 0 for p in product_supplier.prices)
        return Uom.compute_qty(
            product_supplier.unit, minimum, unit, round=False)

    def _kitting_supply_date(self):
        "The date the supplies of the components are needed by"
        pool = Pool()
        Date = pool.get('ir.date')
        return self.planned_start_date or Date.today()

    def _kitting_production_request(self, product, quantity):
        "Return the production request of quantity of product for self"
        date = self._kitting_supply_date()
        pbom = product.get_bom()
        unit = product.default_uom
        production = self.__class__(
            planned_date=date,
            company=self.company,
            warehouse=self.warehouse,
            location=self.warehouse.production_location,
            product=product,
            bom=pbom.bom if pbom else None,
            unit=unit,
            quantity=unit.ceil(quantity),
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
        cls.delete(cls.search([
                    ('production', 'in', [p.id for p in productions]),
                    ]))
        shortages = Kitting.shortage(productions)
        lines = []
        for production in productions:
            for values in shortages[production.id]:
                lines.append(cls(production=production, **values))
        cls.save(lines)
        return shortages


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
        productions = sorted(productions, key=lambda p: (
                p.planned_start_date or p.planned_date or today, p.id))
        needs = [(p, *cls._shortage_needs(p)) for p in productions]
        substitutes = cls._production_substitutes(productions)
        engine, incoming = cls._shortage_supply(
            warehouse, productions, needs, substitutes, today)
        return {production.id: cls._shortage_lines(
                production, required, reserved, engine, incoming,
                substitutes, production.planned_start_date or today)
            for production, required, reserved in needs}

    @classmethod
    def _shortage_supply(cls, warehouse, productions, needs, substitutes,
            today):
        """Return the engine of the free stock of the components and their
        substitutes, and their planned receipts up to the last start"""
        product_ids = {p for _, r, _ in needs for p in r}
        engine = cls._shortage_engine(warehouse, product_ids | {
                s for ss in substitutes.values() for s, _ in ss})
        last = max(
            [p.planned_start_date or today for p in productions] + [today])
        return engine, cls.load_incoming(product_ids, warehouse, last)

    @classmethod
    def _shortage_lines(cls, production, required, reserved, engine,
            incoming, substitutes, start):
        "Return the shortage lines of production, taken from engine's stock"
        return [cls._shortage_line(
                production, product, required[product], reserved[product],
                engine.stock, incoming.get(product, []), start, engine,
                substitutes.get((production.id, product), []))
            for product in sorted(required)]

    @classmethod
    def _shortage_needs(cls, production):
        """Return the required and the reserved quantities {product:
        quantity} of the inputs of production still to issue"""
        required = defaultdict(float)
        reserved = defaultdict(float)
        for move in production.inputs:
            if move.state in {'done', 'cancelled'}:
                continue
            required[move.product.id] += move.internal_quantity
            if move.state == 'assigned':
                reserved[move.product.id] += move.internal_quantity
        return required, reserved

    @classmethod
    def _shortage_engine(cls, warehouse, product_ids):
        "Return an engine without BOMs of the free stock of the products"
        # the components and their substitutes only: no BOM walk
        _, products = cls.load_boms(product_ids, depth=0)
        engine = Engine({}, cls.load_stock(products.keys(), warehouse),
            {p: v['rounding'] for p, v in products.items()})
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
        short = ceil_round(max(missing, 0), rounding) if missing > 1e-9 else 0
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
        for sub, quantity in substitutes:
            if stock.get(sub, 0) >= short * quantity - 1e-9:
                return 'substitute', sub
        return cls._supply_action(engine.products[product]), None

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
