from django.db import models
from django.utils.translation import gettext_lazy as _


class KeyCheck(models.Model):
    """Proof of which encryption keys this database was written with. One row.

    `token` is a known value encrypted under the newest key; `fingerprints`
    names every key that has been the newest (a keyed hash, not the key).
    A process whose keys cannot read the token would write rows nobody can
    read later; crypto.keycheck stops it first. `blind_index_fingerprint`
    names the BLIND_INDEX_KEY the stored handle indexes and search tokens
    are under (empty in a check from before it: filled on the next check);
    `codename_fingerprint` the CODENAME_KEY the portal's codenames are looked
    up under (the same), which nothing can ever change in place.
    """

    token = models.TextField(_("known value, encrypted"))
    fingerprints = models.JSONField(_("fingerprints of the keys used"), default=list)
    blind_index_fingerprint = models.CharField(
        _("fingerprint of the blind-index key"), max_length=64, blank=True, default=""
    )
    codename_fingerprint = models.CharField(
        _("fingerprint of the codename key"), max_length=64, blank=True, default=""
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        verbose_name = _("key check")
        verbose_name_plural = _("key checks")
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="one_key_check")]

    def __str__(self) -> str:
        return "key check"
