"""Measure the person's portal: what a codename sign-in and a request cost, and what the
limits allow. Prints one JSON object and a table (bench/README.md, "Portal").

    .venv/bin/python bench/portal.py [--out var/bench/portal.json] [--samples 30]

It makes a database of its own (var/bench/portal.sqlite3, deleted and migrated
anew), with the real settings' Argon2 parameters: nothing here is a timed test.
"""

import argparse
import json
import os
import secrets
import sys
import time

from common import BENCH_VAR, ROOT, percentiles, timed

# This file's name is the portal app's: the project must come first on the path,
# or `import portal` would find this script instead of the app.
sys.path.insert(0, str(ROOT))

DATABASE = BENCH_VAR / "portal.sqlite3"
TEAM = "Bench portal team"
SECONDS_PER_YEAR = 365.25 * 24 * 3600


def machine_ticks() -> tuple[float, int, int]:
    """This process's CPU time, and the whole machine's busy and total time, in clock
    ticks so far (/proc/stat)."""
    with open("/proc/stat") as stat:
        fields = [int(part) for part in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle and waiting for I/O
    own = sum(os.times()[:2]) * os.sysconf("SC_CLK_TCK")
    return own, sum(fields) - idle, sum(fields)


def others_share(before: tuple[float, int, int]) -> float:
    """How much of the machine other processes used meanwhile: 0 is a quiet machine."""
    own, busy, total = (now - then for now, then in zip(machine_ticks(), before, strict=True))
    return round(max(0.0, busy - own) / total, 3) if total else 0.0


def fresh_database() -> None:
    BENCH_VAR.mkdir(parents=True, exist_ok=True)
    for path in BENCH_VAR.glob(DATABASE.name + "*"):
        path.unlink()
    os.environ["DATABASE_URL"] = f"sqlite:///{DATABASE}"
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)


def raw_argon2(parameters: dict, samples: int) -> dict:
    """Hash and verify one codename-like text, wall and CPU time (all threads) per call."""
    import argon2

    hasher = argon2.PasswordHasher(type=argon2.Type.ID, **parameters)
    text = " ".join(secrets.token_hex(4) for _ in range(7))
    hashes, verifies, cpu = [], [], []
    for _ in range(samples):
        before = time.process_time()
        stored, ms = timed(hasher.hash, text)
        cpu.append((time.process_time() - before) * 1000)
        hashes.append(ms)
        verifies.append(timed(hasher.verify, stored, text)[1])
    return {
        "parameters": parameters,
        "hash_ms": percentiles(hashes),
        "verify_ms": percentiles(verifies),
        "hash_cpu_ms": percentiles(cpu),
    }


def hmac_lookup(samples: int) -> dict:
    from portal import codenames

    normalised = codenames.normalise(codenames.generate("en"))
    # One call is microseconds: time batches of 1,000; one call's share, in µs.
    batches = [
        timed(lambda: [codenames.lookup(normalised) for _ in range(1000)])[1]
        for _ in range(samples)
    ]
    return {"lookup_us": percentiles(batches)}


def redirected_to(response, name: str) -> bool:
    from django.urls import reverse

    return response.status_code == 302 and response["Location"].startswith(reverse(name))


def sign_in_measures(samples: int) -> dict:
    """POST the sign-in form through the whole stack: right, wrong and refused-by-form, in turn."""
    from django.test import Client
    from django.urls import reverse

    from intake.choices import Region
    from portal import codenames, services

    url = reverse("portal:sign_in")
    case_data = {
        "alias": "Bench",
        "contact_handle": "",
        "safe_contact": "",
        "region": Region.CHECHNYA,
        "location": "",
        "threats": [],
        "needs": [],
        "languages": [],
        "risk": 3,
        "narrative": "Measured.",
    }
    _case, right = services.request_create(data=case_data, language="en")
    wrong_codenames = [codenames.generate("en") for _ in range(samples)]
    kinds = {"right": [], "wrong": [], "form_refused": []}
    for turn in range(samples):
        for kind, typed, lands in (
            ("right", right, "portal:inbox"),
            ("wrong", wrong_codenames[turn], "portal:sign_in"),
            ("form_refused", "oneword", "portal:sign_in"),
        ):
            client = Client()  # a browser that has not signed in
            response, ms = timed(client.post, url, {"codename": typed})
            if not redirected_to(response, lands):
                raise SystemExit(f"sign-in ({kind}) answered {response.status_code}")
            kinds[kind].append(ms)
    right_ms, wrong_ms = percentiles(kinds["right"]), percentiles(kinds["wrong"])
    return {
        "sign_in_right_ms": right_ms,
        "sign_in_wrong_ms": wrong_ms,
        "sign_in_floor_ms": percentiles(kinds["form_refused"]),
        "sign_in_wrong_over_right_p50": round(wrong_ms["p50"] / right_ms["p50"], 3),
    }


def request_measures(samples: int) -> dict:
    """POST the request form as a person would: one new case and codename each."""
    from django.test import Client
    from django.urls import reverse

    from intake.models import Case

    url = reverse("portal:ask")
    before = Case.objects.count()
    times = []
    for turn in range(samples):
        form = {
            "alias": f"Bench {turn}",
            "narrative": "Detained last week, released, told to report again. " * 5,
            "needs": ["shelter", "evacuation"],
            "danger": "3",
            "region": "chechnya",
            "languages": ["ru"],
            "reach": "telegram",
            "handle": f"@bench_portal_{turn}",
            "safe_contact": "Write first; never call.",
        }
        client = Client()
        response, ms = timed(client.post, url, form)
        if not redirected_to(response, "portal:codename"):
            raise SystemExit(f"request answered {response.status_code}")
        times.append(ms)
    if Case.objects.count() - before != samples:
        raise SystemExit("not every request became a case")
    return {"request_ms": percentiles(times)}


def what_the_limits_allow(limits: dict, sign_in_cpu_ms: float, hash_cpu_ms: float) -> dict:
    from portal import codenames

    def per(name: str, unit: int) -> float:
        count, seconds = limits[name]
        return count * unit / seconds

    sign_ins_per_s = per("sign_in_all", 1)
    requests_per_s = per("request_all", 1)
    space_bits = min(codenames.entropy_bits(language) for language in codenames.SOURCES)
    return {
        "limits": {name: f"{count}/{seconds}" for name, (count, seconds) in limits.items()},
        "sign_ins_per_min_all": round(per("sign_in_all", 60), 2),
        "sign_ins_per_min_client": round(per("sign_in_client", 60), 2),
        "requests_per_hour_all": round(per("request_all", 3600), 2),
        "requests_per_hour_client": round(per("request_client", 3600), 2),
        # One Argon2id hash each: what the overall limits let anyone make this machine do.
        "sign_in_cpu_share_of_one_core": round(sign_ins_per_s * sign_in_cpu_ms / 1000, 3),
        "request_cpu_share_of_one_core": round(requests_per_s * hash_cpu_ms / 1000, 4),
        "codename_bits": {
            lang: round(codenames.entropy_bits(lang), 1) for lang in codenames.SOURCES
        },
        # Every codename tried at the overall limit, none refused: the whole space.
        "years_to_try_every_codename": f"{2**space_bits / sign_ins_per_s / SECONDS_PER_YEAR:.2e}",
    }


def table(result: dict) -> str:
    def pp(measure: dict) -> str:
        digits = 1 if measure["p50"] >= 10 else 2
        return f"{measure['p50']:.{digits}f} / {measure['p95']:.{digits}f} ms"

    real, low, default = result["argon2"], result["argon2_lowest"], result["argon2_cffi_default"]
    one_lane = result["argon2_one_lane"]
    limits = result["limits_allow"]
    rows = [
        ("machine reference (`machine_ref_ms`)", f"{result['machine_ref_ms']:.1f} ms"),
        (
            "load average before, after",
            f"{result['load_average_before']:.2f}, {result['load_average_after']:.2f}",
        ),
        ("machine used by other processes meanwhile", f"{result['others_cpu_share']:.0%}"),
        ("Argon2id hash, real (t=3, 64 MiB, p=2)", pp(real["hash_ms"])),
        ("Argon2id verify, real", pp(real["verify_ms"])),
        ("Argon2id hash, real: CPU (all threads)", pp(real["hash_cpu_ms"])),
        ("Argon2id hash, one lane (t=3, 64 MiB, p=1)", pp(one_lane["hash_ms"])),
        ("Argon2id hash, argon2-cffi default (t=3, 64 MiB, p=4)", pp(default["hash_ms"])),
        ("Argon2id hash, tests' (t=1, 8 KiB, p=1)", pp(low["hash_ms"])),
        ("Argon2id verify, tests'", pp(low["verify_ms"])),
        (
            "HMAC lookup value (p50 / p95)",
            "{p50:.1f} / {p95:.1f} µs".format(**result["hmac"]["lookup_us"]),
        ),
        ("sign-in POST, right codename", pp(result["sign_in_right_ms"])),
        ("sign-in POST, wrong codename", pp(result["sign_in_wrong_ms"])),
        ("wrong / right (p50)", f"{result['sign_in_wrong_over_right_p50']:.3f}"),
        ("sign-in POST refused by the form (no Argon2)", pp(result["sign_in_floor_ms"])),
        ("request POST (new case and codename)", pp(result["request_ms"])),
        (
            "sign-ins a minute: overall, one client",
            f"{limits['sign_ins_per_min_all']}, {limits['sign_ins_per_min_client']}",
        ),
        (
            "requests an hour: overall, one client",
            f"{limits['requests_per_hour_all']}, {limits['requests_per_hour_client']}",
        ),
        ("CPU at the sign-in limit", f"{limits['sign_in_cpu_share_of_one_core']:.1%} of a core"),
        ("years to try every codename at the limit", limits["years_to_try_every_codename"]),
    ]
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default=str(BENCH_VAR / "portal.json"))
    parser.add_argument("--samples", type=int, default=30)
    args = parser.parse_args()
    samples = args.samples

    fresh_database()
    from django.conf import settings
    from measure import measure_machine

    from accounts.models import Team

    real = dict(settings.PORTAL_ARGON2)
    limits = dict(settings.PORTAL_LIMITS)
    # The bench signs in far faster than anyone may: the throttle would refuse it.
    settings.PORTAL_LIMITS = {name: (10**9, seconds) for name, (_n, seconds) in limits.items()}
    Team.objects.create(name=TEAM)
    settings.PORTAL_TEAM = TEAM
    settings.PORTAL_TEAMS_BY_REGION = {}

    # Another process busy on these two cores shows as wall time above CPU time.
    ticks = machine_ticks()
    result = {"backend": "sqlite", "load_average_before": os.getloadavg()[0], **measure_machine()}
    result["argon2"] = raw_argon2(real, samples)
    result["argon2_one_lane"] = raw_argon2({**real, "parallelism": 1}, samples)
    result["argon2_cffi_default"] = raw_argon2(
        {"time_cost": 3, "memory_cost": 64 * 1024, "parallelism": 4}, samples
    )
    result["argon2_lowest"] = raw_argon2(
        {"time_cost": 1, "memory_cost": 8, "parallelism": 1}, samples
    )
    result["hmac"] = hmac_lookup(samples)
    result.update(sign_in_measures(samples))
    result.update(request_measures(samples))
    result["limits_allow"] = what_the_limits_allow(
        limits, result["argon2"]["hash_cpu_ms"]["p50"], result["argon2"]["hash_cpu_ms"]["p50"]
    )
    result["load_average_after"] = os.getloadavg()[0]
    result["others_cpu_share"] = others_share(ticks)
    with open(args.out, "w") as out:
        json.dump(result, out, indent=2)
    print(json.dumps(result, indent=2))
    print(table(result))


if __name__ == "__main__":
    main()
