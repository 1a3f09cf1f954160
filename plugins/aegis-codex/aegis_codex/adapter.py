"""``aegis wrap codex``: run Codex CLI with Aegis' hooks given as per-run ``-c``
overrides (Codex's session-flags layer), trusted by the same overrides, so nothing in
the user's own ``~/.codex`` changes and no other hook's trust is bypassed."""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from aegis_codex import settings as codex_settings
from aegis_codex.intercept import to_tool_call
from aegis_core.adapters import agent_environment, find_program, run_foreground
from aegis_core.models import RawEvent, ToolCall

if TYPE_CHECKING:
    from aegis_core.adapters import WrapContext

NPM_INSTALL = "npm install -g @openai/codex"
NO_PROMPT_NOTE = (
    "aegis: Codex CLI cannot ask at its own prompt, so calls that need your approval wait "
    "for your answer on your phone or in another terminal: `aegis approvals watch`."
)


def find_codex(program: str, env: Mapping[str, str] | None = None) -> str:
    """The absolute path of the Codex CLI, or DependencyMissing (exit 7)."""
    return find_program(program, agent="Codex CLI", install=NPM_INSTALL, setting="[codex] executable", env=env)


class CodexAdapter:
    """Codex CLI, put under Aegis through its PreToolUse hook."""

    name = "codex"
    description = "Codex CLI: every tool call goes through Aegis via its PreToolUse hook"

    def __init__(self, *, out: TextIO | None = None) -> None:
        self._out = out

    def claims(self, program: str) -> bool:
        return os.path.basename(program) == "codex"

    def tool_call(self, tool: str, tool_input: Mapping[str, Any], cwd: str) -> ToolCall:
        """The call as Codex's PreToolUse hook would report it (``aegis policy test --agent codex``)."""
        payload = {"session_id": "", "cwd": cwd, "hook_event_name": "PreToolUse", "tool_name": tool,
                   "tool_input": dict(tool_input)}
        call = to_tool_call(RawEvent(adapter="codex", payload=payload))
        assert call is not None  # the event is ours by construction
        return call

    def command(self, argv: Sequence[str], context: WrapContext) -> list[str]:
        """``codex -c hooks... -c hooks.state=... ARGS``: the overrides come first, so
        they apply to every subcommand (``codex -c ... exec PROMPT``)."""
        program, args = (argv[0], list(argv[1:])) if argv else ("codex", [])
        if program == "codex":  # the bare name: the configured executable wins
            program = str(context.config.get("codex", "executable", "codex"))
        approval_timeout = context.timeout or int(context.config.get("approvals", "timeout_seconds", 300))
        block = codex_settings.default_hooks_block(approval_timeout)
        return [find_codex(program), *codex_settings.cli_overrides(block), *args]

    def wrap(self, argv: Sequence[str], context: WrapContext) -> int:
        command = self.command(argv, context)
        out = self._out or sys.stderr
        if context.dry_run:
            out.write(f"Would run with AEGIS_SOCKET={shlex.quote(str(context.socket))} "
                      f"AEGIS_SESSION={context.session} AEGIS_SESSION_TOKEN=***:\n")
            out.write(shlex.join(command) + "\n")
            return 0
        out.write(NO_PROMPT_NOTE + "\n")
        return run_foreground(command, agent_environment(context))
