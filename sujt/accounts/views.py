"""Login, the first-login steps, and user management by institution admins (系统管理 › 用户管理)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from sujt.core.forms import service_errors_add
from sujt.core.validators import mask_phone

from . import backends, selectors, services
from .decorators import institution_required
from .forms import ConfirmInfoForm, InstitutionSwitchForm, LoginForm, MembershipAddForm, MembershipEditForm
from .forms import PasswordChangeForm as OwnPasswordChangeForm
from .models import Membership, User
from .permissions import MODULE_PERMISSIONS

PORTAL_STEP_LAYOUT = "accounts/layouts/portal_step.html"
WORKSPACE_STEP_LAYOUT = "accounts/layouts/workspace_step.html"


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """The lockout page (settings.AXES_LOCKOUT_CALLABLE): says whether the account or address is locked."""
    return render(
        request,
        "accounts/locked_out.html",
        {
            "lockout": getattr(request, "sujt_lockout", None) or backends.ACCOUNT_LOCKOUT,
            "minutes": backends.lockout_minutes(),
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "address_limit": settings.LOGIN_ADDRESS_FAILURE_LIMIT,
        },
        status=429,
    )


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        return _home_url(self.request.user)


class LogoutView(auth_views.LogoutView):
    """POST only (Django's LogoutView refuses GET)."""


def _home_url(user: User) -> str:
    """Where a user lands: regulators without an institution go to admin, a person whose only way in is an
    invitation to the invitations, everyone else to the dashboard."""
    if selectors.memberships_of(user=user).exists():
        return reverse("portal:dashboard")
    if user.is_staff:
        return reverse("admin:index")
    if selectors.invitations_pending_for(user=user).exists():
        return reverse("accounts:invitations")
    return reverse("portal:dashboard")


def _confirm_due(user: User) -> bool:
    return user.info_confirmed_at is None and not user.is_staff and not user.is_superuser


def _step_layout(request: HttpRequest) -> str:
    """The first-login steps stand alone; the same pages opened later sit inside the workspace."""
    user = request.user
    if user.needs_password_change or _confirm_due(user):
        return PORTAL_STEP_LAYOUT
    if selectors.current_membership(request=request) is None:
        return PORTAL_STEP_LAYOUT
    return WORKSPACE_STEP_LAYOUT


def _forced_reason(user: User) -> str:
    if user.must_change_password:
        return "您正在使用初始密码或管理员重置的临时密码，为保障账号安全，请先修改密码。"
    if user.password_expired:
        return "您的密码已超过90天未修改，按照安全要求，请先修改密码后再继续使用。"
    return ""


@never_cache
@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    user = request.user
    reason = _forced_reason(user)
    layout = _step_layout(request)
    form = OwnPasswordChangeForm(user, request.POST or None, request=request)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            update_session_auth_hash(request, user)
            messages.success(request, "密码已修改。")
            if _confirm_due(user):
                return redirect("accounts:confirm_info")
            return redirect(_home_url(user))
        if getattr(request, "axes_locked_out", False):
            # Wrong old passwords locked the account: whoever holds this session stops guessing here.
            logout(request)
    return render(
        request, "accounts/password_change.html", {"form": form, "forced_reason": reason, "layout": layout}
    )


@never_cache
@login_required
def confirm_info(request: HttpRequest) -> HttpResponse:
    user = request.user
    first_time = user.info_confirmed_at is None
    layout = _step_layout(request)
    form = ConfirmInfoForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.info_confirm(
                user=user,
                name=form.cleaned_data["name"],
                id_card_number=form.cleaned_data["id_card_number"],
                email=form.cleaned_data["email"],
            )
        except ValidationError as error:
            service_errors_add(form, error)
        else:
            messages.success(request, "个人信息已确认。" if first_time else "个人信息已更新。")
            return redirect(_home_url(user))
    return render(
        request,
        "accounts/confirm_info.html",
        {"form": form, "first_time": first_time, "layout": layout, "phone": user.phone},
    )


@login_required
@require_POST
def switch_institution(request: HttpRequest) -> HttpResponse:
    form = InstitutionSwitchForm(request.POST)
    if not form.is_valid():
        raise Http404("no such institution")
    membership = selectors.memberships_of(user=request.user).filter(
        institution_id=form.cleaned_data["institution_id"]
    )
    membership = membership.first()
    if membership is None:
        raise Http404("no such institution")
    request.session[selectors.CURRENT_INSTITUTION_SESSION_KEY] = membership.institution_id
    messages.success(request, f"已切换到{membership.institution.name}。")
    next_url = request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(next_url)
    return redirect("portal:dashboard")


# --- User management ---------------------------------------------------------------------------------


@institution_required("manage_users")
def user_add(request: HttpRequest) -> HttpResponse:
    form = MembershipAddForm(request.POST or None, can_grant_admin=request.membership.is_admin)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.membership_add(
                institution=request.institution,
                by=request.user,
                phone=data["phone"],
                name=data["name"],
                id_card_number=data["id_card_number"],
                email=data["email"],
                role=data["role"],
                perms=set(data["perms"]),
            )
        except ValidationError as error:
            service_errors_add(form, error)
        else:
            if result.user_created:
                user = result.membership.user
                messages.success(
                    request,
                    f"已添加用户{user.name}，临时密码已通过短信发送至{mask_phone(user.phone)}，首次登录须修改密码。",
                )
            else:
                # Nothing about the account's owner is shown: they decide whether to join.
                invitation = result.invitation
                messages.success(
                    request,
                    f"手机号{mask_phone(invitation.user.phone)}已注册平台账号，已向其发送加入邀请"
                    f"（有效期{services.INVITATION_VALID_DAYS}天）。对方登录并接受后，"
                    f"将以“{invitation.get_role_display()}”身份加入本机构。",
                )
            return redirect("accounts:user_list")
    return render(
        request,
        "accounts/user_form.html",
        {"form": form, "adding": True, "perm_count": len(MODULE_PERMISSIONS)},
    )


@institution_required("manage_users")
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    membership = selectors.membership_get(institution_id=request.institution.pk, pk=pk)
    current = selectors.module_perms_of(membership=membership)
    form = MembershipEditForm(
        request.POST or None,
        membership=membership,
        perms=current,
        can_grant_admin=request.membership.is_admin,
        account_shared=not selectors.account_only_here(
            user_id=membership.user_id, institution_id=membership.institution_id
        ),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.membership_update(
                membership=membership,
                by=request.user,
                role=data["role"],
                perms=set(data["perms"]),
                name=data.get("name"),
                id_card_number=data.get("id_card_number"),
            )
        except ValidationError as error:
            service_errors_add(form, error)
        else:
            messages.success(request, f"已保存{membership.user.get_full_name()}的角色和权限。")
            return redirect("accounts:user_list")
    return render(
        request,
        "accounts/user_form.html",
        {
            "form": form,
            "adding": False,
            "membership": membership,
            "is_self": membership.user_id == request.user.pk,
        },
    )


def _membership_action(request: HttpRequest, pk: int, action, done: str) -> HttpResponse:
    membership: Membership = selectors.membership_get(institution_id=request.institution.pk, pk=pk)
    try:
        action(membership=membership, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done.format(name=membership.user.get_full_name()))
    return redirect("accounts:user_list")


@institution_required("manage_users")
@require_POST
def user_disable(request: HttpRequest, pk: int) -> HttpResponse:
    return _membership_action(request, pk, services.membership_disable, "已停用{name}。")


@institution_required("manage_users")
@require_POST
def user_enable(request: HttpRequest, pk: int) -> HttpResponse:
    return _membership_action(request, pk, services.membership_enable, "已启用{name}。")


@institution_required("manage_users")
@require_POST
def user_reset_password(request: HttpRequest, pk: int) -> HttpResponse:
    return _membership_action(
        request,
        pk,
        services.membership_password_reset,
        "已重置{name}的密码，临时密码已通过短信发送，该用户下次登录时须修改密码。",
    )


@institution_required("manage_users")
@require_POST
def invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = selectors.invitation_for_institution(institution_id=request.institution.pk, pk=pk)
    try:
        services.invitation_revoke(invitation=invitation, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"已撤回对手机号{mask_phone(invitation.user.phone)}的邀请。")
    return redirect("accounts:user_list")


# --- Invitations, as the invited person sees them ------------------------------------------------


@never_cache
@login_required
def invitations(request: HttpRequest) -> HttpResponse:
    """The institutions that invited the logged-in person, to accept or decline."""
    layout = (
        PORTAL_STEP_LAYOUT if selectors.current_membership(request=request) is None else WORKSPACE_STEP_LAYOUT
    )
    return render(
        request,
        "accounts/invitations.html",
        {"invitations": list(selectors.invitations_pending_for(user=request.user)), "layout": layout},
    )


def _invitation_decide(request: HttpRequest, pk: int, *, accept: bool) -> HttpResponse:
    invitation = selectors.invitation_for_invitee(user=request.user, pk=pk)
    try:
        if accept:
            membership = services.invitation_accept(invitation=invitation, by=request.user)
        else:
            services.invitation_decline(invitation=invitation, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("accounts:invitations")
    if not accept:
        messages.success(request, f"已拒绝{invitation.institution}的邀请。")
        return redirect("accounts:invitations")
    # Work continues in the institution just joined.
    request.session[selectors.CURRENT_INSTITUTION_SESSION_KEY] = membership.institution_id
    messages.success(request, f"已加入{invitation.institution}，当前工作机构已切换为该机构。")
    return redirect("portal:dashboard")


@login_required
@require_POST
def invitation_accept(request: HttpRequest, pk: int) -> HttpResponse:
    return _invitation_decide(request, pk, accept=True)


@login_required
@require_POST
def invitation_decline(request: HttpRequest, pk: int) -> HttpResponse:
    return _invitation_decide(request, pk, accept=False)
