# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Kitting engine: plain Python, no ORM access.

The loader (kitting.py) fills it with the BOM graph and the free stock read
by a few set-based queries; everything else is computed in memory.

Quantities are floats in each product's default unit, except BOM line
quantities which are in the line's unit (``Line.factor`` converts them).
"""
import math
from collections import ChainMap
from collections.abc import MutableMapping

EPSILON = 1e-9
# Upper limit of a buildable quantity when nothing limits it (a BOM without
# inputs)
UNLIMITED = 10 ** 9


def ceil_round(value, rounding):
    "Round value up to a multiple of rounding"
    return _round(math.ceil, value, rounding)


def floor_round(value, rounding):
    "Round value down to a multiple of rounding"
    return _round(math.floor, value, rounding)


def take_free(stock, product, quantity):
    """Take up to quantity of product from the free stock (none when
    negative) and return it"""
    free = max(stock.get(product, 0), 0)
    taken = min(quantity, free)
    stock[product] = free - taken
    return taken


def _round(function, value, rounding):
    "Round value to a multiple of rounding by function (math.ceil or floor)"
    if not rounding:
        return value
    if rounding == 1:
        # the most common unit, the same result faster
        return float(function(round(value, 9)))
    return round(
        function(round(value / rounding, 9)) * rounding, _digits(rounding))


_DIGITS = {}


def _digits(rounding):
    "The digits to round a multiple of rounding to"
    if rounding not in _DIGITS:
        _DIGITS[rounding] = max(0, -math.floor(math.log10(rounding))) + 2
    return _DIGITS[rounding]


class HeldPool(MutableMapping):
    """The stock one demand may take: what is held for it outside the
    warehouse (its customer's own material, the material at its
    subcontractor) first, then the free stock.  Taking from it takes from
    both dicts, so the demands of one holder share what it holds and never
    give it to the others."""

    def __init__(self, free, held):
        self.free = free
        self.held = held

    def __getitem__(self, product):
        if product not in self.free and product not in self.held:
            raise KeyError(product)
        return (max(self.held.get(product, 0), 0)
            + max(self.free.get(product, 0), 0))

    def __setitem__(self, product, value):
        change = value - self.get(product, 0)
        held = max(self.held.get(product, 0), 0)
        if change < 0 and held:
            used = min(-change, held)
            self.held[product] = held - used
            change += used
        if change or product not in self.free:
            self.free[product] = max(self.free.get(product, 0), 0) + change

    def __delitem__(self, product):
        del self.free[product]

    def __iter__(self):
        return iter(set(self.free) | set(self.held))

    def __len__(self):
        return len(set(self.free) | set(self.held))


def held_pool(free, held):
    "The pool of a demand: free alone when nothing is held for it"
    return HeldPool(free, held) if held else free


class CycleError(Exception):
    "A BOM uses, directly or not, its own output"

    def __init__(self, cycle):
        super().__init__(cycle)
        self.cycle = cycle


class Substitute:
    __slots__ = ('product', 'ratio', 'factor')

    def __init__(self, product, ratio, factor=1.0):
        self.product = product
        # units of substitute per unit of the main input (in the line unit)
        self.ratio = ratio
        # from the line unit to the substitute's default unit
        self.factor = factor


class Line:
    "An input of a BOM, flattened through phantom BOMs"
    __slots__ = ('product', 'quantity', 'rounding', 'factor', 'substitutes',
        'chain', 'scale')

    def __init__(self, product, quantity, rounding=0, factor=1.0,
            substitutes=(), chain=()):
        self.product = product
        # in the line unit, per default unit of the BOM output (per unit of
        # the last phantom input of chain)
        self.quantity = quantity
        # rounding of the line unit
        self.rounding = rounding
        # from the line unit to the product's default unit
        self.factor = factor
        self.substitutes = list(substitutes)
        # the phantom inputs above the line: (quantity per unit above,
        # rounding of its unit), each rounded up as Tryton does
        self.chain = tuple(chain)
        self.scale = math.prod(r for r, _ in chain) if chain else 1.0


def Node(product, required):
    "One need of the explanation tree (a plain dict, for RPC)"
    return {
        'product': product, 'required': required, 'from_stock': 0.0,
        'substitutes': [], 'to_make': 0.0, 'short': 0.0, 'children': [],
        }


class Engine:
    """Compute buildable quantities, explanations and allocations

    boms: {product: [Line]} the inputs of the BOM used to make product,
        per default unit of product
    stock: {product: free quantity}
    rounding: {product: rounding of the default unit}
    codes: {product: code} to name products in errors
    """

    def __init__(self, boms, stock, rounding, codes=None):
        self.boms = boms
        self.stock = dict(stock)
        self.rounding = rounding
        self.codes = codes or {}
        # {demand reference: {product: quantity held for it}}
        self.held = {}
        self.check_cycles()

    def check_cycles(self):
        "Raise CycleError with the chain of products of the first cycle"
        state = {}
        for start in self.boms:
            if start not in state:
                self._check_cycles_from(start, state)

    def _check_cycles_from(self, start, state):
        """Walk the BOMs below start depth first, marking in state the
        products being walked (1) and done (2)"""
        state[start] = 1
        path = [start]
        stack = [iter(self.boms[start])]
        while stack:
            line = next(stack[-1], None)
            if line is None:
                state[path.pop()] = 2
                stack.pop()
                continue
            child = line.product
            if state.get(child) == 1:
                raise CycleError(self._cycle(path, child))
            if child not in state and child in self.boms:
                state[child] = 1
                path.append(child)
                stack.append(iter(self.boms[child]))

    @staticmethod
    def _cycle(path, child):
        "Return the cycle that child closes on the path of products walked"
        return path[path.index(child):] + [child]

    def pool_of(self, reference, pool=None):
        """The pool the demand of reference ('model,id') takes from: what is
        held for it first, then pool (the free stock)"""
        return held_pool(
            self.stock if pool is None else pool, self.held.get(reference))

    def _round_up(self, product, quantity):
        return ceil_round(quantity, self.rounding.get(product, 0))

    def need(self, line, quantity):
        "Quantity of line's product in its default unit to make quantity"
        for ratio, rounding in line.chain:
            quantity = ceil_round(ratio * quantity, rounding)
        need = ceil_round(line.quantity * quantity, line.rounding)
        return self._round_up(line.product, need * line.factor)

    def upper_bound(self, product, _memo=None):
        """Quantity of product that can be made ignoring shared pools and
        rounding: never less than the buildable quantity"""
        memo = {} if _memo is None else _memo
        if product in memo:
            return memo[product]
        bound = UNLIMITED
        for line in self.boms.get(product, []):
            line_bound = self._line_bound(line, memo)
            if line_bound is not None:
                bound = min(bound, line_bound)
        memo[product] = bound
        return bound

    def _line_bound(self, line, memo):
        "Return the units the stock covers of line, None if it needs none"
        # rounding up in the chain only adds: still an upper bound
        per_unit = line.quantity * line.factor * line.scale
        if per_unit > 0:
            return self._with_substitutes(
                line, self.available(line.product, memo)) / per_unit

    def _with_substitutes(self, line, available):
        "Add to available what the stock of the substitutes of line covers"
        for sub in line.substitutes:
            if sub.ratio > 0 and sub.factor > 0:
                available += (max(self.stock.get(sub.product, 0), 0)
                    / (sub.ratio * sub.factor) * line.factor)
        return available

    def available(self, product, memo):
        available = max(self.stock.get(product, 0), 0)
        if product in self.boms:
            available += self.upper_bound(product, memo)
        return available

    def buildable(self, product, pool=None, limit=None):
        """Largest quantity of product that can be made (without its stock),
        not above limit"""
        if product not in self.boms:
            return 0.0
        if pool is None:
            pool = self.stock
        bound = self._pool_upper_bound(product, pool)
        if limit is not None:
            bound = min(bound, limit)
        return self._search(product, bound, pool)

    def _pool_upper_bound(self, product, pool):
        "The upper bound of product computed on the pool instead of stock"
        saved, self.stock = self.stock, pool
        try:
            return self.upper_bound(product)
        finally:
            self.stock = saved

    def _search(self, product, bound, pool):
        """The largest multiple of the rounding of product up to bound that
        can be made from the pool, by bisection"""
        rounding = self.rounding.get(product) or 1
        low, high = 0, self._steps(bound, rounding)
        while low < high:
            middle = (low + high + 1) // 2
            # what is taken goes to the first map: pool stays untouched
            if self._make(
                    product, middle * rounding, ChainMap({}, pool), None):
                low = middle
            else:
                high = middle - 1
        return floor_round(low * rounding, rounding)

    @staticmethod
    def _steps(bound, rounding):
        "Return the number of steps of rounding up to bound"
        high = int(math.floor(round(bound / rounding, 9)))
        return min(high, int(UNLIMITED / rounding))

    def explain(self, product, quantity, pool=None):
        "The tree of needs to make quantity of product (without its stock)"
        pool = ChainMap({}, self.stock if pool is None else pool)
        node = Node(product, quantity)
        node['to_make'] = quantity
        if product in self.boms:
            self._make(product, quantity, pool, node)
        else:
            node['to_make'] = 0.0
            node['short'] = quantity
        return node

    def explain_one_more(self, product, buildable):
        "Return one more unit of product than buildable and its tree of needs"
        step = self.rounding.get(product) or 1
        return step, self.explain(product, buildable + step)

    def make(self, product, quantity, pool):
        "Take from the pool what making quantity of product needs"
        return self._make(product, quantity, pool, None)

    def _make(self, product, quantity, pool, node):
        ok = True
        for line in self.boms[product]:
            need = self.need(line, quantity)
            child = None
            if node is not None:
                child = Node(line.product, need)
                node['children'].append(child)
            if not self._supply(line, need, pool, child):
                ok = False
                if node is None:
                    return False
        return ok

    def _supply(self, line, need, pool, node):
        """Take need of line's product from the pool: its free stock first,
        then what can be made of it, then its substitutes for the rest

        Return False if something is short"""
        product = line.product
        taken = self._take(product, need, pool)
        rest = need - taken
        if node is not None:
            node['from_stock'] = taken
        if rest <= EPSILON:
            return True
        if product in self.boms and not line.substitutes:
            return self._make_rest(product, rest, pool, node)
        return self._supply_rest(line, rest, pool, node)

    def _make_rest(self, product, rest, pool, node):
        "Make rest of product, rounded up, from the pool"
        rest = self._round_up(product, rest)
        if node is not None:
            node['to_make'] = rest
        return self._make(product, rest, pool, node)

    def _supply_rest(self, line, rest, pool, node):
        """Make what the pool can of rest of line's product, take its
        substitutes for the rest: return False if something is short"""
        product = line.product
        bom = product in self.boms
        made = self._make_buildable(product, rest, pool, node) if bom else 0.0
        if made > 0:
            rest -= made
        rest = self._substitute(line, rest, pool, node)
        if node is not None:
            node['to_make'] = made
        if rest <= EPSILON:
            return True
        return self._short(product, bom, made, rest, pool, node)

    def _make_buildable(self, product, rest, pool, node):
        """Make as much of rest of product as the pool can (the substitutes
        cover the rest) and return it"""
        made = self.buildable(
            product, pool, limit=self._round_up(product, rest))
        if made > 0:
            self._make(product, made, pool, node)
        return made

    def _take(self, product, quantity, pool):
        "Take up to quantity of product from the pool and return it"
        available = max(pool.get(product, 0), 0)
        taken = min(quantity, available)
        if taken > 0:
            pool[product] = available - taken
        return taken

    def _substitute(self, line, rest, pool, node):
        """Take the substitutes of line in their order for rest of its
        product: return what is still missing"""
        for sub in line.substitutes:
            if rest <= EPSILON:
                break
            rest = self._take_substitute(line, sub, rest, pool, node)
        return rest

    def _take_substitute(self, line, sub, rest, pool, node):
        """Take sub for rest of line's product from the pool: return what
        is still missing"""
        to_sub = sub.ratio * sub.factor / line.factor
        sub_need = self._round_up(sub.product, rest * to_sub)
        sub_taken = self._take(sub.product, sub_need, pool)
        if sub_taken <= 0:
            return rest
        self._note_substitute(node, sub.product, sub_taken)
        if sub_taken >= sub_need - EPSILON:
            return 0
        return rest - sub_taken / to_sub

    @staticmethod
    def _note_substitute(node, product, quantity):
        "Record in node the quantity of the substitute product taken"
        if node is not None:
            node['substitutes'].append(
                {'product': product, 'quantity': quantity})

    def _short(self, product, bom, made, rest, pool, node):
        """Record rest of product as short, or the components missing to
        make it: return False"""
        if not bom:
            if node is not None:
                node['short'] = rest
            return False
        # short: the components of what is still missing show why
        rest = self._round_up(product, rest)
        if node is not None:
            node['to_make'] = made + rest
            self._explain_short(product, rest, pool, node)
        return False

    def _explain_short(self, product, rest, pool, node):
        "Add to the children of node the needs of making rest of product"
        extra = Node(product, rest)
        self._make(product, rest, pool, extra)
        self._merge(node['children'], extra['children'])

    @classmethod
    def _merge(cls, children, extra):
        """Add the nodes of extra to children: both made by the lines of
        one BOM, in the same order"""
        if not children:
            children.extend(extra)
            return
        for node, other in zip(children, extra):
            cls._add_node(node, other)
            cls._merge(node['children'], other['children'])

    @classmethod
    def _add_node(cls, node, other):
        "Add the quantities and the substitutes of other to node"
        for key in ['required', 'from_stock', 'to_make', 'short']:
            node[key] += other[key]
        node['substitutes'].extend(other['substitutes'])

    def limiting(self, node):
        "The products short in the tree of node, with their quantities"
        result = {}
        stack = [node]
        while stack:
            current = stack.pop()
            if current['short'] > 0:
                result[current['product']] = (
                    result.get(current['product'], 0) + current['short'])
            stack.extend(current['children'])
        return result
