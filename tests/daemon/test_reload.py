"""A changed policy or config takes effect only when a human confirms it: `aegis
reload` on the operator socket applies the files (validated, audited, showing what
changes); a SIGHUP, from anyone, only asks, with an approval "policy changed: N rules
differ, apply?" that approving applies and denying declines."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from typing import Any

CLI_CHANNEL = '[approvals]\nchannels = ["cli"]\ntimeout_seconds = 60\n'
# The attack 4: everything allowed, nothing of the built-in packs left.
ALLOW_ALL = '[policy]\ninclude_defaults = false\ndefault_action = "allow"\n'
NO_GIT = ('[policy]\ninclude_defaults = true\ndefault_action = "require_approval"\n\n[[policy.rules]]\n'
          'name = "no-git-status"\nmatch = { tool = "bash", command_pattern = "^git status" }\naction = "deny"\n'
          'reason = "testing reload"\npriority = 1\n')


def wait_for(predicate, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("condition not reached in time")


def events(daemon: Any, name: str) -> list[dict[str, Any]]:
    return [e for e in map(json.loads, (daemon.home / "audit.log").read_text().splitlines()) if e["event"] == name]


def pending(daemon: Any) -> list[dict[str, Any]]:
    return json.loads(daemon.cli("approvals", "list", "--json").stdout or "[]")


def decide(daemon: Any, command: str) -> str:
    """What the running daemon decides for a shell call of an unwrapped hook (each in
    a session of its own: the critic rightly escalates a session probing after denies)."""
    return daemon.request("judge", via=daemon.agent_socket, adapter="generic",
                          payload={"tool": "Bash", "input": {"command": command}, "cwd": str(daemon.project),
                                   "session": uuid.uuid4().hex})["decision"]


def write_policy(daemon: Any, text: str) -> None:
    path = daemon.home / "policy.toml"
    path.write_text(text)
    path.chmod(0o600)


def hangup_from_a_script(daemon: Any) -> None:
    """SIGHUP as an agent sends it: a script that reads the pid file and signals."""
    script = "import os, signal, sys; os.kill(int(open(sys.argv[1]).read()), signal.SIGHUP)"
    subprocess.run([sys.executable, "-c", script, str(daemon.home / "aegis.pid")], check=True, timeout=30)


def test_a_sighup_after_a_policy_swap_applies_nothing_until_approved(daemon) -> None:
    daemon.write_config(CLI_CHANNEL)
    daemon.start()
    assert decide(daemon, "cat .env") == "deny" and decide(daemon, "rm -rf ~") == "deny"
    write_policy(daemon, ALLOW_ALL)
    hangup_from_a_script(daemon)

    asked = wait_for(lambda: pending(daemon))[0]
    assert asked["tool"] == "aegis.reload" and asked["kind"] == "config"
    assert asked["summary"].startswith("policy changed: ") and "rules differ, apply?" in asked["summary"]
    assert "default action: require_approval -> allow" in asked["summary"]
    # Every built-in rule is gone: named, the first twenty, and counted.
    removed = int(re.search(r"policy changed: (\d+) rules differ", asked["summary"]).group(1))
    assert removed > 20 and "rules removed: aegis-" in asked["summary"]
    assert f"and {removed - 20} more" in asked["summary"]
    # Nothing applied while it waits: attack 4 gets nothing through.
    assert decide(daemon, "cat .env") == "deny" and decide(daemon, "rm -rf ~") == "deny"
    assert json.loads(daemon.cli("status", "--json").stdout)["pending_change"]["approval_id"] == asked["id"]
    # Another SIGHUP for the same files asks nothing new.
    hangup_from_a_script(daemon)
    wait_for(lambda: len(events(daemon, "config.reload_requested")) == 2)
    assert [a["id"] for a in pending(daemon)] == [asked["id"]]

    approved = daemon.cli("approvals", "approve", asked["id"])
    assert approved.returncode == 0, approved.stderr
    wait_for(lambda: events(daemon, "config.reloaded"))
    assert decide(daemon, "cat .env") == "allow"
    reloaded = events(daemon, "config.reloaded")[-1]["details"]
    assert reloaded["approval_id"] == asked["id"] and reloaded["trigger"] == "SIGHUP"
    assert reloaded["by"].endswith("via cli") and reloaded["changes"]["default_action"] == ["require_approval", "allow"]


def test_denying_the_confirmation_keeps_the_running_policy(daemon) -> None:
    daemon.write_config(CLI_CHANNEL)
    daemon.start()
    write_policy(daemon, NO_GIT)
    os.kill(int((daemon.home / "aegis.pid").read_text()), signal.SIGHUP)
    asked = wait_for(lambda: pending(daemon))[0]
    assert asked["summary"].startswith("policy changed: 1 rule differs, apply?")
    assert "rules added: no-git-status" in asked["summary"]
    denied = daemon.cli("approvals", "deny", asked["id"], "--reason", "I did not change it")
    assert denied.returncode == 0, denied.stderr
    declined = wait_for(lambda: events(daemon, "config.reload_declined"))[0]["details"]
    assert declined["status"] == "denied" and declined["approval_id"] == asked["id"]
    assert decide(daemon, "git status") == "allow"
    assert not events(daemon, "config.reloaded")
    # An invalid file asks nothing: there is nothing a human could apply.
    write_policy(daemon, '[policy]\ndefault_action = "allwo"\n')
    os.kill(int((daemon.home / "aegis.pid").read_text()), signal.SIGHUP)
    failed = wait_for(lambda: events(daemon, "config.reload_failed"))[0]["details"]
    assert failed["trigger"] == "SIGHUP" and "policy.toml:2" in failed["error"]
    assert pending(daemon) == [] and decide(daemon, "git status") == "allow"


def test_aegis_reload_shows_what_changes_and_applies_it(daemon) -> None:
    daemon.write_config(CLI_CHANNEL)
    daemon.start()
    write_policy(daemon, NO_GIT)
    daemon.write_config(CLI_CHANNEL.replace("timeout_seconds = 60", "timeout_seconds = 45")
                        + '\n[telegram]\nbot_token = "123456:not-a-real-token"\n')
    os.kill(int((daemon.home / "aegis.pid").read_text()), signal.SIGHUP)
    asked = wait_for(lambda: pending(daemon))[0]

    dry = daemon.cli("reload", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "Would apply: policy changed: 1 rule differs; config changed: 2 keys differ" in dry.stdout
    assert "rules added: no-git-status" in dry.stdout
    assert "config approvals.timeout_seconds: 60 -> 45" in dry.stdout
    assert "telegram.bot_token: (unset) -> ***REDACTED***" in dry.stdout and "not-a-real-token" not in dry.stdout
    assert "after a restart" in dry.stdout  # a channel's token is read at start
    assert decide(daemon, "git status") == "allow"

    applied = daemon.cli("reload", "--json")
    assert applied.returncode == 0, applied.stderr
    report = json.loads(applied.stdout)
    assert report["reloaded"] is True and report["superseded_approval"] == asked["id"]
    assert report["changes"]["rules"]["added"] == ["no-git-status"]
    assert {c["key"]: c["now"] for c in report["changes"]["config"]} == {"approvals.timeout_seconds": True,
                                                                           "telegram.bot_token": False}
    assert "not-a-real-token" not in applied.stdout + (daemon.home / "audit.log").read_text()
    assert decide(daemon, "git status") == "deny"
    # The confirmation the SIGHUP asked for is over: cancelled, never applied.
    assert json.loads(daemon.cli("approvals", "show", asked["id"], "--json").stdout)["status"] == "cancelled"
    assert events(daemon, "config.reloaded")[-1]["details"]["trigger"] == "aegis reload"

    again = daemon.cli("reload")
    assert again.returncode == 0 and "Nothing changed" in again.stdout
    write_policy(daemon, '[policy]\ndefault_action = "allwo"\n')
    broken = daemon.cli("reload")
    assert broken.returncode == 2, broken.stdout + broken.stderr
    assert "nothing was reloaded" in broken.stderr and "policy.toml:2" in broken.stderr
    assert decide(daemon, "git status") == "deny"


def test_reload_without_a_daemon_says_it_reads_the_files_at_start(daemon) -> None:
    result = daemon.cli("reload")
    assert result.returncode == 3 and "aegis start" in result.stderr
