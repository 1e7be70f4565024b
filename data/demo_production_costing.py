# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Demo production costing (成本核算).

The cost accountant 刘洋 gets the group 成本会计 and costs the month of
the demo's today: one overhead pool of 12,000.00 (车间制造费用) allocated
over every order of the month by output quantity (equivalent units for
the orders still in process), then 一键核算.

Uses ctx.config, ctx.users, ctx.today and ctx.company; sets
ctx.cost_period.  See doc/DEVELOPING.md.
"""
import datetime as dt
from decimal import Decimal

MODULE = 'production_costing'
OVERHEAD = Decimal('12000.00')


def create(ctx):
    from proteus import Model
    Group = Model.get('res.group')
    ModelData = Model.get('ir.model.data')
    User = Model.get('res.user')
    group = Group(ModelData.get_id(MODULE, 'group_cost_accountant', {}))
    user = User(ctx.users['accountant'].id)
    user.groups.append(group)
    user.save()
    ctx.cost_period = _period(ctx)


def _period(ctx):
    "The month of today, calculated by the factory user"
    from proteus import Model
    Period = Model.get('production.cost.period')
    start = ctx.today.replace(day=1)
    end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(1)
    period = Period(company=ctx.company, start_date=start, end_date=end)
    period.pools.new(description="车间制造费用", amount=OVERHEAD,
        base='quantity')
    period.save()
    period.click('calculate')
    return period
