from django.contrib import admin
from django.contrib.auth import get_user_model
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.alerts import current_alerts
from audit.models import AuditEvent
from audit.services import ChainReport, verify_chain
from core.admin import ShieldedAdminMixin, shielded


def role_labels() -> dict[str, str]:
    # The trail keeps the role's code as it was; its label comes from the user
    # model through the relation, so audit imports nothing from accounts.
    return dict(get_user_model()._meta.get_field("role").flatchoices)


class ActorRoleFilter(admin.SimpleListFilter):
    title = gettext_lazy("role")
    parameter_name = "actor_role"

    def lookups(self, request, model_admin):
        return list(role_labels().items())

    def queryset(self, request, queryset):
        return queryset.filter(actor_role=self.value()) if self.value() else queryset


@admin.register(AuditEvent)
class AuditEventAdmin(ShieldedAdminMixin, admin.ModelAdmin):
    """Read-only: who did what to which reference, when. Never case content."""

    list_display = ["at", "actor", "role", "action", "object_type", "object_ref", "ip_hash"]
    list_filter = [
        "action",
        ActorRoleFilter,
        ("actor", admin.RelatedOnlyFieldListFilter),
        "object_type",
        ("at", admin.DateFieldListFilter),
    ]
    search_fields = ["object_ref", "actor__username"]
    date_hierarchy = "at"
    list_select_related = ["actor"]
    show_full_result_count = False
    fields = [
        "at",
        "actor",
        "role",
        "action",
        "object_type",
        "object_ref",
        "detail",
        "ip_hash",
        "prev_hash",
        "hash",
    ]
    readonly_fields = fields
    change_list_template = "admin/audit/auditevent/change_list.html"

    @admin.display(description=gettext_lazy("role"), ordering="actor_role")
    def role(self, event: AuditEvent) -> str:
        return role_labels().get(event.actor_role, event.actor_role) or "—"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        extra = [
            path("chain/", self.admin_site.admin_view(self.chain_view), name="audit_chain"),
            path("alerts/", self.admin_site.admin_view(self.alerts_view), name="audit_alerts"),
        ]
        return extra + super().get_urls()

    def _page(self, request, template, **context):
        if not self.has_view_permission(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, **context}
        return TemplateResponse(request, template, context)

    def chain_view(self, request):
        return self._page(
            request,
            "admin/audit/chain.html",
            title=_("Audit chain"),
            report=ChainReport(0) if shielded(request) else verify_chain(),
        )

    def alerts_view(self, request):
        return self._page(
            request,
            "admin/audit/alerts.html",
            title=_("Unusual access"),
            alerts=[] if shielded(request) else current_alerts(),
        )
