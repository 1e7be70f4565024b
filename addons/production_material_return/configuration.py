# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from sql import Literal, Null
from sql.functions import CurrentTimestamp

from trytond import backend
from trytond.model import ModelSQL, fields
from trytond.modules.company.model import CompanyValueMixin
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, Id
from trytond.transaction import Transaction


class Configuration(metaclass=PoolMeta):
    __name__ = 'production.configuration'

    material_return_sequence = fields.MultiValue(fields.Many2One(
            'ir.sequence', "Material Return Sequence",
            domain=[
                ('company', 'in',
                    [Eval('context', {}).get('company', -1), None]),
                ('sequence_type', '=',
                    Id('production_material_return',
                        'sequence_type_material_return')),
                ]))
    material_return_strict = fields.Boolean(
        "Strict Material Return",
        help="Also subtract the standard consumption of the output "
        "already done (BOM quantity × output quantity) from the "
        "returnable quantity.")
    material_return_separate_duties = fields.Boolean(
        "Separate Material Return Duties",
        help="The requester of a material return cannot approve it.")

    @classmethod
    def default_material_return_sequence(cls, **pattern):
        return cls.multivalue_model(
            'material_return_sequence').default_material_return_sequence()

    @classmethod
    def default_material_return_strict(cls):
        return False

    @classmethod
    def default_material_return_separate_duties(cls):
        return True

    def get_material_return_sequence(self, company):
        "The sequence that numbers the returns of the company"
        pool = Pool()
        Sequence = pool.get('ir.sequence')
        sequence = self.get_multivalue(
            'material_return_sequence', company=company)
        if sequence:
            return sequence
        sequence_id = self.default_material_return_sequence()
        if sequence_id is not None:
            return Sequence(sequence_id)


class ConfigurationMaterialReturnSequence(ModelSQL, CompanyValueMixin):
    __name__ = 'production.configuration.material_return_sequence'
    material_return_sequence = fields.Many2One(
        'ir.sequence', "Material Return Sequence",
        domain=[
            ('company', 'in', [Eval('company', -1), None]),
            ('sequence_type', '=',
                Id('production_material_return',
                    'sequence_type_material_return')),
            ])

    @classmethod
    def __register__(cls, module_name):
        exist = backend.TableHandler.table_exist(cls._table)
        super().__register__(module_name)
        if not exist:
            cls._migrate_configuration()

    @classmethod
    def _migrate_configuration(cls):
        "Migration from 8.0.0: the sequence was a column of the configuration"
        pool = Pool()
        Configuration = pool.get('production.configuration')
        cursor = Transaction().connection.cursor()
        if not Configuration.__table_handler__().column_exist(
                'material_return_sequence'):
            return
        table = cls.__table__()
        configuration = Configuration.__table__()
        cursor.execute(*table.insert(
                [table.material_return_sequence, table.create_uid,
                    table.create_date],
                configuration.select(
                    configuration.material_return_sequence, Literal(0),
                    CurrentTimestamp(),
                    where=configuration.material_return_sequence != Null)))

    @classmethod
    def default_material_return_sequence(cls):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        try:
            return ModelData.get_id(
                'production_material_return', 'sequence_material_return')
        except KeyError:
            return None
