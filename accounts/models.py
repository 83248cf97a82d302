from django.conf import settings
from django.contrib.auth.models import AbstractUser, Permission
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OPERATOR = "operator", _("Hotline operator")
    CASEWORKER = "caseworker", _("Caseworker")
    COORDINATOR = "coordinator", _("Coordinator")
    PARTNER = "partner", _("Partner organisation staff")
    AUDITOR = "auditor", _("Auditor")
    ADMIN = "admin", _("Administrator")


# Roles that belong to a team and see that team's cases.
TEAM_ROLES = {Role.OPERATOR, Role.CASEWORKER, Role.COORDINATOR}
# Roles that use the admin site; they never see case pages.
STAFF_ROLES = {Role.ADMIN, Role.AUDITOR}


class Team(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A staff member. Access to cases follows role and team, never is_staff."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    teams = models.ManyToManyField(
        Team, related_name="members", blank=True, verbose_name=_("teams")
    )
    # Kept on the account, not only in a cookie, so it follows the person to
    # every device they sign in on.
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Empty: follow the browser."),
    )
    # Times are stored in UTC and shown in this zone; empty: the organisation's.
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        help_text=_("Empty: the organisation's time zone."),
    )

    REQUIRED_FIELDS = ["email", "role"]

    class Meta:
        verbose_name = _("staff account")
        verbose_name_plural = _("staff accounts")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="user_role_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(is_staff=False) | models.Q(role__in=STAFF_ROLES),
                name="user_staff_only_admin_or_auditor",
            ),
        ]

    @property
    def sees_team_cases(self) -> bool:
        return self.is_active and self.role in TEAM_ROLES

    @property
    def works_cases(self) -> bool:
        return self.is_active and self.role in {Role.CASEWORKER, Role.COORDINATOR}

    @property
    def coordinates(self) -> bool:
        return self.is_active and self.role == Role.COORDINATOR


AUDIT_VIEW = models.Q(content_type__app_label="audit", codename="view_auditevent")


def admin_role_permissions():
    """What the admin role may do in the admin site: users, teams, retention, the trail."""
    return Permission.objects.filter(
        models.Q(
            content_type__app_label="accounts", codename__regex=r"^(view|add|change)_(user|team)$"
        )
        | models.Q(
            content_type__app_label="retention",
            codename__in=["view_retentionpolicy", "change_retentionpolicy"],
        )
        | AUDIT_VIEW
    )


def auditor_role_permissions():
    """The auditor reads the trail and its reports; nothing else."""
    return Permission.objects.filter(AUDIT_VIEW)
