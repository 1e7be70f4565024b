# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserError, UserWarning
from trytond.model.exceptions import ValidationError
from trytond.modules.stock_quarantine.exceptions import (  # noqa: F401
    ArgumentError, CompanyError)


class CyclicBOMError(UserError):
    pass


class SubstituteError(ValidationError):
    pass


class SaleShortageWarning(UserWarning):
    pass


class RequestError(UserError):
    pass


class NoWarehouseError(UserError):
    pass
