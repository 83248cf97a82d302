"""The CI dependency audit fails on findings that are not reasoned away."""

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / ".ci" / "audit_dependencies.py"


def load(monkeypatch, tmp_path, accepted):
    spec = importlib.util.spec_from_file_location("audit_dependencies", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    (tmp_path / "accepted.txt").write_text(accepted)
    monkeypatch.setattr(module, "ACCEPTED", tmp_path / "accepted.txt")
    return module


@pytest.fixture
def auditor(monkeypatch, tmp_path):
    module = load(monkeypatch, tmp_path, "# reasoned away\nGHSA-aaaa only the X backend\n")

    def run(dependencies):
        monkeypatch.setattr(module, "audit", lambda: {"dependencies": dependencies})
        module.main()

    return run


def vulnerable(vuln_id, aliases=()):
    return {"name": "django", "version": "5.2", "vulns": [{"id": vuln_id, "aliases": aliases}]}


def test_a_clean_audit_passes(auditor, capsys):
    auditor([{"name": "django", "version": "5.2", "vulns": []}])
    assert "no unaccepted vulnerabilities" in capsys.readouterr().out


def test_an_unaccepted_vulnerability_fails(auditor, capsys):
    with pytest.raises(SystemExit) as exit_:
        auditor([vulnerable("PYSEC-2099-1")])
    assert exit_.value.code == 1
    assert "PYSEC-2099-1" in capsys.readouterr().out


@pytest.mark.parametrize("finding", [vulnerable("GHSA-aaaa"), vulnerable("CVE-1", ["GHSA-aaaa"])])
def test_a_reasoned_away_vulnerability_passes(auditor, finding, capsys):
    auditor([finding])  # a finding not reasoned away would exit(1) here
    out = capsys.readouterr().out
    assert "1 locked packages, no unaccepted vulnerabilities" in out
    assert finding["vulns"][0]["id"] not in out


def test_an_accepted_id_without_a_reason_is_refused(monkeypatch, tmp_path):
    module = load(monkeypatch, tmp_path, "GHSA-bbbb\n")
    with pytest.raises(SystemExit, match="GHSA-bbbb has no reason"):
        module.accepted_ids()


def test_a_partly_skipped_audit_fails(auditor):
    with pytest.raises(SystemExit) as exit_:
        auditor(
            [{"name": "django", "version": "5.2", "vulns": []}, {"name": "x", "skip_reason": "?"}]
        )
    assert exit_.value.code == 1


def test_nothing_audited_is_said_loudly_and_fails_when_required(auditor, monkeypatch, capsys):
    skipped = [{"name": "django", "skip_reason": "not found"}]
    auditor(skipped)
    assert "NOTHING AUDITED" in capsys.readouterr().out
    monkeypatch.setenv("AUDIT_REQUIRED", "1")
    with pytest.raises(SystemExit) as exit_:
        auditor(skipped)
    assert exit_.value.code == 1
