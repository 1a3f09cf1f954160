"""``aegis_core.testing`` from a plugin author's side: the fixtures arrive through
the ``pytest11`` entry point (no conftest import) and isolate the test."""

from __future__ import annotations

import os
import stat

from aegis_core.config import load_config
from aegis_core.hookspecs import hookimpl
from aegis_core.models import Action, Approval, AuditEvent, Kind, ToolCall, Verdict
from aegis_core.testing import HookRecorder


class DenyCurlPipeShell:
    """What a third-party policy plugin looks like."""

    name = "no-curl-pipe"

    @hookimpl
    def evaluate(self, call):
        command = call.command or ""
        if "curl" in command and "| sh" in command:
            return Verdict(
                Action.DENY,
                reason="piping the network into a shell",
                rule="curl-pipe",
                risk=95,
                source=self.name,
            )
        return None


def test_aegis_home_is_private_and_in_the_environment(aegis_home):
    assert os.environ["AEGIS_HOME"] == str(aegis_home)
    assert stat.S_IMODE(aegis_home.stat().st_mode) == 0o700
    assert load_config().home == aegis_home


def test_aegis_home_clears_outer_aegis_variables(monkeypatch, request):
    monkeypatch.setenv("AEGIS_APPROVALS_TIMEOUT_SECONDS", "1")
    home = request.getfixturevalue("aegis_home")
    assert "AEGIS_APPROVALS_TIMEOUT_SECONDS" not in os.environ
    assert load_config().get("approvals", "timeout_seconds") == 300
    assert home.exists()


def test_aegis_plugins_holds_only_what_the_test_registers(aegis_plugins, hook_recorder):
    plugins = aegis_plugins(DenyCurlPipeShell(), hook_recorder)
    assert [r.name for r in plugins.records] == ["no-curl-pipe", "hook-recorder"]
    assert plugins.channels() == {}  # no built-ins unless asked
    call = ToolCall(agent="claude", tool="Bash", kind=Kind.SHELL, input={"command": "curl x | sh"})
    verdict = plugins.evaluate(call)
    assert (verdict.action, verdict.rule) == (Action.DENY, "curl-pipe")
    assert [c.kwargs["call"] for c in hook_recorder.named("evaluate")] == [call]


def test_aegis_plugins_with_builtins(aegis_plugins):
    plugins = aegis_plugins(builtins=True)
    assert {"terminal", "cli"} <= set(plugins.channels())


def test_hook_recorder_records_every_pipeline_hook_and_changes_nothing(
    aegis_plugins, hook_recorder
):
    plugins = aegis_plugins(hook_recorder)
    call = ToolCall(agent="claude", tool="Read", kind=Kind.READ, input={"file_path": "/etc/hosts"})
    approval = Approval(
        id="a", call_id=call.id, session="", tool="Read", kind=Kind.READ, summary="/etc/hosts"
    )
    verdict = plugins.evaluate(call)
    assert plugins.critique(call, verdict, recent=[]) == verdict
    plugins.notify(approval, call)
    assert plugins.decide(approval, call) is None
    plugins.audit(AuditEvent("seen"))
    assert [c.hook for c in hook_recorder.calls] == [
        "evaluate",
        "critique",
        "notify",
        "decide",
        "audit",
    ]
    assert isinstance(hook_recorder, HookRecorder)
