"""The plugin's hooks: what it registers, and how a relayed prompt becomes a ToolCall."""

from __future__ import annotations

import os
import select

import aegis_pty.plugin
import pytest
from aegis_pty.relay import PromptRelay, RelaySettings

from aegis_core.hookspecs import hookimpl
from aegis_core.models import AgentInput, Kind
from aegis_core.plugins import PluginFailure
from aegis_core.prompts import APPROVE, DENY, Choice, Prompt, Screen
from aegis_core.testing import make_plugins

PAYLOAD = {
    "question": "Do you want to proceed?",
    "screen": "Bash command\n  rm -rf build\nDo you want to proceed?\n\u276f 1. Yes\n  2. No",
    "choices": [{"label": "Yes", "keys": "1", "meaning": "approve"},
                {"label": "No", "keys": "2", "meaning": "deny"}],
    "program": "claude",
    "cwd": "/work/project",
}


def test_it_registers_the_adapter_its_detectors_and_its_settings():
    plugins = make_plugins(aegis_pty.plugin)
    adapter = plugins.adapters()["pty"]
    # The fallback of `aegis wrap`: it claims nothing, so a specific adapter always wins.
    assert not adapter.claims("claude") and not adapter.claims("bash")
    assert [d.name for d in plugins.prompt_detectors()] == ["password", "menu", "yesno"]
    assert [s.name for s in plugins.config_sections()] == ["pty"]


def test_a_pty_event_becomes_a_prompt_tool_call():
    plugins = make_plugins(aegis_pty.plugin)
    call = plugins.intercept(AgentInput(adapter="pty", payload=PAYLOAD, session="s1"))
    assert (call.agent, call.tool, call.kind) == ("pty", "prompt", Kind.PROMPT)
    assert call.input == {key: PAYLOAD[key] for key in ("question", "screen", "choices", "program")}
    assert (call.cwd, call.session) == ("/work/project", "s1")
    # The question alone says nothing; the summary carries the screen lines above it.
    assert call.summary().startswith("Bash command") and "Do you want to proceed?" in call.summary()


def test_other_adapters_events_are_left_alone():
    plugins = make_plugins(aegis_pty.plugin)
    assert plugins.intercept(AgentInput(adapter="claude-hook", payload={"tool_name": "Bash"})) is None


@pytest.mark.parametrize("broken", [
    {**PAYLOAD, "question": ""},
    {**PAYLOAD, "choices": "yes"},
    {**PAYLOAD, "choices": [{"label": "Yes"}]},
    {**PAYLOAD, "screen": ["not", "text"]},
])
def test_a_malformed_pty_event_is_refused(broken):
    # The daemon denies a call whose intercept raises (fail closed).
    with pytest.raises(PluginFailure):
        make_plugins(aegis_pty.plugin).intercept(AgentInput(adapter="pty", payload=broken))


class AlwaysAsksDetector:
    """A third party's detector: a program that asks "Ship it!" with no question mark."""

    name = "ship-it"

    def detect(self, screen: Screen) -> Prompt | None:
        if screen.cursor_line.strip() == "Ship it!":
            choices = (Choice("ship", "s", APPROVE), Choice("hold", "h", DENY))
            return Prompt("Ship it!", choices, kind="menu")
        return None


class ThirdParty:
    name = "third-party"

    @hookimpl
    def register_prompt_detectors(self, register):
        register(AlwaysAsksDetector())


def test_a_third_party_detector_plugs_into_the_relay(daemon, socket_path):
    server = daemon(lambda request: {"decision": "deny"})
    plugins = make_plugins(aegis_pty.plugin, ThirdParty())
    assert [d.name for d in plugins.prompt_detectors()][-1] == "ship-it"
    settings = RelaySettings(socket=socket_path, session="s", token="t", program="deploy", cwd="/",
                             daemon_pid=os.getpid(),
                             idle_seconds=0.01)
    relay = PromptRelay(plugins.prompt_detectors(), settings, notice=lambda text: None)
    try:
        relay.on_output(b"Ship it!", now=1.0)
        assert relay.tick(now=1.0) == b""  # not idle yet: nothing is asked
        assert server.requests == []
        assert relay.tick(now=2.0) == b""  # idle: asked, the answer comes later
        assert server.wait_for("judge")[0]["payload"]["choices"][0]["label"] == "ship"
        # The answer arrives on a worker thread, which wakes the passthrough's loop.
        assert select.select([relay.wake_fd()], [], [], 20)[0], "the relay was never woken"
        assert relay.tick(now=3.0) == b"h"  # deny: the "hold" choice's keys
    finally:
        relay.close()


def test_a_dry_run_says_what_would_run_and_runs_nothing(tmp_path, capsys):
    from aegis_core.adapters import WrapContext
    from aegis_core.config import load_config

    plugins = make_plugins(aegis_pty.plugin)
    config = load_config(home=tmp_path, env={}, sections=plugins.config_sections())
    marker = tmp_path / "ran"
    context = WrapContext(config=config, plugins=plugins, home=tmp_path, socket=tmp_path / "s.sock",
                          session="(dry-run)", token="", dry_run=True)
    assert plugins.adapters()["pty"].wrap(["touch", str(marker)], context) == 0
    out = capsys.readouterr().out
    assert "touch" in out and "password, menu, yesno" in out and "300 ms" in out
    assert not marker.exists()
