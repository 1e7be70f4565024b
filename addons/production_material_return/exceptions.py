# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError


class MaterialReturnError(UserError):
    pass


class QuantityError(MaterialReturnError):
    pass


class DutyError(AccessError):
    pass


class InspectionError(MaterialReturnError):
    pass


class ScanError(MaterialReturnError):
    "A scanned code that cannot change the return"
    pass
