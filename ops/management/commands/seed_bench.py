"""Build the benchmark's invented data set with bulk inserts.

    python manage.py seed_bench --cases 100000

It fills a database of its own (a throwaway SQLite file or PostgreSQL
database): it refuses one that already holds cases unless given --force,
and it has no undo. To start over, drop that database and migrate a new one.
"""

import gc
import random
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Role, Team, User
from audit.models import Action, AuditEvent
from audit.services import append, ip_hash
from crypto.blind_index import blind_index
from intake.choices import Channel, Language, Region, Risk, Verification
from intake.models import Case, CheckIn, FlaggedHandle, Note, SearchToken, StatusChange
from intake.search import search_tokens
from intake.status import ClosureReason, Status
from ops import bench_data as data
from ops.management.commands.seed_demo import PLACES, SAFE_CONTACT, STORIES
from referrals.models import (
    ConsentChannel,
    Country,
    Partner,
    PartnerKind,
    PartnerStaff,
    Referral,
    ReferralChange,
    SharedField,
)
from referrals.status import PARTNER_MOVES, ReferralStatus
from referrals.status import TERMINAL as REFERRAL_TERMINAL

BENCH_TEAM = "Bench team"
TEAMS = 4
CASEWORKERS = 8
COORDINATORS = 2
PARTNERS = 30
BATCH = 2000
SPAN = timedelta(days=3 * 365)

S = Status
RS = ReferralStatus
CR = ClosureReason


@contextmanager
def keeping_updated_at():
    """Let bulk_create store the generated last activity, not the time of the insert."""
    updated_at = Case._meta.get_field("updated_at")
    updated_at.auto_now = False
    try:
        yield
    finally:
        updated_at.auto_now = True


@dataclass
class Crew:
    team: Team
    operator: User
    caseworkers: list[User]
    coordinators: list[User]

    @property
    def workers(self) -> list[User]:
        return self.caseworkers + self.coordinators


@dataclass
class Batch:
    cases: list[Case] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    changes: list[StatusChange] = field(default_factory=list)
    referrals: list[Referral] = field(default_factory=list)
    referral_changes: list[ReferralChange] = field(default_factory=list)
    checkins: list[CheckIn] = field(default_factory=list)
    flagged: list[FlaggedHandle] = field(default_factory=list)

    def write(self) -> None:
        with transaction.atomic(), keeping_updated_at():
            Case.objects.bulk_create(self.cases, batch_size=BATCH)
            Note.objects.bulk_create(self.notes, batch_size=BATCH)
            StatusChange.objects.bulk_create(self.changes, batch_size=BATCH)
            Referral.objects.bulk_create(self.referrals, batch_size=BATCH)
            ReferralChange.objects.bulk_create(self.referral_changes, batch_size=BATCH)
            CheckIn.objects.bulk_create(self.checkins, batch_size=BATCH)
            FlaggedHandle.objects.bulk_create(self.flagged, ignore_conflicts=True)
            # What case_create writes, which bulk inserts bypass: the alias's
            # search tokens, now that the cases have their ids.
            SearchToken.objects.bulk_create(
                [token for case in self.cases for token in search_tokens(case)], batch_size=BATCH
            )


class Command(BaseCommand):
    help = "Fill an empty database with an invented benchmark data set (bulk inserts)."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=20260101, help="same seed, same data")
        parser.add_argument(
            "--force", action="store_true", help="add to a database that already holds cases"
        )

    def handle(self, *args, cases: int, seed: int, force: bool, **options):
        if cases < 1:
            raise CommandError("--cases must be at least 1.")
        if Case.objects.exists() and not force:
            if Case.objects.exclude(team__name__startswith=BENCH_TEAM).exists():
                raise CommandError(
                    "This database holds cases that are not bench data. seed_bench fills a "
                    "database of its own; pass --force to add to this one anyway."
                )
            raise CommandError(
                "This database already holds bench data. Migrate a fresh one, "
                "or pass --force to add more."
            )
        started = time.monotonic()
        self.stdout.write(f"Seeding {cases:,} cases on {connection.vendor} (seed {seed})")
        # Millions of short-lived model instances and no cycles among them:
        # the cyclic collector would only add a sixth to the run time.
        gc.disable()
        try:
            counts = self.seed(cases, seed, started)
        finally:
            gc.enable()
        if connection.vendor == "postgresql":
            # Autovacuum would vacuum and analyze tables filled this fast
            # within minutes: measure the database a live system has, with
            # statistics for the planner and a visibility map that lets a
            # count read an index alone, not one just bulk-loaded.
            # VACUUM cannot run inside a transaction (a test's, say): analyze only.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        for name, count in counts.items():
            self.stdout.write(f"{name:>18}: {count:,}")
        self.stdout.write(
            self.style.SUCCESS(f"Done in {time.monotonic() - started:.1f} s.")
            + " Users have no password: log in with force_login."
        )

    def seed(self, cases: int, seed: int, started: float) -> dict[str, int]:
        # Invented benchmark data, not security: a seeded generator is the point.
        rng = random.Random(seed)  # nosec B311
        with transaction.atomic():
            crews = create_crews()
            partners, partner_staff = create_partners(rng, [crew.team for crew in crews])
        seeder = Seeder(rng, crews, partners, partner_staff)
        # Oldest first, so ids rise with creation time as they would live.
        ages = sorted((rng.random() ** 1.3 for _ in range(cases)), reverse=True)
        for start in range(0, cases, BATCH):
            batch = Batch()
            for i in range(start, min(start + BATCH, cases)):
                seeder.add_case(batch, i, ages[i])
            batch.write()
            seeder.count(batch)
            done = min(start + BATCH, cases)
            if done * 10 // cases != start * 10 // cases or done == cases:
                self.stdout.write(f"  {done:>9,} cases  {time.monotonic() - started:6.1f} s")
        seeder.write_audit_events()
        self.stdout.write(f"  audit chain written  {time.monotonic() - started:6.1f} s")
        return seeder.counts


def create_crews() -> list[Crew]:
    crews = []
    for t in range(1, TEAMS + 1):
        team, _ = Team.objects.get_or_create(name=f"{BENCH_TEAM} {t}")
        crews.append(
            Crew(
                team=team,
                operator=bench_user(f"t{t}-operator", Role.OPERATOR, team),
                caseworkers=[
                    bench_user(f"t{t}-caseworker-{k}", Role.CASEWORKER, team)
                    for k in range(1, CASEWORKERS + 1)
                ],
                coordinators=[
                    bench_user(f"t{t}-coordinator-{k}", Role.COORDINATOR, team)
                    for k in range(1, COORDINATORS + 1)
                ],
            )
        )
    return crews


def bench_user(name: str, role: str, team: Team | None = None) -> User:
    user = User.objects.filter(username=f"bench-{name}").first()
    if user is None:
        user = User(username=f"bench-{name}", role=role)
        user.set_unusable_password()
        user.save()
        if team is not None:
            user.teams.add(team)
    return user


def create_partners(rng: random.Random, teams: list[Team]) -> tuple[list[Partner], dict[int, User]]:
    partners, staff = [], {}
    for i in range(PARTNERS):
        kind, services = data.PARTNER_KINDS[i % len(data.PARTNER_KINDS)]
        name = f"{data.PARTNER_NAMES[i % len(data.PARTNER_NAMES)]} {kind.label} {i + 1:02d} (bench)"
        counts_places = kind == PartnerKind.SHELTER or (
            kind == PartnerKind.RELOCATION and rng.random() < 0.5
        )
        contact = rng.choice(data.CONTACTS).format(
            n=rng.randint(10, 99), m=rng.randint(100, 999), k=rng.randint(100, 999)
        )
        partner, _ = Partner.objects.get_or_create(
            name=name,
            defaults={
                "team": teams[i % len(teams)],
                "kind": kind,
                "services": rng.sample(services, rng.randint(1, len(services))),
                "regions": rng.sample(list(data.REGION), rng.randint(0, 4)),
                "countries": rng.sample(Country.values, rng.randint(1, 3)),
                "languages": [Language.RUSSIAN, *rng.sample(Language.values[1:], 1)],
                "capacity": rng.randint(0, 12) if counts_places else None,
                "ack_deadline_hours": rng.choice([12, 24, 24, 48, 72]),
                "contact_details": contact,
                "active": i % 15 != 14,
            },
        )
        if i % 3 == 0:
            user = bench_user(f"partner-{i + 1:02d}", Role.PARTNER)
            PartnerStaff.objects.get_or_create(user=user, defaults={"partner": partner})
            staff[partner.pk] = user
        partners.append(partner)
    return partners, staff


class Seeder:
    """Invent cases and everything hanging off them, one batch at a time."""

    def __init__(
        self,
        rng: random.Random,
        crews: list[Crew],
        partners: list[Partner],
        partner_staff: dict[int, User],
    ):
        self.rng = rng
        self.crews = crews
        self.partner_staff = partner_staff
        self.by_service: dict[str, list[Partner]] = {}
        for partner in partners:
            if partner.active:
                for service in partner.services:
                    self.by_service.setdefault(service, []).append(partner)
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        self.grace = timedelta(hours=settings.CORRIDOR_REFERRAL_EXPIRE_AFTER_HOURS)
        self.handles: list[tuple[str, str]] = []
        self.ip_hashes: dict[int, str] = {}
        # (at, actor, action, case reference): chained in time order at the end.
        self.audit: list[tuple] = []
        self.counts = dict.fromkeys(
            ["cases", "notes", "status changes", "referrals", "referral changes", "check-ins"], 0
        )
        self.counts["audit events"] = 0

    def count(self, batch: Batch) -> None:
        self.counts["cases"] += len(batch.cases)
        self.counts["notes"] += len(batch.notes)
        self.counts["status changes"] += len(batch.changes)
        self.counts["referrals"] += len(batch.referrals)
        self.counts["referral changes"] += len(batch.referral_changes)
        self.counts["check-ins"] += len(batch.checkins)

    def add_case(self, batch: Batch, i: int, age: float) -> None:
        rng, now = self.rng, self.now
        crew = self.crews[i % len(self.crews)]
        # At least half an hour old, so that every later event fits before now.
        created = now - timedelta(minutes=30) - SPAN * age
        closed = rng.random() < 0.08 + 0.5 * age
        if closed:
            stood = data.pick(rng, data.CLOSED_FROM)
            route = [*rng.choice(data.ROUTES[stood]), S.CLOSED]
            life = timedelta(days=rng.expovariate(1 / 45), minutes=5)
            end = min(created + life, now - timedelta(minutes=1))
            reason = self.closure_reason(stood)
        else:
            stood = data.pick(
                rng, data.OPEN_RECENT if now - created < data.RECENT else data.OPEN_OLDER
            )
            route = rng.choice(data.ROUTES[stood])
            end, reason = now, ""
        times = sorted(data.between(rng, created, end) for _ in route)
        if closed:
            times[-1] = end
        assigned = rng.random() < (0.4 if stood == S.NEW else 0.92)
        assignee = rng.choice(crew.workers) if assigned else None
        worker = assignee or rng.choice(crew.workers)
        region = data.pick(rng, data.REGION)
        channel, handle = self.new_handle(i, region)
        languages = [Language.RUSSIAN]
        if region in data.REGION_LANGUAGE and rng.random() < 0.5:
            languages.append(data.REGION_LANGUAGE[region])
        if rng.random() < 0.05:
            languages.append(Language.ENGLISH)
        if reason == CR.PROVOCATION or (stood == S.VERIFYING and rng.random() < 0.08):
            verification = Verification.SUSPECTED
        elif S.ACTIVE in route:
            verification = Verification.VERIFIED
        else:
            verification = Verification.UNVERIFIED
        case = Case(
            team=crew.team,
            assignee=assignee,
            created_by=crew.operator,
            status=route[-1] if route else S.NEW,
            closure_reason=reason,
            risk=data.pick(rng, data.RISK),
            verification=verification,
            region=region,
            contact_channel=channel,
            threats=data.pick_some(rng, data.THREAT, 3),
            needs=data.pick_some(rng, data.NEED, 3),
            languages=languages,
            legal_hold=rng.random() < 0.01,
            created_at=created,
            closed_at=end if closed else None,
            alias=f"{self.name(rng.choice(data.NAMES))} {i + 1}",
            contact_handle=handle,
            safe_contact=rng.choice(SAFE_CONTACT),
            location=rng.choice(PLACES),
            narrative=" ".join(rng.sample(STORIES, rng.randint(2, 4))),
            handle_index=blind_index(handle),
        )
        if not closed and rng.random() < 0.8:
            # About a third of these lie in the past: overdue follow-ups.
            case.follow_up_on = self.today + timedelta(days=rng.randint(-14, 30))
        batch.cases.append(case)
        previous = S.NEW
        for to, at in zip(route, times, strict=True):
            batch.changes.append(
                StatusChange(
                    case=case,
                    by=worker,
                    from_status=previous,
                    to_status=to,
                    closure_reason=reason if to == S.CLOSED else "",
                    at=at,
                )
            )
            previous = to
        note_times = [
            data.between(rng, created, end)
            for _ in range(rng.randint(0, 2) if stood == S.NEW else rng.randint(2, 9))
        ]
        for at in note_times:
            author = worker if rng.random() < 0.7 else rng.choice(crew.workers)
            batch.notes.append(
                Note(case=case, author=author, body=rng.choice(data.NOTES), created_at=at)
            )
        case.updated_at = max([created, *times, *note_times])
        if verification == Verification.SUSPECTED and case.handle_index:
            batch.flagged.append(
                FlaggedHandle(handle_index=case.handle_index, flagged_at=end, flagged_by=worker)
            )
        if S.ACTIVE in route:
            active_since = times[route.index(S.ACTIVE)]
            for _ in range(data.pick(rng, data.REFERRAL_COUNT)):
                self.add_referral(batch, case, crew, worker, active_since, end, closed)
            in_danger = case.status in (S.ACTIVE, S.SHELTERED, S.IN_TRANSIT)
            if in_danger and case.risk >= Risk.HIGH and rng.random() < data.CHECKIN_RATE:
                self.add_checkin(batch, case, worker)
        self.audit.append((created, crew.operator, Action.CREATE, case.reference))
        for _ in range(rng.randint(0, 2)):
            viewer = worker if rng.random() < 0.6 else rng.choice(crew.workers)
            self.audit.append(
                (data.between(rng, created, end), viewer, Action.VIEW, case.reference)
            )

    def name(self, spellings: tuple[str, str]) -> str:
        latin, cyrillic = spellings
        return latin if self.rng.random() < 0.5 else cyrillic

    def closure_reason(self, stood: str) -> str:
        if stood in (S.NEW, S.VERIFYING):
            return data.pick(self.rng, data.CLOSED_EARLY)
        return data.pick(
            self.rng, data.CLOSED_RELOCATED if stood == S.RELOCATED else data.CLOSED_WORKING
        )

    def new_handle(self, i: int, region: str) -> tuple[str, str]:
        rng = self.rng
        # People come back, and provocateurs try again: some handles repeat.
        if self.handles and rng.random() < 0.03:
            return rng.choice(self.handles)
        channel = data.pick(rng, data.CHANNEL)
        word = rng.choice(data.NAMES)[0].lower()  # a handle is Latin
        if channel in data.PHONE_CHANNELS:
            prefix = {Region.AZERBAIJAN: "+994 50", Region.TAJIKISTAN: "+992 93"}.get(
                region, f"+7 9{rng.randint(0, 99):02d}"
            )
            handle = f"{prefix} {rng.randint(0, 999):03d}-{rng.randint(0, 99):02d}-{i % 100:02d}"
        elif channel == Channel.EMAIL:
            handle = f"{word}.{rng.randint(1, 99_999)}@proton.me"
        elif channel == Channel.TELEGRAM:
            handle = f"@{word}_{rng.randint(1, 99_999)}"
        else:
            handle = f"vk.com/id{rng.randint(10_000_000, 99_999_999)}"
        self.handles.append((channel, handle))
        return channel, handle

    def add_referral(self, batch, case, crew, worker, active_since, end, case_closed) -> None:
        rng = self.rng
        needs = [need for need in case.needs if need in self.by_service]
        service = rng.choice(needs or list(self.by_service))
        partner = rng.choice(self.by_service[service])
        status = data.pick(
            rng, data.REFERRALS_OF_CLOSED_CASE if case_closed else data.REFERRALS_OF_OPEN_CASE
        )
        moves = rng.choice(data.REFERRAL_MOVES[status])
        start = active_since
        if status in (RS.SENT, RS.ACKNOWLEDGED):
            # Sent within one and a half deadlines: about a third are overdue,
            # none so late that the expiry job would have expired them.
            deadline = timedelta(hours=partner.ack_deadline_hours)
            start = max(start, self.now - deadline - min(deadline / 2, self.grace))
        elif status in data.OPEN_REFERRAL_WINDOW:
            start = max(start, self.now - data.OPEN_REFERRAL_WINDOW[status])
        times = sorted(data.between(rng, start, end) for _ in range(len(moves) + 1))
        created = times[0]
        shared = [SharedField.ALIAS, SharedField.NEEDS, SharedField.LANGUAGES]
        shared += rng.sample([SharedField.REGION, SharedField.RISK], rng.randint(0, 2))
        if rng.random() < 0.15:
            shared += [SharedField.CONTACT_HANDLE, SharedField.SAFE_CONTACT]
        consent = bool(moves and moves[0] == RS.SENT) or rng.random() < 0.7
        referral = Referral(
            case=case,
            partner=partner,
            service=service,
            summary=rng.choice(data.SUMMARIES),
            shared_fields=shared,
            consent_given=consent,
            consent_at=created if consent else None,
            consent_channel=rng.choice(ConsentChannel.values) if consent else "",
            complete_by=(created + timedelta(days=rng.randint(14, 90))).date()
            if rng.random() < 0.6
            else None,
            created_by=worker,
            created_at=created,
        )
        if SharedField.CONTACT_HANDLE in shared and (consent or rng.random() < 0.5):
            referral.approved_by = rng.choice(crew.coordinators)
            referral.approved_at = data.between(rng, created, times[1] if len(times) > 1 else end)
        current = RS.DRAFT
        for move, at in zip(moves, times[1:], strict=True):
            if move == RS.EXPIRED:
                # The hourly job expires it a grace period after the deadline;
                # if that is too late for this case, the caseworker withdrew it.
                expired_at = (
                    referral.ack_due_at + self.grace + timedelta(minutes=rng.uniform(0, 60))
                )
                if expired_at <= end:
                    at = expired_at
                else:
                    move = RS.WITHDRAWN
            self.apply_move(referral, move, at)
            if move in PARTNER_MOVES:
                by = self.partner_staff.get(partner.pk)
            else:
                by = None if move == RS.EXPIRED else worker
            batch.referral_changes.append(
                ReferralChange(referral=referral, by=by, from_status=current, to_status=move, at=at)
            )
            current = move
        referral.status = current
        batch.referrals.append(referral)

    def apply_move(self, referral: Referral, move: str, at: datetime) -> None:
        """Set what referrals.services.referral_move sets for this move."""
        if move == RS.SENT:
            referral.take_snapshot()
            referral.sent_at = at
            referral.ack_due_at = at + timedelta(hours=referral.partner.ack_deadline_hours)
        elif move == RS.ACKNOWLEDGED:
            referral.acknowledged_at = referral.responded_at = at
        elif move == RS.DECLINED:
            referral.decline_reason = self.rng.choice(data.DECLINE_REASONS)
            referral.responded_at = referral.responded_at or at
        elif move == RS.ACCEPTED:
            referral.place_reserved = referral.partner.capacity is not None
            referral.accepted_at = at
        elif move == RS.COMPLETED:
            referral.outcome_note = self.rng.choice(data.OUTCOMES)
        if move in REFERRAL_TERMINAL:
            referral.closed_at = at
            referral.place_reserved = False

    def add_checkin(self, batch: Batch, case: Case, worker: User) -> None:
        rng, now = self.rng, self.now
        due = now + timedelta(hours=rng.uniform(-72, 48))
        set_at = max(case.created_at, min(now, due - timedelta(hours=rng.uniform(6, 72))))
        checkin = CheckIn(case=case, due_at=due, set_by=worker, created_at=set_at)
        escalated = due + timedelta(minutes=rng.uniform(1, 15))
        if escalated < now:
            checkin.escalated_at = escalated  # missed, and the job has already raised it
        batch.checkins.append(checkin)

    def write_audit_events(self) -> None:
        """Append the events to the chain as audit.services.record would, in time order."""
        self.audit.sort(key=lambda event: event[0])
        for start in range(0, len(self.audit), BATCH):
            append(
                [
                    AuditEvent(
                        at=at,
                        actor=actor,
                        actor_role=actor.role,
                        action=action,
                        object_type="case",
                        object_ref=reference,
                        detail={},
                        ip_hash=self.ip_hash_of(actor) if action == Action.VIEW else "",
                    )
                    for at, actor, action, reference in self.audit[start : start + BATCH]
                ]
            )
        self.counts["audit events"] = len(self.audit)
        self.audit = []

    def ip_hash_of(self, user: User) -> str:
        # Views come through a request, so they carry the staff member's hashed IP.
        if user.pk not in self.ip_hashes:
            self.ip_hashes[user.pk] = ip_hash(f"10.20.{user.pk // 250}.{user.pk % 250 + 1}")
        return self.ip_hashes[user.pk]
