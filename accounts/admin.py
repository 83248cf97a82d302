from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import coercion, services
from accounts.models import STAFF_ROLES, Team, User
from audit.models import Action
from audit.services import record
from core.admin import ShieldedAdminMixin
from core.forms import NamedEmptyChoiceMixin

# Second factors live in accounts.Authenticator and RecoveryCodeSet (encrypted,
# hashed); django-otp's own tables stay only for the migration that emptied
# them. Their admin pages have nothing to show, and answer 500 for a device
# that is not there.
for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)

# Superuser status, groups and single permissions are left out: an admin
# who could grant them could grant themselves anything.
IDENTITY = (None, {"fields": ["username", "password"]})
PROFILE = (_("Profile"), {"fields": ["first_name", "last_name", "email", "language"]})
ACCESS = (_("Access"), {"fields": ["role", "teams", "is_active", "is_staff"]})


class AccountChoicesMixin(NamedEmptyChoiceMixin):
    empty_choice_labels = {"role": _("Choose a role"), "language": _("As the browser asks")}


class StaffRoleFormMixin:
    def clean(self):
        data = super().clean()
        if data.get("is_staff") and data.get("role") not in STAFF_ROLES:
            raise ValidationError(_("Only administrators and auditors may use the admin site."))
        return data


class CorridorUserChangeForm(AccountChoicesMixin, StaffRoleFormMixin, UserChangeForm):
    pass


class CorridorUserCreationForm(AccountChoicesMixin, StaffRoleFormMixin, BaseUserAdmin.add_form):
    class Meta(BaseUserAdmin.add_form.Meta):
        model = User
        fields = ["username", "role", "teams", "is_staff"]
        widgets = {"teams": forms.CheckboxSelectMultiple}


class NamedEmptyActionMixin:
    """The action select starts on "Choose an action", not on "---------"."""

    def get_action_choices(self, request, default_choices=None):
        blank = [("", _("Choose an action"))]
        return super().get_action_choices(request, default_choices or blank)


@admin.register(User)
class UserAdmin(ShieldedAdminMixin, NamedEmptyActionMixin, BaseUserAdmin):
    form = CorridorUserChangeForm
    add_form = CorridorUserCreationForm
    list_display = ["username", "role", "is_active", "last_login", "duress_at", "asleep_until"]
    # Teams of the rows shown only: a shielded admin's empty list names no team.
    list_filter = ["role", "is_active", ("teams", admin.RelatedOnlyFieldListFilter)]
    filter_horizontal = []
    fieldsets = [
        IDENTITY,
        PROFILE,
        ACCESS,
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
        # Never the duress password's hash: only whether the account is shielded.
        (_("Duress and travel"), {"fields": ["duress_at", "asleep_until", "wake_approved_at"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["username", "password1", "password2", "role", "teams", "is_staff"]})
    ]
    readonly_fields = ["last_login", "date_joined", "duress_at", "asleep_until", "wake_approved_at"]
    actions = ["revoke_now", "restore_after_duress", "approve_waking"]

    @admin.action(description=_("Restore after a duress sign-in (every session ends)"))
    def restore_after_duress(self, request, queryset):
        done = 0
        for user in queryset.filter(duress_at__isnull=False):
            if services.may_revoke(request.user, user):
                coercion.restore(user=user, by=request.user)
                done += 1
        self.message_user(
            request,
            ngettext("%(n)d account restored.", "%(n)d accounts restored.", done) % {"n": done},
        )

    @admin.action(description=_("Approve waking early from travel mode"))
    def approve_waking(self, request, queryset):
        done = 0
        for user in queryset:
            if user.asleep and services.may_revoke(request.user, user):
                coercion.approve_wake(user=user, by=request.user)
                done += 1
        self.message_user(
            request,
            ngettext(
                "Waking approved for %(n)d account; each waits for its password.",
                "Waking approved for %(n)d accounts; each waits for its password.",
                done,
            )
            % {"n": done},
        )

    @admin.action(description=_("Revoke access now (disable, end sessions, remove 2FA)"))
    def revoke_now(self, request, queryset):
        revoked = 0
        for user in queryset:
            if services.may_revoke(request.user, user):
                services.user_revoke(user=user, by=request.user)
                revoked += 1
        self.message_user(
            request,
            ngettext(
                "Access revoked for %(n)d account.", "Access revoked for %(n)d accounts.", revoked
            )
            % {"n": revoked},
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Field names only: never a password hash or a name's value.
        record(
            Action.USER_CHANGE,
            request=request,
            object_type="user",
            object_ref=str(obj.pk),
            detail={"created": not change, "fields": sorted(form.changed_data)},
        )

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.pk == request.user.pk:
            # Nobody widens their own access: another admin must do it.
            fields += ["role", "teams", "is_active", "is_staff"]
        return fields


@admin.register(Team)
class TeamAdmin(ShieldedAdminMixin, NamedEmptyActionMixin, admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]
