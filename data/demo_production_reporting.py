# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Demo records of production_reporting (订单进度跟踪).

Adds a late production order, a sales line whose production finishes after
its promised date (at risk), the production manager's home dashboard and,
with production_kitting, the kitting analysis of the open orders (their
kitting status in the tracking).
Uses ctx: today, warehouse, production_location, products, boms,
customers, users.
"""
import datetime as dt

from proteus import Model

from data.demo import click

DASHBOARD = [
    'act_dashboard_warning',
    'act_dashboard_late',
    'act_dashboard_output',
    'act_dashboard_on_time',
    ]


def _finished_good(ctx):
    for code in sorted(ctx.boms):
        if code.startswith('FG'):
            return ctx.products[code], ctx.boms[code]
    code = sorted(ctx.boms)[0]
    return ctx.products[code], ctx.boms[code]


def _production(ctx, product, bom, quantity, planned_date, origin=None):
    Production = Model.get('production')
    production = Production()
    production.warehouse = ctx.warehouse
    production.location = ctx.production_location
    production.product = product
    production.bom = bom
    production.quantity = quantity
    production.planned_date = planned_date
    production.planned_start_date = planned_date - dt.timedelta(days=2)
    if origin is not None:
        production.origin = origin
    production.save()
    click(production, 'wait')
    return production


def create_late(ctx):
    "A production order that should have been done 3 days ago"
    product, bom = _finished_good(ctx)
    return _production(
        ctx, product, bom, 12, ctx.today - dt.timedelta(days=3))


def create_at_risk(ctx):
    "A sales line promised in 3 days whose production ends in 10 days"
    Sale = Model.get('sale.sale')
    product, bom = _finished_good(ctx)
    customer = ctx.customers[sorted(ctx.customers)[0]]
    sale = Sale(party=customer, warehouse=ctx.warehouse,
        invoice_method='order', shipment_method='order')
    sale.shipping_date = ctx.today + dt.timedelta(days=3)
    line = sale.lines.new()
    line.product = product
    line.quantity = 8
    line.unit_price = product.template.list_price
    sale.save()
    click(sale, 'quote')
    click(sale, 'confirm')
    line, = sale.lines
    productions = [p for p in Model.get('production').find([
                ('origin', '=', str(line)),
                ])]
    if productions:
        for production in productions:
            if production.state in {'request', 'draft'}:
                production.planned_date = ctx.today + dt.timedelta(days=10)
                production.planned_start_date = ctx.today
                production.save()
                if production.state == 'request':
                    click(production, 'draft')
                click(production, 'wait')
    else:
        _production(ctx, product, bom, 8,
            ctx.today + dt.timedelta(days=10), origin=line)
    return sale


def create_dashboard(ctx):
    """The home board of the production supervisor, the planner and the
    cost accountant (their landing page, see data/demo.py)"""
    ModelData = Model.get('ir.model.data')
    Action = Model.get('dashboard.action')
    ActWindow = Model.get('ir.action.act_window')
    User = Model.get('res.user')
    for role in ['manager', 'planner', 'accountant']:
        user = ctx.users.get(role)
        if user is None:
            continue
        for sequence, fs_id in enumerate(DASHBOARD, 1):
            act_window_id = ModelData.get_id(
                'production_reporting', fs_id, {})
            action = Action(user=user, sequence=sequence * 10)
            action.act_window = ActWindow(act_window_id)
            action.save()
        user = User(user.id)
        user.dashboard_layout = 'square'
        user.save()


def create_kitting(ctx):
    "The kitting analysis of the open orders, for their kitting status"
    Module = Model.get('ir.module')
    if not Module.find([
                ('name', '=', 'production_kitting'),
                ('state', '=', 'activated'),
                ]):
        return
    Production = Model.get('production')
    productions = Production.find([
            ('state', 'in', ['draft', 'waiting', 'assigned', 'running']),
            ('warehouse', '!=', None),
            ])
    if productions:
        Production.click(productions, 'kitting_analyse')


def create(ctx):
    create_late(ctx)
    create_at_risk(ctx)
    create_dashboard(ctx)
    create_kitting(ctx)
