# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Issue to production orders: the one way our slips, kits, supplementary
pickings and backflushes put material into an order"""
from collections import defaultdict, namedtuple

from sql import Null
from sql.aggregate import Max, Sum
from sql.conditionals import Case, Coalesce

from trytond import backend
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.model.exceptions import AccessError
from trytond.modules.stock_quarantine.locking import lock_written
from trytond.modules.stock_quarantine.numbers import format_quantity
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.tools import grouped_slice, reduce_ids
from trytond.transaction import Transaction

from .configuration import PICKING_METHODS
from .exceptions import IssueError

# (production, product, lot, quantity, unit, origin, kind): kind picking
# takes its quantity out of what the order still plans to pick (its BOM
# standard), backflush out of its backflushed components, supplementary
# comes on top of the standard
Issue = namedtuple('Issue', [
        'production', 'product', 'lot', 'quantity', 'unit', 'origin',
        'kind'])
ISSUE_KINDS = [
    (None, ""),
    ('picking', "Picking"),
    ('supplementary', "Supplementary"),
    ('backflush', "Backflush"),
    ]
OPEN_STATES = {'waiting', 'assigned', 'running'}
PLANNED_MOVE_STATES = {'staging', 'draft', 'assigned'}
EPSILON = 1e-9


class Production(metaclass=PoolMeta):
    __name__ = 'production'

    picking_method = fields.Selection(
        PICKING_METHODS, "Picking Method", required=True,
        states={
            'readonly': ~Eval('state').in_(['request', 'draft', 'waiting']),
            },
        help="All at start: running the order issues what was not picked "
        "yet. By picking slips: only slips issue, before or after the "
        "order runs.")
    picking_lines = fields.One2Many(
        'production.picking.line', 'production', "Picking Lines",
        readonly=True)
    components = fields.One2Many(
        'production.picking.component', 'production', "Picking Progress",
        readonly=True)
    picked_percent = fields.Function(fields.Float(
            "Picked %", digits=(16, 1),
            help="The mean of the picked % of the components picked by "
            "hand (each at most 100 %): what the order has of its "
            "material."),
        'get_picked_percent')

    @classmethod
    def default_picking_method(cls):
        pool = Pool()
        Configuration = pool.get('production.configuration')
        return Configuration(1).picking_method or 'run'

    @classmethod
    def get_picked_percent(cls, productions, name):
        pool = Pool()
        Component = pool.get('production.picking.component')
        percents = defaultdict(list)
        for component in Component.search([
                    ('production', 'in', [p.id for p in productions]),
                    ('backflush', '=', False),
                    ('standard_quantity', '>', 0),
                    ]):
            percents[component.production.id].append(
                min(component.picked_percent or 0, 100))
        return {p.id: (round(sum(percents[p.id]) / len(percents[p.id]), 1)
                if percents[p.id] else None)
            for p in productions}

    @classmethod
    def run(cls, productions):
        """Issue at start only what the orders issue at start: not the
        backflushed components, nothing of an order picked by slips"""
        for production in productions:
            production.inputs = [
                m for m in production.inputs
                if m.state == 'done' or production.issues_at_start(m)]
        super().run(productions)

    @property
    def state_label(self):
        "The state of the order in the user's language"
        selection = self.fields_get(['state'])['state']['selection']
        return dict(selection).get(self.state, self.state)

    def issues_at_start(self, move):
        "Whether running the order issues the planned move"
        return (self.picking_method == 'run'
            and not move.production_backflush)

    @classmethod
    def issue(cls, requests, negative=False):
        """Issue the requests to their orders as done input moves from the
        orders' picking locations and return the moves.

        Nothing is written when one request cannot be issued: order not
        open, more than it still plans (planned requests), more than the
        picking location holds of the product and lot (unless negative),
        a held lot."""
        pool = Pool()
        Move = pool.get('stock.move')
        requests = [r for r in requests if r.quantity]
        if not requests:
            return []
        for request in requests:
            cls.check_issue(request)
        cls.lock_issue(requests)
        # what the orders still need first: the transaction is rolled back
        # when the stock then lacks
        cls._take_requests(requests)
        if not negative:
            cls.check_issue_available(requests)
        moves = cls.issue_moves(requests)
        Move.save(moves)
        Move.do(moves)
        return moves

    @classmethod
    def _take_requests(cls, requests):
        "Take the picked and the backflushed requests out of the planned"
        cls._take_planned([r for r in requests if r.kind == 'picking'])
        cls._take_planned(
            [r for r in requests if r.kind == 'backflush'], backflush=True)

    @classmethod
    def check_issue(cls, request):
        cls.check_issue_production(request)
        cls.check_issue_quantity(request)
        cls.check_issue_lot(request)

    @classmethod
    def check_issue_production(cls, request):
        production = request.production
        if production.state not in OPEN_STATES:
            raise IssueError(gettext(
                    'production_picking.msg_issue_production_state',
                    production=production.rec_name,
                    state=production.state_label))

    @classmethod
    def check_issue_quantity(cls, request):
        production = request.production
        if request.quantity < 0:
            raise IssueError(gettext(
                    'production_picking.msg_issue_negative',
                    production=production.rec_name,
                    product=request.product.rec_name,
                    quantity=format_quantity(request.unit, request.quantity)))
        if request.unit.category != request.product.default_uom.category:
            raise IssueError(gettext(
                    'production_picking.msg_issue_unit',
                    product=request.product.rec_name,
                    unit=request.unit.rec_name))

    @classmethod
    def check_issue_lot(cls, request):
        production, lot = request.production, request.lot
        if lot and lot.product != request.product:
            raise IssueError(gettext(
                    'production_picking.msg_issue_lot_product',
                    lot=lot.rec_name, product=request.product.rec_name))
        if lot and getattr(lot, 'quality_status', 'released') != 'released':
            raise IssueError(gettext(
                    'production_picking.msg_issue_lot_held',
                    lot=lot.rec_name,
                    production=production.rec_name))

    @classmethod
    def lock_issue(cls, requests):
        """Serialise the issues of the same products and of the same
        orders: the check of the stock and of what remains to pick sees
        the last issue committed"""
        cls.lock_issue_records(
            {r.production for r in requests}, {r.product for r in requests})

    @classmethod
    def lock_issue_records(cls, productions, products):
        "Lock the orders and the products of issues"
        pool = Pool()
        Product = pool.get('product.product')
        lock_written(cls, productions)
        lock_written(Product, products)

    @classmethod
    def check_issue_available(cls, requests):
        """Refuse a request above what the picking location (out of its
        quarantine) holds of its product and lot today"""
        needed = cls._issue_needed(requests)
        stock = cls.issue_stock(needed.keys())
        for (location, product, lot), quantity in needed.items():
            available = stock.get((location.id, product.id,
                    lot.id if lot else None), 0)
            if quantity > available + EPSILON:
                cls.raise_issue_stock(
                    location, product, lot, quantity, available)

    @classmethod
    def _issue_needed(cls, requests):
        """The quantity of the requests from each (picking location,
        product, lot), in the product's unit"""
        pool = Pool()
        Uom = pool.get('product.uom')
        needed = defaultdict(float)
        for request in requests:
            location = request.production.picking_location
            needed[location, request.product, request.lot] += (
                Uom.compute_qty(request.unit, request.quantity,
                    request.product.default_uom, round=False))
        return needed

    @classmethod
    def raise_issue_stock(cls, location, product, lot, quantity, available):
        raise IssueError(gettext(
                'production_picking.msg_issue_stock',
                product=product.rec_name,
                lot=lot.rec_name if lot else '-',
                location=location.rec_name,
                quantity=format_quantity(product.default_uom, quantity),
                available=format_quantity(
                    product.default_uom, max(available, 0)),
                unit=product.default_uom.symbol))

    @classmethod
    def issue_stock(cls, keys):
        """Return the quantity of each (location, product, lot) in its
        storage tree but quarantine, from the moves done until today"""
        keys = list(keys)
        products = sorted({p.id for _, p, _ in keys})
        stock = defaultdict(float)
        for location in {l for l, _, _ in keys}:
            quantities = cls._location_stock(location, products)
            for (_, product, lot), quantity in quantities.items():
                stock[location.id, product, lot] += quantity
        return stock

    @classmethod
    def _location_stock(cls, location, products):
        """The stock by product and lot of the location but quarantine:
        {(location id, product id, lot id): quantity}"""
        pool = Pool()
        Date = pool.get('ir.date')
        Product = pool.get('product.product')
        with Transaction().set_context(
                stock_date_end=Date.today(), forecast=False):
            return Product.products_by_location(
                cls._issue_locations(location), grouping=('product', 'lot'),
                grouping_filter=(products,))

    @classmethod
    def _issue_locations(cls, location):
        """The ids of location and its children out of quarantine, in one
        query of the location tree (left and right)"""
        rows = cls._location_tree(location)
        quarantine = [(l, r) for _, l, r, q in rows if q]
        return sorted(i for i, l, r, _ in rows
            if not any(ql <= l and r <= qr for ql, qr in quarantine))

    @classmethod
    def _location_tree(cls, location):
        "[(id, left, right, quarantine)] of the active locations in location"
        pool = Pool()
        Location = pool.get('stock.location')
        top, child = Location.__table__(), Location.__table__()
        where = top.id == location.id
        if Transaction().context.get('active_test', True):
            where &= child.active
        cursor = Transaction().connection.cursor()
        cursor.execute(*child.join(top, condition=(child.left >= top.left)
                & (child.right <= top.right)).select(
                child.id, child.left, child.right, child.quarantine,
                where=where))
        return list(cursor)

    @classmethod
    def planned_inputs(cls, productions):
        """Return the input moves each (production, product) still plans
        to issue (BOM standard not issued yet), backflushed ones apart:
        {(production id, product id): [move]}"""
        return cls._planned_inputs(productions, backflush=False)

    @classmethod
    def planned_quantities(cls, productions):
        """Return the quantity each (production id, product id) still plans
        to issue, backflushed inputs apart, in the product's unit"""
        pool = Pool()
        Move = pool.get('stock.move')
        move = Move.__table__()
        cursor = Transaction().connection.cursor()
        quantities = {}
        for sub_ids in grouped_slice(sorted({p.id for p in productions}),
                backend.MAX_QUERY_PARAMS):
            cursor.execute(*move.select(
                    move.production_input, move.product,
                    Sum(move.internal_quantity),
                    where=reduce_ids(move.production_input, sub_ids)
                    & move.state.in_(sorted(PLANNED_MOVE_STATES))
                    & ~Coalesce(move.production_backflush, False),
                    group_by=[move.production_input, move.product]))
            quantities.update(((p, q), s) for p, q, s in cursor)
        return quantities

    @classmethod
    def _planned_inputs(cls, productions, backflush):
        planned = defaultdict(list)
        for production in productions:
            for move in production.inputs:
                if (move.state in PLANNED_MOVE_STATES
                        and bool(move.production_backflush) == backflush):
                    planned[production.id, move.product.id].append(move)
        return planned

    @classmethod
    def backflushed_products(cls, productions):
        "The (production id, product id) of the orders' backflushed inputs"
        pool = Pool()
        Move = pool.get('stock.move')
        return {(m.production_input.id, m.product.id) for m in Move.search([
                    ('production_input', 'in', [p.id for p in productions]),
                    ('production_backflush', '=', True),
                    ])}

    @classmethod
    def _take_planned(cls, requests, backflush=False):
        """Take the quantities of requests out of the planned input moves
        of their orders, or refuse what is above them"""
        if not requests:
            return
        productions = cls.browse({r.production.id for r in requests})
        planned = cls._planned_inputs(productions, backflush=backflush)
        left = {m: m.internal_quantity for ms in planned.values() for m in ms}
        for request in requests:
            cls._take_request(request,
                planned[request.production.id, request.product.id], left)
        cls._write_planned(
            {m: q for m, q in left.items() if q != m.internal_quantity})

    @classmethod
    def _take_request(cls, request, moves, left):
        """Take the request out of left, the quantities left of its planned
        moves, or refuse it when they do not hold it"""
        pool = Pool()
        Uom = pool.get('product.uom')
        quantity = Uom.compute_qty(request.unit, request.quantity,
            request.product.default_uom, round=False)
        remaining = sum(left[m] for m in moves)
        if quantity > remaining + EPSILON:
            cls.raise_issue_above_remaining(request, quantity, remaining)
        for move in moves:
            taken = min(left[move], quantity)
            left[move] -= taken
            quantity -= taken

    @classmethod
    def raise_issue_above_remaining(cls, request, quantity, remaining):
        unit = request.product.default_uom
        raise IssueError(gettext(
                'production_picking.msg_issue_above_remaining',
                production=request.production.rec_name,
                product=request.product.rec_name,
                quantity=format_quantity(unit, quantity),
                remaining=format_quantity(unit, remaining),
                unit=unit.symbol))

    @classmethod
    def _write_planned(cls, quantities):
        "Set the planned moves to their quantity left, delete the empty"
        pool = Pool()
        Move = pool.get('stock.move')
        Move.draft([m for m in quantities if m.state == 'assigned'])
        to_delete, to_save = [], []
        for move, internal in quantities.items():
            quantity = _move_quantity(move, internal) if internal > 0 else 0
            if quantity <= 0:
                to_delete.append(move)
            else:
                move.quantity = quantity
                to_save.append(move)
        Move.save(to_save)
        Move.delete(to_delete)

    @classmethod
    def backflush_inputs(cls, productions):
        """Return the backflushed input moves not consumed yet of each
        (production, product)"""
        return cls._planned_inputs(productions, backflush=True)

    @classmethod
    def issue_moves(cls, requests):
        """The done input moves of the requests (not saved), dated today
        at the cost of the moment as Move.do sets it (do then writes only
        the state, not the cost: production marks a written cost again);
        today and the cost looked up once per company and product"""
        moves = [r.production.issue_move(r) for r in requests]
        today, costs = {}, {}
        for move in moves:
            if move.company not in today:
                today[move.company] = _today(move.company)
            move.planned_date = move.effective_date = today[move.company]
            move.cost_price = _cost_price(move, costs)
        return moves

    def issue_move(self, request):
        "The input move of the request (not saved)"
        move = self._move(
            'input', request.product, request.unit, request.quantity)
        move.lot = request.lot
        move.origin = request.origin
        move.production_backflush = request.kind == 'backflush'
        move.production_issue = request.kind
        return move


def _cost_price(move, costs):
    "The cost price of the move's product now, cached in costs"
    pattern = move._cost_price_pattern
    key = (move.product, tuple(sorted(pattern.items())))
    if key not in costs:
        costs[key] = move.product.get_multivalue('cost_price', **pattern)
    return costs[key]


def _move_quantity(move, internal):
    "The internal quantity in the unit of the move, rounded"
    pool = Pool()
    Uom = pool.get('product.uom')
    return move.unit.round(Uom.compute_qty(
            move.product.default_uom, internal, move.unit, round=False))


def _today(company):
    pool = Pool()
    Date = pool.get('ir.date')
    with Transaction().set_context(company=company.id):
        return Date.today()


class BOMInput(metaclass=PoolMeta):
    __name__ = 'production.bom.input'
    backflush = fields.Boolean(
        "Backflush",
        help="Never picked by hand: consumed from the picking location in "
        "proportion to the output reported.")

    @classmethod
    def default_backflush(cls):
        return False

    def prepare_move(self, production, move):
        move = super().prepare_move(production, move)
        move.production_backflush = bool(
            self.backflush or move.product.backflush)
        return move

    def lines_for_quantity(self, quantity):
        """Replace a component not stocked (skip-level picking) by the
        components of its BOM, as a phantom"""
        bom = self.skip_level_bom
        if not bom:
            yield from super().lines_for_quantity(quantity)
            return
        factor = bom.compute_factor(self.product, quantity, self.unit)
        for input_ in bom.inputs:
            yield from input_.lines_for_quantity(
                input_.compute_quantity(factor))

    @property
    def skip_level_bom(self):
        "The BOM of the not stocked component"
        if (not self.phantom_bom and self.product
                and self.product.picking_skip_level
                and self.product.boms):
            return self.product.boms[0].bom


class Template(metaclass=PoolMeta):
    __name__ = 'product.template'
    backflush = fields.Boolean(
        "Backflush",
        help="Never picked by hand: consumed from the picking location in "
        "proportion to the output reported, in every BOM.")
    picking_skip_level = fields.Boolean(
        "Not Stocked",
        help="A sub-assembly that is never stocked: production orders pick "
        "its components instead (skip-level picking).")

    @classmethod
    def default_backflush(cls):
        return False

    @classmethod
    def default_picking_skip_level(cls):
        return False


class Product(metaclass=PoolMeta):
    __name__ = 'product.product'


class Component(ModelSQL, ModelView):
    "Picking progress of an order's component"
    __name__ = 'production.picking.component'
    production = fields.Many2One('production', "Production", readonly=True)
    product = fields.Many2One('product.product', "Product", readonly=True)
    unit = fields.Many2One('product.uom', "Unit", readonly=True)
    standard_quantity = fields.Float(
        "Standard", digits='unit', readonly=True,
        help="The BOM quantity of the order (with its loss rate).")
    picked_quantity = fields.Float(
        "Picked", digits='unit', readonly=True,
        help="Issued by picking slips and kits, and at the order's start.")
    backflushed_quantity = fields.Float(
        "Backflushed", digits='unit', readonly=True)
    supplementary_quantity = fields.Float(
        "Supplementary", digits='unit', readonly=True)
    issued_quantity = fields.Float(
        "Issued", digits='unit', readonly=True,
        help="Picked + backflushed + supplementary.")
    remaining_quantity = fields.Float(
        "To Pick", digits='unit', readonly=True,
        help="The standard not issued yet (backflushed components are "
        "consumed by the output reports).")
    picked_percent = fields.Float(
        "Picked %", digits=(16, 1), readonly=True)
    backflush = fields.Boolean("Backflush", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('product', 'ASC'))

    @classmethod
    def table_query(cls):
        tables = cls._tables()
        move, template = tables['stock.move'], tables['product.template']
        return cls._joins(tables).select(*cls._columns(tables),
            where=cls._where(tables),
            group_by=[move.production_input, move.product,
                template.default_uom])

    @classmethod
    def _tables(cls):
        pool = Pool()
        return {n: pool.get(n).__table__()
            for n in ['stock.move', 'product.product', 'product.template']}

    @classmethod
    def _joins(cls, tables):
        move = tables['stock.move']
        product = tables['product.product']
        template = tables['product.template']
        return move.join(product, condition=move.product == product.id
            ).join(template, condition=product.template == template.id)

    @classmethod
    def _where(cls, tables):
        move = tables['stock.move']
        return (move.production_input != Null) & (move.state != 'cancelled')

    @classmethod
    def _columns(cls, tables):
        move, template = tables['stock.move'], tables['product.template']
        quantities = cls._quantity_columns(move)
        standard = quantities['standard_quantity']
        picked = quantities['picked_quantity']
        backflushed = quantities['backflushed_quantity']
        backflush = Coalesce(move.production_backflush, False)
        return [
            Max(move.id).as_('id'),
            move.production_input.as_('production'),
            move.product.as_('product'),
            template.default_uom.as_('unit'),
            *(c.as_(n) for n, c in quantities.items()),
            Case((standard > 0, (picked + backflushed) * 100 / standard),
                else_=Null).as_('picked_percent'),
            (Max(Case((backflush == True, 1), else_=0))  # noqa: E712
                == 1).as_('backflush'),
            ]

    @classmethod
    def _quantity_columns(cls, move):
        "The sums of the internal quantities of the moves by their use"
        kind = Coalesce(move.production_issue, '')
        backflush = Coalesce(move.production_backflush, False)
        done = move.state == 'done'
        planned = move.state.in_(sorted(PLANNED_MOVE_STATES))

        def total(condition):
            return Sum(Case((condition, move.internal_quantity), else_=0.0))
        return {
            'standard_quantity': total(
                (done | planned) & (kind != 'supplementary')),
            'picked_quantity': total(done & kind.in_(['', 'picking'])),
            'backflushed_quantity': total(done & (kind == 'backflush')),
            'supplementary_quantity': total(
                done & (kind == 'supplementary')),
            'issued_quantity': total(done),
            'remaining_quantity': total(
                planned & (backflush == False)),  # noqa: E712
            }


class Move(metaclass=PoolMeta):
    __name__ = 'stock.move'
    production_backflush = fields.Boolean(
        "Backflush", readonly=True,
        help="A component consumed by the output reports of its order.")
    production_issue = fields.Selection(
        ISSUE_KINDS, "Issue Kind", readonly=True,
        help="How the move issued the component to its order.")

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + [
            'production.picking.line', 'production.output.report']

    @classmethod
    def on_modification(cls, mode, moves, field_names=None):
        super().on_modification(mode, moves, field_names=field_names)
        if mode == 'create' or (mode == 'write' and field_names
                and {'product', 'production_input'} & set(field_names)):
            cls.set_production_backflush(moves)

    @classmethod
    def set_production_backflush(cls, moves):
        """Flag the planned inputs of the orders that are backflushed: the
        product is, or its input of the order's BOM is (set by the server,
        never by a client)"""
        to_write = defaultdict(list)
        for move in moves:
            if (not move.production_input or move.production_issue
                    or move.state not in PLANNED_MOVE_STATES):
                continue
            backflush = move.is_production_backflush()
            if backflush != bool(move.production_backflush):
                to_write[backflush].append(move)
        for backflush, records in to_write.items():
            cls.write(records, {'production_backflush': backflush})

    def is_production_backflush(self):
        "Whether the product or its input of the order's BOM is backflushed"
        bom = self.production_input.bom
        return bool(self.product.backflush or (bom and any(
                    i.backflush and i.product == self.product
                    for i in bom.inputs)))

    @classmethod
    def check_modification(cls, mode, moves, values=None, external=False):
        super().check_modification(
            mode, moves, values=values, external=external)
        if (external and mode in {'create', 'write'}
                and cls._issue_fields() & set(values or {})):
            raise AccessError(gettext(
                    'production_picking.msg_move_issue_fields',
                    move=', '.join(m.rec_name for m in moves[:5])))

    @classmethod
    def _issue_fields(cls):
        return {'production_backflush', 'production_issue'}

    @classmethod
    def write(cls, *args):
        # save writes each record apart (one UPDATE and one check of the
        # closed period each): the same values are written once
        super().write(*_merge_writes(args))

    @classmethod
    def copy(cls, moves, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('production_issue')
        return super().copy(moves, default=default)


def _merge_writes(args):
    "The arguments of write with the records of following equal values joined"
    merged = []
    for records, values in zip(args[::2], args[1::2]):
        if merged and merged[-1] == values:
            merged[-2].extend(records)
        else:
            merged.extend([list(records), values])
    return merged
