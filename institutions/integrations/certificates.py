"""Registrations for the certificates area of module 02 (imported by InstitutionsConfig.ready).

To-dos: every valid certificate expiring within 6 months, for members who manage the profile of its
institution. The to-do's due date is the renewal deadline (3 months before expiry), so its urgency says
how close the last day to apply for renewal is, not the expiry itself.
"""

from sujt.core.todos import Todo, register_todo_provider

from ..selectors.confirmation import institutions_managed_by
from ..services.certificates import expiring_certificates_for

MODULE_LABEL = "02 机构风采管理"


def certificate_renewal_todos(user) -> list[Todo]:
    if not getattr(user, "is_authenticated", False):
        return []
    expiring = expiring_certificates_for(institution_ids=institutions_managed_by(user=user))
    several = len({item.certificate.institution_id for item in expiring}) > 1
    return [
        Todo(
            title=(f"{item.certificate.institution.name}：" if several else "") + item.title,
            module=MODULE_LABEL,
            url=item.url,
            due_date=item.renewal_deadline,
        )
        for item in expiring
    ]


register_todo_provider(certificate_renewal_todos)
