"""Shared bits of the approval tests: calls to ask about and a verdict that asks."""

from __future__ import annotations

from aegis_core.models import Action, Kind, ToolCall, Verdict

ASK = Verdict(Action.REQUIRE_APPROVAL, reason="deletes files", rule="rm", risk=70)


def shell(command: str, session: str = "s1", **extra: object) -> ToolCall:
    return ToolCall(
        agent="claude",
        tool="Bash",
        kind=Kind.SHELL,
        input={"command": command, **extra},
        cwd="/work",
        session=session,
    )
