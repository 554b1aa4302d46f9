"""Admin building blocks shared by every app: the regulator's region scope and review queues."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from . import workflow
from .forms import (
    KeyCheckedModelChoiceField,
    KeyCheckedModelMultipleChoiceField,
    ReviewCommentForm,
    integers_in_range,
)
from .scoping import ever_submitted, regulator_scoped


class KeyCheckedRelatedFieldsMixin:
    """Foreign-key and many-to-many form fields that answer a posted id no row can have ("abc", thirty
    digits) with a form error rather than a database error (see sujt.core.forms.is_possible_key)."""

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        kwargs.setdefault("form_class", KeyCheckedModelChoiceField)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        kwargs.setdefault("form_class", KeyCheckedModelMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        # A list URL's "?id__in=<thirty digits>" would reach SQLite as an IN query and overflow once the
        # page counts its rows; refused here, it is a 400 like any other disallowed lookup.
        if lookup.endswith("__in") and not integers_in_range(self.model, lookup[: -len("__in")], value):
            return False
        return super().lookup_allowed(lookup, value, request)


class RegionScopedAdmin(KeyCheckedRelatedFieldsMixin, admin.ModelAdmin):
    """Limits a regulator's admin lists and objects to their jurisdiction.

    `region_field` is the lookup path to a region code (e.g. "institution__region_code"). A user with
    no regulator scope sees nothing; the province (and superusers) see everything. The rule is
    sujt.core.scoping.regulator_scoped, which the owners' file rules read too.
    """

    region_field: str = "region_code"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return regulator_scoped(
            super().get_queryset(request), user=request.user, region_field=self.region_field
        )

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if getattr(request.user, "region_scope", None) is None:
            return False
        return super().has_view_permission(request, obj)


def action_apply_each(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    objects: Iterable[Any],
    apply: Callable[[Any], Any],
    *,
    success: Callable[[int], str],
) -> None:
    """Runs `apply` (a service call) on each selected object of an admin action. A refusal
    (InvalidTransition, ValidationError) skips that object only: one success message with the count, then
    one error message per refusal, the first MAX_ERROR_MESSAGES of them."""
    done = 0
    errors: list[str] = []
    for obj in objects:
        try:
            apply(obj)
        except (workflow.InvalidTransition, ValidationError) as exc:
            text = exc.message if isinstance(exc, workflow.InvalidTransition) else "；".join(exc.messages)
            errors.append(f"「{obj}」：{text}")
        else:
            done += 1
    if done:
        model_admin.message_user(request, success(done), messages.SUCCESS)
    for text in errors[:MAX_ERROR_MESSAGES]:
        model_admin.message_user(request, text, messages.ERROR)
    if len(errors) > MAX_ERROR_MESSAGES:
        model_admin.message_user(
            request,
            _("另有 %(count)d 项未能处理。") % {"count": len(errors) - MAX_ERROR_MESSAGES},
            messages.ERROR,
        )


def action_confirm_response(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet,
    *,
    template: str,
    action: str,
    form: Any,
    title: str,
    crumb: str,
    confirm_field: str,
    confirm_label: str,
    **extra: Any,
) -> TemplateResponse:
    """The confirmation page of an admin action that asks for a few words (see
    core/admin/action_confirm.html); the action runs when the POST carries `confirm_field`."""
    opts = model_admin.model._meta
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "subtitle": None,
        "opts": opts,
        "app_label": opts.app_label,
        "queryset": queryset,
        "form": form,
        "action": action,
        "crumb": crumb,
        "confirm_field": confirm_field,
        "confirm_label": confirm_label,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "media": model_admin.media,
        **extra,
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, template, context)


class ReadOnlyChangeFormMixin:
    """A change page to read and never to save: no save buttons, and a POST is refused. For what an
    institution wrote and a regulator only decides on, with the review actions of the list."""

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: Any = None,
    ) -> HttpResponse:
        if request.method == "POST":
            raise PermissionDenied("read-only in admin: decide with the review actions")
        extra_context = {
            **(extra_context or {}),
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
        }
        return super().changeform_view(request, object_id, form_url, extra_context)


@dataclass(frozen=True)
class ReviewDecision:
    """One action of a review queue: a regulator's transition of the model's declared workflow, named
    `review_<transition>_selected` (for the common review: review_approve/return/reject_selected)."""

    step: workflow.Transition
    sources: str  # the labels of the states it starts from, for the confirmation page

    @property
    def action(self) -> str:
        return f"review_{self.step.name}_selected"

    @property
    def verb(self) -> str:
        return self.step.label

    @property
    def comment_required(self) -> bool:
        return self.step.comment_required

    @property
    def description(self) -> str:
        return f"{self.verb}所选项（须填写意见）" if self.comment_required else f"{self.verb}所选项"


def review_decisions(model: Any) -> dict[str, ReviewDecision]:
    """The review-queue actions of a model: its workflow's regulator transitions that start only from
    states out of the institution's hands (a regulator's own 发布 of a draft is no review decision)."""
    declared = workflow.workflow_of(model)
    return {
        decision.action: decision
        for decision in (
            ReviewDecision(step, "、".join(declared.label(state) for state in sorted(step.source)))
            for step in declared.transitions
            if step.by_regulator and not step.source & declared.editable
        )
    }


REVIEW_FIELDS = [*workflow.WORKFLOW_FIELDS, "review_log"]
MAX_ERROR_MESSAGES = 10


class ReviewAdminMixin:
    """A regulator's review queue for a Reviewable model in Django admin.

    Lists only what the institution ever submitted (a draft is its own); adds a status filter; one action
    per regulator transition of the model's declared workflow (review_decisions: for the common review
    审核通过 / 退回修改 / 不予通过), shown only to regulators whose side may take it (a city regulator does
    not see a province step), each through a confirmation page with a comment (required where the
    transition says so) and run by `workflow.transition` with the regulator's side; the workflow fields
    and the transition log, read-only, on the change page. Combine with RegionScopedAdmin:

        class NewsAdmin(ReviewAdminMixin, RegionScopedAdmin): region_field = "institution__region_code"
    """

    review_confirm_template = "core/admin/review_confirm.html"
    # A model whose decisions do more than the status change (e.g. news published on approval) maps the
    # action names of its review_decisions to its own services, called with (obj=, by=, comment=).
    review_services: dict[str, Callable[..., Any]] = {}

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # A draft is the institution's own until submitted; the files check reads the same rule.
        return ever_submitted(super().get_queryset(request))

    def has_review_permission(self, request: HttpRequest) -> bool:
        return self.has_change_permission(request)

    def get_list_filter(self, request: HttpRequest) -> list:
        filters = list(super().get_list_filter(request))
        return filters if "status" in filters else ["status", *filters]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list:
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, *(name for name in REVIEW_FIELDS if name not in fields)]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list:
        return [name for name in super().get_fields(request, obj) if name not in REVIEW_FIELDS]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> list:
        fieldsets = list(super().get_fieldsets(request, obj))
        mentioned = set(flatten_fieldsets(fieldsets))
        missing = [name for name in REVIEW_FIELDS if name not in mentioned]
        if missing:
            fieldsets.append((_("审核信息"), {"fields": missing}))
        return fieldsets

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        if self.actions is None or IS_POPUP_VAR in request.GET or not self.has_review_permission(request):
            return actions
        side = workflow.regulator_side(request.user)
        for name, decision in review_decisions(self.model).items():
            if side is not None and workflow.side_may_take(side, decision.step.side):
                actions[name] = (_review_action(name), name, decision.description)
        return actions

    @admin.display(description=_("审核记录"))
    def review_log(self, obj: Any) -> str:
        if obj is None or obj.pk is None:
            return "—"
        return render_to_string("core/admin/review_log.html", {"transitions": workflow.transitions_of(obj)})

    def _review(self, request: HttpRequest, queryset: QuerySet, action: str) -> HttpResponse | None:
        decision = review_decisions(self.model).get(action)
        side = workflow.regulator_side(request.user)
        if decision is None or side is None or not self.has_review_permission(request):
            raise PermissionDenied
        confirmed = "review_confirm" in request.POST
        form = ReviewCommentForm(
            request.POST if confirmed else None, comment_required=decision.comment_required
        )
        if confirmed and form.is_valid():
            self._apply_decision(request, queryset, decision, form.cleaned_data["comment"], side=side)
            return None
        return action_confirm_response(
            self,
            request,
            queryset,
            template=self.review_confirm_template,
            action=action,
            form=form,
            title=_("%(verb)s：确认并填写审核意见") % {"verb": decision.verb},
            crumb=decision.verb,
            confirm_field="review_confirm",
            confirm_label=f"确认{decision.verb}",
            decision=decision,
        )

    def _apply_decision(
        self, request: HttpRequest, queryset: QuerySet, decision: ReviewDecision, comment: str, *, side: str
    ) -> None:
        override = self.review_services.get(decision.action)
        name, by = decision.step.name, request.user

        def apply(obj: Any) -> Any:
            if override is not None:
                return override(obj=obj, by=by, comment=comment)
            return workflow.transition(obj=obj, name=name, by=by, comment=comment, side=side)

        action_apply_each(
            self,
            request,
            queryset,
            apply,
            success=lambda done: _("已%(verb)s %(count)d 项。") % {"verb": decision.verb, "count": done},
        )


def _review_action(name: str) -> Callable[..., HttpResponse | None]:
    """The admin action function (modeladmin, request, queryset) of one review decision."""

    def run(model_admin: ReviewAdminMixin, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        return model_admin._review(request, queryset, name)

    return run


# The domain-event outbox registers its admin pages beside these building blocks.
from . import admin_events  # noqa: E402, F401
