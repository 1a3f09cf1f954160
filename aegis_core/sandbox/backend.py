"""What a sandbox backend is: a way of running a command inside the boundary a
:class:`~aegis_core.sandbox.plan.SandboxPlan` describes. Bubblewrap (Linux) is built
in; others (macOS ``sandbox-exec``) register through ``register_sandboxes``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from aegis_core.sandbox.plan import SandboxPlan


@dataclass(frozen=True)
class Availability:
    """Whether a backend can run here; when not, ``reason`` says why and ``hint`` what
    to do (install a package, enable user namespaces...)."""

    ok: bool
    reason: str
    hint: str | None = None
    version: str | None = None


@dataclass(frozen=True)
class Contained:
    """A command turned into its contained form: run ``argv`` with ``env`` exactly
    where the bare command would have run (same cwd, same terminal)."""

    argv: list[str]
    env: dict[str, str]


class LimitEnforcement(Protocol):
    """What a backend set up to hold a plan's limits (a cgroup, rlimits, a timer)."""

    def describe(self) -> dict[str, str]:
        """Limit name -> how it holds here, or why it does not."""
        ...

    def explain(self, status: int, elapsed: float) -> list[str]:
        """Plain words for each limit that stopped something, once the agent exited."""
        ...

    def release(self) -> None:
        """Free what was set up (kill what is left, remove the cgroup)."""
        ...


@runtime_checkable
class SandboxBackend(Protocol):
    name: str
    description: str
    platforms: tuple[str, ...]  # sys.platform values it serves, e.g. ("linux",)

    def available(self) -> Availability:
        """Cheap check (the program is there, the platform fits); no process started."""
        ...

    def probe(self) -> Availability:
        """Thorough check for ``aegis doctor``: actually create a sandbox."""
        ...

    def enforce(self, plan: SandboxPlan) -> LimitEnforcement:
        """Set up what holds ``plan.limits`` for one session."""
        ...

    def contain(self, plan: SandboxPlan, argv: Sequence[str], env: Mapping[str, str], *,
                workdir: Path, enforcement: LimitEnforcement) -> Contained:
        """The command that runs ``argv`` inside ``plan``'s boundary.

        :param workdir: a private folder outside the sandbox, alive for the session,
            for the files the backend generates.
        :param enforcement: what :meth:`enforce` returned for this session.
        """
        ...
