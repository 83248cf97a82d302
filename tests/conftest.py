"""Shared personas: operator, caseworker and coordinator of team A; an outsider
from team B; a partner; an auditor; an admin."""

import shutil

import pytest

from accounts.models import Role
from tests.factories import CaseFactory, PartnerFactory, TeamFactory, UserFactory

# Every persona, in the column order of the access matrices.
ROLES = [
    "anonymous",
    "operator",
    "caseworker",
    "coordinator",
    "outsider",
    "partner",
    "auditor",
    "admin",
]
# Two more personas, in every matrix after those: team A's coordinators, one
# signed in under duress and one asleep (travel mode). Each must get exactly
# what the outsider (a coordinator of team B) gets: nothing of team A.
SHIELDED = ["duress", "asleep"]
LIKE = "outsider"


@pytest.fixture(autouse=True)
def _keys_checked_at_start():
    """Each test runs as a process that has just passed its start-up key check
    (tests of the check itself move the clock or the keys); what one test
    found about the keys is not carried into the next."""
    import time

    from crypto import keycheck

    keycheck._state.update(problem=None, checked_at=time.monotonic())
    yield
    keycheck.forget()


@pytest.fixture
def use_wrong_key(monkeypatch):
    """Return a switch to a crypter that knows only an unrelated key (the fields' keys only)."""
    from cryptography.fernet import Fernet, MultiFernet
    from encrypted_model_fields import fields as library

    def switch():
        monkeypatch.setattr(library, "CRYPTER", MultiFernet([Fernet(Fernet.generate_key())]))

    return switch


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Codenames: Argon2id still, at its least cost (the real cost is in bench/).
    settings.PORTAL_ARGON2 = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}


@pytest.fixture(scope="session", autouse=True)
def _file_store_root(tmp_path_factory):
    """The tests' file store and spool, in a folder of this process's, never var/files.

    Set once for the session, not per test: overriding STORAGES for each of
    five thousand tests cost seconds of the suite.
    """
    from django.conf import settings
    from django.core.files.storage import storages

    root = tmp_path_factory.mktemp("files")
    evidence = settings.STORAGES["evidence"]
    options = {**evidence.get("OPTIONS", {}), "location": str(root / "store")}
    settings.STORAGES = {**settings.STORAGES, "evidence": {**evidence, "OPTIONS": options}}
    settings.FILE_SPOOL_DIR = root / "spool"
    storages.__dict__.pop("backends", None)  # read again from the settings above
    storages._storages = {}
    return root


@pytest.fixture(autouse=True)
def _file_store(_file_store_root):
    """Each test starts with an empty store and spool."""
    yield
    for part in ("store", "spool"):
        if (folder := _file_store_root / part).exists():
            shutil.rmtree(folder)


def pass_second_factor(client, user):
    """Mark the client's session as past two-factor sign-in, as the verify page would."""
    from django_otp import DEVICE_ID_SESSION_KEY

    from accounts.models import Authenticator

    device, _ = Authenticator.objects.get_or_create(
        user=user, name="test authenticator", defaults={"confirmed": True}
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session["auth_at"] = int(__import__("time").time())  # as a fresh sign-in leaves it
    session.save()


@pytest.fixture(autouse=True)
def _force_login_passes_second_factor(monkeypatch):
    """force_login skips the password; it skips the second factor too (tested on its own)."""
    from django.test import Client

    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        pass_second_factor(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture
def team_a(db):
    return TeamFactory(name="Team A")


@pytest.fixture
def team_b(db):
    return TeamFactory(name="Team B")


@pytest.fixture
def operator(team_a):
    return UserFactory(username="operator", role=Role.OPERATOR, teams=[team_a])


@pytest.fixture
def caseworker(team_a):
    return UserFactory(username="caseworker", role=Role.CASEWORKER, teams=[team_a])


@pytest.fixture
def coordinator(team_a):
    return UserFactory(username="coordinator", role=Role.COORDINATOR, teams=[team_a])


@pytest.fixture
def outsider(team_b):
    return UserFactory(username="outsider", role=Role.COORDINATOR, teams=[team_b])


@pytest.fixture
def partner_org(team_a):
    """A partner managed by team A's coordinators."""
    return PartnerFactory(name="Safe House A", team=team_a)


@pytest.fixture
def other_partner_org(team_b):
    return PartnerFactory(name="Safe House B", team=team_b)


@pytest.fixture
def partner(partner_org):
    """Staff of partner organisation A."""
    from referrals.models import PartnerStaff

    user = UserFactory(username="partner", role=Role.PARTNER)
    PartnerStaff.objects.create(user=user, partner=partner_org)
    return user


@pytest.fixture
def auditor(db):
    from accounts.models import auditor_role_permissions

    user = UserFactory(username="auditor", role=Role.AUDITOR, is_staff=True)
    user.user_permissions.set(auditor_role_permissions())
    return user


@pytest.fixture
def admin_user(db):
    from accounts.models import admin_role_permissions

    admin = UserFactory(username="admin", role=Role.ADMIN, is_staff=True)
    admin.user_permissions.set(admin_role_permissions())
    return admin


@pytest.fixture
def under_duress(team_a):
    """Team A's coordinator, as a duress sign-in leaves the account."""
    from django.utils import timezone

    return UserFactory(
        username="duress", role=Role.COORDINATOR, teams=[team_a], duress_at=timezone.now()
    )


@pytest.fixture
def asleep(team_a):
    """Team A's coordinator, in travel mode until tomorrow."""
    from datetime import timedelta

    from django.utils import timezone

    until = timezone.now() + timedelta(days=1)
    return UserFactory(username="asleep", role=Role.COORDINATOR, teams=[team_a], asleep_until=until)


@pytest.fixture
def personas(
    operator, caseworker, coordinator, outsider, partner, auditor, admin_user, under_duress, asleep
):
    return {
        "operator": operator,
        "caseworker": caseworker,
        "coordinator": coordinator,
        "outsider": outsider,
        "partner": partner,
        "auditor": auditor,
        "admin": admin_user,
        "duress": under_duress,
        "asleep": asleep,
    }


@pytest.fixture
def case(team_a):
    return CaseFactory(team=team_a)


@pytest.fixture
def client_for(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def pytest_collection_modifyitems(config, items):
    """Tests marked postgres or redis skip on the embedded default and run in CI.

    .ci/run sets CORRIDOR_REQUIRE_SERVICES=1 for its service run: there a
    missing service stops the run, so it can never pass by skipping.
    """
    import os

    from django.conf import settings

    have = {
        "postgres": settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
        "redis": settings.CELERY_BROKER_URL.startswith("redis://"),
    }
    missing = [service for service, ok in have.items() if not ok]
    if missing and os.environ.get("CORRIDOR_REQUIRE_SERVICES") == "1":
        raise pytest.UsageError(
            f"CORRIDOR_REQUIRE_SERVICES=1 but not configured: {', '.join(missing)} "
            "(set DATABASE_URL=postgres://... and CELERY_BROKER_URL=redis://...)"
        )
    for item in items:
        for service in missing:
            if item.get_closest_marker(service):
                item.add_marker(pytest.mark.skip(reason=f"needs {service}; .ci/run provides it"))
        # One Redis database for the whole run: its tests share one xdist worker.
        if item.get_closest_marker("redis"):
            item.add_marker(pytest.mark.xdist_group("redis"))
