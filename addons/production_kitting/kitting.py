# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from collections import defaultdict

from sql import Literal, Null
from sql.aggregate import Sum
from sql.conditionals import Case, Coalesce

from trytond.i18n import gettext
from trytond.model import Model, ModelSQL, ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import PYSONEncoder
from trytond.rpc import RPC
from trytond.transaction import Transaction
from trytond.wizard import Button, StateAction, StateView, Wizard

from .engine import CycleError, Engine, Line, Substitute, ceil_round
from .exceptions import CyclicBOMError, NoWarehouseError

# Above this number of ids, read the whole table and filter in Python: the
# number of statements stays bounded by the BOM depth
IN_MAX = 1000


def _in(column, ids):
    if len(ids) > IN_MAX:
        return Literal(True)
    return column.in_(list(ids))


class Kitting(Model):
    "Kitting Analysis"
    __name__ = 'production.kitting'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__rpc__.update({
                'buildable': RPC(),
                'explain': RPC(),
                'sale_atp': RPC(),
                'shortage': RPC(),
                })

    @classmethod
    def buildable(cls, product_ids, warehouse_id, date=None):
        "Return the buildable quantity of each product from free stock"
        product_ids = [int(p) for p in product_ids]
        engine = cls.get_engine(product_ids, warehouse_id, date=date)
        return {p: engine.buildable(p) for p in product_ids}

    @classmethod
    def explain(cls, product_id, warehouse_id, quantity, date=None):
        "Return the tree of needs to make quantity of the product"
        product_id = int(product_id)
        engine = cls.get_engine([product_id], warehouse_id, date=date)
        return engine.explain(product_id, float(quantity))

    @classmethod
    def sale_atp(cls, sale_ids):
        """Return for each line of the sales what can be promised by its
        date: from stock, from production, short and the limiting
        components"""
        pool = Pool()
        Sale = pool.get('sale.sale')
        sales = Sale.browse([int(i) for i in sale_ids])
        result = {}
        for warehouse, group in cls._by_warehouse(sales):
            result.update(cls._sale_atp(warehouse, group))
        return result

    @classmethod
    def _open_sale_lines_domain(cls, warehouse, products):
        return [
            ('sale.state', 'in', ['quotation', 'confirmed', 'processing']),
            ('sale.warehouse', '=', warehouse),
            ('type', '=', 'line'),
            ('product', 'in', list(products)),
            ]

    @classmethod
    def _sale_line_key(cls, line, today):
        return (line.shipping_date or today, line.sale.id,
            line.sequence or 0, line.id)

    @classmethod
    def _sale_line_quantity(cls, line):
        "Quantity still to ship in the product's default unit"
        pool = Pool()
        Uom = pool.get('product.uom')
        quantity = Uom.compute_qty(
            line.unit, line.quantity or 0, line.product.default_uom,
            round=False)
        for move in line.moves:
            if move.state == 'done':
                quantity -= move.internal_quantity
        return max(quantity, 0)

    @classmethod
    def _sale_atp(cls, warehouse, sales):
        pool = Pool()
        SaleLine = pool.get('sale.line')
        Date = pool.get('ir.date')
        today = Date.today()
        asked = [l for s in sales for l in s.lines
            if l.type == 'line' and l.product
            and l.product.type in {'goods', 'assets'}]
        if not asked:
            return {}
        products = {l.product.id for l in asked}
        lines = set(SaleLine.search(
                cls._open_sale_lines_domain(warehouse, products)))
        lines.update(asked)
        keys = {l: cls._sale_line_key(l, today) for l in lines}
        lines = sorted(lines, key=keys.__getitem__)
        asked_ids = {l.id for l in asked}
        last = max(keys[l][0] for l in asked)
        lines = [l for l in lines if keys[l][0] <= last or l.id in asked_ids]
        engine = cls.get_engine(products, warehouse)
        stock = engine.stock
        receipts = sorted(
            (r[0], p, r[1])
            for p, rs in cls.load_incoming(
                engine.products.keys(), warehouse, last).items()
            for r in rs)
        result = {}
        for line in lines:
            date = keys[line][0]
            while receipts and receipts[0][0] <= date:
                _, product, quantity = receipts.pop(0)
                stock[product] = max(stock.get(product, 0), 0) + quantity
            values = cls._promise(engine, stock, line.product.id,
                cls._sale_line_quantity(line))
            if line.id in asked_ids:
                values.update({
                        'line': line.id,
                        'sale': line.sale.id,
                        'date': date,
                        })
                result[line.id] = values
            if len(result) == len(asked_ids):
                break
        return result

    @classmethod
    def _promise(cls, engine, stock, product, quantity):
        free = max(stock.get(product, 0), 0)
        from_stock = min(quantity, free)
        stock[product] = free - from_stock
        rest = quantity - from_stock
        from_production = 0
        limiting = {}
        if rest > 1e-9:
            if product in engine.boms:
                from_production = min(rest, engine.buildable(product, stock))
                if rest - from_production > 1e-9:
                    limiting = engine.limiting(
                        engine.explain(product, rest, stock))
                if from_production > 0:
                    engine.make(product, from_production, stock)
            else:
                limiting = {product: rest}
        short = max(rest - from_production, 0)
        return {
            'product': product,
            'quantity': quantity,
            'from_stock': from_stock,
            'from_production': from_production,
            'short': short if short > 1e-9 else 0,
            'limiting': [{'product': p, 'quantity': q}
                for p, q in sorted(limiting.items())],
            }

    @classmethod
    def _kitting_line(cls, engine, product, required=0):
        "Return the values of a kitting report line"
        stock = max(engine.stock.get(product, 0), 0)
        buildable = engine.buildable(product)
        values = {
            'stock': stock,
            'buildable': buildable,
            'short': max(required - stock - buildable, 0),
            'limiting': None,
            'limiting_short': None,
            }
        if product in engine.boms:
            step = engine.rounding.get(product) or 1
            limiting = engine.limiting(
                engine.explain(product, buildable + step))
            if limiting:
                component, quantity = max(
                    limiting.items(), key=lambda i: (i[1], -i[0]))
                values['limiting'] = component
                values['limiting_short'] = quantity
        return values

    @classmethod
    def shortage(cls, production_ids):
        """Return for each production order the shortage of each component
        still to issue"""
        pool = Pool()
        Production = pool.get('production')
        productions = Production.browse([int(i) for i in production_ids])
        result = {}
        for warehouse, group in cls._by_warehouse(productions):
            result.update(cls._shortage(warehouse, group))
        return result

    @classmethod
    def _by_warehouse(cls, records):
        groups = defaultdict(list)
        for record in records:
            groups[record.warehouse.id if record.warehouse else None].append(
                record)
        for warehouse, group in groups.items():
            if warehouse is None:
                raise NoWarehouseError(gettext(
                        'production_kitting.msg_no_warehouse',
                        document=group[0].rec_name))
            yield warehouse, group

    @classmethod
    def _shortage(cls, warehouse, productions):
        pool = Pool()
        Date = pool.get('ir.date')
        today = Date.today()
        productions = sorted(productions, key=lambda p: (
                p.planned_start_date or p.planned_date or today, p.id))
        needs = []
        for production in productions:
            required = defaultdict(float)
            reserved = defaultdict(float)
            for move in production.inputs:
                if move.state in {'done', 'cancelled'}:
                    continue
                required[move.product.id] += move.internal_quantity
                if move.state == 'assigned':
                    reserved[move.product.id] += move.internal_quantity
            needs.append((production, required, reserved))
        substitutes = cls._production_substitutes(productions)
        product_ids = {p for _, r, _ in needs for p in r}
        engine = cls.get_engine(
            product_ids | {s for ss in substitutes.values() for s, _ in ss},
            warehouse)
        stock = engine.stock
        last = max(
            [p.planned_start_date or today for p in productions] + [today])
        incoming = cls.load_incoming(product_ids, warehouse, last)
        result = {}
        for production, required, reserved in needs:
            start = production.planned_start_date or today
            lines = result[production.id] = []
            for product in sorted(required):
                lines.append(cls._shortage_line(
                        production, product, required[product],
                        reserved[product], stock, incoming.get(product, []),
                        start, engine, substitutes.get(
                            (production.id, product), [])))
        return result

    @classmethod
    def _shortage_line(cls, production, product, required, reserved, stock,
            incoming, start, engine, substitutes):
        rounding = engine.rounding.get(product, 0)
        missing = required - reserved
        free = max(stock.get(product, 0), 0)
        from_stock = min(missing, free)
        stock[product] = free - from_stock
        missing -= from_stock
        from_incoming = 0
        for receipt in incoming:
            if missing <= 0 or receipt[0] > start:
                break
            taken = min(missing, receipt[1])
            receipt[1] -= taken
            from_incoming += taken
            missing -= taken
        short = ceil_round(max(missing, 0), rounding) if missing > 1e-9 else 0
        action, substitute = None, None
        if short:
            for sub, quantity in substitutes:
                if stock.get(sub, 0) >= short * quantity - 1e-9:
                    action, substitute = 'substitute', sub
                    break
            else:
                if product in engine.boms:
                    action = 'production'
                elif engine.products[product]['purchasable']:
                    action = 'purchase'
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
    def _production_substitutes(cls, productions):
        "Return {(production, product): [(substitute, ratio)]}"
        result = {}
        for production in productions:
            if not production.bom:
                continue
            for input_ in production.bom.inputs:
                if input_.product and input_.substitutes:
                    result[(production.id, input_.product.id)] = [
                        (s.product.id, s.ratio) for s in input_.substitutes]
        return result

    @classmethod
    def get_engine(cls, product_ids, warehouse_id, date=None):
        "Return an engine loaded with the BOM graph and the free stock"
        boms, products = cls.load_boms(product_ids)
        stock = cls.load_stock(products.keys(), warehouse_id, date=date)
        rounding = {p: v['rounding'] for p, v in products.items()}
        codes = {p: v['code'] for p, v in products.items()}
        try:
            engine = Engine(boms, stock, rounding, codes=codes)
        except CycleError as exception:
            raise CyclicBOMError(gettext(
                    'production_kitting.msg_cyclic_bom',
                    cycle=' → '.join(
                        codes.get(p) or str(p) for p in exception.cycle)))
        engine.products = products
        return engine

    @classmethod
    def _uoms(cls):
        pool = Pool()
        Uom = pool.get('product.uom')
        uom = Uom.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*uom.select(
                uom.id, uom.factor, uom.rounding, uom.category))
        return {i: (f, r, c) for i, f, r, c in cursor}

    @classmethod
    def load_boms(cls, product_ids):
        """Load the BOMs reachable from the products, level by level

        Return {product: [Line]} and {product: {'code', 'uom', 'rounding',
        'bom'}}"""
        pool = Pool()
        Product = pool.get('product.product')
        Template = pool.get('product.template')
        ProductBOM = pool.get('product.product-production.bom')
        BOM = pool.get('production.bom')
        Input = pool.get('production.bom.input')
        Output = pool.get('production.bom.output')
        Substitute_ = pool.get('production.bom.input.substitute')
        cursor = Transaction().connection.cursor()
        uoms = cls._uoms()

        products = {}
        boms = {}

        def read_products(ids):
            product = Product.__table__()
            template = Template.__table__()
            product_bom = ProductBOM.__table__()
            query = product.join(template,
                condition=product.template == template.id
                ).join(product_bom, 'LEFT',
                condition=product_bom.product == product.id
                ).select(
                product.id, product.code, template.default_uom,
                template.purchasable, product_bom.bom, product_bom.sequence,
                product_bom.id,
                where=_in(product.id, ids))
            cursor.execute(*query)
            found = {}
            for pid, code, uom_id, purchasable, bom, sequence, pb_id in cursor:
                if pid not in ids:
                    continue
                key = (sequence is not None, sequence or 0, pb_id or 0)
                current = found.get(pid)
                if current is None or (bom and (
                            current['bom'] is None or key < current['key'])):
                    found[pid] = {
                        'code': code, 'uom': uom_id,
                        'purchasable': bool(purchasable),
                        'rounding': uoms[uom_id][1],
                        'bom': bom, 'key': key,
                        }
            for values in found.values():
                del values['key']
            products.update(found)

        read_products(set(product_ids))
        frontier = {p: v['bom'] for p, v in products.items() if v['bom']}
        while frontier:
            bom_ids = set(frontier.values())
            lines = defaultdict(list)  # bom: [(input id, product, qty, uom)]
            phantoms = {}  # bom: (quantity, uom)
            pending = set(bom_ids)
            while pending:
                bom = BOM.__table__()
                input_ = Input.__table__()
                query = input_.join(bom, 'LEFT',
                    condition=input_.phantom_bom == bom.id
                    ).select(
                    input_.id, input_.bom, input_.product, input_.quantity,
                    input_.unit, input_.phantom_bom,
                    bom.phantom_quantity, bom.phantom_unit,
                    where=_in(input_.bom, pending),
                    order_by=[input_.id])
                cursor.execute(*query)
                nested = set()
                for (line_id, line_bom, product, quantity, unit, phantom,
                        ph_quantity, ph_unit) in cursor:
                    if line_bom not in pending:
                        continue
                    lines[line_bom].append(
                        (line_id, product, quantity, unit, phantom))
                    if phantom:
                        phantoms[phantom] = (ph_quantity, ph_unit)
                        if phantom not in lines:
                            nested.add(phantom)
                pending = nested - set(lines)

            output = Output.__table__()
            cursor.execute(*output.select(
                    output.bom, output.product, output.quantity, output.unit,
                    where=_in(output.bom, bom_ids)))
            outputs = defaultdict(float)
            for bom, product, quantity, unit in cursor:
                if bom in bom_ids and frontier.get(product) == bom:
                    outputs[product] += quantity * uoms[unit][0] / uoms[
                        products[product]['uom']][0]

            input_ids = {l[0] for ls in lines.values() for l in ls}
            substitutes = defaultdict(list)
            if input_ids:
                substitute = Substitute_.__table__()
                cursor.execute(*substitute.select(
                        substitute.input, substitute.product,
                        substitute.ratio,
                        where=_in(substitute.input, input_ids),
                        order_by=[substitute.sequence.asc.nulls_first,
                            substitute.id]))
                for input_id, product, ratio in cursor:
                    if input_id in input_ids:
                        substitutes[input_id].append((product, ratio))

            new = {l[1] for ls in lines.values() for l in ls}
            new |= {s[0] for ss in substitutes.values() for s in ss}
            new = {p for p in new if p and p not in products}
            if new:
                read_products(new)

            for product, bom in frontier.items():
                total = outputs.get(product)
                if not total:
                    continue
                boms[product] = list(cls._flatten(
                        bom, 1 / total, lines, phantoms, substitutes, uoms,
                        products))
            frontier = {p: products[p]['bom'] for p in new
                if products[p]['bom'] and p not in boms}
        return boms, products

    @classmethod
    def _flatten(cls, bom, scale, lines, phantoms, substitutes, uoms,
            products):
        "Yield the engine lines of bom, passing through phantom BOMs"
        for line_id, product, quantity, unit, phantom in lines[bom]:
            if phantom:
                ph_quantity, ph_unit = phantoms[phantom]
                if not ph_quantity:
                    continue
                # phantom quantity per line unit
                factor = (quantity * uoms[unit][0]
                    / (ph_quantity * uoms[ph_unit][0]))
                yield from cls._flatten(phantom, scale * factor, lines,
                    phantoms, substitutes, uoms, products)
                continue
            factor = uoms[unit][0] / uoms[products[product]['uom']][0]
            subs = [Substitute(
                    s, r, uoms[unit][0] / uoms[products[s]['uom']][0])
                for s, r in substitutes[line_id]]
            yield Line(product, quantity * scale, uoms[unit][1], factor, subs)

    @classmethod
    def storage_locations(cls, warehouse_id):
        "Return the ids of the storage locations of free stock"
        pool = Pool()
        Location = pool.get('stock.location')
        warehouse = Location(int(warehouse_id))
        quarantine = set(Location.quarantine_locations())
        locations = Location.search([
                ('parent', 'child_of', [warehouse.storage_location.id]),
                ])
        return [l.id for l in locations if l.id not in quarantine]

    @classmethod
    def _stock_moves_where(cls, move, product_ids):
        "Hook to exclude moves from free stock"
        return _in(move.product, product_ids)

    @classmethod
    def load_stock(cls, product_ids, warehouse_id, date=None):
        """Return the free stock of products in the warehouse

        On hand, minus assigned issues; with a date, plus draft and assigned
        receipts and minus draft issues planned up to that date."""
        pool = Pool()
        Move = pool.get('stock.move')
        move = Move.__table__()
        cursor = Transaction().connection.cursor()
        product_ids = set(product_ids)
        locations = cls.storage_locations(warehouse_id)
        inside_to = move.to_location.in_(locations)
        inside_from = move.from_location.in_(locations)
        incoming = inside_to & ~inside_from
        outgoing = inside_from & ~inside_to
        quantity = move.internal_quantity
        whens = [
            (incoming & (move.state == 'done'), quantity),
            (outgoing & move.state.in_(['done', 'assigned']), -quantity),
            ]
        if date:
            planned = ((move.planned_date <= date)
                & (move.planned_date != Null))
            whens.extend([
                    (incoming & move.state.in_(['draft', 'assigned'])
                        & planned, quantity),
                    (outgoing & (move.state == 'draft') & planned,
                        -quantity),
                    ])
        query = move.select(
            move.product,
            Sum(Coalesce(Case(*whens, else_=0), 0)),
            where=cls._stock_moves_where(move, product_ids)
            & (inside_to | inside_from),
            group_by=[move.product])
        cursor.execute(*query)
        return {p: q or 0.0 for p, q in cursor if p in product_ids}

    @classmethod
    def load_incoming(cls, product_ids, warehouse_id, date):
        """Return the planned receipts of products up to date:
        {product: [[date, quantity]]} in date order"""
        pool = Pool()
        Move = pool.get('stock.move')
        move = Move.__table__()
        cursor = Transaction().connection.cursor()
        product_ids = set(product_ids)
        if not product_ids:
            return {}
        locations = cls.storage_locations(warehouse_id)
        query = move.select(
            move.product, move.planned_date, Sum(move.internal_quantity),
            where=cls._stock_moves_where(move, product_ids)
            & move.to_location.in_(locations)
            & ~move.from_location.in_(locations)
            & move.state.in_(['draft', 'assigned'])
            & (move.planned_date != Null)
            & (move.planned_date <= date),
            group_by=[move.product, move.planned_date],
            order_by=[move.planned_date])
        cursor.execute(*query)
        result = defaultdict(list)
        for product, planned_date, quantity in cursor:
            if product in product_ids:
                result[product].append([planned_date, quantity])
        return result


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
        "Limiting Short", readonly=True,
        help="How much of the limiting component is missing to make one "
        "more unit, in its unit.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('product', 'ASC'))

    @fields.depends('product')
    def on_change_with_unit(self, name=None):
        return self.product.default_uom if self.product else None


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
        records = self.records
        if self.model and self.model.__name__ in {'sale.sale', 'production'}:
            warehouses = {r.warehouse.id for r in records if r.warehouse}
            if len(warehouses) == 1:
                values['warehouse'], = warehouses
        return values

    def _demand(self):
        "Return {product: required quantity in its default unit}"
        pool = Pool()
        Kitting = pool.get('production.kitting')
        Uom = pool.get('product.uom')
        demand = defaultdict(float)
        name = self.model.__name__ if self.model else None
        if name == 'product.template':
            for template in self.records:
                for product in template.products:
                    demand[product] += 0
        elif name == 'sale.sale':
            for sale in self.records:
                for line in sale.lines:
                    if line.type == 'line' and line.product:
                        demand[line.product] += (
                            Kitting._sale_line_quantity(line))
        elif name == 'production':
            for production in self.records:
                if production.product and production.state not in {
                        'done', 'cancelled'}:
                    demand[production.product] += Uom.compute_qty(
                        production.unit, production.quantity or 0,
                        production.product.default_uom, round=False)
        else:
            for product in self.records:
                demand[product] += 0
        return demand

    def do_open_(self, action):
        pool = Pool()
        Kitting = pool.get('production.kitting')
        Line = pool.get('production.kitting.line')
        user = Transaction().user
        Line.delete(Line.search([('create_uid', '=', user)]))
        demand = self._demand()
        warehouse = self.start.warehouse
        engine = Kitting.get_engine(
            [p.id for p in demand], warehouse.id, date=self.start.date)
        lines = []
        for product, required in demand.items():
            lines.append(Line(
                    product=product, warehouse=warehouse,
                    date=self.start.date, required=required,
                    **Kitting._kitting_line(engine, product.id, required)))
        Line.save(lines)
        action['pyson_domain'] = PYSONEncoder().encode(
            [('id', 'in', [l.id for l in lines])])
        return action, {}


class KittingQualityGate(metaclass=PoolMeta):
    __name__ = 'production.kitting'

    @classmethod
    def _stock_moves_where(cls, move, product_ids):
        "Lots on hold or rejected are not free"
        pool = Pool()
        Lot = pool.get('stock.lot')
        lot = Lot.__table__()
        held = lot.select(lot.id, where=lot.quality_status != 'released')
        return (super()._stock_moves_where(move, product_ids)
            & ((move.lot == Null) | ~move.lot.in_(held)))
