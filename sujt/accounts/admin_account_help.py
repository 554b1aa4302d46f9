"""Account help in the user admin: regulators see which accounts are locked, unlock them and reset
their passwords (issue 12, deliverable 5).

Who may help whom is `selectors.users_regulated_by` (institution users of the regulator's jurisdiction,
never a regulator or platform account); every action and button reads it, and the services read it
again. An account outside it is a 404 on the buttons' URLs and is skipped by the actions. The buttons'
URLs change state only on POST with the confirmation field (CSRF-checked by the admin site); their GET
is the confirmation page. The temporary password exists only in the SMS: no page, message or log here
shows it.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from sujt.core.admin import action_confirm_response
from sujt.core.dates import format_datetime
from sujt.core.net import client_ip
from sujt.core.validators import mask_phone

from . import selectors, services
from .models import User

CONFIRM_FIELD = "confirm_reset"
RESET_BATCH_MAX = 20


class LockedOutFilter(admin.SimpleListFilter):
    title = "已锁定"
    parameter_name = "locked"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "是"), ("no", "否")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return selectors.locked_out(queryset)
        if self.value() == "no":
            return selectors.locked_out(queryset, locked=False)
        return queryset


def _errors_text(error: ValidationError) -> str:
    return "；".join(error.messages)


class AccountHelpAdminMixin:
    """For the user admin: the 已锁定 column and filter, the 解除锁定 and 重置密码 actions, and the same
    two as buttons on the change page. Expects `get_queryset` to carry `selectors.with_login_failures`."""

    account_help_confirm_template = "accounts/admin/password_reset_confirm.html"

    # --- What the regulator sees ---------------------------------------------------------------------

    @admin.display(description="已锁定")
    def locked_badge(self, obj: User) -> str:
        # Words, not Django's green/red icons: a green tick for "locked" reads as "all is well".
        ends = selectors.lockout_ends_at(obj)
        if ends is None:
            return "否"
        return format_html("<strong>是</strong>，至{}", timezone.localtime(ends).strftime("%H:%M"))

    @admin.display(description="登录锁定")
    def lock_state(self, obj: User) -> str:
        ends = selectors.lockout_ends_at(obj) if obj.pk is not None else None
        if ends is None:
            return "未锁定"
        return format_html(
            "<strong>已锁定</strong>（连续登录失败{}次，{} 自动解除；可用本页上方的“解除锁定”或“重置密码”）",
            getattr(obj, "login_failures", ""),
            format_datetime(ends),
        )

    # --- Who may act -----------------------------------------------------------------------------------

    def has_account_help_permission(self, request: HttpRequest) -> bool:
        # Regulators of any level and superusers; which accounts is users_regulated_by's answer.
        return getattr(request.user, "region_scope", None) is not None

    def _regulated(self, request: HttpRequest) -> QuerySet[User]:
        return selectors.users_regulated_by(user=request.user)

    def _regulated_get(self, request: HttpRequest, pk: int) -> User:
        if not self.has_account_help_permission(request):
            raise Http404
        try:
            return get_object_or_404(selectors.with_login_failures(self._regulated(request)), pk=pk)
        except OverflowError:  # SQLite cannot even bind an integer this large
            raise Http404 from None

    def _split(self, request: HttpRequest, queryset: QuerySet) -> tuple[list[User], int]:
        """The selected accounts the regulator may help, and how many others were selected."""
        allowed = list(queryset.filter(pk__in=self._regulated(request).values("pk")).order_by("phone"))
        return allowed, queryset.count() - len(allowed)

    def _skipped_message(self, request: HttpRequest, skipped: int) -> None:
        if skipped:
            self.message_user(
                request,
                f"已跳过 {skipped} 个账号：只能为本辖区机构用户办理，监管人员和平台账号请联系系统管理员。",
                messages.WARNING,
            )

    # --- Actions ---------------------------------------------------------------------------------------

    @admin.action(description="解除锁定", permissions=["account_help"])
    def unlock_accounts(self, request: HttpRequest, queryset: QuerySet) -> None:
        users, skipped = self._split(request, queryset)
        unlocked = []
        for user in users:
            if services.account_unlock(user=user, by=request.user, ip_address=client_ip(request)):
                unlocked.append(user.get_full_name())
        if unlocked:
            self.message_user(request, f"已解除锁定：{'、'.join(unlocked)}。", messages.SUCCESS)
        elif users:
            self.message_user(request, "所选账号均未被锁定，无需解除。", messages.INFO)
        self._skipped_message(request, skipped)

    @admin.action(description="重置密码（短信发送临时密码）", permissions=["account_help"])
    def reset_passwords(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        users, skipped = self._split(request, queryset)
        if not users:
            self._skipped_message(request, skipped)
            return None
        if len(users) > RESET_BATCH_MAX:
            # Each reset texts someone; "select all" must not start a flood the SMS limits only end late.
            self.message_user(
                request, f"一次最多为 {RESET_BATCH_MAX} 个账号重置密码，请缩小选择范围。", messages.ERROR
            )
            return None
        if request.POST.get(CONFIRM_FIELD) != "yes":
            page = self._reset_confirm_page(request, users, skipped=skipped, action="reset_passwords")
            # Rendered here: ExcelExportAdminMixin.changelist_view gives any TemplateResponse coming out
            # of the change list its list template, which would replace this page.
            return page.render()
        self._reset_many(request, users)
        self._skipped_message(request, skipped)
        return None

    def _reset_many(self, request: HttpRequest, users: list[User]) -> None:
        done, failed = [], []
        for user in users:
            try:
                services.account_password_reset_by_regulator(
                    user=user, by=request.user, ip_address=client_ip(request)
                )
            except ValidationError as error:
                failed.append(f"{user.get_full_name()}：{_errors_text(error)}")
            except PermissionDenied:
                failed.append(f"{user.get_full_name()}：该账号不在您的管辖范围内。")
            else:
                done.append(f"{user.get_full_name()}（{mask_phone(user.phone)}）")
        if done:
            self.message_user(
                request,
                f"已重置密码并解除锁定，临时密码已通过短信发送给：{'、'.join(done)}。用户下次登录时须修改密码。",
                messages.SUCCESS,
            )
        for line in failed:
            self.message_user(request, f"未重置：{line}", messages.ERROR)

    def _reset_confirm_page(
        self, request: HttpRequest, users: list[User], *, skipped: int, action: str
    ) -> TemplateResponse:
        return action_confirm_response(
            self,
            request,
            users,
            template=self.account_help_confirm_template,
            action=action,
            form=forms.Form(),
            title="确认重置密码",
            crumb="重置密码",
            confirm_field=CONFIRM_FIELD,
            confirm_label="确认重置并发送短信",
            skipped=skipped,
            locked={user.pk for user in users if selectors.is_locked_out(user)},
        )

    # --- Buttons on the change page --------------------------------------------------------------------

    def get_urls(self) -> list:
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/unlock/", wrap(self.unlock_view), name=f"{prefix}_unlock"),
            path("<int:pk>/reset-password/", wrap(self.reset_password_view), name=f"{prefix}_reset_password"),
            *super().get_urls(),
        ]

    def _change_url(self, user: User) -> str:
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[user.pk])

    def unlock_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = self._regulated_get(request, pk)
        if request.method != "POST" or request.POST.get(CONFIRM_FIELD) != "yes":
            return action_confirm_response(
                self,
                request,
                [user],
                template="accounts/admin/unlock_confirm.html",
                action="",
                form=forms.Form(),
                title="确认解除锁定",
                crumb="解除锁定",
                confirm_field=CONFIRM_FIELD,
                confirm_label="确认解除锁定",
                locked={user.pk} if selectors.is_locked_out(user) else set(),
            )
        if services.account_unlock(user=user, by=request.user, ip_address=client_ip(request)):
            self.message_user(request, f"已解除 {user.get_full_name()} 的登录锁定，该用户现在可以登录。")
        else:
            self.message_user(request, f"{user.get_full_name()} 的账号未被锁定，无需解除。", messages.INFO)
        return HttpResponseRedirect(self._change_url(user))

    def reset_password_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = self._regulated_get(request, pk)
        if request.method == "POST" and request.POST.get(CONFIRM_FIELD) == "yes":
            self._reset_many(request, [user])
            return HttpResponseRedirect(self._change_url(user))
        return self._reset_confirm_page(request, [user], skipped=0, action="")

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        target = None
        if self.has_account_help_permission(request) and object_id.isdigit():
            target = selectors.with_login_failures(self._regulated(request)).filter(pk=int(object_id)).first()
        extra_context = {
            **(extra_context or {}),
            "account_help": target is not None,
            "account_locked": target is not None and selectors.is_locked_out(target),
        }
        return super().change_view(request, object_id, form_url, extra_context)
