"""What the search tests share: cases indexed as the services index them, and a search POST."""

from django.urls import reverse

from core.http import SCRIPTED_SUBMIT_HEADER as SCRIPTED
from intake.search import index_case
from tests.factories import CaseFactory


def indexed_case(team, **fields):
    """A case made by the factory (which bypasses case_create), with its search tokens."""
    case = CaseFactory(team=team, **fields)
    index_case(case)
    return case


def search(client, text, **filters):
    """POST a search as the page's script sends the case list's form (fetch)."""
    return client.post(
        reverse("intake:case_search"), {"q": text, **filters}, headers={SCRIPTED: "1"}
    )


def search_without_script(client, text, **filters):
    """POST a search as a browser without the script does: the form, then its redirect."""
    return client.post(reverse("intake:case_search"), {"q": text, **filters}, follow=True)


def references(response) -> set[str]:
    """The references of the cases a case-list page lists."""
    return {case.reference for case in response.context["page"].object_list}
