# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.pool import PoolMeta


class Production(metaclass=PoolMeta):
    __name__ = 'production'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.inputs.domain = [
            cls._input_location_domain(clause) for clause in cls.inputs.domain]

    @staticmethod
    def _input_location_domain(clause):
        """An input comes from the warehouse or from a customer's location
        (the move checks the customer at assign and do)"""
        if clause[0] != 'from_location':
            return clause
        return ['OR', clause,
            ('from_location.customer_material_party', '!=', None)]
