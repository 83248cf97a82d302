"""Measure the staff sign-in under duress: whether a duress sign-in takes what a real one
takes, with the real password hasher, and what ending the account's other sessions adds
as the session table grows. Prints one JSON object and a table (bench/README.md,
"Sign-in under duress").

    .venv/bin/python bench/signin.py [--out var/bench/signin.json] [--rounds 30]
                                     [--sessions 10,1000,10000]

It makes a database of its own (var/bench/signin.sqlite3, deleted and migrated anew),
with config/settings.py's PASSWORD_HASHERS (Argon2), never the tests' MD5, and raises
django-axes' failure limit in its own process only, so the lockout still counts (its
rows are written) but never refuses: nothing here is a timed test.
"""

import argparse
import importlib.util
import json
import logging
import os
import random
import secrets
import statistics
import sys
import time
from datetime import timedelta

from common import BENCH_VAR, ROOT, signed_in_client, timed

DATABASE = BENCH_VAR / "signin.sqlite3"
PASSWORD = "a long real passphrase for the bench"
DURESS = "another long duress passphrase, bench"
COLLEAGUES = 50  # whose sessions fill the table
BASELINE = "real"
KINDS = ("real", "real_duress_set", "duress", "wrong", "unknown")
LABELS = {
    "real": "real password, no duress password set (baseline)",
    "real_duress_set": "real password, duress password set",
    "duress": "duress password",
    "wrong": "wrong password",
    "unknown": "unknown username",
    "floor": "no password (refused by the form: no hash)",
}

# bench/portal.py's name is the portal app's, so its load measures are loaded by path.
_spec = importlib.util.spec_from_file_location("bench_portal", ROOT / "bench" / "portal.py")
bench_portal = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_portal)
machine_ticks, others_share = bench_portal.machine_ticks, bench_portal.others_share


def fresh_database() -> None:
    BENCH_VAR.mkdir(parents=True, exist_ok=True)
    for path in BENCH_VAR.glob(DATABASE.name + "*"):
        path.unlink()
    os.environ["DATABASE_URL"] = f"sqlite:///{DATABASE}"
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # Hundreds of wrong passwords from one address: the lockout would refuse them
    # before the hashes, and a refusal is not what is measured.
    os.environ["AXES_FAILURE_LIMIT"] = str(10**9)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    # Two warnings for each of the hundreds of refused sign-ins: the lockout's log, not ours.
    logging.getLogger("axes").setLevel(logging.ERROR)


# --- The people ---------------------------------------------------------------------


def people() -> dict:
    """A team's coordinator (awake: the duress alert goes to them), four caseworkers who
    sign in, and the colleagues whose live sessions fill the table."""
    from django.contrib.auth.hashers import make_password

    from accounts import coercion
    from accounts.models import Authenticator, Role, Team, User

    team = Team.objects.create(name="Bench sign-in team")

    def staff(username: str, role: str = Role.CASEWORKER, duress: bool = False) -> User:
        user = User.objects.create(username=username, role=role)
        user.set_password(PASSWORD)
        user.save()
        user.teams.add(team)
        Authenticator.objects.create(user=user, name="phone", confirmed=True)
        if duress:
            coercion.duress_password_set(user=user, raw=DURESS, without_code=False)
        return user

    found = {
        "coordinator": staff("bench-signin-coordinator", Role.COORDINATOR),
        "plain": staff("bench-signin-plain"),  # no duress password
        "guarded": staff("bench-signin-guarded", duress=True),  # signs in with the real one
        "coerced": staff("bench-signin-coerced", duress=True),  # signs in with the duress one
        "tried": staff("bench-signin-tried", duress=True),  # gets the wrong passwords
    }
    unusable = make_password(None)
    User.objects.bulk_create(
        User(username=f"bench-signin-colleague-{n}", role=Role.CASEWORKER, password=unusable)
        for n in range(COLLEAGUES)
    )
    found["colleagues"] = list(User.objects.filter(username__startswith="bench-signin-colleague"))
    for user in found["colleagues"]:
        user.teams.add(team)
    return found


def session_template(user) -> dict:
    """What a signed-in staff session holds after a page (past the second factor, the
    middleware's marks): the other sessions in the table are made of this."""
    client = signed_in_client(user)
    if client.get("/").status_code not in (200, 302):
        raise SystemExit("the signed-in template session was refused")
    data = dict(client.session.items())
    client.logout()
    return data


def fill_sessions(template: dict, colleagues, count: int) -> None:
    """Exactly `count` live sessions, every one another account's, as the database store
    writes them (encoded and signed, under a keyed hash of a fresh key)."""
    from django.conf import settings
    from django.utils import timezone

    from accounts.models import StaffSession
    from accounts.sessions import SessionStore, stored_key

    StaffSession.objects.all().delete()
    store = SessionStore()
    expire = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE)
    rows = []
    for n in range(count):
        user = colleagues[n % len(colleagues)]
        data = {
            **template,
            "_auth_user_id": str(user.pk),
            "_auth_user_hash": user.get_session_auth_hash(),
            "auth_at": int(time.time()) - n % 3600,
        }
        key = stored_key(secrets.token_urlsafe(24))
        rows.append(
            StaffSession(
                session_key=key,
                session_data=store.encode(data),
                expire_date=expire,
                user_id=user.pk,
            )
        )
    StaffSession.objects.bulk_create(rows, batch_size=500)


def laptop_session(user, template: dict) -> str:
    """A live session of `user` elsewhere: what the duress sign-in must end."""
    from django.conf import settings
    from django.utils import timezone

    from accounts.models import StaffSession
    from accounts.sessions import SessionStore, stored_key

    data = {
        **template,
        "_auth_user_id": str(user.pk),
        "_auth_user_hash": user.get_session_auth_hash(),
    }
    key = stored_key(secrets.token_urlsafe(24))
    StaffSession.objects.create(
        session_key=key,
        session_data=SessionStore().encode(data),
        expire_date=timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE),
        user_id=user.pk,
    )
    return key


# --- One sign-in ----------------------------------------------------------------------


class Bench:
    def __init__(self, users: dict, template: dict):
        self.users = users
        self.template = template
        self.laptop = None

    def before(self) -> None:
        """Untimed, before every sign-in: the coerced account not yet under duress, and
        one session of it elsewhere, so that every kind meets the same table."""
        from accounts.models import StaffSession, User

        coerced = self.users["coerced"]
        User.objects.filter(pk=coerced.pk).update(duress_at=None)
        if self.laptop is None or not StaffSession.objects.filter(session_key=self.laptop).exists():
            self.laptop = laptop_session(coerced, self.template)

    def sign_in(self, kind: str) -> float:
        from django.conf import settings
        from django.test import Client
        from django.urls import reverse

        from accounts.models import StaffSession
        from accounts.sessions import SessionStore, stored_key
        from audit.models import Action, AuditEvent

        users = self.users
        username, password, signs_in = {
            "real": (users["plain"].username, PASSWORD, users["plain"]),
            "real_duress_set": (users["guarded"].username, PASSWORD, users["guarded"]),
            "duress": (users["coerced"].username, DURESS, users["coerced"]),
            "wrong": (users["tried"].username, secrets.token_urlsafe(18), None),
            "unknown": (f"bench-nobody-{secrets.token_hex(4)}", PASSWORD, None),
            "floor": (users["plain"].username, "", None),
        }[kind]
        self.before()
        events = AuditEvent.objects.filter(action=Action.DURESS).count()
        client = Client()  # a browser that has not signed in
        response, ms = timed(
            client.post, reverse("login"), {"username": username, "password": password}
        )
        # Every answer checked, untimed: the sign-in did what it should, or the run stops.
        # The cookie is read, never client.session: that would save a new empty session.
        cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
        session = SessionStore(cookie.value) if cookie and cookie.value else None
        signed = session.get("_auth_user_id") if session else None
        if signs_in is not None:
            if response.status_code != 302 or signed != str(signs_in.pk):
                raise SystemExit(f"sign-in ({kind}) answered {response.status_code}")
            # Untimed: the new session goes, so the table stays the size measured.
            StaffSession.objects.filter(session_key=stored_key(session.session_key)).delete()
        elif response.status_code != 200 or signed is not None:
            raise SystemExit(f"refused sign-in ({kind}) answered {response.status_code}")
        duress_events = AuditEvent.objects.filter(action=Action.DURESS)
        if kind == "duress":
            event = duress_events.order_by("-pk").first()
            if duress_events.count() != events + 1 or event.detail != {"sessions_ended": 1}:
                raise SystemExit("the duress sign-in did not end the account's other session")
        elif duress_events.count() != events:
            raise SystemExit(f"sign-in ({kind}) was taken for a duress one")
        return ms


def raw_hasher(samples: int) -> dict:
    """One verify of the real settings' default hasher: a sign-in computes two."""
    from django.contrib.auth import hashers

    hasher = hashers.get_hasher("default")
    encoded = hashers.make_password(PASSWORD)
    times = [timed(hashers.check_password, PASSWORD, encoded)[1] for _ in range(samples)]
    parameters = {
        name: getattr(hasher, name)
        for name in ("time_cost", "memory_cost", "parallelism", "iterations")
        if hasattr(hasher, name)
    }
    return {"algorithm": hasher.algorithm, "parameters": parameters, "verify_ms": spread(times)}


def end_sessions_alone(user, samples: int) -> dict:
    """accounts.services.end_sessions for an account with no session: the scan alone."""
    from accounts.services import end_sessions

    times = []
    for _ in range(samples):
        ended, ms = timed(end_sessions, user)
        if ended:
            raise SystemExit("end_sessions ended a session of an account that had none")
        times.append(ms)
    return spread(times)


def anonymous_sessions(users: dict) -> int:
    """Session rows a visitor who never signs in leaves: the sign-in page and a wrong
    password. Anyone could otherwise grow the table a duress sign-in reads."""
    from django.test import Client
    from django.urls import reverse

    from accounts.models import StaffSession

    before = StaffSession.objects.count()
    for _ in range(5):
        client = Client()
        client.get(reverse("login"))
        client.post(reverse("login"), {"username": users["tried"].username, "password": "x"})
    return StaffSession.objects.count() - before


# --- Statistics -----------------------------------------------------------------------


def spread(samples: list[float]) -> dict:
    q1, median, q3 = statistics.quantiles(samples, n=4, method="inclusive")
    p95 = statistics.quantiles(samples, n=20, method="inclusive")[18]
    return {
        "p50": round(median, 2),
        "p25": round(q1, 2),
        "p75": round(q3, 2),
        "iqr": round(q3 - q1, 2),
        "p95": round(p95, 2),
        "min": round(min(samples), 2),
        "max": round(max(samples), 2),
        "n": len(samples),
    }


def against_baseline(rounds: list[dict], kind: str, seed: int) -> dict:
    """The difference of medians from the baseline's, over the baseline's IQR, and a
    bootstrap 95% interval of it (rounds resampled whole: the kinds of a round ran
    side by side, so they share that moment's drift)."""
    base = [r[BASELINE] for r in rounds]
    other = [r[kind] for r in rounds]
    difference = statistics.median(other) - statistics.median(base)
    iqr = spread(base)["iqr"]
    rng = random.Random(seed)
    resampled = []
    for _ in range(2000):
        pick = [rng.randrange(len(rounds)) for _ in rounds]
        resampled.append(
            statistics.median(other[i] for i in pick) - statistics.median(base[i] for i in pick)
        )
    low, high = statistics.quantiles(resampled, n=40, method="inclusive")[::38]
    paired = [o - b for o, b in zip(other, base, strict=True)]
    return {
        "median_diff_ms": round(difference, 2),
        "median_diff_over_baseline_iqr": round(difference / iqr, 2) if iqr else None,
        "median_ratio": round(statistics.median(other) / statistics.median(base), 3),
        "median_diff_ci95_ms": [round(low, 2), round(high, 2)],
        "paired_diff_ms": spread(paired),
        # Outside the noise: the interval excludes 0 and the shift is a quarter of the
        # baseline's IQR or more (one sign-in's time then says something).
        "outside_noise": bool((low > 0 or high < 0) and abs(difference) >= iqr / 4),
    }


# --- The run --------------------------------------------------------------------------


def measure_size(bench: Bench, size: int, rounds: int, seed: int) -> dict:
    from accounts.models import StaffSession

    fill_sessions(bench.template, bench.users["colleagues"], size)
    order = random.Random(seed + size)
    kinds = [*KINDS, "floor"]
    for kind in kinds:  # warm: the first of each after a new table pays for the cache
        bench.sign_in(kind)
    measured = []
    for _ in range(rounds):
        turn = order.sample(kinds, len(kinds))  # a new order each round: none always first
        measured.append({kind: bench.sign_in(kind) for kind in turn})
    live = StaffSession.objects.count()
    return {
        "live_sessions": size,
        "table_rows_after": live,
        "end_sessions_alone_ms": end_sessions_alone(bench.users["plain"], 10),
        "kinds": {kind: spread([r[kind] for r in measured]) for kind in kinds},
        "against_baseline": {
            kind: against_baseline(measured, kind, seed) for kind in KINDS if kind != BASELINE
        },
        "rounds": measured,
    }


def table(result: dict) -> str:
    raw = result["hasher"]
    lines = [
        f"machine reference (`machine_ref_ms`)  {result['machine_ref_ms']:.1f} ms",
        f"load average before, after  {result['load_average_before']:.2f}, "
        f"{result['load_average_after']:.2f}",
        f"machine used by other processes meanwhile  {result['others_cpu_share']:.0%}",
        f"hasher {raw['algorithm']} {raw['parameters']}: one verify "
        f"{raw['verify_ms']['p50']:.1f} ms (IQR {raw['verify_ms']['iqr']:.1f})",
        f"session rows left by 5 visitors who never signed in: {result['anonymous_sessions']}",
    ]
    for size in result["sizes"]:
        lines.append("")
        lines.append(
            f"{size['live_sessions']:,} live sessions of other accounts "
            f"(end_sessions alone: {size['end_sessions_alone_ms']['p50']:.1f} ms)"
        )
        lines.append(
            f"  {'kind':<52} {'p50':>7} {'IQR':>6} {'p95':>7}  "
            f"{'Δp50':>7} {'Δ/IQR':>6}  {'95% CI of Δ':>17}"
        )
        for kind, s in size["kinds"].items():
            row = f"  {LABELS[kind]:<52} {s['p50']:7.1f} {s['iqr']:6.1f} {s['p95']:7.1f}"
            c = size["against_baseline"].get(kind)
            if c:
                flag = "  OUTSIDE" if c["outside_noise"] else ""
                low, high = c["median_diff_ci95_ms"]
                ratio = c["median_diff_over_baseline_iqr"]
                row += f"  {c['median_diff_ms']:+7.1f} {ratio:+6.2f}  [{low:+7.1f}, {high:+7.1f}]"
                row += flag
            lines.append(row)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default=str(BENCH_VAR / "signin.json"))
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--sessions", default="10,1000,10000")
    parser.add_argument("--seed", type=int, default=22)
    args = parser.parse_args()
    sizes = [int(n) for n in args.sessions.split(",")]

    fresh_database()
    from django.conf import settings
    from measure import measure_machine

    if "MD5" in settings.PASSWORD_HASHERS[0]:
        raise SystemExit("the tests' MD5 hasher: measure with the real settings")
    users = people()
    bench = Bench(users, session_template(users["colleagues"][0]))

    ticks = machine_ticks()
    result = {
        "backend": "sqlite",
        "load_average_before": os.getloadavg()[0],
        **measure_machine(),
        "password_hashers": settings.PASSWORD_HASHERS,
        "hasher": raw_hasher(20),
        "anonymous_sessions": anonymous_sessions(users),
        "sizes": [],
    }
    for size in sizes:
        result["sizes"].append(measure_size(bench, size, args.rounds, args.seed))
    result["load_average_after"] = os.getloadavg()[0]
    result["others_cpu_share"] = others_share(ticks)
    with open(args.out, "w") as out:
        json.dump(result, out, indent=2)
    print(json.dumps({k: v for k, v in result.items() if k != "sizes"}, indent=2))
    print(table(result))


if __name__ == "__main__":
    main()
