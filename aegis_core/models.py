"""The values that flow through Aegis: a tool call, the verdicts on it, the approval
it may need, the human decision and the audit records. All frozen dataclasses so
hooks can share them without defensive copies."""

from __future__ import annotations

import enum
import os
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any


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


# Characters of a write's or an edit's new content a summary shows.
CHANGE_PREVIEW_CHARS = 1200


def new_id() -> str:
    """32 random hex digits (what uuid4().hex gave, without importing uuid: every
    quick command imports this module)."""
    return os.urandom(16).hex()


@dataclass(frozen=True, slots=True)
class ToolCall:
    """One tool call an agent wants to make, in Aegis' words.

    ``tool`` is the vendor's own name (``Bash``, ``Read``, ``mcp__github__push``);
    ``kind`` the canonical category every policy understands. ``input`` is the
    tool's arguments as the agent sent them. ``files`` and ``urls`` are what the
    adapter found the call touches where the input does not name them in a
    ``file_path``/``path``/``url`` field (every file an ``apply_patch`` adds, updates,
    deletes or moves; the URLs in a Gemini ``web_fetch`` prompt). ``hook_event`` is
    the agent's name for the moment it asked (``PreToolUse``, ``PermissionRequest``,
    ``PostToolUse``...); "event" alone in Aegis means the kind of an audit record.

    ``agent_call_id`` and ``agent_session`` are the agent's own ids for the call and
    its conversation (Claude Code's ``tool_use_id`` and ``session_id``): what joins
    the interception, the decision, the approval and the outcome the agent reports
    later. ``terminal`` says how a human at the agent's terminal can answer an
    approval of this call: ``dialog`` (told "ask", the agent shows its own
    permission dialog), ``keyboard`` (the adapter watches the keyboard, as the PTY
    relay does) or ``""`` (nobody at a terminal can: a headless run, or an agent
    whose hook cannot hand the question to its own prompt, as Codex CLI's and Gemini
    CLI's cannot: their approvals wait for a channel instead).
    """

    agent: str
    tool: str
    kind: Kind
    input: Mapping[str, Any] = field(default_factory=dict, hash=False)
    cwd: str = ""
    session: str = ""
    id: str = field(default_factory=new_id)
    hook_event: str = "PreToolUse"
    received_at: float = field(default_factory=time.time)
    files: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()
    agent_call_id: str = ""
    agent_session: str = ""
    terminal: str = ""

    @property
    def command(self) -> str | None:
        """The shell command of a ``shell`` call, else None (Codex's ``apply_patch``, a
        write, carries its patch in ``command``)."""
        value = self.input.get("command")
        return value if isinstance(value, str) and self.kind is Kind.SHELL else None

    @property
    def paths(self) -> tuple[str, ...]:
        """The file paths named in the input, as given (not normalised)."""
        found = []
        for key in ("file_path", "path", "notebook_path"):
            value = self.input.get(key)
            if isinstance(value, str) and value:
                found.append(value)
        return (*found, *self.files) if self.files else tuple(found)

    def change(self, limit: int = CHANGE_PREVIEW_CHARS) -> str:
        """What a write or an edit puts into its file, at most ``limit`` characters
        (head and tail): the new content, or each edit as ``- old`` / ``+ new`` lines.
        An approval shows it so that a person can judge what will run (a git hook, a
        CI workflow, an install script)."""
        parts: list[str] = []
        # A patch (Codex's apply_patch: the adapter read its files) is its own text.
        keys = ("content", "file_text", "new_source") + (("patch", "command", "input") if self.files else ())
        for key in keys:
            value = self.input.get(key)
            if isinstance(value, str):
                parts.append(value)
        edits = self.input.get("edits")
        pairs = [(e.get("old_string"), e.get("new_string")) for e in edits if isinstance(e, Mapping)] \
            if isinstance(edits, list) else []
        if isinstance(self.input.get("new_string"), str):
            pairs.insert(0, (self.input.get("old_string"), self.input.get("new_string")))
        for old, new in pairs:
            if isinstance(old, str) and old:
                parts.append("\n".join("- " + line for line in old.splitlines()))
            if isinstance(new, str):
                parts.append("\n".join("+ " + line for line in new.splitlines()) or "+")
        text = "\n".join(parts)
        if len(text) <= limit:
            return text
        keep = max(limit - 40, 2)
        head, tail = text[: keep * 2 // 3], text[len(text) - keep // 3:]
        return f"{head}\n… [{len(text) - len(head) - len(tail)} characters not shown] …\n{tail}"

    @property
    def url(self) -> str | None:
        value = self.input.get("url")
        if isinstance(value, str):
            return value
        return self.urls[0] if self.urls else None

    @property
    def all_urls(self) -> tuple[str, ...]:
        """Every URL the call fetches: the input's ``url`` and those the adapter found."""
        value = self.input.get("url")
        if isinstance(value, str) and value:
            return (value, *(u for u in self.urls if u != value))
        return self.urls

    def summary(self) -> str:
        """What the call does, for humans (not redacted): the command, the path (for a
        write or an edit, followed by what it writes, shortened), the URL..."""
        if self.kind is Kind.NETWORK:
            return f"the agent wants to reach {self.input.get('host')}:{self.input.get('port')}"
        if self.command is not None:
            return self.command
        if self.paths:
            where = " ".join(self.paths)
            change = self.change() if self.kind in (Kind.WRITE, Kind.EDIT) else ""
            return f"{where}\n{change}" if change else where
        if self.url:
            return self.url
        if self.kind is Kind.CONFIG:
            return str(self.input.get("change", ""))
        if self.kind is Kind.PROMPT:
            # The question alone ("Do you want to proceed?") says nothing; the screen
            # above it (already redacted by the adapter) shows what it is about.
            question = str(self.input.get("question", ""))
            screen = [line for line in str(self.input.get("screen", "")).splitlines() if line.strip()]
            context = "\n".join(screen[-8:])
            return f"{question}\n{context}" if context and question not in context else context or question
        return ", ".join(f"{k}={v!r}" for k, v in sorted(self.input.items()))[:500]


@dataclass(frozen=True, slots=True)
class Verdict:
    """One evaluator's judgement of a call. ``rule`` names what fired; ``risk`` is 0-100."""

    action: Action
    reason: str = ""
    rule: str | None = None
    risk: int = 0
    source: str = "policy"
    reasons: tuple[str, ...] = ()
    # How many different people must approve (a rule's ``quorum``; two-person rules).
    quorum: int = 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": self.action.value,
            "rule": self.rule,
            "reason": self.reason,
            "risk": self.risk,
            "source": self.source,
        }


def strictest(verdicts: Iterable[Verdict], *, empty_reason: str) -> Verdict:
    """Combine verdicts strictest-wins (deny > require_approval > allow).

    The highest risk seen is kept whatever verdict wins. With no verdict at all the
    call is not known to be safe, so it needs approval (fail closed).
    """
    chosen: Verdict | None = None
    risk = 0
    for verdict in verdicts:
        risk = max(risk, verdict.risk)
        if chosen is None or verdict.action.strictness > chosen.action.strictness:
            chosen = verdict
    if chosen is None:
        return Verdict(Action.REQUIRE_APPROVAL, reason=empty_reason, source="aegis")
    return replace(chosen, risk=risk) if chosen.risk != risk else chosen


@dataclass(frozen=True)
class Approval:
    """A human decision Aegis is waiting for (or got) about one tool call."""

    id: str
    call_id: str
    session: str
    tool: str
    kind: Kind
    summary: str
    status: ApprovalStatus = ApprovalStatus.PENDING
    rule: str | None = None
    reason: str = ""
    risk: int = 0
    created_at: float = field(default_factory=time.time)
    deadline_at: float = 0.0
    scope: Scope = Scope.ONCE
    decided_by: str | None = None
    channel: str | None = None
    decision_reason: str | None = None
    decided_at: float | None = None
    choices: tuple[str, ...] = ()
    choice: str | None = None
    # Two-person rules: how many different approvers it needs, and who approved so far.
    quorum: int = 1
    votes: tuple[str, ...] = ()
    # Fleet mode: the machine whose agent asked, and its working directory.
    machine: str = ""
    cwd: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "call_id": self.call_id,
            "session": self.session,
            "tool": self.tool,
            "kind": self.kind.value,
            "summary": self.summary,
            "status": self.status.value,
            "rule": self.rule,
            "reason": self.reason,
            "risk": self.risk,
            "created_at": self.created_at,
            "deadline_at": self.deadline_at,
            "scope": self.scope.value,
            "decided_by": self.decided_by,
            "channel": self.channel,
            "decision_reason": self.decision_reason,
            "decided_at": self.decided_at,
            "choices": list(self.choices),
            "choice": self.choice,
            "quorum": self.quorum,
            "votes": list(self.votes),
            "machine": self.machine,
            "cwd": self.cwd,
        }


@dataclass(frozen=True)
class ResolveResult:
    """``won`` is False when the approval had already ended; ``approval`` is then
    its final state (who decided, how), for telling the late answerer."""

    won: bool
    approval: Approval | None
    # Said to whoever answered, beside the outcome ("1 of 2 approvers so far").
    note: str | None = None


@dataclass(frozen=True)
class Decision:
    """An answer to an approval: who gave it, through which channel, and why.
    ``identity`` is who answered as team rules and two-person rules see it
    (``telegram:<id>``, ``cli:<user>@<machine>``); by default ``channel:decided_by``."""

    outcome: Outcome
    decided_by: str
    channel: str
    reason: str = ""
    scope: Scope = Scope.ONCE
    choice: str | None = None
    identity: str | None = None

    @property
    def who(self) -> str:
        if self.identity:
            return self.identity
        return self.decided_by if ":" in self.decided_by else f"{self.channel}:{self.decided_by}"


@dataclass(frozen=True)
class AuditEvent:
    """Something worth recording, before it is chained into the log."""

    event: str
    details: Mapping[str, Any] = field(default_factory=dict, hash=False)
    session: str | None = None
    time: float = field(default_factory=time.time)


@dataclass(frozen=True)
class AuditRecord:
    """One line of the audit log: an event with its place in the hash chain."""

    seq: int
    time: float
    event: str
    session: str | None
    details: Mapping[str, Any] = field(hash=False)
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class AgentInput:
    """What an adapter received from the agent, as it came, before ``intercept`` turns
    it into a ToolCall. ``payload`` is the agent's own JSON (for Claude Code, the hook
    input)."""

    adapter: str
    payload: Mapping[str, Any] = field(hash=False)
    session: str = ""
    received_at: float = field(default_factory=time.time)
