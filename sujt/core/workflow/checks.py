"""System check: a model's state field can hold exactly the states its declared workflow names.

A module that attaches its own workflow to a Reviewable but forgets to redeclare `status` would keep the
common review's choices (and max_length 10): the engine would write states the field does not offer.
"""

from typing import Any

from django.apps import apps
from django.core import checks
from django.core.exceptions import FieldDoesNotExist

from .declaration import Workflow


@checks.register(checks.Tags.models)
def workflow_fields_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    for model in apps.get_models():
        declared = getattr(model, "workflow", None)
        if not isinstance(declared, Workflow) or model._meta.abstract:
            continue
        try:
            field = model._meta.get_field(declared.field)
        except FieldDoesNotExist:
            errors.append(
                checks.Error(
                    f"{model._meta.label} declares workflow {declared.name!r} on a missing field "
                    f"{declared.field!r}",
                    obj=model,
                    id="core.E020",
                )
            )
            continue
        choices = {str(value) for value, _label in (field.choices or [])}
        states = set(declared.states.values)
        longest = max(len(state) for state in states)
        if choices != states or (field.max_length or 0) < longest:
            errors.append(
                checks.Error(
                    f"{model._meta.label}.{field.name} does not hold the states of {declared!r}",
                    hint="Redeclare the field with the workflow's states as choices and max_length="
                    f"{max(longest, 20)} (a Reviewable's own status field is the common review's).",
                    obj=model,
                    id="core.E021",
                )
            )
    return errors
