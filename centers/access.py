"""Who reaches module 04 in the workspace: members holding `manage_centers` of an institution a regulator
enabled center construction for; for everyone else the module does not exist (404), as its menu entry
does not."""

from sujt.accounts.decorators import institution_required

from .models import PERMISSION
from .selectors import centers_enabled

centers_member_required = institution_required(PERMISSION, available=centers_enabled)
