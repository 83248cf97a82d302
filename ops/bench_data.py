"""How the benchmark's invented cases are distributed: weights, routes and texts.

Read by `manage.py seed_bench`; nothing else uses it.
"""

import random
from datetime import datetime, timedelta

from intake.choices import Channel, Language, Need, Region, Risk, Threat
from intake.status import ClosureReason, Status
from referrals.models import PartnerKind
from referrals.status import ReferralStatus

S = Status
RS = ReferralStatus

# How open cases stand: a request is new or being verified for days, not years.
OPEN_RECENT = {
    S.NEW: 25,
    S.VERIFYING: 25,
    S.ACTIVE: 30,
    S.SHELTERED: 10,
    S.IN_TRANSIT: 5,
    S.RELOCATED: 5,
}
OPEN_OLDER = {
    S.NEW: 1,
    S.VERIFYING: 2,
    S.ACTIVE: 40,
    S.SHELTERED: 22,
    S.IN_TRANSIT: 10,
    S.RELOCATED: 25,
}
RECENT = timedelta(days=60)
# Where a closed case stood when it was closed.
CLOSED_FROM = {
    S.NEW: 12,
    S.VERIFYING: 15,
    S.ACTIVE: 14,
    S.SHELTERED: 10,
    S.IN_TRANSIT: 4,
    S.RELOCATED: 45,
}
# The moves from "new" that lead to each status.
ROUTES = {
    S.NEW: [[]],
    S.VERIFYING: [[S.VERIFYING]],
    S.ACTIVE: [[S.VERIFYING, S.ACTIVE]],
    S.SHELTERED: [[S.VERIFYING, S.ACTIVE, S.SHELTERED]],
    S.IN_TRANSIT: [
        [S.VERIFYING, S.ACTIVE, S.IN_TRANSIT],
        [S.VERIFYING, S.ACTIVE, S.SHELTERED, S.IN_TRANSIT],
    ],
    S.RELOCATED: [
        [S.VERIFYING, S.ACTIVE, S.SHELTERED, S.RELOCATED],
        [S.VERIFYING, S.ACTIVE, S.IN_TRANSIT, S.RELOCATED],
        [S.VERIFYING, S.ACTIVE, S.SHELTERED, S.IN_TRANSIT, S.RELOCATED],
    ],
}
CR = ClosureReason
CLOSED_EARLY = {
    CR.LOST_CONTACT: 35,
    CR.DECLINED: 15,
    CR.NOT_NEEDED: 20,
    CR.PROVOCATION: 12,
    CR.DUPLICATE: 18,
}
CLOSED_WORKING = {CR.NOT_NEEDED: 40, CR.LOST_CONTACT: 35, CR.DECLINED: 20, CR.STABLE: 5}
CLOSED_RELOCATED = {CR.STABLE: 80, CR.NOT_NEEDED: 10, CR.LOST_CONTACT: 10}

RISK = {Risk.LOW: 20, Risk.MEDIUM: 40, Risk.HIGH: 28, Risk.CRITICAL: 12}
REGION = {
    Region.CHECHNYA: 30,
    Region.DAGESTAN: 18,
    Region.INGUSHETIA: 8,
    Region.KABARDINO_BALKARIA: 7,
    Region.KARACHAY_CHERKESSIA: 4,
    Region.NORTH_OSSETIA: 4,
    Region.RUSSIA_OTHER: 12,
    Region.AZERBAIJAN: 7,
    Region.TAJIKISTAN: 6,
    Region.OTHER: 4,
}
REGION_LANGUAGE = {
    Region.CHECHNYA: Language.CHECHEN,
    Region.DAGESTAN: Language.AVAR,
    Region.INGUSHETIA: Language.INGUSH,
    Region.KABARDINO_BALKARIA: Language.KABARDIAN,
    Region.AZERBAIJAN: Language.AZERBAIJANI,
    Region.TAJIKISTAN: Language.TAJIK,
}
CHANNEL = {
    Channel.TELEGRAM: 45,
    Channel.WHATSAPP: 18,
    Channel.SIGNAL: 15,
    Channel.EMAIL: 8,
    Channel.PHONE: 9,
    Channel.OTHER: 5,
}
PHONE_CHANNELS = {Channel.PHONE, Channel.WHATSAPP, Channel.SIGNAL}
THREAT = {
    Threat.POLICE_DETENTION: 25,
    Threat.FAMILY_VIOLENCE: 25,
    Threat.EXTORTION: 15,
    Threat.OUTING: 12,
    Threat.FABRICATED_CASE: 8,
    Threat.CONVERSION: 6,
    Threat.FORCED_INFORMANT: 4,
    Threat.CONSCRIPTION: 3,
    Threat.OTHER: 2,
}
NEED = {
    Need.SHELTER: 20,
    Need.EVACUATION: 15,
    Need.RELOCATION_ABROAD: 15,
    Need.LEGAL: 12,
    Need.PSYCHOLOGICAL: 12,
    Need.DOCUMENTS: 10,
    Need.MONEY: 8,
    Need.DIGITAL_SAFETY: 8,
    Need.RELOCATION_DOMESTIC: 6,
    Need.MEDICAL: 6,
}
# Referrals only for cases that were worked (reached "active"): ~1 a case overall.
REFERRAL_COUNT = {0: 25, 1: 45, 2: 22, 3: 8}
REFERRALS_OF_OPEN_CASE = {
    RS.DRAFT: 10,
    RS.SENT: 10,
    RS.ACKNOWLEDGED: 8,
    RS.ACCEPTED: 17,
    RS.COMPLETED: 28,
    RS.DECLINED: 11,
    RS.WITHDRAWN: 9,
    RS.EXPIRED: 7,
}
REFERRALS_OF_CLOSED_CASE = {RS.COMPLETED: 50, RS.DECLINED: 20, RS.WITHDRAWN: 20, RS.EXPIRED: 10}
REFERRAL_MOVES = {
    RS.DRAFT: [[]],
    RS.SENT: [[RS.SENT]],
    RS.ACKNOWLEDGED: [[RS.SENT, RS.ACKNOWLEDGED]],
    RS.ACCEPTED: [[RS.SENT, RS.ACKNOWLEDGED, RS.ACCEPTED]],
    RS.COMPLETED: [[RS.SENT, RS.ACKNOWLEDGED, RS.ACCEPTED, RS.COMPLETED]],
    RS.DECLINED: [[RS.SENT, RS.DECLINED], [RS.SENT, RS.ACKNOWLEDGED, RS.DECLINED]],
    RS.WITHDRAWN: [
        [RS.WITHDRAWN],
        [RS.SENT, RS.WITHDRAWN],
        [RS.SENT, RS.ACKNOWLEDGED, RS.WITHDRAWN],
        [RS.SENT, RS.ACKNOWLEDGED, RS.ACCEPTED, RS.WITHDRAWN],
    ],
    RS.EXPIRED: [[RS.SENT, RS.EXPIRED]],
}
# Open referrals are recent: the reminder jobs see what they would see live.
OPEN_REFERRAL_WINDOW = {RS.DRAFT: timedelta(days=20), RS.ACCEPTED: timedelta(days=60)}
CHECKIN_RATE = 0.02  # of open, high-risk cases being worked: a few hundred per 100,000

# Aliases are the names people give: the region's, each as an operator may
# write it, in Latin or in Cyrillic letters (about half and half), so that a
# search typed in one alphabet has the other's cases to find.
NAMES = [
    ("Ruslan", "Руслан"), ("Khadizhat", "Хадижат"), ("Yulia", "Юлия"), ("Magomed", "Магомед"),
    ("Zelimkhan", "Зелимхан"), ("Aslan", "Аслан"), ("Madina", "Мадина"), ("Amina", "Амина"),
    ("Islam", "Ислам"), ("Ramzan", "Рамзан"), ("Said", "Саид"), ("Timur", "Тимур"),
    ("Shamil", "Шамиль"), ("Zaur", "Заур"), ("Kheda", "Хеда"), ("Zarema", "Зарема"),
    ("Malika", "Малика"), ("Aminat", "Аминат"), ("Patimat", "Патимат"), ("Aishat", "Айшат"),
    ("Artyom", "Артём"), ("Dmitry", "Дмитрий"), ("Alexei", "Алексей"), ("Ilya", "Илья"),
    ("Darya", "Дарья"), ("Natalya", "Наталья"), ("Elena", "Елена"), ("Olga", "Ольга"),
    ("Maryam", "Марьям"), ("Ibragim", "Ибрагим"), ("Murad", "Мурад"), ("Arsen", "Арсен"),
    ("Alikhan", "Алихан"), ("Elvira", "Эльвира"), ("Fatima", "Фатима"), ("Leyla", "Лейла"),
    ("Rustam", "Рустам"), ("Akhmed", "Ахмед"), ("Umar", "Умар"), ("Yusuf", "Юсуф"),
]  # fmt: skip

PARTNER_NAMES = [
    "Safe Harbour",
    "North Star",
    "Open Door",
    "Mountain Path",
    "Quiet Room",
    "Bridge Project",
    "Second Home",
    "Clear Sky",
    "Lighthouse",
    "Crossing Point",
]
PARTNER_KINDS = [
    (PartnerKind.SHELTER, [Need.SHELTER, Need.EVACUATION]),
    (PartnerKind.LEGAL, [Need.LEGAL, Need.DOCUMENTS]),
    (PartnerKind.MEDICAL, [Need.MEDICAL, Need.PSYCHOLOGICAL]),
    (
        PartnerKind.RELOCATION,
        [Need.RELOCATION_ABROAD, Need.RELOCATION_DOMESTIC, Need.EVACUATION, Need.DOCUMENTS],
    ),
    (PartnerKind.EMBASSY, [Need.DOCUMENTS, Need.RELOCATION_ABROAD]),
    (PartnerKind.FINANCIAL, [Need.MONEY]),
    (PartnerKind.OTHER, [Need.DIGITAL_SAFETY, Need.PSYCHOLOGICAL]),
]
NOTES = [
    "Spoke briefly on Telegram; safe for now, will write again tomorrow evening.",
    "No answer to two messages. Last seen online yesterday. Trying the safe contact.",
    "Confirmed identity through the friend who referred them. Story matches the first call.",
    "Family is looking for them; a cousin came to the flat. Needs to move within two days.",
    "Lawyer consulted: the summons has no legal force yet. Advised not to go alone.",
    "Bought train tickets for Thursday through a volunteer. Phone will be switched off on the way.",
    "Psychologist session booked; they asked for a Russian speaker, not from the region.",
    "Received money for food and a SIM card. Asked to stop using the old number entirely.",
    "Reports being followed near the bus station. Moved to another address tonight.",
    "Documents: passport is with the family. Started the application for a replacement.",
    "Arrived at the shelter. Tired but well. Next step: visa appointment next week.",
    "Call dropped after a minute; later wrote that a relative came in. Do not call back.",
    "Checked the phone together for stalkerware and removed the shared cloud account. "
    "Set up a new messenger with a PIN and disappearing messages.",
    "Long conversation about options abroad versus inside Russia. Prefers to stay near "
    "the sister in Moscow for now; agreed to revisit in two weeks if the threats go on.",
]
SUMMARIES = [
    "Needs a safe place for about two weeks while documents are prepared; speaks Russian.",
    "Young adult at risk of family violence; needs a shelter place outside the region now.",
    "Detained once already; needs a lawyer before a hearing expected within a month.",
    "Needs help with a foreign passport and a visa; has a valid internal passport.",
    "Needs psychological support after detention; prefers sessions online in Russian.",
    "Needs emergency money for food and transport for the next ten days.",
    "Travelling with one small bag; will arrive by bus, needs to be met at the station.",
]
DECLINE_REASONS = [
    "No free places this month.",
    "Outside our area of work.",
    "We cannot take cases involving minors' custody.",
    "The person did not answer our messages.",
]
OUTCOMES = [
    "Stayed three weeks, moved on safely.",
    "Visa issued; travelled as planned.",
    "Lawyer represented them at the hearing; case dropped.",
    "Six sessions completed.",
    "",
]
CONTACTS = [
    "Signal: +995 5{n:02d} {m:03d} {k:03d}; coordinator on duty, answers 9-21.",
    "Write to intake{n}@example.org with the word 'parcel' in the subject.",
    "Telegram @desk_{m}; voice calls only after a written hello.",
]


def pick(rng: random.Random, table: dict):
    return rng.choices(tuple(table), tuple(table.values()))[0]


def pick_some(rng: random.Random, table: dict, most: int) -> list:
    chosen: set = set()
    wanted = rng.randint(1, most)
    while len(chosen) < wanted:
        chosen.add(pick(rng, table))
    return sorted(chosen)


def between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    return start + (end - start) * rng.random()
