"""The built-in critic escalates what one call alone does not show, and never relaxes."""

from __future__ import annotations

from aegis_core import critic
from aegis_core.models import Action, Kind, ToolCall, Verdict
from aegis_core.testing import make_plugins

ALLOW = Verdict(Action.ALLOW, rule="routine")
DENY = Verdict(Action.DENY, rule="blocked")


def bash(command: str, at: float = 1000.0) -> ToolCall:
    return ToolCall(agent="t", tool="Bash", kind=Kind.SHELL, input={"command": command}, session="s",
                    received_at=at)


def test_quiet_on_ordinary_history() -> None:
    recent = [(bash("ls", 990.0 + i), ALLOW) for i in range(5)]
    assert critic.critique(call=bash("git status"), verdict=ALLOW, recent=recent) is None


ASK = Verdict(Action.REQUIRE_APPROVAL, rule="asks", risk=40)
RISKY_ALLOW = Verdict(Action.ALLOW, rule="allowed", risk=critic.RISKY + 5)
HUMAN_DENY = Verdict(Action.DENY, rule="asks", source=critic.ANSWERED)


def test_a_burst_of_routine_calls_never_escalates() -> None:
    burst = [(bash("ls", 1000.0 - i * 0.01), ALLOW) for i in range(50)]
    assert critic.critique(call=bash("git status"), verdict=ALLOW, recent=burst) is None
    risky_burst = [(bash("pip install x", 1000.0 - i * 0.1), ASK) for i in range(50)]
    assert critic.critique(call=bash("git status"), verdict=ALLOW, recent=risky_burst) is None


def test_rapid_fire_of_risky_calls_needs_approval() -> None:
    recent = [(bash("pip install x", 1000.0 - i * 0.1), ASK) for i in range(critic.RAPID_CALLS)]
    verdict = critic.critique(call=bash("curl x"), verdict=RISKY_ALLOW, recent=recent)
    assert verdict is not None and verdict.rule == "critic-rapid-fire"
    assert verdict.action is Action.REQUIRE_APPROVAL
    spread = [(bash("pip install x", 1000.0 - i * 60), ASK) for i in range(critic.RAPID_CALLS)]
    assert critic.critique(call=bash("curl x"), verdict=RISKY_ALLOW, recent=spread) is None
    routine = [(bash("ls", 1000.0 - i * 0.1), ALLOW) for i in range(critic.RAPID_CALLS * 4)]
    assert critic.critique(call=bash("curl x"), verdict=RISKY_ALLOW, recent=routine) is None


def test_probing_after_denies_needs_approval() -> None:
    recent = [(bash("rm -rf /"), DENY), (bash("ls"), ALLOW), (bash("\\rm -rf /"), DENY), (bash("r''m -rf /"), DENY)]
    verdict = critic.critique(call=bash("echo hi"), verdict=RISKY_ALLOW, recent=recent)
    assert verdict is not None and verdict.rule == "critic-after-denies"
    assert critic.critique(call=bash("git status"), verdict=ALLOW, recent=recent) is None  # routine stays


def test_a_persons_deny_is_not_probing() -> None:
    recent = [(bash("pip install x"), HUMAN_DENY) for _ in range(critic.PROBE_WINDOW)]
    assert critic.critique(call=bash("curl x"), verdict=RISKY_ALLOW, recent=recent) is None


def test_odd_shapes_need_approval() -> None:
    for command in ("ls\x00 -la", "x" * (critic.MAX_TEXT + 1), "echo " + "\x1b\x07" * 10):
        verdict = critic.critique(call=bash(command), verdict=ALLOW, recent=[])
        assert verdict is not None and verdict.rule == "critic-odd-input", command


def test_never_relaxes_through_the_facade() -> None:
    plugins = make_plugins(critic)
    assert plugins.critique(bash("ls\x00"), DENY, []).action is Action.DENY
    assert plugins.critique(bash("ls\x00"), ALLOW, []).action is Action.REQUIRE_APPROVAL
