"""The portal's channels and their categories (the original portal's three boxes, plus 行业动态/通知)."""

from django.db import models


class Channel(models.TextChoices):
    NEWS = "news", "新闻资讯"
    LAWS = "laws", "法律法规"
    NOTICES = "notices", "通知公告"


class Category(models.TextChoices):
    # 新闻资讯
    SUPERVISION = "supervision", "监督检查"
    PENALTY = "penalty", "行政处罚"
    INSTITUTION_STYLE = "style", "机构风采"
    INDUSTRY = "industry", "行业动态"
    # 法律法规
    POLICY = "policy", "行业政策"
    TECHNICAL = "technical", "技术规范"
    NORMATIVE = "normative", "规范性文件"
    # 通知公告
    PROFICIENCY = "proficiency", "能力验证"
    GUIDE = "guide", "申报指南"
    NOTICE = "notice", "通知"


# Each channel's categories, in the order of its tabs.
CHANNEL_CATEGORIES: dict[str, tuple[str, ...]] = {
    Channel.NEWS: (Category.SUPERVISION, Category.PENALTY, Category.INSTITUTION_STYLE, Category.INDUSTRY),
    Channel.LAWS: (Category.POLICY, Category.TECHNICAL, Category.NORMATIVE),
    Channel.NOTICES: (Category.PROFICIENCY, Category.GUIDE, Category.NOTICE),
}
CATEGORY_CHANNEL: dict[str, str] = {
    category: channel for channel, categories in CHANNEL_CATEGORIES.items() for category in categories
}

# Institutions may submit news in these categories only (manual §四.6).
INSTITUTION_CATEGORIES: tuple[str, ...] = (Category.INSTITUTION_STYLE, Category.INDUSTRY)


class DisclosureKind(models.TextChoices):
    """What the supervision side discloses on the portal; a module asks for it with a disclosure.requested
    event (sujt.core.events.DISCLOSURE_REQUESTED), which news handles."""

    INSPECTION = "inspection", "监督检查结果"
    PENALTY = "penalty", "行政处罚信息"


DISCLOSURE_CATEGORIES: dict[str, str] = {
    DisclosureKind.INSPECTION: Category.SUPERVISION,
    DisclosureKind.PENALTY: Category.PENALTY,
}


def grouped_category_choices(categories: tuple[str, ...] | None = None) -> list[tuple[str, list]]:
    """Category choices grouped under their channel (optgroups), optionally limited to `categories`."""
    groups = []
    for channel, members in CHANNEL_CATEGORIES.items():
        options = [(c, Category(c).label) for c in members if categories is None or c in categories]
        if options:
            groups.append((Channel(channel).label, options))
    return groups
