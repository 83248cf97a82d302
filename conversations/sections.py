"""What conversations adds to the case page (registered in apps.py, intake/case_sections.py).

The messages themselves are on the timeline (intake/selectors.py reads them
through `case.messages`); this is the reply card beside it.
"""

from accounts.models import User
from conversations import services
from conversations.forms import ReplyForm
from conversations.selectors import has_portal, last_duress, templates_for_case
from intake.models import Case


def reply(case: Case, *, user: User, forms: dict) -> dict:
    """The reply card; and, the page now showing the person's messages, they are read."""
    # Here, not in intake's view: intake may not import conversations, and a
    # section is called exactly when a case page renders for someone who may
    # see the case (a refused form's page included: it shows them too).
    if not has_portal(case):
        return {"portal": False}  # no message to read, and no write on every case page
    # Read by someone who can answer: an operator's glance tells the person nothing.
    if user.works_cases:
        services.team_reads(case=case, by=user)
    last = case.messages.from_person().order_by("-created_at", "-pk").only("under_duress").first()
    data = {
        "portal": True,
        "last_under_duress": bool(last and last.under_duress),
        # A duress sign-in that only read, wrote nothing: whoever forced it may read on.
        "duress_at": last_duress(case),
    }
    if user.works_cases:
        templates = templates_for_case(case)
        data["form"] = forms.get("reply_form") or ReplyForm(templates=templates)
        data["templates"] = templates
    return data
