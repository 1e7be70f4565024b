# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import fields
from trytond.pool import Pool, PoolMeta


class Production(metaclass=PoolMeta):
    __name__ = 'production'

    quality_dispositions = fields.One2Many(
        'quality.disposition', 'production', "Rework Dispositions",
        readonly=True)

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() | {'quality.disposition'}

    def quality_inspection_moves(self):
        "The outputs held until decided"
        return [m for m in self.outputs if m.state in {'staging', 'draft'}]

    def quality_inspections_failed(self):
        return [i for i in super().quality_inspections_failed()
            if not i.decided]

    def quality_controlled_for(self, operation):
        control = self.quality_rework_control
        return super().quality_controlled_for(operation) or bool(
            operation == 'do' and control
            and any(i.control == control for i in self.quality_inspections))

    @property
    def quality_rework_control(self):
        "The control of the inspection that sent the product to rework"
        pool = Pool()
        Disposition = pool.get('quality.disposition')
        if (isinstance(self.origin, Disposition)
                and self.origin.inspection_line):
            return self.origin.inspection_line.inspection.control
