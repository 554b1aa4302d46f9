"""Workflow states in templates, read from the model's declared workflow (sujt.core.workflow):

- `{% status_badge obj %}`: the state as a badge,
  `<span class="badge badge-<tone>" data-status="<state>">label</span>`;
- `{{ transition|transition_actor }}`: who took a logged transition, as the institution may see it
  (监管部门 for a regulator's step, 系统 for a scheduled job's, else the person's name).

No template spells out a state's value, label or colour: they are declared once, with the transitions.
"""

from typing import Any

from django import template
from django.core.exceptions import ImproperlyConfigured
from django.utils.html import format_html

from ..models import ReviewTransition
from ..workflow import REGULATOR_SIDES, Side, Tone, workflow_of

register = template.Library()


@register.simple_tag
def status_badge(obj: Any) -> str:
    """The object's workflow state as a badge: label and tone from its declaration."""
    try:
        workflow = workflow_of(obj)
    except ImproperlyConfigured:
        # Not a workflow object: its status field's own label, in the neutral tone.
        state = getattr(obj, "status", "")
        return format_html(
            '<span class="badge badge-{}" data-status="{}">{}</span>',
            Tone.MUTED,
            state,
            obj.get_status_display(),
        )
    state = getattr(obj, workflow.field)
    return format_html(
        '<span class="badge badge-{}" data-status="{}">{}</span>',
        workflow.tone(state),
        state,
        workflow.label(state),
    )


@register.filter
def transition_actor(log: ReviewTransition) -> str:
    """Who took the transition, for the institution's 处理记录: the bureau, not the reviewer."""
    if log.side in REGULATOR_SIDES:
        return "监管部门"
    if log.side == Side.SYSTEM or log.by is None:
        return "系统" if log.side == Side.SYSTEM else "—"
    return log.by.name or log.by.phone
