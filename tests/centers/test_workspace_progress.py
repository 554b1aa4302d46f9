"""筹建进展报告 in the workspace: who reaches each page, a report drafted, edited (files added and removed)
and submitted through the pages, blank rows left out and the share computed when not given, bad input
refused in Chinese with nothing saved, and an approved report showing on the center's page."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from centers import services
from centers.models import ProgressReport
from sujt.core.attachments import attachments_of
from sujt.core.choices import ReviewStatus
from sujt.core.workflow import Side, transition
from tests.centers.factories import building_center, change_submitted, pdf, task_book_approved

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


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


def figures(center, values, **extra):
    """The form's POST: one row per indicator of the current task book, `values` giving each row's
    {actual_value, percent, note} (missing keys are sent blank, as the browser does)."""
    indicators = list(center.task_book.indicators.all())
    data = {
        "entries-TOTAL_FORMS": str(len(indicators)),
        "entries-INITIAL_FORMS": str(len(indicators)),
        "entries-MIN_NUM_FORMS": "0",
        "entries-MAX_NUM_FORMS": str(services.MAX_ROWS),
    }
    for index, indicator in enumerate(indicators):
        row = values[index] if index < len(values) else {}
        data[f"entries-{index}-indicator_id"] = str(indicator.pk)
        for key in ("actual_value", "percent", "note"):
            data[f"entries-{index}-{key}"] = str(row.get(key, ""))
    data.update(extra)
    return data


def draft(center, by, **overrides):
    first = center.task_book.indicators.get(number=1)
    values = {
        "center": center,
        "by": by,
        "narrative": "设备已到货。",
        "entries": [{"indicator_id": first.pk, "actual_value": Decimal(30), "percent": None, "note": ""}],
    }
    values.update(overrides)
    return services.progress_save(**values)


# --- Who reaches each page --------------------------------


@pytest.fixture
def pages(planned, inst_admin):
    report = draft(planned, inst_admin)
    return {
        "progress_create": ("get", reverse("centers:progress_create", args=[planned.pk])),
        "progress_detail": ("get", reverse("centers:progress_detail", args=[report.pk])),
        "progress_edit": ("get", reverse("centers:progress_edit", args=[report.pk])),
        "progress_submit": ("post", reverse("centers:progress_submit", args=[report.pk])),
        "progress_withdraw": ("post", reverse("centers:progress_withdraw", args=[report.pk])),
    }


OWN = {
    "progress_create": 200,
    "progress_detail": 200,
    "progress_edit": 200,
    "progress_submit": 302,
    "progress_withdraw": 302,
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


def test_another_institution_cannot_withdraw_the_report(client_for, pages):
    client_for("other_inst_admin").post(pages["progress_withdraw"][1])
    assert ProgressReport.objects.get().status == ReviewStatus.DRAFT


# --- Through the pages ------------------------------------


def test_a_report_is_drafted_edited_and_submitted_through_the_pages(client_for, planned):
    client = client_for("inst_admin")
    first, second = planned.task_book.indicators.all()
    form = client.get(reverse("centers:progress_create", args=[planned.pk])).content.decode()
    # One row per indicator, with what it is measured against.
    assert "新增检测能力" in form and "仪器设备投入" in form and "120 项" in form and "1200 万元" in form
    assert f'name="entries-0-indicator_id" value="{first.pk}"' in form
    assert "保存草稿" in form and 'enctype="multipart/form-data"' in form

    response = client.post(
        reverse("centers:progress_create", args=[planned.pk]),
        figures(
            planned,
            [{"actual_value": "30", "note": "新增 30 项"}, {}],  # the second row left blank
            narrative="完成第一批参数的能力验证。",
            files=[pdf("进展材料一.pdf"), pdf("进展材料二.pdf")],
            action="save",
        ),
    )
    report = ProgressReport.objects.get()
    assert response.status_code == 302 and response["Location"] == report.get_absolute_url()
    assert report.status == ReviewStatus.DRAFT and report.task_book == planned.task_book
    assert [(e.indicator_id, e.actual_value, e.percent) for e in report.entries.all()] == [(first.pk, 30, 25)]
    files = list(attachments_of(report, purpose=services.PROGRESS_RULE.purpose).order_by("pk"))
    assert [f.original_name for f in files] == ["进展材料一.pdf", "进展材料二.pdf"]

    edit = client.get(reverse("centers:progress_edit", args=[report.pk])).content.decode()
    assert 'value="30.00"' in edit and "新增 30 项" in edit and "完成第一批参数的能力验证。" in edit
    assert "进展材料一.pdf" in edit and f'name="remove_files" value="{files[0].pk}"' in edit

    response = client.post(
        reverse("centers:progress_edit", args=[report.pk]),
        figures(
            planned,
            [{"actual_value": "60", "note": "新增 60 项"}, {"actual_value": "300", "percent": "40"}],
            narrative="完成第二批参数。",
            remove_files=[str(files[0].pk)],
            action="save",
        ),
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.narrative == "完成第二批参数。"
    # A share left blank is computed from the target (60/120); a share given is kept (40, not 25).
    assert [(e.indicator_id, e.percent) for e in report.entries.all()] == [(first.pk, 50), (second.pk, 40)]
    left = attachments_of(report, purpose=services.PROGRESS_RULE.purpose)
    assert [f.original_name for f in left] == ["进展材料二.pdf"]

    response = client.post(reverse("centers:progress_submit", args=[report.pk]), follow=True)
    report.refresh_from_db()
    assert report.status == ReviewStatus.SUBMITTED
    html = response.content.decode()
    assert "进展报告已提交" in html and "50%" in html and "40%" in html and "进展材料二.pdf" in html
    assert "新增检测能力：50%" in html and "仪器设备投入：40%" in html  # the shares as bars, out of 100
    assert reverse("centers:progress_edit", args=[report.pk]) not in html
    assert reverse("centers:progress_withdraw", args=[report.pk]) in html


def test_submitted_then_approved_the_figures_show_on_the_center_page(
    client_for, planned, inst_admin, city_regulator
):
    client = client_for("inst_admin")
    client.post(
        reverse("centers:progress_create", args=[planned.pk]),
        figures(
            planned, [{"actual_value": "90"}, {"actual_value": "540"}], narrative="进展。", action="submit"
        ),
    )
    report = ProgressReport.objects.get()
    assert report.status == ReviewStatus.SUBMITTED
    page = client.get(reverse("centers:center_detail", args=[planned.pk])).content.decode()
    assert "待审核：75%" in page and "待审核：45%" in page  # not yet counted

    transition(obj=report, name="approve", by=city_regulator, side=Side.CITY)
    page = client.get(reverse("centers:center_detail", args=[planned.pk])).content.decode()
    assert "新增检测能力：75%" in page and "仪器设备投入：45%" in page  # the bars' titles
    assert "总体 60%" in page  # (75 + 45) / 2
    assert "待审核：" not in page
    detail = client.get(report.get_absolute_url()).content.decode()
    assert (
        'data-status="approved">已通过<' in detail
        and reverse("centers:progress_withdraw", args=[report.pk]) not in detail
    )


def test_bad_figures_come_back_in_chinese_and_nothing_is_saved(client_for, planned):
    response = client_for("inst_admin").post(
        reverse("centers:progress_create", args=[planned.pk]),
        figures(
            planned,
            [{"actual_value": "三十"}, {"actual_value": "300", "percent": "150"}],
            narrative="本期进展说明。",
            action="save",
        ),
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "请填写数字。" in html and "不能大于 100。" in html
    assert 'value="三十"' in html and 'value="150"' in html and "本期进展说明。" in html
    assert not ProgressReport.objects.exists()


def test_a_row_with_only_a_note_names_the_missing_value(client_for, planned):
    response = client_for("inst_admin").post(
        reverse("centers:progress_create", args=[planned.pk]),
        figures(planned, [{"note": "待验收"}], narrative="说明。", action="save"),
    )
    assert response.status_code == 400 and "请填写当前完成值。" in response.content.decode()
    assert not ProgressReport.objects.exists()


def test_submitting_with_every_row_blank_is_refused(client_for, planned):
    response = client_for("inst_admin").post(
        reverse("centers:progress_create", args=[planned.pk]),
        figures(planned, [], narrative="本期无进展。", action="submit"),
    )
    html = response.content.decode()
    assert response.status_code == 400 and "请至少填写一项指标的完成情况。" in html and "本期无进展。" in html
    assert not ProgressReport.objects.exists()


def test_a_missing_narrative_is_named(client_for, planned):
    response = client_for("inst_admin").post(
        reverse("centers:progress_create", args=[planned.pk]),
        figures(planned, [{"actual_value": "10"}], narrative="", action="submit"),
    )
    assert response.status_code == 400 and "请填写进展情况。" in response.content.decode()
    assert not ProgressReport.objects.exists()


def test_no_progress_before_an_approved_task_book_redirects_with_the_reason(
    client_for, enabled, inst_admin, city_regulator, province_regulator
):
    center = building_center(enabled, inst_admin, city_regulator, province_regulator)
    response = client_for("inst_admin").get(reverse("centers:progress_create", args=[center.pk]), follow=True)
    assert response.redirect_chain[-1][0] == center.get_absolute_url()
    assert "任务书审核通过后才能上报筹建进展。" in response.content.decode()


def test_a_submitted_report_cannot_be_edited(client_for, planned, inst_admin):
    report = draft(planned, inst_admin, submit=True)
    response = client_for("inst_admin").get(reverse("centers:progress_edit", args=[report.pk]), follow=True)
    assert response.redirect_chain[-1][0] == report.get_absolute_url()
    assert "当前状态为「待审核」，不能修改" in response.content.decode()


def test_a_returned_report_shows_the_comment_and_is_resubmitted(
    client_for, planned, inst_admin, city_regulator
):
    report = draft(planned, inst_admin, submit=True)
    transition(obj=report, name="return", by=city_regulator, side=Side.CITY, comment="请补充检测报告。")
    client = client_for("inst_admin")
    form = client.get(reverse("centers:progress_edit", args=[report.pk])).content.decode()
    assert "请补充检测报告。" in form and "重新提交" in form
    response = client.post(
        reverse("centers:progress_edit", args=[report.pk]),
        figures(
            planned,
            [{"actual_value": "40"}],
            narrative="已补充。",
            files=pdf("检测报告.pdf"),
            action="submit",
        ),
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReviewStatus.SUBMITTED and report.entries.get().percent == 33


def test_a_draft_is_withdrawn_from_its_page(client_for, planned, inst_admin):
    report = draft(planned, inst_admin)
    response = client_for("inst_admin").post(
        reverse("centers:progress_withdraw", args=[report.pk]), follow=True
    )
    report.refresh_from_db()
    assert report.status == ReviewStatus.WITHDRAWN and "进展报告已撤回。" in response.content.decode()


def test_a_draft_follows_the_indicators_kept_by_an_approved_change(
    client_for, planned, inst_admin, city_regulator
):
    report = draft(planned, inst_admin)  # 30 of 新增检测能力 (number 1) against v1
    change = change_submitted(planned, inst_admin)  # v2: number 1 kept with a new target (150)
    services.taskbook_approve(task_book=change, by=city_regulator, side=Side.CITY)
    planned.refresh_from_db()
    kept = planned.task_book.indicators.get(number=1)
    client = client_for("inst_admin")
    form = client.get(reverse("centers:progress_edit", args=[report.pk])).content.decode()
    assert f'name="entries-0-indicator_id" value="{kept.pk}"' in form and 'value="30.00"' in form
    assert "150 项" in form and "第 2 版" in form
    response = client.post(
        reverse("centers:progress_edit", args=[report.pk]),
        figures(planned, [{"actual_value": "30"}], narrative="设备已到货。", action="submit"),
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.task_book == change and [(e.indicator_id, e.percent) for e in report.entries.all()] == [
        (kept.pk, 20)
    ]
