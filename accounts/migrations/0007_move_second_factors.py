"""Move every second factor out of django-otp's plaintext tables.

TOTP keys are re-saved encrypted; recovery codes are kept only as keyed
hashes; the old rows are deleted. django-otp's apps stay installed so that
this can read their tables on any database that still has rows in them.

There is no way back: the codes cannot be un-hashed, and going back would
leave the old tables empty and the new ones dropped, every second factor gone.
"""

from django.db import migrations

from accounts.models import recovery_code_digest


def keys_read_what_is_stored(apps) -> None:
    """Raise DecryptionError unless the configured keys read the stored cases.

    This runs before the key check exists (crypto.keycheck): encrypting
    every TOTP key under a wrong FIELD_ENCRYPTION_KEYS, then deleting the
    plaintext, would lose every second factor.
    """
    Case = apps.get_model("intake", "Case")
    for rows in (Case.objects.order_by("pk"), Case.objects.order_by("-pk")):
        list(rows.only("alias")[:3])  # the guarded field raises on a value it cannot read


def move_second_factors(apps, schema_editor):
    keys_read_what_is_stored(apps)
    OldTOTP = apps.get_model("otp_totp", "TOTPDevice")
    OldStatic = apps.get_model("otp_static", "StaticDevice")
    OldToken = apps.get_model("otp_static", "StaticToken")
    Authenticator = apps.get_model("accounts", "Authenticator")
    RecoveryCodeSet = apps.get_model("accounts", "RecoveryCodeSet")
    RecoveryCode = apps.get_model("accounts", "RecoveryCode")
    shared = [
        "user_id",
        "name",
        "confirmed",
        "throttling_failure_timestamp",
        "throttling_failure_count",
        "last_used_at",
    ]
    totp = ["key", "step", "t0", "digits", "tolerance", "drift", "last_t"]

    for old in OldTOTP.objects.order_by("pk"):
        new = Authenticator.objects.create(**{f: getattr(old, f) for f in shared + totp})
        # created_at is auto_now_add: set it afterwards to keep the real date.
        Authenticator.objects.filter(pk=new.pk).update(created_at=old.created_at)
    OldTOTP.objects.all().delete()

    for old in OldStatic.objects.order_by("pk"):
        new = RecoveryCodeSet.objects.create(**{f: getattr(old, f) for f in shared})
        RecoveryCodeSet.objects.filter(pk=new.pk).update(created_at=old.created_at)
        RecoveryCode.objects.bulk_create(
            RecoveryCode(device=new, digest=recovery_code_digest(token))
            for token in OldToken.objects.filter(device=old).values_list("token", flat=True)
        )
    OldToken.objects.all().delete()
    OldStatic.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_authenticator_recovery_codes"),
        ("otp_totp", "0003_add_timestamps"),
        ("otp_static", "0003_add_timestamps"),
        ("intake", "0001_initial"),
    ]

    operations = [migrations.RunPython(move_second_factors, elidable=False)]
