# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.modules.quality.quality import ControlledMixin
from trytond.pool import Pool, PoolMeta

from .exceptions import SubcontractError

OPERATION = 'production.subcontract.receipt:do'


class Control(metaclass=PoolMeta):
    __name__ = 'quality.control'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.operations.selection = cls.operations.selection + [
            (OPERATION, "Subcontract Receipt Done"),
            ]


class Inspection(metaclass=PoolMeta):
    __name__ = 'quality.inspection'

    @classmethod
    def _get_origins(cls):
        return super()._get_origins() + ['production.subcontract.receipt']


class InspectionLine(metaclass=PoolMeta):
    __name__ = 'quality.inspection.line'

    @property
    def subcontract_receipt(self):
        pool = Pool()
        Receipt = pool.get('production.subcontract.receipt')
        origin = self.inspection.origin
        if isinstance(origin, Receipt):
            return origin

    def get_quarantine_location(self):
        receipt = self.subcontract_receipt
        if receipt and not self.move:
            return receipt.quarantine_location(self.inspection)
        return super().get_quarantine_location()


class Inspect(metaclass=PoolMeta):
    __name__ = 'quality.inspect'

    @property
    def _operations(self):
        operations = super()._operations
        operations['production_subcontract.wizard_receipt_inspect_do'] = 'do'
        return operations


class Receipt(ControlledMixin, metaclass=PoolMeta):
    __name__ = 'production.subcontract.receipt'

    quality_passed = fields.Function(fields.Float(
            "QC Passed", digits='unit',
            help="The finished goods accepted by the QC gate (with "
            "concessions)."),
        'get_quality_quantities')
    quality_rejected = fields.Function(fields.Float(
            "QC Rejected", digits='unit',
            help="The finished goods rejected by the QC gate, sent to "
            "quarantine."),
        'get_quality_quantities')

    def quality_control_pattern(self, operation):
        pattern = super().quality_control_pattern(operation)
        pattern['company'] = self.company.id
        pattern['product'] = self.production.product.id
        return pattern

    def get_quality_inspection_lines(self, control):
        "One line: the finished goods delivered by the subcontractor"
        pool = Pool()
        Line = pool.get('quality.inspection.line')
        line = Line._get_sampled(control, product=self.production.product,
            lot=self.lot, unit=self.production.unit, quantity=self.quantity)
        line.supplier = self.production.subcontractor
        return [line]

    def quality_inspections_failed(self):
        # a decided rejection is routed to quarantine, it does not block
        return [i for i in super().quality_inspections_failed()
            if not i.decided]

    @property
    def quality_decided_line(self):
        "The decided inspection line of the receipt if any"
        for inspection in self.quality_inspections:
            if inspection.decided and not getattr(
                    inspection, 'superseded', False):
                for line in inspection.lines:
                    return line

    @classmethod
    def get_quality_quantities(cls, receipts, names):
        result = {n: {} for n in names}
        for receipt in receipts:
            passed, rejected = receipt._quality_quantities()
            if 'quality_passed' in names:
                result['quality_passed'][receipt.id] = passed
            if 'quality_rejected' in names:
                result['quality_rejected'][receipt.id] = rejected
        return result

    def _quality_quantities(self):
        "Passed and rejected: all passes without a decided inspection"
        if self.state != 'done':
            return None, None
        line = self.quality_decided_line
        if not line:
            return self.quantity, 0
        return (self.unit.round(
                line.accepted_quantity + line.concession_quantity),
            line.rejected_quantity)

    def quarantine_location(self, document=None):
        return self.production.warehouse.get_quarantine_location(
            document=document or self)

    @classmethod
    @ModelView.button
    @ControlledMixin.control(
        'do', 'production_subcontract.wizard_receipt_inspect_do')
    def do(cls, receipts):
        super().do(receipts)
        cls.link_rejected_moves(receipts)

    def check_receive(self):
        super().check_receive()
        line = self.quality_decided_line
        if line and (line.quantity != self.quantity or line.lot != self.lot):
            raise SubcontractError(gettext(
                    'production_subcontract.msg_receipt_inspection_changed',
                    receipt=self.rec_name, quantity=self.quantity,
                    inspection=line.inspection.rec_name,
                    inspected=line.quantity))

    def _output_moves(self, consumptions):
        "The accepted goods to the output location, the rejected to quarantine"
        moves = super()._output_moves(consumptions)
        line = self.quality_decided_line
        if not line or not line.rejected_quantity:
            return moves
        output, = moves
        rejected = self._output_move(consumptions)
        output.quantity = self.unit.round(
            self.quantity - line.rejected_quantity)
        rejected.quantity = line.rejected_quantity
        rejected.to_location = self.quarantine_location(line.inspection)
        return [m for m in [output, rejected] if m.quantity]

    @classmethod
    def link_rejected_moves(cls, receipts):
        "Link the moves that took the rejected goods to quarantine"
        pool = Pool()
        Line = pool.get('quality.inspection.line')
        lines = []
        for receipt in cls.browse(receipts):
            line = receipt.quality_decided_line
            if not line or not line.rejected_quantity:
                continue
            quarantine = receipt.quarantine_location()
            for move in receipt.moves:
                if (move.subcontract_kind == 'receive'
                        and move.to_location == quarantine):
                    line.rejected_move = move
                    lines.append(line)
        Line.save(lines)
