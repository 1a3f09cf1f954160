"""Whatever writes the audit log is required, whoever provides it: a third-party audit
plugin that fails denies the decision (with aegis.audit beside it, or replacing it),
through a real daemon; with no audit writer at all the daemon does not start."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from aegis_core.testing import daemon_stream

FAILING_AUDIT = """
from aegis_core.hookspecs import hookimpl

@hookimpl
def audit(event):
    if event.event.startswith("call."):
        raise OSError("the remote log server is unreachable")
"""

MIRROR_AUDIT = """
import os
from aegis_core.hookspecs import hookimpl

@hookimpl
def audit(event):
    with open(os.environ["MIRROR_FILE"], "a") as out:
        out.write(event.event + "\\n")
"""


def start(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "aegis_core.cli", "start"], env=env, capture_output=True,
                          text=True, timeout=60)


def stop(env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "-m", "aegis_core.cli", "stop", "--force", "--timeout", "5"], env=env,
                   capture_output=True, timeout=60)


def routine_call(home: Path) -> dict:
    return daemon_stream(home / "aegis.sock", "judge", adapter="generic",
                         payload={"tool": "Bash", "input": {"command": "git status"}, "cwd": str(home.parent)})[-1]


@pytest.mark.parametrize("disable_builtin", [False, True], ids=["beside-aegis.audit", "replacing-aegis.audit"])
def test_a_failing_third_party_audit_plugin_denies(make_dist, aegis_home: Path, disable_builtin: bool) -> None:
    make_dist("aegis-remote-log", FAILING_AUDIT)
    env = {**os.environ, "AEGIS_HOME": str(aegis_home), "AEGIS_LOAD_PLUGINS": "aegis-remote-log"}
    if disable_builtin:
        env["AEGIS_DISABLE_PLUGINS"] = "aegis.audit"
    assert start(env).returncode == 0
    try:
        answer = routine_call(aegis_home)
    finally:
        stop(env)
    assert answer["decision"] == "deny" and answer["rule"] == "audit-failure"
    assert "aegis-remote-log" in answer["reason"] and "unreachable" in answer["reason"]


def test_a_working_replacement_writes_every_record(make_dist, aegis_home: Path, tmp_path: Path) -> None:
    make_dist("aegis-mirror", MIRROR_AUDIT)
    mirror = tmp_path / "mirror.txt"
    env = {**os.environ, "AEGIS_HOME": str(aegis_home), "AEGIS_LOAD_PLUGINS": "aegis-mirror",
           "AEGIS_DISABLE_PLUGINS": "aegis.audit", "MIRROR_FILE": str(mirror)}
    assert start(env).returncode == 0
    try:
        answer = routine_call(aegis_home)
    finally:
        stop(env)
    assert answer["decision"] == "allow"
    assert "call.decided" in mirror.read_text().split()
    assert not (aegis_home / "audit.log").exists()  # the built-in writer was really off


def test_with_no_audit_writer_the_daemon_does_not_start(aegis_home: Path) -> None:
    env = {**os.environ, "AEGIS_HOME": str(aegis_home), "AEGIS_LOAD_PLUGINS": "",
           "AEGIS_DISABLE_PLUGINS": "aegis.audit"}
    started = start(env)
    if started.returncode == 0:
        stop(env)
    assert started.returncode != 0
    assert "no plugin writes the audit log" in started.stderr + started.stdout
    status = subprocess.run([sys.executable, "-m", "aegis_core.cli", "status", "--json"], env=env,
                            capture_output=True, text=True, timeout=60)
    assert json.loads(status.stdout or "{}").get("running") is not True
