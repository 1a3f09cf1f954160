"""The critic's view of a session's recent calls: what it needs and no more, so the
daemon's memory follows the active sessions, not the number of calls seen."""

from __future__ import annotations

from aegis_core.daemon.history import History
from aegis_core.models import Action, Kind, ToolCall, Verdict

ALLOW = Verdict(Action.ALLOW, reasons=("a long explanation",))


def call(session: str, at: float, command: str = "ls") -> ToolCall:
    return ToolCall(agent="claude", tool="Bash", kind=Kind.SHELL, input={"command": command}, session=session,
                    received_at=at)


def test_it_keeps_the_last_calls_and_those_of_the_window_only() -> None:
    history = History(window_s=10, keep_last=3, per_session=50)
    for second in range(100):  # one call a second
        history.add(call("s1", 1000.0 + second), ALLOW)
    kept = [c.received_at for c, _ in history.recent("s1")]
    assert kept == [1000.0 + s for s in range(89, 100)]  # the last ten seconds
    history.add(call("s2", 5000.0), ALLOW)
    history.add(call("s2", 9000.0), ALLOW)  # far apart: the last few stay whatever their age
    assert len(history.recent("s2")) == 2


def test_a_burst_is_capped() -> None:
    history = History(per_session=50)
    for n in range(500):
        history.add(call("s1", 1000.0 + n / 1000), ALLOW)
    assert len(history.recent("s1")) == 50


def test_long_values_and_verdict_reasons_are_not_kept() -> None:
    history = History()
    history.add(call("s1", 1.0, "echo " + "x" * 10_000), ALLOW)
    [(kept, verdict)] = history.recent("s1")
    assert len(kept.input["command"]) < 600 and "10,005 characters" in kept.input["command"]
    assert verdict.reasons == () and verdict.action is Action.ALLOW


def test_idle_and_surplus_sessions_are_forgotten() -> None:
    history = History(max_sessions=3, idle_s=3600)
    for n in range(5):
        history.add(call(f"s{n}", 1.0), ALLOW)
    assert len(history) == 3 and history.recent("s0") == () and history.recent("s4")
    idle = History(idle_s=0)
    idle.add(call("s1", 1.0), ALLOW)
    idle.add(call("s2", 2.0), ALLOW)
    assert idle.recent("s1") == ()
    history.forget("s4")
    assert history.recent("s4") == ()
