"""Twenty caseworkers browsing their cases and saving notes (run by bench/load.py).

Each simulated user takes one signed-in session minted by load.py and the
references of cases that user may open, from the file LOAD_SESSIONS names.
"""

import itertools
import json
import os
import random
import re

from locust import HttpUser, between, task

with open(os.environ["LOAD_SESSIONS"]) as sessions_file:
    SESSIONS = json.load(sessions_file)
_next_session = itertools.cycle(SESSIONS)
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
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
        page = self.client.get(f"/cases/{reference}/", name="case detail")
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
