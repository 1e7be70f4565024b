# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction


class ProductionWarning(metaclass=PoolMeta):
    __name__ = 'production.reporting.warning'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.kind.selection.append(('inspection', "Pending inspections"))

    @classmethod
    def _counts(cls):
        pool = Pool()
        Inspection = pool.get('quality.inspection')
        inspection = Inspection.__table__()
        company_id = Transaction().context.get('company')
        yield from super()._counts()
        yield 'inspection', inspection, (
            (inspection.company == company_id)
            & (inspection.state == 'pending'))

    @classmethod
    def _actions(cls):
        return super()._actions() | {
            'inspection': 'production_reporting.act_inspection_pending',
            }
