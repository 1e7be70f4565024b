# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserError
from trytond.model.exceptions import ValidationError


class InspectionLineError(ValidationError):
    pass


class DecisionError(UserError):
    pass


class LotQualityError(UserError):
    pass


class DispositionError(UserError):
    pass
