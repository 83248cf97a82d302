"""Two-factor sign-in with TOTP (django-otp), and one-time recovery codes."""

import base64
import io
import secrets

from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.qr import write_qrcode_image

from accounts.models import Authenticator, RecoveryCodeSet, User
from accounts.reauth import mark_fresh
from audit.models import Action
from audit.services import record

RECOVERY_CODES = 10


def pending_totp(user: User) -> Authenticator:
    """The authenticator being set up (unconfirmed), made once per enrolment."""
    device = Authenticator.objects.filter(user=user, confirmed=False).first()
    return device or Authenticator.objects.create(user=user, name="authenticator", confirmed=False)


def qr_data_url(device: Authenticator) -> str:
    """The enrolment QR code as an SVG data URL (an <img>, so the SVG's namespaces render)."""
    out = io.BytesIO()
    write_qrcode_image(device.config_url, out)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode()


def secret_text(device: Authenticator) -> str:
    """The key for typing into an app by hand, in groups of four."""
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def enrol(request, token: str) -> list[str] | None:
    """Confirm the pending authenticator with a code from it; return new recovery codes."""
    device = pending_totp(request.user)
    if not device.verify_token(token):
        record(Action.TWO_FACTOR, request=request, detail={"event": "enrol_failed"})
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    RecoveryCodeSet.objects.filter(user=request.user).delete()
    codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODES)]
    # Shown once, on the page this returns to; only their hashes are kept.
    RecoveryCodeSet.objects.create(user=request.user, name="recovery codes").add_codes(codes)
    otp_login(request, device)
    mark_fresh(request)
    record(Action.TWO_FACTOR, request=request, detail={"event": "enrolled"})
    return codes


def verify(request, token: str) -> bool:
    """Accept a code from the authenticator, or a recovery code, once each."""
    token = token.strip().replace(" ", "")
    if request.user.takes_any_code:
        # As a right code would: the same device named in the session, the same trail.
        device = Authenticator.objects.filter(user=request.user, confirmed=True).first()
        if device is not None:
            otp_login(request, device)
            mark_fresh(request)
            record(Action.TWO_FACTOR, request=request, detail={"event": "verified", "with": "totp"})
            return True
    for device in devices_for_user(request.user, confirmed=True):
        # TOTP refuses a code already used (last_t); a recovery code is deleted.
        if device.verify_token(token):
            otp_login(request, device)
            mark_fresh(request)
            kind = "recovery_code" if isinstance(device, RecoveryCodeSet) else "totp"
            record(Action.TWO_FACTOR, request=request, detail={"event": "verified", "with": kind})
            return True
    record(Action.TWO_FACTOR, request=request, detail={"event": "failed"})
    return False


def remove_devices(user: User) -> None:
    for device in devices_for_user(user, confirmed=None):
        device.delete()
