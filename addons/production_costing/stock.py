# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from sql.conditionals import Case, Coalesce

from trytond.i18n import gettext
from trytond.model import fields
from trytond.modules.product import price_digits
from trytond.pool import Pool, PoolMeta
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

from .exceptions import ClosedPeriodError


class Move(metaclass=PoolMeta):
    __name__ = 'stock.move'
    cost_booked_price = fields.Numeric("Booked Unit Price",
        digits=price_digits, readonly=True,
        help="The unit price the output move had when it was done, kept "
        "when a cost calculation replaces it with the actual cost.")

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['production']

    @classmethod
    def copy(cls, moves, default=None):
        "A copy is booked at its own do"
        default = default.copy() if default is not None else {}
        default.setdefault('cost_booked_price', None)
        return super().copy(moves, default=default)

    @classmethod
    def check_modification(cls, mode, moves, values=None, external=False):
        super().check_modification(
            mode, moves, values=values, external=external)
        cls.check_cost_period(moves)

    @classmethod
    def validate(cls, moves):
        super().validate(moves)
        cls.check_cost_period(moves)

    @classmethod
    def check_cost_period(cls, moves):
        "Refuse done moves dated in a closed cost period"
        Period = Pool().get('production.cost.period')
        done = [m for m in moves if m.state == 'done' and m.effective_date]
        if not done:
            return
        periods = Period.search([
                ('company', 'in', list({m.company.id for m in done})),
                ('state', '=', 'closed'),
                ('start_date', '<=', max(m.effective_date for m in done)),
                ('end_date', '>=', min(m.effective_date for m in done)),
                ])
        for move in done:
            for period in periods:
                if (period.company == move.company
                        and period.start_date <= move.effective_date
                        <= period.end_date):
                    raise ClosedPeriodError(gettext(
                            'production_costing.msg_move_closed_period',
                            move=move.rec_name, date=move.effective_date,
                            period=period.rec_name))

    @classmethod
    def write_cost_prices(cls, prices):
        """Write the unit price of done output moves: move id -> price;
        the price booked at do is kept the first time"""
        move = cls.__table__()
        cursor = Transaction().connection.cursor()
        for sub_ids in grouped_slice(sorted(prices), 1000):
            sub_ids = list(sub_ids)
            cursor.execute(*move.update(
                    [move.cost_booked_price, move.unit_price],
                    [Coalesce(move.cost_booked_price, move.unit_price),
                        Case(*((move.id == i, prices[i]) for i in sub_ids),
                            else_=move.unit_price)],
                    where=move.id.in_(sub_ids)))
