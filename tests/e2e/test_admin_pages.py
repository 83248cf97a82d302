"""The admin pages auditors use, checked by axe in both languages and widths."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from audit.models import Action
from audit.services import record
from tests.e2e.conftest import WCAG_AA
from tests.e2e.test_nothing_typed_is_lost import no_sideways_scroll, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

PAGES = [
    "/admin/",
    "/admin/audit/auditevent/",
    "/admin/audit/auditevent/chain/",
    "/admin/audit/auditevent/alerts/",
]


@pytest.mark.parametrize(("language", "viewport"), [("ru", "phone"), ("en", "desktop")])
def test_the_auditors_pages_pass_axe(browser, live_server, auditor, caseworker, language, viewport):
    auditor.language = language
    auditor.save(update_fields=["language"])
    record(Action.VIEW, actor=caseworker, object_type="case", object_ref="ABCD-EFGH-JKLM")
    page = sign_in(browser, live_server, auditor, viewport=viewport, language=language)
    problems = {}
    for url in PAGES:
        page.goto(url)
        assert page.locator("html").get_attribute("lang") == language
        found = Axe().run(page, options=WCAG_AA).response["violations"]
        if found:
            problems[url] = [(v["id"], [n["target"] for n in v["nodes"]][:4]) for v in found]
        if viewport == "phone":
            no_sideways_scroll(page)
    assert not problems, problems
