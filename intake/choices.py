"""The coarse, plain-text vocabulary of a case: what statistics count."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Risk(models.IntegerChoices):
    # Integers so that "sort by risk" puts critical first without a CASE.
    LOW = 1, _("Low")
    MEDIUM = 2, _("Medium")
    HIGH = 3, _("High")
    CRITICAL = 4, _("Critical")


class Verification(models.TextChoices):
    UNVERIFIED = "unverified", _("Not verified")
    VERIFIED = "verified", _("Verified")
    SUSPECTED = "suspected", _("Suspected provocation")


class Region(models.TextChoices):
    CHECHNYA = "chechnya", _("Chechnya")
    DAGESTAN = "dagestan", _("Dagestan")
    INGUSHETIA = "ingushetia", _("Ingushetia")
    KABARDINO_BALKARIA = "kabardino_balkaria", _("Kabardino-Balkaria")
    KARACHAY_CHERKESSIA = "karachay_cherkessia", _("Karachay-Cherkessia")
    NORTH_OSSETIA = "north_ossetia", _("North Ossetia")
    RUSSIA_OTHER = "russia_other", _("Elsewhere in Russia")
    AZERBAIJAN = "azerbaijan", _("Azerbaijan")
    TAJIKISTAN = "tajikistan", _("Tajikistan")
    OTHER = "other", _("Other or unknown")


class Channel(models.TextChoices):
    TELEGRAM = "telegram", _("Telegram")
    SIGNAL = "signal", _("Signal")
    WHATSAPP = "whatsapp", _("WhatsApp")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    OTHER = "other", _("Other")
    # Written by the person on the portal (portal/): never chosen on the intake form.
    PORTAL = "portal", _("Portal (codename)")


class Threat(models.TextChoices):
    POLICE_DETENTION = "police_detention", _("Detention or torture by police")
    EXTORTION = "extortion", _("Extortion or blackmail")
    FABRICATED_CASE = "fabricated_case", _("Fabricated criminal case")
    FORCED_INFORMANT = "forced_informant", _("Forced informant work")
    CONSCRIPTION = "conscription", _("Forced conscription")
    FAMILY_VIOLENCE = "family_violence", _("Family or honour-based violence")
    CONVERSION = "conversion", _("Forced 'conversion therapy'")
    OUTING = "outing", _("Outing")
    OTHER = "other", _("Other")


class Need(models.TextChoices):
    EVACUATION = "evacuation", _("Emergency evacuation")
    SHELTER = "shelter", _("A place to hide")
    RELOCATION_DOMESTIC = "relocation_domestic", _("Relocation inside the country")
    RELOCATION_ABROAD = "relocation_abroad", _("Relocation abroad")
    DOCUMENTS = "documents", _("Travel documents and visas")
    LEGAL = "legal", _("Legal aid")
    MEDICAL = "medical", _("Medical care")
    PSYCHOLOGICAL = "psychological", _("Psychological care")
    MONEY = "money", _("Money")
    DIGITAL_SAFETY = "digital_safety", _("Digital safety")


class Language(models.TextChoices):
    RUSSIAN = "ru", _("Russian")
    CHECHEN = "ce", _("Chechen")
    AVAR = "av", _("Avar")
    INGUSH = "inh", _("Ingush")
    KABARDIAN = "kbd", _("Kabardian")
    AZERBAIJANI = "az", _("Azerbaijani")
    TAJIK = "tg", _("Tajik")
    ENGLISH = "en", _("English")
