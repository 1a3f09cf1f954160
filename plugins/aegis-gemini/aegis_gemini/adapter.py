"""``aegis wrap gemini``: run Gemini CLI with Aegis' hooks, changing nothing in the
user's own ``~/.gemini``. Unsandboxed, Gemini runs with a temporary ``GEMINI_CLI_HOME``
whose settings are the user's own plus Aegis' hooks (see settings.py for why not the
system settings file); in the sandbox, that merged file is placed read-only over
``~/.gemini/settings.json`` (see sandboxing.py)."""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from aegis_core.adapters import agent_environment, find_program, run_with_notices
from aegis_core.models import AgentInput, ToolCall
from aegis_gemini import settings as gemini_settings
from aegis_gemini.intercept import to_tool_call

if TYPE_CHECKING:
    from aegis_core.adapters import WrapContext
    from aegis_core.sandbox.plan import SandboxNeeds

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

    def interactive(self, argv: Sequence[str]) -> bool:
        """Never: its hook cannot hand a question to its own prompt, so approvals of its
        calls wait on the other channels (and this terminal is told each one's id)."""
        return False

    def tool_call(self, tool: str, tool_input: Mapping[str, Any], cwd: str) -> ToolCall:
        """The call as Gemini's BeforeTool hook would report it (``aegis policy test --agent gemini``)."""
        payload = {"session_id": "", "cwd": cwd, "hook_event_name": "BeforeTool", "tool_name": tool,
                   "tool_input": dict(tool_input)}
        call = to_tool_call(AgentInput(adapter="gemini", payload=payload))
        assert call is not None  # the event is ours by construction
        return call

    def command(self, argv: Sequence[str], context: WrapContext) -> list[str]:
        program, args = (argv[0], list(argv[1:])) if argv else ("gemini", [])
        if program == "gemini":  # the bare name: the configured executable wins
            program = str(context.config.get("gemini", "executable", "gemini"))
        return [find_gemini(program), *args]

    def approval_timeout(self, context: WrapContext) -> int:
        return context.timeout or int(context.config.get("approvals", "timeout_seconds", 300))

    def sandbox_needs(self, argv: Sequence[str], context: WrapContext) -> SandboxNeeds:
        """Gemini's install and the hook client visible, its folder writable, the user's
        settings with Aegis' hooks read-only over ``~/.gemini/settings.json``."""
        from aegis_gemini import sandboxing

        return sandboxing.needs(self.command(argv, context)[0], self.approval_timeout(context), os.environ,
                                prepare=not context.dry_run)

    def wrap(self, argv: Sequence[str], context: WrapContext) -> int:
        command = self.command(argv, context)
        env = agent_environment(context)
        out = self._out or sys.stderr
        if context.sandbox.sandboxed:
            if context.dry_run:
                out.write(f"Would run in the {context.sandbox.backend_name} sandbox, your settings with Aegis' "
                          "hooks read-only over ~/.gemini/settings.json:\n" + shlex.join(command) + "\n")
                return 0
            out.write(NO_PROMPT_NOTE + "\n")
            # The key stays in Gemini's environment (see sandboxing.py: it CONNECTs through the proxy).
            contained, env = context.sandbox.contain(command, env, terminal=sys.stdin.isatty(), model_apis=())
            return run_with_notices(contained, env, context, out)
        from aegis_gemini.sandboxing import HOOK_ENV

        block = gemini_settings.default_hooks_block(self.approval_timeout(context), env=HOOK_ENV)
        overlay = context.home / "sessions" / f"{context.session}-gemini"
        if context.dry_run:
            out.write(f"Would make {overlay} the GEMINI_CLI_HOME: your settings plus these (mode 0600):\n")
            out.write(repr(block["hooks"]) + "\n")
            out.write(f"Would run: {shlex.join(command)}\n")
            return 0
        gemini_settings.write_overlay(overlay, block)
        env["GEMINI_CLI_HOME"] = str(overlay)
        out.write(NO_PROMPT_NOTE + "\n")
        try:
            return run_with_notices(command, env, context, out)
        finally:
            gemini_settings.remove_overlay(overlay)
