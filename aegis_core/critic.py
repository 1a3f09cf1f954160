"""The built-in critic: a second look at a verdict with the session's history, for
what one call alone does not show. It only escalates an allow to require_approval:

- rapid fire: many risky calls in a few seconds (a runaway loop);
- probing: the agent keeps trying after the policy denied it (different spellings
  of one thing);
- odd shapes: huge inputs, control characters, NUL bytes in what should be text.

Only risky calls count, and only a risky call is escalated: an agent reading and
searching in parallel makes dozens of routine calls a second, and a routine call is
no more dangerous after a burst. A deny given by a person (or an approval nobody
answered) is the user's answer, not the agent probing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from aegis_core.hookspecs import hookimpl
from aegis_core.models import Action, Kind, ToolCall, Verdict

RISKY = 30  # an allowed call with at least this risk counts as risky
RAPID_CALLS = 10  # risky calls ... (the history critique sees holds at most 50)
RAPID_SECONDS = 10.0  # ... within this many seconds
PROBE_DENIES = 3  # denies by the policy among the last PROBE_WINDOW calls
PROBE_WINDOW = 6
MAX_TEXT = 100_000  # characters in one input value
# Verdict.source of a deny that came from an approval: a person's answer, or nobody's.
ANSWERED = "approval"


def risky(verdict: Verdict) -> bool:
    """Not simply allowed: denied, sent for approval, or allowed with a high risk."""
    return verdict.action is not Action.ALLOW or verdict.risk >= RISKY


def _escalate(rule: str, reason: str, risk: int) -> Verdict:
    return Verdict(Action.REQUIRE_APPROVAL, reason=reason, rule=rule, risk=risk, source="critic")


def _strings(value: Any, depth: int = 0) -> Iterable[str]:
    if depth > 10:
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item, depth + 1)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item, depth + 1)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# What a write or an edit puts into a file: data, judged by where it goes (the path),
# so a large file is not odd in itself.
_FILE_CONTENT = frozenset({"content", "new_string", "old_string", "new_source", "edits"})


def odd_shape(call: ToolCall) -> str | None:
    """Why the input looks unlike what an agent normally sends, or None."""
    contents = _FILE_CONTENT if call.kind in (Kind.WRITE, Kind.EDIT) else frozenset()
    for key, value in call.input.items():
        for text in _strings(value):
            if len(text) > MAX_TEXT and key not in contents:
                return f"an input value of {len(text):,} characters"
            if "\x00" in text:
                return "a NUL byte in the input"
            controls = sum(1 for _ in zip(range(9), _CONTROL.finditer(text), strict=False))
            if controls > 8:
                return "more than 8 control characters in the input"
    return None


@hookimpl
def critique(call: ToolCall, verdict: Verdict, recent: Sequence[tuple[ToolCall, Verdict]]) -> Verdict | None:
    if verdict.action is not Action.ALLOW:
        return None  # already stopped or asked: nothing to add
    shape = odd_shape(call)
    if shape:
        return _escalate("critic-odd-input", f"this call carries {shape}; a human should look at it", 60)
    if not risky(verdict):
        return None  # routine work never escalates, however fast it comes
    window = [c for c, v in recent if call.received_at - c.received_at <= RAPID_SECONDS and risky(v)]
    if len(window) >= RAPID_CALLS:
        return _escalate("critic-rapid-fire",
                         f"{len(window)} risky calls in the last {RAPID_SECONDS:g} s looks like a runaway loop", 50)
    last = recent[-PROBE_WINDOW:]
    denies = sum(1 for _, v in last if v.action is Action.DENY and v.source != ANSWERED)
    if denies >= PROBE_DENIES:
        return _escalate("critic-after-denies",
                         f"{denies} of the last {len(last)} calls were denied; the agent may be trying "
                         "to get around a block, so this one needs a human", 50)
    return None
