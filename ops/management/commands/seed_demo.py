"""Load invented demo data: teams, one user per role, and about fifty cases."""

import random
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import (
    STAFF_ROLES,
    Role,
    Team,
    User,
    admin_role_permissions,
    auditor_role_permissions,
)
from config.env import env_secret
from evacuations import services as evacuation_services
from evacuations.models import Plan, RouteTemplate, RouteTemplateLeg
from evacuations.status import PlanStatus
from intake import services
from intake.choices import Channel, Language, Need, Region, Risk, Threat
from intake.models import Case
from intake.status import ClosureReason, Status
from referrals import services as referral_services
from referrals.models import Partner, PartnerStaff

USERS = [
    ("operator", Role.OPERATOR, ["North hotline"]),
    ("caseworker", Role.CASEWORKER, ["North hotline"]),
    ("coordinator", Role.COORDINATOR, ["North hotline"]),
    ("caseworker.south", Role.CASEWORKER, ["South relocation"]),
    ("partner", Role.PARTNER, []),
    ("auditor", Role.AUDITOR, []),
    ("admin", Role.ADMIN, []),
]
PARTNERS = [
    (
        "Safe House North (demo)",
        "shelter",
        ["shelter", "evacuation"],
        ["chechnya", "dagestan", "ingushetia"],
        ["RU"],
        ["ru", "ce"],
        4,
        12,
    ),
    (
        "Rainbow Route (demo)",
        "relocation",
        ["relocation_abroad", "documents", "evacuation"],
        [],
        ["GE", "AM", "DE"],
        ["ru", "en"],
        None,
        24,
    ),
    (
        "Legal Shield (demo)",
        "legal",
        ["legal", "documents"],
        ["chechnya", "dagestan", "kabardino_balkaria"],
        ["RU"],
        ["ru"],
        None,
        48,
    ),
    (
        "Mind Care (demo)",
        "medical",
        ["psychological", "medical"],
        [],
        ["RU", "GE"],
        ["ru", "en"],
        10,
        24,
    ),
    ("Old Shelter (inactive demo)", "shelter", ["shelter"], ["dagestan"], ["RU"], ["ru"], 0, 24),
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

# Invented routes: (name, from, to, [(leg kind, partner role, typical days)]).
ROUTES = [
    (
        "North Caucasus – Tbilisi by road",
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
        "Dagestan – Yerevan with a visa",
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


class Command(BaseCommand):
    help = "Create demo teams, one user per role and ~50 invented cases (embedded SQLite only)."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=50)
        parser.add_argument(
            "--force", action="store_true", help="allow a database other than SQLite"
        )

    def handle(self, *args, cases: int, force: bool, **options):
        if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3" and not force:
            raise CommandError("Demo data is for the embedded SQLite database; use --force.")
        password = env_secret("DEMO_PASSWORD")
        with transaction.atomic():
            users = self.create_users(password)
            if not Case.objects.exists():
                self.create_cases(cases, users)
                self.create_partners_and_referrals(users)
                self.create_evacuations(users)
        self.stdout.write(
            self.style.SUCCESS("Demo logins (password for all): ")
            + password
            + "\n  "
            + "\n  ".join(f"{name:18} {role.label}" for name, role, _ in USERS)
        )

    def create_users(self, password: str) -> dict[str, User]:
        users = {}
        for name, role, team_names in USERS:
            user, created = User.objects.get_or_create(
                username=name,
                defaults={"role": role, "is_staff": role in STAFF_ROLES},
            )
            if created:
                user.set_password(password)
                user.save()
                user.teams.set(Team.objects.get_or_create(name=t)[0] for t in team_names)
                if role == Role.ADMIN:
                    user.user_permissions.set(admin_role_permissions())
                if role == Role.AUDITOR:
                    user.user_permissions.set(auditor_role_permissions())
            users[name] = user
        return users

    def create_partners_and_referrals(self, users: dict[str, User]) -> None:
        north = Team.objects.get(name="North hotline")
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
                contact_details="Demo contact: ask the coordinator",
            )
            for name, kind, services, regions, countries, languages, capacity, hours in PARTNERS
        ]
        Partner.objects.filter(name__contains="inactive").update(active=False)
        PartnerStaff.objects.get_or_create(user=users["partner"], partner=partners[0])
        # Invented demo data, not security: a seeded generator is the point.
        rng = random.Random(7)  # nosec B311
        worker = users["caseworker"]
        open_cases = Case.objects.filter(team__name="North hotline").exclude(status=Status.CLOSED)
        for case in open_cases.order_by("pk")[:8]:
            partner = rng.choice(partners[:3])
            referral = referral_services.referral_draft(
                case=case,
                partner=partner,
                service=partner.services[0],
                by=worker,
                data={
                    "summary": "Needs a safe place for about two weeks; speaks Russian.",
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
        for name, region, country, legs in ROUTES:
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
        moving = Case.objects.filter(team__name="North hotline", status=Status.IN_TRANSIT)
        for case, overdue in zip(moving.order_by("pk")[:2], (False, True), strict=False):
            plan = evacuation_services.plan_open(
                case=case,
                data={"destination_country": "GE", "destination_city": "Tbilisi"},
                template=routes[0],
                start_on=(now - timedelta(days=8 if overdue else 3)).date(),
                by=worker,
            )
            legs = list(plan.legs.all())
            for leg in legs[:2]:
                evacuation_services.leg_start(leg=leg, by=worker)
                evacuation_services.leg_arrived(leg=leg, by=worker)
            leg = legs[2]
            leg.details = "Meet at the bus station, blue jacket. Driver: call the coordinator."
            leg.save(update_fields=["details"])
            evacuation_services.leg_start(leg=leg, by=worker)

    def create_cases(self, count: int, users: dict[str, User]) -> None:
        # The same invented demo on every machine.
        rng = random.Random(20261123)  # nosec B311
        north = Team.objects.get(name="North hotline")
        south = Team.objects.get(name="South relocation")
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
            alias = f"{rng.choice(ALIASES)} {i + 1}"
            channel = rng.choice(Channel.values)
            handle = (
                f"+7 900 000-{i:02d}-{rng.randint(10, 99)}"
                if channel in {Channel.PHONE, Channel.WHATSAPP, Channel.SIGNAL}
                else f"@demo_{alias.split()[0].lower()}_{i + 1}"
            )
            case = services.case_create(
                team=team,
                by=users["operator"],
                data={
                    "alias": alias,
                    "contact_channel": channel,
                    "contact_handle": handle,
                    "safe_contact": rng.choice(SAFE_CONTACT),
                    "region": rng.choice(Region.values),
                    "location": rng.choice(PLACES),
                    "threats": rng.sample(Threat.values, rng.randint(1, 3)),
                    "needs": rng.sample(Need.values, rng.randint(1, 3)),
                    "languages": ["ru", *rng.sample(Language.values[1:], rng.randint(0, 1))],
                    "risk": rng.choice(Risk.values),
                    "narrative": rng.choice(STORIES),
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
                services.note_add(
                    case=case, by=worker, body=f"Check-in {n + 1}: spoke briefly, safe for now."
                )
            if rng.random() < 0.06:
                services.case_mark_compromised(case=case, by=worker)
