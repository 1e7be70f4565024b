# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserError


class PeriodError(UserError):
    pass


class ClosedPeriodError(UserError):
    pass


class AllocationError(UserError):
    pass


class PoolImportError(UserError):
    pass
