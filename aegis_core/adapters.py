"""What an adapter is: a way of putting an agent under Aegis (``aegis wrap``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from aegis_core.client import Identity
    from aegis_core.config import Config
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
