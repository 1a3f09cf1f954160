"""A tool call an agent wants to make (and what the agent sent, as it came), and the
verdicts on it."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from aegis_core.models.ids import new_id
from aegis_core.models.vocabulary import Action, Kind

# Characters of a write's or an edit's new content a summary shows.
CHANGE_PREVIEW_CHARS = 1200


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
class AgentInput:
    """What an adapter received from the agent, as it came, before ``intercept`` turns
    it into a ToolCall. ``payload`` is the agent's own JSON (for Claude Code, the hook
    input)."""

    adapter: str
    payload: Mapping[str, Any] = field(hash=False)
    session: str = ""
    received_at: float = field(default_factory=time.time)
