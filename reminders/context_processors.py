from reminders.dashboard import open_notifications

# The bell counts up to here and then says "99+": past it the number tells
# nobody anything, and counting a backlog of hundreds cost every page 3 ms.
BELL_CAP = 99


def bell(request) -> dict:
    """The count on the bell: one query, only for signed-in staff with reminders."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.sees_team_cases:
        return {}
    # The reminders list's rule (a case can change team), counted: COUNT drops
    # its selected columns and related rows, leaving one small query.
    # Unordered, so the database stops at the cap.
    count = open_notifications(user).order_by()[: BELL_CAP + 1].count()
    return {"open_reminders": min(count, BELL_CAP), "open_reminders_capped": count > BELL_CAP}
