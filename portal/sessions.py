"""The portal's own browser session: a cookie of its own, for the portal's path only.

Never the staff session: the cookie is sent to the portal's pages alone
(its path is PORTAL_PATH), so a portal session reaches no staff page, and a
staff session carries nothing the portal reads. The table holds a keyed hash
of the cookie, as accounts/sessions.py does for staff, and a session ends
after PORTAL_SESSION_IDLE without a page and PORTAL_SESSION_AGE in all.

What a session holds for the next page (a refused form, a codename to show)
is encrypted under a key derived from the cookie itself, which the server
never stores: a copy of the database and every server key still cannot read
it (the column's own encryption comes on top).
"""

import base64
import hashlib
import hmac
import json
import secrets
from datetime import timedelta

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from portal.models import PortalSession

COOKIE = "portal"
# A page view marks the session seen at most this often: one write a minute, not one a page.
SEEN_EVERY = timedelta(seconds=60)


def _hash(token: str) -> str:
    key = ("portal-session:" + settings.SECRET_KEY).encode()
    return hmac.new(key, token.encode(), hashlib.sha256).hexdigest()


def load(request: HttpRequest) -> PortalSession | None:
    token = request.COOKIES.get(COOKIE, "")
    if not token or len(token) > 100:
        return None
    session = PortalSession.objects.filter(key_hash=_hash(token)).first()
    if session is None:
        return None
    session.token = token
    now = timezone.now()
    idle = now - session.seen_at > timedelta(seconds=settings.PORTAL_SESSION_IDLE)
    old = now - session.created_at > timedelta(seconds=settings.PORTAL_SESSION_AGE)
    if idle or old:
        session.delete()
        return None
    if now - session.seen_at > SEEN_EVERY:
        PortalSession.objects.filter(pk=session.pk).update(seen_at=now)
    return session


def start(response: HttpResponse, *, language: str, case=None, duress: bool = False):
    """A new session, and its cookie on the response: never one a page handed out before."""
    token = secrets.token_urlsafe(32)
    # A cookie end() just expired on this response is replaced whole: setting the
    # same name again would keep its expiry in the past.
    response.cookies.pop(COOKIE, None)
    session = PortalSession.objects.create(
        key_hash=_hash(token), case=case, duress=duress, language=language
    )
    session.token = token
    response.set_cookie(
        COOKIE,
        token,
        path=settings.PORTAL_PATH,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )
    return session


def end(session: PortalSession | None, response: HttpResponse) -> None:
    if session is not None and session.pk is not None:
        PortalSession.objects.filter(pk=session.pk).delete()
    response.delete_cookie(COOKIE, path=settings.PORTAL_PATH, samesite="Strict")


def _sealer(session: PortalSession) -> Fernet:
    key = hmac.new(session.token.encode(), b"portal-held", hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def hold(session: PortalSession, **what) -> None:
    """Keep something for the next page only: a refused form, a codename.

    Written with an UPDATE: a session ended meanwhile (signed out in another
    tab, tidied, its request deleted) holds nothing, and nothing fails.
    """
    sealed = _sealer(session).encrypt(json.dumps(what).encode()).decode()
    PortalSession.objects.filter(pk=session.pk).update(held=sealed)
    session.held = sealed


def peek(session: PortalSession | None) -> dict:
    """What the last page held, left in place."""
    if session is None or not session.held:
        return {}
    try:
        return json.loads(_sealer(session).decrypt(session.held.encode()))
    except (InvalidToken, ValueError):
        return {}


def take(session: PortalSession | None) -> dict:
    """What the last page held, once: it is gone from the row as it is read."""
    held = peek(session)
    if session is not None and session.held:
        PortalSession.objects.filter(pk=session.pk).update(held="")
        session.held = ""
    return held


def tidy(now=None) -> int:
    """Delete the sessions past their idle or whole lifetime."""
    now = now or timezone.now()
    idle = now - timedelta(seconds=settings.PORTAL_SESSION_IDLE)
    old = now - timedelta(seconds=settings.PORTAL_SESSION_AGE)
    gone, _ = PortalSession.objects.filter(seen_at__lt=idle).delete()
    more, _ = PortalSession.objects.filter(created_at__lt=old).delete()
    return gone + more
