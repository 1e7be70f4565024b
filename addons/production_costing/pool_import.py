# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Overhead pools read from an .xlsx (openpyxl) or a .csv file: one pool a
row under a header naming the columns 车间 (workshop), 说明
(description), 金额 (amount), 分配标准 (allocation base) and 科目 (the
codes of the accounts of a pool read from the ledger)."""
import csv
import io
import re
from decimal import Decimal, InvalidOperation

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .cost_pool import BASES
from .exceptions import PoolImportError

COLUMNS = {
    '车间': 'workshop', 'workshop': 'workshop',
    '说明': 'description', 'description': 'description',
    '金额': 'amount', 'amount': 'amount',
    '分配标准': 'base', 'base': 'base',
    '科目': 'accounts', '科目代码': 'accounts', 'accounts': 'accounts',
    '生产订单': 'production', 'production': 'production',
    '工时': 'hours', 'hours': 'hours',
    '费率': 'rate', '小时费率': 'rate', 'rate': 'rate',
    }
BASE_NAMES = {
    '产量': 'quantity', '完工产量': 'quantity', '材料': 'material',
    '材料成本': 'material', '工时': 'hours', '系数': 'coefficient',
    }


def read_rows(data, filename):
    "The rows of the file as lists of strings, the header first"
    name = (filename or '').lower()
    if name.endswith('.xlsx'):
        return _xlsx_rows(data)
    elif name.endswith('.csv'):
        text = bytes(data).decode('utf-8-sig')
        return [r for r in csv.reader(io.StringIO(text)) if any(r)]
    raise PoolImportError(gettext(
            'production_costing.msg_import_format', filename=filename))


def _xlsx_rows(data):
    import openpyxl
    book = openpyxl.load_workbook(
        io.BytesIO(bytes(data)), read_only=True, data_only=True)
    rows = []
    for row in book.worksheets[0].iter_rows(values_only=True):
        if any(v not in (None, '') for v in row):
            rows.append(['' if v is None else str(v) for v in row])
    return rows


def parse_rows(rows):
    "Dicts of the column names, with the row number of the file"
    header = [COLUMNS.get(c.strip().lower(), c.strip()) for c in rows[0]]
    return [(number, dict(zip(header, (c.strip() for c in row))))
        for number, row in enumerate(rows[1:], 2)]


class ImportPoolStart(ModelView):
    "Import Overhead Pools"
    __name__ = 'production.cost.pool.import.start'
    file = fields.Binary("File", required=True, filename='filename')
    filename = fields.Char("File Name")


class ImportPool(Wizard):
    "Import the overhead pools of a period from an .xlsx or .csv file"
    __name__ = 'production.cost.pool.import'
    start = StateView('production.cost.pool.import.start',
        'production_costing.pool_import_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Import", 'import_', 'tryton-ok', default=True),
            ])
    import_ = StateTransition()

    _model = 'production.cost.pool'

    def transition_import_(self):
        if self.record.state == 'closed':
            raise PoolImportError(gettext(
                    'production_costing.msg_period_closed_import',
                    period=self.record.rec_name))
        rows = read_rows(self.start.file, self.start.filename)
        records = [self.from_row(number, row)
            for number, row in parse_rows(rows)]
        Pool().get(self._model).save(records)
        return 'end'

    def from_row(self, number, row):
        try:
            return self.record_from_row(row)
        except ValueError as exception:
            raise PoolImportError(gettext(
                    'production_costing.msg_import_row', row=number,
                    filename=self.start.filename, error=str(exception)))

    def record_from_row(self, row):
        "A pool of an amount, or of the ledger when the row names accounts"
        CostPool = Pool().get(self._model)
        accounts = _accounts(row.get('accounts'), self.record.company)
        return CostPool(period=self.record,
            source='account' if accounts else 'import',
            workshop=_workshop(row.get('workshop')),
            description=row.get('description') or None,
            amount=Decimal(0) if accounts else _amount(row.get('amount')),
            base=_base(row.get('base')), accounts=accounts)


class ImportHours(ImportPool):
    """Import the labour hours of the orders of a period from an .xlsx or
    .csv file: 生产订单 (the order's number), 工时 and 费率 (optional: the
    work centre's cost of an hour)"""
    __name__ = 'production.cost.hours.import'
    _model = 'production.cost.hours'
    start = StateView('production.cost.pool.import.start',
        'production_costing.hours_import_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Import", 'import_', 'tryton-ok', default=True),
            ])

    def record_from_row(self, row):
        Hours = Pool().get(self._model)
        production = _production(row.get('production'),
            self.record.company)
        rate = row.get('rate')
        return Hours(period=self.record, source='import',
            production=production, hours=_amount(row.get('hours')),
            rate=(_number(rate) if rate
                else Hours.rate_of(production)))


def _amount(value):
    try:
        return Decimal((value or '').replace(',', '')).quantize(
            Decimal('0.01'))
    except InvalidOperation:
        raise ValueError(gettext(
                'production_costing.msg_import_amount', value=value))


def _number(value):
    try:
        return Decimal((value or '').replace(',', ''))
    except InvalidOperation:
        raise ValueError(gettext(
                'production_costing.msg_import_amount', value=value))


def _production(number, company):
    Production = Pool().get('production')
    productions = Production.search([
            ('number', '=', number or ''),
            ('company', '=', company.id),
            ], limit=1)
    if not productions:
        raise ValueError(gettext(
                'production_costing.msg_import_production', value=number))
    return productions[0]


def _base(value):
    value = (value or 'quantity').strip()
    base = BASE_NAMES.get(value, value.lower())
    if base not in dict(BASES):
        raise ValueError(gettext('production_costing.msg_import_base',
                value=value, bases=', '.join(
                    list(dict(BASES)) + list(BASE_NAMES))))
    return base


def _accounts(value, company):
    "The accounts of the company whose codes the cell lists"
    Account = Pool().get('account.account')
    accounts = []
    for code in re.split(r'[\s,，;；、]+', value or ''):
        if not code:
            continue
        found = Account.search([
                ('code', '=', code),
                ('company', '=', company.id),
                ('type', '!=', None),
                ('closed', '!=', True),
                ], limit=1)
        if not found:
            raise ValueError(gettext(
                    'production_costing.msg_import_account', value=code))
        accounts.extend(found)
    return accounts


def _workshop(value):
    WorkCenter = Pool().get('production.work.center')
    if not value:
        return None
    centers = WorkCenter.search([('name', '=', value)], limit=1)
    if not centers:
        raise ValueError(gettext(
                'production_costing.msg_import_workshop', value=value))
    return centers[0]
