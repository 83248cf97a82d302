"""Merge the per-backend results into one JSON object and a table against the targets.

    python bench/report.py var/bench/sqlite.json var/bench/postgres.json ...

Each metric becomes {"sqlite": value, "postgres": value}; targets are the
issue's, stated for PostgreSQL on this 2-core machine.
"""

import json
import operator
import sys

TARGETS = {
    "list_p95_ms": (operator.le, 50),
    "detail_p95_ms": (operator.le, 50),
    "list_queries": (operator.le, 10),
    "search_p95_ms": (operator.le, 50),
    "search_queries_constant": (operator.eq, True),
    "detail_queries": (operator.le, 10),
    "encrypted_vs_plain_ratio": (operator.le, 1.3),
    "intake_per_s": (operator.ge, 100),
    "intake_http_per_s": (operator.ge, 100),
    "intake_http_errors": (operator.eq, 0),
    "purge_per_s": (operator.ge, 1000),
    "purge_peak_mb": (None, None),
    "reminder_scan_s": (operator.lt, 1),
    "audit_append_per_s": (None, None),
    "load_p95_ms": (None, None),
    "load_errors": (operator.eq, 0),
}
BACKENDS = ("sqlite", "postgresql")


def merge(paths: list[str]) -> dict:
    merged: dict = {}
    for path in paths:
        with open(path) as source:
            result = json.load(source)
        backend = "postgres" if result.pop("backend") == "postgresql" else "sqlite"
        for key, value in result.items():
            merged.setdefault(key, {})[backend] = value
    # The search's statements at 100,000 and at 10,000 cases: the same, or it grows.
    large, small = merged.get("search_queries", {}), merged.get("search_queries_small", {})
    for backend in large.keys() & small.keys():
        merged.setdefault("search_queries_constant", {})[backend] = large[backend] == small[backend]
    return merged


def verdict(key: str, value) -> str:
    compare, target = TARGETS.get(key, (None, None))
    if compare is None or value is None:
        return ""
    return "ok" if compare(value, target) else "MISSED"


def table(merged: dict) -> str:
    symbols = {operator.le: "<=", operator.ge: ">=", operator.lt: "<", operator.eq: "=="}
    lines = [f"{'metric':32} {'sqlite':>12} {'postgres':>12}  target (postgres)"]
    for key, values in merged.items():
        if isinstance(values.get("sqlite", values.get("postgres")), dict):
            continue  # breakdowns stay in the JSON
        compare, target = TARGETS.get(key, (None, None))
        goal = (
            f"{symbols[compare]} {target}  {verdict(key, values.get('postgres'))}"
            if compare
            else ""
        )
        cells = [str(values.get(b, "-")) for b in ("sqlite", "postgres")]
        lines.append(f"{key:32} {cells[0]:>12} {cells[1]:>12}  {goal}")
    return "\n".join(lines)


def main():
    merged = merge(sys.argv[1:])
    print(json.dumps(merged, indent=2))
    print()
    print(table(merged))


if __name__ == "__main__":
    main()
