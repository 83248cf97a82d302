"""Measure one database backend through the full Django stack; write one JSON object.

    python bench/measure.py --out var/bench/sqlite.json

The database is whatever DATABASE_URL names, seeded by `manage.py seed_bench`.
"""

import argparse
import json
import random
import re
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from datetime import timedelta
from urllib.parse import urlencode

from common import (
    BENCH_VAR,
    ROOT,
    django_setup,
    intake_form,
    percentiles,
    signed_in_client,
    timed,
)

django_setup()

import plain_twin  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

import intake.views  # noqa: E402
from accounts.models import Role, User  # noqa: E402
from audit.models import Action  # noqa: E402
from audit.services import record, verify_chain  # noqa: E402
from intake.models import Case, Note  # noqa: E402
from intake.selectors import cases_visible_to, team_ids  # noqa: E402
from intake.status import ClosureReason, Status  # noqa: E402
from ops.bench_data import NAMES  # noqa: E402
from reminders import services as reminders  # noqa: E402
from retention.models import RetentionPolicy  # noqa: E402

FORM_ENCODED = "application/x-www-form-urlencoded"
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')  # new on each page
KEEP_DAYS = 3650  # the longest retention an admin may set

# A caseworker's day: the default order, then narrowing down.
LIST_QUERIES = [
    "?sort=risk",
    "?status=active&sort=oldest",
    "?region=chechnya&sort=newest",
    "?need=shelter&sort=risk",
    "?risk=4&sort=oldest",
    "?sort=risk&page=3",
    "?overdue=yes&sort=risk",
]


def measure_machine() -> dict:
    """Time a fixed piece of pure Python: how fast this machine is today.

    The same code measured on another day can differ by a third on this
    shared machine; compare runs after dividing by this.
    """

    def work():
        return sorted(str(i * 7919 % 100_003) for i in range(100_000))

    return {"machine_ref_ms": percentiles([timed(work)[1] for _ in range(30)])["p50"]}


def bench_user(role: str) -> User:
    """The bench user of this role whose teams hold the most cases."""
    users = User.objects.filter(username__startswith="bench-", role=role, is_active=True)
    return max(users.order_by("username")[:20], key=lambda u: cases_visible_to(u).count())


def get_ok(client, url: str) -> float:
    response, ms = timed(client.get, url)
    if response.status_code != 200:
        raise SystemExit(f"GET {url} answered {response.status_code}")
    return ms


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        get_ok(client, url)
    return len(captured.captured_queries)


@contextmanager
def page_size(size: int):
    original = intake.views.CASES_PER_PAGE
    intake.views.CASES_PER_PAGE = size
    try:
        yield
    finally:
        intake.views.CASES_PER_PAGE = original


def measure_list(client, requests: int) -> dict:
    for url in LIST_QUERIES:  # warm caches and connections
        get_ok(client, f"/cases/{url}")
    samples = [
        get_ok(client, f"/cases/{LIST_QUERIES[i % len(LIST_QUERIES)]}") for i in range(requests)
    ]
    by_size = {}
    for size in (10, 50, 100):
        with page_size(size):
            by_size[str(size)] = count_queries(client, "/cases/?sort=risk")
    stats = percentiles(samples)
    return {
        "list_p50_ms": stats["p50"],
        "list_p95_ms": stats["p95"],
        "list_requests": stats["n"],
        "list_queries": max(count_queries(client, f"/cases/{url}") for url in LIST_QUERIES),
        "list_queries_by_page_size": by_size,
    }


def measure_detail(client, user, requests: int) -> dict:
    refs = list(cases_visible_to(user).values_list("reference", flat=True)[:5000])
    chosen = random.Random(7).sample(refs, min(requests, len(refs)))
    for ref in chosen[:10]:
        get_ok(client, f"/cases/{ref}/")
    samples = [get_ok(client, f"/cases/{ref}/") for ref in chosen]
    # Queries must not grow with what hangs off a case: compare the extremes.
    visible = cases_visible_to(user)
    notes = Note.objects.filter(case__in=visible).values("case__reference")
    by_notes = sorted(notes.annotate(n=Count("id")), key=lambda row: row["n"])
    fewest, most = by_notes[0], by_notes[-1]
    stats = percentiles(samples)
    return {
        "detail_p50_ms": stats["p50"],
        "detail_p95_ms": stats["p95"],
        "detail_requests": stats["n"],
        "detail_queries": count_queries(client, f"/cases/{chosen[0]}/"),
        "detail_queries_by_notes": {
            str(fewest["n"]): count_queries(client, f"/cases/{fewest['case__reference']}/"),
            str(most["n"]): count_queries(client, f"/cases/{most['case__reference']}/"),
        },
    }


def search_queries(user, seed: int = 11) -> list[tuple[str, dict]]:
    """What caseworkers type into the search box, one of each kind per case sampled.

    Made from cases the user may see (their aliases and handles decrypted
    here, untimed), so that every search finds what it looks for.
    """
    rng = random.Random(seed)
    latin_of = {cyrillic: latin for latin, cyrillic in NAMES}
    cyrillic_of = {latin: cyrillic for latin, cyrillic in NAMES}
    visible = cases_visible_to(user).only("reference", "alias", "contact_handle", "status")
    ids = rng.sample(sorted(visible.values_list("pk", flat=True)), 400)
    sample = sorted(visible.filter(pk__in=ids), key=lambda case: case.pk)
    phones = [c for c in sample if c.contact_handle.startswith("+7")]
    handles = [c for c in sample if c.contact_handle.startswith("@")]
    queries = []
    for i in range(40):
        case = sample[i]
        name, number = case.alias.split()
        other = cyrillic_of.get(name) or latin_of[name]  # the other alphabet's spelling
        phone = rng.choice(phones).contact_handle  # "+7 9xx xxx-xx-xx"
        handle = rng.choice(handles).contact_handle  # "@name_12345"
        queries += [
            ("alias word", {"q": name}),
            ("two words", {"q": f"{name} {number}"}),
            ("other alphabet", {"q": other}),
            ("handle", {"q": handle.removeprefix("@")}),
            ("phone", {"q": "8" + "".join(ch for ch in phone if ch.isdigit())[1:]}),
            ("reference", {"q": case.reference}),
            ("reference without dashes", {"q": case.reference.replace("-", "").lower()}),
            ("word and filter", {"q": name, "status": case.status, "sort": "oldest"}),
        ]
    return queries


def search_post(client, data: dict):
    """POST the search as the page's script sends it (fetch, urlencoded): the results at once."""
    body = urlencode({"sort": "risk", **data}, doseq=True)
    return client.post(
        "/cases/search/", body, content_type=FORM_ENCODED, headers={"X-Scripted-Submit": "1"}
    )


def searched(client, data: dict) -> tuple[int, float]:
    """The rows the search's page lists, and how long it took."""
    response, ms = timed(search_post, client, data)
    if response.status_code != 200 or b"data-search-count" not in response.content:
        raise SystemExit(f"search answered {response.status_code}: {response.content[:500]}")
    return response.content.count(b'<td class="row-main">'), ms


def measure_search(client, user, requests: int) -> dict:
    queries = search_queries(user)
    for _, data in queries[:8]:  # warm caches and connections
        searched(client, data)
    by_kind: dict[str, list[float]] = {}
    samples = []
    for i in range(requests):
        kind, data = queries[i % len(queries)]
        found, ms = searched(client, data)
        if not found:
            raise SystemExit(f"a {kind} search found nothing: the benchmark's data is wrong")
        samples.append(ms)
        by_kind.setdefault(kind, []).append(ms)
    counts = {}
    for kind, data in queries[:8]:
        with CaptureQueriesContext(connection) as captured:
            searched(client, data)
        counts[kind] = len(captured.captured_queries)
    stats = percentiles(samples)
    return {
        "search_p50_ms": stats["p50"],
        "search_p95_ms": stats["p95"],
        "search_requests": stats["n"],
        "search_p95_ms_by_kind": {k: percentiles(v)["p95"] for k, v in by_kind.items()},
        "search_queries": max(counts.values()),
        "search_queries_by_kind": counts,
    }


def measure_plain_ratio(client, user, requests: int) -> dict:
    """Time the same list pages from the case table and from its plaintext twin, interleaved."""
    _, build_ms = timed(plain_twin.build)
    twin = plain_twin.twin_model()
    real_filter = intake.views.CaseFilter

    class TwinFilter(real_filter):
        def __init__(self, data, queryset, **kwargs):
            queryset = (
                twin.objects.filter(team__in=team_ids(user))
                .select_related("assignee")
                .only(*intake.views.LIST_FIELDS)
            )
            super().__init__(data, queryset=queryset, **kwargs)

    def page(url: str, filter_class) -> str:
        intake.views.CaseFilter = filter_class
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"GET {url} answered {response.status_code}")
        return CSRF_TOKEN.sub("", response.content.decode())

    encrypted, plain = [], []
    try:
        for query in LIST_QUERIES:
            url = f"/cases/{query}"
            # Twice at most: a "3 days" may turn "4 days" between the two.
            if all(page(url, real_filter) != page(url, TwinFilter) for _ in range(2)):
                raise SystemExit(f"the plaintext twin renders {url} differently")
        for i in range(requests):
            url = f"/cases/{LIST_QUERIES[i % len(LIST_QUERIES)]}"
            intake.views.CaseFilter = real_filter
            encrypted.append(get_ok(client, url))
            intake.views.CaseFilter = TwinFilter
            plain.append(get_ok(client, url))
    finally:
        intake.views.CaseFilter = real_filter
        plain_twin.drop()
    enc, pla = percentiles(encrypted), percentiles(plain)
    return {
        "plain_list_p50_ms": pla["p50"],
        "plain_list_p95_ms": pla["p95"],
        "encrypted_vs_plain_ratio": round(enc["p50"] / pla["p50"], 3),
        "encrypted_vs_plain_ratio_p95": round(enc["p95"] / pla["p95"], 3),
        "plain_twin_build_s": round(build_ms / 1000, 1),
    }


def intake_post(team_id: int, number: int) -> dict:
    handle = f"@bench_intake_{time.time_ns()}_{number}"  # known to nobody: no warning
    return intake_form(team_id=team_id, alias=f"Bench intake {number}", handle=handle)


def browser_post(client, url: str, data: dict):
    """POST as a browser sends our forms: urlencoded (the test client's default is multipart)."""
    return client.post(url, urlencode(data, doseq=True), content_type=FORM_ENCODED)


def measure_intake(count: int) -> dict:
    operator = bench_user(Role.OPERATOR)
    client = signed_in_client(operator)
    get_ok(client, "/cases/new/")
    # The form data is made before the clock starts: only the requests are timed.
    posts = [intake_post(team_ids(operator)[0], number) for number in range(count)]
    seconds = 0.0
    for post in posts:
        response, ms = timed(browser_post, client, "/cases/new/", post)
        seconds += ms / 1000
        if response.status_code != 302:
            raise SystemExit(f"intake answered {response.status_code}: {response.content[:2000]}")
        # Untimed, as a browser would: the case page shows (and so takes out
        # of the session) the confirmation; unread, they pile up in the session.
        get_ok(client, response["Location"])
    # The floor under any signed-in POST: session, user, second factor and
    # every middleware (the test client skips only the CSRF token check, as
    # it does for the intake POSTs), then a session write, and nothing else.
    get_ok(client, "/cases/new/")  # shows, and so clears, the last confirmation
    floor = []
    for _ in range(count):
        response, ms = timed(browser_post, client, "/session/alive/", {})
        if response.status_code != 204:
            raise SystemExit(f"/session/alive/ answered {response.status_code}")
        floor.append(ms)
    return {
        "intake_per_s": round(count / seconds, 1),
        "intake_cases": count,
        "post_floor_p50_ms": percentiles(floor)["p50"],
    }


def purge_run(count: int) -> dict:
    """Expire `count` cases of the last bench team and purge them in a fresh process."""
    last_team = Case.objects.values_list("team", flat=True).distinct().order_by("-team")[0]
    ids = list(
        Case.objects.filter(team=last_team).order_by("pk").values_list("pk", flat=True)[:count]
    )
    long_ago = timezone.now() - timedelta(days=KEEP_DAYS + 400)
    Case.objects.filter(pk__in=ids).update(
        status=Status.CLOSED,
        closure_reason=ClosureReason.STABLE,
        closed_at=long_ago,
        legal_hold=False,
    )
    probe = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "purge_probe.py")],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(probe.stdout.strip().splitlines()[-1])


def measure_purge(count: int) -> dict:
    policy = RetentionPolicy.current()
    kept = (policy.closed_after_days, policy.stale_after_days)
    # Only the cases expired here may go: the policy's longest keeps the rest (3 years old).
    policy.closed_after_days = policy.stale_after_days = KEEP_DAYS
    policy.save()
    try:
        small = purge_run(max(count // 10, 1))
        large = purge_run(count)
    finally:
        policy.closed_after_days, policy.stale_after_days = kept
        policy.save()
    return {
        "purge_per_s": round(large["purged"] / large["seconds"], 1),
        "purge_cases": large["purged"],
        "purge_peak_mb": large["peak_mb"],
        "purge_growth_mb": round(large["peak_mb"] - large["start_mb"], 1),
        f"purge_growth_mb_at_{small['purged']}": round(small["peak_mb"] - small["start_mb"], 1),
    }


def measure_reminders() -> dict:
    _, first_ms = timed(reminders.scan)
    made, again_ms = timed(reminders.scan)
    return {
        "reminder_scan_s": round(again_ms / 1000, 3),
        "reminder_first_scan_s": round(first_ms / 1000, 3),
        "reminder_rescan_created": made,
    }


def measure_audit_append(writers: int = 4, each: int = 250) -> dict:
    errors = []

    def write():
        try:
            for _ in range(each):
                record(Action.VIEW, object_type="case", object_ref="BENCH")
        except Exception as exc:  # noqa: BLE001 - counted and reported
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write) for _ in range(writers)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - start
    chain = verify_chain()
    return {
        "audit_append_per_s": round(writers * each / seconds, 1),
        "audit_append_errors": len(errors),
        "audit_chain_ok": chain.ok,
        "audit_events": chain.checked,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--intake", type=int, default=200)
    parser.add_argument("--purge", type=int, default=10000)
    parser.add_argument("--only", help="these steps alone, comma-separated (e.g. search)")
    parser.add_argument("--suffix", default="", help="added to every key (a second database)")
    args = parser.parse_args()

    backend = connection.vendor
    result = {"backend": backend, "cases": Case.objects.count()}
    caseworker = bench_user(Role.CASEWORKER)
    client = signed_in_client(caseworker)
    result["visible_cases"] = cases_visible_to(caseworker).count()
    steps = [
        ("machine", measure_machine),
        ("list", lambda: measure_list(client, args.requests)),
        ("detail", lambda: measure_detail(client, caseworker, args.requests)),
        ("search", lambda: measure_search(client, caseworker, args.requests)),
        ("plain twin", lambda: measure_plain_ratio(client, caseworker, args.requests)),
        ("intake", lambda: measure_intake(args.intake)),
        ("reminders", measure_reminders),
        ("purge", lambda: measure_purge(args.purge)),
    ]
    if backend == "postgresql":
        steps.append(("audit append", measure_audit_append))
    if args.only:
        steps = [step for step in steps if step[0] in args.only.split(",")]
    for name, step in steps:
        print(f"  {backend}: {name}", file=sys.stderr, flush=True)
        result.update(step())
    if args.suffix:
        result = {
            key if key == "backend" else f"{key}{args.suffix}": value
            for key, value in result.items()
        }
    BENCH_VAR.mkdir(parents=True, exist_ok=True)
    with open(args.out, "w") as out:
        json.dump(result, out, indent=2)


if __name__ == "__main__":
    main()
