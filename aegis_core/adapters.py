"""What an adapter is: a way of putting an agent under Aegis (``aegis wrap``)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TextIO, runtime_checkable

from aegis_core.errors import AegisError, DependencyMissing

if TYPE_CHECKING:
    from aegis_core.client import Identity
    from aegis_core.config import Config
    from aegis_core.models import AgentInput, ToolCall
    from aegis_core.plugins import AegisPlugins
    from aegis_core.sandbox.plan import SandboxNeeds
    from aegis_core.sandbox.session import SessionSandbox


def _unsandboxed() -> SessionSandbox:
    from aegis_core.sandbox.session import UNSANDBOXED

    return UNSANDBOXED


@dataclass(frozen=True)
class WrapContext:
    """Everything an adapter needs to run one wrapped program.

    ``socket`` is the session's agent socket (in ``run_dir``): the only way the
    agent, and the adapter's own relay, talk to the daemon; it serves agent
    operations only. ``session`` and ``token`` identify this wrap to the daemon,
    and ``daemon_pid``/``daemon_start`` name the daemon process, so clients can
    refuse anything else that answers on the socket (docs/protocol.md).

    ``sandbox`` is the session's sandbox: right before spawning, an adapter turns the
    command it would run into the contained one with
    ``argv, env = context.sandbox.contain(argv, env)`` (``terminal=True`` when the
    program gets a terminal of its own); unsandboxed sessions get the command back
    unchanged. ``sandbox.sandboxed`` says which it is. Inside, the run folder is
    ``/run/aegis`` and ``AEGIS_SOCKET`` says so.
    """

    config: Config
    plugins: AegisPlugins
    home: Path
    socket: Path
    session: str
    token: str
    dry_run: bool = False
    timeout: int | None = None
    run_dir: Path | None = None
    daemon_pid: int | None = None
    daemon_start: int | None = None
    operator_socket: Path | None = None  # for the adapter's own requests from outside (network.endpoint)
    sandbox: SessionSandbox = field(default_factory=_unsandboxed)

    def identity(self) -> Identity:
        """The daemon this session's clients may talk to (aegis_core.client)."""
        from aegis_core.client import Identity

        return Identity(self.daemon_pid, self.daemon_start, "aegis wrap", self.session or None,
                        self.token or None)

    def agent_env(self) -> dict[str, str]:
        """The variables every process of the wrapped agent gets: where its Aegis is
        and how to tell it from an impostor. Adapters add them to the agent's
        environment."""
        env = {"AEGIS_SOCKET": str(self.socket), "AEGIS_SESSION": self.session,
               "AEGIS_SESSION_TOKEN": self.token}
        if self.daemon_pid:
            env["AEGIS_DAEMON_PID"] = str(self.daemon_pid)
        if self.daemon_start:
            env["AEGIS_DAEMON_START"] = str(self.daemon_start)
        return env


@runtime_checkable
class Adapter(Protocol):
    name: str
    description: str

    def claims(self, program: str) -> bool:
        """Whether this adapter is the default for ``program`` (e.g. ``claude``)."""
        ...

    def wrap(self, argv: Sequence[str], context: WrapContext) -> int:
        """Run ``argv`` under Aegis and return its exit status."""
        ...

    # Optional: ``interactive(argv) -> bool``, whether the agent will show its own
    # permission dialog for a call answered "ask" (interactive Claude Code). False
    # makes approvals of that session wait on the other channels instead.


@runtime_checkable
class SandboxedAdapter(Adapter, Protocol):
    """An adapter whose agent needs more of the sandbox than the manifest gives (its
    state folder writable, its settings out of its own reach, its model API reachable).
    Optional: ``aegis wrap`` asks only adapters that have the method."""

    def sandbox_needs(self, argv: Sequence[str], context: WrapContext) -> SandboxNeeds:
        """What the agent ``argv`` needs inside. Called before the session exists
        (``context.session`` is empty); may prepare the user's files it protects."""
        ...


# Optional on an adapter (looked up with getattr): how it would see one call, for
# ``aegis policy test --agent NAME``. Hook adapters build their agent's hook input and
# run their own intercept on it, so the test judges exactly what a live call would be.
#
#     def tool_call(self, tool: str, tool_input: Mapping[str, Any], cwd: str) -> ToolCall: ...


def find_program(program: str, *, agent: str, install: str, setting: str,
                 env: Mapping[str, str] | None = None) -> str:
    """The absolute path of an agent's CLI, or DependencyMissing (exit 7) naming how to
    install it (``install``) or point Aegis at it (``setting``, e.g. ``[codex] executable``)."""
    env = os.environ if env is None else env
    found = shutil.which(program, path=env.get("PATH"))
    if found is None:
        raise DependencyMissing(f"{agent} ({program!r}) was not found on PATH",
                                hint=f"install it with `{install}`, or set {setting} in config.toml")
    return os.path.abspath(found)


def program_root(executable: str) -> Path:
    """The folder to show (read-only) in a sandbox for an agent's CLI: its
    ``node_modules`` (the package and its platform package beside it, for the npm
    installs of Claude Code, Codex and Gemini), else the executable's own folder."""
    real = Path(os.path.realpath(executable))
    for folder in real.parents:
        if folder.name == "node_modules":
            return folder
    return real.parent


def agent_environment(context: WrapContext, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The agent's environment: ours, plus what its hook client needs to reach this
    session and tell its daemon from an impostor (``WrapContext.agent_env``)."""
    env = dict(os.environ if base is None else base)
    env.update(context.agent_env())
    return env


def run_foreground(command: Sequence[str], env: Mapping[str, str]) -> int:
    """Run the agent in the foreground and return its exit status (128+N for signal N).
    Every adapter spawns its agent through here.

    Ctrl-C reaches the agent through the terminal's process group; Aegis itself
    ignores it meanwhile so it can still clean up after the agent exits.
    """
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        process = subprocess.Popen(
            list(command), env=dict(env), preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL)
        )
        try:
            status = process.wait()
        except BaseException:
            process.terminate()
            process.wait()
            raise
    finally:
        signal.signal(signal.SIGINT, previous)
    return 128 - status if status < 0 else status


def run_with_notices(command: Sequence[str], env: Mapping[str, str], context: WrapContext, out: TextIO) -> int:
    """``run_foreground``, while this terminal is told which of the session's calls wait
    for approval, how to answer them and who did (aegis_core.notices): for an agent
    that shows no permission dialog of its own (``claude -p``, Codex CLI, Gemini CLI)."""
    from aegis_core import notices

    def say(line: str) -> None:
        out.write(line + "\n")
        out.flush()

    notices.watch(context.operator_socket or context.socket, context.identity(), say)
    return run_foreground(command, env)


class HookAdapter:
    """What every adapter that puts an agent under Aegis through the agent's own hooks
    shares (Claude Code, Codex CLI, Gemini CLI): which program it claims, where that CLI
    is, how long a hook may wait for an approval, and how the agent's hook would report
    one call (``aegis policy test --agent NAME``). A subclass names its agent and brings
    its ``intercept`` (the plugin's ``to_tool_call``, as a staticmethod) and ``wrap``."""

    name: str  # the adapter id, also the program it claims and its config section
    description: str
    agent: str  # "Codex CLI", for messages
    install: str  # how to install the CLI, for the error when it is missing
    hook_event: str  # the event its hook reports a call about to run with ("PreToolUse")
    intercept: Callable[[AgentInput], ToolCall | None]

    def __init__(self, *, out: TextIO | None = None) -> None:
        self._out = out

    def claims(self, program: str) -> bool:
        return os.path.basename(program) == self.name

    def tool_call(self, tool: str, tool_input: Mapping[str, Any], cwd: str) -> ToolCall:
        """The call as the agent's hook would report it."""
        from aegis_core.models import AgentInput

        payload = {"session_id": "", "cwd": cwd, "hook_event_name": self.hook_event, "tool_name": tool,
                   "tool_input": dict(tool_input)}
        call = self.intercept(AgentInput(adapter=self.name, payload=payload))
        if call is None:
            raise AegisError(f"the {self.name} adapter did not read its own hook input")
        return call

    def find(self, program: str, env: Mapping[str, str] | None = None) -> str:
        """The absolute path of the agent's CLI, or DependencyMissing (exit 7)."""
        return find_program(program, agent=self.agent, install=self.install,
                            setting=f"[{self.name}] executable", env=env)

    def program(self, argv: Sequence[str], context: WrapContext) -> tuple[str, list[str]]:
        """The CLI to run (for the bare name, the configured ``[NAME] executable``) and its
        arguments."""
        program, args = (argv[0], list(argv[1:])) if argv else (self.name, [])
        if program == self.name:
            program = str(context.config.get(self.name, "executable", self.name))
        return self.find(program), args

    def approval_timeout(self, context: WrapContext) -> int:
        return context.timeout or int(context.config.get("approvals", "timeout_seconds", 300))


class PromptlessHookAdapter(HookAdapter):
    """A hook adapter for an agent whose hook cannot put a question to its own prompt
    (Codex CLI, Gemini CLI): approvals of its calls wait on the other channels, and the
    terminal that wrapped it is told which call waits and how to answer."""

    def interactive(self, argv: Sequence[str]) -> bool:
        return False

    def out(self) -> TextIO:
        return self._out or sys.stderr

    def run(self, command: Sequence[str], env: Mapping[str, str], context: WrapContext) -> int:
        """Run the agent (``command`` already contained when sandboxed), saying first
        where its approvals will wait."""
        out = self.out()
        out.write(f"aegis: {self.agent} cannot ask at its own prompt, so calls that need your approval wait "
                  "for your answer on your phone or in another terminal: `aegis approvals watch`.\n")
        return run_with_notices(command, env, context, out)

    def dry_run(self, what: str, command: Sequence[str], context: WrapContext) -> int:
        """``aegis wrap --dry-run``: say what would be run, ``what`` first."""
        import shlex

        out = self.out()
        if context.sandbox.sandboxed:
            out.write(f"Would run in the {context.sandbox.backend_name} sandbox, {what}:\n")
        else:
            out.write(f"{what}; would run with AEGIS_SOCKET={shlex.quote(str(context.socket))} "
                      f"AEGIS_SESSION={context.session} AEGIS_SESSION_TOKEN=***:\n")
        out.write(shlex.join(command) + "\n")
        return 0


@dataclass(frozen=True)
class HooksOnlyAdapter:
    """An agent Aegis guards through hooks the user registers (``aegis NAME settings``)
    but does not start itself: it claims no program (``aegis wrap`` picks the PTY relay
    for it) and refuses ``--adapter NAME``, while ``aegis policy test --agent NAME``
    judges calls as its hooks report them."""

    name: str
    description: str
    agent: str  # "Copilot CLI", for messages
    hook_input: Callable[[str, Mapping[str, Any], str], Mapping[str, Any]]  # (tool, input, cwd) -> its hook JSON
    intercept: Callable[[AgentInput], ToolCall | None]

    def claims(self, program: str) -> bool:
        return False

    def tool_call(self, tool: str, tool_input: Mapping[str, Any], cwd: str) -> ToolCall:
        from aegis_core.models import AgentInput

        call = self.intercept(AgentInput(adapter=self.name, payload=self.hook_input(tool, tool_input, cwd)))
        if call is None:
            raise AegisError(f"the {self.name} adapter did not read its own hook input")
        return call

    def wrap(self, argv: Sequence[str], context: WrapContext) -> int:
        raise AegisError(
            f"Aegis does not start {self.agent} itself; it guards it through the hooks you register",
            hint=f"add the output of `aegis {self.name} settings` to its hooks, or run it in the PTY relay: "
                 f"aegis wrap --adapter pty -- {' '.join(argv) or self.name}",
        )
