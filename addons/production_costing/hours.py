# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from decimal import Decimal

from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.product import price_digits
from trytond.pool import Pool
from trytond.pyson import Eval

from .allocation import cents


class CostHours(ModelSQL, ModelView):
    "The labour hours of an order in a period, entered or imported (工时)"
    __name__ = 'production.cost.hours'
    _states = {'readonly': Eval('period_state') == 'closed'}
    period = fields.Many2One('production.cost.period', "Period",
        required=True, ondelete='CASCADE', states=_states)
    production = fields.Many2One('production', "Production", required=True,
        states=_states, domain=[
            ('company', '=', Eval('period_company', -1)),
            ])
    hours = fields.Numeric("Hours", digits=(16, 2), required=True,
        states=_states, domain=[('hours', '>=', 0)])
    rate = fields.Numeric("Rate per Hour", digits=price_digits,
        required=True, states=_states, domain=[('rate', '>=', 0)],
        help="The labour cost of an hour; the production's work centre "
        "cost per hour when left to the default.")
    amount = fields.Function(fields.Numeric("Amount", digits=(16, 2)),
        'on_change_with_amount')
    source = fields.Selection([
            ('manual', "Manual"),
            ('import', "Import"),
            ], "Source", required=True, readonly=True)
    period_company = fields.Function(fields.Many2One('company.company',
            "Company"), 'on_change_with_period_company')
    period_state = fields.Function(fields.Selection(
            'get_period_states', "Period State"),
        'on_change_with_period_state')
    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('period')

    @classmethod
    def default_source(cls):
        return 'manual'

    @classmethod
    def get_period_states(cls):
        return Pool().get('production.cost.pool').get_period_states()

    @fields.depends('period', '_parent_period.state')
    def on_change_with_period_state(self, name=None):
        return self.period.state if self.period else None

    @fields.depends('period', '_parent_period.company')
    def on_change_with_period_company(self, name=None):
        return self.period.company if self.period else None

    @fields.depends('hours', 'rate')
    def on_change_with_amount(self, name=None):
        return cents((self.hours or 0) * (self.rate or 0))

    @fields.depends('production', 'rate')
    def on_change_production(self):
        if self.production and self.rate is None:
            self.rate = self.rate_of(self.production)

    @staticmethod
    def rate_of(production):
        "The cost of an hour of the production's work centre, else 0"
        center = production.work_center
        if center and center.cost_method == 'hour':
            return center.cost_price or Decimal(0)
        return Decimal(0)
