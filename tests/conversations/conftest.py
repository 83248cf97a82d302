"""What the conversation tests share: a case that came in through the portal, the
person's messages as portal/ writes them, and team templates."""

import pytest

from conversations import services
from conversations.models import ReplyTemplate
from intake.choices import Channel
from tests.factories import CaseFactory


@pytest.fixture
def portal_case(team_a):
    return CaseFactory(team=team_a, contact_channel=Channel.PORTAL, contact_handle="")


@pytest.fixture
def foreign_portal_case(team_b):
    return CaseFactory(team=team_b, contact_channel=Channel.PORTAL, contact_handle="")


def person_writes(case, body="Hello from the person.", **kwargs):
    return services.person_writes(case=case, body=body, **kwargs)


def template(team, title="Safe phone", body="Delete this chat after reading.", language="en"):
    return ReplyTemplate.objects.create(team=team, language=language, title=title, body=body)


@pytest.fixture
def worker(client, caseworker):
    client.force_login(caseworker)
    return client


@pytest.fixture
def coordinating(client, coordinator):
    client.force_login(coordinator)
    return client
