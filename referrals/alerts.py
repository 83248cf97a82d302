"""Alerts in the audit trail that need the referrals: registered in audit/alerts.py."""

from django.utils.translation import gettext as _

from audit.alerts import Alert
from audit.models import Action, AuditEvent
from referrals.models import Referral
from referrals.status import OPEN


def partner_without_open_work(since) -> list[Alert]:
    opened = AuditEvent.objects.filter(action=Action.PARTNER_ACCESS, at__gte=since)
    open_refs = set(
        Referral.objects.filter(
            reference__in=opened.values("object_ref"), status__in=OPEN
        ).values_list("reference", flat=True)
    )
    return [
        Alert(
            "partner_no_open_work",
            e.actor_id,
            e.at,
            _("opened referral %(ref)s, not open") % {"ref": e.object_ref},
        )
        for e in opened.order_by("-at")[:200]
        if e.object_ref not in open_refs
    ]
