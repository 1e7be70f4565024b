# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The sequence numbering the engineering change orders, per company"""
from trytond.model import ModelSQL, fields
from trytond.modules.company.model import CompanyValueMixin
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, Id


def _sequence_domain(company):
    return [
        ('company', 'in', [company, None]),
        ('sequence_type', '=',
            Id('production_bom_engineering', 'sequence_type_bom_change')),
        ]


class Configuration(metaclass=PoolMeta):
    __name__ = 'production.configuration'
    bom_change_sequence = fields.MultiValue(fields.Many2One(
            'ir.sequence', "Engineering Change Order Sequence",
            domain=_sequence_domain(Eval('context', {}).get('company', -1))))

    @classmethod
    def default_bom_change_sequence(cls, **pattern):
        return cls.multivalue_model(
            'bom_change_sequence').default_bom_change_sequence()

    def get_bom_change_sequence(self, company):
        "The sequence that numbers the change orders of the company"
        Sequence = Pool().get('ir.sequence')
        default = self.default_bom_change_sequence()
        return (self.get_multivalue('bom_change_sequence', company=company)
            or (Sequence(default) if default is not None else None))


class ConfigurationBOMChangeSequence(ModelSQL, CompanyValueMixin):
    "Production Configuration Engineering Change Order Sequence"
    __name__ = 'production.configuration.bom_change_sequence'
    bom_change_sequence = fields.Many2One(
        'ir.sequence', "Engineering Change Order Sequence",
        domain=_sequence_domain(Eval('company', -1)))

    @classmethod
    def default_bom_change_sequence(cls):
        ModelData = Pool().get('ir.model.data')
        try:
            return ModelData.get_id(
                'production_bom_engineering', 'sequence_bom_change')
        except KeyError:
            return None
