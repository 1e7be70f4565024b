# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from sql import Literal
from sql.aggregate import Sum
from sql.conditionals import Case, Coalesce
from sql.operators import Concat

from trytond.model import fields
from trytond.pool import Pool, PoolMeta

from .arguments import company_id as company_id_
from .production import to_unit


def inspected_quantities(company_id):
    """Query of the pending, passed and rejected quantities of the main
    product of each production in its default unit, from the lines of the
    inspections of the production"""
    from_item, tables = inspection_line_joins()
    line = tables['line']
    inspection = tables['inspection']
    production = tables['production']
    zero = Literal(0.0)

    def in_default_uom(quantity):
        return to_unit(quantity, tables['line_uom'], tables['default_uom'])
    pending = inspection.state == 'pending'
    return from_item.select(
        production.id.as_('production'),
        production.origin.as_('origin'),
        Sum(Case((pending, in_default_uom(line.quantity)),
                else_=zero)).as_('pending'),
        Sum(Case((~pending, in_default_uom(
                        line.accepted_quantity + line.concession_quantity)),
                else_=zero)).as_('passed'),
        Sum(Case((~pending, in_default_uom(line.rejected_quantity)),
                else_=zero)).as_('rejected'),
        where=inspection.origin.like('production,%')
        & (line.product == production.product)
        & (production.company == company_id),
        group_by=[production.id, production.origin])


def inspection_line_joins():
    """The lines of the inspections of productions joined to their
    inspection, their production, their unit and the product's default
    unit"""
    pool = Pool()
    Inspection = pool.get('quality.inspection')
    Line = pool.get('quality.inspection.line')
    Production = pool.get('production')
    Product = pool.get('product.product')
    Template = pool.get('product.template')
    Uom = pool.get('product.uom')
    tables = {}
    tables['inspection'] = inspection = Inspection.__table__()
    tables['line'] = line = Line.__table__()
    tables['production'] = production = Production.__table__()
    product = Product.__table__()
    template = Template.__table__()
    tables['line_uom'] = line_uom = Uom.__table__()
    tables['default_uom'] = default_uom = Uom.__table__()
    from_item = (line
        .join(inspection, condition=line.inspection == inspection.id)
        .join(production, condition=inspection.origin == Concat(
                'production,', production.id))
        .join(product, condition=production.product == product.id)
        .join(template, condition=product.template == template.id)
        .join(line_uom, condition=line.unit == line_uom.id)
        .join(default_uom, condition=template.default_uom == default_uom.id))
    return from_item, tables


class Tracking(metaclass=PoolMeta):
    __name__ = 'production.reporting.tracking'

    qc_pending = fields.Float(
        "QC Pending", digits='unit',
        help="The output quantity of the pending inspections.")
    qc_passed = fields.Float(
        "QC Passed", digits='unit',
        help="The output quantity accepted by the decided inspections, "
        "concessions included.")
    qc_rejected = fields.Float(
        "QC Rejected", digits='unit',
        help="The output quantity rejected by the decided inspections.")

    @classmethod
    def _figures(cls):
        return super()._figures() + ['qc_pending', 'qc_passed', 'qc_rejected']

    @classmethod
    def _joins(cls):
        from_item, tables = super()._joins()
        tables['inspected'] = inspected = inspected_quantities(company_id_())
        from_item = from_item.join(inspected, 'LEFT',
            condition=inspected.production == tables['production'].id)
        return from_item, tables

    @classmethod
    def _columns(cls, tables):
        inspected = tables['inspected']
        unit = tables['unit']
        default_uom = tables['default_uom']

        def quantity(column):
            return to_unit(Coalesce(column, 0.0), default_uom, unit)
        return super()._columns(tables) + [
            quantity(inspected.pending).as_('qc_pending'),
            quantity(inspected.passed).as_('qc_passed'),
            quantity(inspected.rejected).as_('qc_rejected'),
            ]


class LineTracking(metaclass=PoolMeta):
    __name__ = 'production.reporting.sale_line'

    qc_passed = fields.Float(
        "QC Passed", digits='unit',
        help="The quantity produced for the line and accepted by the "
        "inspections.")

    @classmethod
    def _joins(cls):
        from_item, tables = super()._joins()
        company_id = company_id_()
        line = tables['line']
        inspected = inspected_quantities(company_id)
        tables['inspected'] = inspected = inspected.select(
            inspected.origin.as_('origin'),
            Sum(inspected.passed).as_('passed'),
            where=inspected.origin.like('sale.line,%'),
            group_by=[inspected.origin])
        from_item = from_item.join(inspected, 'LEFT',
            condition=inspected.origin == Concat('sale.line,', line.id))
        return from_item, tables

    @classmethod
    def _columns(cls, tables):
        passed = Coalesce(tables['inspected'].passed, 0.0)
        return super()._columns(tables) + [
            cls._in_line_unit(tables, passed).as_('qc_passed'),
            ]


class ProductionWarning(metaclass=PoolMeta):
    __name__ = 'production.reporting.warning'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.kind.selection.append(('inspection', "Pending inspections"))

    @classmethod
    def _counts(cls):
        yield from super()._counts()
        yield ('inspection', *cls._in_state('quality.inspection', 'pending'))

    @classmethod
    def _actions(cls):
        return super()._actions() | {
            'inspection': 'production_reporting.act_inspection_pending',
            }
