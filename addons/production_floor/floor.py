# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The shop floor (扫码作业): one scan answered in one round trip, each
posting done once by the desk's own server methods"""
import json
import math
from collections import defaultdict

from trytond.i18n import gettext
from trytond.model import Model, ModelSQL, Unique, fields
from trytond.modules.production_picking.production import EPSILON
from trytond.modules.quality_gate.quality import is_inspector
from trytond.modules.stock_quarantine import arguments
from trytond.modules.stock_quarantine.numbers import format_quantity
from trytond.pool import Pool
from trytond.rpc import RPC
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


class Floor(Model):
    "Shop Floor"
    __name__ = 'production.floor'

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
        code = (code or '').strip() if isinstance(code, str) else ''
        if not code:
            raise ScanError(gettext('production_floor.msg_code_empty'))
        if document_id is not None:
            document_id = arguments.record_id('document_id', document_id)
        result = getattr(cls, '_scan_%s' % task)(code, document_id)
        result.setdefault('ok', True)
        result['task'] = task
        return result

    @classmethod
    def post(cls, task, client_id, values):
        """Post values for task once per client_id: a second call with the
        same client id answers the first result and writes nothing"""
        pool = Pool()
        Posting = pool.get('production.floor.posting')
        cls.check_task(task)
        client_id = Posting.check_client_id(client_id)
        if not isinstance(values, dict):
            raise PostingError(gettext('production_floor.msg_posting_value',
                    name='values', value=arguments.show(values)))
        done = Posting.answer(client_id)
        if done is not None:
            return done
        posting = Posting.start(client_id, task)
        result = getattr(cls, '_post_%s' % task)(values)
        result.setdefault('ok', True)
        result['task'] = task
        result['client_id'] = client_id
        posting.finish(result)
        return result

    @classmethod
    def check_task(cls, task):
        if task not in TASKS:
            raise ScanError(gettext('production_floor.msg_task_unknown',
                    task=arguments.show(task), tasks=', '.join(TASKS)))

    # Codes

    @classmethod
    def _company(cls):
        return arguments.context_company()

    @classmethod
    def _find(cls, model, code, field='number', domain=None):
        "The record of model whose field is code, in the user's company"
        Model_ = Pool().get(model)
        records = Model_.search([(field, '=', code)] + (domain or []),
            limit=1, order=[('id', 'DESC')])
        return records[0] if records else None

    @classmethod
    def _production(cls, code):
        return cls._find('production', code,
            domain=[('company', '=', cls._company())])

    @classmethod
    def _lots(cls, code):
        "The lots numbered code (a number may serve several products)"
        pool = Pool()
        Lot = pool.get('stock.lot')
        return Lot.search([('number', '=', code)], order=[('id', 'ASC')])

    @classmethod
    def _product(cls, code):
        pool = Pool()
        Product = pool.get('product.product')
        products = Product.search(['OR',
                ('code', '=', code),
                ('identifiers.code', '=', code),
                ], limit=1)
        return products[0] if products else None

    @classmethod
    def _product_lot(cls, code, products=None):
        """(product, lot) of a lot number or of a product code: the lot of
        one of products first, as the desk's scan of a slip does"""
        lots = cls._lots(code)
        for lot in lots:
            if products is None or lot.product in products:
                return lot.product, lot
        if lots:
            return lots[0].product, lots[0]
        product = cls._product(code)
        if product:
            return product, None
        raise ScanError(gettext('production_floor.msg_code_unknown',
                code=code))

    @classmethod
    def _document(cls, model, document_id, code):
        "The record on screen, of the user's company"
        if document_id is None:
            raise ScanError(gettext('production_floor.msg_document_first',
                    code=code))
        record, = arguments.records(model, 'document_id', [document_id])
        arguments.check_companies([record], 'document_id')
        return record

    @classmethod
    def _value(cls, values, name, model=None, required=True):
        value = values.get(name)
        if value is None and not required:
            return None
        if model:
            record, = arguments.records(model, name, [value])
            if 'company' in record._fields:
                arguments.check_companies([record], name)
            return record
        return arguments.quantity(name, value)

    @classmethod
    def _lines(cls, values):
        lines = values.get('lines')
        if not isinstance(lines, list) or not lines or not all(
                isinstance(l, dict) for l in lines):
            raise PostingError(gettext('production_floor.msg_posting_value',
                    name='lines', value=arguments.show(lines)))
        return lines

    # 领料: pick for an order

    @classmethod
    def _scan_pick(cls, code, document_id):
        pool = Pool()
        Picking = pool.get('production.picking')
        production = cls._production(code)
        if production:
            cls.check_pick_order(production)
            return cls.pick_order(production)
        production = cls._document('production', document_id, code)
        cls.check_pick_order(production)
        remaining = Picking.remaining([production])
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
        picking.on_scan_code(production.number)

    @classmethod
    def pick_order(cls, production):
        pool = Pool()
        Picking = pool.get('production.picking')
        remaining = Picking.remaining([production])
        stock = cls._pick_stock(production, [p for _, p in remaining])
        rows = [cls._pick_row(production, product, quantity, stock)
            for (_, product), quantity in remaining.items()]
        return {
            'kind': 'production',
            'document': cls._production_info(production),
            'rows': rows,
            'message': gettext('production_floor.msg_pick_order',
                production=production.rec_name, count=len(rows)),
            }

    @classmethod
    def _production_info(cls, production):
        return {
            'id': production.id,
            'number': production.number,
            'product': production.product.rec_name
            if production.product else '',
            'quantity': production.quantity,
            'unit': production.unit.symbol if production.unit else '',
            'state': production.state_label,
            'location': production.picking_location.rec_name
            if production.picking_location else '',
            }

    @classmethod
    def _pick_stock(cls, production, products):
        "{(product id, lot id): quantity} at the order's picking location"
        pool = Pool()
        Production = pool.get('production')
        location = production.picking_location
        if not products or not location:
            return {}
        keys = [(location, p, None) for p in products]
        stock = Production.issue_stock(keys)
        return {(p, l): q for (_, p, l), q in stock.items()
            if q > EPSILON}

    @classmethod
    def _pick_row(cls, production, product, quantity, stock):
        unit = _unit(product)
        lots = cls._lot_rows(product, stock)
        return {
            'product': product.id,
            'name': product.rec_name,
            'code': product.code or '',
            'remaining': unit.round(quantity),
            'available': unit.round(sum(l['quantity'] for l in lots)),
            'unit': unit.symbol,
            'digits': unit.digits,
            'lot_required': bool(product.lot_is_required(
                    production.picking_location,
                    production.location)),
            'lots': lots,
            }

    @classmethod
    def _lot_rows(cls, product, stock):
        pool = Pool()
        Lot = pool.get('stock.lot')
        unit = _unit(product)
        keys = [(l, q) for (p, l), q in stock.items() if p == product.id]
        lots = {l.id: l for l in Lot.browse([l for l, _ in keys if l])}
        rows = []
        for lot_id, quantity in sorted(keys, key=lambda k: k[0] or 0):
            lot = lots.get(lot_id)
            rows.append({
                    'lot': lot_id,
                    'number': lot.number if lot else '',
                    'quantity': unit.round(quantity),
                    'status': lot.quality_status_string if lot else '',
                    'released': (lot is None
                        or lot.quality_status == 'released'),
                    })
        return rows

    @classmethod
    def pick_line(cls, production, product, lot, remaining):
        """The line of a scanned product or lot for the order on screen,
        remaining: what the order still plans to pick (Picking.remaining)"""
        quantity = remaining.get((production, product), 0)
        if quantity <= EPSILON:
            raise ScanError(gettext('production_floor.msg_pick_not_needed',
                    product=product.rec_name,
                    production=production.rec_name,
                    products=', '.join(p.rec_name for _, p in remaining)
                    or '-'))
        cls.check_pick_lot(production, product, lot)
        stock = cls._pick_stock(production, [product])
        available = stock.get((product.id, lot.id if lot else None), 0)
        if lot is None:
            available = sum(q for (p, _), q in stock.items()
                if p == product.id)
        unit = _unit(product)
        if available <= EPSILON:
            raise ScanError(gettext('production_floor.msg_pick_no_stock',
                    product=product.rec_name,
                    lot=lot.number if lot else '-',
                    location=production.picking_location.rec_name))
        line = {
            'product': product.id,
            'name': product.rec_name,
            'lot': lot.id if lot else None,
            'lot_number': lot.number if lot else '',
            'remaining': unit.round(quantity),
            'available': unit.round(available),
            'unit': unit.symbol,
            'digits': unit.digits,
            }
        return {
            'kind': 'line',
            'line': line,
            'message': gettext('production_floor.msg_pick_line',
                product=product.rec_name,
                lot=lot.number if lot else '-',
                remaining=_qty(unit, quantity),
                available=_qty(unit, available),
                unit=unit.symbol),
            }

    @classmethod
    def check_pick_lot(cls, production, product, lot):
        if lot is None and product.lot_is_required(
                production.picking_location, production.location):
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
        picking = Picking(kind='normal', company=production.company,
            warehouse=production.warehouse, productions=[production],
            comment=gettext('production_floor.msg_pick_comment'))
        picking.lines = cls._pick_lines(production, cls._lines(values))
        Picking.save([picking])
        Picking.done([picking])
        picking = Picking(picking.id)
        result = cls.pick_order(production)
        result['message'] = gettext('production_floor.msg_picked',
            picking=picking.rec_name, production=production.rec_name,
            lines='; '.join('%s %s %s' % (
                        l.product.rec_name, _qty(l.unit, l.quantity),
                        l.unit.symbol) for l in picking.lines))
        result['posted'] = {'model': 'production.picking',
            'id': picking.id, 'number': picking.number,
            'state': picking.state}
        return result

    @classmethod
    def _pick_lines(cls, production, lines):
        pool = Pool()
        Line = pool.get('production.picking.line')
        Picking = pool.get('production.picking')
        remaining = Picking.remaining([production])
        asked = defaultdict(float)
        result = []
        for values in lines:
            product = cls._value(values, 'product', 'product.product')
            lot = cls._value(values, 'lot', 'stock.lot', required=False)
            quantity = cls._value(values, 'quantity')
            cls.check_pick_lot(production, product, lot)
            asked[product] += quantity
            left = remaining.get((production, product), 0)
            if asked[product] > left + EPSILON:
                unit = _unit(product)
                raise PostingError(gettext(
                        'production_floor.msg_pick_above',
                        quantity=_qty(unit, asked[product]),
                        remaining=_qty(unit, left), unit=unit.symbol,
                        product=product.rec_name,
                        production=production.rec_name))
            result.append(Line(production=production, product=product,
                    lot=lot, quantity=quantity, unit=_unit(product)))
        return result

    # 查库存: stock of a product, lot or location

    @classmethod
    def _scan_stock(cls, code, document_id):
        location = cls._find('stock.location', code, field='code',
            domain=[('type', 'in', ['storage', 'warehouse'])])
        if location:
            rows = cls.stock_rows(locations=[location])
            title = location.rec_name
        elif cls._lots(code):
            lots = cls._lots(code)
            rows = cls.stock_rows(products=[l.product for l in lots],
                lots=lots)
            title = code
        else:
            product, _ = cls._product_lot(code)
            rows = cls.stock_rows(products=[product])
            title = product.rec_name
        free = defaultdict(float)
        for row in rows:
            free[row['unit']] += row['free']
        return {
            'kind': 'stock',
            'document': {'title': title},
            'rows': rows,
            'message': gettext('production_floor.msg_stock',
                what=title, count=len(rows),
                free=', '.join('%s %s' % (_qty(None, q), u)
                    for u, q in free.items()) or '0'),
            }

    @classmethod
    def stock_rows(cls, products=None, lots=None, locations=None):
        """Rows of stock per storage location and lot: on hand, reserved
        (assigned moves), free, the lot's quality status"""
        pool = Pool()
        Date = pool.get('ir.date')
        Location = pool.get('stock.location')
        Product = pool.get('product.product')
        if locations:
            location_ids = [l.id for l in Location.search([
                        ('parent', 'child_of', [l.id for l in locations]),
                        ('type', '=', 'storage'),
                        ])]
        else:
            location_ids = [l.id for l in Location.search([
                        ('type', '=', 'storage'),
                        ])]
        filter_ = (([p.id for p in products],) if products else None)
        quantities = {}
        for assign in [False, True]:
            with Transaction().set_context(stock_date_end=Date.today(),
                    forecast=False, stock_assign=assign):
                quantities[assign] = Product.products_by_location(
                    location_ids, with_childs=False,
                    grouping=('product', 'lot'), grouping_filter=filter_)
        return cls._stock_rows(quantities, lots)

    @classmethod
    def _stock_rows(cls, quantities, lots):
        pool = Pool()
        Location = pool.get('stock.location')
        Lot = pool.get('stock.lot')
        Product = pool.get('product.product')
        lot_ids = {l.id for l in lots} if lots is not None else None
        keys = sorted(k for k in set(quantities[False]) | set(
                quantities[True])
            if (lot_ids is None or k[2] in lot_ids)
            and any(abs(q.get(k, 0)) > EPSILON for q in quantities.values())
            )[:STOCK_ROWS]

        def browse(Model_, index):
            ids = sorted({k[index] for k in keys if k[index]})
            return {r.id: r for r in Model_.browse(ids)}
        locations, products = browse(Location, 0), browse(Product, 1)
        numbered = browse(Lot, 2)
        return [cls._stock_row(locations[k[0]], products[k[1]],
                numbered.get(k[2]), quantities[False].get(k, 0),
                quantities[True].get(k, 0)) for k in keys]

    @classmethod
    def _stock_row(cls, location, product, lot, on_hand, free):
        unit = _unit(product)
        return {
            'location': location.rec_name,
            'quarantine': bool(location.quarantine),
            'product': product.rec_name,
            'lot': lot.number if lot else '',
            'status': lot.quality_status_string if lot else '',
            'released': lot is None or lot.quality_status == 'released',
            'quantity': unit.round(on_hand),
            'reserved': unit.round(max(on_hand - free, 0)),
            'free': unit.round(free if not location.quarantine else 0),
            'unit': unit.symbol,
            }

    # 收料: receive a supplier shipment into the inspection area

    @classmethod
    def _scan_receive(cls, code, document_id):
        shipment = cls._shipment(code)
        return cls.shipment_info(shipment)

    @classmethod
    def _shipment(cls, code, required=True):
        "The supplier shipment of a number or of a delivery note"
        domain = [('company', '=', cls._company())]
        shipment = (cls._find('stock.shipment.in', code, domain=domain)
            or cls._find('stock.shipment.in', code, field='reference',
                domain=domain))
        if not shipment and required:
            raise ScanError(gettext('production_floor.msg_code_unknown',
                    code=code))
        return shipment

    @classmethod
    def shipment_info(cls, shipment):
        rows = [{
                'name': m.product.rec_name,
                'lot': m.lot.number if m.lot else '',
                'quantity': m.quantity,
                'unit': m.unit.symbol,
                } for m in shipment.incoming_moves]
        if shipment.state != 'draft':
            message = gettext('production_floor.msg_receive_state',
                shipment=shipment.rec_name,
                state=_state(shipment))
        else:
            message = gettext('production_floor.msg_receive_shipment',
                shipment=shipment.rec_name,
                supplier=shipment.supplier.rec_name, count=len(rows))
        return {
            'kind': 'shipment',
            'ok': shipment.state == 'draft',
            'open': shipment.state == 'draft',
            'document': {'id': shipment.id, 'number': shipment.rec_name,
                'state': _state(shipment),
                'supplier': shipment.supplier.rec_name},
            'rows': rows,
            'message': message,
            }

    @classmethod
    def _post_receive(cls, values):
        pool = Pool()
        Inspection = pool.get('quality.inspection')
        ShipmentIn = pool.get('stock.shipment.in')
        shipment = cls._value(values, 'shipment', 'stock.shipment.in')
        if shipment.state != 'draft':
            raise PostingError(gettext('production_floor.msg_receive_state',
                    shipment=shipment.rec_name,
                    state=_state(shipment)))
        ShipmentIn.receive([shipment])
        shipment = ShipmentIn(shipment.id)
        inspections = Inspection.search([
                ('origin', '=', str(shipment)),
                ('state', '=', 'pending'),
                ])
        result = cls.shipment_info(shipment)
        result['ok'] = True
        result['message'] = gettext('production_floor.msg_received',
            shipment=shipment.rec_name, count=len(result['rows']),
            location=shipment.warehouse_input.rec_name,
            inspections=', '.join(i.rec_name for i in inspections) or '-')
        return result

    # 质检: decide an inspection per line

    @classmethod
    def _scan_inspect(cls, code, document_id):
        pool = Pool()
        Inspection = pool.get('quality.inspection')
        inspection = cls._find('quality.inspection', code,
            domain=[('company', '=', cls._company())])
        if not inspection:
            shipment = cls._shipment(code, required=False)
            if shipment:
                inspections = Inspection.search([
                        ('origin', '=', str(shipment)),
                        ], order=[('id', 'DESC')], limit=1)
                inspection = inspections[0] if inspections else None
        if not inspection:
            raise ScanError(gettext('production_floor.msg_code_unknown',
                    code=code))
        return cls.inspection_info(inspection)

    @classmethod
    def inspection_info(cls, inspection):
        rows = [{
                'id': l.id,
                'name': l.product.rec_name,
                'lot': l.lot.number if l.lot else '',
                'quantity': l.quantity,
                'accepted': l.accepted_quantity,
                'rejected': l.rejected_quantity,
                'concession': l.concession_quantity,
                'unit': l.unit.symbol,
                } for l in inspection.lines]
        pending = inspection.state == 'pending' and not inspection.decided
        if pending and not is_inspector():
            message = 'production_floor.msg_inspection_inspector'
        elif pending:
            message = 'production_floor.msg_inspection'
        else:
            message = 'production_floor.msg_inspection_decided'
        open_ = pending and is_inspector()
        return {
            'kind': 'inspection',
            'ok': open_,
            'open': open_,
            'document': {'id': inspection.id, 'number': inspection.number,
                'state': _state(inspection),
                'origin': inspection.origin.rec_name
                if inspection.origin else ''},
            'rows': rows,
            'points': cls._points(inspection),
            'message': gettext(message,
                inspection=inspection.rec_name, count=len(rows),
                state=_state(inspection)),
            }

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
        if not isinstance(points, dict) or points.keys() - types.keys():
            raise PostingError(gettext('production_floor.msg_posting_value',
                    name='points', value=arguments.show(points)))
        result = dict(inspection.points or {})
        for name, value in points.items():
            if types[name] == 'boolean':
                result[name] = bool(value)
            elif (isinstance(value, (int, float))
                    and not isinstance(value, bool)
                    and math.isfinite(value)):
                result[name] = (int(value) if types[name] == 'integer'
                    else float(value))
            else:
                raise PostingError(gettext(
                        'production_floor.msg_posting_value',
                        name=name, value=arguments.show(value)))
        return result

    @classmethod
    def _post_inspect(cls, values):
        pool = Pool()
        Inspection = pool.get('quality.inspection')
        Line = pool.get('quality.inspection.line')
        inspection = cls._value(values, 'inspection', 'quality.inspection')
        inspection.check_decidable()
        lines = {l.id: l for l in inspection.lines}
        to_write = []
        for value in cls._lines(values):
            line = lines.get(value.get('id'))
            if line is None:
                raise PostingError(gettext(
                        'production_floor.msg_posting_value',
                        name='lines.id', value=arguments.show(
                            value.get('id'))))
            decision = cls._decision(line, value)
            to_write.extend(([line], decision))
        if to_write:
            Line.write(*to_write)
        if values.get('points'):
            Inspection.write([inspection], {
                    'points': cls._point_values(inspection, values)})
        Inspection.process([Inspection(inspection.id)])
        inspection = Inspection(inspection.id)
        result = cls.inspection_info(inspection)
        result['ok'] = True
        result['message'] = gettext('production_floor.msg_inspected',
            inspection=inspection.rec_name, state=_state(inspection),
            quantities=inspection.quantities or '')
        return result

    @classmethod
    def _decision(cls, line, value):
        decision = {name: cls._value(value, name)
            for name in ['accepted', 'rejected', 'concession']}
        total = sum(decision.values())
        if abs(total - line.quantity) > EPSILON:
            raise PostingError(gettext('production_floor.msg_decision_sum',
                    line=line.rec_name, total=_qty(line.unit, total),
                    quantity=_qty(line.unit, line.quantity),
                    unit=line.unit.symbol, **{k: _qty(line.unit, v)
                        for k, v in decision.items()}))
        values = {'%s_quantity' % k: v for k, v in decision.items()}
        if decision['rejected'] and value.get('reason'):
            values['rejection_reason'] = str(value['reason'])[:200]
        return values

    # 完工汇报: report output of a running order

    @classmethod
    def _scan_output(cls, code, document_id):
        production = cls._production(code)
        if not production:
            raise ScanError(gettext('production_floor.msg_code_unknown',
                    code=code))
        return cls.output_info(production)

    @classmethod
    def output_info(cls, production):
        unit = production.unit
        reported = production.reported_quantity or 0
        left = max((production.quantity or 0) - reported, 0)
        running = production.state == 'running'
        info = cls._production_info(production)
        info.update(reported=reported, left=unit.round(left),
            lot_required=bool(production.product.lot_is_required(
                    production.location, production.warehouse.storage_location)
                if production.product else False))
        return {
            'kind': 'production',
            'ok': running,
            'open': running,
            'document': info,
            'rows': cls._draft_reports(production),
            'message': gettext(
                'production_floor.msg_output_order' if running
                else 'production_floor.msg_output_state',
                production=production.rec_name,
                state=production.state_label,
                reported=_qty(unit, reported),
                quantity=_qty(unit, production.quantity or 0),
                left=_qty(unit, left), unit=unit.symbol),
            }

    @classmethod
    def _draft_reports(cls, production):
        "The order's reports waiting for their inspection (or decided)"
        pool = Pool()
        Report = pool.get('production.output.report')
        reports = Report.search([
                ('production', '=', production.id),
                ('state', '=', 'draft'),
                ], order=[('id', 'ASC')])
        return [{
                'id': r.id, 'number': r.number, 'quantity': r.quantity,
                'unit': r.unit.symbol,
                'inspections': ', '.join(
                    i.rec_name for i in r.quality_inspections),
                'decided': not r.quality_inspections_pending(),
                } for r in reports]

    @classmethod
    def _post_output(cls, values):
        """A new output report done, or (with values['report']) a draft
        report whose inspection is decided"""
        pool = Pool()
        Report = pool.get('production.output.report')
        if values.get('report') is not None:
            report = cls._value(values, 'report', 'production.output.report')
        else:
            report = cls._new_report(values)
        production = report.production
        if production.state != 'running':
            raise PostingError(cls.output_info(production)['message'])
        Report.save([report])
        waiting = cls._report_done(report)
        report = Report(report.id)
        result = cls.output_info(Pool().get('production')(production.id))
        result['ok'] = True
        unit = report.unit
        result['message'] = gettext(
            'production_floor.msg_report_inspection' if waiting
            else 'production_floor.msg_reported',
            report=report.rec_name, production=production.rec_name,
            quantity=_qty(unit, report.quantity), unit=unit.symbol,
            inspections=', '.join(waiting))
        result['posted'] = {'model': report.__name__, 'id': report.id,
            'number': report.number, 'state': report.state}
        return result

    @classmethod
    def _new_report(cls, values):
        pool = Pool()
        Report = pool.get('production.output.report')
        ReportLot = pool.get('production.output.report.lot')
        production = cls._value(values, 'production', 'production')
        quantity = cls._value(values, 'quantity')
        if production.state != 'running':
            raise PostingError(cls.output_info(production)['message'])
        report = Report(production=production, company=production.company,
            quantity=quantity, unit=production.unit)
        lot_number = (values.get('lot') or '').strip() if isinstance(
            values.get('lot'), str) else ''
        if lot_number:
            report.lots = [ReportLot(quantity=quantity,
                    lot=cls._output_lot(production, lot_number))]
        return report

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
        Control = pool.get('quality.control')
        Inspection = pool.get('quality.inspection')
        Report = pool.get('production.output.report')
        from trytond.model.exceptions import ButtonActionException
        try:
            Report.done([report])
        except ButtonActionException:
            inspections = Control.get_inspections([report], 'do')
            Inspection.save(inspections)
            pending = Report(report.id).quality_inspections_pending()
            return [i.rec_name for i in pending] or ['-']
        return []

    # 生产退料: return material of an order; the manager approves

    @classmethod
    def _scan_return(cls, code, document_id):
        material_return = cls._find('production.material.return', code,
            domain=[('company', '=', cls._company())])
        if material_return:
            return cls.return_info(material_return)
        production = cls._production(code)
        if production:
            return cls.return_order(production)
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
        if production.state not in {'running', 'done'}:
            raise ScanError(gettext('production_floor.msg_return_state',
                    production=production.rec_name,
                    state=production.state_label))
        rows = [{
                'product': p.id, 'name': p.rec_name, 'code': p.code or '',
                'lot': l.id if l else None,
                'lot_number': l.number if l else '',
                'issued': _unit(p).round(q), 'unit': _unit(p).symbol,
                'digits': _unit(p).digits,
                } for (p, l), q in sorted(cls._issued(production).items(),
                key=lambda i: (i[0][0].rec_name, i[0][1].id if i[0][1]
                    else 0))]
        return {
            'kind': 'production',
            'document': cls._production_info(production),
            'rows': rows,
            'message': gettext('production_floor.msg_return_order',
                production=production.rec_name, count=len(rows)),
            }

    @classmethod
    def return_line(cls, production, product, lot):
        issued = cls._issued(production)
        quantity = sum(q for (p, l), q in issued.items()
            if p == product and (lot is None or l == lot))
        unit = _unit(product)
        if quantity <= EPSILON:
            raise ScanError(gettext('production_floor.msg_return_not_issued',
                    product=product.rec_name, lot=lot.number if lot else '-',
                    production=production.rec_name))
        return {
            'kind': 'line',
            'line': {'product': product.id, 'name': product.rec_name,
                'lot': lot.id if lot else None,
                'lot_number': lot.number if lot else '',
                'remaining': unit.round(quantity), 'unit': unit.symbol,
                'digits': unit.digits},
            'message': gettext('production_floor.msg_return_line',
                product=product.rec_name, lot=lot.number if lot else '-',
                production=production.rec_name,
                quantity=_qty(unit, quantity), unit=unit.symbol),
            }

    @classmethod
    def return_info(cls, material_return):
        return {
            'kind': 'material_return',
            'ok': material_return.state == 'submitted',
            'open': material_return.state == 'submitted',
            'document': {'id': material_return.id,
                'number': material_return.number,
                'state': _state(material_return),
                'production': material_return.production.rec_name},
            'rows': [{'name': l.product.rec_name,
                    'lot_number': l.lot.number if l.lot else '',
                    'quantity': l.quantity, 'unit': l.unit.symbol}
                for l in material_return.lines],
            'message': gettext('production_floor.msg_return_document',
                material_return=material_return.rec_name,
                state=_state(material_return)),
            }

    @classmethod
    def _post_return(cls, values):
        pool = Pool()
        Return = pool.get('production.material.return')
        if values.get('material_return') is not None:
            material_return = cls._value(values, 'material_return',
                'production.material.return')
            Return.approve([material_return])
            result = cls.return_info(Return(material_return.id))
            result['ok'] = True
            return result
        material_return = cls._return(values)
        Return.save([material_return])
        Return.submit([material_return])
        material_return = Return(material_return.id)
        result = cls.return_info(material_return)
        result['ok'] = True
        result['posted'] = {'model': Return.__name__,
            'id': material_return.id, 'number': material_return.number,
            'state': material_return.state}
        return result

    @classmethod
    def _return(cls, values):
        pool = Pool()
        Line = pool.get('production.material.return.line')
        Reason = pool.get('production.material.return.reason')
        Return = pool.get('production.material.return')
        production = cls._value(values, 'production', 'production')
        reason = cls._value(values, 'reason',
            'production.material.return.reason', required=False)
        if reason is None:
            reasons = Reason.search([], limit=1)
            if not reasons:
                raise PostingError(gettext(
                        'production_floor.msg_return_no_reason'))
            reason, = reasons
        lines = []
        for value in cls._lines(values):
            product = cls._value(value, 'product', 'product.product')
            lines.append(Line(product=product,
                    lot=cls._value(value, 'lot', 'stock.lot',
                        required=False),
                    quantity=cls._value(value, 'quantity'),
                    unit=_unit(product)))
        return Return(company=production.company, production=production,
            warehouse=production.warehouse,
            to_location=production.picking_location, reason=reason,
            lines=lines)


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
        if posting.user and posting.user.id != Transaction().user:
            raise PostingError(gettext('production_floor.msg_posting_user',
                    client_id=client_id))
        result = json.loads(posting.result or '{}')
        result['repeated'] = True
        return result

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

