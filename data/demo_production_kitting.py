# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Demo kitting (齐套分析 / 足缺料): substitutes on the demo BOMs and a
production order that is short, with its shortage tab filled.

Uses ctx.config, ctx.today, ctx.company, ctx.warehouse, ctx.products and
ctx.boms; see doc/DEVELOPING.md.
"""
import datetime as dt

# product of the BOM, main input, substitute, ratio
SUBSTITUTES = [
    # 尼龙五星脚 may be replaced by 铝合金五星脚 one for one
    ('SA-102', 'RM-006', 'RM-007', 1),
    # 网布 3D may be replaced by 1.2 m of 黑色面料 per metre
    ('SA-101', 'RM-004', 'RM-003', 1.2),
    ]
# product, quantity, days from today: more than the stock can supply
SHORT_ORDERS = [('FG-001', 500, 10)]


def create(ctx):
    from proteus import Model
    Substitute = Model.get('production.bom.input.substitute')
    Production = Model.get('production')
    for code, main, substitute, ratio in SUBSTITUTES:
        bom = ctx.boms.get(code)
        if not bom or main not in ctx.products:
            continue
        bom = Model.get('production.bom')(bom.id)
        for input_ in bom.inputs:
            if input_.product and input_.product.code == main:
                input_.substitutes.append(Substitute(
                        product=ctx.products[substitute], ratio=ratio))
        bom.save()
    for code, quantity, days in SHORT_ORDERS:
        if code not in ctx.boms:
            continue
        production = Production()
        production.company = ctx.company
        production.warehouse = ctx.warehouse
        production.product = ctx.products[code]
        production.bom = ctx.boms[code]
        production.quantity = quantity
        production.planned_date = ctx.today + dt.timedelta(days=days)
        production.reference = "齐套演示"
        production.click('wait')
        production.click('kitting_analyse')
        ctx.productions.append(production)
