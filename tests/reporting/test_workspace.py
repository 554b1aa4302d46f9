"""Modules 07/08 in the workspace: who reaches the lists, their export and an assignment's page; the lists
(published tasks only, tabs with counts, search, Excel, query counts); the filling form (a partial draft,
a submission refused with the typed values kept, a submission, last period's answers and the explanation
of a large change) and the read-only record once handed in."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from reporting import services
from reporting.choices import AssignmentStatus, TargetKind
from reporting.models import ReportAssignment
from sujt.core.workflow import Side, transition
from tests.reporting.factories import INSTITUTION_ANSWERS, assignment_of, task_draft, task_published

pytestmark = pytest.mark.django_db

S = AssignmentStatus
TODAY = timezone.localdate()
LIST = reverse("reporting:list")
EXPORT = reverse("reporting:export")
CENTER_LIST = reverse("reporting:center_list")
CENTER_EXPORT = reverse("reporting:center_export")
LOGIN = reverse("accounts:login")


def post_data(action: str = "save", **overrides) -> dict:
    """The filling form's POST of INSTITUTION_ANSWERS (as a browser sends them), with `overrides`; a value
    of None leaves the field out."""
    data = {
        key: value.isoformat() if isinstance(value, datetime.date) else value
        for key, value in INSTITUTION_ANSWERS.items()
    }
    data["specialized"] = "yes" if INSTITUTION_ANSWERS["specialized"] else "no"
    data.update(overrides)
    data["action"] = action
    return {key: value for key, value in data.items() if value is not None}


def sheet(response) -> list[tuple]:
    data = b"".join(response.streaming_content) if response.streaming else response.content
    return list(load_workbook(io.BytesIO(data), read_only=True).active.iter_rows(values_only=True))


def handed_in(assignment, by, **overrides) -> ReportAssignment:
    values = {**INSTITUTION_ANSWERS, **overrides}
    return services.assignment_save(assignment=assignment, by=by, values=values, submit=True)


@pytest.fixture
def task(institution, city_regulator):
    return task_published(city_regulator, criteria={"usccs": [institution.uscc]}, period="2026年度")


@pytest.fixture
def assignment(task, institution):
    return assignment_of(task, institution)


@pytest.fixture
def shared_task(institution, other_institution, province_regulator):
    """A province task sent to both institutions."""
    return task_published(
        province_regulator,
        criteria={"usccs": [institution.uscc, other_institution.uscc]},
        period="2026年第一季度",
    )


@pytest.fixture
def staff_with_perm(institution, inst_staff, grant):
    grant(inst_staff, institution, "fill_reports")
    return inst_staff


@pytest.fixture
def previous(institution, inst_admin, city_regulator):
    """Last period's report of the same template, handed in (due before this period's)."""
    earlier = task_published(
        city_regulator, criteria={"usccs": [institution.uscc]}, period="2025年度", due_in_days=5
    )
    return handed_in(assignment_of(earlier, institution), inst_admin)


# --- Who reaches the module ---------------------------------------------------------------------------


@pytest.mark.parametrize("url", [LIST, EXPORT])
@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 302), ("inst_staff", 403), ("staff_with_perm", 200), ("inst_admin", 200)],
)
def test_the_list_and_its_export_are_for_members_who_fill_reports(client_for, assignment, url, who, expected):
    response = client_for(who).get(url)
    assert response.status_code == expected
    if who == "anonymous":
        assert response["Location"].startswith(LOGIN)


def test_another_institution_sees_only_its_own_assignments(
    client_for, shared_task, institution, other_institution
):
    mine = assignment_of(shared_task, institution)
    theirs = assignment_of(shared_task, other_institution)
    html = client_for("other_inst_admin").get(LIST).content.decode()
    assert theirs.get_absolute_url() in html and mine.get_absolute_url() not in html
    rows = sheet(client_for("other_inst_admin").get(EXPORT))
    assert len(rows) == 2  # the header and their own row


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", 302),
        ("inst_staff", 403),
        ("other_inst_admin", 404),
        ("staff_with_perm", 200),
        ("inst_admin", 200),
    ],
)
def test_an_assignment_is_visible_only_to_its_institutions_fillers(client_for, assignment, who, expected):
    response = client_for(who).get(assignment.get_absolute_url())
    assert response.status_code == expected
    if who == "anonymous":
        assert response["Location"].startswith(LOGIN)


def test_another_institution_cannot_post_to_an_assignment(client_for, assignment):
    response = client_for("other_inst_admin").post(assignment.get_absolute_url(), post_data("submit"))
    assert response.status_code == 404
    assignment.refresh_from_db()
    assert assignment.status == S.PENDING and assignment.values == {}


def test_an_unpublished_tasks_assignment_does_not_exist_for_the_institution(
    client_for, institution, city_regulator
):
    task_draft(city_regulator, criteria={"usccs": [institution.uscc]})
    # A draft task has no assignment yet: the list is empty and shows its empty state.
    html = client_for("inst_admin").get(LIST).content.decode()
    assert "暂无填报任务" in html


def test_module_08_exists_only_where_center_construction_is_enabled(client_for, institution, inst_admin):
    client = client_for("inst_admin")
    assert client.get(CENTER_LIST).status_code == 404
    assert client.get(CENTER_EXPORT).status_code == 404
    dashboard = client.get(reverse("portal:dashboard")).content.decode()
    assert f'href="{CENTER_LIST}"' not in dashboard and f'href="{LIST}"' in dashboard
    institution.centers_enabled = True
    institution.save()
    assert client.get(CENTER_LIST).status_code == 200
    assert "暂无填报任务" in client.get(CENTER_LIST).content.decode()
    assert f'href="{CENTER_LIST}"' in client.get(reverse("portal:dashboard")).content.decode()


def test_the_menu_hides_both_modules_from_staff_without_the_permission(client_for, inst_staff, assignment):
    dashboard = client_for("inst_staff").get(reverse("portal:dashboard")).content.decode()
    assert f'href="{LIST}"' not in dashboard


# --- The list ------------------------------------------------------------------------------------------


def test_only_published_tasks_are_listed(client_for, institution, city_regulator, assignment):
    task_draft(city_regulator, criteria={"usccs": [institution.uscc]}, period="2027年度")
    html = client_for("inst_admin").get(LIST).content.decode()
    assert assignment.task.title in html and "2027年度" not in html
    assert "共 1 项填报任务" in html


def test_an_institution_task_is_not_in_the_center_list(client_for, institution, assignment):
    institution.centers_enabled = True
    institution.save()
    html = client_for("inst_admin").get(CENTER_LIST).content.decode()
    assert assignment.get_absolute_url() not in html


@pytest.fixture
def three_states(institution, inst_admin, city_regulator):
    """Three published tasks: one untouched (未填报), one a draft, one handed in (待审核)."""
    pending = assignment_of(
        task_published(city_regulator, criteria={"usccs": [institution.uscc]}, period="2026年第一季度"),
        institution,
    )
    draft = assignment_of(
        task_published(
            city_regulator, criteria={"usccs": [institution.uscc]}, period="2026年第二季度", due_in_days=40
        ),
        institution,
    )
    services.assignment_save(assignment=draft, by=inst_admin, values={"revenue": "10"})
    submitted = handed_in(
        assignment_of(
            task_published(
                city_regulator,
                criteria={"usccs": [institution.uscc]},
                period="2026年第三季度",
                due_in_days=50,
            ),
            institution,
        ),
        inst_admin,
    )
    return pending, draft, submitted


def tab_counts(html: str) -> dict[str, str]:
    import re

    return dict(re.findall(r'data-tab="(\w*)">[^<（]+（(\d+)）</a>', html))


def test_the_tabs_count_each_state_and_filter_by_it(client_for, three_states):
    pending, draft, submitted = three_states
    client = client_for("inst_admin")
    html = client.get(LIST).content.decode()
    counts = tab_counts(html)
    assert counts[""] == "3"
    assert (counts["pending"], counts["draft"], counts["submitted"], counts["accepted"]) == (
        "1",
        "1",
        "1",
        "0",
    )
    assert "待审核" in html and "草稿" in html and "未填报" in html
    html = client.get(LIST, {"status": "draft"}).content.decode()
    assert draft.get_absolute_url() in html
    assert pending.get_absolute_url() not in html and submitted.get_absolute_url() not in html
    assert 'aria-current="page" data-tab="draft"' in html
    assert tab_counts(html)[""] == "3"  # the counts stay those of every state
    html = client.get(LIST, {"status": "accepted"}).content.decode()
    assert "没有符合条件的填报任务" in html


def test_the_search_finds_tasks_by_title_or_period(client_for, three_states):
    pending, draft, submitted = three_states
    client = client_for("inst_admin")
    html = client.get(LIST, {"q": "第二季度"}).content.decode()
    assert draft.get_absolute_url() in html
    assert pending.get_absolute_url() not in html and submitted.get_absolute_url() not in html
    assert "共 1 项符合条件的填报任务" in html
    html = client.get(LIST, {"q": "不存在的任务"}).content.decode()
    assert "没有符合条件的填报任务" in html and "清除条件" in html
    # A search keeps the chosen tab.
    html = client.get(LIST, {"q": "季度", "status": "submitted"}).content.decode()
    assert submitted.get_absolute_url() in html and draft.get_absolute_url() not in html


def test_what_is_owed_comes_first_by_deadline(client_for, three_states, institution, city_regulator):
    pending, draft, submitted = three_states
    soon = assignment_of(
        task_published(
            city_regulator, criteria={"usccs": [institution.uscc]}, period="2026年第四季度", due_in_days=3
        ),
        institution,
    )
    html = client_for("inst_admin").get(LIST).content.decode()
    positions = [html.index(a.get_absolute_url()) for a in (soon, pending, draft, submitted)]
    assert positions == sorted(positions)


def test_the_clock_counts_the_days_left(client_for, three_states):
    html = client_for("inst_admin").get(LIST).content.decode()
    assert "还剩 30 天" in html and "还剩 40 天" in html
    assert "还剩 50 天" not in html  # handed in: no clock


def test_the_export_has_every_row_of_the_filters(client_for, institution, three_states):
    pending, draft, submitted = three_states
    client = client_for("inst_admin")
    response = client.get(EXPORT)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    rows = sheet(response)
    header = rows[0]
    assert {"填报任务", "状态", "填报期间", "截止日期", "剩余时间", "提交时间"} <= set(header)
    assert "中心" not in header
    # A row ends at its last filled cell (openpyxl's read-only mode): missing cells are empty.
    by_task = {row[header.index("填报任务")]: dict(zip(header, row, strict=False)) for row in rows[1:]}
    assert set(by_task) == {pending.task.title, draft.task.title, submitted.task.title}
    assert by_task[pending.task.title]["状态"] == "未填报"
    assert by_task[pending.task.title]["剩余时间"] == "还剩 30 天"
    assert by_task[submitted.task.title]["状态"] == "待审核"
    assert by_task[submitted.task.title]["提交时间"] is not None
    assert by_task[pending.task.title].get("提交时间") is None
    assert by_task[draft.task.title]["填报期间"] == "2026年第二季度"
    assert by_task[draft.task.title]["截止日期"] in (
        TODAY + datetime.timedelta(days=40),
        datetime.datetime.combine(TODAY + datetime.timedelta(days=40), datetime.time()),
        (TODAY + datetime.timedelta(days=40)).isoformat(),
    )
    rows = sheet(client.get(EXPORT, {"status": "submitted"}))
    assert [row[0] for row in rows[1:]] == [submitted.task.title]
    # The list links to the export with its filters.
    html = client.get(LIST, {"status": "draft"}).content.decode()
    assert f'href="{EXPORT}?status=draft"' in html


def _list_queries(client) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST).status_code == 200
    return len(queries)


def test_the_list_queries_stay_the_same_when_the_rows_double(
    client_for, institution, inst_admin, city_regulator, django_assert_max_num_queries
):
    client = client_for("inst_admin")

    def add(count: int, start: int) -> None:
        for n in range(start, start + count):
            assignment = assignment_of(
                task_published(
                    city_regulator,
                    criteria={"usccs": [institution.uscc]},
                    period=f"第{n}期",
                    due_in_days=10 + n,
                ),
                institution,
            )
            if n % 3 == 1:
                services.assignment_save(assignment=assignment, by=inst_admin, values={"revenue": "1"})
            elif n % 3 == 2:
                handed_in(assignment, inst_admin)

    add(3, 0)
    client.get(LIST)  # warm the per-process caches (content types, the menu's registrations)
    few = _list_queries(client)
    add(3, 3)
    assert _list_queries(client) == few
    # Session, user, membership and permission (4), count, page, tab counts (3), the menu (3).
    with django_assert_max_num_queries(10):
        html = client.get(LIST).content.decode()
    assert "共 6 项填报任务" in html


# --- The filling form ----------------------------------------------------------------------------------


def test_the_form_shows_the_task_and_its_fields_by_group(client_for, assignment):
    response = client_for("inst_admin").get(assignment.get_absolute_url())
    html = response.content.decode()
    assert "reporting/assignment_form.html" in [t.name for t in response.templates]
    for text in (
        "2026年度",
        "经营情况",
        "人员",
        "资源",
        "营业收入（万元）",
        "保存草稿",
        "提交",
        "无（首次填报）",
    ):
        assert text in html
    assert 'name="revenue"' in html and 'name="explain_revenue"' not in html  # no previous period


def test_a_yes_no_question_offers_only_yes_and_no(client_for, assignment):
    html = client_for("inst_admin").get(assignment.get_absolute_url()).content.decode()
    question = html.split('data-field-key="specialized"')[1].split('data-field-key="service_fields"')[0]
    assert question.count('type="radio"') == 2 and "请选择" not in question


def test_a_draft_keeps_a_partial_answer(client_for, assignment):
    client = client_for("inst_admin")
    response = client.post(
        assignment.get_absolute_url(), {"action": "save", "revenue": "1200.50", "staff_total": "96"}
    )
    assert response.status_code == 302 and response["Location"] == assignment.get_absolute_url()
    assignment.refresh_from_db()
    assert assignment.status == S.DRAFT
    assert assignment.values == {"revenue": "1200.50", "staff_total": 96}
    html = client.get(assignment.get_absolute_url()).content.decode()
    assert "草稿已保存" in html
    assert 'value="1200.50"' in html and 'value="96"' in html
    assert 'data-assignment-status="draft"' in html


def test_a_draft_still_checks_the_type_of_what_was_typed(client_for, assignment):
    response = client_for("inst_admin").post(
        assignment.get_absolute_url(), {"action": "save", "revenue": "很多", "staff_total": "2.5"}
    )
    assert response.status_code == 400  # refused, re-rendered with its errors
    html = response.content.decode()
    assert "草稿未保存，请按提示修改。" in html
    assert "「营业收入」请填写数字。" in html and "「从业人员数」请填写整数。" in html
    assignment.refresh_from_db()
    assert assignment.status == S.PENDING and assignment.values == {}


def test_submitting_with_missing_required_fields_keeps_what_was_typed(client_for, assignment):
    response = client_for("inst_admin").post(
        assignment.get_absolute_url(),
        post_data("submit", revenue=None, staff_total=None, reports_issued="4321", remarks="有待补充。"),
    )
    assert response.status_code == 400  # refused, re-rendered with its errors
    html = response.content.decode()
    assert "填报内容有误，请按提示修改。" in html
    assert "错误：请填写「营业收入」。" in html and "错误：请填写「从业人员数」。" in html
    assert 'value="4321"' in html and "有待补充。" in html
    assert 'value="食品" id="id_service_fields_0" checked' in html
    assignment.refresh_from_db()
    assert assignment.status == S.PENDING and assignment.values == {}


def test_a_submission_hands_the_report_in_and_the_page_becomes_read_only(client_for, assignment):
    client = client_for("inst_admin")
    response = client.post(assignment.get_absolute_url(), post_data("submit"))
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.status == S.SUBMITTED and assignment.submitted_at is not None
    assert assignment.values["revenue"] == "1200.50" and assignment.values["service_fields"] == [
        "食品",
        "水质",
    ]
    response = client.get(assignment.get_absolute_url())
    assert "reporting/assignment_detail.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert "已提交，等待监管部门审核" in html
    assert 'data-assignment-status="submitted"' in html and "待审核" in html
    assert "1,200.5 万元" in html and "食品、水质" in html and "是" in html
    assert "<form" not in html.split('id="answers-title"')[1] and 'name="action"' not in html


def test_a_post_to_a_handed_in_assignment_changes_nothing(client_for, assignment, inst_admin):
    handed_in(assignment, inst_admin)
    assignment.refresh_from_db()
    before = (assignment.status, assignment.values, assignment.saved_at)
    client = client_for("inst_admin")
    for action in ("save", "submit"):
        response = client.post(assignment.get_absolute_url(), post_data(action, revenue="1"))
        assert response.status_code == 302 and response["Location"] == assignment.get_absolute_url()
    assignment.refresh_from_db()
    assert (assignment.status, assignment.values, assignment.saved_at) == before
    html = client.get(assignment.get_absolute_url()).content.decode()
    assert "该填报当前状态为「待审核」，不能修改。" in html


def test_a_returned_report_is_filled_again_and_resubmitted(
    client_for, assignment, inst_admin, city_regulator
):
    handed_in(assignment, inst_admin)
    services.assignment_return(
        assignment=assignment, by=city_regulator, comment="营业收入有误，请核对。", side=Side.CITY
    )
    client = client_for("inst_admin")
    html = client.get(assignment.get_absolute_url()).content.decode()
    assert "已被退回" in html and "营业收入有误，请核对。" in html and "重新提交" in html
    assert 'value="1200.50"' in html  # the answers handed in before
    response = client.post(assignment.get_absolute_url(), post_data("submit", revenue="1250"))
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.status == S.SUBMITTED and assignment.values["revenue"] == "1250"


# --- Last period ----------------------------------------------------------------------------------------


def test_last_periods_answers_prefill_the_form_and_show_beside_each_field(client_for, previous, assignment):
    html = client_for("inst_admin").get(assignment.get_absolute_url()).content.decode()
    assert "已按上期（2025年度）数据预填" in html
    assert "上期：1,200.5 万元" in html and "上期：96 人" in html
    assert 'value="1200.50"' in html  # pre-filled
    assert 'name="explain_revenue"' in html and 'name="explain_remarks"' not in html  # numeric only
    assert previous.task.title in html


def test_a_large_change_needs_an_explanation_on_submit(client_for, previous, assignment):
    client = client_for("inst_admin")
    response = client.post(assignment.get_absolute_url(), post_data("submit", revenue="3000"))
    assert response.status_code == 400  # refused, re-rendered with its errors
    html = response.content.decode()
    assert "填报内容有误，请按提示修改。" in html
    form = response.context["form"]
    assert form.errors["explain_revenue"] == [
        "「营业收入」与上期（1,200.5 万元）相比变动超过 50%，请填写变动说明。"
    ]
    assert 'value="3000"' in html
    # The explanation box is open where its error is shown.
    assert '<details class="report-explain" open>' in html
    assignment.refresh_from_db()
    assert assignment.status == S.PENDING and assignment.values == {}

    response = client.post(
        assignment.get_absolute_url(),
        post_data("submit", revenue="3000", explain_revenue="新增环境检测业务，收入大幅增长。"),
    )
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.status == S.SUBMITTED
    assert assignment.explanations == {"revenue": "新增环境检测业务，收入大幅增长。"}
    html = client.get(assignment.get_absolute_url()).content.decode()
    assert "变动超过 50%" in html and "新增环境检测业务，收入大幅增长。" in html


def test_a_large_change_is_flagged_in_the_same_round_as_a_missing_answer(client_for, previous, assignment):
    response = client_for("inst_admin").post(
        assignment.get_absolute_url(), post_data("submit", revenue="3000", staff_total=None)
    )
    assert response.status_code == 400  # refused, re-rendered with its errors
    errors = response.context["form"].errors
    assert set(errors) == {"staff_total", "explain_revenue"}
    html = response.content.decode()
    # The summary above the form links to each field to fix, in the form's order.
    summary = html.split('class="form-errors report-error-summary"')[1].split("</div>")[0]
    assert "有 2 处需要修改" in summary
    assert summary.index('href="#id_explain_revenue"') < summary.index('href="#id_staff_total"')
    assert "请填写「从业人员数」。" in summary


def test_a_saved_large_change_opens_its_explanation_box(client_for, previous, assignment, inst_admin):
    services.assignment_save(
        assignment=assignment, by=inst_admin, values={**INSTITUTION_ANSWERS, "revenue": "3000"}
    )
    html = client_for("inst_admin").get(assignment.get_absolute_url()).content.decode()
    field = html.split('data-field-key="revenue"')[1].split('data-field-key="testing_revenue"')[0]
    assert (
        "与上期相比变动超过 50%，提交前请填写变动说明。" in field
        and '<details class="report-explain" open>' in field
    )
    other = html.split('data-field-key="staff_total"')[1].split('data-field-key="senior_titles"')[0]
    assert "变动超过 50%，提交前" not in other and '<details class="report-explain">' in other


def test_a_large_change_may_be_saved_as_a_draft_without_explanation(client_for, previous, assignment):
    response = client_for("inst_admin").post(assignment.get_absolute_url(), post_data("save", revenue="3000"))
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.status == S.DRAFT and assignment.values["revenue"] == "3000"


def test_a_small_change_needs_no_explanation(client_for, previous, assignment):
    response = client_for("inst_admin").post(
        assignment.get_absolute_url(), post_data("submit", revenue="1500")
    )
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.status == S.SUBMITTED and assignment.explanations == {}


def test_a_center_assignment_is_listed_in_module_08(
    client_for, institution, inst_admin, city_regulator, province_regulator
):
    from centers.choices import CenterStatus
    from centers.models import Center
    from tests.centers.factories import building_center

    institution.centers_enabled = True
    institution.save()
    center = building_center(institution, inst_admin, city_regulator, province_regulator)
    Center.objects.filter(pk=center.pk).update(status=CenterStatus.RUNNING)
    task = task_published(
        city_regulator, kind=TargetKind.CENTER, criteria={"subject_ids": [center.pk]}, period="2026年度"
    )
    assignment = task.assignments.get()
    client = client_for("inst_admin")
    html = client.get(CENTER_LIST).content.decode()
    assert assignment.get_absolute_url() in html and center.name in html
    assert "任务、期间或中心名称" in html
    assert assignment.get_absolute_url() in client.get(CENTER_LIST, {"q": center.name[:6]}).content.decode()
    assert "没有符合条件的填报任务" in client.get(CENTER_LIST, {"q": "不存在的中心"}).content.decode()
    assert assignment.get_absolute_url() not in client.get(LIST).content.decode()
    rows = sheet(client.get(CENTER_EXPORT))
    assert "中心" in rows[0] and rows[1][rows[0].index("中心")] == center.name
    page = client.get(assignment.get_absolute_url()).content.decode()
    assert "中心运营数据填报" in page and f'href="{CENTER_LIST}"' in page and "服务企业数" in page


def test_an_accepted_report_is_read_only(client_for, assignment, inst_admin, city_regulator):
    handed_in(assignment, inst_admin)
    transition(obj=assignment, name="accept", by=city_regulator, side=Side.CITY)
    html = client_for("inst_admin").get(assignment.get_absolute_url()).content.decode()
    assert "已通过" in html and 'name="action"' not in html
