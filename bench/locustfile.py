"""The simulated users of bench/load.py.

Caseworker: twenty of them browse their cases and save notes. Desk: a few
operators record help requests back to back, to measure how many cases the
two workers take in a second. Each simulated user takes one signed-in session
minted by load.py (with the references it may open, or its team) from the
file LOAD_SESSIONS names.
"""

import itertools
import json
import os
import random
import re
import uuid

from common import intake_form
from locust import HttpUser, between, constant, task

with open(os.environ["LOAD_SESSIONS"]) as sessions_file:
    SESSIONS = json.load(sessions_file)
_next_session = itertools.cycle(SESSIONS["caseworkers"])
_next_desk = itertools.cycle(SESSIONS["desks"])
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# Where a recorded request redirects: its case page (not a sign-in or 2FA page).
CASE_PAGE = re.compile(r"/cases/[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}/")
LISTS = [
    "?sort=risk",
    "?status=active&sort=oldest",
    "?region=chechnya&sort=newest",
    "?need=shelter",
    "?sort=risk&page=2",
    "?overdue=yes",
]


class Caseworker(HttpUser):
    wait_time = between(0.5, 1.5)

    def on_start(self):
        session = next(_next_session)
        self.client.cookies.set(session["cookie_name"], session["cookie"])
        self.references = session["references"]

    @task(4)
    def browse_list(self):
        self.client.get(f"/cases/{random.choice(LISTS)}", name="case list")

    @task(4)
    def open_case(self):
        self.client.get(f"/cases/{random.choice(self.references)}/", name="case detail")

    @task(1)
    def save_note(self):
        reference = random.choice(self.references)
        with self.client.get(
            f"/cases/{reference}/", name="case detail", catch_response=True
        ) as page:
            token = CSRF.search(page.text)
            if token is None:
                page.failure("no CSRF token on the case page")
                return
        with self.client.post(
            f"/cases/{reference}/notes/",
            {"csrfmiddlewaretoken": token.group(1), "body": "Called back; safe for tonight."},
            name="save note",
            catch_response=True,
        ) as response:
            if response.status_code != 200 or "safe for tonight" not in response.text:
                response.failure(f"note not saved: {response.status_code}")


class Desk(HttpUser):
    """An operator recording one request after another, with no pause."""

    wait_time = constant(0)
    FORM_EVERY = 20  # posts between two openings of the form

    def on_start(self):
        session = next(_next_desk)
        self.client.cookies.set(session["cookie_name"], session["cookie"])
        self.team = session["team"]
        self.posted = 0

    def open_form(self) -> bool:
        # Also shows (and so takes out of the session) the confirmations so
        # far, which a browser following each redirect would have shown.
        with self.client.get("/cases/new/", name="intake form", catch_response=True) as page:
            token = CSRF.search(page.text)
            if token is None:
                page.failure("no CSRF token on the intake form")
                return False
        self.token = token.group(1)
        return True

    @task
    def record_request(self):
        if self.posted % self.FORM_EVERY == 0 and not self.open_form():
            return
        self.posted += 1
        data = intake_form(
            team_id=self.team, alias="Load intake", handle=f"@load_{uuid.uuid4().hex}"
        )
        data["csrfmiddlewaretoken"] = self.token
        with self.client.post(
            "/cases/new/", data, name="intake", allow_redirects=False, catch_response=True
        ) as response:
            location = response.headers.get("Location", "")
            if response.status_code != 302 or not CASE_PAGE.fullmatch(location):
                response.failure(f"request not recorded: {response.status_code}")
