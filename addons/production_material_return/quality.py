# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.i18n import gettext
from trytond.model import fields
from trytond.model.exceptions import AccessError
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

    superseded = fields.Boolean(
        "Superseded", readonly=True,
        help="Inspection of an earlier round of its origin, "
        "which was sent back to draft.")

    @classmethod
    def default_superseded(cls):
        return False

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.origin.domain['production.material.return'] = [
            ('company', '=', Eval('company', -1)),
            ]

    @classmethod
    def _get_origins(cls):
        return super()._get_origins() + ['production.material.return']

    @classmethod
    def check_modification(
            cls, mode, inspections, values=None, external=False):
        super().check_modification(
            mode, inspections, values=values, external=external)
        if not external:
            return
        if ((mode == 'create' and any(i.superseded for i in inspections))
                or (mode == 'write' and 'superseded' in values)):
            raise AccessError(gettext(
                    'production_material_return.msg_inspection_superseded',
                    inspection=', '.join(i.rec_name for i in inspections)))

    @classmethod
    def copy(cls, inspections, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('superseded', False)
        return super().copy(inspections, default=default)
