# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The arithmetic of costing in plain Python: exact to the cent."""
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal('0.01')


def cents(value):
    "The value rounded half up to the cent"
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def allocate(amount, weights):
    """Split amount (to the cent) over the keys of weights in proportion,
    the remaining cents to the largest remainders: the parts add up to
    amount.  Returns None when the weights add up to zero."""
    amount = cents(amount)
    total = sum(weights.values(), Decimal(0))
    if not total:
        return None
    units = int(amount / CENT)
    exact = {k: Decimal(units) * w / total for k, w in weights.items()}
    parts = {k: int(v.to_integral_value(rounding='ROUND_FLOOR'))
        for k, v in exact.items()}
    remainder = units - sum(parts.values())
    order = sorted(weights, key=lambda k: (parts[k] - exact[k], str(k)))
    for key in order[:remainder]:
        parts[key] += 1
    return {k: Decimal(v) * CENT for k, v in parts.items()}


def split_wip(total, finished, equivalent, in_process=True):
    """Split total between the finished units and the equivalent units of
    the work in process: (finished cost, closing WIP).  Without work in
    process all is finished; with nothing finished all stays in process."""
    total = cents(total)
    if not in_process:
        return total, Decimal(0)
    if not finished:
        return Decimal(0), total
    finished_cost = cents(total * finished / (finished + equivalent))
    return finished_cost, total - finished_cost
