"""Profile completeness (信息完整度): a weighted checklist, shown to the user and stored for ranking.

"机构在基础信息中相关信息越完善，则在门户中越能被公众检索并关注" — the public directory ranks by the stored
score, so every write that can change an item calls `completeness_recalculate`.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse

from ..choices import CertificateStatus
from ..models import Institution
from ..sections import section


@dataclass(frozen=True)
class CompletenessItem:
    key: str
    title: str
    weight: int
    done: bool
    url: str
    group: str


@dataclass(frozen=True)
class _Rule:
    key: str
    title: str
    weight: int
    group: str
    url_name: str
    anchor: str
    test: Callable[[Institution], bool]


def _filled(*names: str) -> Callable[[Institution], bool]:
    return lambda inst: all(getattr(inst, name) not in (None, "") for name in names)


def _high_tech_answered(inst: Institution) -> bool:
    if inst.is_high_tech is None:
        return False
    return not inst.is_high_tech or bool(inst.high_tech_obtained_on and inst.high_tech_certificate_id)


def _listing_answered(inst: Institution) -> bool:
    if inst.is_listed is None:
        return False
    return not inst.is_listed or bool(inst.listed_market and inst.stock_code)


def _has_fields(inst: Institution) -> bool:
    return inst.fields.exists()


def _has_valid_certificate(inst: Institution) -> bool:
    return inst.certificates.filter(status=CertificateStatus.VALID, withdrawn_at__isnull=True).exists()


def _has_ip(inst: Institution) -> bool:
    return any(model.objects.filter(institution=inst).exists() for model in section("ip").parts.values())


BASIC = "基础信息"
EXTRA = "完善信息"
OTHER = "资质与确认"


def _basic(key: str, title: str, weight: int, *fields: str) -> _Rule:
    # Synced basic info is corrected in the approval system; the overview shows what is missing.
    return _Rule(key, title, weight, BASIC, "institutions:overview", "basic", _filled(*fields))


def _extra(key: str, title: str, weight: int, test: Callable[[Institution], bool] | None = None) -> _Rule:
    return _Rule(key, title, weight, EXTRA, "institutions:profile_edit", f"id_{key}", test or _filled(key))


RULES: list[_Rule] = [
    _basic("legal_representative", "法定代表人", 5, "legal_representative"),
    _basic("address", "地址与邮政编码", 5, "address", "postcode"),
    _basic("phone", "机构电话", 5, "phone"),
    _basic("email", "机构邮箱", 3, "email"),
    _basic("website", "网站", 2, "website"),
    _basic("contact", "联系人及电话", 5, "contact_person", "contact_phone"),
    _basic("established_on", "成立日期", 3, "established_on"),
    _basic("introduction", "机构简介", 5, "introduction"),
    _extra("is_high_tech", "是否高新技术企业（是则附获得时间和证书扫描件）", 5, _high_tech_answered),
    _extra("logo", "机构Logo", 5, _filled("logo_id")),
    _extra("legal_person_type", "法人类型", 5),
    _extra("unit_type", "单位类型", 4),
    _extra("supervising_department", "所属厅局", 4),
    _extra("ownership", "所有制结构", 4),
    _extra("is_listed", "是否上市公司（是则附所属市场和股票代码）", 4, _listing_answered),
    _extra("investor_type", "出资人类型", 4),
    _extra("fields", "检验检测领域", 6, _has_fields),
    _extra("business_scope", "业务范围", 6),
    _Rule(
        "certificate",
        "有效的资质认定证书",
        5,
        OTHER,
        section("certificates").url_name,
        "",
        _has_valid_certificate,
    ),
    _Rule("confirmed", "确认机构信息", 10, OTHER, "institutions:confirm", "", _filled("info_confirmed_at")),
    _Rule("ip", "知识产权（软件著作权、专利或商标）", 5, OTHER, section("ip").url_name, "", _has_ip),
]

TOTAL_WEIGHT = sum(rule.weight for rule in RULES)
assert TOTAL_WEIGHT == 100, TOTAL_WEIGHT


def completeness_items(*, institution: Institution) -> list[CompletenessItem]:
    items = []
    for rule in RULES:
        url = reverse(rule.url_name)
        if rule.anchor:
            url = f"{url}#{rule.anchor}"
        items.append(
            CompletenessItem(
                key=rule.key,
                title=rule.title,
                weight=rule.weight,
                done=rule.test(institution),
                url=url,
                group=rule.group,
            )
        )
    return items


def completeness_score(*, institution: Institution) -> int:
    return sum(item.weight for item in completeness_items(institution=institution) if item.done)


def completeness_recalculate(*, institution_id: int) -> int:
    """Recomputes and stores the score. A plain UPDATE: the score is derived, not audited history."""
    with transaction.atomic():
        institution = Institution.objects.select_for_update().get(pk=institution_id)
        score = completeness_score(institution=institution)
        if score != institution.completeness:
            Institution.objects.filter(pk=institution_id).update(completeness=score)
    return score
