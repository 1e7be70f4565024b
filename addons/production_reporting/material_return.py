# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from sql import Literal
from sql.conditionals import Case

from trytond.pool import Pool, PoolMeta


class Component(metaclass=PoolMeta):
    __name__ = 'production.reporting.component'

    @classmethod
    def _move_queries(cls, company_id):
        "Add the done moves of the material returns as returned"
        return super()._move_queries(company_id) + [
            cls._returned_moves(company_id)]

    @classmethod
    def _returned_moves(cls, company_id):
        "Query of the moves of the material returns of the productions"
        pool = Pool()
        Line = pool.get('production.material.return.line')
        from_item, move, return_ = Line.moves_join()
        zero = Literal(0.0)
        return from_item.select(
            move.id.as_('id'),
            return_.production.as_('production'),
            move.product.as_('product'),
            zero.as_('required'),
            zero.as_('issued'),
            Case((move.state == 'done', move.internal_quantity),
                else_=zero).as_('returned'),
            zero.as_('scrapped'),
            where=move.origin.like('production.material.return.line,%')
            & (move.company == company_id))


class ProductionWarning(metaclass=PoolMeta):
    __name__ = 'production.reporting.warning'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.kind.selection.append(
            ('return_approval', "Returns waiting for approval"))

    @classmethod
    def _counts(cls):
        yield from super()._counts()
        yield ('return_approval',
            *cls._in_state('production.material.return', 'submitted'))

    @classmethod
    def _actions(cls):
        return super()._actions() | {
            'return_approval':
            'production_reporting.act_material_return_approval',
            }
