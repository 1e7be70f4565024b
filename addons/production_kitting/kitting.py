# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime
import functools
from collections import defaultdict

from trytond.i18n import gettext
from trytond.model import Model, ModelSQL, ModelView, fields
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.pyson import PYSONEncoder
from trytond.rpc import RPC
from trytond.transaction import Transaction
from trytond.wizard import Button, StateAction, StateView, Wizard

from trytond.modules.stock_quarantine import arguments
from .engine import CycleError, Engine
from .exceptions import CyclicBOMError, NoWarehouseError


# the text of each quantity of a node of the breakdown
BREAKDOWN_MESSAGES = {
    'from_stock': 'production_kitting.msg_breakdown_stock',
    'to_make': 'production_kitting.msg_breakdown_make',
    'short': 'production_kitting.msg_breakdown_short',
    }


class Kitting(Model):
    "Kitting Analysis"
    __name__ = 'production.kitting'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__rpc__.update({
                'buildable': RPC(),
                'explain': RPC(),
                })

    @classmethod
    def buildable(cls, product_ids, warehouse_id, date=None):
        "Return the buildable quantity of each product from free stock"
        cls._check_planning('buildable')
        product_ids, warehouse_id, date = cls._check_engine_arguments(
            'product_ids', product_ids, warehouse_id, date)
        engine = cls.get_engine(product_ids, warehouse_id, date=date)
        return {p: engine.buildable(p) for p in product_ids}

    @classmethod
    def explain(cls, product_id, warehouse_id, quantity, date=None):
        "Return the tree of needs to make quantity of the product"
        cls._check_planning('explain')
        product_id = arguments.record_id('product_id', product_id)
        quantity = arguments.quantity('quantity', quantity)
        (product_id,), warehouse_id, date = cls._check_engine_arguments(
            'product_id', [product_id], warehouse_id, date)
        engine = cls.get_engine([product_id], warehouse_id, date=date)
        return engine.explain(product_id, quantity)

    @classmethod
    def _check_planning(cls, method, planning=True):
        """Refuse the engine to a client without read access to
        production.kitting (planning and sales groups) and, for the
        planning methods, outside the planning group: Tryton checks no
        model access on RPC methods of a Model.  The server's own calls
        (buttons, fields) pass."""
        pool = Pool()
        ModelAccess = pool.get('ir.model.access')
        if cls._kitting_internal():
            return
        ModelAccess.check(cls.__name__, 'read')
        cls._check_planning_group(method, planning)

    @classmethod
    def _kitting_internal(cls):
        "Whether the call is the server's own (buttons, fields)"
        transaction = Transaction()
        return (transaction.user == 0 or not transaction.check_access
            or transaction.context.get('_kitting_internal'))

    @classmethod
    def _check_planning_group(cls, method, planning):
        "Refuse a planning method to a user outside the planning group"
        if planning and not cls._planning_user():
            raise AccessError(gettext(
                    'production_kitting.msg_planning_only', method=method))

    @classmethod
    def _planning_user(cls):
        "Whether the user is in the planning group"
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        User = pool.get('res.user')
        return ModelData.get_id('production_kitting',
            'group_production_planning') in User.get_groups()

    @classmethod
    def _check_engine_arguments(cls, name, product_ids, warehouse_id, date):
        """Return the product ids, the warehouse id and the date checked:
        existing and visible products, a warehouse, an ISO date; the
        company of the context is the user's"""
        product_ids = arguments.record_ids(name, product_ids)
        warehouse_id = arguments.record_id('warehouse_id', warehouse_id)
        date = arguments.date('date', date)
        arguments.context_company()
        product_ids = cls._check_engine_records(
            name, product_ids, warehouse_id)
        return product_ids, warehouse_id, date

    @classmethod
    def _check_engine_records(cls, name, product_ids, warehouse_id):
        "Return the ids of the visible products; check the warehouse"
        products = arguments.records('product.product', name, product_ids)
        arguments.records('stock.location', 'warehouse_id', [warehouse_id],
            domain=[('type', '=', 'warehouse')])
        return [p.id for p in products]

    @classmethod
    def _check_documents(cls, model, name, ids):
        """Return the documents of ids: existing, visible to the caller and
        of one of the user's companies; the company of the context is the
        user's"""
        ids = arguments.record_ids(name, ids)
        arguments.context_company(required=False)
        documents = arguments.records(model, name, ids)
        arguments.check_companies(documents, name)
        return documents

    @classmethod
    def _kitting_line(cls, engine, product, required=0):
        "Return the values of a kitting report line"
        stock = max(engine.stock.get(product, 0), 0)
        buildable = engine.buildable(product)
        limiting, limiting_short = cls._kitting_limiting(
            engine, product, buildable)
        return {
            'stock': stock,
            'buildable': buildable,
            'short': max(required - stock - buildable, 0),
            'limiting': limiting,
            'limiting_short': limiting_short,
            }

    @classmethod
    def _kitting_limiting(cls, engine, product, buildable):
        """Return the component missing most to make one more unit of
        product than buildable and how much of it is missing"""
        if product not in engine.boms:
            return None, None
        _, tree = engine.explain_one_more(product, buildable)
        return cls._most_limiting(engine.limiting(tree))

    @classmethod
    def _most_limiting(cls, limiting):
        "Return the component missing most and how much, (None, None) if none"
        if not limiting:
            return None, None
        return max(limiting.items(), key=lambda i: (i[1], -i[0]))

    @classmethod
    def _by_warehouse(cls, records):
        "Yield the company, the warehouse and the records of each"
        for (company, warehouse), group in cls._warehouse_groups(
                records).items():
            if warehouse is None:
                raise cls._no_warehouse_error(group[0])
            yield company, warehouse, group

    @classmethod
    def _no_warehouse_error(cls, record):
        "Return the error of a record without a warehouse"
        return NoWarehouseError(gettext(
                'production_kitting.msg_no_warehouse',
                document=record.rec_name))

    @classmethod
    def _warehouse_groups(cls, records):
        """Return the records grouped by (company id, warehouse id), reading
        only those two fields (a record's attribute reads all its fields)"""
        groups = defaultdict(list)
        if records:
            values = cls._company_warehouses(records)
            for record in records:
                groups[values[record.id]].append(record)
        return groups

    @classmethod
    def _company_warehouses(cls, records):
        "Return {id: (company id, warehouse id)} of the records"
        return {v['id']: (v['company'], v['warehouse'])
            for v in records[0].__class__.read(
                [r.id for r in records], ['company', 'warehouse'])}

    @classmethod
    def _by_warehouse_compute(cls, records, compute):
        """Return the results of compute(warehouse, records) merged, for the
        records of each warehouse in the context of their company"""
        result = {}
        for company, warehouse, group in cls._by_warehouse(records):
            with Transaction().set_context(company=company):
                result.update(compute(warehouse, group))
        return result

    @classmethod
    def get_engine(cls, product_ids, warehouse_id, date=None):
        "Return an engine loaded with the BOM graph and the free stock"
        boms, products = cls.load_boms(product_ids)
        stock = cls.load_stock(products.keys(), warehouse_id, date=date)
        rounding = cls._by_product(products, 'rounding')
        codes = cls._by_product(products, 'code')
        try:
            engine = Engine(boms, stock, rounding, codes=codes)
        except CycleError as exception:
            raise cls._cyclic_bom_error(exception.cycle, codes)
        engine.products = products
        return engine

    @classmethod
    def _by_product(cls, products, key):
        "Return {product: its value of key} of the products loaded"
        return {p: v[key] for p, v in products.items()}

    @classmethod
    def _cyclic_bom_error(cls, cycle, codes):
        "Return the error naming the products of the cycle by their code"
        return CyclicBOMError(gettext(
                'production_kitting.msg_cyclic_bom',
                cycle=cls._cycle_text(cycle, codes)))

    @classmethod
    def _cycle_text(cls, cycle, codes):
        "Return the products of the cycle by their code: A → B → A"
        return ' → '.join(codes.get(p) or str(p) for p in cycle)


class KittingLine(ModelSQL, ModelView):
    "Kitting Analysis Line"
    __name__ = 'production.kitting.line'
    product = fields.Many2One(
        'product.product', "Product", required=True, readonly=True)
    unit = fields.Function(
        fields.Many2One('product.uom', "Unit"), 'on_change_with_unit')
    warehouse = fields.Many2One(
        'stock.location', "Warehouse", required=True, readonly=True)
    date = fields.Date("Date", readonly=True)
    stock = fields.Float(
        "Free Stock", digits='unit', readonly=True,
        help="The free stock of the product itself.")
    buildable = fields.Float(
        "Buildable Quantity", digits='unit', readonly=True,
        help="What can be made from the free stock of the components.")
    required = fields.Float("Required", digits='unit', readonly=True)
    short = fields.Float("Short", digits='unit', readonly=True)
    limiting = fields.Many2One(
        'product.product', "Limiting Component", readonly=True,
        help="The component missing first to make one more unit.")
    limiting_short = fields.Float(
        "Limiting Short", digits='limiting_unit', readonly=True,
        help="How much of the limiting component is missing to make one "
        "more unit, in its unit.")
    limiting_unit = fields.Function(
        fields.Many2One('product.uom', "Limiting Unit"),
        'on_change_with_limiting_unit')
    explanation = fields.Char(
        "Explanation", readonly=True,
        help="What can be made and what limits it, in words.")
    breakdown = fields.Text(
        "Breakdown", readonly=True,
        help="The needs of one more unit, level by level: from stock, "
        "to make, substitutes and short.")
    analysed_at = fields.Function(
        fields.DateTime("Analysed at"), 'get_analysed_at')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('product', 'ASC'))

    @fields.depends('product')
    def on_change_with_unit(self, name=None):
        return self.product.default_uom if self.product else None

    @fields.depends('limiting')
    def on_change_with_limiting_unit(self, name=None):
        return self.limiting.default_uom if self.limiting else None

    def get_analysed_at(self, name):
        if self.create_date:
            return self.create_date.replace(microsecond=0)

    @classmethod
    def describe(cls, engine, product, required, values):
        """Return the explanation and the breakdown of a line in the
        language of the user, e.g. "可做 6 个，受限于 螺丝：还差 3 个
        才能多做 1 个"."""
        pool = Pool()
        Product = pool.get('product.product')
        quantity = cls._quantity_format()
        product = Product(product)
        texts = cls._describe_quantities(product, required, values, quantity)
        breakdown = ''
        if product.id in engine.boms:
            limited, breakdown = cls._describe_one_more(
                engine, product, values['buildable'], quantity)
            if limited:
                texts.append(limited)
        return cls._sentence(texts), breakdown

    @classmethod
    def _quantity_format(cls):
        "Return the function formatting a quantity in the user's language"
        pool = Pool()
        Lang = pool.get('ir.lang')
        return functools.partial(cls._quantity, Lang.get())

    @classmethod
    def _sentence(cls, texts):
        "Return the texts joined in one sentence"
        return gettext(
            'production_kitting.msg_kitting_sentence_separator').join(texts)

    @classmethod
    def _describe_one_more(cls, engine, product, buildable, quantity):
        """Return the text of what limits making one more unit of product
        than buildable (None if nothing) and the breakdown of its needs"""
        step, tree = engine.explain_one_more(product.id, buildable)
        limited = cls._describe_limiting(
            engine.limiting(tree), product, step, quantity)
        return limited, '\n'.join(cls._breakdown(tree, quantity))

    @classmethod
    def _quantity(cls, lang, value, product):
        "Return value in the default unit of product with its symbol"
        unit = product.default_uom
        return lang.format_number_symbol(value, unit, digits=unit.digits)

    @classmethod
    def _describe_quantities(cls, product, required, values, quantity):
        "Return the texts of the buildable, stock and short quantities"
        texts = [gettext('production_kitting.msg_kitting_buildable',
                quantity=quantity(values['buildable'], product))]
        if values['stock']:
            texts.append(gettext('production_kitting.msg_kitting_stock',
                    quantity=quantity(values['stock'], product)))
        if values['short']:
            texts.append(gettext('production_kitting.msg_kitting_short',
                    required=quantity(required, product),
                    short=quantity(values['short'], product)))
        return texts

    @classmethod
    def _describe_limiting(cls, limiting, product, step, quantity):
        """Return the text of the components missing to make step more of
        product, the most missing first (None if none)"""
        if not limiting:
            return None
        return gettext('production_kitting.msg_kitting_limited',
            components=cls._describe_components(limiting, quantity),
            one=quantity(step, product))

    @classmethod
    def _describe_components(cls, limiting, quantity):
        "Return the text of the components missing, the most missing first"
        pool = Pool()
        Product = pool.get('product.product')
        components = Product.browse(sorted(
                limiting, key=lambda p: (-limiting[p], p)))
        return gettext('production_kitting.msg_kitting_separator').join(
            cls._describe_missing(c, limiting[c.id], quantity)
            for c in components)

    @classmethod
    def _describe_missing(cls, component, short, quantity):
        "Return the text of short of component missing"
        return gettext('production_kitting.msg_kitting_missing',
            component=component.rec_name, short=quantity(short, component))

    @classmethod
    def _breakdown(cls, node, quantity, depth=0):
        "Yield the lines of the breakdown of node, indented by depth"
        yield '    ' * depth + cls._breakdown_text(node, quantity)
        for child in node['children']:
            yield from cls._breakdown(child, quantity, depth + 1)

    @classmethod
    def _breakdown_text(cls, node, quantity):
        "Return the need of node: from stock, substitutes, to make and short"
        pool = Pool()
        Product = pool.get('product.product')
        product = Product(node['product'])
        parts = [cls._breakdown_need(node, product, quantity)]
        parts.extend(cls._breakdown_quantities(
                node, product, quantity, ['from_stock']))
        parts.extend(cls._breakdown_substitutes(node, quantity))
        parts.extend(cls._breakdown_quantities(
                node, product, quantity, ['to_make', 'short']))
        return gettext('production_kitting.msg_kitting_separator').join(parts)

    @classmethod
    def _breakdown_need(cls, node, product, quantity):
        "Return the text of what node requires of product"
        return gettext('production_kitting.msg_breakdown_need',
            product=product.rec_name,
            quantity=quantity(node['required'], product))

    @classmethod
    def _breakdown_quantities(cls, node, product, quantity, keys):
        "Return the texts of the quantities of node under keys, if any"
        return [gettext(BREAKDOWN_MESSAGES[key],
                quantity=quantity(node[key], product))
            for key in keys if node[key]]

    @classmethod
    def _breakdown_substitutes(cls, node, quantity):
        "Return the texts of the substitutes taken for node"
        return [cls._breakdown_substitute(s, quantity)
            for s in node['substitutes']]

    @classmethod
    def _breakdown_substitute(cls, substitute, quantity):
        "Return the text of the quantity of a substitute taken"
        pool = Pool()
        Product = pool.get('product.product')
        product = Product(substitute['product'])
        return gettext('production_kitting.msg_breakdown_substitute',
            product=product.rec_name,
            quantity=quantity(substitute['quantity'], product))


class KittingStart(ModelView):
    "Kitting Analysis"
    __name__ = 'production.kitting.start'
    warehouse = fields.Many2One(
        'stock.location', "Warehouse", required=True,
        domain=[('type', '=', 'warehouse')])
    date = fields.Date(
        "Date",
        help="Count planned receipts and issues up to this date.")

    @classmethod
    def default_warehouse(cls):
        pool = Pool()
        Location = pool.get('stock.location')
        return Location.get_default_warehouse()


class KittingWizard(Wizard):
    "Kitting Analysis"
    __name__ = 'production.kitting.wizard'
    start = StateView('production.kitting.start',
        'production_kitting.kitting_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Analyse", 'open_', 'tryton-ok', default=True),
            ])
    open_ = StateAction('production_kitting.act_kitting_line')

    def default_start(self, fields):
        values = {}
        if self.model and self.model.__name__ in {'sale.sale', 'production'}:
            warehouses = {r.warehouse.id for r in self.records if r.warehouse}
            if len(warehouses) == 1:
                values['warehouse'], = warehouses
        return values

    def _demand(self):
        "Return {product: required quantity in its default unit}"
        demand = defaultdict(float)
        name = self.model.__name__ if self.model else None
        self._demand_records(demand, name, self.records)
        return demand

    def _demand_records(self, demand, model, records):
        """Add to demand the needs of the records of model: the products
        selected or the open productions, else those of the warehouse"""
        if model == 'production':
            self._demand_productions(demand, [p for p in records
                    if p.state not in {'done', 'cancelled'}])
        elif model in {
                'product.template', 'product.product',
                'production.kitting.line'}:
            self._demand_products(demand, self._products_of(model, records))
        else:
            self._demand_warehouse(demand)

    @classmethod
    def _products_of(cls, model, records):
        "Return the products of the records of model"
        if model == 'product.template':
            return [p for t in records for p in t.products]
        elif model == 'production.kitting.line':
            return [l.product for l in records]
        return records

    @classmethod
    def _demand_products(cls, demand, products):
        "Add the products to demand without a required quantity"
        for product in products:
            demand[product] += 0

    @classmethod
    def _demand_productions(cls, demand, productions):
        "Add to demand the quantities of the productions"
        for production in productions:
            if production.product:
                demand[production.product] += cls._demand_quantity(
                    production)

    @classmethod
    def _demand_quantity(cls, production):
        "Return the quantity of production in its product's default unit"
        Uom = Pool().get('product.uom')
        return Uom.compute_qty(production.unit, production.quantity or 0,
            production.product.default_uom, round=False)

    def _demand_warehouse(self, demand):
        """Add to demand the open production orders of the warehouse (up to
        the date) and every product made by a BOM"""
        pool = Pool()
        Product = pool.get('product.product')
        self._demand_productions(demand, self._open_productions())
        self._demand_products(demand, Product.search([
                    ('producible', '=', True),
                    ('boms', '!=', None),
                    ]))

    def _open_productions(self):
        "Return the open production orders of the warehouse up to the date"
        pool = Pool()
        Production = pool.get('production')
        return Production.search(self._open_productions_domain())

    def _open_productions_domain(self):
        "The domain of the open productions of the warehouse up to the date"
        domain = [
            ('warehouse', '=', self.start.warehouse.id),
            ('state', 'in', ['request', 'draft', 'waiting', 'assigned',
                    'running']),
            ]
        if self.start.date:
            domain.append(('planned_date', '<=', self.start.date))
        return domain

    def do_open_(self, action):
        pool = Pool()
        Kitting = pool.get('production.kitting')
        Line = pool.get('production.kitting.line')
        self._delete_old_lines()
        demand = self._demand()
        engine = Kitting.get_engine(
            [p.id for p in demand], self.start.warehouse.id,
            date=self.start.date)
        lines = [self._kitting_line(engine, product, required)
            for product, required in demand.items()]
        Line.save(lines)
        return self._lines_action(action, lines)

    @classmethod
    def _lines_action(cls, action, lines):
        "Return action opening the lines"
        action['pyson_domain'] = PYSONEncoder().encode(
            [('id', 'in', [l.id for l in lines])])
        return action, {}

    @classmethod
    def _delete_old_lines(cls):
        """Delete the user's lines older than a day: the results of earlier
        runs stay for the tabs still open on them for a day"""
        pool = Pool()
        Line = pool.get('production.kitting.line')
        Line.delete(Line.search([
                    ('create_uid', '=', Transaction().user),
                    ('create_date', '<',
                        datetime.datetime.now() - datetime.timedelta(days=1)),
                    ]))

    def _kitting_line(self, engine, product, required):
        "Return the unsaved kitting line of product"
        pool = Pool()
        Kitting = pool.get('production.kitting')
        Line = pool.get('production.kitting.line')
        values = Kitting._kitting_line(engine, product.id, required)
        explanation, breakdown = Line.describe(
            engine, product.id, required, values)
        return Line(
            product=product, warehouse=self.start.warehouse,
            date=self.start.date, required=required,
            explanation=explanation, breakdown=breakdown,
            **values)
