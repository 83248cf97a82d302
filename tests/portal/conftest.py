import re

import pytest
from django.urls import reverse

CODENAME = re.compile(r'class="codename"[^>]*><strong>([^<]+)</strong>')

REQUEST = {
    "alias": "Marat",
    "narrative": "They came to my work.",
    "danger": "3",
    "region": "chechnya",
    "reach": "here",
}


@pytest.fixture
def portal_open(settings, team_a):
    settings.PORTAL_TEAM = team_a.name
    return team_a


def ask(client, **fields) -> str:
    """Send a request as the person would and return the codename shown once."""
    response = client.post(reverse("portal:ask"), {**REQUEST, **fields})
    assert response.status_code == 302, response.content[:500]
    page = client.get(response["Location"])
    found = CODENAME.search(page.content.decode())
    assert found, page.content.decode()[:2000]
    return found.group(1)


def sign_in(client, codename: str):
    return client.post(reverse("portal:sign_in"), {"codename": codename})
