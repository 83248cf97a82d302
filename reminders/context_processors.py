from reminders.models import Notification


def bell(request) -> dict:
    """The count on the bell: one query, only for signed-in staff with reminders."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.sees_team_cases:
        return {}
    return {"open_reminders": Notification.objects.open().filter(user=user).count()}
