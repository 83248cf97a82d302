from django.db.models import Q

from intake.selectors import through_visible_case
from reminders.models import Notification

# The bell counts up to here and then says "99+": past it the number tells
# nobody anything, and counting a backlog of hundreds cost every page 3 ms.
BELL_CAP = 99


def bell(request) -> dict:
    """The count on the bell: one query, only for signed-in staff with reminders."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.sees_team_cases:
        return {}
    # Only reminders about cases the user may still see (a case can change team).
    mine = Notification.objects.open().filter(user=user)
    visible = mine.filter(Q(case__isnull=True) | through_visible_case(user))
    count = visible.order_by()[: BELL_CAP + 1].count()  # unordered: stop at the cap
    return {"open_reminders": min(count, BELL_CAP), "open_reminders_capped": count > BELL_CAP}
