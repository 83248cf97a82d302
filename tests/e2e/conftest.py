"""A real browser (Debian's Chromium, driven by Playwright) against a live server.

Skipped where Chromium is missing, except under CORRIDOR_REQUIRE_SERVICES=1
(`.ci/run`, which installs it): there a missing browser fails the run.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"
# Chromium as this machine runs it: no sandbox as root, and no calls home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# WCAG 2.1 AA, and from 2.2 the 24 px tap targets (SC 2.5.8): axe tags that
# rule wcag22aa and leaves it off unless it is named. One list for every test.
WCAG_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "rules": {"target-size": {"enabled": True}},
}
VIEWPORTS = {
    "phone": {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True},
    "desktop": {"viewport": {"width": 1280, "height": 860}},
}


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists():
        return
    if os.environ.get("CORRIDOR_REQUIRE_SERVICES") == "1":
        raise pytest.UsageError(f"{CHROMIUM} is missing; .ci/run installs Debian's chromium")
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is missing (apt-get install chromium)")
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the tests' own
    # ORM calls (setting people up, reading results) are still plain sync code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


def to_top(page) -> None:
    """Scroll to the top and stay there for a few frames.

    A page the script reloads in place (a form answered on its own page) gets
    its scroll position back from the browser, on a busy machine after
    `load`: a single scrollTo can come before it, and axe then finds targets
    under the sticky header.
    """
    page.evaluate(
        """() => new Promise((done) => {
          let still = 0;
          (function frame() {
            if (window.scrollY !== 0) { window.scrollTo(0, 0); still = 0; } else { still += 1; }
            if (still >= 5) done(); else requestAnimationFrame(frame);
          })();
        })"""
    )


def full_page_screenshot(page, path: Path) -> None:
    """The whole page, for a person to look at. Chromium on a busy machine now and then
    answers "Unable to capture screenshot" (no frame in time, failed a CI run): once more."""
    from playwright.sync_api import Error

    try:
        page.screenshot(path=path, full_page=True)
    except Error as error:
        if "Unable to capture screenshot" not in str(error):
            raise
        page.wait_for_timeout(500)
        page.screenshot(path=path, full_page=True)


def shot(page, folder: str, name: str) -> None:
    """Screenshot the whole page from its top to test-artifacts/e2e/<folder>/, for a person."""
    path = ARTIFACTS / folder
    path.mkdir(parents=True, exist_ok=True)
    to_top(page)
    full_page_screenshot(page, path / f"{name}.png")
