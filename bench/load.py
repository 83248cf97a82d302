"""Load test: gunicorn on loopback with 2 workers; 20 caseworkers for 60 s, then
4 operators recording requests back to back for 20 s (locust).

    python bench/load.py --out var/bench/sqlite-load.json

Uses the database DATABASE_URL names, seeded by `manage.py seed_bench`.
"""

import argparse
import csv
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from common import BENCH_VAR, ROOT, django_setup, signed_in_client

BIN = ROOT / ".venv" / "bin"


def mint_sessions(users: int, desks: int) -> dict:
    from django.conf import settings

    from accounts.models import Role, User
    from intake.selectors import cases_visible_to, team_ids

    def cookie(user) -> dict:
        client = signed_in_client(user)
        return {
            "cookie_name": settings.SESSION_COOKIE_NAME,
            "cookie": client.cookies[settings.SESSION_COOKIE_NAME].value,
        }

    bench_users = User.objects.filter(username__startswith="bench-", is_active=True)
    workers = bench_users.filter(role=Role.CASEWORKER).order_by("username")[:users]
    operators = bench_users.filter(role=Role.OPERATOR).order_by("username")[:desks]
    return {
        "caseworkers": [
            {
                **cookie(user),
                "references": list(
                    cases_visible_to(user).values_list("reference", flat=True)[:500]
                ),
            }
            for user in workers
        ],
        "desks": [{**cookie(user), "team": team_ids(user)[0]} for user in operators],
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback only
                return
        except urllib.error.HTTPError:
            # Gunicorn answered: /health/ says 503 here because no worker beats
            # (the benchmark runs none), which is no matter to the pages.
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer at {url}")


def stats_row(stats_csv, name: str) -> dict:
    with open(stats_csv) as rows:
        return next(r for r in csv.DictReader(rows) if r["Name"] == name)


def locust(
    user_class: str, users: int, seconds: int, base: str, prefix: Path, sessions: Path
) -> None:
    subprocess.run(
        [
            BIN / "locust",
            "-f",
            ROOT / "bench" / "locustfile.py",
            user_class,
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            str(users),
            "--run-time",
            f"{seconds}s",
            "--host",
            base,
            "--csv",
            prefix,
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        env={**os.environ, "LOAD_SESSIONS": str(sessions)},
        check=False,  # locust exits 1 when a request failed; the count says so
        timeout=seconds + 60,
    )


def browsing(stats_csv) -> dict:
    row = stats_row(stats_csv, "Aggregated")
    return {
        "load_requests": int(row["Request Count"]),
        "load_errors": int(row["Failure Count"]),
        "load_rps": round(float(row["Requests/s"]), 1),
        "load_p50_ms": float(row["50%"]),
        "load_p95_ms": float(row["95%"]),
    }


def recording(stats_csv) -> dict:
    intake = stats_row(stats_csv, "intake")
    return {
        "intake_http_per_s": round(float(intake["Requests/s"]), 1),
        "intake_http_p95_ms": float(intake["95%"]),
        "intake_http_errors": int(stats_row(stats_csv, "Aggregated")["Failure Count"]),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--desks", type=int, default=4)
    parser.add_argument("--intake-seconds", type=int, default=20)
    args = parser.parse_args()

    django_setup()
    from django.db import connection

    backend = connection.vendor
    BENCH_VAR.mkdir(parents=True, exist_ok=True)
    sessions_file = BENCH_VAR / "load-sessions.json"
    sessions_file.touch(mode=0o600)
    sessions_file.write_text(json.dumps(mint_sessions(args.users, args.desks)))
    connection.close()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            BIN / "gunicorn",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
    )
    browse, desk = BENCH_VAR / f"load-{backend}", BENCH_VAR / f"intake-{backend}"
    try:
        wait_until_up(f"{base}/health/")
        locust("Caseworker", args.users, args.seconds, base, browse, sessions_file)
        locust("Desk", args.desks, args.intake_seconds, base, desk, sessions_file)
    finally:
        server.terminate()
        server.wait(timeout=30)
        sessions_file.unlink(missing_ok=True)
    result = {
        "backend": backend,
        "load_users": args.users,
        "load_seconds": args.seconds,
        **browsing(f"{browse}_stats.csv"),
        "intake_http_desks": args.desks,
        "intake_http_seconds": args.intake_seconds,
        **recording(f"{desk}_stats.csv"),
    }
    with open(args.out, "w") as out:
        json.dump(result, out, indent=2)
    print(json.dumps(result), file=sys.stderr)


if __name__ == "__main__":
    main()
