# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Free stock and planned receipts of a warehouse, read as Tryton's
products_by_location reads them"""
import datetime
from collections import defaultdict

from sql import Column, Literal, Null, Union
from sql.aggregate import Sum
from sql.conditionals import Case, Coalesce
from sql.operators import Exists

from trytond.modules.stock_quarantine import arguments
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

# Above this number of ids, read the whole table and filter in Python: the
# number of statements stays bounded by the BOM depth.  For the tables of
# the BOM graph it is [production_kitting] graph_in_max in the
# configuration (a whole table read is kept in the BOM graph cache).
IN_MAX = 1000


def _in(column, ids):
    if len(ids) > IN_MAX:
        return Literal(True)
    return column.in_(list(ids))


class KittingStock(metaclass=PoolMeta):
    "Kitting Analysis: free stock"
    __name__ = 'production.kitting'

    @classmethod
    def _storage_locations_query(cls, warehouse_id, whole=False):
        """Return the query of the active locations of the storage tree of
        the warehouse (of the whole warehouse if whole), quarantine
        locations and their children excluded"""
        pool = Pool()
        Location = pool.get('stock.location')
        location = Location.__table__()
        storage = Location.__table__()
        warehouse = Location.__table__()
        quarantine = Location.__table__()
        return location.join(storage,
            condition=(location.left >= storage.left)
            & (location.right <= storage.right)
            ).join(warehouse,
            condition=(warehouse.id if whole
                else warehouse.storage_location) == storage.id
            ).select(location.id,
            where=(warehouse.id == int(warehouse_id))
            & (location.active == Literal(True))
            # a production location put under the warehouse is not stock
            & (location.type.in_(['warehouse', 'storage', 'view'])
                if whole else Literal(True))
            & ~Exists(quarantine.select(Literal(1),
                    where=(quarantine.quarantine == Literal(True))
                    & (location.left >= quarantine.left)
                    & (location.right <= quarantine.right))))

    @classmethod
    def _stock_company(cls):
        """Return the id of the company of the stock, as products_by_location:
        the context's if it is one of the user's, else the user's"""
        return arguments.context_company()

    @classmethod
    def _stock_period(cls, company, date=None):
        """Return the id and the date of the last closed stock period of the
        company up to date, as products_by_location uses it"""
        pool = Pool()
        Period = pool.get('stock.period')
        period = Period.__table__()
        cursor = Transaction().connection.cursor()
        if not company:
            return None
        date = cls._stock_period_date(date)
        cursor.execute(*period.select(period.id, period.date,
                where=(period.state == 'closed')
                & (period.company == company)
                & (period.date <= date),
                order_by=[period.date.desc], limit=1))
        return cursor.fetchone()

    @classmethod
    def _stock_period_date(cls, date):
        "Return the date up to which a closed period counts: today at least"
        pool = Pool()
        Date = pool.get('ir.date')
        return max(date or Date.today(), Date.today())

    @classmethod
    def _stock_moves_where(cls, move, product_ids):
        "Hook to exclude moves from free stock"
        return _in(move.product, product_ids)

    @classmethod
    def _stock_period_queries(cls, period_id, locations, product_ids):
        """Return the queries of (product, quantity) of the closed period
        cache in the locations"""
        pool = Pool()
        Cache = pool.get('stock.period.cache')
        cache = Cache.__table__()
        return [cache.select(
                cache.product.as_('product'),
                cache.internal_quantity.as_('quantity'),
                where=(cache.period == period_id)
                & cache.location.in_(locations)
                & _in(cache.product, product_ids))]

    @classmethod
    def _stock_moves_quantity(cls, move, direction, states, planned_states,
            date):
        """Return the sum of the quantities of the moves counted: done (and
        assigned issues), with a date also planned up to it"""
        quantity = move.internal_quantity
        if direction < 0:
            quantity = -quantity
        whens = [(move.state.in_(states), quantity)]
        if date:
            whens.append((move.state.in_(planned_states)
                    & cls._planned_up_to(move, date), quantity))
        return Sum(Case(*whens, else_=0))

    @classmethod
    def _planned_up_to(cls, move, date):
        "Return the clause of the moves planned up to date"
        return (move.planned_date <= date) & (move.planned_date != Null)

    @classmethod
    def _stock_moves_filter(cls, move, inside, outside, states, filters):
        """Return the clause of the moves of the products into the
        locations (inside) from outside them, of the company after the
        period"""
        where = (cls._stock_moves_where(move, filters['product_ids'])
            & cls._into(move, inside, outside, filters['locations'])
            & move.state.in_(states))
        if filters['company']:
            where &= move.company == filters['company']
        if filters['period']:
            where &= cls._after_period(move, filters['period'])
        return where

    @classmethod
    def _into(cls, move, inside, outside, locations):
        "Return the clause of the moves into the locations from outside them"
        return (Column(move, inside).in_(locations)
            & ~Column(move, outside).in_(locations))

    @classmethod
    def _after_period(cls, move, period):
        "Return the clause of the moves after period, as products_by_location"
        # the expression of products_by_location (and of its index)
        return Coalesce(
            move.effective_date, move.planned_date,
            datetime.date.max) > period[1]

    @classmethod
    def _stock_moves_query(cls, direction, filters):
        """Return the query of (product, quantity) of the moves into the
        storage locations (direction 1) or out of them (-1)"""
        pool = Pool()
        Move = pool.get('stock.move')
        move = Move.__table__()
        inside, outside = cls._stock_moves_sides(direction)
        states, planned_states = cls._stock_moves_states(
            direction, filters['assigned'])
        date = filters['date']
        return move.select(
            move.product.as_('product'),
            cls._stock_moves_quantity(
                move, direction, states, planned_states, date
                ).as_('quantity'),
            where=cls._stock_moves_filter(move, inside, outside,
                states + (planned_states if date else []), filters),
            group_by=[move.product])

    @classmethod
    def _stock_moves_sides(cls, direction):
        "Return the location columns inside and outside the moves counted"
        if direction < 0:
            return 'from_location', 'to_location'
        return 'to_location', 'from_location'

    @classmethod
    def _stock_moves_states(cls, direction, assigned):
        """Return the states of the moves counted and of those counted up to
        the date: assigned issues count as done unless not assigned"""
        if direction < 0 and assigned:
            return ['done', 'assigned'], ['draft']
        return ['done'], ['draft', 'assigned']

    @classmethod
    def _stock_query(cls, filters):
        """Return the query of (product, free stock): the moves in and out
        and the closed period cache"""
        queries = [
            cls._stock_moves_query(1, filters),
            cls._stock_moves_query(-1, filters),
            ]
        period = filters['period']
        if period:
            queries += cls._stock_period_queries(
                period[0], filters['locations'], filters['product_ids'])
        query = cls._union_all(queries)
        return query.select(
            query.product, Sum(query.quantity), group_by=[query.product])

    @classmethod
    def _union_all(cls, queries):
        "Return the union of all the rows of the queries"
        query, *others = queries
        for other in others:
            query = Union(query, other, all_=True)
        return query

    @classmethod
    def load_stock(cls, product_ids, warehouse_id, date=None, assigned=True,
            whole=False):
        """Return the free stock of products in the warehouse

        On hand, minus assigned issues (unless not assigned: MRP counts them
        as demand), in the storage tree (the whole warehouse if whole); with
        a date, plus draft and assigned receipts and minus
        draft issues planned up to that date.

        As products_by_location: the cache of the last closed stock period
        of the company plus its moves after the period, in two statements
        (the period, then one aggregate with the locations as sub-query)."""
        cursor = Transaction().connection.cursor()
        product_ids = set(product_ids)
        company = cls._stock_company()
        filters = {
            'product_ids': product_ids,
            'company': company,
            'period': cls._stock_period(company, date),
            'locations': cls._storage_locations_query(
                warehouse_id, whole=whole),
            'date': date,
            'assigned': assigned,
            }
        cursor.execute(*cls._stock_query(filters))
        return cls._stock_of(cursor.fetchall(), product_ids)

    @classmethod
    def _stock_of(cls, rows, product_ids):
        "Return {product: quantity} of the rows, 0 for the products without"
        stock = dict.fromkeys(product_ids, 0.0)
        stock.update((p, q or 0.0) for p, q in rows if p in product_ids)
        return stock

    @classmethod
    def _incoming_where(cls, move, product_ids, warehouse_id, date):
        """Return the clause of the planned receipts of the products into
        the warehouse up to date, of the company after its period"""
        locations = cls._storage_locations_query(warehouse_id)
        company = cls._stock_company()
        where = Literal(True)
        if company:
            where = move.company == company
            period = cls._stock_period(company, date)
            if period:
                where &= cls._after_period(move, period)
        return (where & cls._stock_moves_where(move, product_ids)
            & cls._into(move, 'to_location', 'from_location', locations)
            & move.state.in_(['draft', 'assigned'])
            & cls._planned_up_to(move, date))

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
        cursor.execute(*move.select(
                move.product, move.planned_date, Sum(move.internal_quantity),
                where=cls._incoming_where(
                    move, product_ids, warehouse_id, date),
                group_by=[move.product, move.planned_date],
                order_by=[move.planned_date]))
        result = defaultdict(list)
        for product, planned_date, quantity in cursor:
            if product in product_ids:
                result[product].append([planned_date, quantity])
        return result


class KittingHeld(metaclass=PoolMeta):
    "Kitting Analysis: material held outside the warehouse for some demands"
    __name__ = 'production.kitting'

    @classmethod
    def demand_holders(cls, references):
        """Return {reference: location id} of the demands ('sale.line,1',
        'production,2') that may take what is held for them outside the
        warehouse: a customer's own material (客供料) for its orders, the
        material at a subcontractor for its orders.  No location is free
        stock: the modules that hold material there extend this hook, in a
        bounded number of statements."""
        return {}

    @classmethod
    def reference_ids(cls, references, model):
        "Return the ids of the references ('model,id') of model"
        prefix = model + ','
        return {int(r[len(prefix):]) for r in references
            if r and r.startswith(prefix)}

    @classmethod
    def load_held(cls, locations, product_ids):
        """Return {location: {product: quantity}} of the products at the
        locations (and their children): on hand less assigned issues, read
        by Tryton's products_by_location"""
        pool = Pool()
        Date = pool.get('ir.date')
        Product = pool.get('product.product')
        held = defaultdict(dict)
        if not locations or not product_ids:
            return held
        with Transaction().set_context(stock_date_end=Date.today(),
                forecast=False, stock_assign=True,
                company=cls._stock_company()):
            quantities = Product.products_by_location(sorted(locations),
                with_childs=True, grouping_filter=(sorted(product_ids),))
        for (location, product), quantity in quantities.items():
            held[location][product] = quantity
        return held

    @classmethod
    def held_pools(cls, references, product_ids):
        """Return {reference: {product: quantity}} held for each demand: the
        demands of one holder share one dict (what one takes, the others
        do not get)"""
        holders = cls.demand_holders(set(references))
        held = cls.load_held(set(holders.values()), set(product_ids))
        return {r: held[l] for r, l in holders.items()}


class KittingQualityGate(metaclass=PoolMeta):
    __name__ = 'production.kitting'

    @classmethod
    def _held_lots_query(cls):
        "Return the query of the lots on hold or rejected"
        Lot = Pool().get('stock.lot')
        lot = Lot.__table__()
        return lot.select(lot.id, where=lot.quality_status != 'released')

    @classmethod
    def _stock_moves_where(cls, move, product_ids):
        "Lots on hold or rejected are not free"
        held = cls._held_lots_query()
        return (super()._stock_moves_where(move, product_ids)
            & ((move.lot == Null) | ~move.lot.in_(held)))

    @classmethod
    def _stock_period_queries(cls, period_id, locations, product_ids):
        "The lots on hold or rejected in the period cache are not free"
        Cache = Pool().get('stock.period.cache.lot')
        cache = Cache.__table__()
        held = cls._held_lots_query()
        return super()._stock_period_queries(
            period_id, locations, product_ids) + [cache.select(
                cache.product.as_('product'),
                (-cache.internal_quantity).as_('quantity'),
                where=(cache.period == period_id)
                & cache.location.in_(locations)
                & _in(cache.product, product_ids)
                & cache.lot.in_(held))]
