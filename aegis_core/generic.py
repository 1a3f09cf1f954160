"""The built-in ``generic`` event format: ``{"tool", "input", "cwd", "agent"}``, the
same shape ``aegis policy test --batch`` reads. For scripts and simple integrations
that have no adapter plugin of their own."""

from __future__ import annotations

from aegis_core.hookspecs import hookimpl
from aegis_core.models import RawEvent, ToolCall
from aegis_core.tools import kind_of


@hookimpl
def intercept(event: RawEvent) -> ToolCall | None:
    if event.adapter != "generic":
        return None
    payload = event.payload
    tool, tool_input = payload.get("tool"), payload.get("input", {})
    if not isinstance(tool, str) or not tool or not isinstance(tool_input, dict):
        raise ValueError("a generic event needs a string 'tool' and an object 'input'")
    return ToolCall(
        agent=str(payload.get("agent") or "generic"),
        tool=tool,
        kind=kind_of(tool),
        input=tool_input,
        cwd=str(payload.get("cwd") or ""),
        session=event.session or str(payload.get("session") or ""),
    )
