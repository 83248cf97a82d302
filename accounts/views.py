from django import forms
from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import PasswordChangeForm
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import user_has_device

from accounts import coercion, language, services, two_factor
from accounts.forms import DuressPasswordForm, LanguageForm, TimeZoneForm, TravelForm
from accounts.middleware import mark_active
from accounts.models import Role, User
from accounts.reauth import is_fresh, mark_fresh, recent_auth_required
from core.http import posted_id, same_site_path


@never_cache
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Send each role to where its work is."""
    user = request.user
    if user.sees_team_cases:
        return redirect("reminders:dashboard")
    if user.is_staff:
        return redirect("admin:index")
    if user.role == Role.PARTNER and hasattr(user, "partner_staff"):
        return redirect("referrals:partner_inbox")
    return render(request, "accounts/home.html")


@require_POST
def session_alive(request: HttpRequest) -> HttpResponse:
    """Keep an idle session: the "stay signed in" button of a page about to close."""
    mark_active(request)
    return HttpResponse(status=204)


class SignInView(auth_views.LoginView):
    """Django's sign-in; a duress password shields the account in the same transaction."""

    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        with transaction.atomic():
            # login() writes the new session's row here: it commits with the
            # suspension, the ended sessions, the trail and the alert, or none do.
            response = super().form_valid(form)
            if getattr(user, "used_duress_password", False):
                coercion.duress_signed_in(self.request, user)
        return response


class ShieldedPasswordChangeForm(PasswordChangeForm):
    """Under duress, "change your password" takes the duress password as the old one and
    makes the new one the duress password: the one holding the phone sees it work, and
    the real password stays the person's."""

    def clean_old_password(self):
        old = self.cleaned_data["old_password"]
        if self.user.duress_at is not None and coercion.is_duress_password(self.user, old):
            return old
        return super().clean_old_password()

    def save(self, commit=True):
        if self.user.duress_at is None:
            return super().save(commit)
        coercion.duress_password_set(
            user=self.user,
            raw=self.cleaned_data["new_password1"],
            without_code=self.user.duress_without_code,
        )
        return self.user


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = ShieldedPasswordChangeForm
    success_url = "/account/"


class LockNowView(auth_views.LogoutView):
    """Sign out and tell the browser to forget everything this site left behind."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
        return response


@never_cache
@require_GET
def team(request: HttpRequest) -> HttpResponse:
    """A coordinator's team members, each with an emergency revoke."""
    if not request.user.coordinates:
        raise Http404
    members = (
        User.objects.filter(teams__in=request.user.teams.all(), is_active=True)
        .exclude(pk=request.user.pk)
        .select_related("wake_approved_by")
        .distinct()
        .order_by("username")
    )
    if request.user.shielded:  # not even a colleague's name
        members = members.none()
    return render(request, "accounts/team.html", {"members": members, "now": timezone.now()})


def _member(request: HttpRequest) -> User:
    """The posted team member, if the signed-in account may revoke (restore, wake) it."""
    user = User.objects.filter(pk=posted_id(request, "user")).first()
    if user is None or not services.may_revoke(request.user, user):
        raise Http404
    return user


@never_cache
@require_POST
def revoke(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    ended = services.user_revoke(user=user, by=request.user)  # may_revoke was checked above
    messages.warning(
        request,
        ngettext(
            "%(u)s can no longer sign in; %(n)s session ended.",
            "%(u)s can no longer sign in; %(n)s sessions ended.",
            ended,
        )
        % {"u": user.username, "n": ended},
    )
    return redirect("team")


class TokenForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


@never_cache
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator: scan, type a code, keep the recovery codes."""
    if user_has_device(request.user, confirmed=True):
        return redirect("two_factor_verify")
    form = TokenForm(request.POST or None)
    device = two_factor.pending_totp(request.user)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.enrol(request, form.cleaned_data["token"])
        if codes:
            return render(request, "accounts/recovery_codes.html", {"codes": codes})
        form.add_error("token", _("That code is not right. Check the time on your phone."))
    context = {
        "form": form,
        "qr": two_factor.qr_data_url(device),
        "secret": two_factor.secret_text(device),
        # Opens the authenticator app on the phone this page is on: a QR code
        # cannot be scanned by the phone showing it. Never sent to the server.
        "otpauth_url": device.config_url,
    }
    return render(
        request, "accounts/two_factor_setup.html", context, status=400 if form.errors else 200
    )


@never_cache
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    if not user_has_device(request.user, confirmed=True):
        return redirect("two_factor_setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if two_factor.verify(request, form.cleaned_data["token"]):
            return redirect("home")
        form.add_error("token", _("That code is not right, or was used already."))
    status = 400 if form.errors else 200
    return render(request, "accounts/two_factor_verify.html", {"form": form}, status=status)


class PasswordForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


@never_cache
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def reauth(request: HttpRequest) -> HttpResponse:
    """Confirm the password again; failures count towards the lockout like a sign-in."""
    next_url = same_site_path(request, request.GET.get("next"))
    form = PasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _password_confirmed(request, form):
            return HttpResponseRedirect(next_url)
    status = 400 if form.errors else 200
    return render(request, "accounts/reauth.html", {"form": form}, status=status)


def _password_confirmed(request: HttpRequest, form: forms.Form) -> bool:
    """The signed-in account's password, typed again into `form`: the session is fresh.

    A failure counts towards the lockout like a sign-in, and is said beside the field.
    The duress password, wherever it is typed, is a duress sign-in.
    """
    user = authenticate(
        request, username=request.user.get_username(), password=form.cleaned_data["password"]
    )
    if user is None or user.pk != request.user.pk:
        form.add_error("password", _("That is not your password."))
        return False
    with transaction.atomic():
        mark_fresh(request)
        if user.used_duress_password:
            coercion.duress_signed_in(request, user)
    return True


def _account_page(request: HttpRequest, status: int = 200, **forms) -> HttpResponse:
    """The account page, with any refused form in place of its empty one.

    The same for a shielded session as for any: the duress and travel cards
    show as they would, so the page says nothing of either.
    """
    user = request.user
    context = {
        "language_form": LanguageForm(initial={"language": user.language}),
        "time_zone_form": TimeZoneForm(initial={"time_zone": user.time_zone}),
        # What was saved, or a change would turn "without the code" off unnoticed.
        "duress_form": DuressPasswordForm(
            user=user, initial={"without_code": user.duress_without_code}
        ),
        "travel_form": TravelForm(confirm=not is_fresh(request)),
        "may_wake": coercion.may_wake(user),
        "wake_form": PasswordForm(),
        **forms,
    }
    return render(request, "accounts/account.html", context, status=status)


@never_cache
@require_GET
def account(request: HttpRequest) -> HttpResponse:
    return _account_page(request)


@never_cache
@sensitive_post_parameters()
@require_POST
@recent_auth_required
def duress_password_set(request: HttpRequest) -> HttpResponse:
    form = DuressPasswordForm(request.POST, user=request.user)
    if not form.is_valid():
        return _account_page(request, 400, duress_form=form)
    coercion.duress_password_set(
        user=request.user,
        raw=form.cleaned_data["password1"],
        without_code=form.cleaned_data["without_code"],
    )
    messages.success(
        request,
        _(
            "Duress password saved. Signing in with it shows an empty workload "
            "and alerts your coordinators."
        ),
    )
    return redirect("account")


@never_cache
@require_POST
@recent_auth_required
def duress_password_remove(request: HttpRequest) -> HttpResponse:
    coercion.duress_password_remove(user=request.user)
    messages.success(request, _("Duress password removed."))
    return redirect("account")


@never_cache
@sensitive_post_parameters()
@require_POST
def travel_set(request: HttpRequest) -> HttpResponse:
    """Travel mode, after the password is confirmed: in the form itself, so that the day
    chosen survives being asked for it (recent_auth_required would lose it)."""
    form = TravelForm(request.POST, confirm=not is_fresh(request))
    if "password" in form.fields and not form.has_error("password"):
        if not _password_confirmed(request, form):
            return _account_page(request, 400, travel_form=form)
        del form.fields["password"]  # confirmed: not asked again beside a refused day
    if not form.is_valid():
        return _account_page(request, 400, travel_form=form)
    coercion.sleep(request=request, until=form.until_time())
    messages.success(
        request,
        _(
            "Your account is asleep until the end of %(day)s: signing in shows an empty "
            "workload, and no reminder or e-mail reaches you."
        )
        % {"day": form.cleaned_data["until"].isoformat()},
    )
    return redirect("account")


@never_cache
@sensitive_post_parameters()
@require_POST
def wake(request: HttpRequest) -> HttpResponse:
    """The user's half of waking early, after a coordinator's: the password in this very
    form, not a sign-in's fresh one (whoever signed in on the phone has that)."""
    if not coercion.may_wake(request.user):
        raise Http404
    form = PasswordForm(request.POST)
    user = None
    if form.is_valid():
        user = authenticate(
            request, username=request.user.get_username(), password=form.cleaned_data["password"]
        )
    if user is not None and user.pk == request.user.pk and user.used_duress_password:
        with transaction.atomic():
            coercion.duress_signed_in(request, user)
        return redirect("account")
    if user is None or user.pk != request.user.pk:
        form.add_error("password", _("That is not your password."))
        return _account_page(request, 400, wake_form=form)
    coercion.wake(request=request)
    messages.success(request, _("Your account is awake again."))
    return redirect("home")


@never_cache
@require_POST
def restore(request: HttpRequest) -> HttpResponse:
    """A coordinator restores a member's account after a duress sign-in."""
    user = _member(request)
    if user.duress_at is None:
        raise Http404
    coercion.restore(user=user, by=request.user)
    messages.success(
        request, _("%(u)s can sign in again; every session of theirs ended.") % {"u": user.username}
    )
    return redirect("team")


@never_cache
@require_POST
def wake_approve(request: HttpRequest) -> HttpResponse:
    """A coordinator's half of waking a travelling member early."""
    user = _member(request)
    if not user.asleep:
        raise Http404
    coercion.approve_wake(user=user, by=request.user)
    messages.success(
        request, _("%(u)s can now wake their account with their password.") % {"u": user.username}
    )
    return redirect("team")


@never_cache
@require_POST
def time_zone_set(request: HttpRequest) -> HttpResponse:
    form = TimeZoneForm(request.POST)
    if not form.is_valid():
        return _account_page(request, 400, time_zone_form=form)
    request.user.time_zone = form.cleaned_data["time_zone"]
    request.user.save(update_fields=["time_zone"])
    messages.success(request, _("Time zone saved."))
    return redirect("account")


@login_not_required
@never_cache
@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Switch the interface language, for this account everywhere and for this browser."""
    form = LanguageForm(request.POST)
    if "language" not in request.POST or not form.is_valid():
        return render(request, "400.html", status=400)
    code = form.cleaned_data["language"]
    if request.user.is_authenticated:
        # Also before the second factor: a language is no secret, and the
        # code page should already speak it.
        request.user.language = code
        request.user.save(update_fields=["language"])
    response = HttpResponseRedirect(same_site_path(request, request.POST.get("next")))
    if code:
        language.remember(response, code)
    else:
        language.forget(response)
    return response


@never_cache
@require_POST
@recent_auth_required
def two_factor_replace(request: HttpRequest) -> HttpResponse:
    """Set up a new authenticator (a lost or changed phone); other sessions end.

    Not from a shielded session: the one holding the phone would remove the
    person's second factor and enrol their own. It answers as if done.
    """
    ended = 0 if request.user.shielded else services.two_factor_replace(request=request)
    messages.warning(
        request,
        ngettext(
            "Set up your new authenticator now. %(n)s other session ended.",
            "Set up your new authenticator now. %(n)s other sessions ended.",
            ended,
        )
        % {"n": ended},
    )
    return redirect("account" if request.user.shielded else "two_factor_setup")
