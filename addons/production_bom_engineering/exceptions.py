# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserError
from trytond.model.exceptions import ValidationError


class QueryError(UserError):
    "Bad input to the BOM queries (where-used, cost, tree)"
    pass


class TreeError(ValidationError):
    "A change of the multi-level BOM tree that cannot be saved"
    pass


class VersionError(ValidationError):
    "A change of an active or obsolete BOM version"
    pass


class ChangeError(UserError):
    "An engineering change order that cannot go on"
    pass


class ChangeLineError(ValidationError):
    "A change line with a bad ratio, quantity, loss rate or unit"
    pass
