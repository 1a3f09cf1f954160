"""The pipeline hooks through the AegisPlugins facade: how results combine, and
that a failing plugin fails closed (evaluate, critique, decide) or cannot silence
the others (notify, audit)."""

from __future__ import annotations

from aegis_core.hookspecs import hookimpl
from aegis_core.models import (
    Action,
    AgentInput,
    Approval,
    AuditEvent,
    Decision,
    Kind,
    Outcome,
    ToolCall,
    Verdict,
)
from aegis_core.plugins import PluginFailure

CALL = ToolCall(
    agent="claude", tool="Bash", kind=Kind.SHELL, input={"command": "rm -rf build"}, session="s1"
)
APPROVAL = Approval(
    id="a1", call_id=CALL.id, session="s1", tool="Bash", kind=Kind.SHELL, summary="rm -rf build"
)


def verdict_plugin(name: str, action: Action | None, risk: int = 0):
    class P:
        @hookimpl
        def evaluate(self, call):
            return None if action is None else Verdict(action, reason=name, risk=risk, source=name)

    P.name = name
    return P()


class Raising:
    """Raises in every pipeline hook."""

    name = "raising"

    @hookimpl
    def intercept(self, agent_input):
        raise RuntimeError("intercept broke")

    @hookimpl
    def evaluate(self, call):
        raise RuntimeError("evaluate broke")

    @hookimpl
    def critique(self, call, verdict, recent):
        raise RuntimeError("critique broke")

    @hookimpl
    def notify(self, approval, call):
        raise RuntimeError("notify broke")

    @hookimpl
    def decide(self, approval, call):
        raise RuntimeError("decide broke")

    @hookimpl
    def audit(self, event):
        raise RuntimeError("audit broke")


# -- intercept ---------------------------------------------------------------


class ClaudeAdapter:
    name = "claude-adapter"

    @hookimpl
    def intercept(self, agent_input):
        if agent_input.adapter != "claude":
            return None
        return ToolCall(
            agent="claude",
            tool=agent_input.payload["tool_name"],
            kind=Kind.SHELL,
            input=agent_input.payload["tool_input"],
            session=agent_input.session,
        )


def test_intercept_returns_the_first_call_an_adapter_recognises(aegis_plugins, hook_recorder):
    plugins = aegis_plugins(hook_recorder, ClaudeAdapter())
    agent_input = AgentInput("claude", {"tool_name": "Bash", "tool_input": {"command": "ls"}}, session="s9")
    call = plugins.intercept(agent_input)
    assert call is not None and call.tool == "Bash" and call.session == "s9"
    assert [c.kwargs["agent_input"] for c in hook_recorder.named("intercept")] == [agent_input]
    assert plugins.intercept(AgentInput("pty", {})) is None


def test_intercept_failure_raises_plugin_failure_naming_the_plugin(aegis_plugins):
    plugins = aegis_plugins(Raising(), ClaudeAdapter())
    try:
        plugins.intercept(AgentInput("claude", {"tool_name": "Bash", "tool_input": {}}))
    except PluginFailure as failure:
        assert failure.plugin == "raising" and failure.hook == "intercept"
        assert "intercept broke" in str(failure)
    else:  # pragma: no cover
        raise AssertionError("an intercept that raises must not be skipped silently")


# -- evaluate ----------------------------------------------------------------


def test_evaluate_combines_strictest_wins_and_keeps_highest_risk(aegis_plugins):
    plugins = aegis_plugins(
        verdict_plugin("a", Action.ALLOW, risk=90),
        verdict_plugin("b", Action.REQUIRE_APPROVAL, risk=40),
        verdict_plugin("c", None),
    )
    verdict = plugins.evaluate(CALL)
    assert verdict.action is Action.REQUIRE_APPROVAL
    assert verdict.source == "b"
    assert verdict.risk == 90


def test_evaluate_without_any_verdict_requires_approval(aegis_plugins):
    verdict = aegis_plugins(verdict_plugin("abstains", None)).evaluate(CALL)
    assert verdict.action is Action.REQUIRE_APPROVAL


def test_evaluate_exception_counts_as_deny_naming_the_plugin(aegis_plugins):
    plugins = aegis_plugins(verdict_plugin("allow", Action.ALLOW), Raising())
    verdict = plugins.evaluate(CALL)
    assert verdict.action is Action.DENY
    assert verdict.rule == "plugin-error:raising"
    assert "raising" in verdict.reason and "evaluate broke" in verdict.reason
    assert "aegis plugins list" in verdict.reason


# -- critique ----------------------------------------------------------------


def critic(name: str, action: Action | None, risk: int = 0):
    class C:
        @hookimpl
        def critique(self, call, verdict, recent):
            return None if action is None else Verdict(action, reason=name, risk=risk, source=name)

    C.name = name
    return C()


def test_critique_can_escalate(aegis_plugins):
    plugins = aegis_plugins(critic("rapid-fire", Action.REQUIRE_APPROVAL, risk=70))
    result = plugins.critique(CALL, Verdict(Action.ALLOW, risk=10), recent=[])
    assert result.action is Action.REQUIRE_APPROVAL and result.source == "rapid-fire"
    assert result.risk == 70


def test_critique_can_never_relax(aegis_plugins, hook_recorder):
    plugins = aegis_plugins(hook_recorder, critic("lenient", Action.ALLOW), critic("abstain", None))
    denied = Verdict(Action.DENY, reason="policy", risk=80, source="policy")
    recent = [(CALL, denied)]
    assert plugins.critique(CALL, denied, recent=recent) == denied
    (seen,) = hook_recorder.named("critique")
    assert seen.kwargs == {"call": CALL, "verdict": denied, "recent": recent}


def test_critique_exception_counts_as_deny(aegis_plugins):
    result = aegis_plugins(Raising()).critique(CALL, Verdict(Action.ALLOW), recent=[])
    assert result.action is Action.DENY and "raising" in result.reason


# -- notify and audit ----------------------------------------------------------


def test_notify_reaches_every_plugin_even_when_one_raises(aegis_plugins, hook_recorder):
    first, last = type(hook_recorder)(name="first"), type(hook_recorder)(name="last")
    plugins = aegis_plugins(first, Raising(), last)
    plugins.notify(APPROVAL, CALL)
    assert [c.kwargs for c in first.named("notify")] == [{"approval": APPROVAL, "call": CALL}]
    assert [c.kwargs for c in last.named("notify")] == [{"approval": APPROVAL, "call": CALL}]


def test_audit_reaches_every_plugin_and_returns_the_failures(aegis_plugins, hook_recorder):
    plugins = aegis_plugins(Raising(), hook_recorder)
    event = AuditEvent("call.seen", {"tool": "Bash"}, session="s1")
    failures = plugins.audit(event)
    assert [(f.plugin, str(f.error), f.event) for f in failures] == [("raising", "audit broke", event)]
    assert [c.kwargs["event"] for c in hook_recorder.named("audit")] == [event]


class Batching:
    """Buffers events in ``audit`` and writes them in ``audit_sync``, like the built-in writer."""

    def __init__(self, name: str = "batching", fail_sync: bool = False) -> None:
        self.name, self.fail_sync = name, fail_sync
        self.buffered: list[AuditEvent] = []
        self.written: list[list[str]] = []

    @hookimpl
    def audit(self, event):
        self.buffered.append(event)

    @hookimpl
    def audit_sync(self):
        if self.fail_sync:
            raise OSError("disk full")
        self.written.append([e.event for e in self.buffered])
        self.buffered.clear()


def test_audit_takes_a_batch_and_syncs_once_after_it(aegis_plugins):
    batching = Batching()
    plugins = aegis_plugins(batching)
    first, second = AuditEvent("call.decided"), AuditEvent("approval.requested")
    assert plugins.audit(first, second) == []
    assert batching.written == [["call.decided", "approval.requested"]]


def test_a_failed_sync_concerns_every_event_of_the_batch(aegis_plugins):
    plugins = aegis_plugins(Batching(fail_sync=True))
    [failure] = plugins.audit(AuditEvent("a"), AuditEvent("b"))
    assert failure.plugin == "batching" and failure.event is None and "disk full" in str(failure.error)


# -- configure ---------------------------------------------------------------


class Configured:
    name = "configured"

    def __init__(self) -> None:
        self.home = None

    @hookimpl
    def configure(self, config):
        self.home = config.home


def test_configure_reaches_every_plugin_and_names_the_one_that_fails(aegis_plugins, aegis_home):
    from aegis_core.config import load_config
    from aegis_core.errors import ConfigError

    class Broken:
        name = "broken"

        @hookimpl
        def configure(self, config):
            raise ConfigError("policy.toml:3: bad rule")

    configured = Configured()
    config = load_config(home=aegis_home)
    aegis_plugins(configured).configure(config)
    assert configured.home == aegis_home
    try:
        aegis_plugins(Configured(), Broken()).configure(config)
    except PluginFailure as exc:
        assert exc.plugin == "broken" and isinstance(exc.error, ConfigError)
    else:
        raise AssertionError("a plugin failing in configure must be reported")


def test_builtin_plugins_are_objects_of_their_own_plugin_set(aegis_plugins):
    first, second = aegis_plugins(builtins=True), aegis_plugins(builtins=True)
    policy = first.pm.get_plugin("aegis.policy")
    assert policy is not None and policy is not second.pm.get_plugin("aegis.policy")


# -- decide ------------------------------------------------------------------


def decider(name: str, outcome: Outcome | None):
    class D:
        @hookimpl
        def decide(self, approval, call):
            return None if outcome is None else Decision(outcome, decided_by=name, channel="auto")

    D.name = name
    return D()


def test_decide_first_answer_wins_and_none_means_wait(aegis_plugins, hook_recorder):
    plugins = aegis_plugins(
        hook_recorder,
        decider("pass", None),
        decider("trusted", Outcome.APPROVE),
        decider("later", Outcome.DENY),
    )
    decision = plugins.decide(APPROVAL, CALL)
    assert (
        decision is not None
        and decision.decided_by == "trusted"
        and decision.outcome is Outcome.APPROVE
    )
    assert len(hook_recorder.named("decide")) == 1
    assert aegis_plugins(decider("pass", None)).decide(APPROVAL, CALL) is None


def test_decide_exception_counts_as_deny_naming_the_plugin(aegis_plugins):
    decision = aegis_plugins(Raising(), decider("trusted", Outcome.APPROVE)).decide(APPROVAL, CALL)
    assert decision is not None
    assert decision.outcome is Outcome.DENY
    assert decision.decided_by == "raising"
    assert "raising" in decision.reason
