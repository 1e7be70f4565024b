# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The demo factory: 宁波华椅办公家具有限公司, an office-chair maker.

Built through Tryton's own API (proteus, in-process) on a database where
the modules are already activated (tools/demo.py does that):

    python -m data.demo --config CONF --database NAME

Then the plug-in ``data/demo_<module>.py`` of each of our modules that has
one adds its records, in the dependency order of the modules (see
doc/DEVELOPING.md for the ``ctx`` it receives); a plug-in of no module of
ours, or of a module not activated, stops the build.
"""
import argparse
import datetime as dt
import importlib
import os
import sys
import types
from decimal import Decimal
from zoneinfo import ZoneInfo

DEMO_PASSWORD = 'zhizao2026'
# the company's: Tryton's today and the printed times are Beijing time
TIMEZONE = 'Asia/Shanghai'
HERE = os.path.dirname(os.path.abspath(__file__))

# code, name, unit, cost, list price, lot, kind
PRODUCTS = [
    ('FG-001', "人体工学网椅 E1", 'u', None, '899', False, 'fg'),
    ('FG-002', "经理班椅 M2 真皮", 'u', None, '1680', False, 'fg'),
    ('FG-003', "会议椅 C3", 'u', None, '369', False, 'fg'),
    ('FG-004', "职员椅 S4", 'u', None, '299', False, 'fg'),
    ('FG-005', "电竞椅 G5", 'u', None, '1199', False, 'fg'),
    ('SA-101', "椅背总成（网布）", 'u', None, None, False, 'sa'),
    ('SA-102', "底座总成（尼龙）", 'u', None, None, False, 'sa'),
    ('SA-103', "坐垫总成（面料）", 'u', None, None, False, 'sa'),
    ('SA-104', "扶手总成", 'u', None, None, False, 'sa'),
    ('SA-105', "椅背总成（真皮）", 'u', None, None, False, 'sa'),
    ('SA-106', "底座总成（铝合金）", 'u', None, None, False, 'sa'),
    ('SA-107', "坐垫总成（真皮）", 'u', None, None, False, 'sa'),
    ('RM-001', "钢管 Φ25", 'm', '18.50', None, True, 'rm'),
    ('RM-002', "高密度海绵", 'kg', '24.00', None, True, 'rm'),
    ('RM-003', "黑色面料", 'm', '15.80', None, True, 'rm'),
    ('RM-004', "网布 3D", 'm', '21.00', None, True, 'rm'),
    ('RM-005', "气杆 4 级", 'u', '32.00', None, True, 'rm'),
    ('RM-006', "尼龙五星脚 320mm", 'u', '28.00', None, False, 'rm'),
    ('RM-007', "铝合金五星脚 350mm", 'u', '75.00', None, False, 'rm'),
    ('RM-008', "PU 脚轮 60mm", 'u', '2.60', None, False, 'rm'),
    ('RM-009', "螺丝 M6×20", 'u', '0.12', None, False, 'rm'),
    ('RM-010', "底盘 蝴蝶型", 'u', '26.00', None, False, 'rm'),
    ('RM-011', "多层板 12mm", 'u', '9.50', None, False, 'rm'),
    ('RM-012', "头层牛皮", 'm²', '160.00', None, True, 'rm'),
    ('RM-013', "PP 扶手", 'u', '11.00', None, False, 'rm'),
    ('RM-014', "腰托", 'u', '16.00', None, False, 'rm'),
    ('RM-015', "椅背框架（塑料）", 'u', '22.00', None, False, 'rm'),
    ('RM-016', "包装纸箱", 'u', '8.00', None, False, 'rm'),
    ('RM-017', "头枕", 'u', '25.00', None, False, 'rm'),
    ('RM-018', "海绵边角料", 'kg', '3.00', None, False, 'bp'),
    ('RM-019', "胶水", 'kg', '30.00', None, True, 'rm'),
    ]

# product: ([(input, quantity)], [(by-product, quantity)])
BOMS = {
    'SA-101': ([('RM-015', 1), ('RM-004', '0.6'), ('RM-014', 1),
                ('RM-009', 4)], []),
    'SA-102': ([('RM-006', 1), ('RM-005', 1), ('RM-008', 5),
                ('RM-010', 1), ('RM-009', 4)], []),
    'SA-103': ([('RM-011', 1), ('RM-002', '0.8'), ('RM-003', '0.9'),
                ('RM-019', '0.05'), ('RM-009', 4)], [('RM-018', '0.1')]),
    'SA-104': ([('RM-013', 2), ('RM-001', '0.8'), ('RM-009', 4)], []),
    'SA-105': ([('RM-001', '1.2'), ('RM-012', '0.5'), ('RM-002', '0.3'),
                ('RM-019', '0.05')], []),
    'SA-106': ([('RM-007', 1), ('RM-005', 1), ('RM-008', 5),
                ('RM-010', 1), ('RM-009', 4)], []),
    'SA-107': ([('RM-011', 1), ('RM-002', 1), ('RM-012', '0.6'),
                ('RM-019', '0.05')], [('RM-018', '0.15')]),
    'FG-001': ([('SA-101', 1), ('SA-102', 1), ('SA-103', 1), ('SA-104', 1),
                ('RM-009', 8), ('RM-016', 1)], []),
    'FG-002': ([('SA-105', 1), ('SA-106', 1), ('SA-107', 1), ('SA-104', 1),
                ('RM-017', 1), ('RM-009', 8), ('RM-016', 1)], []),
    'FG-003': ([('SA-103', 1), ('RM-001', '2.4'), ('RM-015', 1),
                ('RM-009', 6), ('RM-016', 1)], []),
    'FG-004': ([('SA-101', 1), ('SA-102', 1), ('SA-103', 1),
                ('RM-009', 6), ('RM-016', 1)], []),
    'FG-005': ([('SA-105', 1), ('SA-106', 1), ('SA-107', 1), ('SA-104', 1),
                ('RM-017', 1), ('RM-014', 1), ('RM-009', 8),
                ('RM-016', 1)], []),
    }

SUPPLIERS = {
    "宁波精钢管业有限公司": (['RM-001', 'RM-010'], 5),
    "绍兴柯桥纺织面料厂": (['RM-003', 'RM-004', 'RM-012'], 7),
    "佛山顺德海绵制品有限公司": (['RM-002', 'RM-011', 'RM-019'], 4),
    "安吉五金配件厂": (['RM-005', 'RM-006', 'RM-007', 'RM-008', 'RM-009',
            'RM-013', 'RM-014', 'RM-015', 'RM-017'], 6),
    "宁波包装材料有限公司": (['RM-016'], 3),
    }
CUSTOMERS = [
    "上海博雅办公家具经销公司", "杭州云栖科技有限公司", "苏州工业园区政务中心",
    "深圳前海电竞馆", "南京九州酒店管理有限公司"]

# role: (login, name, groups by xml id)
USERS = {
    'planner': ('planner', "计划员 王芳", [
            'production.group_production',
            'production_kitting.group_production_planning',
            'stock.group_stock',
            'purchase_request.group_purchase_request',
            'product.group_product_admin']),
    'storekeeper': ('storekeeper', "仓管员 李强", [
            'stock.group_stock', 'stock_quarantine.group_storekeeper',
            'production.group_production']),
    'qc': ('qc', "质检员 陈静", [
            'quality.group_quality', 'stock.group_stock']),
    'manager': ('manager', "生产主管 张伟", [
            'production.group_production',
            'production.group_production_admin',
            'production_kitting.group_production_planning',
            'stock.group_stock', 'quality.group_quality',
            'purchase.group_purchase']),
    'accountant': ('accountant', "成本会计 刘洋", [
            'account.group_account', 'production.group_production',
            'stock.group_stock']),
    'sales': ('sales', "销售员 赵磊", ['sale.group_sale']),
    }


def click(record, button):
    """Click the button; answer "yes" to a dismissable warning, as a user
    does after reading it (e.g. a sales line that cannot be promised in
    time), and click again"""
    from proteus import Model
    from trytond.exceptions import UserWarning
    try:
        record.click(button)
    except UserWarning as warning:
        Warning = Model.get('res.user.warning')
        Warning(user=record._config.user, name=warning.name,
            always=False).save()
        record.click(button)


def make_config(database, config_file):
    from proteus import config as pconfig
    return pconfig.set_trytond(database, config_file=config_file)


def create(config, today=None):
    "Create the demo factory; return the ctx given to the plug-ins"
    from proteus import Model
    from trytond.modules.account.tests.tools import (
        create_chart, create_fiscalyear, get_accounts)
    from trytond.modules.account_invoice.tests.tools import (
        set_fiscalyear_invoice_sequences)
    from trytond.modules.company.tests.tools import create_company

    ctx = types.SimpleNamespace(config=config)
    ctx.today = today or dt.datetime.now(ZoneInfo(TIMEZONE)).date()

    Lang = Model.get('ir.lang')
    zh, = Lang.find([('code', '=', 'zh_CN')])
    zh.translatable = True
    zh.save()

    Currency = Model.get('currency.currency')
    CurrencyRate = Model.get('currency.currency.rate')
    cny = Currency(name="人民币", symbol='¥', code='CNY',
        rounding=Decimal('0.01'))
    cny.save()
    CurrencyRate(date=dt.date(2020, 1, 1), rate=Decimal(1),
        currency=cny).save()
    ctx.currency = cny

    Party = Model.get('party.party')
    party = Party(name="宁波华椅办公家具有限公司")
    party.save()
    create_company(party, cny)
    Company = Model.get('company.company')
    ctx.company, = Company.find()
    ctx.company.timezone = TIMEZONE
    ctx.company.save()

    User = Model.get('res.user')
    admin, = User.find([('login', '=', 'admin')])
    admin.language = zh
    admin.save()
    config._context = User.get_preferences(True, {})

    with config.set_context(language='en'):
        # Tryton's helpers find records by their English names
        fiscalyear = set_fiscalyear_invoice_sequences(
            create_fiscalyear(ctx.company, today=ctx.today))
        fiscalyear.click('create_period')
        create_chart(ctx.company)
        accounts = get_accounts(ctx.company)

    _sequences(ctx)
    _locations(ctx)
    _parties(ctx)
    _products(ctx, accounts)
    _boms(ctx)
    _suppliers(ctx)
    _users(ctx)
    _stock(ctx)
    ctx.purchases = _purchases(ctx)
    ctx.sales = _sales(ctx)
    ctx.productions = _productions(ctx)
    return ctx


def _sequences(ctx):
    "Document numbers as the factory writes them: MO0001, SO0001, PO0001"
    from proteus import Model
    for model, field, prefix in [
            ('production.configuration', 'production_sequence', 'MO'),
            ('sale.configuration', 'sale_sequence', 'SO'),
            ('purchase.configuration', 'purchase_sequence', 'PO'),
            ('stock.configuration', 'shipment_in_sequence', 'RC'),
            ('stock.configuration', 'shipment_out_sequence', 'DO'),
            ]:
        configuration = Model.get(model)(1)
        sequence = getattr(configuration, field)
        sequence.prefix = prefix
        sequence.padding = 4
        sequence.save()


def _locations(ctx):
    from proteus import Model
    Location = Model.get('stock.location')
    warehouse, = Location.find([('type', '=', 'warehouse')])
    warehouse.name = "宁波总仓"
    warehouse.code = 'NB'
    warehouse.storage_location.name = "原材料及成品库"
    warehouse.storage_location.save()
    warehouse.input_location.name = "收货待检区"
    warehouse.input_location.save()
    warehouse.output_location.name = "发货区"
    warehouse.output_location.save()
    workshop = Location(name="装配车间线边仓", code='WS', type='storage',
        parent=warehouse.storage_location)
    workshop.save()
    warehouse.production_picking_location = workshop
    warehouse.save()
    quarantine = warehouse.quarantine_location
    quarantine.name = "不合格品库"
    quarantine.save()
    production_location = warehouse.production_location
    production_location.name = "生产车间"
    production_location.save()
    ctx.warehouse = warehouse
    ctx.storage = warehouse.storage_location
    ctx.workshop = workshop
    ctx.quarantine = quarantine
    ctx.production_location = production_location
    ctx.supplier_location, = Location.find([('code', '=', 'SUP')])
    ctx.customer_location, = Location.find([('code', '=', 'CUS')])
    ctx.lost_found, = Location.find([('type', '=', 'lost_found')])


def _parties(ctx):
    from proteus import Model
    Party = Model.get('party.party')
    ctx.suppliers = {}
    ctx.customers = {}
    for name in SUPPLIERS:
        party = Party(name=name)
        party.save()
        ctx.suppliers[name] = party
    for name in CUSTOMERS:
        party = Party(name=name)
        party.save()
        ctx.customers[name] = party


def _products(ctx, accounts):
    from proteus import Model
    Uom = Model.get('product.uom')
    Category = Model.get('product.category')
    Template = Model.get('product.template')
    ModelData = Model.get('ir.model.data')
    units = {symbol: Uom(ModelData.get_id('product', fs_id, {}))
        for symbol, fs_id in [('u', 'uom_unit'), ('m', 'uom_meter'),
            ('kg', 'uom_kilogram'), ('m²', 'uom_square_meter')]}
    categories = {}
    for kind, name in [('fg', "成品"), ('sa', "半成品"), ('rm', "原材料"),
            ('bp', "副产品")]:
        category = Category(name=name, accounting=True)
        category.account_expense = accounts['expense']
        category.account_revenue = accounts['revenue']
        category.save()
        categories[kind] = category
    ctx.products = {}
    for code, name, unit, cost, price, lot, kind in PRODUCTS:
        template = Template(name=name, type='goods', code=code)
        template.default_uom = units[unit]
        template.account_category = categories[kind]
        template.categories.append(Category(categories[kind].id))
        template.producible = kind in {'fg', 'sa', 'bp'}
        template.purchasable = kind in {'rm'}
        template.salable = kind == 'fg'
        if template.purchasable:
            template.purchase_uom = units[unit]
        if template.salable:
            template.sale_uom = units[unit]
            template.list_price = Decimal(price)
            if code in {'FG-002', 'FG-005'}:
                template.supply_on_sale = 'always'
        else:
            template.list_price = Decimal(0)
        template.cost_price_method = 'fixed' if kind == 'rm' else 'average'
        if lot:
            template.lot_required = ['supplier', 'storage', 'production']
        template.save()
        product, = template.products
        if cost:
            product.cost_price = Decimal(cost)
            product.save()
        ctx.products[code] = product


def _boms(ctx):
    from proteus import Model
    Bom = Model.get('production.bom')
    ProductBom = Model.get('product.product-production.bom')
    ctx.boms = {}
    for code, (inputs, byproducts) in BOMS.items():
        product = ctx.products[code]
        bom = Bom(name="%s 标准BOM" % product.name)
        for input_code, quantity in inputs:
            component = ctx.products[input_code]
            bom.inputs.new(product=component, quantity=float(quantity),
                unit=component.default_uom)
        bom.outputs.new(product=product, quantity=1,
            unit=product.default_uom)
        for output_code, quantity in byproducts:
            byproduct = ctx.products[output_code]
            bom.outputs.new(product=byproduct, quantity=float(quantity),
                unit=byproduct.default_uom)
        bom.save()
        ProductBom(product=product, bom=bom).save()
        ctx.boms[code] = bom


def _suppliers(ctx):
    from proteus import Model
    ProductSupplier = Model.get('purchase.product_supplier')
    for name, (codes, days) in SUPPLIERS.items():
        for code in codes:
            product = ctx.products[code]
            supplier = ProductSupplier(template=product.template,
                party=ctx.suppliers[name],
                lead_time=dt.timedelta(days=days))
            supplier.prices.new(quantity=0,
                unit_price=(product.cost_price * Decimal('0.95')).quantize(
                    Decimal('0.0001')))
            supplier.save()


def _users(ctx):
    from proteus import Model
    User = Model.get('res.user')
    Group = Model.get('res.group')
    ModelData = Model.get('ir.model.data')
    Lang = Model.get('ir.lang')
    Employee = Model.get('company.employee')
    Party = Model.get('party.party')
    zh, = Lang.find([('code', '=', 'zh_CN')])
    ctx.users = {}
    ctx.employees = {}
    for role, (login, name, groups) in USERS.items():
        party = Party(name=name.split()[-1])
        party.save()
        employee = Employee(party=party, company=ctx.company)
        employee.save()
        user = User(login=login, name=name, password=DEMO_PASSWORD,
            language=zh)
        for xml_id in groups:
            module, fs_id = xml_id.split('.')
            group_id = ModelData.get_id(module, fs_id, {})
            user.groups.append(Group(group_id))
        Company = Model.get('company.company')
        user.companies.append(Company(ctx.company.id))
        user.company = Company(ctx.company.id)
        user.employees.append(employee)
        user.employee = employee
        user.save()
        ctx.users[role] = user
        ctx.employees[role] = employee


def _lot(ctx, product, number):
    from proteus import Model
    Lot = Model.get('stock.lot')
    lot = Lot(number=number, product=product)
    lot.save()
    return lot


def _stock(ctx):
    "Opening stock (期初库存) in storage and at the line-side workshop"
    from proteus import Model
    Inventory = Model.get('stock.inventory')
    storage_qty = {
        'RM-001': 180, 'RM-002': 60, 'RM-003': 90, 'RM-004': 40,
        'RM-005': 35, 'RM-006': 30, 'RM-007': 8, 'RM-008': 160,
        'RM-009': 2000, 'RM-010': 40, 'RM-011': 50, 'RM-012': 12,
        'RM-013': 60, 'RM-014': 25, 'RM-015': 30, 'RM-016': 80,
        'RM-017': 6, 'RM-019': 10, 'FG-003': 24, 'FG-004': 15,
        }
    workshop_qty = {
        'RM-001': 40, 'RM-002': 20, 'RM-003': 24, 'RM-004': 12,
        'RM-005': 12, 'RM-006': 10, 'RM-008': 60, 'RM-009': 600,
        'RM-010': 10, 'RM-011': 20, 'RM-013': 20, 'RM-014': 10,
        'RM-015': 10, 'RM-016': 20, 'RM-019': 3,
        'SA-101': 12, 'SA-102': 6, 'SA-104': 8,
        }
    ctx.lots = {}
    ctx.workshop_lots = {}
    stamp = (ctx.today - dt.timedelta(days=40)).strftime('%y%m')
    for location, quantities, suffix in [
            (ctx.storage, storage_qty, '01'),
            (ctx.workshop, workshop_qty, '02')]:
        inventory = Inventory(location=location,
            date=ctx.today - dt.timedelta(days=30))
        for code, quantity in quantities.items():
            product = ctx.products[code]
            line = inventory.lines.new(product=product, quantity=quantity)
            if product.template.lot_required:
                number = 'L%s-%s' % (stamp, suffix)
                key = (code, number)
                if key not in ctx.lots:
                    ctx.lots[key] = _lot(ctx, product, number)
                line.lot = ctx.lots[key]
                if location == ctx.workshop:
                    ctx.workshop_lots[code] = line.lot
        inventory.save()
        inventory.click('confirm')


def _purchases(ctx):
    from proteus import Model
    Purchase = Model.get('purchase.purchase')
    Shipment = Model.get('stock.shipment.in')
    Move = Model.get('stock.move')
    purchases = []
    plans = [
        ("宁波精钢管业有限公司", [('RM-001', 200), ('RM-010', 50)],
            'received'),
        ("绍兴柯桥纺织面料厂", [('RM-003', 150), ('RM-004', 80)], 'confirmed'),
        ("安吉五金配件厂", [('RM-005', 100), ('RM-008', 500)], 'quotation'),
        ("佛山顺德海绵制品有限公司", [('RM-002', 120)], 'draft'),
        ]
    for index, (name, lines, state) in enumerate(plans):
        purchase = Purchase(party=ctx.suppliers[name],
            warehouse=ctx.warehouse,
            purchase_date=ctx.today - dt.timedelta(days=10 - index))
        for code, quantity in lines:
            product = ctx.products[code]
            line = purchase.lines.new(product=product, quantity=quantity)
            line.unit_price = product.cost_price
        purchase.save()
        if state != 'draft':
            purchase.click('quote')
        if state in {'confirmed', 'received'}:
            purchase.click('confirm')
        if state == 'received':
            shipment = Shipment(supplier=purchase.party,
                warehouse=ctx.warehouse,
                reference="送货单 SH-%s" % purchase.number)
            for move in purchase.moves:
                incoming = Move(move.id)
                if incoming.product.template.lot_required:
                    incoming.lot = _lot(ctx, incoming.product,
                        'P%s-%s' % (purchase.number, incoming.product.code))
                    incoming.save()
                shipment.incoming_moves.append(incoming)
            shipment.save()
            shipment.click('receive')
            shipment.click('do')
        purchases.append(purchase)
    return purchases


def _sales(ctx):
    from proteus import Model
    Sale = Model.get('sale.sale')
    sales = []
    plans = [
        ("上海博雅办公家具经销公司", [('FG-001', 40, 12), ('FG-004', 30, 12)],
            'confirmed'),
        ("杭州云栖科技有限公司", [('FG-002', 10, 20)], 'confirmed'),
        ("苏州工业园区政务中心", [('FG-003', 20, 5)], 'shipped'),
        ("深圳前海电竞馆", [('FG-005', 8, 25)], 'confirmed'),
        ("南京九州酒店管理有限公司", [('FG-003', 60, 30)], 'quotation'),
        ("上海博雅办公家具经销公司", [('FG-001', 100, 45)], 'draft'),
        ]
    for name, lines, state in plans:
        sale = Sale(party=ctx.customers[name], warehouse=ctx.warehouse,
            sale_date=ctx.today - dt.timedelta(days=3),
            invoice_method='order', shipment_method='order')
        for code, quantity, days in lines:
            line = sale.lines.new()
            line.product = ctx.products[code]
            line.quantity = quantity
            line.unit_price = ctx.products[code].template.list_price
            # the promised date (交货期) of the order is its latest line's
            sale.shipping_date = max(filter(None, [sale.shipping_date,
                        ctx.today + dt.timedelta(days=days)]))
        sale.save()
        if state != 'draft':
            click(sale, 'quote')
        if state in {'confirmed', 'shipped'}:
            click(sale, 'confirm')
        if state == 'shipped':
            sale.reload()
            shipment, = sale.shipments
            shipment.click('wait')
            shipment.click('assign_try')
            shipment.click('pick')
            shipment.click('pack')
            shipment.click('do')
        sale.reload()
        sales.append(sale)
    return sales


def _productions(ctx):
    "Production orders in every state"
    from proteus import Model
    Production = Model.get('production')
    Sale = Model.get('sale.sale')
    productions = []
    # requests: created by the sales of products supplied on sale
    for sale in ctx.sales:
        for line in Sale(sale.id).lines:
            productions.extend(getattr(line, 'productions', []))
    plans = [
        ('SA-102', 10, -12, 'done'),
        ('SA-103', 12, -10, 'done'),
        ('FG-004', 6, -6, 'done'),
        ('SA-101', 8, -3, 'running'),
        ('SA-104', 10, -2, 'running'),
        ('FG-001', 5, -8, 'running'),
        ('SA-103', 6, 1, 'assigned'),
        ('SA-101', 20, 2, 'waiting'),
        ('FG-001', 40, 6, 'draft'),
        ('FG-003', 30, 9, 'draft'),
        ]
    for code, quantity, days, state in plans:
        product = ctx.products[code]
        production = Production(warehouse=ctx.warehouse)
        production.product = product
        production.bom = ctx.boms[code]
        production.quantity = quantity
        production.planned_start_date = ctx.today + dt.timedelta(days=days)
        production.planned_date = ctx.today + dt.timedelta(days=days + 2)
        if code.startswith('SA-'):
            # semi-finished goods stay line-side (半成品不入库)
            for output in production.outputs:
                output.to_location = ctx.workshop
        for input_ in production.inputs:
            # the storekeeper picks the line-side lot (按批次领料)
            if input_.product.template.lot_required:
                input_.lot = ctx.workshop_lots[input_.product.code]
        production.save()
        if state in {'waiting', 'assigned', 'running', 'done'}:
            production.click('wait')
        if state in {'assigned', 'running', 'done'}:
            production.click('assign_try')
            assert production.state == 'assigned', (code, production.state)
        if state in {'running', 'done'}:
            production.click('run')
        if state == 'done':
            production.click('do')
        production.reload()
        productions.append(production)
    return productions


# role: the actions each role lands on after login, by xml id (the first
# one found installed)
LANDING = {
    'planner': ['dashboard.act_dashboard'],
    'manager': ['dashboard.act_dashboard'],
    'accountant': ['dashboard.act_dashboard'],
    'storekeeper': [
        'production_material_return.act_material_return_form',
        'stock.act_shipment_in_form'],
    'qc': ['quality.act_quality_inspection_form'],
    'sales': ['sale.act_sale_form'],
    }


def landing_pages(ctx):
    "Every role lands on its work, not on a blank page"
    from proteus import Model
    ModelData = Model.get('ir.model.data')
    Module = Model.get('ir.module')
    User = Model.get('res.user')
    Action = Model.get('ir.action')
    ActWindow = Model.get('ir.action.act_window')
    activated = {m.name for m in Module.find([('state', '=', 'activated')])}
    for role, xml_ids in LANDING.items():
        if role not in ctx.users:
            continue
        xml_ids = [x for x in xml_ids if x.split('.')[0] in activated]
        if not xml_ids:
            continue
        # the act_window's own action (ir.action), as res.user.actions wants
        window = ActWindow(ModelData.get_id(*xml_ids[0].split('.'), {}))
        user = User(ctx.users[role].id)
        user.actions.append(Action(window.action.id))
        user.save()


def plugins():
    """The plug-ins ``data/demo_<module>.py`` in the dependency order of our
    modules (a module without one is not in the demo); a plug-in of no
    module of ours fails"""
    from tools.modules import ordered
    ours = ordered()
    found = sorted(
        name[len('demo_'):-len('.py')] for name in os.listdir(HERE)
        if name.startswith('demo_') and name.endswith('.py'))
    unknown = [name for name in found if name not in ours]
    if unknown:
        raise SystemExit("demo: no module addons/%s for the plug-in %s"
            % (unknown[0], os.path.join('data', 'demo_%s.py' % unknown[0])))
    return [name for name in ours if name in found]


def run_plugins(ctx, activated):
    # ZHIZAO_DEMO_MODULES builds a demo of a few of our modules only
    partial = os.environ.get('ZHIZAO_DEMO_MODULES') is not None
    for name in plugins():
        if name not in activated:
            if partial:
                print("demo: %s not activated (ZHIZAO_DEMO_MODULES), "
                    "its plug-in skipped" % name, file=sys.stderr)
                continue
            raise SystemExit("demo: the module %s of the plug-in %s is not "
                "activated in the database" % (
                    name, os.path.join('data', 'demo_%s.py' % name)))
        plugin = importlib.import_module('data.demo_%s' % name)
        print("demo: %s" % name, file=sys.stderr)
        plugin.create(ctx)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--config', required=True)
    parser.add_argument('--database', required=True)
    args = parser.parse_args()
    config = make_config(args.database, args.config)
    from proteus import Model
    Module = Model.get('ir.module')
    activated = {m.name for m in Module.find([('state', '=', 'activated')])}
    ctx = create(config)
    run_plugins(ctx, activated)
    landing_pages(ctx)
    print("demo: done", file=sys.stderr)


if __name__ == '__main__':
    sys.path.insert(0, os.path.dirname(os.path.dirname(
                os.path.abspath(__file__))))
    main()
