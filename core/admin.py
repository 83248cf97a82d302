"""What every admin page of ours shares."""


def shielded(request) -> bool:
    """An account under duress or asleep (accounts.models.User.shielded)."""
    return getattr(request.user, "shielded", False)


class ShieldedAdminMixin:
    """A shielded admin or auditor finds no rows and can change nothing.

    The pages stay as they are; only what they find differs. Adding and
    changing are refused too: a coerced administrator must not be able to
    make an account for the one holding the phone, or shorten retention.
    """

    def get_queryset(self, request):
        rows = super().get_queryset(request)
        return rows.none() if shielded(request) else rows

    def has_add_permission(self, request, *args):
        return not shielded(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return not shielded(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not shielded(request) and super().has_delete_permission(request, obj)
