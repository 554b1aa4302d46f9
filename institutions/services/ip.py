"""Writes of the institution's intellectual property: add, edit, delete, Excel import.

Each is one transaction, attributes its history rows to the acting user, and recalculates the stored
completeness (having any IP is one of its items).
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model
from simple_history.utils import bulk_create_with_history

from sujt.accounts.models import User
from sujt.core.audit import acting_as
from sujt.core.excel_import import DEFAULT_MAX_ROWS, ImportResult, read_xlsx

from ..forms.ip import IP_KINDS
from ..models import Institution
from ..selectors.ip import ip_taken_keys
from .completeness import completeness_recalculate

IMPORT_BATCH_SIZE = 500
IMPORT_MAX_ROWS = DEFAULT_MAX_ROWS


def _duplicate_error(obj: Model) -> ValidationError:
    return ValidationError(
        f"本机构已登记过相同编号的{obj._meta.verbose_name}（可能刚由他人录入），请刷新后核对。"
    )


def _save(*, obj: Model, by: User) -> Model:
    with transaction.atomic(), acting_as(by):
        obj.full_clean()
        try:
            with transaction.atomic():
                obj.save()
        except IntegrityError as exc:
            raise _duplicate_error(obj) from exc
        completeness_recalculate(institution_id=obj.institution_id)
    return obj


def ip_create(*, obj: Model, by: User) -> Model:
    """Saves a new, validated row (its `institution` set) of one of the IP kinds."""
    if obj.pk is not None:
        raise ValueError("ip_create takes an unsaved row")
    return _save(obj=obj, by=by)


def ip_update(*, obj: Model, by: User) -> Model:
    """Saves the changes to an existing row (fetched through selectors.ip.ip_get)."""
    if obj.pk is None:
        raise ValueError("ip_update takes a saved row")
    return _save(obj=obj, by=by)


def ip_delete(*, obj: Model, by: User) -> None:
    institution_id = obj.institution_id
    with transaction.atomic(), acting_as(by):
        obj.delete()
        completeness_recalculate(institution_id=institution_id)


def ip_import(*, kind: str, institution: Institution, file: Any, by: User) -> ImportResult:
    """Imports an uploaded .xlsx of `kind` rows: all of them, or none when any row has an error.

    Returns the ImportResult: `errors` (row, column, message) when nothing was saved, else `rows`, all
    saved. Raises ValidationError when the file itself cannot be read (see sujt.core.excel_import).
    """
    spec = IP_KINDS[kind]
    taken = ip_taken_keys(institution_id=institution.pk, kind=kind)
    result = read_xlsx(
        file,
        columns=spec.columns,
        form=lambda data: spec.form_class(data, institution=institution, taken=taken),
        unique=[spec.unique_fields],
        sheet_title=spec.title,
        max_rows=IMPORT_MAX_ROWS,
    )
    if not result.ok:
        return result
    objs = [row.form.save(commit=False) for row in result.rows]
    try:
        with transaction.atomic(), acting_as(by):
            bulk_create_with_history(
                objs,
                spec.model,
                batch_size=IMPORT_BATCH_SIZE,
                default_user=by,
                default_change_reason="Excel 导入",
            )
            completeness_recalculate(institution_id=institution.pk)
    except IntegrityError as exc:
        raise ValidationError(
            f"导入时发现本机构已有相同编号的{spec.title}（可能刚由他人录入），未导入任何数据。请刷新后核对再导入。"
        ) from exc
    return result
