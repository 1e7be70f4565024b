# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.pool import PoolMeta
from trytond.pyson import Eval


class Control(metaclass=PoolMeta):
    __name__ = 'quality.control'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        operation = ('production.material.return:approve',
            "Material Return Approved")
        if operation not in cls.operations.selection:
            cls.operations.selection.append(operation)


class Inspection(metaclass=PoolMeta):
    __name__ = 'quality.inspection'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.origin.domain['production.material.return'] = [
            ('company', '=', Eval('company', -1)),
            ]

    @classmethod
    def _get_origins(cls):
        return super()._get_origins() + ['production.material.return']
