from django.contrib import admin

from core.admin import ShieldedAdminMixin
from retention.models import RetentionPolicy


@admin.register(RetentionPolicy)
class RetentionPolicyAdmin(ShieldedAdminMixin, admin.ModelAdmin):
    fields = ["closed_after_days", "stale_after_days"]

    def has_add_permission(self, request):
        return not RetentionPolicy.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False
