# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from math import isqrt

from sql import Cast, Null
from sql.aggregate import Min, Sum
from sql.conditionals import Case, Coalesce
from sql.functions import Round

from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.transaction import Transaction

DIGITS = 6
# the columns of the ledger and the kinds of moves they sum
LEDGER = [
    ('sent', ('send',)),
    ('supplemented', ('supplement',)),
    ('consumed', ('consume',)),
    ('returned', ('return',)),
    ('lost', ('loss',)),
    ]
# the computed columns of a tracking row: its order's, and its material's
# against the BOM
ORDER_FIGURES = {'received', 'quality_passed', 'quality_rejected',
    'production_unit'}
STANDARD_FIGURES = {'standard', 'allowed_loss', 'actual_loss'}


class _Ledger(ModelSQL, ModelView):
    subcontractor = fields.Many2One('party.party', "Subcontractor")
    product = fields.Many2One('product.product', "Product")
    unit = fields.Many2One('product.uom', "Unit")
    sent = fields.Float("Sent", digits='unit')
    supplemented = fields.Float("Supplemented", digits='unit')
    consumed = fields.Float("Consumed", digits='unit')
    returned = fields.Float("Returned", digits='unit')
    lost = fields.Float("Lost", digits='unit',
        help="The material the subcontractor lost beyond the allowance "
        "(委外损耗).")
    balance = fields.Float("Balance", digits='unit',
        help="The material still held by the subcontractor.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('product', 'ASC'))

    @classmethod
    def _ledger_from(cls):
        pool = Pool()
        Move = pool.get('stock.move')
        Production = pool.get('production')
        Template = pool.get('product.template')
        Product = pool.get('product.product')
        Routing = pool.get('production.routing')
        move = Move.__table__()
        production = Production.__table__()
        product = Product.__table__()
        template = Template.__table__()
        routing = Routing.__table__()
        from_item = (move
            .join(production,
                condition=move.subcontract_production == production.id)
            .join(routing, 'LEFT',
                condition=production.routing == routing.id)
            .join(product, condition=move.product == product.id)
            .join(template, condition=product.template == template.id))
        company = Transaction().context.get('company') or -1
        where = ((move.state == 'done')
            & (move.subcontract_kind != Null)
            & (move.subcontract_kind != 'receive')
            & (production.company == company))
        # the whole order's subcontractor or the routing's (工序委外)
        party = Coalesce(production.subcontractor, routing.supplier)
        return from_item, move, production, template, party, where

    @classmethod
    def _ledger_columns(cls, move):
        columns = []
        for name, kinds in LEDGER:
            columns.append(cls._round(name, Sum(Case(
                            (move.subcontract_kind.in_(kinds),
                                move.internal_quantity),
                            else_=0))))
        sign = Case(
            (move.subcontract_kind.in_(['send', 'supplement']), 1),
            else_=-1)
        columns.append(cls._round(
                'balance', Sum(sign * move.internal_quantity)))
        return columns

    @classmethod
    def _round(cls, name, total):
        "A float sum without its binary noise (6.200000000000003)"
        return getattr(cls, name).sql_cast(
            Round(Cast(total, 'NUMERIC'), DIGITS)).as_(name)


class Tracking(_Ledger):
    "Subcontract Tracking"
    __name__ = 'production.subcontract.tracking'

    production = fields.Many2One('production', "Production")
    standard = fields.Function(fields.Float(
            "Standard", digits='unit',
            help="The BOM quantity of the finished goods received."),
        'get_figures')
    allowed_loss = fields.Function(fields.Float(
            "Allowed Loss", digits='unit',
            help="Consumed above the BOM by the allowed loss."),
        'get_figures')
    actual_loss = fields.Function(fields.Float(
            "Actual Loss", digits='unit',
            help="The allowed loss and the material lost."),
        'get_figures')
    received = fields.Function(fields.Float(
            "Received", digits='production_unit',
            help="The finished goods received from the subcontractor."),
        'get_figures')
    quality_passed = fields.Function(fields.Float(
            "QC Passed", digits='production_unit',
            help="The finished goods received and accepted by the QC gate."),
        'get_figures')
    quality_rejected = fields.Function(fields.Float(
            "QC Rejected", digits='production_unit',
            help="The finished goods received and rejected by the QC gate "
            "(counted once: in the received quantity, not again)."),
        'get_figures')
    production_unit = fields.Function(fields.Many2One(
            'product.uom', "Production Unit"), 'get_figures')
    fee = fields.Function(fields.Numeric(
            "Processing Fee", digits=(16, 4)), 'get_figures')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('production', 'DESC'))
        # a search (a page of rows, their count) groups the keys only
        for name in [n for n, _ in LEDGER] + ['balance']:
            getattr(cls, name).loading = 'lazy'

    @classmethod
    def table_query(cls):
        from_item, move, production, template, party, where = (
            cls._ledger_from())
        productions = Transaction().context.get('_subcontract_productions')
        if productions is not None:
            # read: the moves of the rows' orders only
            where &= fields.SQL_OPERATORS['in'](
                move.subcontract_production, productions)
        return from_item.select(
            cls._row_id(production.id, move.product).as_('id'),
            production.id.as_('production'),
            party.as_('subcontractor'),
            move.product.as_('product'),
            template.default_uom.as_('unit'),
            *cls._ledger_columns(move),
            where=where,
            group_by=[production.id, party,
                move.product, template.default_uom])

    @classmethod
    def _row_id(cls, production, product):
        """The id of the row of an order and a material: Cantor's pairing
        of their ids (under 2**53, as a client counts, while both are
        under 67 million), so that the rows read give back their orders"""
        total = Cast(production, 'BIGINT') + product
        return total * (total + 1) / 2 + product

    @classmethod
    def _key(cls, id_):
        "The (production id, product id) of a row's id"
        total = (isqrt(8 * id_ + 1) - 1) // 2
        product = id_ - total * (total + 1) // 2
        return total - product, product

    @classmethod
    def search(cls, domain, offset=0, limit=None, order=None, count=False,
            query=False):
        records = super().search(domain, offset=offset, limit=limit,
            order=order, count=count, query=query)
        if not count and not query:
            # the sums are not searched (lazy): forget those read before,
            # moves may have changed them since
            cache = Transaction().get_cache()[cls.__name__]
            for record in records:
                cache.pop(record.id, None)
        return records

    @classmethod
    def read(cls, ids, fields_names):
        productions = sorted({cls._key(i)[0] for i in ids if i >= 0})
        with Transaction().set_context(_subcontract_productions=productions):
            return super().read(ids, fields_names)

    @classmethod
    def get_figures(cls, records, names):
        """The computed columns of the rows read, from the figures of their
        orders only"""
        pool = Pool()
        Production = pool.get('production')
        keys = {r: cls._key(r.id) for r in records}
        productions = Production.browse(sorted({p for p, _ in keys.values()}))
        orders = cls._order_figures(productions, set(names))
        units = cls._units({m for _, m in keys.values()}, names)
        result = {n: {} for n in names}
        for record, (production, product) in keys.items():
            values = orders[production]
            if product in units:
                values = values | cls._losses(record, units[product],
                    values['standards'].get(product, 0))
            for name in names:
                result[name][record.id] = values[name]
        return result

    @classmethod
    def _order_figures(cls, productions, names):
        """{production id: {name: value}} of the figures of each order: the
        finished goods received and QC'd, the BOM standard of each
        material, the processing fee"""
        pool = Pool()
        Production = pool.get('production')
        Standard = pool.get('production.subcontract.standard')
        figures = {p.id: {} for p in productions}
        if names & (ORDER_FIGURES | STANDARD_FIGURES):
            for id_, values in Production.subcontract_quantities(
                    productions).items():
                figures[id_].update(values)
        if names & STANDARD_FIGURES:
            received = {i: v['received'] for i, v in figures.items()}
            for id_, standards in Standard.quantities(
                    productions, received).items():
                figures[id_]['standards'] = standards
        if 'fee' in names:
            for id_, fee in Production.get_subcontract_fee(
                    productions, 'fee').items():
                figures[id_]['fee'] = fee
        return figures

    @classmethod
    def _units(cls, products, names):
        "{product id: unit} of the rows' units (the products' default units)"
        Product = Pool().get('product.product')
        if not STANDARD_FIGURES & set(names):
            return {}
        return {p.id: p.default_uom for p in Product.browse(sorted(products))}

    @classmethod
    def _losses(cls, record, unit, standard):
        "The standard and the losses of a row, in the row's unit"
        return {
            'standard': standard,
            'allowed_loss': unit.round(record.consumed - standard),
            'actual_loss': unit.round(
                record.consumed - standard + record.lost),
            }


class Balance(_Ledger):
    "Subcontract Balance"
    __name__ = 'production.subcontract.balance'

    location = fields.Many2One('stock.location', "Location")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('subcontractor', 'ASC'))

    @classmethod
    def table_query(cls):
        pool = Pool()
        Party = pool.get('party.party')
        party = Party.__table__()
        from_item, move, production, template, supplier, where = (
            cls._ledger_from())
        from_item = from_item.join(party, condition=supplier == party.id)
        return from_item.select(
            Min(move.id).as_('id'),
            party.id.as_('subcontractor'),
            party.subcontract_location.as_('location'),
            move.product.as_('product'),
            template.default_uom.as_('unit'),
            *cls._ledger_columns(move),
            where=where,
            group_by=[party.id, party.subcontract_location,
                move.product, template.default_uom])
