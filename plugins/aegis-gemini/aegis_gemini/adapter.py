"""``aegis wrap gemini``: run Gemini CLI with a temporary ``GEMINI_CLI_HOME`` whose
settings are the user's own plus Aegis' hooks (see settings.py for why not the system
settings file), so nothing in the user's own ``~/.gemini`` changes."""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from aegis_core.adapters import agent_environment, find_program, run_foreground
from aegis_core.models import RawEvent, ToolCall
from aegis_gemini import settings as gemini_settings
from aegis_gemini.intercept import to_tool_call

if TYPE_CHECKING:
    from aegis_core.adapters import WrapContext

NPM_INSTALL = "npm install -g @google/gemini-cli"
NO_PROMPT_NOTE = (
    "aegis: calls that need your approval wait for your answer on your phone or in another "
    "terminal (`aegis approvals watch`); Gemini CLI's hook cannot ask at its own prompt."
)


def find_gemini(program: str, env: Mapping[str, str] | None = None) -> str:
    """The absolute path of the Gemini CLI, or DependencyMissing (exit 7)."""
    return find_program(program, agent="Gemini CLI", install=NPM_INSTALL, setting="[gemini] executable", env=env)


class GeminiAdapter:
    """Gemini CLI, put under Aegis through its BeforeTool hook."""

    name = "gemini"
    description = "Gemini CLI: every tool call goes through Aegis via its BeforeTool hook"

    def __init__(self, *, out: TextIO | None = None) -> None:
        self._out = out

    def claims(self, program: str) -> bool:
        return os.path.basename(program) == "gemini"

    def tool_call(self, tool: str, tool_input: Mapping[str, Any], cwd: str) -> ToolCall:
        """The call as Gemini's BeforeTool hook would report it (``aegis policy test --agent gemini``)."""
        payload = {"session_id": "", "cwd": cwd, "hook_event_name": "BeforeTool", "tool_name": tool,
                   "tool_input": dict(tool_input)}
        call = to_tool_call(RawEvent(adapter="gemini", payload=payload))
        assert call is not None  # the event is ours by construction
        return call

    def wrap(self, argv: Sequence[str], context: WrapContext) -> int:
        program, args = (argv[0], list(argv[1:])) if argv else ("gemini", [])
        if program == "gemini":  # the bare name: the configured executable wins
            program = str(context.config.get("gemini", "executable", "gemini"))
        command = [find_gemini(program), *args]
        env = agent_environment(context)
        approval_timeout = context.timeout or int(context.config.get("approvals", "timeout_seconds", 300))
        hook_env = {k: env[k] for k in ("AEGIS_SOCKET", "AEGIS_SESSION", "AEGIS_SESSION_TOKEN")}
        block = gemini_settings.default_hooks_block(approval_timeout, env=hook_env)
        overlay = context.home / "sessions" / f"{context.session}-gemini"
        out = self._out or sys.stderr
        if context.dry_run:
            out.write(f"Would make {overlay} the GEMINI_CLI_HOME: your settings plus these (mode 0600):\n")
            out.write(repr(block["hooks"]) + "\n")
            out.write(f"Would run: {shlex.join(command)}\n")
            return 0
        gemini_settings.write_overlay(overlay, block)
        env["GEMINI_CLI_HOME"] = str(overlay)
        out.write(NO_PROMPT_NOTE + "\n")
        try:
            return run_foreground(command, env)
        finally:
            gemini_settings.remove_overlay(overlay)
