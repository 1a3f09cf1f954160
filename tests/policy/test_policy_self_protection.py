"""Aegis' daemon signalled, however the signal is aimed: each pattern is tested against
the names and command lines the daemon really runs with."""

from __future__ import annotations

import sys

import pytest
from policy_support import shell

from aegis_core.models import Action
from aegis_core.policy import default_policy
from aegis_core.policy.selfchecks import _daemon_names, _pattern_hits_daemon

POLICY = default_policy()


def test_daemon_names_are_those_it_runs_with() -> None:
    names, lines = _daemon_names()
    assert "aegis" in names and any(n.startswith("python") for n in names)
    assert any(f"{sys.executable} -m aegis_core.daemon" in line for line in lines)


@pytest.mark.parametrize(("pattern", "full", "hits"), [
    ("aegis", False, True), ("python", False, True), ("pyth", False, True), ("^py", False, True),
    ("node", False, False), ("uvicorn", True, False), ("aegis_core\\.daemon", True, True), (".", True, True),
    ("python app.py", True, False), ("-m aegis", True, True),
])
def test_patterns_against_the_daemon(pattern: str, full: bool, hits: bool) -> None:
    assert _pattern_hits_daemon(pattern, full, False) is hits


@pytest.mark.parametrize("command", [
    "pkill -f aegis", "pkill -f 'py.*aegis'", "pkill -x python3", "killall -9 python3", "killall aegis",
    "kill $(pgrep -f aegis_core)", "pgrep python | xargs kill -9", "kill -CONT $(pidof aegis)",
    "ps -eo pid,args | awk '/aegis/ {print $1}' | xargs kill", "systemctl --user restart aegis.service",
    "pkill -U $(id -u)", "python3 -c \"import os; os.kill(1234, 9)  # aegis\"",
])
def test_signals_to_the_daemon_are_denied(command: str) -> None:
    verdict = POLICY.evaluate(shell(command))
    assert verdict.action is Action.DENY, verdict


@pytest.mark.parametrize("command", ["kill 4242", "kill -9 %1", "kill $(lsof -t -i:8000)", "pgrep -f aegis",
                                     "ps aux | grep -i aegis"])
def test_other_signals_stay_allowed(command: str) -> None:
    assert POLICY.evaluate(shell(command)).action is Action.ALLOW
