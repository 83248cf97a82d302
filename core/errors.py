"""How a service says no: the same way in every app.

- *Who* may do it (role, team, the partner a referral is addressed to) is
  access. The access helpers and selectors (`get_case_for`,
  `get_referral_for`, `get_plan_for`, ...) answer 404 for what the user may
  not see and raise Django's `PermissionDenied` (403) for what they may see
  but not change. A service that checks a role again, behind its view, raises
  `PermissionDenied` too. The 403 page shows no message of its own: a view
  that explains a 403 on the page catches it and says so in its own words.
- *Whether it can be done now* (an edge of a state machine, a free place,
  consent, a closed case) is a domain rule. The service raises its app's
  own error, a subclass of `Refused` (`TransitionError`, `ReferralError`,
  `PlanError`), whose text is the translated message for the user. The view
  catches it and shows it as a form error or a message: it is never a 403
  and never a 500.
"""


class Refused(ValueError):
    """A domain rule refused the action now; `str()` is the message for the user."""
