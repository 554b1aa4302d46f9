"""Admin building blocks shared by every app: the regulator's region scope and review queues."""

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.exceptions import DisallowedModelAdminToField
from django.contrib.admin.options import IS_POPUP_VAR, TO_FIELD_VAR
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from . import workflow
from .forms import (
    KeyCheckedModelChoiceField,
    KeyCheckedModelMultipleChoiceField,
    ReviewCommentForm,
    integers_in_range,
    service_errors_add,
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


class ViewOnlyMixin:
    """An admin page or inline to read only: records kept by the system (logs, sync runs, lockouts) or
    entered by the institution, which no one adds, changes or deletes here."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


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
    institution wrote and a regulator only decides on. Combined with ReviewAdminMixin, the one POST let
    through is a review decision (the page's decision buttons), which that mixin handles without ever
    reaching the model form's save."""

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: Any = None,
    ) -> HttpResponse:
        if request.method == "POST" and not is_review_post(self, request, object_id):
            raise PermissionDenied("read-only in admin: decide with the review buttons or actions")
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
# The change page's decision buttons post the transition's name under this key (and the comment under
# the prefix below, so its id cannot clash with a model field called "comment" on the same page).
REVIEW_TRANSITION_FIELD = "review_transition"
REVIEW_FORM_PREFIX = "review"
REVIEW_FORM_ID = "review-decision-form"
REVIEW_ITEM_MAX_CHARS = 2000


def _review_item_field(key: Any) -> str:
    return f"{REVIEW_FORM_PREFIX}-item-{key}"


def is_review_post(model_admin: Any, request: HttpRequest, object_id: str | None) -> bool:
    """Whether the request is a decision posted from a ReviewAdminMixin change page."""
    return (
        isinstance(model_admin, ReviewAdminMixin)
        and object_id is not None
        and request.method == "POST"
        and REVIEW_TRANSITION_FIELD in request.POST
    )


def _as_get(request: HttpRequest) -> HttpRequest:
    """The request, seen as a GET: to render the change page again after a refused decision without
    the model form treating the decision's POST as its own (the copy shares user, session, messages and
    the CSRF state with the original)."""
    page = copy.copy(request)
    page.method = "GET"
    return page


class ReviewAdminMixin:
    """A regulator's review queue for a Reviewable model in Django admin.

    Lists only what the institution ever submitted (a draft is its own); adds a status filter; one action
    per regulator transition of the model's declared workflow (review_decisions: for the common review
    审核通过 / 退回修改 / 不予通过), shown only to regulators whose side may take it (a city regulator does
    not see a province step), each through a confirmation page with a comment (required where the
    transition says so) and run by `workflow.transition` with the regulator's side; the workflow fields
    and the transition log, read-only, on the change page. Combine with RegionScopedAdmin:

        class NewsAdmin(ReviewAdminMixin, RegionScopedAdmin): region_field = "institution__region_code"

    The change page is where a reviewer reads the submission, so it also carries one button per decision
    this regulator may take on the object in its current state (review_decisions_for), with the comment
    box: the decision goes through the same per-object apply as the list actions (_review_apply), then
    back to the queue list with its filters. A model admin with its own `change_form_template` extends
    core/admin/review_change_form.html (or includes core/admin/includes/review_decision_panel.html and
    the form it names) to keep the buttons.
    """

    change_form_template = "core/admin/review_change_form.html"
    review_confirm_template = "core/admin/review_confirm.html"
    # A model whose decisions do more than the status change (e.g. news published on approval) maps the
    # action names of its review_decisions to its own services, called with (obj=, by=, comment=) — and
    # item_comments= when the admin declares review_items.
    review_services: dict[str, Callable[..., Any]] = {}

    def review_items(self, obj: Any) -> list[tuple[Any, str]]:
        """Parts of `obj` the reviewer may comment on one by one (key, label), e.g. each finding of a
        rectification answer: the change page's decision panel shows a comment box per item, and the
        decision's service (review_services) gets them as item_comments={key: text}. None by default."""
        return []

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # A draft is the institution's own until submitted; the files check reads the same rule.
        return ever_submitted(super().get_queryset(request))

    def has_review_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_change_permission(request, obj)

    def review_decisions_for(self, request: HttpRequest, obj: Any) -> list[ReviewDecision]:
        """The decisions the user may take on `obj` now: the model's review decisions that start from its
        current state, of a side the user's side may take, for a user with the review permission."""
        side = workflow.regulator_side(request.user)
        if obj is None or obj.pk is None or side is None or not self.has_review_permission(request, obj):
            return []
        state = getattr(obj, workflow.workflow_of(obj).field)
        return [
            decision
            for decision in review_decisions(self.model).values()
            if state in decision.step.source and workflow.side_may_take(side, decision.step.side)
        ]

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

    def _review_apply(
        self, request: HttpRequest, obj: Any, decision: ReviewDecision, comment: str, *, side: str
    ) -> Any:
        """One decision on one object, for the list actions and the change page alike: the model's own
        service where it has one (review_services), else the declared transition with the regulator's
        side. Raises InvalidTransition / ValidationError as those do."""
        override = self.review_services.get(decision.action)
        if override is not None:
            items = getattr(request, "review_item_comments", None)
            if items is not None:
                return override(obj=obj, by=request.user, comment=comment, item_comments=items)
            return override(obj=obj, by=request.user, comment=comment)
        return workflow.transition(
            obj=obj, name=decision.step.name, by=request.user, comment=comment, side=side
        )

    def _apply_decision(
        self, request: HttpRequest, queryset: QuerySet, decision: ReviewDecision, comment: str, *, side: str
    ) -> None:
        action_apply_each(
            self,
            request,
            queryset,
            lambda obj: self._review_apply(request, obj, decision, comment, side=side),
            success=lambda done: _("已%(verb)s %(count)d 项。") % {"verb": decision.verb, "count": done},
        )

    # -- the change page: read, then decide where the submission is

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: Any = None,
    ) -> HttpResponse:
        if is_review_post(self, request, object_id):
            return self._review_change_post(request, object_id, form_url, extra_context)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict,
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Any = None,
    ) -> HttpResponse:
        if obj is not None and obj.pk is not None and not add:
            decisions = self.review_decisions_for(request, obj)
            name = self.model._meta.verbose_name
            # "审核X" where a decision can be taken here; "查看X" where nothing can be done at all (a
            # read-only page without decisions); an editable page keeps its "修改X".
            if decisions:
                context["title"] = _("审核%(name)s") % {"name": name}
            elif context.get("show_save") is False or not self.has_change_permission(request, obj):
                context["title"] = _("查看%(name)s") % {"name": name}
            context["review_panel"] = self._review_panel(obj, decisions, context.get("review_form"))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _review_panel(self, obj: Any, decisions: list[ReviewDecision], form: Any) -> dict[str, Any]:
        """What core/admin/includes/review_decision_panel.html shows: the current state, the buttons (each
        coloured by the tone of the state it leads to) and the comment box; else why there is nothing to
        do here."""
        declared = workflow.workflow_of(obj)
        state = getattr(obj, declared.field)
        if form is None:
            form = ReviewCommentForm(prefix=REVIEW_FORM_PREFIX)
        # The controls sit inside the admin's own <form> on the page but belong to the decision form by
        # their `form` attribute (forms do not nest): Enter in a model field never takes a decision.
        form.fields["comment"].widget.attrs["form"] = REVIEW_FORM_ID
        # The help names the decisions that need a comment (the form, built for one decision, cannot).
        required = [decision.verb for decision in decisions if decision.comment_required]
        if required:
            help_text = _("%(verbs)s时必填；机构将看到这条意见。") % {
                "verbs": "、".join(f"「{verb}」" for verb in required)
            }
        else:
            help_text = _("选填：机构将看到这条意见。")
        waiting = "、".join(str(side.label) for side in declared.reviewers_at(state))
        return {
            "form_id": REVIEW_FORM_ID,
            "field_name": REVIEW_TRANSITION_FIELD,
            "form": form,
            "help_text": help_text,
            "state": declared.label(state),
            "tone": declared.tone(state),
            "buttons": [
                {
                    "name": decision.step.name,
                    "label": decision.verb,
                    "tone": declared.tone(decision.step.target),
                    "comment_required": decision.comment_required,
                }
                for decision in decisions
            ],
            "waiting_for": waiting,
            # One comment box per review item, kept when the page comes back with an error.
            "items": [
                {
                    "name": _review_item_field(key),
                    "label": label,
                    "value": form.data.get(_review_item_field(key), "") if form.is_bound else "",
                }
                for key, label in (self.review_items(obj) if decisions else [])
            ],
            "editable": declared.is_editable(state),
            # What the reviewer wrote for a decision that could not be taken any more (someone else moved
            # the object): shown to copy, since there is no box left to keep it in.
            "unsent_comment": ""
            if decisions or not form.is_bound
            else form.data.get(form["comment"].html_name, ""),
        }

    def _review_change_post(
        self, request: HttpRequest, object_id: str, form_url: str, extra_context: Any
    ) -> HttpResponse:
        """A decision posted from the change page. Another region's object (or a draft) does not exist
        for the user (404); a transition that is no review decision of the model, or one the user's side
        may not take, or a user without the review permission, is refused (403); an object someone else
        moved meanwhile gets the engine's message and nothing is written. A refusal renders the page again
        with the comment kept; a success goes back to the queue list with its filters."""
        to_field = request.POST.get(TO_FIELD_VAR, request.GET.get(TO_FIELD_VAR))
        if to_field and not self.to_field_allowed(request, to_field):
            raise DisallowedModelAdminToField(f"The field {to_field} cannot be referenced.")
        obj = self.get_object(request, unquote(object_id), to_field)
        if obj is None:
            raise Http404
        side = workflow.regulator_side(request.user)
        if side is None or not self.has_review_permission(request, obj):
            raise PermissionDenied
        name = request.POST.get(REVIEW_TRANSITION_FIELD, "")
        decision = next(
            (d for d in review_decisions(self.model).values() if d.step.name == name),
            None,
        )
        if decision is None or not workflow.side_may_take(side, decision.step.side):
            raise PermissionDenied
        form = ReviewCommentForm(
            request.POST, prefix=REVIEW_FORM_PREFIX, comment_required=decision.comment_required
        )
        items = self.review_items(obj)
        if items:
            request.review_item_comments = {
                key: request.POST.get(_review_item_field(key), "").strip()[:REVIEW_ITEM_MAX_CHARS]
                for key, _label in items
            }
        if form.is_valid():
            try:
                self._review_apply(request, obj, decision, form.cleaned_data["comment"], side=side)
            except workflow.InvalidTransition as exc:
                # Shown in the panel, where the page opens after a decision's POST (its #fragment).
                form.add_error(None, exc.message)
            except ValidationError as exc:
                service_errors_add(form, exc)
            else:
                return self._review_done(request, obj, decision)
        extra_context = {**(extra_context or {}), "review_form": form}
        return self.changeform_view(_as_get(request), object_id, form_url, extra_context)

    def _review_done(self, request: HttpRequest, obj: Any, decision: ReviewDecision) -> HttpResponse:
        opts = self.model._meta
        preserved = {"preserved_filters": self.get_preserved_filters(request), "opts": opts}
        change_url = add_preserved_filters(
            preserved,
            reverse(
                f"admin:{opts.app_label}_{opts.model_name}_change",
                args=[obj.pk],
                current_app=self.admin_site.name,
            ),
        )
        self.message_user(
            request,
            format_html('「<a href="{}">{}</a>」已{}。', change_url, str(obj), decision.verb),
            messages.SUCCESS,
        )
        # Back to the queue the reviewer came from (its filters kept): the next item is one click away,
        # and the message links back to this one.
        changelist = reverse(
            f"admin:{opts.app_label}_{opts.model_name}_changelist", current_app=self.admin_site.name
        )
        return HttpResponseRedirect(add_preserved_filters(preserved, changelist))


def _review_action(name: str) -> Callable[..., HttpResponse | None]:
    """The admin action function (modeladmin, request, queryset) of one review decision."""

    def run(model_admin: ReviewAdminMixin, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        return model_admin._review(request, queryset, name)

    return run


# The domain-event outbox registers its admin pages beside these building blocks.
from . import admin_events  # noqa: E402, F401
