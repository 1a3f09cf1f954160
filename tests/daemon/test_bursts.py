"""A burst of routine calls never escalates, and a person's deny is not the agent
probing: through a real daemon, with the default policy and the default limits
(rapid fire, rate limit, circuit breaker)."""

from __future__ import annotations

import json
import time
from typing import Any


def _pending(daemon: Any) -> str:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        listed = json.loads(daemon.cli("approvals", "list", "--json").stdout or "[]")
        if listed:
            return listed[0]["id"]
        time.sleep(0.05)
    raise AssertionError("no approval became pending")


def test_a_burst_of_routine_calls_is_allowed_to_the_end(daemon) -> None:
    daemon.start()
    session, token = daemon.session()
    routine = ["git status", "ls -la", "cat README.md", "git diff --stat", "grep -rn TODO src", "pytest -q"]
    answers = [daemon.bash(routine[i % len(routine)], session, token)["decision"] for i in range(60)]
    assert answers == ["allow"] * 60  # 60 calls in a few seconds: no ask, no rate limit, no pause
    assert daemon.bash("git status", session, token)["decision"] == "allow"


def test_a_persons_denies_do_not_pause_the_session(daemon) -> None:
    daemon.write_config("[approvals]\nchannels = [\"cli\"]\nmax_consecutive_denies = 2\n")
    daemon.start()
    session, token = daemon.session()
    for _ in range(3):
        thread, lines = daemon.bash_async("pip install requests", session, token)
        assert daemon.cli("approvals", "deny", _pending(daemon), "--reason", "not now").returncode == 0
        thread.join(15)
        assert lines[-1]["decision"] == "deny"
    after = daemon.bash("git status", session, token)
    assert after["decision"] == "allow", after  # not paused, not escalated as probing
