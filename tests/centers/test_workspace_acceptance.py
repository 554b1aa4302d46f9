"""验收申请 in the workspace: who reaches each page, an application drafted, edited and submitted
through the pages (the center 验收申请中), its state through the two-step review (待市局审核, 待省局审核,
the grade when passed, the comments when not), withdrawal while it is open, and refusals in Chinese
that save nothing."""

from decimal import Decimal

import pytest
from django.urls import reverse

from centers import services
from centers.choices import AcceptanceStatus, CenterStatus
from centers.models import AcceptanceApplication
from sujt.core.attachments import attachments_of
from sujt.core.workflow import Side, transition
from tests.centers.factories import (
    acceptance_submitted,
    building_center,
    change_submitted,
    evaluation_rows,
    pdf,
    task_book_approved,
)

pytestmark = pytest.mark.django_db
A = AcceptanceStatus


@pytest.fixture
def enabled(institution, other_institution):
    for each in (institution, other_institution):
        each.centers_enabled = True
        each.save()
    return institution


@pytest.fixture
def planned(enabled, inst_admin, city_regulator, province_regulator):
    """筹建中 with task book v1 approved: 新增检测能力 120 项, 仪器设备投入 1200 万元."""
    center = building_center(enabled, inst_admin, city_regulator, province_regulator)
    task_book_approved(center, inst_admin, city_regulator)
    return center


def evaluations(center, values, **extra):
    """The form's POST: one self-evaluation row per indicator of the current task book."""
    indicators = list(center.task_book.indicators.all())
    data = {
        "evaluations-TOTAL_FORMS": str(len(indicators)),
        "evaluations-INITIAL_FORMS": str(len(indicators)),
        "evaluations-MIN_NUM_FORMS": "0",
        "evaluations-MAX_NUM_FORMS": str(services.MAX_ROWS),
    }
    for index, indicator in enumerate(indicators):
        row = values[index] if index < len(values) else {}
        data[f"evaluations-{index}-indicator_id"] = str(indicator.pk)
        for key in ("achieved_value", "met", "remark"):
            data[f"evaluations-{index}-{key}"] = str(row.get(key, ""))
    data.update(extra)
    return data


def all_met(center):
    return [
        {"achieved_value": str(i.target_value), "met": "1", "remark": "已完成"}
        for i in center.task_book.indicators.all()
    ]


def in_province_review(center, by, city_regulator):
    application = acceptance_submitted(center, by)
    transition(obj=application, name="city_approve", by=city_regulator, side=Side.CITY)
    application.refresh_from_db()
    return application


# --- Who reaches each page --------------------------------


@pytest.fixture
def pages(planned, inst_admin):
    application = services.acceptance_save(
        center=planned, by=inst_admin, summary="草稿。", evaluations=evaluation_rows(planned)
    )
    return {
        "acceptance_create": ("get", reverse("centers:acceptance_create", args=[planned.pk])),
        "acceptance_detail": ("get", reverse("centers:acceptance_detail", args=[application.pk])),
        "acceptance_edit": ("get", reverse("centers:acceptance_edit", args=[application.pk])),
        "acceptance_submit": ("post", reverse("centers:acceptance_submit", args=[application.pk])),
        "acceptance_withdraw": ("post", reverse("centers:acceptance_withdraw", args=[application.pk])),
    }


OWN = {
    "acceptance_create": 302,  # the draft is open: start refused, back to the center with the reason
    "acceptance_detail": 200,
    "acceptance_edit": 200,
    "acceptance_submit": 302,
    "acceptance_withdraw": 302,
}


@pytest.mark.parametrize("name", list(OWN))
@pytest.mark.parametrize("who", ["anonymous", "inst_staff", "other_inst_admin", "inst_admin"])
def test_each_page_is_for_the_institutions_members_with_the_permission(client_for, pages, name, who):
    method, url = pages[name]
    response = getattr(client_for(who), method)(url)
    expected = {"anonymous": 302, "inst_staff": 403, "other_inst_admin": 404, "inst_admin": OWN[name]}[who]
    assert response.status_code == expected
    if who == "anonymous":
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("name", list(OWN))
def test_an_institution_no_longer_enabled_has_none_of_the_pages(client_for, pages, institution, name):
    institution.centers_enabled = False
    institution.save()
    method, url = pages[name]
    assert getattr(client_for("inst_admin"), method)(url).status_code == 404


def test_the_form_opens_for_a_center_ready_for_acceptance(client_for, planned):
    html = (
        client_for("inst_admin").get(reverse("centers:acceptance_create", args=[planned.pk])).content.decode()
    )
    assert "提交验收申请" in html and "保存草稿" in html and 'enctype="multipart/form-data"' in html
    assert "新增检测能力" in html and "120 项" in html and "达标" in html and "未达标" in html


# --- Through the pages ------------------------------------


def test_an_application_is_drafted_edited_and_submitted_through_the_pages(client_for, planned):
    client = client_for("inst_admin")
    first = planned.task_book.indicators.get(number=1)
    response = client.post(
        reverse("centers:acceptance_create", args=[planned.pk]),
        evaluations(
            planned,
            [{"achieved_value": "118", "met": "0", "remark": "差 2 项"}],
            summary="基本完成。",
            action="save",
        ),
    )
    application = AcceptanceApplication.objects.get()
    assert response.status_code == 302 and response["Location"] == application.get_absolute_url()
    assert application.status == A.DRAFT
    assert [(e.indicator_id, e.achieved_value, e.met) for e in application.evaluations.all()] == [
        (first.pk, Decimal("118"), False)
    ]
    planned.refresh_from_db()
    assert planned.status == CenterStatus.BUILDING  # a draft does not stop the construction clock

    edit = client.get(reverse("centers:acceptance_edit", args=[application.pk])).content.decode()
    assert "基本完成。" in edit and 'value="118.00"' in edit and "差 2 项" in edit

    response = client.post(
        reverse("centers:acceptance_edit", args=[application.pk]),
        evaluations(
            planned, all_met(planned), summary="全部完成。", files=pdf("验收材料.pdf"), action="save"
        ),
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.summary == "全部完成。" and application.evaluations.filter(met=True).count() == 2
    assert [
        f.original_name for f in attachments_of(application, purpose=services.ACCEPTANCE_RULE.purpose)
    ] == ["验收材料.pdf"]

    response = client.post(reverse("centers:acceptance_submit", args=[application.pk]), follow=True)
    application.refresh_from_db()
    planned.refresh_from_db()
    assert application.status == A.CITY_REVIEW and planned.status == CenterStatus.ACCEPTANCE
    html = response.content.decode()
    assert "验收申请已提交" in html and "待市局审核" in html and "验收材料.pdf" in html
    assert "120" in html and "1200" in html and "达标" in html  # evaluations against the targets
    assert reverse("centers:acceptance_withdraw", args=[application.pk]) in html
    assert reverse("centers:acceptance_edit", args=[application.pk]) not in html


def test_submitting_from_the_form_without_materials_keeps_everything_typed(client_for, planned):
    response = client_for("inst_admin").post(
        reverse("centers:acceptance_create", args=[planned.pk]),
        evaluations(planned, all_met(planned), summary="全部完成，材料另附。", action="submit"),
    )
    html = response.content.decode()
    assert response.status_code == 400 and "请上传验收材料。" in html
    assert "全部完成，材料另附。" in html and 'value="120.00"' in html
    assert not AcceptanceApplication.objects.exists()
    planned.refresh_from_db()
    assert planned.status == CenterStatus.BUILDING


def test_submitting_with_an_indicator_not_evaluated_is_refused(client_for, planned):
    response = client_for("inst_admin").post(
        reverse("centers:acceptance_create", args=[planned.pk]),
        evaluations(planned, all_met(planned)[:1], summary="完成。", files=pdf(), action="submit"),
    )
    assert response.status_code == 400 and "请对现行任务书的每一项指标进行自评。" in response.content.decode()
    assert not AcceptanceApplication.objects.exists()


def test_bad_rows_come_back_in_chinese_and_nothing_is_saved(client_for, planned):
    response = client_for("inst_admin").post(
        reverse("centers:acceptance_create", args=[planned.pk]),
        evaluations(
            planned,
            [{"achieved_value": "一百二十", "met": "1"}, {"achieved_value": "1200"}],
            summary="",
            action="save",
        ),
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "请填写数字。" in html and "请选择是否达标。" in html and "请填写建设总结。" in html
    assert 'value="一百二十"' in html
    assert not AcceptanceApplication.objects.exists()


def test_no_acceptance_before_an_approved_task_book_redirects_with_the_reason(
    client_for, enabled, inst_admin, city_regulator, province_regulator
):
    center = building_center(enabled, inst_admin, city_regulator, province_regulator)
    response = client_for("inst_admin").get(
        reverse("centers:acceptance_create", args=[center.pk]), follow=True
    )
    assert response.redirect_chain[-1][0] == center.get_absolute_url()
    assert "任务书审核通过后才能申请验收。" in response.content.decode()


def test_no_acceptance_while_a_change_is_under_review(client_for, planned, inst_admin):
    change_submitted(planned, inst_admin)
    response = client_for("inst_admin").get(
        reverse("centers:acceptance_create", args=[planned.pk]), follow=True
    )
    assert "任务书变更申请正在审核，审核办结后再申请验收。" in response.content.decode()


# --- The two steps and their outcomes ---------------------


def test_in_province_review_it_says_so_and_may_still_be_withdrawn(
    client_for, planned, inst_admin, city_regulator
):
    application = in_province_review(planned, inst_admin, city_regulator)
    client = client_for("inst_admin")
    html = client.get(application.get_absolute_url()).content.decode()
    assert "待省局审核" in html and reverse("centers:acceptance_withdraw", args=[application.pk]) in html
    response = client.post(reverse("centers:acceptance_withdraw", args=[application.pk]), follow=True)
    application.refresh_from_db()
    planned.refresh_from_db()
    assert application.status == A.WITHDRAWN and planned.status == CenterStatus.BUILDING
    assert "验收申请已撤回。" in response.content.decode()


def test_a_passed_application_shows_its_grade(
    client_for, planned, inst_admin, city_regulator, province_regulator
):
    application = in_province_review(planned, inst_admin, city_regulator)
    services.acceptance_pass(
        application=application, decision="pass_good", by=province_regulator, side=Side.PROVINCE
    )
    html = client_for("inst_admin").get(application.get_absolute_url()).content.decode()
    assert "验收通过" in html and "良好" in html
    assert reverse("centers:acceptance_withdraw", args=[application.pk]) not in html


def test_a_failed_application_shows_the_comments_and_a_new_one_may_start(
    client_for, planned, inst_admin, city_regulator, province_regulator
):
    application = in_province_review(planned, inst_admin, city_regulator)
    services.acceptance_fail(
        application=application,
        by=province_regulator,
        comment="检测能力未达到任务书要求。",
        side=Side.PROVINCE,
    )
    client = client_for("inst_admin")
    html = client.get(application.get_absolute_url()).content.decode()
    assert "验收未通过" in html and "检测能力未达到任务书要求。" in html
    planned.refresh_from_db()
    assert planned.status == CenterStatus.FAILED
    assert client.get(reverse("centers:acceptance_create", args=[planned.pk])).status_code == 200


def test_a_returned_application_is_edited_and_resubmitted(client_for, planned, inst_admin, city_regulator):
    application = acceptance_submitted(planned, inst_admin)
    transition(
        obj=application, name="city_return", by=city_regulator, side=Side.CITY, comment="补充设备清单。"
    )
    client = client_for("inst_admin")
    html = client.get(application.get_absolute_url()).content.decode()
    assert "补充设备清单。" in html and reverse("centers:acceptance_withdraw", args=[application.pk]) in html
    form = client.get(reverse("centers:acceptance_edit", args=[application.pk])).content.decode()
    assert "补充设备清单。" in form and "重新提交验收申请" in form
    response = client.post(
        reverse("centers:acceptance_edit", args=[application.pk]),
        evaluations(
            planned, all_met(planned), summary="已补充设备清单。", files=pdf("设备清单.pdf"), action="submit"
        ),
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == A.CITY_REVIEW and application.summary == "已补充设备清单。"


def test_an_application_under_review_cannot_be_edited(client_for, planned, inst_admin):
    application = acceptance_submitted(planned, inst_admin)
    response = client_for("inst_admin").get(
        reverse("centers:acceptance_edit", args=[application.pk]), follow=True
    )
    assert response.redirect_chain[-1][0] == application.get_absolute_url()
    assert "不能修改" in response.content.decode()
