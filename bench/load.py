"""Load test: gunicorn on loopback with 2 workers, 20 caseworkers for 60 s (locust).

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
import urllib.request

from common import BENCH_VAR, ROOT, django_setup, signed_in_client

BIN = ROOT / ".venv" / "bin"


def mint_sessions(users: int) -> list[dict]:
    from django.conf import settings

    from accounts.models import Role, User
    from intake.selectors import cases_visible_to

    workers = User.objects.filter(
        username__startswith="bench-", role=Role.CASEWORKER, is_active=True
    ).order_by("username")[:users]
    sessions = []
    for user in workers:
        client = signed_in_client(user)
        references = cases_visible_to(user).values_list("reference", flat=True)[:500]
        sessions.append(
            {
                "cookie_name": settings.SESSION_COOKIE_NAME,
                "cookie": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "references": list(references),
            }
        )
    return sessions


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
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer at {url}")


def aggregated(stats_csv) -> dict:
    with open(stats_csv) as rows:
        row = next(r for r in csv.DictReader(rows) if r["Name"] == "Aggregated")
    return {
        "load_requests": int(row["Request Count"]),
        "load_errors": int(row["Failure Count"]),
        "load_rps": round(float(row["Requests/s"]), 1),
        "load_p50_ms": float(row["50%"]),
        "load_p95_ms": float(row["95%"]),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    args = parser.parse_args()

    django_setup()
    from django.db import connection

    backend = connection.vendor
    BENCH_VAR.mkdir(parents=True, exist_ok=True)
    sessions_file = BENCH_VAR / "load-sessions.json"
    sessions_file.touch(mode=0o600)
    sessions_file.write_text(json.dumps(mint_sessions(args.users)))
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
    prefix = BENCH_VAR / f"load-{backend}"
    try:
        wait_until_up(f"{base}/health/")
        subprocess.run(
            [
                BIN / "locust",
                "-f",
                ROOT / "bench" / "locustfile.py",
                "--headless",
                "--users",
                str(args.users),
                "--spawn-rate",
                str(args.users),
                "--run-time",
                f"{args.seconds}s",
                "--host",
                base,
                "--csv",
                prefix,
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            env={**os.environ, "LOAD_SESSIONS": str(sessions_file)},
            check=False,  # locust exits 1 when a request failed; the count says so
            timeout=args.seconds + 60,
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
        sessions_file.unlink(missing_ok=True)
    result = {
        "backend": backend,
        "load_users": args.users,
        "load_seconds": args.seconds,
        **aggregated(f"{prefix}_stats.csv"),
    }
    with open(args.out, "w") as out:
        json.dump(result, out, indent=2)
    print(json.dumps(result), file=sys.stderr)


if __name__ == "__main__":
    main()
