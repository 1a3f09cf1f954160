"""Plugin loading: entry points, isolation of broken plugins, the environment
switches and hook tracing."""

from __future__ import annotations

import io
import json
import logging

import pytest

from aegis_core.hookspecs import hookimpl
from aegis_core.logconfig import configure_logging
from aegis_core.models import Action, Kind, ToolCall, Verdict
from aegis_core.plugins import BUILTIN_PLUGINS, AegisPlugins, plugin_list

GOOD = """
from aegis_core.hookspecs import hookimpl
from aegis_core.models import Action, Verdict

@hookimpl
def evaluate(call):
    return Verdict(Action.ALLOW, reason="fine", source="good")
"""

BROKEN_IMPORT = """
raise RuntimeError("cannot find libfoo")
"""

UNKNOWN_HOOK = """
from aegis_core.hookspecs import hookimpl

@hookimpl
def evaluatee(call):
    return None
"""


def by_name(plugins: AegisPlugins) -> dict[str, dict]:
    return {row["name"]: row for row in plugin_list(plugins, include_builtin=True)}


def shell_call(command: str = "ls") -> ToolCall:
    return ToolCall(agent="test", tool="Bash", kind=Kind.SHELL, input={"command": command})


def test_entry_point_plugin_loads_with_version_hooks_and_module(make_dist, aegis_home):
    dist = make_dist("aegis-good", GOOD, version="2.0.1")
    rows = by_name(AegisPlugins.load(env={"AEGIS_LOAD_PLUGINS": "aegis-good"}))
    assert rows["aegis-good"] == {
        "name": "aegis-good",
        "version": "2.0.1",
        "hooks": ["evaluate"],
        "module": dist.module,
        "status": "ok",
        "error": None,
        "builtin": False,
    }


def test_plugin_raising_on_import_is_recorded_and_others_load(make_dist, aegis_home):
    make_dist("aegis-broken", BROKEN_IMPORT)
    make_dist("aegis-good", GOOD)
    env = {"AEGIS_LOAD_PLUGINS": "aegis-broken,aegis-good"}
    plugins = AegisPlugins.load(env=env, builtins=False)
    rows = by_name(plugins)
    assert rows["aegis-broken"]["status"] == "error"
    assert rows["aegis-broken"]["error"] == "RuntimeError: cannot find libfoo"
    assert rows["aegis-good"]["status"] == "ok"
    assert plugins.evaluate(shell_call()).source == "good"


def test_plugin_with_unknown_hook_is_reported_and_unregistered(make_dist, aegis_home):
    make_dist("aegis-typo", UNKNOWN_HOOK)
    make_dist("aegis-good", GOOD)
    plugins = AegisPlugins.load(env={"AEGIS_LOAD_PLUGINS": "aegis-typo,aegis-good"})
    rows = by_name(plugins)
    assert rows["aegis-typo"]["status"] == "error"
    assert "unknown hook" in rows["aegis-typo"]["error"]
    assert "evaluatee" in rows["aegis-typo"]["error"]
    assert plugins.pm.get_plugin("aegis-typo") is None
    assert rows["aegis-good"]["status"] == "ok"


def test_every_plugin_with_an_unknown_hook_is_reported(aegis_plugins):
    class Typo1:
        @hookimpl
        def notifyy(self, approval):
            return None

    class Typo2:
        @hookimpl
        def audit_event(self, event):
            return None

    plugins = aegis_plugins(Typo1(), Typo2())
    assert [r.status for r in plugins.records] == ["error", "error"]


def test_hook_with_wrong_arguments_is_an_error_not_a_crash(aegis_plugins):
    class WrongArgs:
        @hookimpl
        def evaluate(self, call, mood):
            return None

    plugins = aegis_plugins(WrongArgs())
    (record,) = plugins.records
    assert record.status == "error"
    assert "mood" in (record.error or "")
    assert plugins.pm.get_plugin(record.name) is None
    assert plugins.evaluate(shell_call()).action is Action.REQUIRE_APPROVAL


def test_load_plugins_limits_third_party_plugins_by_distribution_or_entry_point_name(
    make_dist, aegis_home
):
    make_dist("aegis-one", GOOD, entry_point="one")
    make_dist("aegis-two", GOOD, entry_point="two")
    only_one = by_name(AegisPlugins.load(env={"AEGIS_LOAD_PLUGINS": "aegis-one"}))
    assert "aegis-one" in only_one and "aegis-two" not in only_one
    by_ep = by_name(AegisPlugins.load(env={"AEGIS_LOAD_PLUGINS": " two , "}))
    assert "aegis-two" in by_ep and "aegis-one" not in by_ep


def test_empty_load_plugins_loads_no_third_party_plugin_but_keeps_builtins(make_dist, aegis_home):
    make_dist("aegis-one", GOOD)
    plugins = AegisPlugins.load(env={"AEGIS_LOAD_PLUGINS": ""})
    assert [r for r in plugins.records if not r.builtin] == []
    assert "terminal" in plugins.channels()


def test_disable_plugins_skips_third_party_and_builtin_plugins(make_dist, aegis_home):
    make_dist("aegis-one", GOOD)
    make_dist("aegis-two", GOOD)
    env = {
        "AEGIS_LOAD_PLUGINS": "aegis-one,aegis-two",
        "AEGIS_DISABLE_PLUGINS": "aegis-one,aegis.channels",
    }
    plugins = AegisPlugins.load(env=env)
    rows = by_name(plugins)
    assert rows["aegis-one"]["status"] == "disabled"
    assert rows["aegis-one"]["hooks"] == []
    assert rows["aegis-two"]["status"] == "ok"
    assert rows["aegis.channels"]["status"] == "disabled"
    assert plugins.channels() == {}


def test_builtins_register_through_the_same_path(aegis_home):
    plugins = AegisPlugins.load(env={"AEGIS_LOAD_PLUGINS": ""})
    builtin = [r for r in plugins.records if r.builtin]
    assert builtin, "at least the built-in channels plugin exists"
    assert {r.name for r in builtin} <= {name for name, _ in BUILTIN_PLUGINS}
    assert all(r.status == "ok" for r in builtin)
    channels = next(r for r in builtin if r.name == "aegis.channels")
    assert channels.hooks == ["register_channels"]


def test_hooks_are_called_in_registration_order_honouring_tryfirst(aegis_plugins):
    order: list[str] = []

    def plugin(name: str, **opts):
        class P:
            @hookimpl(**opts)
            def audit(self, event):
                order.append(name)

        P.name = name
        return P()

    plugins = aegis_plugins(
        plugin("a"), plugin("b", trylast=True), plugin("c"), plugin("d", tryfirst=True)
    )
    from aegis_core.models import AuditEvent

    plugins.audit(AuditEvent("x"))
    assert order == ["d", "a", "c", "b"]


@pytest.fixture
def json_log():
    stream = io.StringIO()
    configure_logging("INFO", fmt="json", stream=stream)
    yield stream
    for handler in list(logging.getLogger().handlers):
        logging.getLogger().removeHandler(handler)


def hook_calls(stream: io.StringIO) -> list[dict]:
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    return [line for line in lines if line["message"] == "hook call"]


class Allow:
    name = "allow-all"

    @hookimpl
    def evaluate(self, call):
        return Verdict(Action.ALLOW, reason="ok", source="allow-all")


class Crash:
    name = "crash"

    @hookimpl
    def evaluate(self, call):
        raise ValueError("bad state")


def test_trace_plugins_logs_every_hook_call(json_log, aegis_home):
    env = {"AEGIS_TRACE_PLUGINS": "1", "AEGIS_LOAD_PLUGINS": ""}
    plugins = AegisPlugins.load(env=env, builtins=False)
    plugins.register(Allow(), name="allow-all")
    plugins.register(Crash(), name="crash")
    plugins.evaluate(shell_call())
    calls = hook_calls(json_log)
    assert [(c["hook"], c["plugin"]) for c in calls] == [
        ("evaluate", "allow-all"),
        ("evaluate", "crash"),
    ]
    assert "ALLOW" in calls[0]["result"] or "allow" in calls[0]["result"]
    assert "bad state" in calls[1]["error"]


def test_no_trace_without_the_switch(json_log, aegis_home):
    for value in ("", "0"):
        plugins = AegisPlugins.load(env={"AEGIS_TRACE_PLUGINS": value, "AEGIS_LOAD_PLUGINS": ""})
        plugins.register(Allow(), name="allow-all")
        plugins.evaluate(shell_call())
    assert hook_calls(json_log) == []
