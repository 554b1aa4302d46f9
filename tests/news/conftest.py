"""Fixtures of module 06: the institution's news in each workflow state, and the form's POST data."""

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from news import services
from sujt.core.workflow import review_reject, review_return
from tests.core.samples import PDF_BYTES, png_bytes, upload
from tests.factories import NewsSubmissionFactory

RETURN_COMMENT = "请补充活动的时间和地点，并删除与主题无关的段落。"


def cover_png(name: str = "封面.png"):
    return upload(name, png_bytes((16, 9)), "image/png")


def file_pdf(name: str = "活动通知.pdf"):
    return upload(name, PDF_BYTES, "application/pdf")


@pytest.fixture
def submission_data() -> Callable[..., dict[str, Any]]:
    """submission_data(title=..., action="submit", ...) -> the add/edit form's POST data."""

    def make(**overrides: Any) -> dict[str, Any]:
        data = {
            "category": "style",
            "title": "我单位开展实验室开放日活动",
            "summary": "向公众展示检验检测流程。",
            "body": "<p>5 月 20 日，我单位举办实验室开放日，邀请市民参观。</p>",
            "source": "",
            "action": "draft",
        }
        data.update(overrides)
        return data

    return make


@pytest.fixture
def draft(institution, inst_admin):
    return NewsSubmissionFactory(
        institution=institution, author=inst_admin, title="机构草稿：检测能力再上新台阶"
    )


@pytest.fixture
def submitted(draft, inst_admin):
    return services.submission_submit(submission=draft, by=inst_admin)


@pytest.fixture
def returned(submitted, city_regulator):
    review_return(obj=submitted, by=city_regulator, comment=RETURN_COMMENT)
    return submitted


@pytest.fixture
def rejected(submitted, city_regulator):
    review_reject(obj=submitted, by=city_regulator, comment="与检验检测行业无关。")
    return submitted


@pytest.fixture
def withdrawn(submitted, inst_admin):
    return services.submission_withdraw(submission=submitted, by=inst_admin)


@pytest.fixture
def approved(submitted, city_regulator):
    return services.submission_approve(obj=submitted, by=city_regulator)


@pytest.fixture
def other_submission(other_institution, other_inst_admin):
    return NewsSubmissionFactory(
        institution=other_institution, author=other_inst_admin, title="他机构的新闻：苏州开放日"
    )


@pytest.fixture
def urls() -> Callable[[Any], dict[str, str]]:
    def make(submission: Any) -> dict[str, str]:
        return {
            name: reverse(f"news:submission_{name}", args=[submission.pk])
            for name in ("detail", "edit", "submit", "withdraw", "delete")
        }

    return make
