"""Tests of aegis-NAME with the fixtures of ``aegis_core.testing`` (loaded by pytest
automatically once aegis-core is installed): only the plugins a test passes are
registered, so installed plugins never change the outcome."""

from __future__ import annotations

from aegis_NAME import plugin

from aegis_core.models import Action, Kind, ToolCall


def shell(command: str) -> ToolCall:
    return ToolCall(agent="test", tool="Bash", kind=Kind.SHELL, input={"command": command}, cwd="/srv/app")


def test_plugin_loads_and_implements_its_hooks(aegis_plugins):
    plugins = aegis_plugins(plugin)
    (record,) = plugins.records
    assert record.status == "ok", record.error


def test_production_commands_need_approval(aegis_plugins):
    verdict = aegis_plugins(plugin).evaluate(shell("kubectl --context production rollout restart web"))
    assert verdict.action is Action.REQUIRE_APPROVAL
    assert verdict.rule == "NAME-production"


def test_other_calls_are_left_to_the_other_plugins(aegis_plugins, hook_recorder):
    plugins = aegis_plugins(plugin, hook_recorder)
    read = ToolCall(agent="test", tool="Read", kind=Kind.READ, input={"file_path": "production.md"})
    for call in (shell("ls -la"), read):
        # This plugin abstains and nothing else judged the call: Aegis asks (fail closed).
        verdict = plugins.evaluate(call)
        assert verdict.source == "aegis" and verdict.action is Action.REQUIRE_APPROVAL
    assert [c.kwargs["call"].tool for c in hook_recorder.named("evaluate")] == ["Bash", "Read"]
