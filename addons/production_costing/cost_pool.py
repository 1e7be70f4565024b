# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from decimal import Decimal

from sql.aggregate import Sum
from sql.conditionals import Coalesce

from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .calculation import _decimal

BASES = [
    ('quantity', "Output Quantity"),
    ('material', "Material Cost"),
    ('hours', "Labour Hours"),
    ('coefficient', "Coefficients"),
    ]


class CostPool(ModelSQL, ModelView):
    "An overhead pool of a period and workshop, allocated to the orders"
    __name__ = 'production.cost.pool'
    period = fields.Many2One('production.cost.period', "Period",
        required=True, ondelete='CASCADE',
        states={'readonly': Eval('period_state') == 'closed'})
    description = fields.Char("Description")
    workshop = fields.Many2One('production.work.center', "Workshop",
        help="The work centre (and those under it) whose orders share "
        "the pool; empty for every order of the period.")
    amount = fields.Numeric("Amount", digits=(16, 2), required=True,
        states={'readonly': Eval('source') == 'account'},
        help="Read from the accounts at each calculation when the source "
        "is the ledger.")
    base = fields.Selection(BASES, "Allocation Base", required=True)
    base_string = base.translated('base')
    source = fields.Selection([
            ('manual', "Manual"),
            ('import', "Import"),
            ('account', "Account"),
            ], "Source", required=True,
        states={'readonly': Eval('source') == 'import'})
    accounts = fields.Many2Many('production.cost.pool-account.account',
        'pool', 'account', "Accounts",
        domain=[('type', '!=', None), ('closed', '!=', True)],
        states={
            'invisible': Eval('source') != 'account',
            'required': Eval('source') == 'account',
            },
        help="The pool is the balance (debit - credit) of the posted "
        "move lines of these accounts dated in the period.")
    coefficients = fields.One2Many('production.cost.pool.coefficient',
        'pool', "Coefficients",
        states={'invisible': Eval('base') != 'coefficient'})
    allocations = fields.One2Many('production.cost.allocation', 'pool',
        "Allocations", readonly=True)
    period_state = fields.Function(fields.Selection(
            'get_period_states', "Period State"),
        'on_change_with_period_state')

    @classmethod
    def default_source(cls):
        return 'manual'

    @classmethod
    def default_base(cls):
        return 'quantity'

    @classmethod
    def default_amount(cls):
        return Decimal(0)

    @classmethod
    def read_ledger(cls, pools):
        "Set the amount of the pools whose source is the ledger"
        to_write = []
        for pool_ in pools:
            if pool_.source == 'account':
                amount = pool_.ledger_amount()
                if amount != pool_.amount:
                    to_write.extend([[pool_], {'amount': amount}])
        if to_write:
            cls.write(*to_write)

    def ledger_amount(self):
        "The balance of the pool's accounts in its period, posted moves"
        pool = Pool()
        line = pool.get('account.move.line').__table__()
        move = pool.get('account.move').__table__()
        period = self.period
        cursor = Transaction().connection.cursor()
        cursor.execute(*line.join(move, condition=line.move == move.id
                ).select(Sum(Coalesce(line.debit, 0)
                        - Coalesce(line.credit, 0)),
                where=line.account.in_([a.id for a in self.accounts])
                & (move.company == period.company.id)
                & (move.state == 'posted')
                & (move.date >= period.start_date)
                & (move.date <= period.end_date)))
        amount, = cursor.fetchone()
        return _decimal(amount).quantize(Decimal('0.01'))

    @classmethod
    def get_period_states(cls):
        Period = Pool().get('production.cost.period')
        return Period.fields_get(['state'])['state']['selection']

    @fields.depends('period', '_parent_period.state')
    def on_change_with_period_state(self, name=None):
        return self.period.state if self.period else None

    def get_rec_name(self, name):
        return ' / '.join(filter(None, [
                    self.workshop.rec_name if self.workshop else None,
                    self.description, str(self.amount)]))

    def workshop_centers(self):
        "The ids of the work centres in the workshop, None for all"
        WorkCenter = Pool().get('production.work.center')
        if not self.workshop:
            return None
        return {c.id for c in WorkCenter.search(
                    [('parent', 'child_of', [self.workshop.id])])}

    def weight(self, order):
        "The allocation base of an order (see calculation.Order)"
        if self.base == 'material':
            return order.base_material
        elif self.base == 'hours':
            return order.hours
        elif self.base == 'coefficient':
            return order.units * self.coefficient(order.product)
        return order.units

    def coefficient(self, product_id):
        for line in self.coefficients:
            if product_id and line.product.id == product_id:
                return line.coefficient or Decimal(0)
        return Decimal(0)


class CostPoolAccount(ModelSQL):
    "An account whose balance makes an overhead pool"
    __name__ = 'production.cost.pool-account.account'
    pool = fields.Many2One('production.cost.pool', "Pool", required=True,
        ondelete='CASCADE')
    account = fields.Many2One('account.account', "Account", required=True,
        ondelete='CASCADE')


class CostPoolCoefficient(ModelSQL, ModelView):
    "The fixed coefficient of a product in a pool"
    __name__ = 'production.cost.pool.coefficient'
    pool = fields.Many2One('production.cost.pool', "Pool", required=True,
        ondelete='CASCADE')
    product = fields.Many2One('product.product', "Product", required=True)
    coefficient = fields.Numeric("Coefficient", digits=(16, 4),
        required=True, domain=[('coefficient', '>=', 0)])


class CostAllocation(ModelSQL, ModelView):
    "The share of a pool allocated to a production order"
    __name__ = 'production.cost.allocation'
    pool = fields.Many2One('production.cost.pool', "Pool", required=True,
        ondelete='CASCADE', readonly=True)
    result = fields.Many2One('production.cost.result', "Result",
        required=True, ondelete='CASCADE', readonly=True)
    base = fields.Numeric("Base", digits=(16, 4), readonly=True)
    amount = fields.Numeric("Amount", digits=(16, 2), readonly=True)
