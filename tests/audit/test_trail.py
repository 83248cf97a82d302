"""Every sensitive action leaves an event with opaque references and field names only."""

from django.core.management import call_command
from django.urls import reverse

from audit.models import AuditEvent
from audit.services import ip_hash
from intake.models import Case
from retention import services as retention
from tests.factories import PASSWORD, ReferralFactory
from tests.intake.test_no_plaintext import table_text


def actions(**filters):
    return list(
        AuditEvent.objects.filter(**filters).order_by("id").values_list("action", flat=True)
    )


def audit_text():
    return table_text(exclude=tuple(t for t in _tables() if t != "audit_auditevent"))


def _tables():
    from django.db import connection

    return connection.introspection.table_names()


def test_sign_in_failure_and_sign_out(client, caseworker):
    client.post(reverse("login"), {"username": "caseworker", "password": "wrong one"})
    client.post(reverse("login"), {"username": "caseworker", "password": PASSWORD})
    client.post(reverse("logout"))
    assert actions() == ["sign_in_failed", "sign_in", "sign_out"]
    failed = AuditEvent.objects.get(action="sign_in_failed")
    assert failed.actor is None and "caseworker" not in str(failed.detail)
    signed_in = AuditEvent.objects.get(action="sign_in")
    assert (signed_in.actor, signed_in.actor_role) == (caseworker, "caseworker")
    assert signed_in.ip_hash == ip_hash("127.0.0.1")
    assert "127.0.0.1" not in audit_text()


def test_reading_and_working_a_case(client, caseworker, case):
    client.force_login(caseworker)
    client.get(reverse("intake:case_detail", args=[case.reference]))
    client.post(reverse("intake:note_add", args=[case.reference]), {"body": "AUDIT-NOTE-MARK"})
    client.post(reverse("intake:case_move", args=[case.reference]), {"to": "verifying"})
    events = AuditEvent.objects.filter(object_ref=case.reference).order_by("id")
    assert [e.action for e in events] == ["view", "create", "status"]
    assert events[2].detail == {"from": "new", "to": "verifying"}
    assert all(e.actor == caseworker for e in events)


def test_an_update_names_fields_never_values(client, caseworker, case):
    client.force_login(caseworker)
    data = {
        "alias": "AUDIT-ALIAS-MARK",
        "contact_channel": "telegram",
        "contact_handle": "@audit_handle_mark",
        "region": "chechnya",
        "risk": "2",  # as stored: not a change
        "narrative": "AUDIT-NARRATIVE-MARK",
        "needs": ["shelter"],
        "threats": ["police_detention"],
        "languages": ["ru"],
    }
    client.post(reverse("intake:case_edit", args=[case.reference]), data)
    update = AuditEvent.objects.get(action="update")
    assert sorted(update.detail["fields"]) == ["alias", "contact_handle", "narrative"]
    text = audit_text()
    for marker in ("AUDIT-ALIAS-MARK", "audit_handle_mark", "AUDIT-NARRATIVE-MARK"):
        assert marker not in text


def test_referral_moves_partner_access_purge_and_rotation(client, partner, case, partner_org):
    referral = ReferralFactory(case=case, partner=partner_org)
    from referrals import services as referral_services

    referral_services.referral_move(referral=referral, to="sent", by=None)
    client.force_login(partner)
    client.get(reverse("referrals:partner_detail", args=[referral.reference]))
    assert actions(object_ref=referral.reference) == ["referral_move", "partner_access"]
    Case.objects.filter(pk=case.pk).update(status="closed", closure_reason="stable")
    retention.case_purge(case_id=case.pk, reason="forgotten", why="person_asked")
    assert AuditEvent.objects.get(action="purge").detail == {
        "reason": "forgotten",
        "why": "person_asked",
    }
    call_command("rotate_encryption_keys")
    assert AuditEvent.objects.filter(action="key_rotation").exists()


def test_user_changes_in_the_admin(client, admin_user, operator):
    client.force_login(admin_user)
    client.post(
        f"/admin/accounts/user/{operator.pk}/change/",
        {
            "username": "operator",
            "role": "caseworker",
            "teams": [t.pk for t in operator.teams.all()],
            "is_active": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    change = AuditEvent.objects.get(action="user_change")
    assert change.object_ref == str(operator.pk)
    assert "role" in change.detail["fields"]
