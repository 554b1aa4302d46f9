"""To-dos of module 04 besides the construction clock (integrations/deadlines.py): applications a
regulator returned, to be changed and submitted again."""

from typing import Any

from sujt.core.choices import ReviewStatus
from sujt.core.todos import Todo, register_todo_provider

from ..choices import AcceptanceStatus, TwoStepStatus
from ..models import (
    AcceptanceApplication,
    CenterRegistration,
    ConstructionApplication,
    ProgressReport,
    TaskBook,
)
from ..selectors import institution_ids_managing

MODULE_LABEL = "04 中心建设"
RETURNED = (
    (ConstructionApplication, TwoStepStatus.RETURNED),
    (AcceptanceApplication, AcceptanceStatus.RETURNED),
    (TaskBook, ReviewStatus.RETURNED),
    (ProgressReport, ReviewStatus.RETURNED),
    (CenterRegistration, ReviewStatus.RETURNED),
)


def returned_application_todos(user: Any) -> list[Todo]:
    ids = list(institution_ids_managing(user=user).values_list("pk", flat=True))
    if not ids:
        return []  # one query for everyone the module does not concern
    rows = []
    for model, status in RETURNED:
        rows += list(
            model.objects.filter(institution_id__in=ids, status=status).select_related(
                "institution", "center"
            )
        )
    several = len({row.institution_id for row in rows}) > 1
    return [
        Todo(
            title=(f"{row.institution.name}：" if several else "")
            + f"{row._meta.verbose_name}「{row}」被退回，请按审核意见修改后重新提交",
            module=MODULE_LABEL,
            url=row.get_absolute_url(),
        )
        for row in rows
    ]


register_todo_provider(returned_application_todos)
