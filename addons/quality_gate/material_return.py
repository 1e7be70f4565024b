# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.i18n import gettext
from trytond.model import ModelView, Workflow, fields
from trytond.pool import Pool, PoolMeta

from .exceptions import DecisionError


class MaterialReturn(metaclass=PoolMeta):
    __name__ = 'production.material.return'

    def get_quality_inspection_lines(self, control):
        "One inspection line per return line of a product of the control"
        pool = Pool()
        Line = pool.get('quality.inspection.line')
        return [Line.get_from_material_return_line(control, l)
            for l in self.lines if control.match_product(l.product)]

    def _check_inspections(self):
        # The decided quantities route each line, not the whole return
        return super()._check_inspections() and not all(
            i.decided for i in self.quality_inspections
            if i.state == 'failed')

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def do(cls, returns):
        pool = Pool()
        Line = pool.get('production.material.return.line')
        super().do(returns)
        Line.link_rejected_moves([l for r in returns for l in r.lines])


class MaterialReturnLine(metaclass=PoolMeta):
    __name__ = 'production.material.return.line'

    quality_inspection_lines = fields.One2Many(
        'quality.inspection.line', 'material_return_line',
        "Inspection Lines", readonly=True)

    @property
    def quality_decided_line(self):
        "The decided inspection line of the return line if any"
        for line in self.quality_inspection_lines:
            # an inspection of an earlier round no longer decides
            if line.inspection.decided and not line.inspection.superseded:
                return line

    def get_moves(self, failed=False):
        line = self.quality_decided_line
        if not line:
            return super().get_moves(failed=failed)
        moves = []
        kept = self.unit.round(
            line.accepted_quantity + line.concession_quantity)
        if kept:
            move = self.get_move()
            move.quantity = kept
            moves.append(move)
        if line.rejected_quantity:
            move = self.get_move()
            move.quantity = line.rejected_quantity
            move.to_location = self.get_quarantine_location(line)
            moves.append(move)
        return moves

    def get_quarantine_location(self, inspection_line):
        return self.material_return.warehouse.get_quarantine_location(
            document=inspection_line.inspection)

    @classmethod
    def link_rejected_moves(cls, lines):
        "Link the moves that took the rejected quantities to quarantine"
        pool = Pool()
        InspectionLine = pool.get('quality.inspection.line')
        lines = cls.browse(lines)
        to_save = []
        for line in lines:
            inspection_line = line.quality_decided_line
            if not inspection_line or not inspection_line.rejected_quantity:
                continue
            quarantine = (
                line.material_return.warehouse.get_quarantine_location())
            for move in line.moves:
                if (move.to_location == quarantine
                        and move.state == 'done'):
                    inspection_line.rejected_move = move
                    to_save.append(inspection_line)
                    break
        InspectionLine.save(to_save)


class InspectionLine(metaclass=PoolMeta):
    __name__ = 'quality.inspection.line'

    material_return_line = fields.Many2One(
        'production.material.return.line', "Material Return Line",
        readonly=True, ondelete='SET NULL')

    @classmethod
    def _server_fields(cls):
        return super()._server_fields() | {'material_return_line'}

    @classmethod
    def get_from_material_return_line(cls, control, return_line):
        return cls._get_sampled(control, material_return_line=return_line,
            product=return_line.product, lot=return_line.lot,
            unit=return_line.unit, quantity=return_line.quantity)

    def get_rec_name(self, name):
        name = super().get_rec_name(name)
        if self.material_return_line:
            name = '%s / %s' % (
                self.material_return_line.material_return.rec_name, name)
        return name

    def get_quarantine_location(self):
        if self.material_return_line:
            return self.material_return_line.get_quarantine_location(self)
        return super().get_quarantine_location()

    def disposition_type(self):
        "What the return line says to do with failed material"
        # one vocabulary: the line's disposition is a disposition type
        line = self.material_return_line
        return (line and line.disposition) or super().disposition_type()

    def check_decision(self):
        super().check_decision()
        return_line = self.material_return_line
        if (return_line
                and return_line.material_return.state != 'inspecting'):
            raise DecisionError(gettext(
                    'quality_gate.msg_line_return_changed',
                    line=self.rec_name,
                    inspection=self.inspection.rec_name,
                    material_return=return_line.material_return.rec_name))

    @classmethod
    def copy(cls, lines, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('material_return_line')
        return super().copy(lines, default=default)
