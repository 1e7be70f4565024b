# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from decimal import Decimal

from trytond.model import ModelSQL, fields
from trytond.modules.company.model import CompanyValueMixin
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, Id

PICKING_METHODS = [
    ('run', "All at Start"),
    ('slip', "By Picking Slips"),
    ]


def _sequence_field(name, string, sequence_type, eval_company):
    return fields.Many2One(
        'ir.sequence', string,
        domain=[
            ('company', 'in', [eval_company, None]),
            ('sequence_type', '=',
                Id('production_picking', sequence_type)),
            ])


class SequenceNumberMixin:
    """A new record takes the next number of the company's sequence that
    the configuration field _number_sequence names"""
    __slots__ = ()
    _number_sequence = None

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if mode == 'create' and not values.get('number'):
            number = cls._sequence_number(
                values.get('company', cls.default_company()))
            if number:
                values['number'] = number
        return values

    @classmethod
    def _sequence_number(cls, company_id):
        pool = Pool()
        Configuration = pool.get('production.configuration')
        if company_id is not None:
            sequence = Configuration(1).get_sequence(
                cls._number_sequence, company_id)
            if sequence:
                return sequence.get()


class Configuration(metaclass=PoolMeta):
    __name__ = 'production.configuration'

    picking_sequence = fields.MultiValue(_sequence_field(
            'picking_sequence', "Picking Sequence", 'sequence_type_picking',
            Eval('context', {}).get('company', -1)))
    output_report_sequence = fields.MultiValue(_sequence_field(
            'output_report_sequence', "Output Report Sequence",
            'sequence_type_output_report',
            Eval('context', {}).get('company', -1)))
    picking_method = fields.Selection(
        PICKING_METHODS, "Picking Method", required=True,
        help="How a new production order issues its components: all at "
        "its start (when it runs) or by picking slips only.")
    supplementary_tolerance = fields.Numeric(
        "Supplementary Tolerance", digits=(16, 2), required=True,
        domain=[('supplementary_tolerance', '>=', 0)],
        help="In % of the BOM standard of the order: a supplementary "
        "picking above it waits for the production manager's approval.")
    backflush_negative = fields.Boolean(
        "Backflush into Negative",
        help="When the picking location lacks a backflushed component, "
        "consume it into negative stock after a warning instead of "
        "refusing the output report.")

    @classmethod
    def multivalue_model(cls, field):
        pool = Pool()
        if field in {'picking_sequence', 'output_report_sequence'}:
            return pool.get('production.configuration.picking_sequence')
        return super().multivalue_model(field)

    @classmethod
    def default_picking_sequence(cls, **pattern):
        return cls.multivalue_model(
            'picking_sequence').default_picking_sequence()

    @classmethod
    def default_output_report_sequence(cls, **pattern):
        return cls.multivalue_model(
            'output_report_sequence').default_output_report_sequence()

    @classmethod
    def default_picking_method(cls):
        return 'run'

    @classmethod
    def default_supplementary_tolerance(cls):
        return Decimal(5)

    @classmethod
    def default_backflush_negative(cls):
        return False

    def get_sequence(self, name, company):
        "The sequence name (picking or output report) of the company"
        pool = Pool()
        Sequence = pool.get('ir.sequence')
        sequence = self.get_multivalue(name, company=company)
        if sequence:
            return sequence
        sequence_id = getattr(self, 'default_%s' % name)()
        if sequence_id is not None:
            return Sequence(sequence_id)


class ConfigurationPickingSequence(ModelSQL, CompanyValueMixin):
    __name__ = 'production.configuration.picking_sequence'
    picking_sequence = _sequence_field(
        'picking_sequence', "Picking Sequence", 'sequence_type_picking',
        Eval('company', -1))
    output_report_sequence = _sequence_field(
        'output_report_sequence', "Output Report Sequence",
        'sequence_type_output_report', Eval('company', -1))

    @classmethod
    def _default(cls, xml_id):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        try:
            return ModelData.get_id('production_picking', xml_id)
        except KeyError:
            return None

    @classmethod
    def default_picking_sequence(cls):
        return cls._default('sequence_picking')

    @classmethod
    def default_output_report_sequence(cls):
        return cls._default('sequence_output_report')
