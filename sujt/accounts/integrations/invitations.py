"""To-dos: every invitation the user may still accept, due on its last day."""

from django.urls import reverse
from django.utils import timezone

from sujt.core.todos import Todo, register_todo_provider

from ..selectors import invitations_pending_for

MODULE_LABEL = "系统管理"


def invitation_todos(user) -> list[Todo]:
    if not getattr(user, "is_authenticated", False):
        return []
    return [
        Todo(
            title=f"{invitation.institution.name}邀请您以“{invitation.get_role_display()}”身份加入，请接受或拒绝",
            module=MODULE_LABEL,
            url=reverse("accounts:invitations"),
            due_date=timezone.localdate(invitation.expires_at),
        )
        for invitation in invitations_pending_for(user=user)
    ]


register_todo_provider(invitation_todos)
