"""The attachments lifecycle: files written in a transaction leave storage again when it rolls back (in a
nested block or the outermost one), a replaced file goes only after commit, and the multi-file field."""

import dataclasses
import logging
from pathlib import Path

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction

from institutions.choices import ErrorItemType
from institutions.services.confirmation import error_report_resubmit, error_report_submit
from sujt.core.attachments import (
    AttachmentRule,
    attachment_replace,
    attachments_of,
    attachments_remove,
    attachments_store,
)
from sujt.core.choices import AttachmentKind as K
from sujt.core.forms import AttachmentFormMixin, ContentCheckedFileField, MultipleAttachmentField
from sujt.core.models import Attachment
from sujt.core.transactions import pending_rollback_callbacks, run_on_rollback
from sujt.core.workflow import InvalidTransition
from tests.core.samples import PDF_BYTES, png_bytes, upload

PAPERS = AttachmentRule(purpose="papers", kinds=(K.PDF, K.IMAGE), max_files=3, noun="材料", unit="份")
PORTRAIT = AttachmentRule(purpose="portrait", kinds=(K.IMAGE,), reencode=True)


class Boom(Exception):
    pass


def stored_files(settings) -> set[Path]:
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    return {path for path in root.rglob("*") if path.is_file()} if root.exists() else set()


def pdf(name: str = "材料.pdf"):
    return upload(name, PDF_BYTES, "application/pdf")


def store(owner, by, *names: str) -> list[Attachment]:
    return attachments_store(owner=owner, rule=PAPERS, files=[pdf(name) for name in names], by=by)


def portrait(owner, by, name: str, content: bytes | None = None) -> Attachment:
    file = upload(name, png_bytes() if content is None else content)
    return attachment_replace(owner=owner, rule=PORTRAIT, file=file, by=by)


# --- run_on_rollback ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_nested_block_that_rolls_back_runs_only_its_own_callbacks():
    ran: list[str] = []
    with transaction.atomic():
        run_on_rollback(lambda: ran.append("outer"))
        with pytest.raises(Boom), transaction.atomic():
            run_on_rollback(lambda: ran.append("inner"))
            raise Boom
        assert ran == ["inner"]
    assert ran == ["inner"]  # the outer block was released; the test's own transaction is still open


@pytest.mark.django_db
def test_a_released_block_leaves_its_callbacks_to_the_block_around_it():
    ran: list[str] = []
    with pytest.raises(Boom), transaction.atomic():
        with transaction.atomic():
            run_on_rollback(lambda: ran.append("inner"))
        assert ran == []
        raise Boom
    assert ran == ["inner"]


@pytest.mark.django_db
def test_a_block_without_savepoint_is_undone_with_the_block_that_rolls_back():
    ran: list[str] = []
    with pytest.raises(Boom), transaction.atomic():
        with transaction.atomic(savepoint=False):
            run_on_rollback(lambda: ran.append("no savepoint"))
        raise Boom
    assert ran == ["no savepoint"]


@pytest.mark.django_db(transaction=True)
def test_the_outermost_rollback_runs_them_and_the_outermost_commit_forgets_them():
    ran: list[str] = []
    with pytest.raises(Boom), transaction.atomic():
        run_on_rollback(lambda: ran.append("rolled back"))
        raise Boom
    assert ran == ["rolled back"]

    with transaction.atomic():
        run_on_rollback(lambda: ran.append("committed"))
        assert pending_rollback_callbacks() == 1
    assert pending_rollback_callbacks() == 0
    with pytest.raises(Boom), transaction.atomic():
        raise Boom  # a later rollback on the same connection
    assert ran == ["rolled back"]


@pytest.mark.django_db(transaction=True)
def test_in_autocommit_nothing_is_registered():
    ran: list[str] = []
    run_on_rollback(lambda: ran.append("never"))
    assert pending_rollback_callbacks() == 0
    with pytest.raises(Boom), transaction.atomic():
        raise Boom
    assert ran == []


@pytest.mark.django_db
def test_a_failing_callback_is_logged_and_the_others_still_run(caplog):
    ran: list[str] = []

    def broken() -> None:
        raise OSError("storage unavailable")

    # The cause of the rollback is what surfaces, not the callback's error.
    with caplog.at_level(logging.ERROR, "sujt.core.transactions"), pytest.raises(Boom), transaction.atomic():
        run_on_rollback(broken)
        run_on_rollback(lambda: ran.append("second"))
        raise Boom
    assert ran == ["second"]
    assert "storage unavailable" in caplog.text


# --- storing inside a transaction ----------------------------------------------------------------


@pytest.mark.django_db
def test_a_rolled_back_nested_upload_leaves_no_file_and_the_rest_stays(institution, inst_admin, settings):
    with transaction.atomic():
        kept = store(institution, inst_admin, "保留.pdf")
        with pytest.raises(Boom), transaction.atomic():
            store(institution, inst_admin, "撤销一.pdf", "撤销二.pdf")
            assert len(stored_files(settings)) == 3
            raise Boom
        assert stored_files(settings) == {Path(kept[0].file.path)}
        assert list(attachments_of(institution)) == kept


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_leaves_no_file_behind(institution, inst_admin, settings):
    with pytest.raises(Boom), transaction.atomic():
        store(institution, inst_admin, "一.pdf", "二.pdf")
        portrait(institution, inst_admin, "像.png")
        assert len(stored_files(settings)) == 3
        raise Boom
    assert stored_files(settings) == set()
    assert not Attachment.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_committed_upload_stays(institution, inst_admin, settings):
    with transaction.atomic():
        [attachment] = store(institution, inst_admin, "一.pdf")
    assert stored_files(settings) == {Path(attachment.file.path)}
    assert Path(attachment.file.path).read_bytes() == PDF_BYTES


def test_a_refused_file_in_a_batch_takes_the_files_before_it_along(institution, inst_admin, settings):
    with pytest.raises(ValidationError) as caught:
        attachments_store(
            owner=institution,
            rule=PAPERS,
            files=[pdf("好.pdf"), upload("坏.pdf", b"not a pdf")],
            by=inst_admin,
            error_key="papers",
        )
    [error] = caught.value.error_dict["papers"]
    assert error.code == "content" and error.message.startswith("「坏.pdf」：文件内容不是有效的PDF 文件")
    assert stored_files(settings) == set() and not Attachment.objects.exists()


def test_the_count_includes_what_the_owner_holds_after_removals(institution, inst_admin):
    first, _second, _third = store(institution, inst_admin, "一.pdf", "二.pdf", "三.pdf")
    with pytest.raises(ValidationError) as caught:
        store(institution, inst_admin, "四.pdf")
    assert caught.value.messages == ["材料最多 3 份，请删除一些后再上传。"]
    assert caught.value.code == "too_many"

    assert attachments_remove(owner=institution, purpose=PAPERS.purpose, ids=[first.pk]) == 1
    store(institution, inst_admin, "四.pdf")
    assert attachments_of(institution, purpose=PAPERS.purpose).count() == 3


def test_remove_ignores_ids_of_other_owners_and_purposes(institution, other_institution, inst_admin):
    [ours] = store(institution, inst_admin, "我们的.pdf")
    [theirs] = store(other_institution, inst_admin, "他们的.pdf")
    assert attachments_remove(owner=institution, purpose="other", ids=[ours.pk]) == 0
    assert attachments_remove(owner=institution, purpose=PAPERS.purpose, ids=[theirs.pk]) == 0
    assert Attachment.objects.filter(pk__in=[ours.pk, theirs.pk]).count() == 2


# --- replacing the one file of a purpose ---------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_replace_keeps_the_old_file_until_commit_and_removes_it_after(institution, inst_admin, settings):
    old = portrait(institution, inst_admin, "旧.png")
    old_path = Path(old.file.path)
    with transaction.atomic():
        new = portrait(institution, inst_admin, "新.png", png_bytes((6, 6)))
        assert not Attachment.objects.filter(pk=old.pk).exists()
        assert old_path.exists()  # the transaction may still roll back: the file must be there for it
    assert not old_path.exists()
    assert list(attachments_of(institution, purpose=PORTRAIT.purpose)) == [new]
    assert stored_files(settings) == {Path(new.file.path)}


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_replace_keeps_the_old_attachment_whole(institution, inst_admin, settings):
    old = portrait(institution, inst_admin, "旧.png")
    with pytest.raises(Boom), transaction.atomic():
        portrait(institution, inst_admin, "新.png")
        raise Boom
    assert list(attachments_of(institution, purpose=PORTRAIT.purpose)) == [old]
    assert stored_files(settings) == {Path(old.file.path)}


def test_replace_reencodes_images_when_the_rule_says_so(institution, inst_admin):
    content = png_bytes() + b"appended after the image data"
    stored = Path(portrait(institution, inst_admin, "像.png", content).file.path).read_bytes()
    assert stored != content and b"appended" not in stored


# --- a caller: an error report's evidence ---------------------------------------------------------


def test_a_resubmission_refused_after_storing_its_evidence_leaves_storage_as_it_was(
    institution, inst_admin, settings, django_capture_on_commit_callbacks
):
    report = error_report_submit(
        institution=institution, by=inst_admin, item_type=ErrorItemType.BASIC, item_id=None,
        item_label="地址", description="地址有误。", evidence=[pdf("旧证明.pdf")],
    )  # fmt: skip
    [old] = attachments_of(report)
    before = stored_files(settings)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(InvalidTransition):
        # Still 待审核, not 已退回: the workflow refuses after the files were handled.
        error_report_resubmit(
            report=report, by=inst_admin, item_type=ErrorItemType.BASIC, item_id=None, item_label="地址",
            description="改了。", evidence=[pdf("新证明.pdf")], remove_attachment_ids=[old.pk],
        )  # fmt: skip
    assert list(attachments_of(report)) == [old]
    assert stored_files(settings) == before


# --- the form fields ------------------------------------------------------------------------------


class PapersForm(AttachmentFormMixin, forms.Form):
    title = forms.CharField()
    papers = MultipleAttachmentField(
        label="材料", required=False, rule=dataclasses.replace(PAPERS, max_total_bytes=2000)
    )


def test_the_multi_file_field_offers_the_kinds_of_its_rule_and_several_files():
    html = str(PapersForm()["papers"])
    assert 'accept=".pdf,application/pdf,image/*"' in html
    assert "multiple" in html
    assert PapersForm().fields["papers"].help_text == (
        "PDF 或图片（jpg、png 等），每份不超过 20 MB，一次合计不超过 2 KB，最多 3 份，可一次选择多个文件。"
    )


def test_the_multi_file_field_cleans_to_checked_files():
    form = PapersForm(data={"title": "t"}, files={"papers": [pdf("一.pdf"), upload("二.png", png_bytes())]})
    assert form.is_valid(), form.errors
    assert [file.detected_kind for file in form.cleaned_data["papers"]] == [K.PDF, K.IMAGE]
    assert PapersForm(data={"title": "t"}).is_valid()


def test_a_fake_file_is_refused_by_content_with_its_name():
    form = PapersForm(
        data={"title": "t"}, files={"papers": [pdf("真的.pdf"), upload("../伪装.pdf", b"<html>not a pdf")]}
    )
    assert not form.is_valid()
    assert form.errors["papers"] == [
        "「伪装.pdf」：文件内容不是有效的PDF 文件（文件扩展名为 .pdf）。请确认文件未损坏，且确为该类型。"
    ]


def test_the_multi_file_field_limits_the_count_and_the_total_size():
    too_many = PapersForm(data={"title": "t"}, files={"papers": [pdf(f"{n}.pdf") for n in range(4)]})
    assert not too_many.is_valid()
    assert too_many.errors["papers"] == ["材料最多 3 份，本次选择了 4 份，请减少后再上传。"]

    big = upload("大.pdf", PDF_BYTES + b"0" * 1900, "application/pdf")
    too_large = PapersForm(data={"title": "t"}, files={"papers": [big, pdf()]})
    assert not too_large.is_valid()
    assert too_large.errors["papers"] == ["所选材料合计 2 KB，超过了 2 KB 的上限，请分几次上传。"]


def test_the_multi_file_field_limits_each_file(settings):
    settings.UPLOAD_MAX_BYTES = 100
    form = PapersForm(data={"title": "t"}, files={"papers": [pdf("厚.pdf")]})
    assert not form.is_valid()
    assert form.errors["papers"][0].startswith("「厚.pdf」：文件大小为")


def test_the_form_checks_the_total_with_what_is_kept_and_asks_to_choose_again():
    class EditForm(PapersForm):
        def clean(self):
            data = super().clean()
            self.check_files_total("papers", kept=2)
            return data

    form = EditForm(data={"title": "t"}, files={"papers": [pdf("一.pdf"), pdf("二.pdf")]})
    assert not form.is_valid()
    assert form.errors["papers"] == [
        "材料合计最多 3 份：已有 2 份，本次又选择了 2 份。"
        "请先勾选删除部分已上传的材料，或减少本次选择的文件。"
    ]
    failed_elsewhere = PapersForm(data={"title": ""}, files={"papers": [pdf()]})
    assert not failed_elsewhere.is_valid()
    assert failed_elsewhere.choose_again == {"papers": True}
    assert PapersForm(data={"title": "t"}, files={"papers": [pdf()]}).choose_again == {}


def test_the_single_file_field_uses_the_same_accept_map_and_rule():
    class OneForm(forms.Form):
        portrait = ContentCheckedFileField(label="照片", rule=PORTRAIT)
        sheet = ContentCheckedFileField(label="表格", kinds=[K.XLSX], max_bytes=1000)

    form = OneForm()
    assert 'accept="image/*"' in str(form["portrait"]) and 'accept=".xlsx"' in str(form["sheet"])
    assert form.fields["portrait"].help_text == "图片（jpg、png 等），不超过 20 MB。"
    assert form.fields["sheet"].max_bytes == 1000


class FakeConnection:
    """Just what run_on_rollback reads and wraps, to close a connection in the middle of a transaction."""

    def __init__(self, *, in_memory: bool = False) -> None:
        self.in_atomic_block, self.savepoint_ids = True, ["s1"]
        self.connection, self.closed_in_transaction, self.in_memory = object(), False, in_memory

    def close(self) -> None:
        if not self.in_memory:  # like Django: closing inside an atomic block marks the transaction lost
            self.closed_in_transaction = True

    def savepoint_rollback(self, sid: str) -> None:
        pass

    def rollback(self) -> None:
        pass

    def commit(self) -> None:
        pass


@pytest.mark.parametrize(("in_memory", "expected"), [(False, ["lost"]), (True, [])])
def test_closing_the_connection_in_a_transaction_runs_them_unless_the_close_was_ignored(
    monkeypatch, in_memory, expected
):
    fake = FakeConnection(in_memory=in_memory)
    monkeypatch.setattr(transaction, "get_connection", lambda using=None: fake)
    ran: list[str] = []
    run_on_rollback(lambda: ran.append("lost"))
    fake.close()
    assert ran == expected
