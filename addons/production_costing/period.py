# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Workflow, fields
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.transaction import Transaction

from .calculation import Calculation
from .result import LINES, insert
from .exceptions import PeriodError


class Period(Workflow, ModelSQL, ModelView):
    "The month of a company whose production orders are costed"
    __name__ = 'production.cost.period'
    _states = {'readonly': Eval('state') != 'draft'}

    company = fields.Many2One('company.company', "Company", required=True,
        states=_states)
    start_date = fields.Date("Start Date", required=True, states=_states,
        domain=[If(Eval('end_date'),
                ('start_date', '<=', Eval('end_date')), ())])
    end_date = fields.Date("End Date", required=True, states=_states,
        domain=[If(Eval('start_date'),
                ('end_date', '>=', Eval('start_date')), ())])
    pools = fields.One2Many('production.cost.pool', 'period', "Pools",
        states={'readonly': Eval('state') == 'closed'})
    cost_hours = fields.One2Many('production.cost.hours', 'period',
        "Labour Hours", states={'readonly': Eval('state') == 'closed'})
    results = fields.One2Many('production.cost.result', 'period', "Results",
        readonly=True)
    state = fields.Selection([
            ('draft', "Draft"),
            ('calculated', "Calculated"),
            ('closed', "Closed"),
            ], "State", readonly=True, required=True, sort=False)
    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('start_date', 'DESC'))
        cls._transitions |= {
            ('draft', 'calculated'),
            ('calculated', 'calculated'),
            ('calculated', 'closed'),
            ('closed', 'draft'),
            }
        cls._buttons.update({
                'calculate': {
                    'invisible': Eval('state') == 'closed',
                    'depends': ['state'],
                    },
                'close': {
                    'invisible': Eval('state') != 'calculated',
                    'depends': ['state'],
                    },
                'reopen': {
                    'invisible': Eval('state') != 'closed',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_state(cls):
        return 'draft'

    def get_rec_name(self, name):
        return '%s %s..%s' % (
            self.company.rec_name, self.start_date, self.end_date)

    @classmethod
    def validate_fields(cls, periods, field_names):
        super().validate_fields(periods, field_names)
        if field_names & {'company', 'start_date', 'end_date'}:
            for period in periods:
                period.check_overlap()

    def check_overlap(self):
        overlapping = self.search([
                ('id', '!=', self.id),
                ('company', '=', self.company.id),
                ('start_date', '<=', self.end_date),
                ('end_date', '>=', self.start_date),
                ], limit=1)
        if overlapping:
            raise PeriodError(gettext(
                    'production_costing.msg_period_overlap',
                    period=self.rec_name, other=overlapping[0].rec_name))

    def previous(self):
        "The company's period just before this one"
        periods = self.search([
                ('company', '=', self.company.id),
                ('end_date', '<', self.start_date),
                ], order=[('end_date', 'DESC')], limit=1)
        return periods[0] if periods else None

    @classmethod
    @ModelView.button
    @Workflow.transition('calculated')
    def calculate(cls, periods):
        pool = Pool()
        Move = pool.get('stock.move')
        CostPool = pool.get('production.cost.pool')
        for period in periods:
            period.check_calculable()
            CostPool.read_ledger(period.pools)
            calculation = Calculation(cls(period.id))
            with Transaction().set_context(company=period.company.id):
                period.save_results(calculation.run())
            Move.write_cost_prices(calculation.prices)

    def save_results(self, values):
        """Replace the results of the period: an order keeps its record,
        an unchanged result is not written"""
        Result = Pool().get('production.cost.result')
        old = {r.production.id: r for r in self.results}
        new = {v['production']: v for v in values}
        Result.delete([r for p, r in old.items() if p not in new])
        changed = [r for p, r in old.items()
            if p in new and r.signature() != Result.signature_of(new[p])]
        Result.delete_lines(changed)
        to_write = []
        for result in changed:
            to_write.extend([[result], _parent(new[result.production.id])])
        if to_write:
            Result.write(*to_write)
        added = [p for p in new if p not in old]
        created = insert(Result, [
                dict(_parent(new[p]), period=self.id) for p in added])
        Result.create_lines([(r.id, r.production.id) for r in changed]
            + list(zip(created, added)), new)

    def standard_unit_costs(self, product_ids):
        """Return {product id: standard cost of a unit in its default unit}
        for the product cost summary (产品成本汇总表).  None here: a module
        that knows a standard extends it (production_bom_engineering rolls
        the BOMs up)."""
        return {}

    def check_calculable(self):
        if self.state == 'closed':
            raise PeriodError(gettext(
                    'production_costing.msg_period_closed_calculate',
                    period=self.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('closed')
    def close(cls, periods):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def reopen(cls, periods):
        pass

    @classmethod
    def check_modification(cls, mode, periods, values=None, external=False):
        super().check_modification(
            mode, periods, values=values, external=external)
        if mode == 'delete':
            for period in periods:
                if period.state == 'closed':
                    raise PeriodError(gettext(
                            'production_costing.msg_period_delete_closed',
                            period=period.rec_name))


def _parent(values):
    "The values of a result without its lines"
    return {k: v for k, v in values.items() if k not in LINES}
