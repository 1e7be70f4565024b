# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserError, UserWarning
from trytond.model.exceptions import AccessError


class PickingError(UserError):
    pass


class IssueError(PickingError):
    "A quantity that cannot be issued to an order"
    pass


class ScanError(PickingError):
    "A scanned code that cannot change the slip"
    pass


class DutyError(AccessError):
    pass


class OutputReportError(UserError):
    pass


class BackflushWarning(UserWarning):
    pass
