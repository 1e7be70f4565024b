# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.i18n import gettext
from trytond.model import ModelView, Workflow
from trytond.model.exceptions import AccessError
from trytond.pool import Pool, PoolMeta


class Move(metaclass=PoolMeta):
    __name__ = 'stock.move'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['production.material.return.line']

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, moves):
        cls.check_material_return_cancel(moves)
        super().cancel(moves)

    @classmethod
    def check_material_return_cancel(cls, moves):
        "The stock-in of a done return stays: it counts as returned"
        for move in moves:
            if cls._material_returned(move):
                raise AccessError(gettext(
                        'production_material_return.msg_move_cancel_done',
                        move=move.rec_name,
                        material_return=move.origin.material_return.rec_name))

    @classmethod
    def _material_returned(cls, move):
        "Whether move is the done stock-in of a done return"
        pool = Pool()
        Line = pool.get('production.material.return.line')
        return (move.state == 'done' and isinstance(move.origin, Line)
            and move.origin.material_return.state == 'done')
