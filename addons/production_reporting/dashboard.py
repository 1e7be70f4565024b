# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt

from sql import Literal, Union
from sql.aggregate import Count

from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import PYSONEncoder
from trytond.transaction import Transaction
from trytond.wizard import StateAction, Wizard

from .arguments import company_id as company_id_
from .production import today

# the states of the orders not started
NOT_STARTED = ['request', 'draft', 'waiting']


class ProductionWarning(ModelSQL, ModelView):
    "Production warning counts for the dashboard"
    __name__ = 'production.reporting.warning'

    company = fields.Many2One('company.company', "Company")
    kind = fields.Selection([
            ('late', "Late production orders"),
            ('not_kitted', "Due in 7 days and not kitted"),
            ('at_risk', "Sales lines at risk"),
            ], "Warning")
    count = fields.Integer("Count")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('id', 'ASC')]

    @classmethod
    def table_query(cls):
        company_id = company_id_()
        queries = []
        for i, (kind, from_item, where) in enumerate(cls._counts(), 1):
            queries.append(from_item.select(
                    Literal(i).as_('id'),
                    Literal(company_id).as_('company'),
                    Literal(kind).as_('kind'),
                    Count(Literal(1)).as_('count'),
                    where=where))
        return Union(*queries, all_=True)

    @classmethod
    def _counts(cls):
        "Yield kind, from item and condition of the rows to count"
        pool = Pool()
        Tracking = pool.get('production.reporting.tracking')
        SaleLine = pool.get('production.reporting.sale_line')
        Production = pool.get('production')

        # the rows of the late orders' panel, which the context selects
        with Transaction().set_context(late=True):
            tracking = Tracking.table_query()
        yield 'late', tracking, None

        production = Production.__table__()
        yield 'not_kitted', production, cls._due(production)

        sale_line = SaleLine.table_query()
        # late, short or without stock and supply
        yield 'at_risk', sale_line, sale_line.risk_level > 0

    @classmethod
    def _due(cls, production):
        "The condition of the orders of the company not started and due soon"
        return ((production.company == company_id_())
            & production.state.in_(NOT_STARTED)
            & (production.planned_start_date <= cls._due_date()))

    @classmethod
    def _in_state(cls, model, state):
        "The table of model and the condition of the company's rows in state"
        table = Pool().get(model).__table__()
        return table, (table.company == company_id_()) & (table.state == state)

    @classmethod
    def _due_date(cls):
        "The last planned start date of the orders due soon: in 7 days"
        return today() + dt.timedelta(days=7)

    @classmethod
    def _actions(cls):
        "The action that opens the records of each kind of warning"
        return {
            'late': 'production_reporting.act_tracking_late',
            'not_kitted': 'production_reporting.act_production_not_kitted',
            'at_risk': 'production_reporting.act_sale_line_at_risk',
            }

    @classmethod
    def _domain(cls, kind):
        "The domain that replaces the action's one for the kind, if any"
        if kind == 'not_kitted':
            return [
                ('company', '=', company_id_()),
                ('state', 'in', NOT_STARTED),
                ('planned_start_date', '<=', cls._due_date()),
                ]
        return None


class WarningOpen(Wizard):
    "Open the records of a warning"
    __name__ = 'production.reporting.warning.open'
    start = StateAction('production_reporting.act_tracking_late')

    def do_start(self, action):
        action_id = self.model._actions().get(self.record.kind)
        if action_id:
            action = StateAction(action_id).get_action()
        domain = self.model._domain(self.record.kind)
        if domain is not None:
            action['pyson_domain'] = PYSONEncoder().encode(domain)
        return action, {}
