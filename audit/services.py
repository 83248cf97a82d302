"""Write and verify the audit trail."""

import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext as _

from audit.models import Action, AuditEvent, ChainHead

GENESIS = "0" * 64


def ip_hash(ip: str | None) -> str:
    """A keyed hash of a staff IP: equal IPs match, but a leaked trail names no address."""
    if not ip:
        return ""
    key = ("audit-ip:" + settings.BLIND_INDEX_KEY).encode()
    return hmac.new(key, ip.encode(), hashlib.sha256).hexdigest()[:16]


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


def _lock_chain_head(adding: int) -> str:
    """Lock the chain head, count what is being added, and return the newest hash.

    The write comes first: it takes the row lock on PostgreSQL and the write
    lock on SQLite before anything is read, so two writers never read the
    same head. One statement (RETURNING: PostgreSQL, and SQLite since 3.35).
    """
    # The table name comes from the model, quoted by the backend; the count is a parameter.
    table = connection.ops.quote_name(ChainHead._meta.db_table)
    sql = f"UPDATE {table} SET length = length + %s WHERE id = 1 RETURNING last_hash"  # noqa: S608  # nosec B608
    with connection.cursor() as cursor:
        cursor.execute(sql, [adding])
        row = cursor.fetchone()
    if row is None:  # the first event ever: make the head, then lock it
        ChainHead.objects.get_or_create(pk=1)
        return _lock_chain_head(adding)
    return row[0]


def append(events: list[AuditEvent]) -> None:
    """Chain these unsaved events onto the trail, in order, in the caller's transaction.

    No savepoint of its own: if the audit write fails, so does what it records.
    """
    with transaction.atomic(savepoint=False):
        previous = _lock_chain_head(len(events))
        for event in events:
            event.prev_hash = previous
            event.hash = previous = event.compute_hash()
        if len(events) == 1:
            events[0].save()
        else:
            AuditEvent.objects.bulk_create(events, batch_size=1000)
        ChainHead.objects.filter(pk=1).update(last_hash=previous)


def _event(action, actor, request, object_type, object_ref, detail) -> AuditEvent:
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    return AuditEvent(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_role=getattr(actor, "role", "") or "",
        action=action,
        object_type=object_type,
        object_ref=object_ref,
        detail=detail or {},
        ip_hash=ip_hash(client_ip(request)),
    )


def record(
    action: str,
    *,
    actor=None,
    request=None,
    object_type: str = "",
    object_ref: str = "",
    detail: dict | None = None,
) -> AuditEvent:
    """Append one event to the chain, in the caller's transaction."""
    event = _event(action, actor, request, object_type, object_ref, detail)
    append([event])
    return event


def record_many(
    action: str, *, object_type: str, object_refs: list[str], actor=None, detail=None
) -> None:
    """Append one event per object, as `record` would one by one, in one write."""
    if object_refs:
        append([_event(action, actor, None, object_type, ref, detail) for ref in object_refs])


@dataclass(frozen=True)
class ChainReport:
    checked: int
    ok: bool = True
    first_bad_id: int | None = None
    reason: str = ""


def verify_chain() -> ChainReport:
    """Recompute every hash in order; report the first link that does not hold."""
    previous = GENESIS
    checked = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if event.prev_hash != previous:
            return ChainReport(checked, False, event.id, _("does not follow the event before it"))
        if event.compute_hash() != event.hash:
            return ChainReport(checked, False, event.id, _("was changed after it was written"))
        previous = event.hash
        checked += 1
    head = ChainHead.objects.filter(pk=1).first()
    if head is not None and head.last_hash != previous:
        return ChainReport(checked, False, None, _("the newest events are missing"))
    return ChainReport(checked)


__all__ = ["Action", "append", "record", "record_many", "verify_chain", "ip_hash"]
