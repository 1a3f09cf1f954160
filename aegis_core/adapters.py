"""What an adapter is: a way of putting an agent under Aegis (``aegis wrap``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from aegis_core.config import Config
    from aegis_core.plugins import AegisPlugins


@dataclass(frozen=True)
class WrapContext:
    """Everything an adapter needs to run one wrapped program.

    ``session`` and ``token`` identify this wrap to the daemon: every request the
    adapter's client sends carries both, and the daemon refuses unknown pairs.
    """

    config: Config
    plugins: AegisPlugins
    home: Path
    socket: Path
    session: str
    token: str
    dry_run: bool = False
    timeout: int | None = None


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
