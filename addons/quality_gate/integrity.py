# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from sql import Literal
from sql.conditionals import Coalesce

from trytond.i18n import gettext
from trytond.modules.stock_quarantine.integrity import format_number
from trytond.pool import Pool, PoolMeta
from trytond.tools import grouped_slice
from trytond.transaction import Transaction


class Integrity(metaclass=PoolMeta):
    __name__ = 'stock.integrity'

    @classmethod
    def _checks(cls):
        return super()._checks() + [
            cls.check_inspections_add_up,
            cls.check_dispositions_done,
            cls.check_held_lots_logged,
            ]

    @classmethod
    def check_inspections_add_up(cls, companies):
        "Each line of a decided inspection adds up to its inspected quantity"
        pool = Pool()
        Inspection = pool.get('quality.inspection')
        Line = pool.get('quality.inspection.line')
        inspection = Inspection.__table__()
        line = Line.__table__()
        cursor = Transaction().connection.cursor()
        total = (Coalesce(line.accepted_quantity, 0)
            + Coalesce(line.rejected_quantity, 0)
            + Coalesce(line.concession_quantity, 0))
        cursor.execute(*line.join(inspection,
                condition=line.inspection == inspection.id
                ).select(line.id,
                where=(inspection.decided == Literal(True))
                & inspection.company.in_(companies)
                & (total != Coalesce(line.quantity, 0)),
                order_by=[line.id.asc]))
        ids = [i for i, in cursor]
        result = []
        for sub_ids in grouped_slice(ids, 1000):
            for line in Line.browse(list(sub_ids)):
                total = sum(q or 0 for q in line.decided_quantities)
                if line.unit.round(total) == (line.quantity or 0):
                    continue
                result.append(gettext(
                        'quality_gate.msg_integrity_inspection_not_adding_up',
                        inspection=line.inspection.rec_name,
                        line=line.rec_name,
                        accepted=format_number(line.accepted_quantity or 0),
                        rejected=format_number(line.rejected_quantity or 0),
                        concession=format_number(
                            line.concession_quantity or 0),
                        total=format_number(total),
                        quantity=format_number(line.quantity or 0)))
        return result

    @classmethod
    def check_dispositions_done(cls, companies):
        """Each done disposition has what it made: the move of a scrap or
        concession done, the return shipment or the rework order not
        cancelled"""
        pool = Pool()
        Disposition = pool.get('quality.disposition')
        result = []
        dispositions = Disposition.search([
                ('company', 'in', companies),
                ('state', '=', 'done'),
                ], order=[('id', 'ASC')])
        for disposition in dispositions:
            if disposition.type in {'scrap', 'concession'}:
                document = disposition.move
                ok = document and document.state == 'done'
            elif disposition.type == 'return':
                document = disposition.return_shipment
                ok = document and document.state != 'cancelled'
            else:
                document = disposition.production
                ok = document and document.state != 'cancelled'
            if not ok:
                result.append(gettext(
                        'quality_gate.msg_integrity_disposition_document',
                        disposition=disposition.rec_name,
                        document=document.rec_name if document else '-',
                        state=document.state if document else '-'))
        return result

    @classmethod
    def check_held_lots_logged(cls, companies):
        """Each lot on hold or rejected got its status from the
        inspector's action: its last log says so"""
        pool = Pool()
        Lot = pool.get('stock.lot')
        result = []
        labels = dict(Lot.fields_get(
                ['quality_status'])['quality_status']['selection'])
        for lot in Lot.search([
                    ('quality_status', '!=', 'released'),
                    ], order=[('id', 'ASC')]):
            logs = sorted(lot.quality_logs, key=lambda l: l.id)
            if not logs or logs[-1].status != lot.quality_status:
                result.append(gettext(
                        'quality_gate.msg_integrity_lot_not_logged',
                        lot=lot.rec_name,
                        status=labels.get(
                            lot.quality_status, lot.quality_status)))
        return result
