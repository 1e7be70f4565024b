# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from collections import defaultdict
from decimal import Decimal

from sql import Column, Null
from sql.aggregate import Min, Sum
from sql.functions import CurrentTimestamp

from trytond.backend import MAX_QUERY_PARAMS
from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.product import price_digits, round_price
from trytond.pool import Pool
from trytond.report import Report
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

from .allocation import cents

MONEY = (16, 2)
# the lines of a result: field, model, the values that make them
LINES = {
    'materials': ('production.cost.result.material',
        ['product', 'quantity', 'amount']),
    'outputs': ('production.cost.result.output',
        ['product', 'kind', 'quantity', 'cost', 'unit_cost']),
    'allocations': ('production.cost.allocation', ['pool', 'base', 'amount']),
    }
NUMBERS = ['product', 'level', 'opening_wip', 'material', 'labour', 'hours',
    'overhead', 'subcontract', 'byproduct_credit', 'closing_wip',
    'closing_wip_material', 'wip_quantity', 'equivalent_quantity',
    'material_equivalent_quantity', 'finished_quantity', 'finished_cost',
    'unit_cost', 'booked_cost', 'cost_variance']


def insert(Model, vlist):
    """Insert the rows a calculation computed as ModelSQL.create does, a
    few rows a statement, without its per-record checks (the values are
    rounded by the calculation, which alone writes these models): the ids"""
    transaction = Transaction()
    ids = len(vlist) > 1 and transaction.database.nextid(
        transaction.connection, Model._table, count=len(vlist))
    if not ids:  # one row or no sequence (SQLite): the ORM
        return [r.id for r in Model.create(vlist)]
    table = Model.__table__()
    names = sorted({n for v in vlist for n in v})
    columns = [table.id, table.create_uid, table.create_date] + [
        Column(table, n) for n in names]
    rows = [[id_, transaction.user, CurrentTimestamp()] + [
            Model._fields[n].sql_format(v.get(n)) for n in names]
        for id_, v in zip(ids, vlist)]
    cursor = transaction.connection.cursor()
    for sub_rows in grouped_slice(rows, MAX_QUERY_PARAMS // len(columns)):
        cursor.execute(*table.insert(columns, list(sub_rows)))
    return ids


def _money(string):
    return fields.Numeric(string, digits=MONEY, readonly=True)


class Result(ModelSQL, ModelView):
    "The cost of a production order in a period"
    __name__ = 'production.cost.result'
    period = fields.Many2One('production.cost.period', "Period",
        required=True, ondelete='CASCADE', readonly=True)
    production = fields.Many2One('production', "Production", required=True,
        ondelete='CASCADE', readonly=True)
    product = fields.Many2One('product.product', "Product", readonly=True)
    level = fields.Integer("Level", readonly=True,
        help="0 for orders whose components no order of the period made.")
    opening_wip = _money("Opening WIP")
    material = _money("Material")
    labour = _money("Labour")
    hours = fields.Numeric("Hours", digits=(16, 2), readonly=True)
    overhead = _money("Overhead")
    subcontract = _money("Subcontracting")
    byproduct_credit = _money("By-product Credit")
    closing_wip = _money("Closing WIP")
    closing_wip_material = fields.Numeric("Closing WIP Material",
        digits=MONEY, readonly=True,
        help="The material in the closing work in process; it is split "
        "with the material of the next period.")
    wip_quantity = fields.Float("WIP Quantity", readonly=True)
    equivalent_quantity = fields.Float("Equivalent Units", readonly=True)
    material_equivalent_quantity = fields.Float(
        "Equivalent Units for Material", readonly=True,
        help="The units in process counted for material: all of them when "
        "the product's material is put in at the start, else the "
        "equivalent units.")
    finished_quantity = fields.Float("Finished Quantity", readonly=True)
    finished_cost = _money("Finished Cost")
    unit_cost = fields.Numeric("Unit Cost", digits=price_digits,
        readonly=True)
    booked_cost = fields.Numeric("Booked Cost", digits=MONEY,
        readonly=True,
        help="What the order finished in the period at the unit price "
        "its output moves got when they were done (before the "
        "calculation).")
    cost_variance = fields.Numeric("Cost Variance", digits=MONEY,
        readonly=True,
        help="The actual cost of what was finished (by-products included) "
        "less the booked cost.")
    materials = fields.One2Many('production.cost.result.material', 'result',
        "Materials", readonly=True)
    outputs = fields.One2Many('production.cost.result.output', 'result',
        "Outputs", readonly=True)
    allocations = fields.One2Many('production.cost.allocation', 'result',
        "Overhead Allocations", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('period', 'DESC'), ('level', 'ASC'), ('id', 'ASC')]

    def get_rec_name(self, name):
        return '%s @ %s' % (self.production.rec_name, self.period.rec_name)

    @classmethod
    def signature_of(cls, values):
        "What a calculation gives for an order, lines included"
        return (tuple(values[n] for n in NUMBERS),
            tuple(tuple(sorted(tuple(line[k] for k in keys)
                        for line in values[name]))
                for name, (_, keys) in sorted(LINES.items())))

    def signature(self):
        "The signature of the stored result"
        def value(record, name):
            value = getattr(record, name)
            return getattr(value, 'id', value)
        values = {n: value(self, n) for n in NUMBERS}
        for name, (_, keys) in LINES.items():
            values[name] = [{k: value(line, k) for k in keys}
                for line in getattr(self, name)]
        return self.signature_of(values)

    @classmethod
    def delete_lines(cls, results):
        pool = Pool()
        for name, (model, _) in LINES.items():
            pool.get(model).delete([l for r in results
                    for l in getattr(r, name)])

    @classmethod
    def create_lines(cls, results, values):
        """Create the lines of the results from values by production id:
        results are (result id, production id)"""
        pool = Pool()
        for name, (model, _) in LINES.items():
            insert(pool.get(model), [dict(line, result=result)
                    for result, production in results
                    for line in values[production][name]])

    @property
    def total_in(self):
        "What the order took in the period, by-product credit deducted"
        return (self.opening_wip + self.material + self.labour
            + self.overhead + self.subcontract - self.byproduct_credit)


class ResultMaterial(ModelSQL, ModelView):
    "A component of an order's material: issued less returned"
    __name__ = 'production.cost.result.material'
    result = fields.Many2One('production.cost.result', "Result",
        required=True, ondelete='CASCADE', readonly=True)
    product = fields.Many2One('product.product', "Product", required=True,
        readonly=True)
    quantity = fields.Float("Quantity", readonly=True)
    amount = _money("Amount")


class ResultOutput(ModelSQL, ModelView):
    "What an order finished: joint products and by-products"
    __name__ = 'production.cost.result.output'
    result = fields.Many2One('production.cost.result', "Result",
        required=True, ondelete='CASCADE', readonly=True)
    product = fields.Many2One('product.product', "Product", required=True,
        readonly=True)
    kind = fields.Selection([
            ('joint', "Joint Product"),
            ('byproduct', "By-product"),
            ], "Kind", readonly=True)
    kind_string = kind.translated('kind')
    quantity = fields.Float("Quantity", readonly=True)
    cost = _money("Cost")
    unit_cost = fields.Numeric("Unit Cost", digits=price_digits,
        readonly=True)


class ProductSummary(ModelSQL, ModelView):
    "The finished cost of each product in a period (产品成本汇总表)"
    __name__ = 'production.cost.product.summary'
    period = fields.Many2One('production.cost.period', "Period")
    month = fields.Date("Month")
    product = fields.Many2One('product.product', "Product")
    kind = fields.Selection([
            ('joint', "Joint Product"),
            ('byproduct', "By-product"),
            ], "Kind")
    quantity = fields.Float("Quantity")
    cost = fields.Numeric("Cost", digits=MONEY)
    unit_cost = fields.Function(fields.Numeric("Unit Cost",
            digits=price_digits), 'get_unit_cost')
    standard_unit_cost = fields.Function(fields.Numeric(
            "Standard Unit Cost", digits=price_digits,
            help="The cost of a unit rolled up the product's BOM (empty "
            "without a module giving a standard, such as "
            "production_bom_engineering)."), 'get_standard')
    standard_cost = fields.Function(fields.Numeric("Standard Cost",
            digits=MONEY, help="The quantity at the standard unit cost."),
        'get_standard')
    variance = fields.Function(fields.Numeric("Variance", digits=MONEY,
            help="The actual cost less the standard cost."), 'get_standard')
    unit_variance = fields.Function(fields.Numeric("Unit Variance",
            digits=price_digits,
            help="The actual unit cost less the standard unit cost."),
        'get_standard')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('period', 'DESC'), ('product', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        output = pool.get('production.cost.result.output').__table__()
        result = pool.get('production.cost.result').__table__()
        period = pool.get('production.cost.period').__table__()
        return output.join(result,
            condition=output.result == result.id
            ).join(period, condition=result.period == period.id
            ).select(
                Min(output.id).as_('id'),
                result.period.as_('period'),
                period.start_date.as_('month'),
                output.product.as_('product'),
                output.kind.as_('kind'),
                Sum(output.quantity).as_('quantity'),
                Sum(output.cost).as_('cost'),
                where=output.product != Null,
                group_by=[result.period, period.start_date, output.product,
                    output.kind])

    @classmethod
    def read(cls, ids, fields_names):
        "The summed cost in Decimal cents on every backend (SQLite: a float)"
        rows = super().read(ids, fields_names)
        for row in rows:
            if row.get('cost') is not None:
                row['cost'] = cents(Decimal(str(row['cost'])))
        return rows

    def get_unit_cost(self, name):
        if self.quantity and self.cost is not None:
            return round_price(self.cost / Decimal(str(self.quantity)))

    @classmethod
    def get_standard(cls, summaries, names):
        standards = cls.standard_unit_costs(summaries)
        result = {n: {} for n in names}
        for summary in summaries:
            values = summary.standard_values(standards.get(summary.id))
            for name in names:
                result[name][summary.id] = values[name]
        return result

    @classmethod
    def standard_unit_costs(cls, summaries):
        "Summary id: standard unit cost, asked of each period at once"
        by_period = defaultdict(list)
        for summary in summaries:
            by_period[summary.period].append(summary)
        standards = {}
        for period, group in by_period.items():
            costs = period.standard_unit_costs(
                sorted({s.product.id for s in group}))
            standards.update({s.id: costs.get(s.product.id) for s in group})
        return standards

    def standard_values(self, standard):
        "The standard and variance columns from the standard unit cost"
        names = ['standard_unit_cost', 'standard_cost', 'variance',
            'unit_variance']
        if standard is None or self.cost is None:
            return dict.fromkeys(names, None)
        standard_cost = cents(standard * Decimal(str(self.quantity or 0)))
        unit_cost = self.get_unit_cost('unit_cost')
        return dict(zip(names, [standard, standard_cost,
                    self.cost - standard_cost,
                    unit_cost - standard if unit_cost is not None else None]))


class CostSheet(Report):
    "成本计算单: the cost of one order in a period"
    __name__ = 'production.cost.result'
