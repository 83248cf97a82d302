from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _

from audit.alerts import current_alerts
from audit.models import AuditEvent
from audit.services import verify_chain


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: who did what to which reference, when. Never case content."""

    list_display = ["at", "actor", "actor_role", "action", "object_type", "object_ref", "ip_hash"]
    list_filter = [
        "action",
        "actor_role",
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
        "actor_role",
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
            request, "admin/audit/chain.html", title=_("Audit chain"), report=verify_chain()
        )

    def alerts_view(self, request):
        return self._page(
            request, "admin/audit/alerts.html", title=_("Unusual access"), alerts=current_alerts()
        )
