# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Demo BOM versions and engineering change orders (工程变更单).

The BOMs of the factory become active version V1 from today; an applied
change order gives the armrest (扶手总成 SA-104) a version V2 with 6 screws
instead of 4 from next Monday; a submitted one, waiting for the approver,
raises the loss rate of 钢管 Φ25 to 3 % in every BOM using it.

Uses ctx.config, ctx.users (planner, manager), ctx.boms, ctx.products and
ctx.today; sets ctx.bom_changes.  See doc/DEVELOPING.md.
"""
import datetime as dt
from decimal import Decimal

MODULE = 'production_bom_engineering'
# role: groups of this module
ROLE_GROUPS = {
    'planner': ['group_bom_engineer'],
    'manager': ['group_bom_engineer', 'group_bom_change_approver'],
    }


def _as(ctx, role):
    "Act as the demo user of the role (None: back to the factory user)"
    from proteus import Model
    config = ctx.config
    User = Model.get('res.user')
    config.user = ctx._bom_engineering_user if role is None else (
        ctx.users[role].id)
    config._context = User.get_preferences(True, {})


def _groups(ctx):
    from proteus import Model
    Group = Model.get('res.group')
    ModelData = Model.get('ir.model.data')
    User = Model.get('res.user')
    for role, xml_ids in ROLE_GROUPS.items():
        if role not in ctx.users:
            continue
        user = User(ctx.users[role].id)
        for xml_id in xml_ids:
            group = Group(ModelData.get_id(MODULE, xml_id, {}))
            if group not in user.groups:
                user.groups.append(group)
        user.save()


def _activate(ctx):
    "Activate the draft BOMs of the factory from today"
    from proteus import Model
    BOM = Model.get('production.bom')
    boms = BOM.find([('state', '=', 'draft')])
    for bom in boms:
        bom.start_date = ctx.today
    BOM.save(boms)
    BOM.click(boms, 'activate')


def _change(ctx, reason, component, line, date):
    "Create and submit, as the planner, the order of line on component"
    from proteus import Model
    Change = Model.get('production.bom.change')
    Product = Model.get('product.product')
    change = Change(reason=reason, effective_date=date,
        component=Product(ctx.products[component].id))
    change.lines.new(**line)
    change.save()
    change.click('find_boms')
    change.click('submit')
    return change


def create(ctx):
    from proteus import Model
    Change = Model.get('production.bom.change')
    Product = Model.get('product.product')
    ctx._bom_engineering_user = ctx.config.user
    _groups(ctx)
    _activate(ctx)
    monday = ctx.today + dt.timedelta(days=7 - ctx.today.weekday())
    screw = Product(ctx.products['RM-009'].id)
    tube = Product(ctx.products['RM-001'].id)
    _as(ctx, 'planner')
    applied = Change(reason="扶手总成加固：螺丝 M6×20 由 4 个改为 6 个",
        effective_date=monday, component=None)
    applied.lines.new(action='quantity', product=screw, quantity=6)
    applied.boms.append(Model.get('production.bom')(ctx.boms['SA-104'].id))
    applied.save()
    applied.click('submit')
    pending = _change(ctx, "钢管 Φ25 切割损耗实测 3%", 'RM-001',
        {'action': 'loss_rate', 'product': tube,
            'loss_rate': Decimal(3)}, monday)
    _as(ctx, 'manager')
    applied = Change(applied.id)
    applied.click('approve')
    applied.click('apply')
    _as(ctx, None)
    ctx.bom_changes = [Change(applied.id), Change(pending.id)]
