"""Refuse ids no database row can have, before the admin turns them into lookups."""

from django.http import HttpRequest, HttpResponseBadRequest
from django.utils.translation import gettext as _

# A signed 64-bit integer: the widest id column on PostgreSQL, and the most
# SQLite can even bind.
SMALLEST, LARGEST = -(2**63), 2**63 - 1


def out_of_range(value: str) -> bool:
    """Whether `value`, or a piece of it between commas, is a whole number no id can be."""
    for piece in value.split(","):
        try:
            # int() as the ORM reads an id: "+9", " 9 ", "9_9" and "９" are numbers too.
            number = int(piece)
        except ValueError:
            continue
        if not SMALLEST <= number <= LARGEST:
            return True
    return False


class RejectOversizedIdsMiddleware:
    """Answer 400 when an admin page gets a whole number outside the signed 64-bit range.

    The admin makes any query-string key a lookup (`?actor__id__in=`, `?teams=`)
    and any posted choice or selected row a `pk__in`. SQLite cannot bind such a
    number and raises OverflowError (a 500), while PostgreSQL answers as if no
    row matched: refusing it up front gives one clear answer on both.

    Only the admin: elsewhere ids come through forms and `posted_id`, which
    bound them, while free text may hold long numbers (a 20-digit Russian bank
    account) that must be saved, not refused.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if request.resolver_match is None or request.resolver_match.app_name != "admin":
            return None
        if self.has_oversized(request.GET) or (
            request.method == "POST" and self.has_oversized(request.POST)
        ):
            return HttpResponseBadRequest(
                _("The request contains a number too large to be an id."),
                content_type="text/plain; charset=utf-8",
            )
        return None

    @staticmethod
    def has_oversized(data) -> bool:
        return any(out_of_range(value) for key in data for value in data.getlist(key))
