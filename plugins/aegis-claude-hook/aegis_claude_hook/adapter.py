"""``aegis wrap claude``: run Claude Code with a per-session settings file whose hooks
send every tool call to the daemon, so nothing in the user's own settings changes.

Interactive, Claude Code also runs under the PTY relay (aegis-pty) in watch mode:
a call that needs approval becomes Claude Code's own dialog and a pending approval
on every other channel at once; the relay sees the key that answers the dialog and
records it (``via terminal``), and another channel's answer closes the dialog
through the PermissionRequest hook. Headless (``claude -p``) there is no dialog: the
call waits on the other channels."""

from __future__ import annotations

import json
import os
import shlex
import sys
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from aegis_claude_hook import settings as hook_settings
from aegis_claude_hook.intercept import to_tool_call
from aegis_core.adapters import HookAdapter, agent_environment, run_foreground, run_with_notices
from aegis_core.hooksettings import write_private

if TYPE_CHECKING:
    from aegis_core.adapters import WrapContext
    from aegis_core.sandbox.plan import SandboxNeeds


def write_session_settings(home: Path, session: str, block: Mapping[str, object]) -> Path:
    """Write the session's hooks to ``home/sessions/<session>.json``, owner-only."""
    if not session or "/" in session or session.startswith("."):
        raise ValueError(f"unusable session id {session!r}")
    return write_private(home / "sessions" / f"{session}.json", block)


class ClaudeAdapter(HookAdapter):
    """Claude Code, put under Aegis through its PreToolUse/PostToolUse hooks."""

    name = "claude"
    description = "Claude Code: every tool call goes through Aegis via its hooks"
    agent = "Claude Code"
    install = "npm install -g @anthropic-ai/claude-code"
    hook_event = "PreToolUse"
    intercept = staticmethod(to_tool_call)

    def command(self, argv: Sequence[str], context: WrapContext, settings_path: Path | None,
                conversation: str | None = None) -> list[str]:
        """The command line that runs Claude Code: ``claude --settings FILE ARGS``
        (``--session-id ID`` first when Aegis picked the conversation's id); in a
        sandbox the hooks come from managed settings instead (``settings_path`` None)."""
        program, args = self.program(argv, context)
        chosen = ["--session-id", conversation] if conversation and conversation_of(args) is None else []
        settings = ["--settings", str(settings_path)] if settings_path is not None else []
        return [program, *settings, *chosen, *args]

    def sandbox_needs(self, argv: Sequence[str], context: WrapContext) -> SandboxNeeds:
        """Claude Code's install and the hook client visible, Aegis' hooks as managed
        settings (its folder is readied by aegis_core.sandbox.agent_state)."""
        from aegis_claude_hook import sandboxing

        executable = self.command(argv, context, None)[0]
        return sandboxing.needs(executable, self.approval_timeout(context), os.environ,
                                prepare=not context.dry_run)

    def environment(self, context: WrapContext) -> dict[str, str]:
        return agent_environment(context)

    def wrap(self, argv: Sequence[str], context: WrapContext) -> int:
        if context.sandbox.sandboxed:
            return self._wrap_sandboxed(argv, context)
        block = hook_settings.default_hooks_settings(self.approval_timeout(context))
        settings_path = context.home / "sessions" / f"{context.session}.json"
        conversation = str(uuid.uuid4())
        command = self.command(argv, context, settings_path, conversation)
        if context.dry_run:
            out = self._out or sys.stdout
            out.write("Would write " + str(settings_path) + " (mode 0600):\n")
            out.write(json.dumps(block, indent=2) + "\n")
            out.write(
                f"Would run with AEGIS_SOCKET={shlex.quote(str(context.socket))} "
                f"AEGIS_SESSION={context.session} AEGIS_SESSION_TOKEN=***:\n"
            )
            out.write(shlex.join(command) + "\n")
            return 0
        write_session_settings(context.home, context.session, block)
        try:
            status = self._run(argv, command, self.environment(context), context)
        finally:
            settings_path.unlink(missing_ok=True)
        self._resume_hint(argv[1:], conversation)
        return status

    def _run(self, argv: Sequence[str], command: list[str], env: Mapping[str, str],
             context: WrapContext) -> int:
        """Interactive: under the PTY relay, which watches Claude Code's dialog (the
        relay runs here, outside any sandbox; ``command`` may be the contained one).
        Headless: no dialog, so a call that needs approval waits on the other channels;
        this terminal is told which approval waits and how to answer it."""
        if self.interactive(argv):
            return run_with_relay(command, env, context)
        return run_with_notices(command, env, context, self._out or sys.stderr)

    def interactive(self, argv: Sequence[str]) -> bool:
        """Whether Claude Code will show its dialog: a terminal on both ends and no
        ``-p``. ``aegis wrap`` tells the daemon, which otherwise has the call wait on
        the other channels (or says nobody can be asked)."""
        return sys.stdin.isatty() and sys.stdout.isatty() and not is_headless(argv[1:])

    def _resume_hint(self, args: Sequence[str], conversation: str | None) -> None:
        """Claude Code ends with "Resume this session with: claude --settings FILE
        --resume ID"; that file was Aegis' and is gone, and without Aegis the resumed
        session would run unguarded. Say the command that resumes it under Aegis."""
        resumed = conversation_of(args) or conversation
        if resumed is None or is_headless(args) or not conversation_saved(resumed):
            return
        out = self._out or sys.stderr
        out.write(f"aegis: to resume this session under Aegis: aegis wrap claude --resume {resumed}\n")

    def _wrap_sandboxed(self, argv: Sequence[str], context: WrapContext) -> int:
        """Inside the sandbox: no settings file of ours to find (Aegis' state is not
        visible there); the hooks are the sandbox's managed settings."""
        conversation = str(uuid.uuid4())
        command = self.command(argv, context, None, conversation)
        if context.dry_run:
            out = self._out or sys.stdout
            out.write(f"Would run in the {context.sandbox.backend_name} sandbox, Aegis' hooks as managed "
                      "settings (allowManagedHooksOnly):\n")
            out.write(shlex.join(command) + "\n")
            return 0
        # On a terminal Claude Code keeps it (its seccomp filter refuses TIOCSTI); with
        # no terminal it runs in a session of its own.
        from aegis_core.network.endpoints import ANTHROPIC, ANTHROPIC_TOKEN

        contained, env = context.sandbox.contain(command, self.environment(context), terminal=sys.stdin.isatty(),
                                                 model_apis=(ANTHROPIC, ANTHROPIC_TOKEN))
        status = self._run(argv, contained, env, context)
        self._resume_hint(argv[1:], conversation)
        return status


# Options that pick (or leave Claude Code to pick) the conversation themselves.
_PICKS_CONVERSATION = ("-c", "--continue", "--fork-session", "--session-id", "-r", "--resume")


def conversation_of(args: Sequence[str]) -> str | None:
    """The conversation id ``args`` name (``--session-id ID``, ``--resume ID``), None
    when they name none; "" when Claude Code will choose (``--continue``, a bare
    ``--resume``, ``--fork-session``)."""
    args = list(args)
    for index, arg in enumerate(args):
        name, eq, value = arg.partition("=")
        if name not in _PICKS_CONVERSATION:
            continue
        if name in ("-c", "--continue", "--fork-session"):
            return ""
        if not eq:
            value = args[index + 1] if index + 1 < len(args) else ""
        return value if _is_uuid(value) else ""
    return None


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def is_headless(args: Sequence[str]) -> bool:
    """``claude -p`` / ``--print``: no dialog, no terminal conversation to resume."""
    return any(arg in ("-p", "--print") or arg.startswith("--print=") for arg in args)


def conversation_saved(conversation: str, env: Mapping[str, str] | None = None) -> bool:
    """Whether Claude Code kept a transcript of ``conversation`` (only then can it be
    resumed): ``<config dir>/projects/*/<id>.jsonl``."""
    env = os.environ if env is None else env
    config_dir = Path(env.get("CLAUDE_CONFIG_DIR") or Path(env.get("HOME") or Path.home()) / ".claude")
    return any((config_dir / "projects").glob(f"*/{conversation}.jsonl"))


def run_with_relay(command: list[str], env: Mapping[str, str], context: WrapContext) -> int:
    """Claude Code in a pseudo-terminal of its own, the PTY relay watching its dialogs
    (``watch`` mode: it asks the daemon nothing, it reports answers typed in dialogs
    Aegis opened). Without aegis-pty, Claude Code runs as is: its dialog's answers are
    then recorded from the hooks alone (PermissionRequest ended, PostToolUse)."""
    try:
        from aegis_pty.pty import Passthrough
        from aegis_pty.relay import PromptRelay, RelaySettings
    except ImportError:
        return run_foreground(command, env)
    import getpass

    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "user"
    settings = RelaySettings(socket=context.socket, session=context.session, token=context.token,
                             daemon_pid=context.daemon_pid, daemon_start=context.daemon_start,
                             operator_socket=context.operator_socket, program="claude", cwd=os.getcwd(),
                             mode="watch", user=user)
    relay = PromptRelay(detectors=context.plugins.prompt_detectors(), settings=settings)
    return Passthrough(command, observer=relay, env=env).run()
