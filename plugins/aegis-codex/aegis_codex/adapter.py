"""``aegis wrap codex``: run Codex CLI with Aegis' hooks, changing nothing in the user's
own ``~/.codex``. Unsandboxed, the hooks are per-run ``-c`` overrides (Codex's
session-flags layer), trusted by the same overrides, so no other hook's trust is
bypassed; in the sandbox they are managed hooks in the sandbox's own ``/etc/codex``
(see sandboxing.py)."""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from aegis_codex import settings as codex_settings
from aegis_codex.intercept import to_tool_call
from aegis_core.adapters import agent_environment, find_program, run_with_notices
from aegis_core.models import AgentInput, ToolCall

if TYPE_CHECKING:
    from aegis_core.adapters import WrapContext
    from aegis_core.sandbox.plan import SandboxNeeds

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

    def interactive(self, argv: Sequence[str]) -> bool:
        """Never: its hook cannot hand a question to its own prompt, so approvals of its
        calls wait on the other channels (and this terminal is told each one's id)."""
        return False

    def tool_call(self, tool: str, tool_input: Mapping[str, Any], cwd: str) -> ToolCall:
        """The call as Codex's PreToolUse hook would report it (``aegis policy test --agent codex``)."""
        payload = {"session_id": "", "cwd": cwd, "hook_event_name": "PreToolUse", "tool_name": tool,
                   "tool_input": dict(tool_input)}
        call = to_tool_call(AgentInput(adapter="codex", payload=payload))
        assert call is not None  # the event is ours by construction
        return call

    def program(self, argv: Sequence[str], context: WrapContext) -> tuple[str, list[str]]:
        """The Codex CLI to run (the configured one for the bare name) and its arguments."""
        program, args = (argv[0], list(argv[1:])) if argv else ("codex", [])
        if program == "codex":
            program = str(context.config.get("codex", "executable", "codex"))
        return find_codex(program), args

    def approval_timeout(self, context: WrapContext) -> int:
        return context.timeout or int(context.config.get("approvals", "timeout_seconds", 300))

    def command(self, argv: Sequence[str], context: WrapContext) -> list[str]:
        """``codex -c hooks... -c hooks.state=... ARGS``: the overrides come first, so
        they apply to every subcommand (``codex -c ... exec PROMPT``)."""
        program, args = self.program(argv, context)
        block = codex_settings.default_hooks_block(self.approval_timeout(context))
        return [program, *codex_settings.cli_overrides(block), *args]

    def sandbox_needs(self, argv: Sequence[str], context: WrapContext) -> SandboxNeeds:
        """Codex's install and the hook client visible, ``$CODEX_HOME`` writable, Aegis'
        hooks as managed hooks in the sandbox's ``/etc/codex``."""
        from aegis_codex import sandboxing

        return sandboxing.needs(self.program(argv, context)[0], self.approval_timeout(context), os.environ,
                                prepare=not context.dry_run)

    def wrap(self, argv: Sequence[str], context: WrapContext) -> int:
        out = self._out or sys.stderr
        if context.sandbox.sandboxed:
            return self._wrap_sandboxed(argv, context, out)
        command = self.command(argv, context)
        if context.dry_run:
            out.write(f"Would run with AEGIS_SOCKET={shlex.quote(str(context.socket))} "
                      f"AEGIS_SESSION={context.session} AEGIS_SESSION_TOKEN=***:\n")
            out.write(shlex.join(command) + "\n")
            return 0
        out.write(NO_PROMPT_NOTE + "\n")
        return run_with_notices(command, agent_environment(context), context, out)

    def _wrap_sandboxed(self, argv: Sequence[str], context: WrapContext, out: TextIO) -> int:
        """Inside the sandbox the hooks are the managed ones in its /etc/codex; an API key
        stays with the daemon, whose stand-in URL Codex is pointed at (it ignores
        OPENAI_BASE_URL)."""
        from aegis_core.network.endpoints import OPENAI, virtual_base_url

        program, args = self.program(argv, context)
        env = agent_environment(context)
        base_url = []
        if env.get(OPENAI.key_env):
            virtual = virtual_base_url(OPENAI.name, env.get(OPENAI.base_url_env) or OPENAI.default_base_url)
            base_url = ["-c", f"openai_base_url={codex_settings.toml_inline(virtual)}"]
        command = [program, *base_url, *args]
        if context.dry_run:
            out.write(f"Would run in the {context.sandbox.backend_name} sandbox, Aegis' hooks managed in its "
                      "/etc/codex (allow_managed_hooks_only):\n")
            out.write(shlex.join(command) + "\n")
            return 0
        out.write(NO_PROMPT_NOTE + "\n")
        contained, env = context.sandbox.contain(command, env, terminal=sys.stdin.isatty(), model_apis=(OPENAI,))
        return run_with_notices(contained, env, context, out)
