"""The rough edges a new user hit in the first hour (issue #16), each through the real
CLI in a real temporary AEGIS_HOME: exit codes as the README's table says, doctor
checking what start would load, config changes that say what happens next, effective
values under another AEGIS_HOME, and no hint that names a made-up package."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BROKEN_POLICY = '[policy]\ndefault_action = "allow"\n[[policy.rules]\nname = "x"\n'


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "h"
    result = aegis(home, "setup", "--non-interactive")
    assert result.returncode == 0, result.stderr
    return home


def aegis(home: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("AEGIS_")}
    clean.update({"AEGIS_HOME": str(home), "HOME": str(home.parent), **(env or {})})
    return subprocess.run([sys.executable, "-m", "aegis_core.cli", *args], env=clean, text=True,
                          capture_output=True, timeout=120)


def one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


def test_aegis_alone_shows_the_help_and_succeeds(tmp_path: Path) -> None:
    result = aegis(tmp_path / "h")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Usage: aegis [OPTIONS] COMMAND")
    assert "  wrap " in result.stdout and "  approvals " in result.stdout
    assert result.stderr == ""


def test_start_with_an_invalid_policy_is_a_config_error_in_one_line(home: Path) -> None:
    (home / "policy.toml").write_text(BROKEN_POLICY)
    result = aegis(home, "start")
    assert result.returncode == 2
    line = one_line(result.stderr)
    assert f"{home / 'policy.toml'}:3:" in line and "aegis policy validate" in line
    assert not (home / "aegis.sock").exists()  # refused before any daemon started


def test_doctor_fails_on_the_policy_start_would_refuse(home: Path) -> None:
    (home / "policy.toml").write_text(BROKEN_POLICY)
    result = aegis(home, "doctor", "--json")
    report = json.loads(result.stdout)
    checks = {c["name"]: c for c in report["checks"]}
    assert checks["policy"]["status"] == "fail" and ":3:" in checks["policy"]["message"]
    assert result.returncode == 2 == report["exit_code"]
    assert "fix what the policy check reports" in checks["daemon"]["fix"]  # not just "aegis start"
    (home / "policy.toml").write_text("[policy]\ninclude_defaults = true\n")
    fixed = json.loads(aegis(home, "doctor", "--json").stdout)
    assert {c["name"]: c for c in fixed["checks"]}["policy"]["status"] == "pass"


def test_a_world_writable_policy_is_a_permission_error_with_the_fix(home: Path) -> None:
    policy = home / "policy.toml"
    policy.chmod(0o666)
    for args in (("policy", "validate"), ("start",)):
        result = aegis(home, *args)
        assert result.returncode == 5, (args, result.stderr)
        assert f"chmod 600 {policy}" in one_line(result.stderr)


def test_config_set_takes_negative_values_as_values_and_validates_them(home: Path) -> None:
    before = (home / "config.toml").read_text()
    result = aegis(home, "config", "set", "approvals.timeout_seconds", "-5")
    assert result.returncode == 2
    assert "approvals.timeout_seconds must be at least 1, got -5" in one_line(result.stderr)
    assert (home / "config.toml").read_text() == before  # nothing written


def test_config_set_and_unset_say_what_happens_next(home: Path) -> None:
    result = aegis(home, "config", "set", "approvals.timeout_seconds", "42")
    assert result.returncode == 0, result.stderr
    assert "takes effect at the next: aegis start" in result.stdout  # the daemon is not running
    assert aegis(home, "config", "get", "approvals.timeout_seconds").stdout.strip() == "42"
    overridden = aegis(home, "config", "set", "approvals.timeout_seconds", "43",
                       env={"AEGIS_APPROVALS_TIMEOUT_SECONDS": "7"})
    assert "AEGIS_APPROVALS_TIMEOUT_SECONDS is set in your environment and overrides" in overridden.stdout

    removed = aegis(home, "config", "unset", "approvals.timeout_seconds")
    assert removed.returncode == 0 and "(default: 300)" in removed.stdout
    assert "timeout_seconds" not in (home / "config.toml").read_text()
    assert "[approvals]" in (home / "config.toml").read_text()  # the rest of the section stays
    assert aegis(home, "config", "get", "approvals.timeout_seconds").stdout.strip() == "300"
    again = aegis(home, "config", "unset", "approvals.timeout_seconds")
    assert again.returncode == 0 and "nothing to do" in again.stdout


def test_config_set_with_the_daemon_running_says_how_to_apply_it(home: Path) -> None:
    started = aegis(home, "start")
    assert started.returncode == 0, started.stderr
    try:
        result = aegis(home, "config", "set", "approvals.max_per_minute", "20")
        assert result.returncode == 0, result.stderr
        assert "The running daemon still uses the old value" in result.stdout
        assert "aegis reload" in result.stdout or "aegis stop && aegis start" in result.stdout
    finally:
        aegis(home, "stop", "--force")


def test_setup_with_the_daemon_running_never_says_start_it(home: Path) -> None:
    started = aegis(home, "start")
    assert started.returncode == 0, started.stderr
    try:
        again = aegis(home, "setup", "--non-interactive")  # nothing changes: nothing to apply
        assert again.returncode == 0, again.stderr
        assert "aegis start" not in again.stdout and "aegis reload" not in again.stdout
        rewritten = aegis(home, "setup", "--non-interactive", "--force")
        assert rewritten.returncode == 0, rewritten.stderr
        assert "aegis start" not in rewritten.stdout
        assert "aegis reload" in rewritten.stdout and "still has the old settings" in rewritten.stdout
    finally:
        aegis(home, "stop", "--force")


def test_config_get_shows_effective_paths_under_another_aegis_home(home: Path) -> None:
    (home / "config.toml").write_text("")  # nothing set: the defaults apply
    assert aegis(home, "config", "get", "database.path").stdout.strip() == str(home / "aegis.db")
    assert aegis(home, "config", "get", "policy.path").stdout.strip() == str(home / "policy.toml")
    listed = aegis(home, "config", "list", "--json")
    values = json.loads(listed.stdout)
    assert values["database.path"]["value"] == str(home / "aegis.db")
    assert not any("~/.aegis" in str(v["value"]) for v in values.values())


def test_the_dead_port_setting_is_gone_and_says_so(home: Path) -> None:
    result = aegis(home, "start", "--port", "39000")
    assert result.returncode == 2 and "No such option" in result.stderr
    (home / "config.toml").write_text("[daemon]\nport = 39000\n")
    listed = aegis(home, "config", "list")
    assert "daemon listens on a Unix socket" in listed.stderr
    assert "daemon.port" not in listed.stdout


def test_an_unknown_adapter_suggests_only_real_distributions(home: Path) -> None:
    unknown = aegis(home, "wrap", "--adapter", "nosuch", "--", "true")
    assert unknown.returncode == 7
    line = one_line(unknown.stderr)
    assert "pip install" not in line and "aegis plugins list" in line
    typo = one_line(aegis(home, "wrap", "--adapter", "ptyy", "--", "true").stderr)
    assert "did you mean --adapter pty" in typo
    known = one_line(aegis(home, "wrap", "--adapter", "gemini", "--", "true").stderr)
    assert "pip install aegis-gemini" in known


def test_setup_writes_a_short_policy_whose_examples_are_valid(home: Path) -> None:
    import re

    from aegis_core.policy import policy_from_text

    text = (home / "policy.toml").read_text()
    assert "include_defaults = true" in text
    head, _, examples = text.partition("# Examples")
    uncommented = head + "# Examples" + "\n".join(line[2:] if re.match(r"# (\[\[|\w+ = )", line) else line
                                   for line in examples.splitlines())
    policy = policy_from_text(uncommented, "examples")
    names = {rule.name for rule in policy.rules}
    assert {"my-no-push", "my-ask-migrations", "my-project-scripts"} <= names
    assert "fs-delete-critical" in names  # the built-in packs underneath
