"""Who reaches module 05 in the workspace: members holding `manage_credit` of an institution holding a
valid Jiangsu-issued CMA certificate (credit.services.credit_applies); for everyone else the module does
not exist (404), as its menu entry does not."""

from sujt.accounts.decorators import institution_required

from .services import credit_applies

PERMISSION = "manage_credit"

credit_member_required = institution_required(PERMISSION, available=credit_applies)
