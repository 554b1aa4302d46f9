"""筹建申请 in the workspace: who reaches each page, a draft with its equipment and files through the
form, edited (files removed and replaced) and submitted; mistakes that come back in Chinese with everything
typed and nothing saved; 增加空行; the detail page with its two-step progress and actions."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from centers import services
from centers.choices import CenterStatus, TwoStepStatus
from centers.models import Center, ConstructionApplication
from sujt.core.attachments import attachments_of
from sujt.core.workflow import InvalidTransition, Side, transition
from tests.centers.factories import construction_approved, construction_data, construction_submitted, pdf
from tests.core.samples import PDF_BYTES, upload

pytestmark = pytest.mark.django_db
CREATE = reverse("centers:construction_create")


@pytest.fixture
def enabled(institution):
    institution.centers_enabled = True
    institution.save()
    return institution


@pytest.fixture
def other_enabled(other_institution):
    other_institution.centers_enabled = True
    other_institution.save()
    return other_institution


@pytest.fixture
def draft(enabled, inst_admin):
    return services.construction_save(
        institution=enabled,
        by=inst_admin,
        data=construction_data(),
        equipment=[{"name": "色谱仪", "specification": "GC-1", "unit_price": 50, "quantity": 2}],
        materials=[pdf("场地证明.pdf")],
    )


def form_data(**overrides):
    data = {
        "name": "江苏省演示检验中心",
        "level": "provincial",
        "kind": "quality",
        "industry": "轻工",
        "product_scope": "食品接触材料",
        "content_and_goals": "建成检测能力。",
        "planned_investment": "800",
        "funding_source": "自筹",
        "construction_months": "18",
        "staffing_plan": "新增 10 人。",
        "equipment-TOTAL_FORMS": "3",
        "equipment-INITIAL_FORMS": "0",
        "equipment-MIN_NUM_FORMS": "0",
        "equipment-MAX_NUM_FORMS": "50",
        "equipment-0-name": "色谱仪",
        "equipment-0-specification": "GC-1",
        "equipment-0-unit_price": "50.5",
        "equipment-0-quantity": "2",
        "action": "save",
    }
    data.update(overrides)
    return data


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- Who reaches each page ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 302), ("inst_staff", 403), ("other_inst_admin", 404), ("inst_admin", 200)],
)
@pytest.mark.parametrize("page", ["detail", "edit"])
def test_an_application_page_is_only_for_its_institution(
    client_for, draft, other_enabled, page, who, expected
):
    response = client_for(who).get(reverse(f"centers:construction_{page}", args=[draft.pk]))
    assert response.status_code == expected
    if who == "anonymous":
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 302), ("inst_staff", 403), ("other_inst_admin", 200), ("inst_admin", 200)],
)
def test_the_new_application_form_is_for_members_holding_the_permission(
    client_for, enabled, other_enabled, who, expected
):
    assert client_for(who).get(CREATE).status_code == expected


@pytest.mark.parametrize(
    ("who", "expected", "status"),
    [
        ("anonymous", 302, TwoStepStatus.DRAFT),
        ("inst_staff", 403, TwoStepStatus.DRAFT),
        ("other_inst_admin", 404, TwoStepStatus.DRAFT),
        ("inst_admin", 302, TwoStepStatus.WITHDRAWN),
    ],
)
def test_only_the_institution_withdraws(client_for, draft, other_enabled, who, expected, status):
    response = client_for(who).post(reverse("centers:construction_withdraw", args=[draft.pk]))
    assert response.status_code == expected
    draft.refresh_from_db()
    assert draft.status == status


@pytest.mark.parametrize(
    ("who", "expected", "status"),
    [
        ("anonymous", 302, TwoStepStatus.DRAFT),
        ("inst_staff", 403, TwoStepStatus.DRAFT),
        ("other_inst_admin", 404, TwoStepStatus.DRAFT),
        ("inst_admin", 302, TwoStepStatus.CITY_REVIEW),
    ],
)
def test_only_the_institution_submits(client_for, draft, inst_admin, other_enabled, who, expected, status):
    services.construction_save(
        institution=draft.institution,
        by=inst_admin,
        application=draft,
        data=construction_data(),
        equipment=[{"name": "色谱仪", "specification": "GC-1", "unit_price": 50, "quantity": 2}],
        feasibility=pdf("可行性研究报告.pdf"),
    )
    response = client_for(who).post(reverse("centers:construction_submit", args=[draft.pk]))
    assert response.status_code == expected
    draft.refresh_from_db()
    assert draft.status == status


@pytest.mark.parametrize(
    "url", ["construction_create", "construction_detail", "construction_edit", "construction_withdraw"]
)
def test_an_institution_not_enabled_has_no_construction_pages(client_for, draft, institution, url):
    institution.centers_enabled = False
    institution.save()
    args = [] if url == "construction_create" else [draft.pk]
    client = client_for("inst_admin")
    response = client.post(reverse(f"centers:{url}", args=args)) if url.endswith("withdraw") else None
    assert (response or client.get(reverse(f"centers:{url}", args=args))).status_code == 404


def test_the_submit_and_withdraw_urls_take_posts_only(client_for, draft):
    assert (
        client_for("inst_admin").get(reverse("centers:construction_submit", args=[draft.pk])).status_code
        == 405
    )


# --- Draft, edit, submit -------------------------------------------------------------------------------


def test_a_draft_is_edited_with_its_files_then_submitted(client_for, enabled, inst_admin):
    client = client_for("inst_admin")
    response = client.post(
        CREATE,
        form_data(
            feasibility=upload("可研报告.pdf", PDF_BYTES, "application/pdf"),
            files=[pdf("场地证明.pdf"), pdf("人员名单.pdf")],
        ),
    )
    application = ConstructionApplication.objects.get()
    assert response.status_code == 302 and response["Location"] == application.get_absolute_url()
    assert "草稿已保存" in _messages(response)[0]
    assert application.status == TwoStepStatus.DRAFT and application.center is None
    names = sorted(a.original_name for a in attachments_of(application))
    assert names == ["人员名单.pdf", "可研报告.pdf", "场地证明.pdf"]

    # The edit form: typed values back, each other material with its 删除 box, the report replaced only.
    edit = reverse("centers:construction_edit", args=[application.pk])
    html = client.get(edit).content.decode()
    assert 'value="江苏省演示检验中心"' in html and 'value="色谱仪"' in html
    site = attachments_of(application, purpose=services.MATERIALS_RULE.purpose).get(
        original_name="场地证明.pdf"
    )
    report = attachments_of(application, purpose=services.FEASIBILITY_RULE.purpose).get()
    assert f'name="remove_files" value="{site.pk}"' in html
    assert f'name="remove_files" value="{report.pk}"' not in html
    assert "重新选择文件将替换原报告" in html

    response = client.post(
        edit,
        form_data(
            name="江苏省演示检验检测中心",
            remove_files=[str(site.pk)],
            feasibility=upload("可研报告（修订）.pdf", PDF_BYTES, "application/pdf"),
            **{
                "equipment-1-name": "质谱仪",
                "equipment-1-specification": "MS-2",
                "equipment-1-unit_price": "100",
                "equipment-1-quantity": "1",
            },
            action="submit",
        ),
    )
    assert response.status_code == 302 and "筹建申请已提交" in _messages(response)[0]
    application.refresh_from_db()
    assert application.status == TwoStepStatus.CITY_REVIEW and application.name == "江苏省演示检验检测中心"
    assert application.center.status == CenterStatus.APPLYING
    assert [row.name for row in application.equipment.all()] == ["色谱仪", "质谱仪"]
    assert sorted(a.original_name for a in attachments_of(application)) == [
        "人员名单.pdf",
        "可研报告（修订）.pdf",
    ]

    html = client.get(application.get_absolute_url()).content.decode()
    assert "待市局审核" in html and "201.00" in html  # 50.5 × 2 + 100 × 1
    assert 'aria-current="step">市局初审' in html
    assert reverse("centers:construction_withdraw", args=[application.pk]) in html
    assert reverse("centers:construction_edit", args=[application.pk]) not in html


def test_missing_fields_come_back_in_chinese_and_nothing_is_saved(client_for, enabled):
    data = form_data(name="", level="", planned_investment="很多", construction_months="0")
    response = client_for("inst_admin").post(CREATE, data)
    html = response.content.decode()
    assert response.status_code == 400
    for text in ("请填写中心名称。", "请选择级别。", "请填写数字。", "建设周期至少 1 个月。"):
        assert text in html, text
    assert 'value="色谱仪"' in html and "食品接触材料" in html
    assert not ConstructionApplication.objects.exists() and not Center.objects.exists()


def test_the_services_refusals_land_beside_their_fields(client_for, enabled):
    """Submitting without equipment or report: the service's ValidationError, on the form, nothing kept."""
    data = form_data(action="submit", **{"equipment-0-name": "", "equipment-0-specification": ""})
    data.update({"equipment-0-unit_price": "", "equipment-0-quantity": ""})
    response = client_for("inst_admin").post(CREATE, data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "请至少填写一行主要仪器设备。" in html and "请上传可行性研究报告。" in html
    assert not ConstructionApplication.objects.exists()


def test_a_file_of_a_refused_type_is_named(client_for, enabled):
    response = client_for("inst_admin").post(
        CREATE, form_data(files=[upload("安装包.exe", b"MZ\x90\x00", "application/octet-stream")])
    )
    assert response.status_code == 400 and "不支持的文件类型" in response.content.decode()
    assert not ConstructionApplication.objects.exists()


def test_an_application_under_review_cannot_be_edited(client_for, enabled, inst_admin):
    application = construction_submitted(enabled, inst_admin)
    edit = reverse("centers:construction_edit", args=[application.pk])
    response = client_for("inst_admin").post(edit, form_data(name="改名"))
    assert response.status_code == 302 and response["Location"] == application.get_absolute_url()
    assert "不能修改" in _messages(response)[0]
    application.refresh_from_db()
    assert application.name != "改名"


def test_a_state_change_meanwhile_is_a_message_and_the_detail_page(client_for, draft, monkeypatch):
    def refuse(**kwargs):
        raise InvalidTransition("该事项已被他人处理或状态已变化，请刷新后重试。")

    monkeypatch.setattr(services, "construction_save", refuse)
    response = client_for("inst_admin").post(
        reverse("centers:construction_edit", args=[draft.pk]), form_data()
    )
    assert response.status_code == 302 and response["Location"] == draft.get_absolute_url()
    assert "状态已变化" in _messages(response)[0]


def test_submitting_twice_is_refused_with_a_message(client_for, enabled, inst_admin):
    application = construction_submitted(enabled, inst_admin)
    response = client_for("inst_admin").post(reverse("centers:construction_submit", args=[application.pk]))
    assert response.status_code == 302 and _messages(response)
    application.refresh_from_db()
    assert application.status == TwoStepStatus.CITY_REVIEW


# --- 增加空行 --------------------------------------------------------------------------------------------


def test_adding_rows_keeps_what_was_typed_and_saves_nothing(client_for, enabled):
    data = form_data(action="add_rows", feasibility=pdf("可研报告.pdf"))
    data.update({"equipment-2-name": "天平", "equipment-2-quantity": "1"})
    response = client_for("inst_admin").post(CREATE, data)
    html = response.content.decode()
    assert response.status_code == 200 and not ConstructionApplication.objects.exists()
    assert 'value="色谱仪"' in html and 'value="天平"' in html and 'value="江苏省演示检验中心"' in html
    # Two typed rows (the blank one between them dropped) and three blank ones.
    assert 'name="equipment-TOTAL_FORMS" value="5"' in html
    assert "已增加空行" in html and "请重新选择" in html
    assert "错误：" not in html  # nothing was validated yet


def test_enter_saves_the_draft_rather_than_adding_rows(client_for, enabled):
    html = client_for("inst_admin").get(CREATE).content.decode()
    form = html[html.index('<form method="post"') :]
    first_button = form[form.index("<button") : form.index("</button>")]
    assert 'value="save"' in first_button


# --- The detail page -----------------------------------------------------------------------------------


def test_a_returned_application_shows_the_comment_and_invites_a_resubmission(
    client_for, enabled, inst_admin, city_regulator
):
    application = construction_submitted(enabled, inst_admin)
    transition(
        obj=application, name="city_return", by=city_regulator, side=Side.CITY, comment="请补充人员资质证明。"
    )
    client = client_for("inst_admin")
    html = client.get(application.get_absolute_url()).content.decode()
    assert "请补充人员资质证明。" in html and "修改并重新提交" in html
    assert 'aria-current="step">退回修改' in html
    html = client.get(reverse("centers:construction_edit", args=[application.pk])).content.decode()
    assert "退回意见" in html and "请补充人员资质证明。" in html and "重新提交申请" in html


def test_an_approved_application_leads_to_its_center(
    client_for, enabled, inst_admin, city_regulator, province_regulator
):
    application = construction_approved(enabled, inst_admin, city_regulator, province_regulator)
    html = client_for("inst_admin").get(application.get_absolute_url()).content.decode()
    assert "已批准" in html and application.center.get_absolute_url() in html
    assert "待市局审核 → 待省局审核" in html and "待省局审核 → 已批准" in html  # the review log
    assert reverse("centers:construction_withdraw", args=[application.pk]) not in html
    assert reverse("centers:construction_edit", args=[application.pk]) not in html


def test_a_draft_offers_edit_submit_and_withdraw(client_for, draft):
    html = client_for("inst_admin").get(draft.get_absolute_url()).content.decode()
    for name in ("construction_edit", "construction_submit", "construction_withdraw"):
        assert reverse(f"centers:{name}", args=[draft.pk]) in html
    assert "场地证明.pdf" in html and "尚未上传可行性研究报告" in html and "100.00" in html
