import re

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Role, Team, User
from intake.models import Case


@pytest.fixture(autouse=True)
def _var_of_its_own(settings, tmp_path):
    """seed_demo writes the portal's team for make run under VAR_DIR: not the repository's."""
    settings.VAR_DIR = tmp_path


def test_it_names_the_portal_team_for_make_run(db, demo_password, settings):
    call_command("seed_demo", cases=3, force=True)
    team = (settings.VAR_DIR / "demo_portal_team").read_text(encoding="utf-8").strip()
    assert Team.objects.filter(name=team).exists()


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


CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)


def russian_content():
    """Every invented text of the demo, decrypted through the models."""
    from evacuations.models import Leg, Plan, RouteTemplate
    from intake.models import Note
    from referrals.models import Partner, Referral

    cases = list(Case.objects.all())
    return {
        "aliases": [c.alias for c in cases],
        "narratives": [c.narrative for c in cases],
        "locations": [c.location for c in cases],
        "safe contact": [c.safe_contact for c in cases if c.safe_contact],
        "notes": list(Note.objects.values_list("body", flat=True)),
        "teams": list(Team.objects.values_list("name", flat=True)),
        "partners": list(Partner.objects.values_list("name", flat=True)),
        "partner contacts": [p.contact_details for p in Partner.objects.all()],
        "referral summaries": [r.summary for r in Referral.objects.all()],
        "routes": list(RouteTemplate.objects.values_list("name", flat=True)),
        # Encrypted: filtered here, not in the query.
        "cities": [p.destination_city for p in Plan.objects.all() if p.destination_city],
        "leg details": [leg.details for leg in Leg.objects.all() if leg.details],
    }


def test_it_invents_the_demo_in_russian_when_asked(db, demo_password):
    call_command("seed_demo", cases=30, force=True, language="ru")
    content = russian_content()
    assert all(content.values()), [kind for kind, texts in content.items() if not texts]
    not_russian = {k: [t for t in v if not CYRILLIC.search(t)] for k, v in content.items()}
    assert not_russian == {k: [] for k in content}
    # Handles stay what messengers accept; the logins stay the same in both languages.
    assert all(c.contact_handle.isascii() for c in Case.objects.all())
    assert User.objects.filter(username="caseworker", language="ru").exists()


def test_it_speaks_the_sites_language_by_default(db, demo_password, settings):
    settings.LANGUAGE_CODE = "ru"
    call_command("seed_demo", cases=5, force=True)
    assert all(CYRILLIC.search(c.alias) for c in Case.objects.all())


def test_the_default_demo_stays_english(db, demo_password):
    call_command("seed_demo", cases=5, force=True)
    content = russian_content()
    assert [t for texts in content.values() for t in texts if CYRILLIC.search(t)] == []
    assert User.objects.get(username="caseworker").language == ""


def test_it_refuses_a_language_it_has_no_demo_for(db, demo_password):
    with pytest.raises(CommandError):
        call_command("seed_demo", cases=5, force=True, language="de")
