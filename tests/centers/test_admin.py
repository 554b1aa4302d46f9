"""Module 04 for regulators in admin: the review queues decide through the kit's buttons (the city step
for city regulators, the province step for the province), the decisions that move a center run its
services, files are served to whom the queue lists them, the centers list is scoped, counts its queries,
exports its clock and progress, and only the province revokes."""

import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from centers import services
from centers.choices import AcceptanceStatus, CenterStatus, RegisteredStage, TaskBookKind, TwoStepStatus
from centers.models import Center, CenterRegistration, ConstructionApplication, TaskBook
from sujt.core.attachments import attachments_of
from sujt.core.choices import ReviewStatus
from sujt.core.deadlines import deadline_get
from sujt.core.registries import review_queues_for
from sujt.core.workflow import Side, transition
from tests.centers.factories import (
    TODAY,
    acceptance_submitted,
    building_center,
    change_submitted,
    construction_submitted,
    pdf,
    task_book_approved,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def enabled(institution):
    institution.centers_enabled = True
    institution.save()
    return institution


def change_url(obj) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def decide(client, obj, name: str, comment: str = ""):
    return client.post(change_url(obj), {"review_transition": name, "review-comment": comment})


def test_a_construction_goes_through_the_city_then_the_province(client_for, enabled, inst_admin):
    application = construction_submitted(enabled, inst_admin)
    city, province = client_for("city_regulator"), client_for("province_regulator")
    page = city.get(change_url(application)).content.decode()
    assert "市局审核通过" in page and "批准筹建" not in page and "可行性研究报告" in page
    assert decide(city, application, "province_approve").status_code == 403
    application.refresh_from_db()
    assert application.status == TwoStepStatus.CITY_REVIEW  # the city may not take the province step
    decide(city, application, "city_approve", "材料齐全。")
    application.refresh_from_db()
    assert application.status == TwoStepStatus.PROVINCE_REVIEW
    assert "批准筹建" in province.get(change_url(application)).content.decode()
    decide(province, application, "province_approve", "同意筹建。")
    center = Center.objects.get()
    assert center.status == CenterStatus.BUILDING and center.approval_number.startswith("苏市监中心筹")


def test_a_refusal_needs_a_comment(client_for, enabled, inst_admin, city_regulator):
    application = construction_submitted(enabled, inst_admin)
    transition(obj=application, name="city_approve", by=city_regulator, side=Side.CITY)
    response = decide(client_for("province_regulator"), application, "province_reject", "")
    assert response.status_code == 200 and "请填写审核意见" in response.content.decode()
    assert Center.objects.get().status == CenterStatus.APPLYING
    decide(client_for("province_regulator"), application, "province_reject", "建设必要性不足。")
    assert Center.objects.get().status == CenterStatus.REVOKED


def test_the_queues_are_per_step(client_for, enabled, inst_admin, city_regulator, province_regulator):
    application = construction_submitted(enabled, inst_admin)
    city = {q.key: q.count for q in review_queues_for(user=city_regulator)}
    province = {q.key: q.count for q in review_queues_for(user=province_regulator)}
    assert city.get("centers.construction_city") == 1 and "centers.construction_province" not in city
    assert province.get("centers.construction_province") == 0 and "centers.construction_city" not in province
    transition(obj=application, name="city_approve", by=city_regulator, side=Side.CITY)
    province = {q.key: q.count for q in review_queues_for(user=province_regulator)}
    assert province["centers.construction_province"] == 1


def test_acceptance_passes_with_its_grade_in_admin(
    client_for, enabled, inst_admin, city_regulator, province_regulator
):
    center = building_center(enabled, inst_admin, city_regulator, province_regulator)
    task_book_approved(center, inst_admin, city_regulator)
    application = acceptance_submitted(center, inst_admin)
    decide(client_for("city_regulator"), application, "city_approve")
    page = client_for("province_regulator").get(change_url(application)).content.decode()
    assert "验收通过（优秀）" in page and "验收不通过" in page and "达标" in page
    decide(client_for("province_regulator"), application, "pass_excellent", "验收合格。")
    application.refresh_from_db()
    center.refresh_from_db()
    assert application.status == AcceptanceStatus.PASSED
    assert (center.status, center.acceptance_grade) == (CenterStatus.RUNNING, "excellent")


def test_another_region_sees_neither_the_application_nor_its_files(client_for, enabled, inst_admin):
    application = construction_submitted(enabled, inst_admin)
    attachment = attachments_of(application).first()
    file_url = reverse("admin:centers_constructionapplication_file", args=[application.pk, attachment.pk])
    assert client_for("city_regulator").get(file_url).status_code == 200
    assert client_for("other_city_regulator").get(file_url).status_code == 404
    assert client_for("other_city_regulator").get(change_url(application)).status_code == 302
    assert (
        "江苏省食品接触"
        not in client_for("other_city_regulator")
        .get(reverse("admin:centers_constructionapplication_changelist"))
        .content.decode()
    )


def test_a_draft_is_the_institutions_own(client_for, enabled, inst_admin):
    from centers import services
    from tests.centers.factories import construction_data, equipment_rows

    draft = services.construction_save(
        institution=enabled, by=inst_admin, data=construction_data(), equipment=equipment_rows()
    )
    assert client_for("city_regulator").get(change_url(draft)).status_code == 302
    assert ConstructionApplication.objects.count() == 1


def test_only_the_province_revokes_a_center(
    client_for, enabled, inst_admin, city_regulator, province_regulator
):
    center = building_center(enabled, inst_admin, city_regulator, province_regulator)
    assert "撤销中心" not in client_for("city_regulator").get(change_url(center)).content.decode()
    decide(client_for("city_regulator"), center, "revoke", "撤销")
    center.refresh_from_db()
    assert center.status == CenterStatus.BUILDING
    page = client_for("province_regulator").get(change_url(center)).content.decode()
    assert "撤销中心" in page
    decide(client_for("province_regulator"), center, "revoke", "依托单位申请终止。")
    center.refresh_from_db()
    assert center.status == CenterStatus.REVOKED and center.review_comment == "依托单位申请终止。"


@pytest.mark.parametrize("count", [2, 4])
def test_the_centers_list_is_scoped_and_its_queries_do_not_grow(
    client_for, enabled, inst_admin, city_regulator, province_regulator, count, django_assert_max_num_queries
):
    for n in range(count):
        center = building_center(enabled, inst_admin, city_regulator, province_regulator, name=f"中心{n}")
        task_book_approved(center, inst_admin, city_regulator)
    url = reverse("admin:centers_center_changelist")
    client = client_for("city_regulator")
    # Session, user, regulator, permissions (2), counts (2), the page, the progress (2), unread messages,
    # and one count per review queue the city sees in the sidebar (12 today).
    with django_assert_max_num_queries(24):
        html = client.get(url).content.decode()
    assert html.count("中心") and "0%" in html
    assert "中心0" not in client_for("other_city_regulator").get(url).content.decode()
    assert "中心0" in client_for("city_regulator").get(url, {"task_book": "approved"}).content.decode()
    assert "中心0" not in client_for("city_regulator").get(url, {"task_book": "missing"}).content.decode()
    status_in = client_for("city_regulator").get(url, {"status__in": "building,failed,overdue"})
    assert "中心0" in status_in.content.decode()


def export_rows(client, **query) -> list[dict]:
    response = client.get(reverse("admin:centers_center_export_xlsx"), query)
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_the_centers_export_has_the_clock_and_progress(
    client_for, enabled, inst_admin, city_regulator, province_regulator
):
    center = building_center(enabled, inst_admin, city_regulator, province_regulator)
    task_book_approved(center, inst_admin, city_regulator)
    center.refresh_from_db()
    [row] = export_rows(client_for("province_regulator"))
    assert (row["依托机构"], row["所在城市"], row["所在地区"]) == (enabled.name, "南京市", "南京市玄武区")
    assert row["中心名称"] == center.name and row["状态"] == "筹建中" and row["来源"] == "系统内筹建申请"
    assert (row["级别"], row["类型"]) == ("省级", "质检中心")
    assert row["批准文号"] == center.approval_number
    assert (row["现行任务书版本"], row["指标数"], row["指标完成度（%）"]) == (1, 2, 0)
    assert row["剩余时间"] == f"还剩 {(center.construction_due_on - TODAY).days} 天"
    assert row["验收日期"] is None and row["验收等级"] in (None, "")


def test_the_centers_export_is_scoped_and_follows_the_lists_filters(
    client_for,
    enabled,
    inst_admin,
    city_regulator,
    province_regulator,
    other_institution,
    other_inst_admin,
    other_city_regulator,
):
    other_institution.centers_enabled = True
    other_institution.save()
    building_center(enabled, inst_admin, city_regulator, province_regulator)
    building_center(
        other_institution, other_inst_admin, other_city_regulator, province_regulator, name="苏州计量中心"
    )
    assert [r["中心名称"] for r in export_rows(client_for("city_regulator"))] == [
        "江苏省食品接触材料质量检验中心"
    ]
    assert len(export_rows(client_for("province_regulator"))) == 2
    [row] = export_rows(client_for("province_regulator"), city="320500")
    assert (row["中心名称"], row["现行任务书版本"], row["指标数"], row["指标完成度（%）"]) == (
        "苏州计量中心",
        None,
        None,
        None,
    )


def test_each_side_is_offered_its_own_steps_as_list_actions(client_for, enabled, inst_admin):
    construction_submitted(enabled, inst_admin)
    url = reverse("admin:centers_constructionapplication_changelist")
    city = client_for("city_regulator").get(url).content.decode()
    province = client_for("province_regulator").get(url).content.decode()
    assert "市局审核通过所选项" in city and "批准筹建所选项" not in city
    assert "批准筹建所选项" in province and "不予批准所选项" in province  # (the province may act for a city)


def test_every_queue_of_the_module_opens_on_its_waiting_rows(
    client_for, enabled, inst_admin, city_regulator, province_regulator
):
    construction_submitted(enabled, inst_admin)
    for who, user in (("city_regulator", city_regulator), ("province_regulator", province_regulator)):
        queues = [q for q in review_queues_for(user=user) if q.key.startswith("centers.")]
        assert len(queues) == 6
        for queue in queues:
            assert client_for(who).get(queue.url).status_code == 200, queue.url
    [city_queue] = [q for q in review_queues_for(user=city_regulator) if q.key == "centers.construction_city"]
    page = client_for("province_regulator").get(f"{city_queue.url}&city=320100").content.decode()
    assert "江苏省食品接触材料质量检验中心" in page


def test_a_task_book_change_is_read_beside_the_current_version_and_approved(
    client_for, enabled, inst_admin, city_regulator, province_regulator
):
    center = building_center(enabled, inst_admin, city_regulator, province_regulator)
    first = task_book_approved(center, inst_admin, city_regulator)
    later = center.construction_due_on + datetime.timedelta(days=90)
    change = change_submitted(center, inst_admin, construction_due_on=later)
    client = client_for("city_regulator")
    url = reverse("admin:centers_taskbook_changelist")
    # The queues link here with the kind: the changes' queue lists the change, the first books' does not.
    changes = client.get(url, {"status__exact": ReviewStatus.SUBMITTED, "kind__exact": TaskBookKind.CHANGE})
    assert changes.status_code == 200 and "（变更申请）" in changes.content.decode()
    initial = client.get(url, {"status__exact": ReviewStatus.SUBMITTED, "kind__exact": TaskBookKind.INITIAL})
    assert "（变更申请）" not in initial.content.decode()
    page = client.get(change_url(change)).content.decode()
    assert "新增检测能力：120 项" in page and "新增检测能力：150 项" in page and "修改" in page
    assert "新增检测项目需要调整目标值。" in page and "审核通过" in page
    decide(client, change, "approve", "同意变更。")
    center.refresh_from_db()
    change.refresh_from_db()
    assert (center.task_book_id, change.version, center.construction_due_on) == (change.pk, 2, later)
    assert TaskBook.objects.get(pk=first.pk).version == 1  # the earlier version stays readable
    assert client.get(change_url(first)).status_code == 200


def test_a_progress_report_is_read_and_decided_in_admin(
    client_for, enabled, inst_admin, city_regulator, province_regulator
):
    center = building_center(enabled, inst_admin, city_regulator, province_regulator)
    task_book_approved(center, inst_admin, city_regulator)
    indicator = center.task_book.indicators.get(number=1)
    report = services.progress_save(
        center=center,
        by=inst_admin,
        narrative="已新增检测项目 60 项。",
        entries=[{"indicator_id": indicator.pk, "actual_value": Decimal("60"), "note": "按计划推进"}],
        files=[pdf("进展材料.pdf")],
        submit=True,
    )
    client = client_for("city_regulator")
    page = client.get(change_url(report)).content.decode()
    assert "新增检测能力" in page and "60 项" in page and "50%" in page and "进展材料.pdf" in page
    response = decide(client, report, "return", "")
    assert response.status_code == 200 and "请填写审核意见" in response.content.decode()
    decide(client, report, "approve")
    report.refresh_from_db()
    assert report.status == ReviewStatus.APPROVED
    listing = client.get(reverse("admin:centers_center_changelist")).content.decode()
    assert "25%" in listing  # the mean of 50 % and 0 %


def test_an_acceptance_not_passed_needs_a_comment_and_construction_goes_on(
    client_for, enabled, inst_admin, city_regulator, province_regulator
):
    center = building_center(enabled, inst_admin, city_regulator, province_regulator)
    task_book_approved(center, inst_admin, city_regulator)
    application = acceptance_submitted(center, inst_admin)
    city_page = client_for("city_regulator").get(change_url(application)).content.decode()
    assert "市局审核通过" in city_page and "验收通过（优秀）" not in city_page
    decide(client_for("city_regulator"), application, "city_approve")
    province = client_for("province_regulator")
    response = decide(province, application, "province_fail", "  ")
    assert response.status_code == 200 and "请填写审核意见" in response.content.decode()
    decide(province, application, "province_fail", "检测能力未达任务书要求。")
    application.refresh_from_db()
    center.refresh_from_db()
    assert application.status == AcceptanceStatus.FAILED and center.status == CenterStatus.FAILED


def registration_submitted(institution, by, name: str) -> CenterRegistration:
    data = {
        "name": name,
        "level": "provincial",
        "kind": "quality",
        "product_scope": "电线电缆及附件",
        "industry": "机械",
        "approval_number": "苏质监函〔2019〕18号",
        "approved_on": datetime.date(2019, 5, 20),
        "stage": RegisteredStage.RUNNING,
        "construction_due_on": None,
        "accepted_on": datetime.date(2020, 11, 3),
        "acceptance_grade": "good",
    }
    return services.registration_save(
        institution=institution, by=by, data=data, documents=[pdf("批文.pdf")], submit=True
    )


def test_a_registration_is_verified_with_its_documents(client_for, enabled, inst_admin):
    registration = registration_submitted(enabled, inst_admin, "江苏省电线电缆产品质量检验中心")
    client = client_for("city_regulator")
    page = client.get(change_url(registration)).content.decode()
    assert "苏质监函〔2019〕18号" in page and "批文.pdf" in page
    decide(client, registration, "approve")
    center = Center.objects.get()
    assert (center.status, center.origin) == (CenterStatus.RUNNING, "registered")
    assert (center.name, center.acceptance_grade) == ("江苏省电线电缆产品质量检验中心", "good")


def test_a_registration_whose_name_is_taken_is_refused_with_the_reason(client_for, enabled, inst_admin):
    name = "江苏省电线电缆产品质量检验中心"
    registration = registration_submitted(enabled, inst_admin, name)
    construction_submitted(enabled, inst_admin, name=name)  # a center of that name meanwhile
    client = client_for("city_regulator")
    # On the page: the service's reason in the decision panel, nothing written.
    response = decide(client, registration, "approve")
    assert response.status_code == 200 and "该机构已有同名中心" in response.content.decode()
    registration.refresh_from_db()
    assert registration.status == ReviewStatus.SUBMITTED and Center.objects.count() == 1
    # From the list: an error message, nothing written.
    response = client.post(
        reverse("admin:centers_centerregistration_changelist"),
        {"action": "review_approve_selected", "_selected_action": [registration.pk], "review_confirm": "yes"},
        follow=True,
    )
    texts = [str(m) for m in get_messages(response.wsgi_request)] + [response.content.decode()]
    assert any("该机构已有同名中心" in text for text in texts)
    registration.refresh_from_db()
    assert registration.status == ReviewStatus.SUBMITTED and Center.objects.count() == 1


def test_the_center_page_shows_the_clock_progress_and_applications(
    client_for, enabled, inst_admin, city_regulator, province_regulator
):
    center = building_center(enabled, inst_admin, city_regulator, province_regulator)
    page = client_for("city_regulator").get(change_url(center)).content.decode()
    days = (center.task_book_due_on - TODAY).days
    assert f"任务书提交期限 {center.task_book_due_on:%Y-%m-%d}（还剩 {days} 天）" in page
    assert "尚无审核通过的任务书" in page and "查看中心" in page
    task_book_approved(center, inst_admin, city_regulator)
    page = client_for("city_regulator").get(change_url(center)).content.decode()
    assert "<svg" in page and "第 1 版任务书，总体完成度 0%" in page and "新增检测能力" in page
    application = center.construction_applications.get()
    assert change_url(application) in page and change_url(center.task_book) in page
    assert "撤销中心" not in page  # the city may not revoke
    assert client_for("other_city_regulator").get(change_url(center)).status_code == 302
    assert client_for("inst_admin").get(change_url(center)).status_code == 302  # not staff


def test_the_deadline_oversight_links_list_the_centers_concerned(
    client_for, enabled, inst_admin, city_regulator, province_regulator
):
    owing = building_center(enabled, inst_admin, city_regulator, province_regulator, name="甲中心")
    with_book = building_center(enabled, inst_admin, city_regulator, province_regulator, name="乙中心")
    task_book_approved(with_book, inst_admin, city_regulator)
    client = client_for("city_regulator")
    missing = client.get(deadline_get("centers.task_book_due").oversight.list_url()).content.decode()
    assert owing.name in missing and with_book.name not in missing
    building = client.get(deadline_get("centers.construction_due").oversight.list_url())
    assert building.status_code == 200
    assert owing.name in building.content.decode() and with_book.name in building.content.decode()


def test_the_province_revokes_from_the_list_with_a_comment(
    client_for, enabled, inst_admin, city_regulator, province_regulator
):
    center = building_center(enabled, inst_admin, city_regulator, province_regulator)
    url = reverse("admin:centers_center_changelist")
    assert "撤销中心所选项" not in client_for("city_regulator").get(url).content.decode()
    province = client_for("province_regulator")
    chosen = {"action": "review_revoke_selected", "_selected_action": [center.pk]}
    confirm = province.post(url, chosen)
    assert confirm.status_code == 200 and enabled.name in confirm.content.decode()
    refused = province.post(url, {**chosen, "review_confirm": "yes", "comment": ""})
    assert refused.status_code == 200 and "请填写审核意见" in refused.content.decode()
    center.refresh_from_db()
    assert center.status == CenterStatus.BUILDING
    province.post(url, {**chosen, "review_confirm": "yes", "comment": "依托单位已注销。"})
    center.refresh_from_db()
    assert center.status == CenterStatus.REVOKED and center.review_comment == "依托单位已注销。"


def test_the_centers_list_costs_the_same_queries_when_its_rows_double(
    client_for, enabled, inst_admin, city_regulator, province_regulator
):
    url = reverse("admin:centers_center_changelist")
    client = client_for("province_regulator")
    client.get(url)  # session and permission caches warm
    counts = []
    for batch in range(2):  # 2 centers, then 4
        for n in range(2):
            center = building_center(
                enabled, inst_admin, city_regulator, province_regulator, name=f"中心{batch}-{n}"
            )
            task_book_approved(center, inst_admin, city_regulator)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


@pytest.mark.parametrize("who", ["province_regulator", "superuser"])
def test_every_page_search_and_filter_of_the_module_opens(
    client_for, enabled, inst_admin, city_regulator, province_regulator, who
):
    center = building_center(enabled, inst_admin, city_regulator, province_regulator)
    task_book_approved(center, inst_admin, city_regulator)
    change = change_submitted(center, inst_admin)
    indicator = center.task_book.indicators.get(number=1)
    report = services.progress_save(
        center=center,
        by=inst_admin,
        narrative="进展顺利。",
        entries=[{"indicator_id": indicator.pk, "actual_value": Decimal("30"), "note": ""}],
        files=[pdf("进展.pdf")],
        submit=True,
    )
    services.taskbook_withdraw(task_book=change, by=inst_admin)
    acceptance = acceptance_submitted(center, inst_admin)
    registration = registration_submitted(enabled, inst_admin, "江苏省电线电缆产品质量检验中心")
    objects = [center, center.construction_applications.get(), center.task_book, change, report, acceptance]
    client = client_for(who)
    for obj in [*objects, registration]:
        obj.refresh_from_db()
        opts = obj._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        queries = [{}, {"q": "中心"}, {"q": enabled.name}, {"status__exact": obj.status}, {"city": "320100"}]
        for query in queries:
            response = client.get(changelist, query)
            assert response.status_code == 200, (changelist, query)
            assert str(obj) in response.content.decode() or opts.model_name == "taskbook", (changelist, query)
        assert client.get(change_url(obj)).status_code == 200, change_url(obj)
        history = reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk])
        assert client.get(history).status_code == 200, history
    # No adding, no deleting: what the institution wrote is decided on, never edited.
    for obj in objects:
        opts = obj._meta
        assert client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code == 403
        delete = reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[obj.pk])
        assert client.get(delete).status_code == 403
