"""What a new user meets first, driven through the real CLI in a real temporary
AEGIS_HOME: setup, doctor (including broken states it must find and fix), status."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "fresh-home"  # does not exist yet: setup creates it


def aegis(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AEGIS_HOME": str(home), "AEGIS_LOAD_PLUGINS": ""}
    keep = ("AEGIS_HOME", "AEGIS_LOAD_PLUGINS")
    env = {k: v for k, v in env.items() if not k.startswith("AEGIS_") or k in keep}
    return subprocess.run([sys.executable, "-m", "aegis_core.cli", *args], env=env, text=True,
                          capture_output=True, timeout=120)


def doctor(home: Path, *args: str) -> tuple[int, dict[str, dict[str, str]]]:
    result = aegis(home, "doctor", "--json", *args)
    report = json.loads(result.stdout)
    assert report["exit_code"] == result.returncode
    return result.returncode, {c["name"]: c for c in report["checks"]} | {"_fixed": report["fixed"]}


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_setup_creates_everything_private_and_is_safe_to_rerun(home: Path) -> None:
    first = aegis(home, "setup", "--non-interactive", "--json")
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert mode(home) == 0o700
    for name in ("config.toml", "policy.toml", "aegis.db"):
        assert mode(home / name) == 0o600, name
    from aegis_core.policy import load_policy
    from aegis_core.policy.loader import parse_policy

    # A short file of the user's own rules over the built-in packs, not a copy of them:
    # later fixes to the packs still reach the user.
    written = (home / "policy.toml").read_text()
    rules, _, include_defaults = parse_policy(written, "policy.toml")
    assert include_defaults and rules == [] and len(written) < 4000
    assert len(load_policy(home / "policy.toml").rules) > 20
    assert "[approvals]" in (home / "config.toml").read_text()
    assert len(report["created"]) == 2

    (home / "config.toml").write_text("# mine\n[approvals]\ntimeout_seconds = 42\n")
    (home / "config.toml").chmod(0o600)
    again = json.loads(aegis(home, "setup", "--non-interactive", "--json").stdout)
    assert str(home / "config.toml") in again["kept"]
    assert "# mine" in (home / "config.toml").read_text()

    forced = json.loads(aegis(home, "setup", "--non-interactive", "--force", "--json").stdout)
    (backup,) = [Path(p) for p in forced["backed_up"] if "config.toml" in p]
    assert "# mine" in backup.read_text() and mode(backup) == 0o600


def test_doctor_on_a_fresh_setup_has_no_failure(home: Path) -> None:
    aegis(home, "setup", "--non-interactive")
    code, checks = doctor(home)
    assert code == 0
    assert checks["config"]["status"] == "pass"
    assert checks["daemon"]["status"] == "warn" and "aegis start" in checks["daemon"]["fix"]
    assert checks["audit-chain"]["status"] == "pass"


def test_doctor_finds_and_fixes_loose_permissions(home: Path) -> None:
    aegis(home, "setup", "--non-interactive")
    (home / "config.toml").chmod(0o644)
    home.chmod(0o755)
    code, checks = doctor(home)
    assert code == 5
    assert checks["file-permissions"]["status"] == "fail"
    assert checks["home-permissions"]["status"] == "fail"
    code, checks = doctor(home, "--fix")
    assert code == 0, checks
    assert mode(home / "config.toml") == 0o600 and mode(home) == 0o700
    assert any("chmod" in line for line in checks["_fixed"])


def test_doctor_reports_a_corrupt_config_and_still_runs_the_rest(home: Path) -> None:
    aegis(home, "setup", "--non-interactive")
    (home / "config.toml").write_text("[approvals\ntimeout_seconds = 1\n")
    code, checks = doctor(home)
    assert code == 2
    assert checks["config"]["status"] == "fail" and "TOML" in checks["config"]["message"]
    assert checks["database"]["status"] == "pass"  # the other checks still ran


def test_doctor_finds_and_removes_a_stale_pid_file(home: Path) -> None:
    aegis(home, "setup", "--non-interactive")
    (home / "aegis.pid").write_text("999999\n")
    _, checks = doctor(home)
    assert checks["daemon"]["status"] == "warn" and "stale" in checks["daemon"]["message"]
    _, checks = doctor(home, "--fix")
    assert not (home / "aegis.pid").exists()


def test_doctor_reports_corrupt_state_with_exit_8(home: Path) -> None:
    aegis(home, "setup", "--non-interactive")
    (home / "aegis.db").write_bytes(b"this is not a database" * 100)
    code, checks = doctor(home)
    assert code == 8 and checks["database"]["status"] == "fail"
    assert (home / "aegis.db").read_bytes().startswith(b"this is not")  # left for the user


def test_doctor_reports_a_tampered_audit_log(home: Path) -> None:
    aegis(home, "setup", "--non-interactive")
    assert aegis(home, "start").returncode == 0
    aegis(home, "stop")
    log = home / "audit.log"
    lines = log.read_text().splitlines()
    lines[0] = lines[0].replace('"daemon.started"', '"daemon.startex"')
    log.write_text("\n".join(lines) + "\n")
    code, checks = doctor(home)
    assert code == 8 and "record 1" in checks["audit-chain"]["message"]


def test_status_without_and_with_the_daemon(home: Path) -> None:
    aegis(home, "setup", "--non-interactive")
    stopped = aegis(home, "status", "--json")
    assert stopped.returncode == 3 and json.loads(stopped.stdout)["running"] is False
    assert "not running" in aegis(home, "status").stdout
    assert aegis(home, "start").returncode == 0
    try:
        running = json.loads(aegis(home, "status", "--json").stdout)
        assert running["running"] is True and running["pending"] == 0
        assert "terminal" in running["channels"]
        assert "running (pid" in aegis(home, "status").stdout
    finally:
        aegis(home, "stop")
