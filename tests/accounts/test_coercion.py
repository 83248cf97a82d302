"""The duress password and travel mode (accounts/coercion.py): setting them, what a sign-in
with either does and in which transaction, restoring, waking, and what stops meanwhile."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import hashers
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import coercion
from accounts.models import Authenticator, Role, StaffSession, User
from audit.models import Action, AuditEvent
from intake.models import Case
from reminders import services as reminders
from reminders.models import Kind, Notification
from tests.accounts.test_two_factor import code_for
from tests.factories import PASSWORD, CaseFactory, UserFactory
from tests.hostile import HOSTILE, assert_safe

DURESS = "another long duress passphrase"
MARKER = "MRKDURESSPW9Z"  # typed as a duress password: never stored as typed


@pytest.fixture
def member(team_a):
    """A caseworker of team A with an authenticator and a duress password."""
    user = UserFactory(username="member", role=Role.CASEWORKER, teams=[team_a])
    Authenticator.objects.create(user=user, name="phone", confirmed=True)
    coercion.duress_password_set(user=user, raw=DURESS, without_code=False)
    return user


def sign_in(username, password, client=None):
    client = client or Client()
    response = client.post(reverse("login"), {"username": username, "password": password})
    return client, response


def second_factor(client, user, token=None):
    device = Authenticator.objects.get(user=user, confirmed=True)
    # Each code fresh and unthrottled: a test's earlier wrong code must not hold this one.
    Authenticator.objects.filter(pk=device.pk).update(
        last_t=-1, throttling_failure_count=0, throttling_failure_timestamp=None
    )
    return client.post(reverse("two_factor_verify"), {"token": token or code_for(device)})


def live_sessions_of(user) -> int:
    return sum(
        str(s.get_decoded().get("_auth_user_id")) == str(user.pk)
        for s in StaffSession.objects.all()
    )


def fresh(client):
    session = client.session
    session["auth_at"] = int(timezone.now().timestamp())
    session.save()


# --- Setting a duress password ------------------------------------------------------


def test_a_duress_password_is_set_after_reauth_and_kept_only_as_a_hash(client, caseworker):
    client.force_login(caseworker)
    stale = client.session
    stale["auth_at"] = 0
    stale.save()
    data = {"password1": MARKER + " long", "password2": MARKER + " long"}
    response = client.post(reverse("duress_password_set"), data)
    assert response["Location"].startswith(reverse("reauth"))
    assert User.objects.get(pk=caseworker.pk).duress_password == ""
    fresh(client)
    response = client.post(reverse("duress_password_set"), data)
    assert response.status_code == 302
    stored = User.objects.get(pk=caseworker.pk).duress_password
    assert stored.startswith("md5$") and MARKER not in stored
    assert hashers.check_password(MARKER + " long", stored)
    event = AuditEvent.objects.filter(action=Action.UPDATE, object_ref=str(caseworker.pk)).get()
    assert event.detail == {"fields": ["duress_password"]}


@pytest.mark.parametrize(
    ("first", "second", "field"),
    [
        (PASSWORD, PASSWORD, "password1"),  # the real one
        ("short", "short", "password1"),  # the same strength rules
        ("caseworker", "caseworker", "password1"),  # like the username
        (DURESS, DURESS + "x", "password2"),
        ("", "", "password1"),
    ],
)
def test_a_duress_password_that_breaks_a_rule_is_refused_beside_its_field(
    client, caseworker, first, second, field
):
    client.force_login(caseworker)
    data = {"password1": first, "password2": second, "without_code": "on"}
    response = client.post(reverse("duress_password_set"), data)
    assert response.status_code == 400
    assert response.context["duress_form"].errors[field]
    # The box ticked stays ticked; the passwords are not sent back.
    assert re.search(r'name="without_code"[^>]* checked', response.content.decode())
    assert f'value="{first}"' not in response.content.decode() or first == ""
    assert User.objects.get(pk=caseworker.pk).duress_password == ""


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_duress_passwords_and_dates_change_nothing(client, caseworker, value):
    client.force_login(caseworker)
    response = client.post(reverse("duress_password_set"), {"password1": value, "password2": value})
    assert_safe(response)
    response = client.post(reverse("travel_set"), {"until": value})
    assert response.status_code == 400
    assert User.objects.get(pk=caseworker.pk).asleep_until is None
    if "\x00" not in value:  # a NUL anywhere gets the request-hygiene middleware's plain 400
        assert response.context["travel_form"].errors["until"]


def test_removing_the_duress_password(client, member):
    client.force_login(member)
    assert client.post(reverse("duress_password_remove")).status_code == 302
    assert User.objects.get(pk=member.pk).duress_password == ""
    _, response = sign_in("member", DURESS)
    assert response.status_code == 200  # refused, as any wrong password


# --- Signing in with it ---------------------------------------------------------------


def test_the_duress_password_signs_in_and_at_once_shields_alerts_and_ends_the_rest(
    member, coordinator, team_a
):
    # Two real sessions elsewhere, a colleague's session that must stay.
    laptop, _ = sign_in("member", PASSWORD)
    tablet, _ = sign_in("member", PASSWORD)
    colleague, _ = sign_in("coordinator", PASSWORD)
    assert live_sessions_of(member) == 2
    phone, response = sign_in("member", DURESS)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")  # then the code, as any sign-in
    assert live_sessions_of(member) == 1  # only this one
    assert live_sessions_of(coordinator) == 1
    # Found by the indexed account column, which each session's row carries.
    assert StaffSession.objects.filter(user_id=member.pk).count() == 1
    user = User.objects.get(pk=member.pk)
    assert user.duress_at is not None and user.shielded
    alert = Notification.objects.get(kind=Kind.STAFF_DURESS)
    assert (alert.user, alert.staff) == (coordinator, user)
    assert not Notification.objects.filter(user=member).exists()
    event = AuditEvent.objects.get(action=Action.DURESS)
    assert event.actor == user and event.detail == {"sessions_ended": 2}
    # The code step as usual; then the dashboard, with nothing on it.
    assert second_factor(phone, member)["Location"] == reverse("home")
    CaseFactory(team=team_a, alias="MRKTEAMCASE")
    assert "MRKTEAMCASE" not in phone.get(reverse("intake:case_list")).content.decode()
    assert laptop.get(reverse("intake:case_list"))["Location"].startswith(reverse("login"))


def test_the_alert_the_suspension_and_the_session_commit_together_or_not_at_all(
    member, coordinator, monkeypatch
):
    def broken(user):
        raise RuntimeError("the alert could not be written")

    laptop, _ = sign_in("member", PASSWORD)
    sessions_before = StaffSession.objects.count()
    monkeypatch.setattr(coercion, "_alerts", [*coercion._alerts, broken])
    with pytest.raises(RuntimeError):
        sign_in("member", DURESS)
    assert StaffSession.objects.count() == sessions_before  # no session for the duress sign-in
    assert live_sessions_of(member) == 1  # the laptop's was not ended either
    assert User.objects.get(pk=member.pk).duress_at is None
    assert not AuditEvent.objects.filter(action=Action.DURESS).exists()
    assert not AuditEvent.objects.filter(action=Action.SIGN_IN, actor=member).count() > 1
    assert not Notification.objects.filter(kind=Kind.STAFF_DURESS).exists()


def test_the_alert_goes_to_the_coordinators_awake_of_every_team_and_never_to_the_user(
    team_a, team_b, coordinator, outsider
):
    both = UserFactory(username="both", role=Role.COORDINATOR, teams=[team_a, team_b])
    Authenticator.objects.create(user=both, name="phone", confirmed=True)
    coercion.duress_password_set(user=both, raw=DURESS, without_code=False)
    travelling = UserFactory(
        username="travelling",
        role=Role.COORDINATOR,
        teams=[team_a],
        asleep_until=timezone.now() + timedelta(days=2),
    )
    sign_in("both", DURESS)
    told = set(Notification.objects.filter(kind=Kind.STAFF_DURESS).values_list("user", flat=True))
    assert told == {coordinator.pk, outsider.pk}
    assert travelling.pk not in told and both.pk not in told


def test_a_partner_under_duress_alerts_the_team_that_manages_the_partner(partner, coordinator):
    Authenticator.objects.create(user=partner, name="phone", confirmed=True)
    coercion.duress_password_set(user=partner, raw=DURESS, without_code=False)
    sign_in("partner", DURESS)
    assert list(
        Notification.objects.filter(kind=Kind.STAFF_DURESS).values_list("user", "staff")
    ) == [(coordinator.pk, partner.pk)]


def test_under_duress_the_real_password_opens_the_same_empty_workload(member, team_a):
    CaseFactory(team=team_a, alias="MRKTEAMCASE")
    sign_in("member", DURESS)
    client, response = sign_in("member", PASSWORD)
    assert response["Location"] == reverse("home")
    second_factor(client, member)
    assert "MRKTEAMCASE" not in client.get(reverse("intake:case_list")).content.decode()
    assert client.get(reverse("home"))["Location"] == reverse("reminders:dashboard")


def test_without_the_code_any_code_is_taken_under_duress_and_only_then(member):
    User.objects.filter(pk=member.pk).update(duress_without_code=True)
    client, _ = sign_in("member", PASSWORD)
    assert second_factor(client, member, token="123").status_code == 400  # not under duress
    phone, _ = sign_in("member", DURESS)
    response = second_factor(phone, member, token="000000")
    assert response["Location"] == reverse("home")
    assert phone.get(reverse("intake:case_list")).status_code == 200


def test_with_the_code_required_a_wrong_code_is_refused_under_duress_too(member):
    phone, _ = sign_in("member", DURESS)
    assert second_factor(phone, member, token="000000").status_code == 400
    assert second_factor(phone, member)["Location"] == reverse("home")


def test_the_duress_password_typed_at_a_reauth_is_a_duress_sign_in(member, coordinator):
    client, _ = sign_in("member", PASSWORD)
    second_factor(client, member)
    other, _ = sign_in("member", PASSWORD)
    response = client.post(reverse("reauth") + "?next=/account/", {"password": DURESS})
    assert response["Location"] == "/account/"
    assert User.objects.get(pk=member.pk).duress_at is not None
    assert live_sessions_of(member) == 1
    assert Notification.objects.filter(kind=Kind.STAFF_DURESS, user=coordinator).exists()


def test_every_sign_in_computes_two_hashes_whichever_password_and_whoever(member, settings):
    """Equal work: the real, the duress, a wrong password and an unknown name each cost
    two hashes (the times are measured in bench/signin.py)."""
    counted = []

    class Counting(hashers.MD5PasswordHasher):
        def encode(self, password, salt):
            counted.append("hash")
            return super().encode(password, salt)

    settings.PASSWORD_HASHERS = ["tests.accounts.test_coercion.Counting"]
    globals()["Counting"] = Counting
    hashers.get_hashers.cache_clear()
    hashers.get_hashers_by_algorithm.cache_clear()
    try:
        without = UserFactory(username="without", role=Role.CASEWORKER)
        for username, password in [
            ("member", PASSWORD),
            ("member", DURESS),
            ("member", "wrong"),
            ("without", PASSWORD),
            ("without", "wrong"),
            ("nobody", PASSWORD),
        ]:
            counted.clear()
            sign_in(username, password)
            assert len(counted) == 2, (username, password, counted)
        assert without.duress_password == ""
    finally:
        hashers.get_hashers.cache_clear()
        hashers.get_hashers_by_algorithm.cache_clear()


# --- Restoring -----------------------------------------------------------------------


def test_a_coordinator_restores_and_the_duress_session_ends(member, coordinator, team_a):
    phone, _ = sign_in("member", DURESS)
    second_factor(phone, member)
    desk = Client()
    desk.force_login(coordinator)
    page = desk.get(reverse("team")).content.decode()
    assert "member" in page and reverse("restore") in page
    assert desk.post(reverse("restore"), {"user": member.pk})["Location"] == reverse("team")
    assert User.objects.get(pk=member.pk).duress_at is None
    assert live_sessions_of(member) == 0
    assert phone.get(reverse("intake:case_list"))["Location"].startswith(reverse("login"))
    assert AuditEvent.objects.filter(action=Action.RESTORE, actor=coordinator).exists()
    # A second restore has nothing to restore.
    assert desk.post(reverse("restore"), {"user": member.pk}).status_code == 404


def test_nobody_restores_themselves_nor_from_a_shielded_session(member, coordinator):
    sign_in("member", DURESS)
    client = Client()
    client.force_login(member)
    assert client.post(reverse("restore"), {"user": member.pk}).status_code == 404
    User.objects.filter(pk=coordinator.pk).update(duress_at=timezone.now())
    desk = Client()
    desk.force_login(coordinator)
    assert desk.post(reverse("restore"), {"user": member.pk}).status_code == 404
    assert User.objects.get(pk=member.pk).duress_at is not None


# --- Changing the password under duress ---------------------------------------------------


def test_under_duress_a_password_change_changes_the_duress_password(member):
    phone, _ = sign_in("member", DURESS)
    second_factor(phone, member)
    new = "what the officer typed in"
    data = {"old_password": DURESS, "new_password1": new, "new_password2": new}
    response = phone.post(reverse("password_change"), data)
    assert response["Location"] == "/account/"
    user = User.objects.get(pk=member.pk)
    assert user.check_password(PASSWORD)  # the real one is still the person's
    assert coercion.is_duress_password(user, new)
    _, response = sign_in("member", new)
    assert response.status_code == 302
    assert User.objects.get(pk=member.pk).check_password(PASSWORD)


def test_a_real_password_change_is_refused_when_it_equals_the_duress_password(client, member):
    client.force_login(member)
    data = {"old_password": PASSWORD, "new_password1": DURESS, "new_password2": DURESS}
    response = client.post(reverse("password_change"), data)
    assert response.status_code == 200
    assert User.objects.get(pk=member.pk).check_password(PASSWORD)


# --- Travel mode ----------------------------------------------------------------------


def test_travel_mode_shields_without_alerting_and_the_team_sees_it(
    client, member, coordinator, team_a
):
    CaseFactory(team=team_a, alias="MRKTEAMCASE")
    client.force_login(member)
    until = (timezone.localdate() + timedelta(days=10)).isoformat()
    assert client.post(reverse("travel_set"), {"until": until}).status_code == 302
    user = User.objects.get(pk=member.pk)
    assert user.asleep and user.shielded and user.duress_at is None
    assert "MRKTEAMCASE" not in client.get(reverse("intake:case_list")).content.decode()
    assert not Notification.objects.filter(kind=Kind.STAFF_DURESS).exists()
    desk = Client()
    desk.force_login(coordinator)
    team_page = desk.get(reverse("team")).content.decode()
    assert f"Travelling: asleep until the end of {until}." in team_page  # the day chosen
    # The day after the chosen one, it wakes by itself.
    User.objects.filter(pk=member.pk).update(asleep_until=timezone.now() - timedelta(seconds=1))
    assert "MRKTEAMCASE" in client.get(reverse("intake:case_list")).content.decode()


@pytest.mark.parametrize("days", [-1, 91])
def test_travel_mode_refuses_a_past_day_or_one_too_far(client, caseworker, days):
    client.force_login(caseworker)
    until = (timezone.localdate() + timedelta(days=days)).isoformat()
    response = client.post(reverse("travel_set"), {"until": until})
    assert response.status_code == 400
    assert f'value="{until}"' in response.content.decode()  # kept, beside its error
    assert User.objects.get(pk=caseworker.pk).asleep_until is None


def stale(client):
    session = client.session
    session["auth_at"] = 0
    session.save()


def test_a_stale_session_is_asked_for_the_password_beside_the_day_which_is_kept(client, member):
    """A confirmation page would come back to an empty form: the day is asked again
    nowhere, the password is asked for in the travel form itself."""
    client.force_login(member)
    stale(client)
    page = client.get(reverse("account")).content.decode()
    assert re.search(r'<form[^>]*action="/account/travel/".*?name="password"', page, re.S)
    until = (timezone.localdate() + timedelta(days=5)).isoformat()
    refused = []
    for password in (None, "not the password"):
        data = {"until": until} | ({"password": password} if password else {})
        response = client.post(reverse("travel_set"), data)
        assert response.status_code == 400
        assert f'value="{until}"' in response.content.decode()  # the day, kept
        assert "not the password" not in response.content.decode()
        refused.append(list(map(str, response.context["travel_form"].errors["password"])))
        assert User.objects.get(pk=member.pk).asleep_until is None
    assert refused[0] != refused[1]  # "type it too", then "that is not your password"
    # The real password and a refused day: confirmed, so asked no more beside the day.
    past = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = client.post(reverse("travel_set"), {"until": past, "password": PASSWORD})
    assert response.status_code == 400
    assert list(response.context["travel_form"].errors) == ["until"]
    assert "password" not in response.context["travel_form"].fields
    assert client.post(reverse("travel_set"), {"until": until}).status_code == 302
    assert User.objects.get(pk=member.pk).asleep


def test_the_duress_password_typed_into_the_travel_form_is_a_duress_sign_in(
    client, member, coordinator
):
    client.force_login(member)
    stale(client)
    until = (timezone.localdate() + timedelta(days=5)).isoformat()
    response = client.post(reverse("travel_set"), {"until": until, "password": DURESS})
    assert response.status_code == 302  # answered as the real password is
    user = User.objects.get(pk=member.pk)
    assert user.duress_at is not None and user.shielded
    assert Notification.objects.filter(kind=Kind.STAFF_DURESS, user=coordinator).exists()


def test_waking_early_needs_a_coordinator_and_then_the_users_password(member, coordinator, team_a):
    CaseFactory(team=team_a, alias="MRKTEAMCASE")
    User.objects.filter(pk=member.pk).update(asleep_until=timezone.now() + timedelta(days=5))
    client = Client()
    client.force_login(member)
    assert client.post(reverse("wake")).status_code == 404  # nobody approved
    desk = Client()
    desk.force_login(coordinator)
    assert desk.post(reverse("wake_approve"), {"user": member.pk}).status_code == 302
    assert User.objects.get(pk=member.pk).asleep  # approval alone wakes nothing
    assert reverse("wake") in client.get(reverse("account")).content.decode()
    # The password in the form itself: a fresh sign-in (the phone's) is not enough.
    assert client.post(reverse("wake")).status_code == 400
    response = client.post(reverse("wake"), {"password": "not it at all"})
    assert response.status_code == 400 and response.context["wake_form"].errors["password"]
    assert User.objects.get(pk=member.pk).asleep
    assert client.post(reverse("wake"), {"password": PASSWORD})["Location"] == reverse("home")
    user = User.objects.get(pk=member.pk)
    assert not user.asleep and user.wake_approved_by is None
    assert "MRKTEAMCASE" in client.get(reverse("intake:case_list")).content.decode()
    events = AuditEvent.objects.filter(action=Action.TRAVEL).values_list("detail", flat=True)
    assert [e["event"] for e in events.order_by("pk")] == ["wake_approved", "woken"]


def test_no_reminder_and_no_email_reaches_an_account_asleep_or_under_duress(
    team_a, coordinator, settings
):
    asleep = UserFactory(
        username="away",
        role=Role.CASEWORKER,
        teams=[team_a],
        email="away@example.org",
        asleep_until=timezone.now() + timedelta(days=3),
    )
    User.objects.filter(pk=coordinator.pk).update(email="c@example.org")
    # A case of theirs waiting for its first response, long past due.
    case = CaseFactory(team=team_a, assignee=asleep, risk="4")
    Case.objects.filter(pk=case.pk).update(created_at=timezone.now() - timedelta(days=3))
    reminders.scan()
    told = set(Notification.objects.values_list("user__username", flat=True))
    assert "away" not in told and "coordinator" in told  # theirs went to the one awake
    Notification.objects.create(user=asleep, kind=Kind.FOLLOW_UP, key="old", case=case)
    reminders.send_digests()
    assert [m.to for m in mail.outbox] == [["c@example.org"]]
    # Under duress: the same.
    mail.outbox.clear()
    User.objects.filter(pk=coordinator.pk).update(duress_at=timezone.now())
    Notification.objects.update(emailed_at=None)
    assert reminders.send_digests() == 0 and mail.outbox == []


# --- From the admin site ----------------------------------------------------------------


def test_an_admin_restores_and_approves_waking_from_the_user_list(client, member, admin_user):
    sign_in("member", DURESS)
    User.objects.filter(pk=member.pk).update(asleep_until=timezone.now() + timedelta(days=2))
    client.force_login(admin_user)
    url = reverse("admin:accounts_user_changelist")
    for action in ("restore_after_duress", "approve_waking"):
        response = client.post(url, {"action": action, "_selected_action": [member.pk]})
        assert response.status_code == 302
    user = User.objects.get(pk=member.pk)
    assert user.duress_at is None and user.wake_approved_by == admin_user
    assert user.duress_password == ""  # restored: the person sets a new one
    assert live_sessions_of(member) == 0
    coercion.duress_password_set(user=user, raw=DURESS, without_code=False)
    duress_hash = User.objects.get(pk=member.pk).duress_password
    page = client.get(reverse("admin:accounts_user_change", args=[member.pk])).content.decode()
    assert duress_hash not in page  # the hash is never shown


def test_a_shielded_admin_can_restore_nobody(client, member, admin_user):
    sign_in("member", DURESS)
    User.objects.filter(pk=admin_user.pk).update(asleep_until=timezone.now() + timedelta(days=2))
    client.force_login(admin_user)
    url = reverse("admin:accounts_user_changelist")
    client.post(url, {"action": "restore_after_duress", "_selected_action": [member.pk]})
    assert User.objects.get(pk=member.pk).duress_at is not None


def test_an_approval_to_wake_lasts_an_hour(client, member, coordinator):
    User.objects.filter(pk=member.pk).update(asleep_until=timezone.now() + timedelta(days=5))
    coercion.approve_wake(user=member, by=coordinator)
    User.objects.filter(pk=member.pk).update(wake_approved_at=timezone.now() - timedelta(hours=1))
    client.force_login(member)
    assert reverse("wake") not in client.get(reverse("account")).content.decode()
    assert client.post(reverse("wake"), {"password": PASSWORD}).status_code == 404
    assert User.objects.get(pk=member.pk).asleep


def test_the_duress_password_typed_to_wake_is_a_duress_sign_in(client, member, coordinator):
    User.objects.filter(pk=member.pk).update(asleep_until=timezone.now() + timedelta(days=5))
    coercion.approve_wake(user=member, by=coordinator)
    client.force_login(member)
    assert client.post(reverse("wake"), {"password": DURESS}).status_code == 302
    user = User.objects.get(pk=member.pk)
    assert user.asleep and user.duress_at is not None
    assert Notification.objects.filter(kind=Kind.STAFF_DURESS, user=coordinator).exists()


def test_asleep_the_end_can_only_move_later_whatever_the_time_zone(client, caseworker):
    until = timezone.now() + timedelta(days=5)
    User.objects.filter(pk=caseworker.pk).update(asleep_until=until)
    client.force_login(caseworker)
    client.post(reverse("time_zone_set"), {"time_zone": "Pacific/Kiritimati"})
    today = timezone.localdate().isoformat()
    assert client.post(reverse("travel_set"), {"until": today}).status_code == 302
    assert User.objects.get(pk=caseworker.pk).asleep_until == until


# --- What the review found a shielded session could still do ------------------------------


def test_the_admin_sites_own_sign_in_page_leads_to_the_one_that_knows_duress(client, member):
    User.objects.filter(pk=member.pk).update(role=Role.ADMIN, is_staff=True)
    response = client.get(reverse("admin:login") + "?next=/admin/audit/auditevent/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    # Its form is never read: the duress password signs nobody in there, unnoticed.
    response = client.post(reverse("admin:login"), {"username": "member", "password": DURESS})
    assert response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session
    assert User.objects.get(pk=member.pk).duress_at is None


def test_an_admin_under_duress_signing_in_is_shielded_and_every_coordinator_told(
    admin_user, coordinator, outsider
):
    Authenticator.objects.create(user=admin_user, name="phone", confirmed=True)
    coercion.duress_password_set(user=admin_user, raw=DURESS, without_code=False)
    sign_in("admin", DURESS)
    assert User.objects.get(pk=admin_user.pk).duress_at is not None
    told = set(Notification.objects.filter(kind=Kind.STAFF_DURESS).values_list("user", flat=True))
    assert told == {coordinator.pk, outsider.pk}


def test_a_shielded_session_writes_no_case_and_sees_no_flag(client, under_duress, team_a):
    from crypto.blind_index import blind_index
    from intake.models import FlaggedHandle
    from tests.intake.test_access_matrix import case_data

    FlaggedHandle.objects.create(handle_index=blind_index("@honeytrap"))
    client.force_login(under_duress)
    check = {"contact_channel": "telegram", "contact_handle": "@honeytrap"}
    response = client.post(reverse("intake:handle_check"), check)
    assert response.status_code == 200 and "provocation" not in response.content.decode()
    data = {**case_data(contact_handle="@honeytrap"), "team": team_a.pk}
    response = client.post(reverse("intake:case_create"), data, follow=True)
    assert response.status_code == 200
    assert Case.objects.count() == 0
    assert "Request recorded as" in response.content.decode()


def test_a_shielded_session_keeps_the_real_draft_and_the_second_factor(client, member):
    from drafts.models import Draft

    Draft.objects.create(author=member, form="request", scope="", data='{"alias": ["REAL"]}')
    sign_in("member", DURESS)
    client.force_login(member)
    client.post(reverse("drafts:save"), {"_draft": "request", "_draft_scope": "", "narrative": "X"})
    client.post(reverse("drafts:discard"), {"_draft": "request", "_draft_scope": ""})
    assert Draft.objects.get(author=member).data == '{"alias": ["REAL"]}'
    fresh(client)
    devices = Authenticator.objects.filter(user=member, confirmed=True).count()
    assert client.post(reverse("two_factor_replace"))["Location"] == reverse("account")
    assert Authenticator.objects.filter(user=member, confirmed=True).count() == devices


def test_if_the_two_passwords_ever_match_the_sign_in_counts_as_duress(member):
    User.objects.filter(pk=member.pk).update(duress_password=hashers.make_password(PASSWORD))
    sign_in("member", PASSWORD)
    assert User.objects.get(pk=member.pk).duress_at is not None
