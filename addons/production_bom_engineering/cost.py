# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""BOM cost query (BOM成本查询): the multi-level roll-up of material,
routing labour and overhead per unit of a product, per level"""
from collections import defaultdict
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.modules.product import price_digits, round_price
from trytond.pool import Pool, PoolMeta
from trytond.rpc import RPC
from trytond.transaction import Transaction
from trytond.wizard import Button, StateView, Wizard

from .bom_query import check_production_user, check_products
from .exceptions import QueryError

ZERO = Decimal(0)
PRICE_SOURCES = [
    ('cost_price', "Cost Price"),
    ('last_purchase_price', "Last Purchase Price"),
    ('supplier_price', "Supplier Price"),
    ]
# how many of the latest cost results of a product make its actual cost
ACTUAL_RESULTS = 5


def _decimal(quantity):
    "A float quantity as Decimal (9 decimals as production rounds them)"
    return Decimal(str(round(quantity, 9)))


class RoutingStep(metaclass=PoolMeta):
    __name__ = 'production.routing.step'
    work_center = fields.Many2One(
        'production.work.center', "Work Center",
        help="Its cost price makes the labour of the BOM cost query.")
    hours = fields.Numeric(
        "Hours per Unit", digits=(16, 4),
        domain=['OR', ('hours', '=', None), ('hours', '>=', 0)],
        help="Standard time of the step per unit of the product made "
        "(cycles per unit when the work center is costed per cycle).")


class WorkCenter(metaclass=PoolMeta):
    __name__ = 'production.work.center'
    overhead_rate = fields.Numeric(
        "Overhead Rate", digits=(16, 2),
        domain=['OR',
            ('overhead_rate', '=', None),
            ('overhead_rate', '>=', 0),
            ],
        help="In % of the labour of the center: the overhead (制造费用) "
        "of the BOM cost query.")


class CostRollup:
    """Roll the cost of products up their BOMs

    vector(product) is [[material, labour, overhead] per level] per unit
    of the product, level 0 being its own routing; unrounded Decimal."""

    def __init__(self, bom_model, product_ids, price_source):
        pool = Pool()
        Kitting = pool.get('production.kitting')
        self.model = bom_model
        self.ids = list(product_ids)
        self.boms, self.products = Kitting.load_boms(self.ids)
        self.prices = bom_model._cost_prices(self._leaves(), price_source)
        self.work = bom_model._cost_labour(
            {p: self.products[p]['bom'] for p in self.boms})
        self.memo = {}
        self.stack = set()

    def _leaves(self):
        leaves = {l.product for ls in self.boms.values() for l in ls}
        leaves.update(self.ids)
        return leaves - set(self.boms)

    def vector(self, product):
        if product in self.memo:
            return self.memo[product]
        if product not in self.boms:
            return [[self.prices.get(product, ZERO), ZERO, ZERO]]
        if product in self.stack:
            self._cycle(product)
        self.stack.add(product)
        vector = [[ZERO, *self.work.get(product, (ZERO, ZERO))]]
        for line in self.boms[product]:
            quantity = _decimal(line.quantity * line.scale * line.factor)
            self._add(vector, self.vector(line.product), quantity)
        self.stack.discard(product)
        self.memo[product] = vector
        return vector

    @staticmethod
    def _add(vector, child, quantity):
        "Add child × quantity one level below"
        for level, row in enumerate(child, 1):
            if level == len(vector):
                vector.append([ZERO, ZERO, ZERO])
            target = vector[level]
            for i, amount in enumerate(row):
                target[i] += amount * quantity

    def _cycle(self, product):
        Product = Pool().get('product.product')
        raise QueryError(gettext(
                'production_bom_engineering.msg_bom_cycle',
                product=Product(product).rec_name, levels=len(self.stack)))

    def results(self):
        actual = self.model._cost_actual(self.ids)
        return [self.result(p, actual.get(p)) for p in self.ids]

    def result(self, product, actual):
        vector = [list(r) for r in self.vector(product)]
        if product not in self.boms:
            # a product bought: its price is material of level 0
            vector = [[vector[0][0], ZERO, ZERO]]
        totals = [sum(r[i] for r in vector) for i in range(3)]
        result = dict(zip(
                ['material', 'labour', 'overhead'], map(round_price, totals)))
        result.update(product=product, bom=self.products.get(
                product, {}).get('bom') if product in self.boms else None,
            total=round_price(sum(totals)),
            levels=[self._level(i, r) for i, r in enumerate(vector)],
            actual=actual)
        result['difference'] = (
            result['total'] - actual if actual is not None else None)
        return result

    @staticmethod
    def _level(level, row):
        return {
            'level': level,
            'material': round_price(row[0]),
            'labour': round_price(row[1]),
            'overhead': round_price(row[2]),
            'total': round_price(sum(row)),
            }


class BOM(metaclass=PoolMeta):
    __name__ = 'production.bom'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__rpc__.update({
                'cost_rollup': RPC(),
                })

    @classmethod
    def cost_rollup(cls, product_ids, price_source='cost_price'):
        """Return the cost per unit of each product, rolled up its BOMs

        One dictionary per product, in the order of product_ids: product,
        bom (None for a product without BOM), material, labour, overhead,
        total, levels ([{level, material, labour, overhead, total}], level
        0 = the product's own routing), actual (the unit cost of its latest
        costed orders with production_costing, else None) and difference
        (total - actual).  Amounts are Decimal in the company currency,
        each rounded to the price digits from the unrounded sums."""
        check_production_user('cost_rollup')
        sources = [s for s, _ in PRICE_SOURCES]
        if price_source not in sources:
            raise QueryError(gettext(
                    'production_bom_engineering.msg_unknown_price_source',
                    source=price_source, sources=', '.join(sources)))
        check_products(product_ids)
        return CostRollup(cls, product_ids, price_source).results()

    @classmethod
    def _cost_prices(cls, product_ids, price_source):
        """Return {product: unit price in its default unit} of the source,
        the cost price where the source has none"""
        pool = Pool()
        Product = pool.get('product.product')
        prices = cls._cost_cost_prices(product_ids)
        if price_source == 'cost_price' or not product_ids:
            return prices
        products = Product.browse(list(product_ids))
        if price_source == 'last_purchase_price':
            found = Product.get_last_purchase_price_uom(products)
        else:
            found = cls._cost_supplier_prices(products)
        prices.update({p: v for p, v in found.items() if v is not None})
        return prices

    @classmethod
    def _cost_supplier_prices(cls, products):
        """Return {product: price of its first supplier} as Tryton's
        purchase computes it for that supplier (units and currency
        converted)"""
        pool = Pool()
        Product = pool.get('product.product')
        by_supplier = defaultdict(list)
        for product in products:
            first = next(product.product_suppliers_used(), None)
            if first:
                by_supplier[first.party.id].append(product)
        prices = {}
        for supplier, group in by_supplier.items():
            with Transaction().set_context(supplier=supplier):
                prices.update(Product.get_purchase_price(group, quantity=0))
        return prices

    @classmethod
    def _cost_cost_prices(cls, product_ids):
        "Return {product: cost price} of the company, read in one statement"
        pool = Pool()
        CostPrice = pool.get('product.cost_price')
        cost_price = CostPrice.__table__()
        company = Transaction().context.get('company')
        cursor = Transaction().connection.cursor()
        if not product_ids:
            return {}
        cursor.execute(*cost_price.select(
                cost_price.product, cost_price.cost_price,
                where=cost_price.product.in_(list(product_ids))
                & (cost_price.company == company),
                order_by=cost_price.id.desc))
        # the first row, as the ORM's MultiValue reads it
        return {p: Decimal(c) for p, c in cursor}

    @classmethod
    def _cost_labour(cls, product_boms):
        """Return {product: (labour, overhead) per unit} from the routing of
        the product's BOM: hours × cost price of the work center, overhead
        rate in % of that labour"""
        result = defaultdict(lambda: [ZERO, ZERO])
        for product, hours, price, rate in cls._cost_steps(product_boms):
            labour = Decimal(hours or 0) * Decimal(price or 0)
            result[product][0] += labour
            result[product][1] += labour * Decimal(rate or 0) / 100
        return {p: tuple(v) for p, v in result.items()}

    @classmethod
    def _cost_steps(cls, product_boms):
        """Yield (product, hours, cost price, overhead rate) of the routing
        steps of the products' BOMs with a work center of the company"""
        pool = Pool()
        ProductBOM = pool.get('product.product-production.bom')
        Step = pool.get('production.routing.step')
        WorkCenter = pool.get('production.work.center')
        product_bom = ProductBOM.__table__()
        step = Step.__table__()
        center = WorkCenter.__table__()
        company = Transaction().context.get('company')
        cursor = Transaction().connection.cursor()
        if not product_boms:
            return
        cursor.execute(*product_bom.join(step,
                condition=step.routing == product_bom.routing
                ).join(center, condition=step.work_center == center.id
                ).select(product_bom.product, product_bom.bom, step.hours,
                center.cost_price, center.overhead_rate,
                where=product_bom.product.in_(list(product_boms))
                & (center.company == company)))
        for product, bom, hours, price, rate in cursor:
            if product_boms.get(product) == bom:
                yield product, hours, price, rate

    @classmethod
    def _cost_actual(cls, product_ids):
        """Return {product: unit cost} of the latest cost results of the
        products (production_costing): their finished cost over their
        finished quantity"""
        pool = Pool()
        try:
            Result = pool.get('production.cost.result')
        except KeyError:
            return {}
        Period = pool.get('production.cost.period')
        result = Result.__table__()
        period = Period.__table__()
        company = Transaction().context.get('company')
        cursor = Transaction().connection.cursor()
        cursor.execute(*result.join(period,
                condition=result.period == period.id
                ).select(result.product, result.finished_cost,
                result.finished_quantity,
                where=result.product.in_(list(product_ids) or [None])
                & (result.finished_quantity > 0)
                & (period.company == company),
                order_by=[period.end_date.desc, result.id.desc]))
        return cls._cost_actual_average(cursor)

    @staticmethod
    def _cost_actual_average(rows):
        costs = defaultdict(list)
        for product, cost, quantity in rows:
            if len(costs[product]) < ACTUAL_RESULTS:
                costs[product].append((Decimal(cost or 0), quantity))
        return {p: round_price(sum(c for c, _ in v)
                / _decimal(sum(q for _, q in v)))
            for p, v in costs.items()}


class CostPeriod(metaclass=PoolMeta):
    "The standard of production_costing's product cost summary"
    __name__ = 'production.cost.period'

    def standard_unit_costs(self, product_ids):
        """The BOM roll-up at the cost prices, the BOM versions valid at
        the period's start"""
        BOM = Pool().get('production.bom')
        costs = super().standard_unit_costs(product_ids)
        with Transaction().set_context(
                company=self.company.id, bom_date=self.start_date):
            rollup = CostRollup(BOM, product_ids, 'cost_price')
            costs.update(
                {p: rollup.result(p, None)['total'] for p in product_ids})
        return costs


def _money(string):
    return fields.Numeric(string, digits=price_digits, readonly=True)


class CostLine(ModelView):
    "BOM cost line (BOM成本查询)"
    __name__ = 'production.bom.cost.line'
    product = fields.Many2One('product.product', "Product", readonly=True)
    bom = fields.Many2One('production.bom', "BOM", readonly=True)
    kind = fields.Selection([
            ('level', "Level"),
            ('total', "Total"),
            ], "Kind", readonly=True)
    level = fields.Integer("Level", readonly=True,
        help="0: the product's own routing; 1: its BOM's inputs; ...")
    material = _money("Material")
    labour = _money("Labour")
    overhead = _money("Overhead")
    total = _money("Total")
    actual = _money("Actual Unit Cost")
    difference = _money("Difference")


class CostStart(ModelView):
    "BOM cost query (BOM成本查询)"
    __name__ = 'production.bom.cost.start'
    products = fields.Many2Many(
        'product.product', None, None, "Products", required=True,
        domain=[('type', 'in', ['goods', 'assets'])])
    price_source = fields.Selection(
        PRICE_SOURCES, "Material Price", required=True,
        help="The supplier price and the last purchase price fall back "
        "to the cost price where a product has none.")

    @classmethod
    def default_price_source(cls):
        return 'cost_price'


class CostShow(ModelView):
    "BOM cost query (BOM成本查询)"
    __name__ = 'production.bom.cost.show'
    price_source = fields.Selection(
        PRICE_SOURCES, "Material Price", readonly=True)
    lines = fields.One2Many(
        'production.bom.cost.line', None, "Lines", readonly=True)


class CostWizard(Wizard):
    "BOM cost query (BOM成本查询)"
    __name__ = 'production.bom.cost'
    start = StateView('production.bom.cost.start',
        'production_bom_engineering.cost_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Compute", 'show', 'tryton-ok', default=True),
            ])
    show = StateView('production.bom.cost.show',
        'production_bom_engineering.cost_show_view_form', [
            Button("Back", 'start', 'tryton-back'),
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def default_start(self, fields):
        values = {}
        if self.model and self.model.__name__ == 'product.product':
            values['products'] = [r.id for r in self.records]
        return values

    def default_show(self, fields):
        BOM = Pool().get('production.bom')
        results = BOM.cost_rollup(
            [p.id for p in self.start.products], self.start.price_source)
        return {
            'price_source': self.start.price_source,
            'lines': [l for r in results for l in self._lines(r)],
            }

    @staticmethod
    def _lines(result):
        common = {'product': result['product'], 'bom': result['bom']}
        for level in result['levels']:
            yield dict(common, kind='level', **level)
        yield dict(common, kind='total', level=None, **{
                k: result[k] for k in ['material', 'labour', 'overhead',
                    'total', 'actual', 'difference']})
