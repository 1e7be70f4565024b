# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""E1 of issue 20: BOM mass modification (BOM批量修改) of a component used
in 5,000 BOMs

    PYTHONOPTIMIZE=1 .venv/bin/python -m bench.bench_production_bom_change \
        [--size M] [--boms 5000] [--naive 500] [--e1-runs 3]

Runs bench/bench_production_bom_engineering.py (the database, the products
and BOMs of dataset SIZE, where-used and cost roll-up) with ``--only e1``:
on that dataset (for M 8,000 BOMs over 5 levels), 钢管 Φ25 (4 per unit) is
added to BOMS BOMs spread over every level, and a draft order made for every
25th of them (one in four planned before the effective date, so not
affected).  Then, each call in its own transaction rolled back after:

1. preview: ``production.bom.change.preview`` (the BOMs using 钢管 Φ25, the
   BOMs above them level by level, the open orders planned from the date)
   against Tryton's native way (ORM searches by domain, one per level) and
   a naive loop (every active BOM read with its inputs, one search per BOM
   or product);
2. apply of an approved change order replacing 钢管 Φ25 by 4 × 钢管 Φ22 in
   every BOM (new versions with their lines, loss rates and substitutes,
   old ones obsolete from the date, product links): ``apply`` of
   production.bom.change against Tryton's native way (BOM.copy of every BOM
   in one call, the inputs found and written in one call each) and a naive
   per-BOM loop, the naive loop on the first NAIVE BOMs only (it is
   linear) and ours on the same BOMs too.

Identical results (the BOMs, levels and orders; every new version's inputs
with quantities, loss rates and substitutes) are checked before any figure
is written.  Results in bench/results/production_bom_engineering.md.
"""
import datetime as dt
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

DATE = dt.date(2027, 1, 4)
OPEN = ['request', 'draft', 'waiting', 'assigned', 'running']


def load():
    return os.getloadavg()[0]


# Set-up
def setup(generator, count):
    """钢管 Φ25 in count BOMs of the dataset (every level), 钢管 Φ22, a
    draft order for every 25th BOM; return (Φ25, Φ22, BOM ids)"""
    from trytond.pool import Pool
    pool = Pool()
    Template = pool.get('product.template')
    tube25, tube22 = [t.products[0].id for t in Template.create([{
                    'name': n, 'code': n, 'type': 'goods',
                    'purchasable': True, 'default_uom': generator.unit.id,
                    'purchase_uom': generator.unit.id,
                    'list_price': 1, 'products': [('create', [{}])],
                    } for n in ["钢管 Φ25", "钢管 Φ22"]])]
    made = sorted(generator.bom_ids)
    made = [p for i, p in enumerate(made) if i % 8 < 5][:count]
    boms = [generator.bom_ids[p] for p in made]
    add_inputs(boms, tube25, generator.unit.id)
    add_orders(generator, made[::25])
    return tube25, tube22, boms


def add_inputs(boms, product, unit):
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    Input = Pool().get('production.bom.input')
    table = Input.__table__()
    cursor = Transaction().connection.cursor()
    cursor.execute(*table.insert(
            [table.bom, table.product, table.quantity, table.unit,
                table.create_uid, table.create_date],
            [[b, product, 4.0, unit, 0, dt.datetime.now()] for b in boms]))
    Pool().get('production.kitting')._bom_graph_cache.clear()


def add_orders(generator, products):
    "A draft order of each product, one in four before the effective date"
    from trytond.pool import Pool
    pool = Pool()
    Production = pool.get('production')
    Location = pool.get('stock.location')
    warehouse = Location(generator.warehouse.id)
    Production.create([{
                'product': p, 'bom': generator.bom_ids[p], 'quantity': 10,
                'unit': generator.unit.id, 'company': generator.company.id,
                'warehouse': warehouse.id,
                'location': warehouse.production_location.id,
                'planned_date': d, 'planned_start_date': d,
                } for i, p in enumerate(products)
            for d in [DATE - dt.timedelta(days=3) if i % 4 == 3
                else DATE + dt.timedelta(days=i % 60)]])


# Preview: Tryton's native way and the naive loop
def native_preview(product, date):
    "ORM searches by domain: the users, the users above level by level"
    from trytond.pool import Pool
    pool = Pool()
    Input = pool.get('production.bom.input')
    Output = pool.get('production.bom.output')
    boms = {i.bom.id for i in Input.search([
                ('product', '=', product), ('bom.state', '=', 'active')])}
    seen, parents, level, current = set(boms), [], 1, boms
    while current:
        products = {o.product.id for o in Output.search([
                    ('bom', 'in', list(current))])}
        current = {i.bom.id for i in Input.search([
                    ('product', 'in', list(products)),
                    ('bom.state', '=', 'active')])} - seen
        level += 1
        seen |= current
        parents.extend([b, level] for b in sorted(current))
    return sorted(boms), parents, _orders_native(boms, date)


def _orders_native(boms, date):
    from trytond.pool import Pool
    Production = Pool().get('production')
    return [p.id for p in Production.search([
                ('bom', 'in', list(boms)), ('state', 'in', OPEN),
                ['OR', ('planned_date', '=', None),
                    ('planned_date', '>=', date)]], order=[('id', 'ASC')])]


def naive_preview(product, date):
    "Every active BOM read with its inputs; a search per BOM or product"
    from trytond.pool import Pool
    BOM = Pool().get('production.bom')
    boms = [b for b in BOM.search([('state', '=', 'active')])
        if any(i.product.id == product for i in b.inputs)]
    seen = {b.id for b in boms}
    parents, level, current = [], 1, boms
    while current:
        level += 1
        current = _naive_users(current, seen)
        seen |= {b.id for b in current}
        parents.extend([b, level] for b in sorted(b.id for b in current))
    return sorted(b.id for b in boms), parents, sorted(
        o for b in boms for o in _naive_orders(b, date))


def _naive_users(boms, seen):
    from trytond.pool import Pool
    Input = Pool().get('production.bom.input')
    found = set()
    for bom in boms:
        for output in bom.outputs:
            for input_ in Input.search([('product', '=', output.product.id)]):
                if input_.bom.state == 'active' and input_.bom.id not in seen:
                    found.add(input_.bom)
    return found


def _naive_orders(bom, date):
    from trytond.pool import Pool
    Production = Pool().get('production')
    return [p.id for p in Production.search([('bom', '=', bom.id)])
        if p.state in OPEN and (not p.planned_date or p.planned_date >= date)]


def ours_preview(product, date):
    from trytond.pool import Pool
    Change = Pool().get('production.bom.change')
    found = Change.preview(product, date)
    return found['boms'], found['parents'], found['productions']


# Apply: ours, Tryton's native way and the naive loop
def make_change(boms, tube25, tube22):
    "An approved change order replacing 钢管 Φ25 by 钢管 Φ22 in boms"
    from trytond.pool import Pool
    Change = Pool().get('production.bom.change')
    change, = Change.create([{
                'reason': "E1", 'effective_date': DATE, 'requested_by': 1,
                'boms': [('add', boms)],
                'lines': [('create', [{'action': 'replace',
                                'product': tube25, 'new_product': tube22,
                                'ratio': 1.0}])],
                }])
    Change.write([change], {'state': 'approved'})
    return change


def ours_apply(boms, tube25, tube22, counter):
    from trytond.pool import Pool
    Change = Pool().get('production.bom.change')
    change = make_change(boms, tube25, tube22)
    profile = os.environ.get('BENCH_PROFILE')
    if profile and len(boms) > 1000 and not os.path.exists(profile):
        # cProfile of the first full apply (not timed: untimed warm-up)
        import cProfile
        cProfile.runctx('Change.apply([change])', globals(), locals(),
            profile)
        raise ProfiledError
    return _timed(counter, lambda: Change.apply([change]))


class ProfiledError(Exception):
    "Roll the profiled apply back and run it again"


def native_apply(boms, tube25, tube22, counter):
    "BOM.copy of every BOM, the inputs searched and written: one call each"
    from trytond.pool import Pool
    BOM = Pool().get('production.bom')
    old = BOM.browse(boms)
    return _timed(counter, lambda: _native_apply(old, tube25, tube22))


def _native_apply(old, tube25, tube22):
    from trytond.pool import Pool
    pool = Pool()
    BOM = pool.get('production.bom')
    Input = pool.get('production.bom.input')
    ProductBOM = pool.get('product.product-production.bom')
    new = BOM.copy(old, default={
            'previous_version': lambda d: d['id'],
            'family': lambda d: d['family'] or d['id'],
            'version': 'V2', 'start_date': DATE})
    inputs = Input.search([('bom', 'in', [b.id for b in new]),
            ('product', '=', tube25)])
    Input.write(inputs, {'product': tube22})
    versions = {o.id: n.id for o, n in zip(old, new)}
    ProductBOM.copy(ProductBOM.search([('bom', 'in', list(versions))]),
        default={'bom': lambda d: versions[d['bom']]})
    # DATE is ahead: the old versions expire then, active until it
    BOM.write(old, {'end_date': DATE})
    BOM.write(new, {'state': 'active'})


def naive_apply(boms, tube25, tube22, counter):
    "Per BOM: copy, change the input, obsolete the old one, link"
    return _timed(counter, lambda: _naive_apply(boms, tube25, tube22))


def _naive_apply(boms, tube25, tube22):
    from trytond.pool import Pool
    pool = Pool()
    BOM = pool.get('production.bom')
    ProductBOM = pool.get('product.product-production.bom')
    for bom in BOM.browse(boms):
        new, = BOM.copy([bom], default={
                'previous_version': bom.id, 'family': (bom.family or bom).id,
                'version': 'V2', 'start_date': DATE})
        for input_ in new.inputs:
            if input_.product.id == tube25:
                input_.product = tube22
                input_.save()
        BOM.write([bom], {'end_date': DATE})
        BOM.write([new], {'state': 'active'})
        ProductBOM.copy(ProductBOM.search([('bom', '=', bom.id)]),
            default={'bom': new.id})


def _timed(counter, function):
    "Return (seconds, statements) of function"
    counter[0] = 0
    start = time.perf_counter()
    function()
    return time.perf_counter() - start, counter[0]


def new_versions(boms):
    """{old BOM: (version, state, sorted inputs with quantity, loss rate and
    substitutes, outputs, linked products)} of the new versions"""
    from trytond.pool import Pool
    pool = Pool()
    BOM = pool.get('production.bom')
    ProductBOM = pool.get('product.product-production.bom')
    news = BOM.search([('previous_version', 'in', boms)])
    links = {}
    for link in ProductBOM.search([('bom', 'in', [b.id for b in news])]):
        links.setdefault(link.bom.id, []).append(link.product.id)
    return {b.previous_version.id: (b.version, b.state, b.start_date,
            sorted((i.product.id, i.quantity, i.loss_rate, sorted(
                        (s.product.id, s.ratio) for s in i.substitutes))
                for i in b.inputs),
            sorted((o.product.id, o.quantity) for o in b.outputs),
            sorted(links.get(b.id, [])), b.previous_version.state)
        for b in news}


# The run
class Runner:
    "Calls in their own transaction (rolled back), retried as RPC does"

    def __init__(self, database, company):
        self.database = database
        self.context = {'company': company}

    def __call__(self, function, *args):
        from trytond.transaction import Transaction, TransactionError
        extras = {}
        while True:
            with Transaction().start(self.database, 1,
                    context=self.context, **extras) as transaction:
                try:
                    return function(*args)
                except TransactionError as e:
                    transaction.rollback()
                    e.fix(extras)
                except ProfiledError:
                    continue
                finally:
                    transaction.rollback()


def run_e1(database, generator, args, counter):
    "Set up E1 on the loaded dataset, measure, return the lines"
    from trytond.transaction import Transaction
    with Transaction().start(database, 0, context={
                'company': generator.company.id}):
        tube25, tube22, boms = setup(generator, args.boms)
    call = Runner(database, generator.company.id)
    lines = _header(generator, args, boms)
    lines += preview(call, tube25, args, counter)
    lines += apply(call, boms, tube25, tube22, args, counter)
    return lines


def _header(generator, args, boms):
    return [
        '', '## E1: mass replacement of a component in %s BOMs' % len(boms),
        '',
        '钢管 Φ25 (4 per unit) added to %s of the %s BOMs of dataset %s '
        '(every 8 BOMs 5, over all levels), a draft order for every 25th '
        '(one in four planned before the effective date %s); 钢管 Φ25 → '
        '4 × 钢管 Φ22 (ratio 1).  Each call in its own transaction, rolled '
        'back after; a record lock Tryton asks for restarts the call as '
        'the RPC dispatcher does (not timed).  Identical results first.'
        % (len(boms), len(generator.bom_ids), args.size, DATE), '',
        '| case | way | time | statements | load |',
        '|---|---|---|---|---|',
        ]


def _row(case, way, seconds, statements):
    row = '| %s | %s | %.3f s | %s | %.1f |' % (
        case, way, seconds, statements, load())
    print(row, file=sys.stderr, flush=True)
    return row


def preview(call, tube25, args, counter):
    results, rows = {}, []
    for way, function, runs in [
            ('ours (`production.bom.change.preview`)', ours_preview,
                args.e1_runs),
            ('Tryton native (ORM searches by domain)', native_preview, 1),
            ('naive ORM loop', naive_preview, 1)]:
        times = []
        for _ in range(runs + (runs > 1)):
            times.append(call(lambda f=function: _timed_result(
                        counter, f, tube25, DATE, results)))
        times = times[1:] if runs > 1 else times
        rows.append((way, statistics.median(t for t, _ in times),
                times[-1][1]))
    first, *others = results.values()
    if any(o != first for o in others):
        raise RuntimeError("previews differ")
    case = 'preview: %s BOMs, %s above, %s orders' % (
        len(first[0]), len(first[1]), len(first[2]))
    return [_row(case, *r) for r in rows]


def _timed_result(counter, function, product, date, results):
    counter[0] = 0
    start = time.perf_counter()
    result = function(product, date)
    elapsed = time.perf_counter() - start
    results[function.__name__] = (
        list(result[0]), [list(p) for p in result[1]], list(result[2]))
    return elapsed, counter[0]


def apply(call, boms, tube25, tube22, args, counter):
    part = boms[:args.naive]
    rows = []
    for case, ways in [
            ('apply: %s BOMs' % len(boms), [
                    ('ours (ECN `apply`)', ours_apply, args.e1_runs),
                    ('Tryton native (BOM.copy, Input.write)',
                        native_apply, 1)]),
            ('apply: the first %s BOMs' % len(part), [
                    ('ours (ECN `apply`)', ours_apply, 1),
                    ('naive per-BOM loop', naive_apply, 1)])]:
        ids = boms if 'first' not in case else part
        found = {}
        for way, function, runs in ways:
            times = [call(_apply_once, function, ids, tube25, tube22,
                    counter, found, way) for _ in range(runs)]
            rows.append(_row(case, way,
                    statistics.median(t for t, _ in times), times[-1][1]))
        first, *others = found.values()
        if len(first) != len(ids) or any(o != first for o in others):
            raise RuntimeError("apply differs: %s" % case)
    return rows + ['', 'Naive loop for all %s BOMs ≈ %s s (linear from the '
        'first %s).' % (len(boms), '%.0f' % (
                float(rows[-1].split('|')[3].split()[0])
                * len(boms) / len(part)), len(part))]


def _apply_once(function, ids, tube25, tube22, counter, found, way):
    result = function(ids, tube25, tube22, counter)
    found[way] = new_versions(ids)
    return result


def main():
    from bench import bench_production_bom_engineering as engineering
    sys.argv[1:1] = ['--only', 'e1']
    engineering.main()


if __name__ == '__main__':
    main()
