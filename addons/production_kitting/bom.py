# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The BOM graph of the kitting: its rows read in few statements, its
cache and the invalidation of the cache by any change to the graph"""
from collections import defaultdict
from decimal import Decimal

from sql import Literal

from trytond import config
from trytond.cache import Cache
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields, sequence_ordered
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .engine import Line, Substitute, ceil_round
from .exceptions import SubstituteError
from .stock import IN_MAX


class BOMGraphMixin:
    """Clear the kitting's BOM graph cache when a record of the graph is
    created, deleted or written

    _bom_graph_fields limits the writes that clear it to the fields the
    graph reads (None: any write)."""
    __slots__ = ()
    _bom_graph_fields = None

    @classmethod
    def on_modification(cls, mode, records, field_names=None):
        super().on_modification(mode, records, field_names=field_names)
        if (mode != 'write' or cls._bom_graph_fields is None
                or set(field_names or ()) & cls._bom_graph_fields):
            Pool().get('production.kitting')._bom_graph_cache.clear()


class BOM(BOMGraphMixin, metaclass=PoolMeta):
    __name__ = 'production.bom'


class BOMOutput(BOMGraphMixin, metaclass=PoolMeta):
    __name__ = 'production.bom.output'


class ProductBOM(BOMGraphMixin, metaclass=PoolMeta):
    __name__ = 'product.product-production.bom'


class BOMInput(BOMGraphMixin, metaclass=PoolMeta):
    __name__ = 'production.bom.input'
    loss_rate = fields.Numeric(
        "Loss Rate", digits=(16, 2),
        domain=['OR',
            ('loss_rate', '=', None),
            [('loss_rate', '>=', 0), ('loss_rate', '<', 1000)],
            ],
        help="In %: the quantity issued to make the output is the BOM "
        "quantity increased by this rate (kitting, MRP and production "
        "orders).")
    substitutes = fields.One2Many(
        'production.bom.input.substitute', 'input', "Substitutes",
        states={
            'invisible': ~Eval('product'),
            },
        help="Used in this order only for the part of the need that the "
        "product can cover neither from its stock nor by being made.")

    @classmethod
    def default_loss_rate(cls):
        return Decimal(0)

    def compute_quantity(self, factor):
        "The BOM quantity for factor increased by the loss rate"
        loss = 1 + float(self.loss_rate or 0) / 100
        # as the kitting engine rounds: 10 with a 10 % loss is 11, not 12
        # from 11.000000000000002; 0.3 kg is 0.3, not Uom.ceil's 0.31
        return ceil_round(self.quantity * factor * loss, self.unit.rounding)


class BOMInputSubstitute(
        BOMGraphMixin, sequence_ordered(), ModelSQL, ModelView):
    "BOM Input Substitute"
    __name__ = 'production.bom.input.substitute'
    input = fields.Many2One(
        'production.bom.input', "Input", required=True, ondelete='CASCADE')
    product = fields.Many2One(
        'product.product', "Product", required=True,
        domain=[
            ('type', 'in', ['goods', 'assets']),
            ])
    ratio = fields.Float(
        "Ratio", required=True,
        domain=[('ratio', '>', 0)],
        help="Units of substitute per unit of the main input.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('input')

    @classmethod
    def default_ratio(cls):
        return 1.0

    @classmethod
    def validate_fields(cls, substitutes, field_names):
        super().validate_fields(substitutes, field_names)
        cls.check_substitute(substitutes, field_names)

    @classmethod
    def check_substitute(cls, substitutes, field_names=None):
        if field_names and not (field_names & {'input', 'product'}):
            return
        for substitute in substitutes:
            substitute._check_substitute()

    def _check_substitute(self):
        "Refuse a substitute of a phantom input, of itself or of another unit"
        input_ = self.input
        if not input_.product:
            raise SubstituteError(gettext(
                    'production_kitting.msg_substitute_phantom',
                    substitute=self.product.rec_name,
                    bom=input_.bom.rec_name))
        if self.product == input_.product:
            raise SubstituteError(gettext(
                    'production_kitting.msg_substitute_same',
                    product=input_.product.rec_name,
                    bom=input_.bom.rec_name))
        if self.product.default_uom.category != input_.unit.category:
            raise SubstituteError(gettext(
                    'production_kitting.msg_substitute_uom_category',
                    substitute=self.product.rec_name,
                    product=input_.product.rec_name,
                    bom=input_.bom.rec_name))


class _Table:
    """The rows of a table by key, as kept in the BOM graph cache

    A plain object: Tryton's cache copies dictionaries and lists deeply
    (to make them immutable) but only shallowly other objects.  rows holds
    every key read so far (an empty list for a key without rows); complete
    says the whole table was read.  Rows are only added, never changed: a
    change to the graph clears the cache, and a transaction that started
    before the clear gets a cache of its own from Tryton."""
    __slots__ = ('rows', 'complete')

    def __init__(self, rows, complete=True):
        self.rows = rows
        self.complete = complete

    def missing(self, keys):
        "Return the keys whose rows are not known yet"
        if self.complete:
            return set()
        return {k for k in keys if k not in self.rows}


class _Rows:
    """The rows of a table grouped by their first column (a key)

    Few keys are read with IN, many keys read the whole table once; the
    rows read are kept in the BOM graph cache (name) until a record of the
    graph changes and served from there to the next calls, so a repeated
    analysis reads no BOM row again and the number of statements stays
    bounded by the BOM depth and by one per table for large graphs."""

    def __init__(self, cursor, query, cache, name):
        self.cursor = cursor
        # query(where) where builds the clause on the key column
        self.query = query
        self.cache = cache
        self.name = name
        self.in_max = config.getint(
            'production_kitting', 'graph_in_max', default=IN_MAX)
        self.table = cache.get(name)
        if self.table is None:
            self.table = _Table({}, complete=False)
            cache.set(name, self.table)

    def get(self, keys):
        "Return the rows of keys, in the order of the query for each key"
        keys = set(keys)
        missing = self.table.missing(keys)
        if len(missing) > self.in_max:
            self.read_all()
        elif missing:
            self.read(missing)
        rows = self.table.rows
        return [r for k in keys if k in rows for r in rows[k]]

    def read(self, keys):
        "Read the rows of keys and add them to the cached table"
        self.cursor.execute(*self.query(
                lambda column: column.in_(list(keys))))
        rows = self._group(self.cursor.fetchall())
        for key in keys:
            rows.setdefault(key, [])
        self.table.rows.update(rows)

    def read_all(self):
        "Read the whole table by key and keep it in the cache"
        self.cursor.execute(*self.query(lambda column: Literal(True)))
        self.table = _Table(self._group(self.cursor.fetchall()))
        self.cache.set(self.name, self.table)

    @staticmethod
    def _group(rows):
        grouped = defaultdict(list)
        for row in rows:
            grouped[row[0]].append(row)
        return dict(grouped)


class KittingBOM(metaclass=PoolMeta):
    "Kitting Analysis: the BOM graph"
    __name__ = 'production.kitting'
    # The rows of the BOM graph (products, BOMs, inputs, outputs,
    # substitutes, units) read whole; cleared by any change to them
    # (BOMGraphMixin), in every process (Tryton's cache channel)
    _bom_graph_cache = Cache(
        'production.kitting.bom_graph', context=False)

    @classmethod
    def _uoms(cls):
        table = cls._bom_graph_cache.get('uoms')
        if table is not None:
            return table.rows
        cursor = Transaction().connection.cursor()
        cursor.execute(*cls._uoms_query())
        uoms = {i: (f, r, c) for i, f, r, c in cursor}
        cls._bom_graph_cache.set('uoms', _Table(uoms))
        return uoms

    @classmethod
    def _uoms_query(cls):
        "Return the query of the units: factor, rounding and category"
        pool = Pool()
        Uom = pool.get('product.uom')
        uom = Uom.__table__()
        return uom.select(uom.id, uom.factor, uom.rounding, uom.category)

    @classmethod
    def _bom_products_query(cls, where):
        """Return the query of the products with their unit, purchasable
        and BOMs, where(column) on the product"""
        pool = Pool()
        Product = pool.get('product.product')
        Template = pool.get('product.template')
        ProductBOM = pool.get('product.product-production.bom')
        product = Product.__table__()
        template = Template.__table__()
        product_bom = ProductBOM.__table__()
        return product.join(template,
            condition=product.template == template.id
            ).join(product_bom, 'LEFT',
            condition=product_bom.product == product.id
            ).select(
            product.id, product.code, template.default_uom,
            template.purchasable, product_bom.bom, product_bom.sequence,
            product_bom.id,
            where=where(product.id))

    @classmethod
    def _bom_inputs_query(cls, where):
        """Return the query of the BOM inputs with the quantity of their
        phantom BOM, where(column) on the BOM"""
        pool = Pool()
        BOM = pool.get('production.bom')
        Input = pool.get('production.bom.input')
        bom = BOM.__table__()
        input_ = Input.__table__()
        return input_.join(bom, 'LEFT',
            condition=input_.phantom_bom == bom.id
            ).select(
            input_.bom, input_.id, input_.product, input_.quantity,
            input_.unit, input_.phantom_bom,
            bom.phantom_quantity, bom.phantom_unit, input_.loss_rate,
            where=where(input_.bom),
            order_by=[input_.id])

    @classmethod
    def _bom_outputs_query(cls, where):
        "Return the query of the BOM outputs, where(column) on the BOM"
        pool = Pool()
        Output = pool.get('production.bom.output')
        output = Output.__table__()
        return output.select(
            output.bom, output.product, output.quantity, output.unit,
            where=where(output.bom))

    @classmethod
    def _bom_substitutes_query(cls, where):
        """Return the query of the substitutes in their order,
        where(column) on the input"""
        pool = Pool()
        Substitute_ = pool.get('production.bom.input.substitute')
        substitute = Substitute_.__table__()
        return substitute.select(
            substitute.input, substitute.product, substitute.ratio,
            where=where(substitute.input),
            order_by=[substitute.sequence.asc.nulls_first,
                substitute.id])

    @classmethod
    def _bom_rows(cls):
        """Return the readers of the rows of the BOM graph by table:
        products, inputs, outputs and substitutes"""
        cursor = Transaction().connection.cursor()
        cache = cls._bom_graph_cache
        return {name: _Rows(cursor, query, cache, name)
            for name, query in [
                ('products', cls._bom_products_query),
                ('inputs', cls._bom_inputs_query),
                ('outputs', cls._bom_outputs_query),
                ('substitutes', cls._bom_substitutes_query),
                ]}

    @classmethod
    def load_boms(cls, product_ids, depth=None):
        """Load the BOMs reachable from the products, level by level, down
        to depth levels (all by default)

        Return {product: [Line]} and {product: {'code', 'uom', 'rounding',
        'bom', 'purchasable'}}"""
        uoms = cls._uoms()
        rows = cls._bom_rows()
        products = cls._bom_products(rows, set(product_ids), uoms)
        boms = {}
        frontier = cls._bom_frontier(products)
        level = 0
        while frontier and (depth is None or level < depth):
            level += 1
            frontier = cls._load_bom_level(
                rows, frontier, products, boms, uoms)
        return boms, products

    @classmethod
    def _bom_frontier(cls, products):
        "Return {product: bom} of the products made by a BOM"
        return {p: v['bom'] for p, v in products.items() if v['bom']}

    @classmethod
    def _bom_products(cls, rows, ids, uoms):
        """Return {product: {'code', 'uom', 'purchasable', 'rounding',
        'bom'}} of the ids, with the first BOM of each product"""
        found = {}
        for (pid, code, uom_id, purchasable, bom, sequence,
                pb_id) in rows['products'].get(ids):
            key = (sequence is not None, sequence or 0, pb_id or 0)
            if cls._bom_before(found.get(pid), key, bom):
                found[pid] = (key, code, uom_id, purchasable, bom)
        return {pid: {
                'code': code, 'uom': uom_id,
                'purchasable': bool(purchasable),
                'rounding': uoms[uom_id][1],
                'bom': bom,
                }
            for pid, (_, code, uom_id, purchasable, bom) in found.items()}

    @staticmethod
    def _bom_before(current, key, bom):
        "Whether the BOM of key comes before the current of its product"
        return current is None or (bom and (
                current[4] is None or key < current[0]))

    @classmethod
    def _load_bom_level(cls, rows, frontier, products, boms, uoms):
        """Add to boms the lines of the BOMs of frontier {product: bom} and
        to products the products they use

        Return the frontier of the next level"""
        lines, phantoms = cls._bom_lines(rows, set(frontier.values()))
        outputs = cls._bom_outputs(rows, frontier, products, uoms)
        substitutes = cls._bom_substitutes(rows, lines)
        new = cls._bom_new_products(lines, substitutes, products)
        if new:
            products.update(cls._bom_products(rows, new, uoms))
        for product, bom in frontier.items():
            total = outputs.get(product)
            if not total:
                continue
            boms[product] = list(cls._flatten(
                    bom, 1 / total, lines, phantoms, substitutes, uoms,
                    products))
        return cls._next_frontier(new, products, boms)

    @classmethod
    def _next_frontier(cls, new, products, boms):
        "Return {product: bom} of the new products made by a BOM not loaded"
        return {p: products[p]['bom'] for p in new
            if products[p]['bom'] and p not in boms}

    @classmethod
    def _bom_lines(cls, rows, bom_ids):
        """Return the inputs of the BOMs and of the phantom BOMs they use:
        {bom: [(input id, product, quantity with its loss rate, unit,
        phantom)]} and {phantom bom: (quantity, unit)}"""
        lines = defaultdict(list)
        phantoms = {}
        pending = set(bom_ids)
        while pending:
            nested = set()
            for (line_bom, line_id, product, quantity, unit, phantom,
                    ph_quantity, ph_unit, loss) in rows['inputs'].get(
                        pending):
                lines[line_bom].append((line_id, product,
                        cls._with_loss(quantity, loss), unit, phantom))
                if phantom:
                    phantoms[phantom] = (ph_quantity, ph_unit)
                    if phantom not in lines:
                        nested.add(phantom)
            pending = nested - set(lines)
        return lines, phantoms

    @staticmethod
    def _with_loss(quantity, loss):
        "Return quantity increased by the loss rate in percent"
        if loss:
            quantity *= 1 + float(loss) / 100
        return quantity

    @classmethod
    def _bom_outputs(cls, rows, frontier, products, uoms):
        """Return {product: quantity made by its BOM in its default unit}
        of frontier {product: bom}"""
        outputs = defaultdict(float)
        for bom, product, quantity, unit in rows['outputs'].get(
                set(frontier.values())):
            if frontier.get(product) == bom:
                outputs[product] += quantity * uoms[unit][0] / uoms[
                    products[product]['uom']][0]
        return outputs

    @classmethod
    def _bom_substitutes(cls, rows, lines):
        "Return {input id: [(substitute, ratio)]} of the lines in order"
        input_ids = {l[0] for ls in lines.values() for l in ls}
        substitutes = defaultdict(list)
        for input_id, product, ratio in rows['substitutes'].get(input_ids):
            substitutes[input_id].append((product, ratio))
        return substitutes

    @classmethod
    def _bom_new_products(cls, lines, substitutes, products):
        "Return the products of the lines and substitutes not yet read"
        new = {l[1] for ls in lines.values() for l in ls}
        new |= {s[0] for ss in substitutes.values() for s in ss}
        return {p for p in new if p and p not in products}

    @classmethod
    def _flatten(cls, bom, scale, lines, phantoms, substitutes, uoms,
            products, chain=()):
        """Yield the engine lines of bom, passing through phantom BOMs

        As production does, the quantity of a phantom input is rounded up
        to its unit before the lines of the phantom BOM are computed from
        it (chain)."""
        for line_id, product, quantity, unit, phantom in lines[bom]:
            if phantom:
                ph_quantity, ph_unit = phantoms[phantom]
                if not ph_quantity:
                    continue
                # phantom BOMs per unit of the phantom input
                factor = uoms[unit][0] / (ph_quantity * uoms[ph_unit][0])
                yield from cls._flatten(phantom, factor, lines,
                    phantoms, substitutes, uoms, products,
                    chain + ((quantity * scale, uoms[unit][1]),))
                continue
            factor = uoms[unit][0] / uoms[products[product]['uom']][0]
            subs = cls._flat_substitutes(
                substitutes[line_id], unit, uoms, products)
            yield Line(product, quantity * scale, uoms[unit][1], factor, subs,
                chain)

    @classmethod
    def _flat_substitutes(cls, substitutes, unit, uoms, products):
        "Return the engine substitutes [(product, ratio)] of an input in unit"
        return [Substitute(s, r, uoms[unit][0] / uoms[products[s]['uom']][0])
            for s, r in substitutes]
