"""What a doctor check is. The checks themselves live with what they check."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from aegis_core.config import Config


@dataclass(frozen=True)
class CheckResult:
    """``status`` is ``pass``, ``warn`` or ``fail``; ``fix`` tells the user what to do;
    ``fixer`` applies a safe automatic fix (``aegis doctor --fix``) and says what it did."""

    name: str
    status: str
    message: str
    fix: str | None = None
    fixer: Callable[[], str] | None = None
    details: dict[str, Any] | None = None
    code: int = 1  # the exit code (README table) `aegis doctor` uses when this check fails


@runtime_checkable
class DoctorCheck(Protocol):
    name: str
    category: str  # environment | security | runtime | channels

    def run(self, config: Config) -> CheckResult: ...


@dataclass(frozen=True)
class AgentCliCheck:
    """Is the agent's CLI on PATH? The executable comes from the adapter's config
    section (``[codex] executable``), so a user who points it elsewhere is checked
    there; ``install`` is the command that puts it on PATH."""

    name: str  # e.g. "codex.cli"
    section: str
    default: str
    install: str
    category: str = "environment"

    def run(self, config: Config) -> CheckResult:
        executable = str(config.get(self.section, "executable", self.default))
        found = shutil.which(executable)
        if found:
            return CheckResult(self.name, "pass", found)
        if config.source(self.section, "executable") == "default":
            # Most users run one agent: a CLI they never installed is not a problem
            # (the agent-clis check warns when there is none at all).
            return CheckResult(self.name, "pass", f"{executable!r} is not on PATH (skipped; "
                               f"`aegis wrap {self.section}` needs it: {self.install})")
        return CheckResult(self.name, "warn", f"{executable!r} is not on PATH "
                           f"(set by [{self.section}] executable)", fix=self.install)
