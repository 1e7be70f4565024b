# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The kitting engine against a brute-force reference on random BOM graphs

The reference follows the definitions of
addons/production_kitting/doc/index.rst word by word on raw data (BOM
output quantities, line units, dozens) and finds the buildable quantity by
trying every quantity, one rounding step at a time.
"""
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trytond.modules.production_kitting.engine import (
    CycleError, Engine, HeldPool, Line, Substitute)

UNIT, DOZEN = 1.0, 12.0


def up(value, rounding):
    return math.ceil(round(value / rounding, 9)) * rounding


@st.composite
def graphs(draw):
    "Random BOM DAG: product i uses only products j > i"
    n = draw(st.integers(min_value=2, max_value=7))
    rounding = {p: draw(st.sampled_from([1.0, 0.5])) for p in range(n)}
    stock = {p: draw(st.integers(min_value=0, max_value=12))
        for p in range(n)}
    boms = {}
    for p in range(n - 1):
        if p and not draw(st.booleans()):
            continue
        children = draw(st.lists(
                st.integers(min_value=p + 1, max_value=n - 1),
                min_size=1, max_size=3, unique=True))
        lines = []
        for child in children:
            subs = draw(st.lists(
                    st.tuples(
                        st.integers(min_value=p + 1, max_value=n - 1)
                        .filter(lambda s, c=child: s != c),
                        st.sampled_from([0.5, 1.0, 2.0])),
                    max_size=2, unique_by=lambda s: s[0]))
            lines.append({
                    'product': child,
                    'quantity': draw(st.sampled_from([1.0, 2.0, 3.0, 1.5])),
                    'unit': draw(st.sampled_from([UNIT, UNIT, DOZEN])),
                    'substitutes': subs,
                    })
        boms[p] = {
            'output': draw(st.sampled_from([1.0, 2.0])),
            'lines': lines,
            }
    return n, rounding, stock, boms


def engine_of(graph):
    n, rounding, stock, boms = graph
    engine_boms = {}
    for p, bom in boms.items():
        engine_boms[p] = [
            Line(l['product'], l['quantity'] / bom['output'],
                rounding=0.1 if l['unit'] == DOZEN else rounding[l['product']],
                factor=l['unit'],
                substitutes=[Substitute(s, r, l['unit'])
                    for s, r in l['substitutes']])
            for l in bom['lines']]
    return Engine(engine_boms, stock, rounding)


class Reference:
    """The definitions, literally

    A pool is a tuple of quantities by product; make and take return
    whether they succeed and the pool after, and are memoized (the same
    quantities of the same pools come back often in the brute force)."""

    def __init__(self, graph):
        self.n, self.rounding, self.stock, self.boms = graph
        self.memo = {}

    def make(self, product, quantity, pool):
        key = (product, round(quantity, 9), pool)
        if key not in self.memo:
            self.memo[key] = self._make(product, quantity, pool)
        return self.memo[key]

    def _make(self, product, quantity, pool):
        bom = self.boms[product]
        for line in bom['lines']:
            # rounded up in the line unit, then in the product's unit
            in_line_unit = line['quantity'] * quantity / bom['output']
            if line['unit'] == DOZEN:
                in_line_unit = up(in_line_unit, 0.1)
            else:
                in_line_unit = up(in_line_unit, self.rounding[line['product']])
            need = up(in_line_unit * line['unit'],
                self.rounding[line['product']])
            ok, pool = self.take(line, need, pool)
            if not ok:
                return False, pool
        return True, pool

    def take(self, line, need, pool):
        "Free stock first, then made, then the substitutes in order"
        product = line['product']
        pool = list(pool)
        from_stock = min(need, pool[product])
        pool[product] -= from_stock
        missing = need - from_stock
        if missing <= 1e-9:
            return True, tuple(pool)
        step = self.rounding.get(product)
        if product in self.boms and not line['substitutes']:
            return self.make(product, up(missing, step), tuple(pool))
        if product in self.boms:
            # the most that can be made, tried one rounding step at a time
            # down to what the substitutes' stock could complete at most
            steps = math.ceil(round(missing / step, 9))
            coverable = sum(pool[s] / r for s, r in line['substitutes'])
            least = max(0, math.floor((missing - coverable) / step) - 1)
            for k in range(steps, least - 1, -1):
                ok, after = self.make(product, k * step, tuple(pool))
                if ok:
                    pool = list(after)
                    missing -= k * step
                    break
            else:
                return False, tuple(pool)
        for sub, ratio in line['substitutes']:
            if missing <= 1e-9:
                break
            sub_need = up(missing * ratio, self.rounding[sub])
            used = min(sub_need, pool[sub])
            pool[sub] -= used
            missing = 0 if used >= sub_need - 1e-9 else missing - used / ratio
        return missing <= 1e-9, tuple(pool)

    def buildable(self, product):
        step = self.rounding[product]
        total = sum(self.stock.values()) * 24 + 1
        stock = tuple(self.stock[p] for p in range(self.n))
        best = 0.0
        for k in range(int(total / step) + 1):
            if self.make(product, k * step, stock)[0]:
                best = k * step
        return best


@settings(max_examples=150, deadline=None,
    suppress_health_check=[HealthCheck.too_slow])
@given(graphs())
def test_buildable_matches_reference(graph):
    engine = engine_of(graph)
    reference = Reference(graph)
    for product in graph[3]:
        assert engine.buildable(product) == pytest.approx(
            reference.buildable(product)), product


@settings(max_examples=100, deadline=None)
@given(graphs())
def test_explain_is_consistent(graph):
    "Explaining the buildable quantity shows no shortage, one step more does"
    engine = engine_of(graph)
    product = 0
    quantity = engine.buildable(product)
    tree = engine.explain(product, quantity)
    assert engine.limiting(tree) == {}
    more = engine.explain(product, quantity + graph[1][product])
    assert engine.limiting(more)
    # what is taken from stock never exceeds the stock
    taken = {}
    stack = [more]
    while stack:
        node = stack.pop()
        taken[node['product']] = (
            taken.get(node['product'], 0) + node['from_stock'])
        for sub in node['substitutes']:
            taken[sub['product']] = (
                taken.get(sub['product'], 0) + sub['quantity'])
        stack.extend(node['children'])
    for p, quantity in taken.items():
        assert quantity <= graph[2][p] + 1e-9


def test_shared_component_and_intermediate_stock():
    "FG = 2 SA + 1 C; SA = 3 C; 4 SA and 20 C in stock"
    engine = Engine({
            'FG': [Line('SA', 2.0), Line('C', 1.0)],
            'SA': [Line('C', 3.0)],
            }, {'SA': 4, 'C': 20}, {'FG': 1, 'SA': 1, 'C': 1})
    # N FG: 2N SA (4 from stock, 2N - 4 made with 6N - 12 C) + N C
    # 7N - 12 <= 20 -> N = 4
    assert engine.buildable('FG') == 4
    tree = engine.explain('FG', 5)
    assert engine.limiting(tree) == {'C': 3}


def test_cycle_named():
    with pytest.raises(CycleError) as info:
        Engine({
                'A': [Line('B', 1.0)],
                'B': [Line('C', 1.0)],
                'C': [Line('A', 1.0)],
                }, {}, {})
    assert info.value.cycle == ['A', 'B', 'C', 'A']


def test_chain_20_levels():
    "Each level needs 2 of the next: 2^20 raw units per finished unit"
    boms = {i: [Line(i + 1, 2.0)] for i in range(20)}
    engine = Engine(boms, {20: 3 * 2 ** 20 + 5}, {i: 1 for i in range(21)})
    assert engine.buildable(0) == 3
    tree = engine.explain(0, 4)
    assert engine.limiting(tree) == {20: 2 ** 20 - 5}


def test_bom_1700_lines():
    "One BOM with 1,700 inputs; the 1,000th is the limiting one"
    lines = [Line(i, 1.0) for i in range(1, 1701)]
    stock = {i: 50 for i in range(1, 1701)}
    stock[1000] = 7
    engine = Engine({0: lines}, stock, {i: 1 for i in range(1701)})
    assert engine.buildable(0) == 7
    assert engine.limiting(engine.explain(0, 8)) == {1000: 1}


def test_phantom_chain_rounded_up():
    "Each phantom input of the chain is rounded up before the line"
    # a lamp takes 0.5 kit (kits are whole), a kit is 4 screws
    engine = Engine(
        {'lamp': [Line('screw', 4.0, 1.0, chain=[(0.5, 1.0)])]},
        {'screw': 10}, {'lamp': 1.0, 'screw': 1.0})
    assert [engine.need(engine.boms['lamp'][0], n) for n in [1, 2, 3]] == [
        4.0, 4.0, 8.0]
    assert engine.buildable('lamp') == 4.0
    assert engine.explain('lamp', 5.0)['children'][0]['short'] == 2.0


def test_substitute_after_making():
    """FG = 1 SA (or 1 SB); SA = 2 C; SA 1, C 4, SB 5 in stock: the main
    input is taken from stock, then made, and only then substituted"""
    engine = Engine({
            'FG': [Line('SA', 1.0, substitutes=[Substitute('SB', 1.0)])],
            'SA': [Line('C', 2.0)],
            }, {'SA': 1, 'C': 4, 'SB': 5}, {'FG': 1, 'SA': 1, 'C': 1,
            'SB': 1})
    # 1 SA from stock + 2 made from 4 C + 5 SB
    assert engine.buildable('FG') == 8
    sa, = engine.explain('FG', 4)['children']
    assert (sa['from_stock'], sa['to_make'], sa['substitutes']) == (
        1, 2, [{'product': 'SB', 'quantity': 1}])
    assert sa['children'][0]['from_stock'] == 4
    # 9: one SA more to make, 2 C short
    tree = engine.explain('FG', 9)
    sa, = tree['children']
    assert (sa['to_make'], sa['substitutes']) == (
        3, [{'product': 'SB', 'quantity': 5}])
    c, = sa['children']
    assert (c['required'], c['from_stock'], c['short']) == (6, 4, 2)
    assert engine.limiting(tree) == {'C': 2}


@settings(max_examples=100, deadline=None,
    suppress_health_check=[HealthCheck.too_slow])
@given(graphs(), st.data())
def test_held_pool(graph, data):
    """A demand with material held for it builds what free + held builds,
    takes what is held first, and leaves the free stock of the others
    untouched as long as what is held covers it"""
    n, _, free, _ = graph
    held = {p: data.draw(st.integers(min_value=0, max_value=12))
        for p in range(n)}
    merged = {p: free[p] + held[p] for p in range(n)}
    engine = engine_of(graph)
    product = 0
    pool = HeldPool(dict(free), dict(held))
    buildable = engine.buildable(product, pool)
    assert buildable == pytest.approx(
        Engine(engine.boms, merged, engine.rounding).buildable(product))
    engine.make(product, buildable, pool)
    for p in range(n):
        taken = merged[p] - pool[p]
        assert pool.held[p] == pytest.approx(max(held[p] - taken, 0)), p
        assert pool.free[p] == pytest.approx(
            free[p] - max(taken - held[p], 0)), p
