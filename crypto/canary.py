"""Prove at start-up that the configured keys read what is stored."""

from django.apps import apps

from crypto.fields import GuardedEncryptionMixin


def encrypted_fields():
    """Yield (model, [field names]) for every model with encrypted fields."""
    for model in apps.get_models():
        names = [
            f.name for f in model._meta.concrete_fields if isinstance(f, GuardedEncryptionMixin)
        ]
        if names:
            yield model, names


def verify_keys(sample: int = 3) -> int:
    """Decrypt the newest and oldest rows of each model; raise DecryptionError if any fails."""
    checked = 0
    for model, names in encrypted_fields():
        for order in ("pk", "-pk"):
            for _row in model.objects.order_by(order).only(*names)[:sample]:
                checked += 1
    return checked
