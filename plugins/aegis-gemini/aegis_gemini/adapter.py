"""``aegis wrap gemini``: run Gemini CLI with Aegis' hooks, changing nothing in the
user's own ``~/.gemini``. Unsandboxed, Gemini runs with a temporary ``GEMINI_CLI_HOME``
whose settings are the user's own plus Aegis' hooks (see settings.py for why not the
system settings file); in the sandbox, that merged file is placed read-only over
``~/.gemini/settings.json`` (see sandboxing.py)."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from aegis_core.adapters import PromptlessHookAdapter, agent_environment
from aegis_gemini import settings as gemini_settings
from aegis_gemini.intercept import to_tool_call

if TYPE_CHECKING:
    from aegis_core.adapters import WrapContext
    from aegis_core.sandbox.plan import SandboxNeeds


class GeminiAdapter(PromptlessHookAdapter):
    """Gemini CLI, put under Aegis through its BeforeTool hook."""

    name = "gemini"
    description = "Gemini CLI: every tool call goes through Aegis via its BeforeTool hook"
    agent = "Gemini CLI"
    install = "npm install -g @google/gemini-cli"
    hook_event = "BeforeTool"
    intercept = staticmethod(to_tool_call)

    def command(self, argv: Sequence[str], context: WrapContext) -> list[str]:
        program, args = self.program(argv, context)
        return [program, *args]

    def sandbox_needs(self, argv: Sequence[str], context: WrapContext) -> SandboxNeeds:
        """Gemini's install and the hook client visible, its folder writable, the user's
        settings with Aegis' hooks read-only over ``~/.gemini/settings.json``."""
        from aegis_gemini import sandboxing

        return sandboxing.needs(self.program(argv, context)[0], self.approval_timeout(context), os.environ,
                                prepare=not context.dry_run)

    def wrap(self, argv: Sequence[str], context: WrapContext) -> int:
        command = self.command(argv, context)
        env = agent_environment(context)
        if context.sandbox.sandboxed:
            if context.dry_run:
                return self.dry_run("your settings with Aegis' hooks read-only over ~/.gemini/settings.json",
                                    command, context)
            # The key stays in Gemini's environment (see sandboxing.py: it CONNECTs through the proxy).
            contained, env = context.sandbox.contain(command, env, terminal=sys.stdin.isatty(), model_apis=())
            return self.run(contained, env, context)
        from aegis_gemini.sandboxing import HOOK_ENV

        block = gemini_settings.default_hooks_block(self.approval_timeout(context), env=HOOK_ENV)
        overlay = context.home / "sessions" / f"{context.session}-gemini"
        if context.dry_run:
            return self.dry_run(f"{overlay} as GEMINI_CLI_HOME: your settings plus these hooks (mode 0600): "
                                f"{block['hooks']!r}", command, context)
        gemini_settings.write_overlay(overlay, block)
        env["GEMINI_CLI_HOME"] = str(overlay)
        try:
            return self.run(command, env, context)
        finally:
            gemini_settings.remove_overlay(overlay)
