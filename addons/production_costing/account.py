# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The accounting of a closed cost period: one move from the elements to
work in process (生产成本) and from work in process to finished goods
(库存商品); the average cost of what the period made."""
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import ModelView, Workflow, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval
from trytond.transaction import Transaction

from .exceptions import PeriodError

# account field: the total of the results it takes, its side
ELEMENTS = [
    ('account_material', 'material'),
    ('account_labour', 'labour'),
    ('account_overhead', 'overhead'),
    ('account_subcontract', 'subcontract'),
    ]


def _account(string, help):
    return fields.Many2One('account.account', string,
        domain=[
            ('company', '=', Eval('company', -1)),
            ('type', '!=', None),
            ('closed', '!=', True),
            ],
        states={
            'readonly': Eval('state') == 'closed',
            'required': Bool(Eval('journal')),
            }, help=help)


class Period(metaclass=PoolMeta):
    __name__ = 'production.cost.period'
    journal = fields.Many2One('account.journal', "Journal",
        states={'readonly': Eval('state') == 'closed'},
        help="When set, closing the period posts its cost move in this "
        "journal.")
    account_wip = _account("WIP Account",
        "Work in process (生产成本): debited with the elements, credited "
        "with what is finished.")
    account_finished = _account("Finished Goods Account",
        "Finished goods (库存商品): debited with the finished cost and the "
        "by-products.")
    account_material = _account("Material Account",
        "Credited with the material issued less returned (原材料).")
    account_labour = _account("Labour Account",
        "Credited with the labour (应付职工薪酬).")
    account_overhead = _account("Overhead Account",
        "Credited with the overhead absorbed (制造费用).")
    account_subcontract = _account("Subcontracting Account",
        "Credited with the processing fees (委托加工).")
    account_variance = fields.Many2One('account.account',
        "Cost Variance Account",
        domain=[
            ('company', '=', Eval('company', -1)),
            ('type', '!=', None),
            ('closed', '!=', True),
            ],
        states={'readonly': Eval('state') == 'closed'},
        help="Takes the cost variance (成本差异): the actual cost of what "
        "was finished less its cost booked at the output moves' do; empty "
        "for the finished goods account (the stock re-valued at the actual "
        "cost).")
    cost_move = fields.Many2One('account.move', "Cost Move", readonly=True)

    @classmethod
    @ModelView.button
    @Workflow.transition('closed')
    def close(cls, periods):
        "Cost prices and the cost move first: a closed period is locked"
        cls.update_cost_prices(periods)
        cls.post_cost_moves(periods)
        super().close(periods)

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def reopen(cls, periods):
        super().reopen(periods)
        cls.cancel_cost_moves(periods)

    @classmethod
    def update_cost_prices(cls, periods):
        "The products made: their cost price from the moves' actual cost"
        Product = Pool().get('product.product')
        for period in periods:
            products = {o.product for r in period.results for o in r.outputs}
            with Transaction().set_context(company=period.company.id):
                Product.recompute_cost_price(
                    Product.browse(sorted(p.id for p in products)),
                    start=period.start_date)

    @classmethod
    def post_cost_moves(cls, periods):
        Move = Pool().get('account.move')
        moves = {p: p.get_cost_move() for p in periods if p.journal}
        moves = {p: m for p, m in moves.items() if m.lines}
        if not moves:
            return
        Move.save(list(moves.values()))
        Move.post(list(moves.values()))
        for period, move in moves.items():
            period.cost_move = move
        cls.save(list(moves))

    @classmethod
    def cancel_cost_moves(cls, periods):
        Move = Pool().get('account.move')
        periods = [p for p in periods if p.cost_move]
        cancels = [p.cost_move.cancel(reversal=True) for p in periods]
        Move.post(cancels)
        cls.write(periods, {'cost_move': None})

    def cost_totals(self):
        "The totals of the results by element"
        names = ['material', 'labour', 'overhead', 'subcontract',
            'finished_cost', 'byproduct_credit', 'booked_cost',
            'cost_variance']
        return {n: sum((getattr(r, n) or 0 for r in self.results),
                Decimal(0))
            for n in names}

    def get_cost_move(self):
        "The move of the period: elements to WIP, WIP to finished goods"
        pool = Pool()
        Move = pool.get('account.move')
        AccountPeriod = pool.get('account.period')
        self.check_cost_accounts()
        return Move(journal=self.journal, company=self.company,
            date=self.end_date, origin=self,
            period=AccountPeriod.find(self.company, date=self.end_date),
            description=gettext('production_costing.msg_cost_move',
                period=self.rec_name),
            lines=[l for l in self.cost_move_lines() if l.debit or l.credit])

    def cost_move_lines(self):
        """Elements debited to WIP, WIP credited with what was finished:
        finished goods at the cost booked at do, the cost variance on its
        own line"""
        totals = self.cost_totals()
        finished = totals['finished_cost'] + totals['byproduct_credit']
        collected = sum((totals[n] for _, n in ELEMENTS), Decimal(0))
        variance = finished - totals['booked_cost']
        return [_line(self.account_wip, collected),
            _line(self.account_finished, totals['booked_cost'],
                gettext('production_costing.msg_cost_move_booked')),
            _line(self.account_variance or self.account_finished, variance,
                gettext('production_costing.msg_cost_move_variance')),
            _line(self.account_wip, -finished)] + [
            _line(getattr(self, f), -totals[n]) for f, n in ELEMENTS]

    def check_cost_accounts(self):
        missing = [f for f in ['account_wip', 'account_finished']
            + [f for f, _ in ELEMENTS] if not getattr(self, f)]
        if missing:
            raise PeriodError(gettext(
                    'production_costing.msg_period_cost_accounts',
                    period=self.rec_name, accounts=', '.join(
                        self.fields_get(missing)[f]['string']
                        for f in missing)))


def _line(account, amount, description=None):
    "A move line of amount: a debit when positive, else a credit"
    Line = Pool().get('account.move.line')
    return Line(account=account, debit=max(amount, 0),
        credit=max(-amount, 0), description=description)


class AccountMove(metaclass=PoolMeta):
    __name__ = 'account.move'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['production.cost.period']
