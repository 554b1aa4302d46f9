"""Registrations for the profile area of module 02 (imported by InstitutionsConfig.ready).

Module 02 opens in the workspace navigation at its overview. The dashboard's 首要工作 item 完善基础信息
(key "complete_profile", the key the foundation used while the module was unopened) is provided here: done
once every 完善信息 item of the completeness checklist is done.
"""

from django.urls import reverse

from sujt.accounts.permissions import has_module_perm
from sujt.core.modules import register_module
from sujt.core.todos import ChecklistItem, register_checklist_provider

from ..services.completeness import EXTRA, RULES

COMPLETE_PROFILE_KEY = "complete_profile"
COMPLETE_PROFILE_ORDER = 40


def complete_profile_checklist(user, institution) -> list[ChecklistItem]:
    """完善基础信息, for members who may edit the profile (manage_profile)."""
    if institution is None or not has_module_perm(
        user=user, institution_id=institution.pk, perm="manage_profile"
    ):
        return []
    missing = [rule.title for rule in RULES if rule.group == EXTRA and not rule.test(institution)]
    note = f"信息完整度 {institution.completeness}%"
    if missing:
        named = "、".join(missing[:3]) + ("等" if len(missing) > 3 else "")
        note += f"；还有 {len(missing)} 项完善信息未填写（{named}）。"
    else:
        note += "；完善信息已全部填写。"
    return [
        ChecklistItem(
            key=COMPLETE_PROFILE_KEY,
            title="完善基础信息",
            done=not missing,
            url=reverse("institutions:profile_edit"),
            note=note,
            order=COMPLETE_PROFILE_ORDER,
        )
    ]


register_module("02", url_name="institutions:overview", perm="manage_profile")
register_checklist_provider(complete_profile_checklist)
