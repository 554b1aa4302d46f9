"""Writes about users, memberships and regulators. Keyword-only, one transaction each."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

REGULATOR_GROUP = "监管人员"

# What a regulator may do in admin, beyond what the region scope already limits. Apps add their own
# codenames here as their modules land ("app_label.codename").
REGULATOR_PERMISSIONS: list[str] = [
    "accounts.view_user",
    "accounts.view_membership",
    "accounts.view_regulator",
    "accounts.view_loginevent",
    "institutions.view_institution",
    "institutions.change_institution",
]


@transaction.atomic
def regulator_group_ensure() -> Group:
    """The group every regulator belongs to, holding exactly REGULATOR_PERMISSIONS."""
    group, _created = Group.objects.get_or_create(name=REGULATOR_GROUP)
    wanted = []
    for dotted in REGULATOR_PERMISSIONS:
        app_label, codename = dotted.split(".", 1)
        wanted.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    group.permissions.set(wanted)
    return group
