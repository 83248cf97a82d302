import pytest
from django.core.management import CommandError, call_command

from accounts.models import Role, User
from intake.models import Case


@pytest.fixture
def demo_password(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "demo-passphrase-for-tests")
    return "demo-passphrase-for-tests"


def test_it_creates_every_role_and_about_fifty_cases(db, demo_password, capsys, settings):
    call_command("seed_demo", cases=12, force=True)
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    assert Case.objects.count() == 12
    out = capsys.readouterr().out
    assert demo_password in out
    assert "coordinator" in out
    user = User.objects.get(username="caseworker")
    assert user.check_password(demo_password)
    call_command("seed_demo", cases=12, force=True)
    assert Case.objects.count() == 12, "a second run must not duplicate the demo"


def test_demo_cases_carry_encrypted_content_and_timelines(db, demo_password, settings):
    call_command("seed_demo", cases=20, force=True)
    case = Case.objects.exclude(status="new").first()
    assert case.alias and case.narrative and case.handle_index
    assert case.status_changes.exists()


def test_it_refuses_a_production_database(db, demo_password, settings, monkeypatch):
    # setitem, not assignment: the nested dict must be restored for later tests.
    monkeypatch.setitem(settings.DATABASES["default"], "ENGINE", "django.db.backends.postgresql")
    with pytest.raises(CommandError, match="embedded SQLite"):
        call_command("seed_demo")


def test_demo_partners_and_referrals_work_end_to_end(db, demo_password, settings, client):
    from referrals.models import Partner, Referral

    call_command("seed_demo", cases=30, force=True)
    assert Partner.objects.filter(active=True).count() == 4
    assert Referral.objects.exclude(status="draft").exists()
    response = client.post("/login/", {"username": "partner", "password": demo_password})
    assert response.status_code == 302
    # A new account sets up its second factor before anything else.
    assert client.get("/partner/")["Location"] == "/2fa/setup/"
