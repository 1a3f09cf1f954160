"""``aegis wrap codex``: run Codex CLI with Aegis' hooks, changing nothing in the user's
own ``~/.codex``. Unsandboxed, the hooks are per-run ``-c`` overrides (Codex's
session-flags layer), trusted by the same overrides, so no other hook's trust is
bypassed; in the sandbox they are managed hooks in the sandbox's own ``/etc/codex``
(see sandboxing.py)."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from aegis_codex import settings as codex_settings
from aegis_codex.intercept import to_tool_call
from aegis_core.adapters import PromptlessHookAdapter, agent_environment

if TYPE_CHECKING:
    from aegis_core.adapters import WrapContext
    from aegis_core.sandbox.plan import SandboxNeeds


class CodexAdapter(PromptlessHookAdapter):
    """Codex CLI, put under Aegis through its PreToolUse hook."""

    name = "codex"
    description = "Codex CLI: every tool call goes through Aegis via its PreToolUse hook"
    agent = "Codex CLI"
    install = "npm install -g @openai/codex"
    hook_event = "PreToolUse"
    intercept = staticmethod(to_tool_call)

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
        if context.sandbox.sandboxed:
            return self._wrap_sandboxed(argv, context)
        command = self.command(argv, context)
        if context.dry_run:
            return self.dry_run("Aegis' hooks as -c overrides of this run", command, context)
        return self.run(command, agent_environment(context), context)

    def _wrap_sandboxed(self, argv: Sequence[str], context: WrapContext) -> int:
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
            return self.dry_run("Aegis' hooks managed in its /etc/codex (allow_managed_hooks_only)", command, context)
        contained, env = context.sandbox.contain(command, env, terminal=sys.stdin.isatty(), model_apis=(OPENAI,))
        return self.run(contained, env, context)
