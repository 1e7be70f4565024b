# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Demo MRP (物料需求计划): loss rates, lot sizes, a safety stock, lead
times, a sales forecast, then one run whose suggestions the planner reads
(and one firm).

Uses ctx.config, ctx.today, ctx.company, ctx.warehouse, ctx.products and
ctx.boms; see doc/DEVELOPING.md.
"""
import datetime as dt
from decimal import Decimal

# BOM of product, input, loss rate in %
LOSS_RATES = [
    ('SA-104', 'RM-001', '5'),
    ('SA-105', 'RM-001', '5'),
    ('SA-103', 'RM-003', '8'),
    ('SA-101', 'RM-004', '6'),
    ]
# product: template values
SETTINGS = {
    'RM-009': {'mrp_lot_minimum': 2000, 'mrp_lot_multiple': 500,
        'mrp_safety_stock': 1000},
    'RM-008': {'mrp_lot_multiple': 100},
    'RM-016': {'mrp_lot_method': 'period', 'mrp_period_days': 14},
    'SA-102': {'mrp_lot_method': 'period', 'mrp_period_days': 7},
    }
# product, days
LEAD_TIMES = [
    ('FG-001', 3), ('FG-002', 4), ('FG-003', 2), ('FG-004', 2),
    ('FG-005', 3), ('SA-101', 2), ('SA-102', 1), ('SA-103', 2),
    ('SA-104', 1), ('SA-105', 3), ('SA-106', 1), ('SA-107', 3),
    ]
# product, quantity, first day, last day from today
FORECASTS = [('FG-003', 120, 20, 20), ('FG-004', 200, 30, 30)]


def create(ctx):
    _loss_rates(ctx)
    _settings(ctx)
    _lead_times(ctx)
    _forecasts(ctx)
    _run(ctx)


def _loss_rates(ctx):
    from proteus import Model
    BOM = Model.get('production.bom')
    for code, component, rate in LOSS_RATES:
        if code not in ctx.boms:
            continue
        bom = BOM(ctx.boms[code].id)
        for input_ in bom.inputs:
            if input_.product and input_.product.code == component:
                input_.loss_rate = Decimal(rate)
        bom.save()


def _settings(ctx):
    for code, values in SETTINGS.items():
        if code not in ctx.products:
            continue
        template = ctx.products[code].template
        for name, value in values.items():
            setattr(template, name, value)
        template.save()


def _lead_times(ctx):
    from proteus import Model
    LeadTime = Model.get('production.lead_time')
    for code, days in LEAD_TIMES:
        if code in ctx.boms:
            LeadTime(product=ctx.products[code],
                lead_time=dt.timedelta(days=days)).save()


def _forecasts(ctx):
    from proteus import Model
    Forecast = Model.get('stock.forecast')
    Location = Model.get('stock.location')
    customer, = Location.find([('type', '=', 'customer')], limit=1)
    for code, quantity, first, last in FORECASTS:
        forecast = Forecast(warehouse=ctx.warehouse, destination=customer,
            from_date=ctx.today + dt.timedelta(days=first),
            to_date=ctx.today + dt.timedelta(days=last))
        forecast.lines.new(product=ctx.products[code], quantity=quantity)
        forecast.click('confirm')


def _run(ctx):
    """One run, computed by its button as a planner does (in the queue when
    a worker serves it); the planner firms the screws of the first day"""
    from proteus import Model
    Run = Model.get('production.mrp.run')
    run = Run(warehouse=ctx.warehouse)
    run.save()
    run.click('compute')
    run.reload()
    for suggestion in run.suggestions:
        if suggestion.product == ctx.products.get('RM-009'):
            suggestion.click('firm')
            break
    ctx.mrp_run = run
