"""The foundation's items of the dashboard's 首要工作 checklist (manual §三 登录首要工作).

Each item ticks itself off when its condition holds. An item that belongs to a module not built yet is
provided here only while that module is unopened (see sujt.core.modules): it links to where the work will
be done and says so. Once the module registers, its app provides the item itself, with the same key.
"""

from django.urls import reverse

from sujt.core.modules import is_open
from sujt.core.todos import ChecklistItem

CREDIT_MODULE = "05"
PROFILE_MODULE = "02"


def _modules_help_url() -> str:
    return reverse("portal:help") + "#modules"


def foundation_checklist(user, institution) -> list[ChecklistItem]:
    password_done = user.password_changed_at is not None and not user.must_change_password
    items = [
        ChecklistItem(
            key="change_password",
            title="修改初始密码",
            done=password_done,
            url=reverse("accounts:password_change"),
            note="" if password_done else "首次登录请先将初始密码改为只有您知道的密码。",
            order=10,
        ),
    ]
    if not is_open(CREDIT_MODULE):
        # Credit applies only to holders of a Jiangsu CMA certificate; certificates arrive with the
        # credit module, so until then the item is shown to everyone with the rule spelled out.
        items.append(
            ChecklistItem(
                key="credit_commitment",
                title="上传信用承诺书",
                done=False,
                url=_modules_help_url(),
                note="信用管理模块上线后在此上传（仅申领江苏省CMA证书的机构）",
                order=20,
            )
        )
    if not is_open(PROFILE_MODULE):
        items += [
            ChecklistItem(
                key="confirm_institution",
                title="确认机构信息",
                done=False,
                url=reverse("portal:dashboard") + "#profile",
                note="机构风采管理模块（02）尚未开通，开通后在该模块中确认；目前可先核对本页“机构概况”，"
                "如有误请到江苏省检验检测资质认定审批系统中变更。",
                order=30,
            ),
            ChecklistItem(
                key="complete_profile",
                title="完善基础信息",
                done=False,
                url=_modules_help_url(),
                note="机构风采管理模块（02）尚未开通，开通后在该模块中填报。",
                order=40,
            ),
        ]
    return items
