"""Load invented demo data: teams, one user per role, and about fifty cases.

In English or in Russian (`--language ru`, and by default when the site's
language is Russian): aliases, stories, notes, teams and partners are
invented, and name no real person or organisation.
"""

import io
import random
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from PIL import Image, ImageDraw

from accounts.models import (
    STAFF_ROLES,
    Role,
    Team,
    User,
    admin_role_permissions,
    auditor_role_permissions,
)
from core.env import env_secret
from evacuations import services as evacuation_services
from evacuations.models import Plan, RouteTemplate, RouteTemplateLeg
from evacuations.status import PlanStatus
from evidence import services as evidence_services
from evidence.uploads import receive_bytes
from intake import services
from intake.choices import Channel, Language, Need, Region, Risk, Threat
from intake.models import Case
from intake.status import ClosureReason, Status
from referrals import services as referral_services
from referrals.models import Partner, PartnerStaff

# Teams by key; their names are in the language of the demo (TEXTS below).
USERS = [
    ("operator", Role.OPERATOR, ["north"]),
    ("caseworker", Role.CASEWORKER, ["north"]),
    ("coordinator", Role.COORDINATOR, ["north"]),
    ("caseworker.south", Role.CASEWORKER, ["south"]),
    ("partner", Role.PARTNER, []),
    ("auditor", Role.AUDITOR, []),
    ("admin", Role.ADMIN, []),
]
# The last partner is inactive; their names are in TEXTS, in this order.
PARTNERS = [
    (
        "shelter",
        ["shelter", "evacuation"],
        ["chechnya", "dagestan", "ingushetia"],
        ["RU"],
        ["ru", "ce"],
        4,
        12,
    ),
    (
        "relocation",
        ["relocation_abroad", "documents", "evacuation"],
        [],
        ["GE", "AM", "DE"],
        ["ru", "en"],
        None,
        24,
    ),
    (
        "legal",
        ["legal", "documents"],
        ["chechnya", "dagestan", "kabardino_balkaria"],
        ["RU"],
        ["ru"],
        None,
        48,
    ),
    (
        "medical",
        ["psychological", "medical"],
        [],
        ["RU", "GE"],
        ["ru", "en"],
        10,
        24,
    ),
    ("shelter", ["shelter"], ["dagestan"], ["RU"], ["ru"], 0, 24),
]
PARTNER_NAMES = [
    "Safe House North (demo)",
    "Rainbow Route (demo)",
    "Legal Shield (demo)",
    "Mind Care (demo)",
    "Old Shelter (inactive demo)",
]
ALIASES = [
    "Sparrow",
    "Lynx",
    "Birch",
    "Comet",
    "Falcon",
    "Pebble",
    "Juniper",
    "Orion",
    "Maple",
    "Heron",
    "Quartz",
    "Willow",
    "Kestrel",
    "Cedar",
    "Nimbus",
    "Otter",
]
PLACES = [
    "a friend's flat, city centre",
    "a relative's village house",
    "a rented room near the station",
    "moving between friends",
    "hostel, booked for three nights",
    "unknown: phone switched off",
]
SAFE_CONTACT = [
    "Never call; relatives listen. Text only after 22:00.",
    "Write first with the word 'tickets'. If the answer is 'wrong number', stop.",
    "Voice calls only from a new number; shared phone in the daytime.",
    "",
]
STORIES = [
    "Detained for two days after a chat was found on a friend's phone; released on condition of reporting back. Believes the police kept the phone.",
    "Family found out and is arranging a forced marriage; brother has threatened to kill them. Needs to leave the region within days.",
    "Being blackmailed by a stranger met through a dating app who now demands money and names of others.",
    "Received a summons that looks like a pretext for a fabricated case. Lawyer needed before the hearing.",
    "Was taken to a 'treatment' centre by relatives last year; fears being sent back. Needs shelter and documents.",
    "Colleague outed them at work; lost job and housing. Wants relocation abroad and psychological support.",
]

# Invented routes: (from, to, [(leg kind, partner role, typical days)]); names in TEXTS.
ROUTES = [
    (
        "chechnya",
        "GE",
        [
            ("leave_region", "", 1),
            ("shelter", "shelter", 5),
            ("travel", "", 1),
            ("border", "", 1),
            ("arrival", "relocation", 0),
        ],
    ),
    (
        "dagestan",
        "AM",
        [
            ("leave_region", "", 1),
            ("documents", "embassy", 14),
            ("travel", "", 1),
            ("arrival", "relocation", 0),
        ],
    ),
]


def demo_image() -> bytes:
    """A made-up "photo" whose EXIF names a camera and a place, as a phone's would."""
    image = Image.new("RGB", (480, 320), (214, 220, 229))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, 440, 280), outline=(60, 60, 60), width=4)
    for y in range(90, 260, 30):
        draw.line((70, y, 410, y), fill=(120, 120, 120), width=3)
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "DemoPhone", "DemoPhone 12"  # make, model
    exif[0x8825] = {1: "N", 2: (43.0, 19.0, 0.0), 3: "E", 4: (45.0, 41.0, 0.0)}  # GPS
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=85)
    return out.getvalue()


def demo_files(texts: dict) -> list[tuple[str, bytes, str]]:
    photo, chat, chat_text = texts["files"]
    return [
        ("IMG_0412.jpg", demo_image(), photo),
        ("chat.txt", chat_text.encode(), chat),
    ]


TEXTS = {
    "en": {
        "teams": {"north": "North hotline", "south": "South relocation"},
        "partners": PARTNER_NAMES,
        "partner_contact": "Demo contact: ask the coordinator",
        "aliases": ALIASES,
        "places": PLACES,
        "safe_contact": SAFE_CONTACT,
        "stories": STORIES,
        "note": "Check-in {n}: spoke briefly, safe for now.",
        "referral_summary": "Needs a safe place for about two weeks; speaks Russian.",
        "routes": ["North Caucasus – Tbilisi by road", "Dagestan – Yerevan with a visa"],
        "files": [
            "Photo of the summons (a demo image: its metadata names a camera and a place)",
            "Threats saved from the chat",
            "Saved messages, 12 March:\n— We know where you live. Leave or we tell your family.\n",
        ],
        "city": "Tbilisi",
        "leg_details": "Meet at the bus station, blue jacket. Driver: call the coordinator.",
    },
    "ru": {
        "teams": {"north": "Горячая линия «Север»", "south": "Группа переселения «Юг»"},
        "partners": [
            "Убежище «Северный дом» (демо)",
            "Программа «Радужный путь» (демо)",
            "Правовой щит (демо)",
            "Психологическая служба «Опора» (демо)",
            "Старое убежище (неактивно, демо)",
        ],
        "partner_contact": "Демо-контакт: спросите координатора",
        "aliases": [
            "Воробей",
            "Рысь",
            "Берёза",
            "Комета",
            "Сокол",
            "Галька",
            "Можжевельник",
            "Орион",
            "Клён",
            "Цапля",
            "Кварц",
            "Ива",
            "Пустельга",
            "Кедр",
            "Облако",
            "Выдра",
        ],
        "places": [
            "квартира знакомых в центре города",
            "деревенский дом родственников",
            "съёмная комната у вокзала",
            "ночует у разных друзей",
            "хостел, оплачено три ночи",
            "неизвестно: телефон выключен",
        ],
        "safe_contact": [
            "Никогда не звонить: родственники слушают. Писать только после 22:00.",
            "Первым сообщением написать слово «билеты». Если ответ «не туда попали» — прекратить.",
            "Голосом — только с нового номера; днём телефоном пользуется вся семья.",
            "",
        ],
        "stories": [
            "Двое суток держали в отделе после того, как нашли переписку в телефоне знакомого; "
            "отпустили с условием «докладывать». Телефон, скорее всего, остался в полиции.",
            "Семья узнала и готовит принудительный брак; брат угрожает убийством. "
            "Уехать из региона нужно в ближайшие дни.",
            "Шантаж: человек из приложения знакомств требует денег и имён других людей.",
            "Пришла повестка, похожая на предлог для сфабрикованного дела. "
            "Адвокат нужен до заседания.",
            "В прошлом году родственники отвезли в «центр исцеления»; есть страх, что отправят "
            "снова. Нужны убежище и документы.",
            "После аутинга на работе — ни работы, ни жилья. Просит помочь с переездом за границу "
            "и с психологической поддержкой.",
        ],
        "note": "Выход на связь {n}: коротко поговорили, пока в безопасности.",
        "referral_summary": "Нужно безопасное место примерно на две недели; говорит по-русски.",
        "routes": ["Северный Кавказ – Тбилиси по дороге", "Дагестан – Ереван с визой"],
        "files": [
            "Фото повестки (демо-снимок: в метаданных камера и место съёмки)",
            "Угрозы, сохранённые из чата",
            "Сохранённые сообщения, 12 марта:\n— Мы знаем, где ты живёшь. Уезжай, или расскажем семье.\n",
        ],
        "city": "Тбилиси",
        "leg_details": "Встреча на автовокзале, синяя куртка. Водитель свяжется с координатором.",
    },
}


def handle_name(alias: str) -> str:
    """A messenger handle is Latin: a Russian alias gives a neutral one."""
    name = alias.split()[0].lower()
    return name if name.isascii() else "contact"


def default_language() -> str:
    """The site's language when the demo speaks it (LANGUAGE_CODE "ru" or "ru-ru"), else English."""
    code = settings.LANGUAGE_CODE.lower().split("-")[0]
    return code if code in TEXTS else "en"


class Command(BaseCommand):
    help = "Create demo teams, one user per role and ~50 invented cases (embedded SQLite only)."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=50)
        parser.add_argument(
            "--force", action="store_true", help="allow a database other than SQLite"
        )
        parser.add_argument(
            "--language",
            choices=sorted(TEXTS),
            help="language of the invented content (default: the site's, else English)",
        )

    def handle(self, *args, cases: int, force: bool, language: str | None = None, **options):
        if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3" and not force:
            raise CommandError("Demo data is for the embedded SQLite database; use --force.")
        language = language or default_language()
        if language not in TEXTS:  # call_command does not check an option's choices
            raise CommandError(
                f"No demo in {language!r}; choose one of {', '.join(sorted(TEXTS))}."
            )
        self.texts = TEXTS[language]
        password = env_secret("DEMO_PASSWORD")
        with transaction.atomic():
            users = self.create_users(password, language)
            if not Case.objects.exists():
                self.create_cases(cases, users)
                self.create_partners_and_referrals(users)
                self.create_evacuations(users)
                self.create_files(users)
        with translation.override(language):
            roles = "\n  ".join(f"{name:18} {role.label}" for name, role, _ in USERS)
        self.stdout.write(
            self.style.SUCCESS("Demo logins (password for all): ") + password + "\n  " + roles
        )
        # The demo's portal sends requests to the first team (make run reads this file).
        team = self.team("north").name
        (settings.VAR_DIR / "demo_portal_team").write_text(team + "\n", encoding="utf-8")
        self.stdout.write(
            self.style.SUCCESS("The person's portal: ")
            + f"{settings.PORTAL_PATH} (requests go to the team {team})"
        )

    def team(self, key: str) -> Team:
        return Team.objects.get_or_create(name=self.texts["teams"][key])[0]

    def create_users(self, password: str, language: str) -> dict[str, User]:
        users = {}
        for name, role, team_keys in USERS:
            user, created = User.objects.get_or_create(
                username=name,
                defaults={"role": role, "is_staff": role in STAFF_ROLES},
            )
            if created:
                user.set_password(password)
                # A Russian demo speaks Russian whatever the browser asks; English follows it.
                user.language = "" if language == "en" else language
                user.save()
                user.teams.set(self.team(key) for key in team_keys)
                if role == Role.ADMIN:
                    user.user_permissions.set(admin_role_permissions())
                if role == Role.AUDITOR:
                    user.user_permissions.set(auditor_role_permissions())
            users[name] = user
        return users

    def create_partners_and_referrals(self, users: dict[str, User]) -> None:
        north = self.team("north")
        partners = [
            Partner.objects.create(
                team=north,
                name=name,
                kind=kind,
                services=services,
                regions=regions,
                countries=countries,
                languages=languages,
                capacity=capacity,
                ack_deadline_hours=hours,
                contact_details=self.texts["partner_contact"],
            )
            for name, (kind, services, regions, countries, languages, capacity, hours) in zip(
                self.texts["partners"], PARTNERS, strict=True
            )
        ]
        Partner.objects.filter(pk=partners[-1].pk).update(active=False)
        PartnerStaff.objects.get_or_create(user=users["partner"], partner=partners[0])
        # Invented demo data, not security: a seeded generator is the point.
        rng = random.Random(7)  # nosec B311
        worker = users["caseworker"]
        open_cases = Case.objects.filter(team=north).exclude(status=Status.CLOSED)
        for case in open_cases.order_by("pk")[:8]:
            partner = rng.choice(partners[:3])
            referral = referral_services.referral_draft(
                case=case,
                partner=partner,
                service=partner.services[0],
                by=worker,
                data={
                    "summary": self.texts["referral_summary"],
                    "shared_fields": ["alias", "needs", "languages", "risk"],
                    "consent_given": True,
                    "consent_at": timezone.now(),
                    "consent_channel": "messenger",
                    "complete_by": None,
                },
            )
            for step in ["sent", "acknowledged", "accepted"][: rng.randint(0, 3)]:
                referral_services.referral_move(
                    referral=referral, to=step, by=users["partner"] if step != "sent" else worker
                )

    def create_evacuations(self, users: dict[str, User]) -> None:
        """Two routes with a history, and two evacuations under way (one arrival overdue)."""
        rng = random.Random(9)  # nosec B311
        worker = users["caseworker"]
        routes = []
        for name, (region, country, legs) in zip(self.texts["routes"], ROUTES, strict=True):
            route = RouteTemplate.objects.create(
                name=name, origin_region=region, destination_country=country
            )
            for position, (kind, partner_kind, days) in enumerate(legs, start=1):
                RouteTemplateLeg.objects.create(
                    template=route,
                    position=position,
                    kind=kind,
                    partner_kind=partner_kind,
                    typical_days=days,
                )
            routes.append(route)
        # Evacuations that arrived in earlier quarters, so the route figures
        # show numbers (and, for the second route, what a small count hides).
        now = timezone.now()
        out = Case.objects.filter(
            Q(status=Status.RELOCATED) | Q(closure_reason=ClosureReason.STABLE)
        )
        for i, case in enumerate(out.order_by("pk").values_list("pk", flat=True)):
            route = routes[1] if i % 4 == 3 else routes[0]
            closed = now - timedelta(days=rng.randint(100, 400))
            Plan.objects.create(
                case_id=case,
                destination_country=route.destination_country,
                template=route,
                status=PlanStatus.COMPLETED,
                started_at=closed - timedelta(days=rng.randint(12, 40)),
                arrived_at=closed,
                closed_at=closed,
                created_by=worker,
            )
        moving = Case.objects.filter(team=self.team("north"), status=Status.IN_TRANSIT)
        for case, overdue in zip(moving.order_by("pk")[:2], (False, True), strict=False):
            plan = evacuation_services.plan_open(
                case=case,
                data={"destination_country": "GE", "destination_city": self.texts["city"]},
                template=routes[0],
                start_on=(now - timedelta(days=8 if overdue else 3)).date(),
                by=worker,
            )
            legs = list(plan.legs.all())
            for leg in legs[:2]:
                evacuation_services.leg_start(leg=leg, by=worker)
                evacuation_services.leg_arrived(leg=leg, by=worker)
            leg = legs[2]
            leg.details = self.texts["leg_details"]
            leg.save(update_fields=["details"])
            evacuation_services.leg_start(leg=leg, by=worker)

    def create_files(self, users: dict[str, User]) -> None:
        """A photo whose metadata says where it was taken, and a saved chat, on one case:
        the working copy shows what cleaning removed."""
        case = Case.objects.filter(team=self.team("north")).exclude(status=Status.CLOSED).first()
        if case is None:
            return
        for name, data, description in demo_files(self.texts):
            evidence_services.file_add(
                case=case,
                upload=receive_bytes(name, data),
                description=description,
                by=users["caseworker"],
                max_pixels=settings.MAX_IMAGE_PIXELS,
            )

    def create_cases(self, count: int, users: dict[str, User]) -> None:
        # The same invented demo on every machine.
        rng = random.Random(20261123)  # nosec B311
        north, south = self.team("north"), self.team("south")
        texts = self.texts
        walk = [
            Status.VERIFYING,
            Status.ACTIVE,
            Status.SHELTERED,
            Status.IN_TRANSIT,
            Status.RELOCATED,
        ]
        now = timezone.now()
        for i in range(count):
            team = north if i % 5 else south
            worker = users["caseworker"] if team == north else users["caseworker.south"]
            alias = f"{rng.choice(texts['aliases'])} {i + 1}"
            channel = rng.choice(Channel.values)
            handle = (
                f"+7 900 000-{i:02d}-{rng.randint(10, 99)}"
                if channel in {Channel.PHONE, Channel.WHATSAPP, Channel.SIGNAL}
                else f"@demo_{handle_name(alias)}_{i + 1}"
            )
            case = services.case_create(
                team=team,
                by=users["operator"],
                data={
                    "alias": alias,
                    "contact_channel": channel,
                    "contact_handle": handle,
                    "safe_contact": rng.choice(texts["safe_contact"]),
                    "region": rng.choice(Region.values),
                    "location": rng.choice(texts["places"]),
                    "threats": rng.sample(Threat.values, rng.randint(1, 3)),
                    "needs": rng.sample(Need.values, rng.randint(1, 3)),
                    "languages": ["ru", *rng.sample(Language.values[1:], rng.randint(0, 1))],
                    "risk": rng.choice(Risk.values),
                    "narrative": rng.choice(texts["stories"]),
                },
            )
            Case.objects.filter(pk=case.pk).update(
                created_at=now - timedelta(hours=rng.randint(1, 24 * 60))
            )
            case.refresh_from_db()
            for target in walk[: rng.randint(0, len(walk))]:
                services.case_move(case=case, to=target, by=worker)
            if rng.random() < 0.15:
                services.case_move(
                    case=case,
                    to=Status.CLOSED,
                    by=worker,
                    closure_reason=rng.choice(ClosureReason.values),
                )
            if rng.random() < 0.5:
                case.assignee = worker
                case.follow_up_on = (now + timedelta(days=rng.randint(-5, 14))).date()
                case.save(update_fields=["assignee", "follow_up_on"])
            for n in range(rng.randint(0, 3)):
                services.note_add(case=case, by=worker, body=texts["note"].format(n=n + 1))
            if rng.random() < 0.06:
                services.case_mark_compromised(case=case, by=worker)
