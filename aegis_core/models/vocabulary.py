"""The words every part of Aegis shares: what the policy says (Action), what kind of
call it is (Kind), where an approval stands (ApprovalStatus), what a human answered
(Outcome) and for how long (Scope)."""

from __future__ import annotations

import enum


class Action(str, enum.Enum):
    """What the policy says about a tool call; ordered from least to most strict."""

    ALLOW = "allow"
    REQUIRE_APPROVAL = "require_approval"
    DENY = "deny"

    @property
    def strictness(self) -> int:
        return _STRICTNESS[self]


_STRICTNESS = {Action.ALLOW: 0, Action.REQUIRE_APPROVAL: 1, Action.DENY: 2}


class Kind(str, enum.Enum):
    """The canonical kind of a tool call, whatever the agent calls the tool."""

    SHELL = "shell"
    READ = "read"
    WRITE = "write"
    EDIT = "edit"
    FETCH = "fetch"
    SEARCH = "search"
    MCP = "mcp"
    PROMPT = "prompt"
    # A connection out of the sandbox, held by Aegis' egress proxy (not a hook event).
    NETWORK = "network"
    OTHER = "other"
    # Not an agent's call: a change to Aegis' own policy or config that the daemon
    # puts to the human (after a SIGHUP). No adapter produces it.
    CONFIG = "config"


class ApprovalStatus(str, enum.Enum):
    """Where an approval stands. ``asked``: the question went to the agent's own
    prompt (the ``terminal`` channel) and the call's result was ``ask``; the answer
    given there is recorded later, as ``approved`` or ``denied`` via ``terminal``."""

    PENDING = "pending"
    ASKED = "asked"
    APPROVED = "approved"
    DENIED = "denied"
    EXPIRED = "expired"
    CANCELLED = "cancelled"

    @property
    def is_final(self) -> bool:
        """Aegis no longer waits on it (an ``asked`` one may still get its terminal answer)."""
        return self is not ApprovalStatus.PENDING


class Outcome(str, enum.Enum):
    """A decision on an approval. ``ask`` hands the question back to the agent's own
    prompt (the ``terminal`` channel)."""

    APPROVE = "approve"
    DENY = "deny"
    ASK = "ask"


class Scope(str, enum.Enum):
    ONCE = "once"
    SESSION = "session"
