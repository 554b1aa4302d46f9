"""What the services of module 04 share: the attachment rules, locking, who is told."""

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.db.models import QuerySet
from simple_history.utils import bulk_create_with_history

from sujt.accounts.parties import institution_members_with_perm, regulators_over
from sujt.core.attachments import AttachmentRule, attachments_of, attachments_remove, attachments_store
from sujt.core.choices import AttachmentKind as K

from ..models import PERMISSION
from ..models.acceptance import ACCEPTANCE_PURPOSE
from ..models.construction import APPROVAL_PURPOSE, FEASIBILITY_PURPOSE, MATERIALS_PURPOSE
from ..models.taskbook import PROGRESS_PURPOSE

MB = 1024 * 1024
DOCUMENTS = (K.IMAGE, K.PDF, K.DOCX, K.XLSX)

FEASIBILITY_RULE = AttachmentRule(
    purpose=FEASIBILITY_PURPOSE,
    kinds=(K.PDF, K.DOCX),
    max_bytes=20 * MB,
    max_files=1,
    noun="可行性研究报告",
    unit="份",
)
MATERIALS_RULE = AttachmentRule(
    purpose=MATERIALS_PURPOSE, kinds=DOCUMENTS, max_bytes=20 * MB, max_files=10, noun="其他材料", unit="份"
)
APPROVAL_RULE = AttachmentRule(
    purpose=APPROVAL_PURPOSE,
    kinds=(K.IMAGE, K.PDF),
    max_bytes=10 * MB,
    max_files=5,
    noun="批准文件",
    unit="份",
)
PROGRESS_RULE = AttachmentRule(
    purpose=PROGRESS_PURPOSE, kinds=DOCUMENTS, max_bytes=20 * MB, max_files=10, noun="进展材料", unit="份"
)
ACCEPTANCE_RULE = AttachmentRule(
    purpose=ACCEPTANCE_PURPOSE, kinds=DOCUMENTS, max_bytes=20 * MB, max_files=10, noun="验收材料", unit="份"
)
RULES_BY_PURPOSE = {
    rule.purpose: rule
    for rule in (FEASIBILITY_RULE, MATERIALS_RULE, APPROVAL_RULE, PROGRESS_RULE, ACCEPTANCE_RULE)
}

# At most this many rows in an equipment list or a task book: bounded loops over what a form posts.
MAX_ROWS = 50


def locked(obj: models.Model) -> Any:
    """`obj` read again under a row lock (inside the caller's transaction)."""
    return type(obj)._default_manager.select_for_update().get(pk=obj.pk)


def files_update(
    *,
    owner: models.Model,
    rule: AttachmentRule,
    files: Sequence[UploadedFile],
    remove: Iterable[int] = (),
    by: Any,
    field: str,
) -> None:
    """Removes the owner's files of `rule` listed in `remove`, then stores `files` (errors on `field`)."""
    remove = [int(pk) for pk in remove]
    if remove:
        attachments_remove(owner=owner, purpose=rule.purpose, ids=remove)
    if files:
        attachments_store(owner=owner, rule=rule, files=files, by=by, error_key=field)


def require_files(owner: models.Model, rule: AttachmentRule, *, field: str, message: str) -> None:
    if not attachments_of(owner, purpose=rule.purpose).exists():
        raise ValidationError({field: message})


def rows_checked(rows: Sequence[Any], *, noun: str, field: str) -> list[Any]:
    rows = list(rows)
    if len(rows) > MAX_ROWS:
        raise ValidationError({field: f"{noun}最多 {MAX_ROWS} 行。"})
    return rows


def rows_replace(*, old: QuerySet, new: Iterable[models.Model], model: type[models.Model], by: Any) -> None:
    """Replaces an application's rows (equipment, indicators, figures) with `new`, each deletion and
    creation with its history row (at most MAX_ROWS of each)."""
    for row in old:
        row.delete()
    bulk_create_with_history(list(new), model, default_user=by)


def members_to_tell(institution_id: int) -> list[Any]:
    return list(institution_members_with_perm(institution_id=institution_id, perm=PERMISSION))


def regulators_to_tell(region_code: str) -> list[Any]:
    """The bureaus over the institution: its district's, its city's and the province's."""
    return regulators_over(region_code=region_code)
