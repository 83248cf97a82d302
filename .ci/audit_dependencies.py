"""Audit the locked dependencies with pip-audit; fail on any finding not reasoned away.

Accepted findings live in .ci/accepted-vulnerabilities.txt, each with its reason.
If no vulnerability source answers for any package (a machine whose network
reaches the package index but not the advisory services), the audit says so
loudly: it has audited nothing. Set AUDIT_REQUIRED=1 to make that a failure.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
LOCK = HERE.parent / "requirements.lock"
ACCEPTED = HERE / "accepted-vulnerabilities.txt"


def accepted_ids():
    ids = {}
    for number, line in enumerate(ACCEPTED.read_text().splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        vuln_id, _, reason = line.partition(" ")
        if not reason.strip():
            sys.exit(f"{ACCEPTED.name}:{number}: {vuln_id} has no reason")
        ids[vuln_id] = reason.strip()
    return ids


def audit():
    command = [
        sys.executable, "-m", "pip_audit", "--format", "json", "--progress-spinner", "off",
        "--no-deps", "--disable-pip", "--requirement", str(LOCK),
    ]  # fmt: skip
    # A fixed argument list of our own, no shell: nothing untrusted reaches it.
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    try:
        return json.loads(result.stdout)
    except json.JSONDecodeError:
        sys.exit(f"pip-audit did not report:\n{result.stderr}")


def main():
    accepted = accepted_ids()
    report = audit()["dependencies"]
    skipped = [dep for dep in report if "skip_reason" in dep]
    findings = [
        (dep["name"], dep["version"], vuln["id"])
        for dep in report
        for vuln in dep.get("vulns", [])
        if vuln["id"] not in accepted and not accepted.keys() & set(vuln.get("aliases", []))
    ]
    if skipped and len(skipped) == len(report):
        print(f"pip-audit: NOTHING AUDITED. No vulnerability source answered for any of the "
              f"{len(report)} locked packages: {skipped[0]['skip_reason']}")  # fmt: skip
        if os.environ.get("AUDIT_REQUIRED") == "1":
            sys.exit(1)
        return
    for dep in skipped:
        print(f"pip-audit could not audit {dep['name']}: {dep['skip_reason']}")
    for name, version, vuln_id in findings:
        print(f"{name} {version}: {vuln_id} (fix it or reason it away in {ACCEPTED.name})")
    if skipped or findings:
        sys.exit(1)
    print(f"pip-audit: {len(report)} locked packages, no unaccepted vulnerabilities")


if __name__ == "__main__":
    main()
