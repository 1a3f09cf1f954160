"""The values that flow through Aegis, a module per idea: the shared words
(:mod:`.vocabulary`: Action, Kind, ApprovalStatus, Outcome, Scope), a tool call and
the verdicts on it (:mod:`.calls`), an approval and the answer to it
(:mod:`.approvals`), the audit records (:mod:`.audit`). All frozen dataclasses so
hooks can share them without defensive copies.

Import them from here (``from aegis_core.models import ToolCall``). Each module loads
on first use of one of its names: building a dataclass costs about a millisecond at
import, and the quick commands (``aegis status``, ``aegis approvals list``) need only
an approval's, not every value's."""

from __future__ import annotations

import importlib

# Not `from typing import ...`: `aegis approvals list` would pay for loading typing.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from aegis_core.models.approvals import Approval, Decision, ResolveResult
    from aegis_core.models.audit import AuditEvent, AuditRecord
    from aegis_core.models.calls import CHANGE_PREVIEW_CHARS, AgentInput, ToolCall, Verdict, strictest
    from aegis_core.models.ids import new_id
    from aegis_core.models.vocabulary import Action, ApprovalStatus, Kind, Outcome, Scope

# name -> the module of this package that defines it
_HOMES = {
    "Action": "vocabulary", "ApprovalStatus": "vocabulary", "Kind": "vocabulary",
    "Outcome": "vocabulary", "Scope": "vocabulary",
    "new_id": "ids",
    "CHANGE_PREVIEW_CHARS": "calls", "AgentInput": "calls", "ToolCall": "calls", "Verdict": "calls",
    "strictest": "calls",
    "Approval": "approvals", "Decision": "approvals", "ResolveResult": "approvals",
    "AuditEvent": "audit", "AuditRecord": "audit",
}

__all__ = [
    "CHANGE_PREVIEW_CHARS", "Action", "AgentInput", "Approval", "ApprovalStatus", "AuditEvent",
    "AuditRecord", "Decision", "Kind", "Outcome", "ResolveResult", "Scope", "ToolCall", "Verdict",
    "new_id", "strictest",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value  # the next look-up is a plain one
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOMES})
