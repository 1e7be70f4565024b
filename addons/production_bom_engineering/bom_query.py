# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Where-used (BOM反查): every BOM and top product above a component,
through every level, read one level per statement set"""
from collections import defaultdict

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.model.exceptions import AccessError
from trytond.pool import Pool, PoolMeta
from trytond.rpc import RPC
from trytond.transaction import Transaction
from trytond.wizard import Button, StateView, Wizard

from .exceptions import QueryError
from .version import bom_date, valid_at

MAX_LEVELS = 100


def _factors():
    "Return {unit: factor} of every unit"
    Uom = Pool().get('product.uom')
    uom = Uom.__table__()
    cursor = Transaction().connection.cursor()
    cursor.execute(*uom.select(uom.id, uom.factor))
    return dict(cursor)


def check_production_user(method):
    """Refuse method to a client outside the production group: Tryton
    checks no model access on RPC methods of a Model.  The server's own
    calls pass."""
    pool = Pool()
    ModelData = pool.get('ir.model.data')
    User = pool.get('res.user')
    transaction = Transaction()
    if transaction.user == 0 or not transaction.check_access:
        return
    group = ModelData.get_id('production', 'group_production')
    if group not in User.get_groups():
        raise AccessError(gettext(
                'production_bom_engineering.msg_production_only',
                method=method))


def check_products(product_ids):
    """Return {product: default unit} of product_ids, refusing unknown ids

    The check reads through the ORM, so the access rights of the user
    apply."""
    Product = Pool().get('product.product')
    product_ids = {int(i) for i in product_ids}
    products = Product.search([('id', 'in', list(product_ids))])
    missing = product_ids - {p.id for p in products}
    if missing:
        raise QueryError(gettext(
                'production_bom_engineering.msg_unknown_products',
                ids=', '.join(map(str, sorted(missing)))))
    return {p.id: p.default_uom.id for p in products}


class WhereUsed:
    """The reverse walk of the BOM graph from components

    A key is ('product', id) per default unit of the product or
    ('bom', id) per phantom quantity of a phantom BOM; found[key] holds
    {component: (quantity, level)}.  Each level adds only what it found
    (delta), so a component reached by several paths is summed."""

    def __init__(self, bom_model, product_units):
        self.model = bom_model
        self.units = dict(product_units)
        self.factors = _factors()
        self.found = defaultdict(dict)
        self.boms = {}  # key: (bom, product)
        self.main = {}  # product: its first BOM
        self.phantom_units = {}

    def run(self):
        delta = {('product', p): {p: 1.0} for p in self.units}
        level = 0
        while delta:
            level += 1
            if level > MAX_LEVELS:
                self._cycle(delta)
            delta = self._level(delta, level)
        return self.rows()

    def _cycle(self, delta):
        Product = Pool().get('product.product')
        product = next(iter(next(iter(delta.values()))))
        raise QueryError(gettext(
                'production_bom_engineering.msg_bom_cycle',
                product=Product(product).rec_name, levels=MAX_LEVELS))

    def _level(self, delta, level):
        "Return the delta of the level above delta"
        runs = self._runs(delta)
        outputs = self.model._where_used_outputs(
            {b for b, ph, *_ in runs if not ph})
        self._read_main({p for rows in outputs.values() for p, *_ in rows})
        above = defaultdict(lambda: defaultdict(float))
        for (bom, phantom, ph_quantity, ph_unit), vector in runs.items():
            for key, per_unit in self._keys(
                    bom, phantom, ph_quantity, ph_unit, outputs):
                for component, quantity in vector.items():
                    above[key][component] += quantity / per_unit
        return self._record(above, level)

    def _runs(self, delta):
        """Return {(bom, phantom, phantom quantity, phantom unit):
        {component: quantity per run of the BOM}} of the lines using delta"""
        runs = defaultdict(lambda: defaultdict(float))
        products = [i for k, i in delta if k == 'product']
        phantoms = [i for k, i in delta if k == 'bom']
        for (bom, product, phantom_bom, quantity, unit, loss, phantom,
                ph_quantity, ph_unit) in self.model._where_used_inputs(
                    products, phantoms):
            key = ('product', product) if product else ('bom', phantom_bom)
            used = quantity * (1 + float(loss or 0) / 100) * (
                self.factors[unit] / self.factors[self._unit(key)])
            run = runs[(bom, phantom, ph_quantity, ph_unit)]
            for component, per_unit in delta[key].items():
                run[component] += used * per_unit
        return runs

    def _unit(self, key):
        "The unit of key: the default unit or the phantom unit"
        kind, id_ = key
        if kind == 'product':
            return self.units[id_]
        return self.phantom_units[id_]

    def _keys(self, bom, phantom, ph_quantity, ph_unit, outputs):
        "Yield (key, quantity of key per run) made by a run of bom"
        if phantom:
            self.phantom_units[bom] = ph_unit
            if ph_quantity:
                self.boms[('bom', bom)] = (bom, None)
                yield ('bom', bom), ph_quantity
            return
        for product, quantity, unit, default in outputs.get(bom, []):
            self.units[product] = default
            if not quantity:
                continue
            per_run = quantity * self.factors[unit] / self.factors[default]
            if self.main.get(product) == bom:
                self.boms[('product', product)] = (bom, product)
                yield ('product', product), per_run
            else:
                # listed, not walked above: its product is made otherwise
                self.boms[('other', bom, product)] = (bom, product)
                yield ('other', bom, product), per_run

    def _read_main(self, products):
        products = products - set(self.main)
        if products:
            self.main.update(self.model._where_used_main_boms(products))

    def _record(self, above, level):
        "Add above to found and return the part that goes up further"
        delta = {}
        for key, vector in above.items():
            found = self.found[key]
            for component, quantity in vector.items():
                old, first = found.get(component, (0.0, level))
                found[component] = (old + quantity, first)
            if key[0] != 'other':
                delta[key] = dict(vector)
        return delta

    def rows(self):
        "Return the found rows, ordered by component, level and BOM"
        used = self.model._where_used_used_products(
            {k[-1] for k in self.found if k[0] == 'product'})
        rows = []
        for key, vector in self.found.items():
            bom, product = self.boms[key]
            for component, (quantity, level) in vector.items():
                rows.append({
                        'component': component, 'bom': bom,
                        'product': product, 'level': level,
                        'quantity': round(quantity, 9),
                        'top': bool(product) and product not in used,
                        })
        rows.sort(key=lambda r: (
                r['component'], r['level'], r['bom'], r['product'] or 0))
        return rows


class BOM(metaclass=PoolMeta):
    __name__ = 'production.bom'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__rpc__.update({
                'where_used': RPC(),
                })

    @classmethod
    def where_used(cls, product_ids):
        """Return the BOMs and products using the products, at any level

        One dictionary per (component, BOM, product): component, bom,
        product (None for a phantom BOM), level (1: the BOM has the
        component as input), quantity of the component in its default
        unit per default unit of product (per phantom quantity of a
        phantom BOM), loss rates included, and top (the product is an
        input of no active BOM).  Only the first BOM of a product leads
        further up, as production orders use it."""
        check_production_user('where_used')
        units = check_products(product_ids)
        return WhereUsed(cls, units).run()

    @classmethod
    def _where_used_bom_where(cls, bom):
        """The condition on the BOMs the where-used walks through: the
        versions valid at bom_date of the context (today)"""
        return (bom.active == True) & valid_at(  # noqa: E712
            bom, bom_date())

    @classmethod
    def _where_used_inputs(cls, products, phantoms):
        """Return the inputs of the products or phantom BOMs with their BOM:
        (bom, product, phantom bom, quantity, unit, loss rate, phantom,
        phantom quantity, phantom unit)"""
        pool = Pool()
        Input = pool.get('production.bom.input')
        input_ = Input.__table__()
        bom = cls.__table__()
        cursor = Transaction().connection.cursor()
        where = input_.product.in_(products or [None])
        if phantoms:
            where |= input_.phantom_bom.in_(phantoms)
        cursor.execute(*input_.join(bom,
                condition=input_.bom == bom.id
                ).select(input_.bom, input_.product, input_.phantom_bom,
                input_.quantity, input_.unit, input_.loss_rate, bom.phantom,
                bom.phantom_quantity, bom.phantom_unit,
                where=where & cls._where_used_bom_where(bom)))
        return cursor.fetchall()

    @classmethod
    def _where_used_outputs(cls, bom_ids):
        """Return {bom: [(product, quantity, unit, product default unit)]}
        of the outputs of the BOMs"""
        pool = Pool()
        Output = pool.get('production.bom.output')
        Product = pool.get('product.product')
        Template = pool.get('product.template')
        output = Output.__table__()
        product = Product.__table__()
        template = Template.__table__()
        result = defaultdict(list)
        if not bom_ids:
            return result
        cursor = Transaction().connection.cursor()
        cursor.execute(*output.join(product,
                condition=output.product == product.id
                ).join(template, condition=product.template == template.id
                ).select(output.bom, output.product, output.quantity,
                output.unit, template.default_uom,
                where=output.bom.in_(list(bom_ids))))
        for bom, *row in cursor:
            result[bom].append(tuple(row))
        return result

    @classmethod
    def _where_used_main_boms(cls, product_ids):
        "Return {product: its first BOM} as production orders pick it"
        pool = Pool()
        ProductBOM = pool.get('product.product-production.bom')
        product_bom = ProductBOM.__table__()
        bom = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*product_bom.join(bom,
                condition=product_bom.bom == bom.id
                ).select(product_bom.product, product_bom.bom,
                where=product_bom.product.in_(list(product_ids))
                & cls._where_used_bom_where(bom),
                order_by=[product_bom.sequence.desc.nulls_last,
                    product_bom.id.desc]))
        # the last row of a product is its first BOM
        return dict(cursor)

    @classmethod
    def _where_used_used_products(cls, product_ids):
        "Return the products of product_ids that are inputs of a BOM"
        pool = Pool()
        Input = pool.get('production.bom.input')
        input_ = Input.__table__()
        bom = cls.__table__()
        if not product_ids:
            return set()
        cursor = Transaction().connection.cursor()
        cursor.execute(*input_.join(bom,
                condition=input_.bom == bom.id
                ).select(input_.product,
                where=input_.product.in_(list(product_ids))
                & cls._where_used_bom_where(bom),
                group_by=[input_.product]))
        return {p for p, in cursor}


class WhereUsedLine(ModelView):
    "Where-used line (BOM反查)"
    __name__ = 'production.bom.where_used.line'
    component = fields.Many2One(
        'product.product', "Component", readonly=True)
    bom = fields.Many2One('production.bom', "BOM", readonly=True)
    product = fields.Many2One('product.product', "Product", readonly=True)
    level = fields.Integer("Level", readonly=True)
    quantity = fields.Float(
        "Quantity", digits='unit', readonly=True,
        help="Of the component in its unit per unit of the product, "
        "loss rates included.")
    unit = fields.Many2One('product.uom', "Unit", readonly=True)
    top = fields.Boolean(
        "Top Product", readonly=True,
        help="The product is an input of no BOM.")


class WhereUsedShow(ModelView):
    "Where-used (BOM反查)"
    __name__ = 'production.bom.where_used.show'
    lines = fields.One2Many(
        'production.bom.where_used.line', None, "Lines", readonly=True)


class WhereUsedWizard(Wizard):
    "Where-used (BOM反查)"
    __name__ = 'production.bom.where_used'
    start_state = 'show'
    show = StateView('production.bom.where_used.show',
        'production_bom_engineering.where_used_show_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def default_show(self, fields):
        pool = Pool()
        BOM = pool.get('production.bom')
        Product = pool.get('product.product')
        rows = BOM.where_used([r.id for r in self.records])
        units = {p.id: p.default_uom.id for p in Product.browse(
                {r['component'] for r in rows})}
        return {'lines': [dict(r, unit=units[r['component']])
                for r in rows]}
