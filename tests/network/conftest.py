import pytest

from network.models import CaseLink, LinkKind
from tests.factories import CaseFactory


@pytest.fixture
def other(team_a):
    """A second case of team A."""
    return CaseFactory(team=team_a, alias="Marker-Other")


@pytest.fixture
def foreign(team_b):
    """A case of team B, which team A's staff may not see."""
    return CaseFactory(team=team_b, alias="Marker-Foreign")


@pytest.fixture
def worker(client, caseworker):
    client.force_login(caseworker)
    return client


@pytest.fixture
def coordinating(client, coordinator):
    client.force_login(coordinator)
    return client


def make_link(a, b, kind=LinkKind.FAMILY):
    """A link as the database keeps it: lower primary key first."""
    first, second = sorted((a, b), key=lambda case: case.pk)
    return CaseLink.objects.create(first=first, second=second, kind=kind)


@pytest.fixture
def committed(django_capture_on_commit_callbacks, monkeypatch):
    """`with committed(): ...` runs what the code inside hands the tasks once it commits,
    as a worker would (another team's warnings are written by network.tasks)."""
    from network import tasks

    monkeypatch.setattr(tasks.warn_elsewhere, "delay", tasks.warn_elsewhere.run)
    return lambda: django_capture_on_commit_callbacks(execute=True)
