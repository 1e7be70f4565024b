# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The shop floor (扫码作业): one scan answered in one round trip, each
posting done once by the desk's own server methods"""
import datetime
import json
import math
from collections import defaultdict

from sql.aggregate import Sum
from sql import Union
from sql.conditionals import Coalesce

from trytond.cache import Cache
from trytond.i18n import gettext
from trytond.model import Model, ModelSQL, Unique, fields
from trytond.model.exceptions import ButtonActionException
from trytond.modules.production_picking.production import EPSILON
from trytond.modules.quality_gate.quality import is_inspector
from trytond.modules.stock_quarantine import arguments
from trytond.modules.stock_quarantine.numbers import format_quantity
from trytond.pool import Pool
from trytond.rpc import RPC
from trytond.tools import timezone as tz
from trytond.transaction import Transaction, without_check_access

from .exceptions import PostingError, ScanError

TASKS = ['pick', 'stock', 'return', 'output', 'inspect', 'receive']
# At most this many rows of stock answer a scan of a location
STOCK_ROWS = 60


def _unit(product):
    return product.default_uom


def _qty(unit, quantity):
    return format_quantity(unit, quantity)


def _state(record):
    "The state of record in the user's language"
    selection = record.fields_get(['state'])['state']['selection']
    return dict(selection).get(record.state, record.state)


def _number(lot):
    "The number of lot, '' without lot"
    return lot.number if lot else ''


def _name(record):
    "The name of record, '' without record"
    return record.rec_name if record else ''


def _names(records):
    "The names of records separated by commas, '-' without any"
    return ', '.join(r.rec_name for r in records) or '-'


def _is_id(value):
    return isinstance(value, int) and not isinstance(value, bool)


class Floor(Model):
    "Shop Floor"
    __name__ = 'production.floor'
    # The location ids a scan counts stock at (the storage locations, the
    # picking location out of quarantine); cleared by any change of a
    # location (stock.Location), in every process
    _locations_cache = Cache('production.floor.locations', context=False)
    # What a scan shows of a product, unit or location (its name, code,
    # unit, lot rule, type), per language; cleared by any change of one
    # of them or of a translation (stock.py, cache.py)
    _cards_cache = Cache('production.floor.cards', context=False)
    # The user's stored company and companies; cleared by any change of a
    # user, of their companies or of a company (cache.py)
    _user_cache = Cache('production.floor.user', context=False)
    # The timezone of a company, for today; cleared by a company's change
    _timezone_cache = Cache('production.floor.timezone', context=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__rpc__.update({
                'scan': RPC(),
                'post': RPC(readonly=False),
                })

    # The two entry points

    @classmethod
    def scan(cls, task, code, document_id=None):
        """Answer the scan of code for task (with the document on screen):
        a dict with ok, message and what to show; nothing is written"""
        cls.check_task(task)
        code = cls.check_code(code)
        if document_id is not None:
            document_id = arguments.record_id('document_id', document_id)
        result = getattr(cls, '_scan_%s' % task)(code, document_id)
        return cls._answer(result, task)

    @classmethod
    def post(cls, task, client_id, values):
        """Post values for task once per client_id: a second call with the
        same client id answers the first result and writes nothing"""
        pool = Pool()
        Posting = pool.get('production.floor.posting')
        client_id = cls.check_posting(task, client_id, values)
        done = Posting.answer(client_id)
        if done is not None:
            return done
        return cls._post_once(task, client_id, values)

    @classmethod
    def _post_once(cls, task, client_id, values):
        "Post values for task and keep the result under client_id"
        pool = Pool()
        Posting = pool.get('production.floor.posting')
        posting = Posting.start(client_id, task)
        result = getattr(cls, '_post_%s' % task)(values)
        result = cls._answer(result, task, client_id=client_id)
        posting.finish(result)
        return result

    @classmethod
    def _answer(cls, result, task, **values):
        "The result of task, ok unless it says otherwise"
        result.setdefault('ok', True)
        result['task'] = task
        result.update(values)
        return result

    @classmethod
    def check_task(cls, task):
        if task not in TASKS:
            raise ScanError(gettext('production_floor.msg_task_unknown',
                    task=arguments.show(task), tasks=', '.join(TASKS)))

    @classmethod
    def check_code(cls, code):
        "Return the scanned code stripped; refuse an empty one"
        code = code.strip() if isinstance(code, str) else ''
        if not code:
            raise ScanError(gettext('production_floor.msg_code_empty'))
        return code

    @classmethod
    def check_posting(cls, task, client_id, values):
        "Check the arguments of a posting and return its client id"
        pool = Pool()
        Posting = pool.get('production.floor.posting')
        cls.check_task(task)
        client_id = Posting.check_client_id(client_id)
        cls.check_values(values)
        return client_id

    @classmethod
    def check_values(cls, values):
        if not isinstance(values, dict):
            raise cls.wrong_value('values', values)

    @classmethod
    def _posted(cls, record):
        "What the answer of a posting says of the record it wrote"
        return {'model': record.__name__, 'id': record.id,
            'number': record.number, 'state': record.state}

    @classmethod
    def _done(cls, result, message=None):
        "The answer of a posting done, with its message"
        result['ok'] = True
        if message is not None:
            result['message'] = message
        return result

    @classmethod
    def _opened(cls, open_):
        "Whether the document is ok and stays open for a posting"
        return {'ok': open_, 'open': open_}

    # Codes

    @classmethod
    def _company(cls):
        """The company to work for, as arguments.context_company finds it
        (which refuses), with the user's companies of _user_companies"""
        transaction = Transaction()
        company = transaction.context.get('company')
        if transaction.user:
            stored, companies = cls._user_companies()
            if company is None and stored is not None:
                return stored
            if _is_id(company) and company in companies:
                return company
        return arguments.context_company()

    @classmethod
    def _user_companies(cls):
        "(stored company id or None, company ids) of the user, cached"
        pool = Pool()
        User = pool.get('res.user')
        transaction = Transaction()
        cached = cls._user_cache.get(transaction.user)
        if cached is None:
            # the stored company: res.user reads a context's company instead
            with transaction.reset_context():
                user = User(transaction.user)
                cached = cls._user_cache.set(transaction.user, (
                        user.company.id if user.company else None,
                        frozenset(c.id for c in user.companies)))
        return cached

    @classmethod
    def _today(cls):
        "ir.date's today for the context's company, its timezone cached"
        pool = Pool()
        Company = pool.get('company.company')
        Date = pool.get('ir.date')
        company = Transaction().context.get('company')
        if not _is_id(company) or company < 0:
            return Date.today()
        zone = cls._timezone_cache.get(company)
        if zone is None:
            zone = cls._timezone_cache.set(company,
                Company(company).timezone or '')
        if zone:
            return Date.today(timezone=tz.ZoneInfo(zone))
        with Transaction().set_context(company=None):
            return Date.today()

    # Cards: what a scan shows of products, units and locations

    @classmethod
    def _cards(cls, model, ids, values):
        """{id: the values(record) of the record of model}, kept per
        language in _cards_cache: read once until one of them changes"""
        pool = Pool()
        Model_ = pool.get(model)
        language = Transaction().language
        cards, missing = {}, []
        for id_ in ids:
            card = cls._cards_cache.get((model, language, id_))
            if card is None:
                missing.append(id_)
            else:
                cards[id_] = card
        for record in Model_.browse(sorted(missing)):
            cards[record.id] = cls._cards_cache.set(
                (model, language, record.id), values(record))
        return cards

    @classmethod
    def _products(cls, ids):
        "{id: product} of ids, with the name, code, unit and lot rule read"
        pool = Pool()
        Product = pool.get('product.product')
        cards = cls._cards('product.product', ids, cls._product_card)
        units = cls._unit_records({c['default_uom'] for c in cards.values()})
        return {i: Product(i, **dict(c, default_uom=units[c['default_uom']]))
            for i, c in cards.items()}

    @staticmethod
    def _product_card(product):
        return {'rec_name': product.rec_name, 'code': product.code,
            'default_uom': product.default_uom.id,
            'lot_required': product.lot_required}

    @classmethod
    def _product_record(cls, product):
        "The product with its card, None without product"
        return cls._products([product.id])[product.id] if product else None

    @classmethod
    def _unit_records(cls, ids):
        "{id: unit} of ids, with the symbol, digits and rounding read"
        pool = Pool()
        Uom = pool.get('product.uom')
        cards = cls._cards('product.uom', ids, lambda u: {
                'symbol': u.symbol, 'digits': u.digits,
                'rounding': u.rounding})
        return {i: Uom(i, **c) for i, c in cards.items()}

    @classmethod
    def _location_records(cls, ids):
        "{id: location} of ids, with the name, type and quarantine read"
        pool = Pool()
        Location = pool.get('stock.location')
        cards = cls._cards('stock.location', ids, lambda l: {
                'rec_name': l.rec_name, 'type': l.type,
                'quarantine': l.quarantine})
        return {i: Location(i, **c) for i, c in cards.items()}

    @classmethod
    def _picking_location(cls, production):
        """The order's picking_location (of its warehouse) with its card,
        None without"""
        if not production.warehouse:
            return None
        ids = cls._cached_locations(('picking', production.warehouse.id),
            lambda: [l.id for l in [production.picking_location] if l])
        return cls._location_records(ids)[ids[0]] if ids else None

    @classmethod
    def _find(cls, model, code, field='number', domain=None):
        "The record of model whose field is code, in the user's company"
        Model_ = Pool().get(model)
        records = Model_.search([(field, '=', code)] + (domain or []),
            limit=1, order=[('id', 'DESC')])
        return records[0] if records else None

    @classmethod
    def _find_company(cls, model, code, field='number'):
        "The record of model whose field is code, in the user's company"
        return cls._find(model, code, field=field,
            domain=[('company', '=', cls._company())])

    @classmethod
    def _production(cls, code):
        return cls._find_company('production', code)

    @classmethod
    def _scanned_production(cls, code):
        "The order numbered code, refused when there is none"
        return cls._known(cls._production(code), code)

    @classmethod
    def _known(cls, record, code):
        "The record found for code, refused when there is none"
        if not record:
            raise cls.unknown(code)
        return record

    @classmethod
    def unknown(cls, code):
        "The error of a code that names nothing"
        return ScanError(gettext('production_floor.msg_code_unknown',
                code=code))

    @classmethod
    def _lots(cls, code):
        "The lots numbered code (a number may serve several products)"
        pool = Pool()
        Lot = pool.get('stock.lot')
        return Lot.search([('number', '=', code)], order=[('id', 'ASC')])

    @classmethod
    def _product(cls, code):
        """The product of code or identifier code: the first in Tryton's
        order (by rec_name, it reads the configuration) only among several"""
        pool = Pool()
        Product = pool.get('product.product')
        products = Product.search(['OR',
                ('code', '=', code),
                ('identifiers.code', '=', code),
                ], order=[])
        if len(products) > 1:
            products = Product.search([('id', 'in', products)], limit=1)
        return products[0] if products else None

    @classmethod
    def _product_lot(cls, code, products=None):
        """(product, lot) of a lot number or of a product code: the lot of
        one of products first, as the desk's scan of a slip does"""
        lot = cls._scanned_lot(code, products)
        if lot:
            return cls._product_record(lot.product), lot
        return cls._product_record(
            cls._known(cls._product(code), code)), None

    @classmethod
    def _scanned_lot(cls, code, products=None):
        "The lot numbered code, of one of products if any is"
        lots = cls._lots(code)
        for lot in lots:
            if products is None or lot.product in products:
                return lot
        return lots[0] if lots else None

    @classmethod
    def _document(cls, model, document_id, code):
        "The record on screen, of the user's company"
        if document_id is None:
            raise ScanError(gettext('production_floor.msg_document_first',
                    code=code))
        return cls._company_record(model, 'document_id', document_id)

    @classmethod
    def _value(cls, values, name, model=None, required=True):
        value = values.get(name)
        if value is None and not required:
            return None
        if model:
            return cls._company_record(model, name, value)
        return arguments.quantity(name, value)

    @classmethod
    def _company_record(cls, model, name, value):
        "The record of model whose id is value, of the user's company"
        record, = arguments.records(model, name, [value])
        if 'company' in record._fields:
            cls.check_company(record, name)
        return record

    @classmethod
    def check_company(cls, record, name):
        """Refuse a record of a company that is not one of the user's (as
        an unknown id), as arguments.check_companies does"""
        if Transaction().user and (not record.company
                or record.company.id not in cls._user_companies()[1]):
            raise arguments.unknown(record.__name__, name, [record.id])

    @classmethod
    def _lines(cls, values):
        lines = values.get('lines')
        if not isinstance(lines, list) or not lines or not all(
                isinstance(l, dict) for l in lines):
            raise cls.wrong_value('lines', lines)
        return lines

    @classmethod
    def _line_values(cls, values):
        "The (product, lot, quantity) of a posted line"
        product = cls._value(values, 'product', 'product.product')
        lot = cls._value(values, 'lot', 'stock.lot', required=False)
        return product, lot, cls._value(values, 'quantity')

    @classmethod
    def _product_values(cls, product, lot, quantity, key='remaining'):
        "The line of product and lot with its quantity at key"
        return dict(cls._product_row(product, quantity, key),
            lot=lot.id if lot else None, lot_number=_number(lot))

    @classmethod
    def _product_row(cls, product, quantity, key='remaining'):
        "The row of product with its quantity at key, in its unit"
        unit = _unit(product)
        return {
            'product': product.id,
            'name': product.rec_name,
            'code': product.code or '',
            key: unit.round(quantity),
            'unit': unit.symbol,
            'digits': unit.digits,
            }

    @classmethod
    def _production_answer(cls, production, rows, message):
        "The answer of a scanned order: its document and rows"
        return dict(kind='production', rows=rows, message=message,
            document=cls._production_info(production))

    @classmethod
    def _production_info(cls, production):
        return cls._document_info(production,
            product=_name(cls._product_record(production.product)),
            quantity=production.quantity,
            unit=cls._unit_records([production.unit.id])[
                production.unit.id].symbol if production.unit else '',
            location=_name(cls._picking_location(production)))

    # 领料: pick for an order

    @classmethod
    def _scan_pick(cls, code, document_id):
        production = cls._production(code)
        if production:
            cls.check_pick_order(production)
            return cls.pick_order(production)
        return cls._scan_pick_line(code, document_id)

    @classmethod
    def _scan_pick_line(cls, code, document_id):
        "The line of a product or lot scanned for the order on screen"
        production = cls._document('production', document_id, code)
        cls.check_pick_order(production)
        remaining = cls._remaining(production)
        product, lot = cls._product_lot(code, products=[
                p for _, p in remaining])
        return cls.pick_line(production, product, lot, remaining)

    @classmethod
    def check_pick_order(cls, production):
        "The desk's rule of a scanned order: a draft slip's on_scan_code"
        pool = Pool()
        Picking = pool.get('production.picking')
        picking = Picking(state='draft', kind='normal',
            company=production.company, warehouse=production.warehouse,
            productions=[], lines=[], totals=[])
        picking.check_scan_production(production)

    @classmethod
    def pick_order(cls, production):
        rows = cls._pick_rows(production)
        return cls._production_answer(production, rows,
            gettext('production_floor.msg_pick_order',
                production=production.rec_name, count=len(rows)))

    @classmethod
    def _remaining(cls, production):
        """{(production, product): quantity} the order still plans to pick,
        as Picking.remaining orders it (by the products' names), the
        products with their cards"""
        pool = Pool()
        Production = pool.get('production')
        planned = Production.planned_quantities([production])
        products = cls._products({p for _, p in planned})
        return {(production, products[p]): planned[production.id, p]
            for p in sorted(products, key=lambda p: (products[p].rec_name, p))
            if planned[production.id, p] > EPSILON}

    @classmethod
    def _pick_rows(cls, production):
        "A row of each product the order still plans to pick, with stock"
        remaining = cls._remaining(production)
        stock = cls._pick_stock(production, [p for _, p in remaining])
        locations = cls._lot_locations(production)
        return [cls._pick_row(production, product, quantity, stock,
                locations) for (_, product), quantity in remaining.items()]

    @classmethod
    def _pick_stock(cls, production, products):
        """{(product id, lot id): quantity} at the order's picking location
        out of quarantine, as Production.issue_stock counts it"""
        pool = Pool()
        Production = pool.get('production')
        location = cls._picking_location(production)
        if not products or not location:
            return {}
        stock = defaultdict(float)
        for (_, p, l), q in cls._stock_quantities(
                cls._cached_locations(('issue', location.id),
                    lambda: Production._issue_locations(location)),
                ([p.id for p in products],)).items():
            stock[p, l] += q
        return {k: q for k, q in stock.items() if q > EPSILON}

    @classmethod
    def _pick_row(cls, production, product, quantity, stock, locations):
        lots = cls._lot_rows(product, stock)
        return dict(cls._product_row(product, quantity),
            available=_unit(product).round(sum(l['quantity'] for l in lots)),
            lot_required=bool(
                cls._lot_required(production, product, locations)),
            lots=lots)

    @classmethod
    def _lot_locations(cls, production):
        "The order's picking and production locations, with their cards"
        picking = cls._picking_location(production)
        locations = cls._location_records([production.location.id])
        return [picking, locations[production.location.id]]

    @classmethod
    def _lot_required(cls, production, product, locations=None):
        """Whether the order's picking of product needs a lot (locations:
        _lot_locations, read once for the rows of a scan)"""
        return product.lot_is_required(
            *(locations or cls._lot_locations(production)))

    @classmethod
    def _lot_rows(cls, product, stock):
        Lot = Pool().get('stock.lot')
        keys = [(l, q) for (p, l), q in stock.items() if p == product.id]
        # the lots of every product at once: the rows after the first
        # find theirs read
        lots = {l.id: l for l in Lot.browse(sorted(
                    {l for _, l in stock if l}))}
        return [cls._lot_row(_unit(product), lot_id, lots.get(lot_id), q)
            for lot_id, q in sorted(keys, key=lambda k: k[0] or 0)]

    @classmethod
    def _lot_row(cls, unit, lot_id, lot, quantity):
        return dict(cls._lot_status(lot), lot=lot_id, number=_number(lot),
            quantity=unit.round(quantity))

    @classmethod
    def _lot_status(cls, lot):
        "The quality status of lot, released without lot"
        return {
            'status': lot.quality_status_string if lot else '',
            'released': lot is None or lot.quality_status == 'released',
            }

    @classmethod
    def pick_line(cls, production, product, lot, remaining):
        """The line of a scanned product or lot for the order on screen,
        remaining: what the order still plans to pick (Picking.remaining)"""
        quantity = remaining.get((production, product), 0)
        cls.check_pick_needed(production, product, quantity, remaining)
        cls.check_pick_lot(production, product, lot)
        available = cls._available(production, product, lot)
        line = cls._product_values(product, lot, quantity)
        line['available'] = _unit(product).round(available)
        return cls._line_answer(line, cls._pick_line_message(
                product, lot, quantity, available))

    @classmethod
    def _line_answer(cls, line, message):
        "The answer of a scanned line of the document on screen"
        return {'kind': 'line', 'line': line, 'message': message}

    @classmethod
    def check_pick_needed(cls, production, product, quantity, remaining):
        "Refuse a product the order no longer plans to pick"
        if quantity <= EPSILON:
            raise ScanError(gettext('production_floor.msg_pick_not_needed',
                    product=product.rec_name, production=production.rec_name,
                    products=_names(p for _, p in remaining)))

    @classmethod
    def _available(cls, production, product, lot):
        """The stock of product (of lot) at the order's picking location,
        refused when there is none"""
        stock = cls._pick_stock(production, [product])
        available = cls._lot_quantity(stock, product, lot)
        cls.check_pick_stock(production, product, lot, available)
        return available

    @classmethod
    def _lot_quantity(cls, stock, product, lot):
        "The quantity of stock of product: of lot, or of all lots without"
        if lot is None:
            return sum(q for (p, _), q in stock.items() if p == product.id)
        return stock.get((product.id, lot.id), 0)

    @classmethod
    def check_pick_stock(cls, production, product, lot, available):
        "Refuse a product (lot) without stock to pick"
        if available <= EPSILON:
            raise ScanError(gettext('production_floor.msg_pick_no_stock',
                    product=product.rec_name, lot=lot.number if lot else '-',
                    location=cls._picking_location(production).rec_name))

    @classmethod
    def _pick_line_message(cls, product, lot, quantity, available):
        unit = _unit(product)
        return gettext('production_floor.msg_pick_line',
            product=product.rec_name, lot=lot.number if lot else '-',
            remaining=_qty(unit, quantity), available=_qty(unit, available),
            unit=unit.symbol)

    @classmethod
    def check_pick_lot(cls, production, product, lot):
        if lot is None and cls._lot_required(production, product):
            raise ScanError(gettext('production_floor.msg_pick_lot_required',
                    product=product.rec_name))
        if lot is not None and lot.quality_status != 'released':
            raise ScanError(gettext('production_floor.msg_lot_held',
                    lot=lot.rec_name, status=lot.quality_status_string))

    @classmethod
    def _post_pick(cls, values):
        "A normal slip of the confirmed lines, done by the desk's button"
        pool = Pool()
        Picking = pool.get('production.picking')
        production = cls._value(values, 'production', 'production')
        cls.check_pick_order(production)
        picking = cls._new_picking(production, cls._lines(values))
        Picking.save([picking])
        Picking.done([picking])
        return cls._picked(Picking(picking.id), production)

    @classmethod
    def _picked(cls, picking, production):
        "The answer of the slip done: what the order still needs"
        result = cls.pick_order(production)
        result['message'] = cls._picked_message(picking, production)
        result['posted'] = cls._posted(picking)
        return result

    @classmethod
    def _new_picking(cls, production, lines):
        "A normal slip of lines for the order"
        pool = Pool()
        Picking = pool.get('production.picking')
        picking = Picking(kind='normal', company=production.company,
            warehouse=production.warehouse, productions=[production],
            comment=gettext('production_floor.msg_pick_comment'))
        picking.lines = cls._pick_lines(production, lines)
        return picking

    @classmethod
    def _picked_message(cls, picking, production):
        return gettext('production_floor.msg_picked',
            picking=picking.rec_name, production=production.rec_name,
            lines='; '.join('%s %s %s' % (
                        l.product.rec_name, _qty(l.unit, l.quantity),
                        l.unit.symbol) for l in picking.lines))

    @classmethod
    def _pick_lines(cls, production, lines):
        remaining = cls._remaining(production)
        asked = defaultdict(float)
        return [cls._pick_line(production, values, remaining, asked)
            for values in lines]

    @classmethod
    def _pick_line(cls, production, values, remaining, asked):
        """The slip's line of values, checked with what the earlier lines
        asked of its product"""
        pool = Pool()
        Line = pool.get('production.picking.line')
        product, lot, quantity = cls._line_values(values)
        cls.check_pick_lot(production, product, lot)
        asked[product] += quantity
        cls.check_pick_above(production, product, asked[product],
            remaining.get((production, product), 0))
        return Line(production=production, product=product, lot=lot,
            quantity=quantity, unit=_unit(product))

    @classmethod
    def check_pick_above(cls, production, product, asked, left):
        "Refuse to pick more of product than the order still plans to"
        if asked > left + EPSILON:
            unit = _unit(product)
            raise PostingError(gettext('production_floor.msg_pick_above',
                    quantity=_qty(unit, asked), remaining=_qty(unit, left),
                    unit=unit.symbol, product=product.rec_name,
                    production=production.rec_name))

    # 查库存: stock of a product, lot or location

    @classmethod
    def _scan_stock(cls, code, document_id):
        rows, title = cls._stock_of(code)
        return {
            'kind': 'stock',
            'document': {'title': title},
            'rows': rows,
            'message': gettext('production_floor.msg_stock',
                what=title, count=len(rows), free=cls._free_text(rows)),
            }

    @classmethod
    def _stock_of(cls, code):
        "The (rows, title) of the stock of a location, lots or product"
        location = cls._location(code)
        if location:
            location = cls._location_records([location.id])[location.id]
            return cls.stock_rows(locations=[location]), location.rec_name
        lots = cls._lots(code)
        if lots:
            return cls.stock_rows(
                products=[l.product for l in lots], lots=lots), code
        product = cls._product_record(cls._known(cls._product(code), code))
        return cls.stock_rows(products=[product]), product.rec_name

    @classmethod
    def _location(cls, code):
        "The storage location or warehouse whose code is code"
        return cls._find('stock.location', code, field='code',
            domain=[('type', 'in', ['storage', 'warehouse'])])

    @classmethod
    def _free_text(cls, rows):
        "The free quantities of rows per unit"
        free = defaultdict(float)
        for row in rows:
            free[row['unit']] += row['free']
        return ', '.join('%s %s' % (_qty(None, q), u)
            for u, q in free.items()) or '0'

    @classmethod
    def stock_rows(cls, products=None, lots=None, locations=None):
        """Rows of stock per storage location and lot: on hand, reserved
        (assigned moves), free, the lot's quality status"""
        location_ids = cls._storage_locations(locations)
        filter_ = (([p.id for p in products],) if products else None)
        company = cls._moves_company()
        on_hand = cls._stock_quantities(location_ids, filter_, company)
        return cls._stock_rows({False: on_hand, True: cls._free(on_hand,
                    cls._assigned(location_ids, filter_, company))}, lots)

    @classmethod
    def _cached_locations(cls, key, compute):
        "The location ids of key, compute() once until a location changes"
        key += (Transaction().context.get('active_test', True),)
        ids = cls._locations_cache.get(key)
        if ids is None:
            ids = cls._locations_cache.set(key, compute())
        return list(ids)

    @classmethod
    def _storage_locations(cls, locations=None):
        "The ids of the storage locations (in locations)"
        key = ('storage',) + tuple(sorted(l.id for l in locations or []))
        return cls._cached_locations(key,
            lambda: cls._search_storage_locations(locations))

    @classmethod
    def _search_storage_locations(cls, locations=None):
        pool = Pool()
        Location = pool.get('stock.location')
        domain = [('type', '=', 'storage')]
        if locations:
            domain.append(('parent', 'child_of', [l.id for l in locations]))
        return [l.id for l in Location.search(domain)]

    @classmethod
    def _stock_quantities(cls, location_ids, filter_, company=None):
        """{(location, product, lot): quantity} on hand today as
        products_by_location counts it by lot, in one query (_stock_query),
        rounded with the units read in one query (its rounding instantiates
        every product: 2 s for the 1,800 products of a storage location);
        company: the id of _moves_company, when already found"""
        if not location_ids:
            return {}
        if company is None:
            company = cls._moves_company()
        cursor = Transaction().connection.cursor()
        cursor.execute(*cls._stock_query(location_ids,
                filter_[0] if filter_ else None, company, cls._today()))
        quantities = {(l, p, t): q for l, p, t, q in cursor}
        units = cls._units({k[1] for k in quantities})
        return {k: units[k[1]].round(q) for k, q in quantities.items()}

    @classmethod
    def _stock_query(cls, location_ids, product_ids, company, today):
        """Tryton's compute_quantities_query by product and lot at
        location_ids (without children) on today: the done moves of the
        company since its last closed period and that period's cache, the
        period looked up inside the query"""
        pool = Pool()
        Move = pool.get('stock.move')
        move = Move.__table__()
        period, period_date = cls._closed_period(company, today)
        date = Coalesce(move.effective_date, move.planned_date)
        where = ((move.state == 'done') & (move.company == company)
            & (date <= today) & (Coalesce(date, datetime.date.max)
                > Coalesce(period_date, datetime.date.min)))
        if product_ids:
            where &= fields.SQL_OPERATORS['in'](move.product, product_ids)
        query = Union(
            cls._moves_at(move, move.to_location, 1, location_ids, where),
            cls._moves_at(move, move.from_location, -1, location_ids, where),
            cls._period_at(period, location_ids, product_ids), all_=True)
        return query.select(query.location, query.product, query.lot,
            Sum(query.quantity),
            group_by=[query.location, query.product, query.lot])

    @classmethod
    def _moves_at(cls, move, location, sign, location_ids, where):
        "The quantities moved into (sign 1) or out of (-1) location_ids"
        where &= fields.SQL_OPERATORS['in'](location, location_ids)
        return move.select(location.as_('location'),
            move.product.as_('product'), move.lot.as_('lot'),
            (Sum(move.internal_quantity) * sign).as_('quantity'),
            where=where, group_by=[location, move.product, move.lot])

    @classmethod
    def _closed_period(cls, company, today):
        "The queries of the id and date of company's last period closed"
        pool = Pool()
        Period = pool.get('stock.period')

        def last(name):
            period = Period.__table__()
            return period.select(getattr(period, name),
                where=(period.state == 'closed')
                & (period.company == company) & (period.date <= today),
                order_by=[period.date.desc], limit=1)
        return last('id'), last('date')

    @classmethod
    def _period_at(cls, period, location_ids, product_ids):
        "The period's cache by lot at location_ids (of product_ids)"
        pool = Pool()
        PeriodCache = pool.get('stock.period.cache.lot')
        cache = PeriodCache.__table__()
        in_ = fields.SQL_OPERATORS['in']
        where = (cache.period == period) & in_(cache.location, location_ids)
        if product_ids:
            where &= in_(cache.product, product_ids)
        return cache.select(cache.location.as_('location'),
            cache.product.as_('product'), cache.lot.as_('lot'),
            cache.internal_quantity.as_('quantity'), where=where)

    @classmethod
    def _units(cls, product_ids):
        """{product id: default unit}: a few through the products' cards
        (the rows show them), many in one query"""
        pool = Pool()
        Product = pool.get('product.product')
        Template = pool.get('product.template')
        if len(product_ids) <= STOCK_ROWS:
            return {i: p.default_uom
                for i, p in cls._products(product_ids).items()}
        product, template = Product.__table__(), Template.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*product.join(template,
                condition=product.template == template.id).select(
                product.id, template.default_uom,
                where=fields.SQL_OPERATORS['in'](
                    product.id, sorted(product_ids))))
        units = dict(cursor)
        uoms = cls._unit_records(set(units.values()))
        return {p: uoms[u] for p, u in units.items()}

    @classmethod
    def _assigned(cls, location_ids, filter_, company=None):
        """{(location, product, lot): quantity} of the assigned moves out
        of the locations until today, as products_by_location counts them
        with stock_assign (a closed period holds no assigned move)"""
        pool = Pool()
        Move = pool.get('stock.move')
        move = Move.__table__()
        in_ = fields.SQL_OPERATORS['in']
        today = cls._today()
        if company is None:
            company = cls._moves_company()
        where = ((move.state == 'assigned') & (move.company == company)
            & (Coalesce(move.effective_date, today) <= today)
            & in_(move.from_location, location_ids))
        if filter_:
            where &= in_(move.product, filter_[0])
        cursor = Transaction().connection.cursor()
        cursor.execute(*move.select(move.from_location, move.product,
                move.lot, Sum(move.internal_quantity), where=where,
                group_by=[move.from_location, move.product, move.lot]))
        return {(l, p, t): q for l, p, t, q in cursor}

    @classmethod
    def _moves_company(cls):
        """The id of the company of the moves counted as products_by_location
        takes it (the user's, read as res.user reads it: the context's
        company when it is one of the user's), -1 for none"""
        transaction = Transaction()
        context = transaction.context
        if 'company' not in context:
            stored, _ = cls._user_companies()
            return stored if stored is not None else -1
        company = context['company']
        if not company or not transaction.user:
            return company or -1
        _, companies = cls._user_companies()
        return company if _is_id(company) and company in companies else -1

    @classmethod
    def _free(cls, on_hand, assigned):
        """{(location, product, lot): quantity} on hand less assigned,
        rounded as products_by_location rounds (on hand already is)"""
        units = cls._units({k[1] for k in assigned})
        free = dict(on_hand)
        free.update((k, units[k[1]].round(on_hand.get(k, 0) - q))
            for k, q in assigned.items())
        return free

    @classmethod
    def _stock_rows(cls, quantities, lots):
        pool = Pool()
        Lot = pool.get('stock.lot')
        keys = cls._stock_keys(quantities, lots)
        locations = cls._location_records({k[0] for k in keys})
        products = cls._products({k[1] for k in keys})
        numbered = cls._browse_keys(Lot, keys, 2)
        return [cls._stock_row(locations[k[0]], products[k[1]],
                numbered.get(k[2]), quantities[False].get(k, 0),
                quantities[True].get(k, 0)) for k in keys]

    @classmethod
    def _stock_keys(cls, quantities, lots):
        "The first keys of quantities with stock (of lots)"
        lot_ids = {l.id for l in lots} if lots is not None else None
        keys = set(quantities[False]) | set(quantities[True])
        return sorted(k for k in keys
            if (lot_ids is None or k[2] in lot_ids)
            and any(abs(q.get(k, 0)) > EPSILON for q in quantities.values())
            )[:STOCK_ROWS]

    @classmethod
    def _browse_keys(cls, Model_, keys, index):
        "{id: record} of Model_ for the ids at index of keys"
        ids = sorted({k[index] for k in keys if k[index]})
        return {r.id: r for r in Model_.browse(ids)}

    @classmethod
    def _stock_row(cls, location, product, lot, on_hand, free):
        unit = _unit(product)
        return dict(cls._lot_status(lot),
            location=location.rec_name,
            quarantine=bool(location.quarantine),
            product=product.rec_name,
            lot=_number(lot),
            quantity=unit.round(on_hand),
            reserved=unit.round(max(on_hand - free, 0)),
            free=unit.round(free if not location.quarantine else 0),
            unit=unit.symbol)

    # 收料: receive a supplier shipment into the inspection area

    @classmethod
    def _scan_receive(cls, code, document_id):
        return cls.shipment_info(cls._shipment(code))

    @classmethod
    def _shipment(cls, code, required=True):
        "The supplier shipment of a number or of a delivery note"
        shipment = (cls._find_company('stock.shipment.in', code)
            or cls._find_company('stock.shipment.in', code,
                field='reference'))
        return cls._known(shipment, code) if required else shipment

    @classmethod
    def shipment_info(cls, shipment):
        rows = [cls._row(m) for m in shipment.incoming_moves]
        return dict(cls._opened(shipment.state == 'draft'),
            kind='shipment', rows=rows,
            document=cls._document_info(shipment,
                number=shipment.rec_name,
                supplier=shipment.supplier.rec_name),
            message=cls._shipment_message(shipment, rows))

    @classmethod
    def _document_info(cls, record, **values):
        "The id, number and state of the document on screen, and values"
        return dict({'id': record.id, 'number': record.number,
                'state': _state(record)}, **values)

    @classmethod
    def _row(cls, record, lot='lot'):
        "The product, lot (at key lot), quantity and unit of a line or move"
        return {
            'name': record.product.rec_name,
            lot: _number(record.lot),
            'quantity': record.quantity,
            'unit': record.unit.symbol,
            }

    @classmethod
    def _shipment_message(cls, shipment, rows):
        if shipment.state != 'draft':
            return cls._receive_state(shipment)
        return gettext('production_floor.msg_receive_shipment',
            shipment=shipment.rec_name,
            supplier=shipment.supplier.rec_name, count=len(rows))

    @classmethod
    def _receive_state(cls, shipment):
        "The message of a shipment no longer to receive"
        return gettext('production_floor.msg_receive_state',
            shipment=shipment.rec_name, state=_state(shipment))

    @classmethod
    def _post_receive(cls, values):
        pool = Pool()
        ShipmentIn = pool.get('stock.shipment.in')
        shipment = cls._value(values, 'shipment', 'stock.shipment.in')
        cls.check_receive_draft(shipment)
        ShipmentIn.receive([shipment])
        shipment = ShipmentIn(shipment.id)
        result = cls.shipment_info(shipment)
        return cls._done(result,
            cls._received_message(shipment, len(result['rows'])))

    @classmethod
    def check_receive_draft(cls, shipment):
        if shipment.state != 'draft':
            raise PostingError(cls._receive_state(shipment))

    @classmethod
    def _received_message(cls, shipment, count):
        "The message of the shipment received, with its pending inspections"
        inspections = cls._shipment_inspections(shipment, state='pending')
        return gettext('production_floor.msg_received',
            shipment=shipment.rec_name, count=count,
            location=shipment.warehouse_input.rec_name,
            inspections=_names(inspections))

    @classmethod
    def _shipment_inspections(cls, shipment, state=None, **kwargs):
        "The inspections of shipment (in state)"
        pool = Pool()
        Inspection = pool.get('quality.inspection')
        domain = [('origin', '=', str(shipment))]
        if state:
            domain.append(('state', '=', state))
        return Inspection.search(domain, **kwargs)

    # 质检: decide an inspection per line

    @classmethod
    def _scan_inspect(cls, code, document_id):
        inspection = (cls._find_company('quality.inspection', code)
            or cls._shipment_inspection(code))
        return cls.inspection_info(cls._known(inspection, code))

    @classmethod
    def _shipment_inspection(cls, code):
        "The last inspection of the supplier shipment of code"
        shipment = cls._shipment(code, required=False)
        if shipment:
            inspections = cls._shipment_inspections(
                shipment, order=[('id', 'DESC')], limit=1)
            return inspections[0] if inspections else None

    @classmethod
    def inspection_info(cls, inspection):
        rows = [cls._inspection_row(l) for l in inspection.lines]
        pending = inspection.state == 'pending' and not inspection.decided
        return dict(cls._opened(pending and is_inspector()),
            kind='inspection', rows=rows,
            document=cls._document_info(inspection,
                origin=_name(inspection.origin)),
            points=cls._points(inspection),
            message=gettext(cls._inspection_message(pending),
                inspection=inspection.rec_name, count=len(rows),
                state=_state(inspection)))

    @classmethod
    def _inspection_row(cls, line):
        return dict(cls._row(line), id=line.id,
            accepted=line.accepted_quantity,
            rejected=line.rejected_quantity,
            concession=line.concession_quantity)

    @classmethod
    def _inspection_message(cls, pending):
        "The id of the message of an inspection (pending)"
        if pending and not is_inspector():
            return 'production_floor.msg_inspection_inspector'
        elif pending:
            return 'production_floor.msg_inspection'
        return 'production_floor.msg_inspection_decided'

    @classmethod
    def _points(cls, inspection):
        "The control points to measure, with their tolerances"
        values = inspection.points or {}
        return [{
                'name': p.name, 'string': p.string, 'type': p.type_,
                'lower': p.tolerance_lower, 'upper': p.tolerance_upper,
                'value': values.get(p.name),
                } for p in inspection.control.points]

    @classmethod
    def _point_values(cls, inspection, values):
        "The measured points of values, checked against their types"
        points = values.get('points') or {}
        types = {p.name: p.type_ for p in inspection.control.points}
        cls.check_points(points, types)
        result = dict(inspection.points or {})
        for name, value in points.items():
            result[name] = cls._point_value(name, types[name], value)
        return result

    @classmethod
    def check_points(cls, points, types):
        "Refuse points that are not a dict of the control's points"
        if not isinstance(points, dict) or points.keys() - types.keys():
            raise cls.wrong_value('points', points)

    @classmethod
    def _point_value(cls, name, type_, value):
        "The value of a point of type_, refused when it is not one"
        if type_ == 'boolean':
            return bool(value)
        elif (isinstance(value, (int, float)) and not isinstance(value, bool)
                and math.isfinite(value)):
            return int(value) if type_ == 'integer' else float(value)
        raise cls.wrong_value(name, value)

    @classmethod
    def wrong_value(cls, name, value):
        "The error of a posted value that is not one of name"
        return PostingError(gettext('production_floor.msg_posting_value',
                name=name, value=arguments.show(value)))

    @classmethod
    def _post_inspect(cls, values):
        pool = Pool()
        Inspection = pool.get('quality.inspection')
        inspection = cls._value(values, 'inspection', 'quality.inspection')
        inspection.check_decidable()
        cls._decide_lines(inspection, cls._lines(values))
        cls._write_points(inspection, values)
        Inspection.process([Inspection(inspection.id)])
        return cls._inspected(Inspection(inspection.id))

    @classmethod
    def _inspected(cls, inspection):
        "The answer of the inspection decided"
        return cls._done(cls.inspection_info(inspection), gettext(
                'production_floor.msg_inspected',
                inspection=inspection.rec_name, state=_state(inspection),
                quantities=inspection.quantities or ''))

    @classmethod
    def _write_points(cls, inspection, values):
        "Write the points measured of values, if any"
        Inspection = Pool().get('quality.inspection')
        if values.get('points'):
            Inspection.write([inspection], {
                    'points': cls._point_values(inspection, values)})

    @classmethod
    def _decide_lines(cls, inspection, values):
        "Write the decision of each line of values"
        pool = Pool()
        Line = pool.get('quality.inspection.line')
        lines = {l.id: l for l in inspection.lines}
        to_write = []
        for value in values:
            line = cls._decided_line(lines, value)
            to_write.extend(([line], cls._decision(line, value)))
        if to_write:
            Line.write(*to_write)

    @classmethod
    def _decided_line(cls, lines, value):
        "The line of the inspection that value decides"
        line = lines.get(value.get('id'))
        if line is None:
            raise cls.wrong_value('lines.id', value.get('id'))
        return line

    @classmethod
    def _decision(cls, line, value):
        decision = {name: cls._value(value, name)
            for name in ['accepted', 'rejected', 'concession']}
        cls.check_decision_sum(line, decision)
        values = {'%s_quantity' % k: v for k, v in decision.items()}
        if decision['rejected'] and value.get('reason'):
            values['rejection_reason'] = str(value['reason'])[:200]
        return values

    @classmethod
    def check_decision_sum(cls, line, decision):
        "Refuse a decision whose quantities do not add up to the line's"
        total = sum(decision.values())
        if abs(total - line.quantity) > EPSILON:
            raise PostingError(gettext('production_floor.msg_decision_sum',
                    line=line.rec_name, total=_qty(line.unit, total),
                    quantity=_qty(line.unit, line.quantity),
                    unit=line.unit.symbol, **{k: _qty(line.unit, v)
                        for k, v in decision.items()}))

    # 完工汇报: report output of a running order

    @classmethod
    def _scan_output(cls, code, document_id):
        return cls.output_info(cls._scanned_production(code))

    @classmethod
    def output_info(cls, production):
        return dict(cls._opened(production.state == 'running'),
            kind='production',
            document=cls._output_document(production),
            rows=cls._draft_reports(production),
            message=cls._output_message(production))

    @classmethod
    def _output_left(cls, production):
        "What the order still has to report"
        reported = production.reported_quantity or 0
        return max((production.quantity or 0) - reported, 0)

    @classmethod
    def _output_document(cls, production):
        info = cls._production_info(production)
        info.update(reported=production.reported_quantity or 0,
            left=production.unit.round(cls._output_left(production)),
            lot_required=cls._output_lot_required(production))
        return info

    @classmethod
    def _output_lot_required(cls, production):
        "Whether the order's output into the warehouse needs a lot"
        product = production.product
        return bool(product and product.lot_is_required(
                production.location, production.warehouse.storage_location))

    @classmethod
    def _output_message(cls, production):
        unit = production.unit
        return gettext(
            'production_floor.msg_output_order'
            if production.state == 'running'
            else 'production_floor.msg_output_state',
            production=production.rec_name,
            state=production.state_label,
            reported=_qty(unit, production.reported_quantity or 0),
            quantity=_qty(unit, production.quantity or 0),
            left=_qty(unit, cls._output_left(production)), unit=unit.symbol)

    @classmethod
    def _draft_reports(cls, production):
        "The order's reports waiting for their inspection (or decided)"
        pool = Pool()
        Report = pool.get('production.output.report')
        reports = Report.search([
                ('production', '=', production.id),
                ('state', '=', 'draft'),
                ], order=[('id', 'ASC')])
        return [cls._report_row(r) for r in reports]

    @classmethod
    def _report_row(cls, report):
        return {
            'id': report.id, 'number': report.number,
            'quantity': report.quantity, 'unit': report.unit.symbol,
            'inspections': ', '.join(
                i.rec_name for i in report.quality_inspections),
            'decided': not report.quality_inspections_pending(),
            }

    @classmethod
    def _post_output(cls, values):
        """A new output report done, or (with values['report']) a draft
        report whose inspection is decided"""
        pool = Pool()
        Report = pool.get('production.output.report')
        report = cls._output_report(values)
        cls.check_output_running(report.production)
        Report.save([report])
        waiting = cls._report_done(report)
        return cls._reported(Report(report.id), waiting)

    @classmethod
    def _reported(cls, report, waiting):
        "The answer of the report posted: its order as it is now"
        pool = Pool()
        Production = pool.get('production')
        production = Production(report.production.id)
        result = cls._done(cls.output_info(production),
            cls._reported_message(report, waiting))
        result['posted'] = cls._posted(report)
        return result

    @classmethod
    def _output_report(cls, values):
        "The report of values: a draft one or a new one"
        if values.get('report') is not None:
            return cls._value(values, 'report', 'production.output.report')
        return cls._new_report(values)

    @classmethod
    def check_output_running(cls, production):
        if production.state != 'running':
            raise PostingError(cls._output_message(production))

    @classmethod
    def _reported_message(cls, report, waiting):
        unit = report.unit
        return gettext(
            'production_floor.msg_report_inspection' if waiting
            else 'production_floor.msg_reported',
            report=report.rec_name, production=report.production.rec_name,
            quantity=_qty(unit, report.quantity), unit=unit.symbol,
            inspections=', '.join(waiting))

    @classmethod
    def _new_report(cls, values):
        pool = Pool()
        Report = pool.get('production.output.report')
        production = cls._value(values, 'production', 'production')
        quantity = cls._value(values, 'quantity')
        cls.check_output_running(production)
        return Report(production=production, company=production.company,
            quantity=quantity, unit=production.unit,
            lots=cls._report_lots(production, quantity, values))

    @classmethod
    def _report_lots(cls, production, quantity, values):
        "The lot of the report when values name one"
        pool = Pool()
        ReportLot = pool.get('production.output.report.lot')
        lot_number = cls._text(values, 'lot')
        if not lot_number:
            return []
        return [ReportLot(quantity=quantity,
                lot=cls._output_lot(production, lot_number))]

    @classmethod
    def _text(cls, values, name):
        "The text of values at name, stripped ('' when not a text)"
        value = values.get(name)
        return value.strip() if isinstance(value, str) else ''

    @classmethod
    def _output_lot(cls, production, number):
        pool = Pool()
        Lot = pool.get('stock.lot')
        lots = Lot.search([
                ('number', '=', number),
                ('product', '=', production.product.id),
                ], limit=1)
        if lots:
            return lots[0]
        lot = Lot(number=number, product=production.product)
        lot.save()
        return lot

    @classmethod
    def _report_done(cls, report):
        """Do the report; at a quality gate, create its inspection (as
        the desk's inspect wizard does) and return their numbers"""
        pool = Pool()
        Report = pool.get('production.output.report')
        try:
            Report.done([report])
        except ButtonActionException:
            return cls._report_inspections(report)
        return []

    @classmethod
    def _report_inspections(cls, report):
        "Create the inspections of the report and return their numbers"
        pool = Pool()
        Control = pool.get('quality.control')
        Inspection = pool.get('quality.inspection')
        Report = pool.get('production.output.report')
        Inspection.save(Control.get_inspections([report], 'do'))
        pending = Report(report.id).quality_inspections_pending()
        return [i.rec_name for i in pending] or ['-']

    # 生产退料: return material of an order; the manager approves

    @classmethod
    def _scan_return(cls, code, document_id):
        material_return = cls._find_company(
            'production.material.return', code)
        if material_return:
            return cls.return_info(material_return)
        production = cls._production(code)
        if production:
            return cls.return_order(production)
        return cls._scan_return_line(code, document_id)

    @classmethod
    def _scan_return_line(cls, code, document_id):
        "The line of a product or lot scanned for the order on screen"
        production = cls._document('production', document_id, code)
        product, lot = cls._product_lot(code, products=[
                p for p, _ in cls._issued(production)])
        return cls.return_line(production, product, lot)

    @classmethod
    def _issued(cls, production):
        "{(product, lot): quantity} issued to the order (done inputs)"
        issued = defaultdict(float)
        for move in production.inputs:
            if move.state == 'done':
                issued[move.product, move.lot] += move.internal_quantity
        return issued

    @classmethod
    def return_order(cls, production):
        cls.check_return_state(production)
        rows = cls._return_rows(production)
        return cls._production_answer(production, rows,
            gettext('production_floor.msg_return_order',
                production=production.rec_name, count=len(rows)))

    @classmethod
    def _return_rows(cls, production):
        "A row of each product and lot issued to the order, by name"
        issued = sorted(cls._issued(production).items(), key=cls._issued_key)
        return [cls._product_values(p, l, q, key='issued')
            for (p, l), q in issued]

    @staticmethod
    def _issued_key(item):
        (product, lot), _ = item
        return product.rec_name, lot.id if lot else 0

    @classmethod
    def check_return_state(cls, production):
        if production.state not in {'running', 'done'}:
            raise ScanError(gettext('production_floor.msg_return_state',
                    production=production.rec_name,
                    state=production.state_label))

    @classmethod
    def return_line(cls, production, product, lot):
        quantity = sum(q for (p, l), q in cls._issued(production).items()
            if p == product and (lot is None or l == lot))
        cls.check_return_issued(production, product, lot, quantity)
        unit = _unit(product)
        return cls._line_answer(cls._product_values(product, lot, quantity),
            gettext('production_floor.msg_return_line',
                product=product.rec_name, lot=lot.number if lot else '-',
                production=production.rec_name,
                quantity=_qty(unit, quantity), unit=unit.symbol))

    @classmethod
    def check_return_issued(cls, production, product, lot, quantity):
        "Refuse to return a product (lot) the order was not issued"
        if quantity <= EPSILON:
            raise ScanError(gettext('production_floor.msg_return_not_issued',
                    product=product.rec_name, lot=lot.number if lot else '-',
                    production=production.rec_name))

    @classmethod
    def return_info(cls, material_return):
        return dict(cls._opened(material_return.state == 'submitted'),
            kind='material_return',
            document=cls._document_info(material_return,
                production=material_return.production.rec_name),
            rows=[cls._row(l, lot='lot_number')
                for l in material_return.lines],
            message=gettext('production_floor.msg_return_document',
                material_return=material_return.rec_name,
                state=_state(material_return)))

    @classmethod
    def _post_return(cls, values):
        "Approve the return of values, or submit a new one"
        if values.get('material_return') is not None:
            return cls._approve_return(cls._value(values, 'material_return',
                    'production.material.return'))
        return cls._submit_return(cls._return(values))

    @classmethod
    def _approve_return(cls, material_return):
        pool = Pool()
        Return = pool.get('production.material.return')
        Return.approve([material_return])
        return cls._done(cls.return_info(Return(material_return.id)))

    @classmethod
    def _submit_return(cls, material_return):
        pool = Pool()
        Return = pool.get('production.material.return')
        Return.save([material_return])
        Return.submit([material_return])
        material_return = Return(material_return.id)
        result = cls._done(cls.return_info(material_return))
        result['posted'] = cls._posted(material_return)
        return result

    @classmethod
    def _return(cls, values):
        pool = Pool()
        Return = pool.get('production.material.return')
        production = cls._value(values, 'production', 'production')
        return Return(company=production.company, production=production,
            warehouse=production.warehouse,
            to_location=production.picking_location,
            reason=cls._return_reason(values),
            lines=[cls._return_line(v) for v in cls._lines(values)])

    @classmethod
    def _return_reason(cls, values):
        "The reason of values, or the first reason"
        reason = cls._value(values, 'reason',
            'production.material.return.reason', required=False)
        return reason if reason is not None else cls._first_reason()

    @classmethod
    def _first_reason(cls):
        "The first return reason, refused when there is none"
        pool = Pool()
        Reason = pool.get('production.material.return.reason')
        reasons = Reason.search([], limit=1)
        if not reasons:
            raise PostingError(gettext(
                    'production_floor.msg_return_no_reason'))
        return reasons[0]

    @classmethod
    def _return_line(cls, value):
        pool = Pool()
        Line = pool.get('production.material.return.line')
        product, lot, quantity = cls._line_values(value)
        return Line(product=product, lot=lot, quantity=quantity,
            unit=_unit(product))


class Posting(ModelSQL):
    "Shop Floor Posting"
    __name__ = 'production.floor.posting'
    client_id = fields.Char("Client ID", required=True, readonly=True,
        help="The id the phone made for the posting: a retry with the "
        "same id answers the first result.")
    task = fields.Char("Task", required=True, readonly=True)
    user = fields.Many2One('res.user', "User", readonly=True)
    result = fields.Text("Result", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('client_id_unique', Unique(t, t.client_id),
                'production_floor.msg_posting_unique'),
            ]

    @classmethod
    def check_client_id(cls, client_id):
        if (not isinstance(client_id, str)
                or not 8 <= len(client_id) <= 64):
            raise PostingError(gettext('production_floor.msg_client_id',
                    value=arguments.show(client_id)))
        return client_id

    @classmethod
    def answer(cls, client_id):
        "The stored result of the posting with client_id, if any"
        postings = cls.search([('client_id', '=', client_id)], limit=1)
        if not postings:
            return None
        posting, = postings
        posting.check_user()
        result = json.loads(posting.result or '{}')
        result['repeated'] = True
        return result

    def check_user(self):
        "Refuse the posting of another user"
        if self.user and self.user.id != Transaction().user:
            raise PostingError(gettext('production_floor.msg_posting_user',
                    client_id=self.client_id))

    @classmethod
    def start(cls, client_id, task):
        """Insert the posting first: a concurrent posting with the same id
        waits on the unique index and fails"""
        with without_check_access():
            posting, = cls.create([{
                        'client_id': client_id, 'task': task,
                        'user': Transaction().user or None,
                        }])
        return posting

    def finish(self, result):
        with without_check_access():
            self.write([self], {'result': json.dumps(result, default=str)})

