"""The built-in ``generic`` input format: ``{"tool", "input", "cwd", "agent"}``, the
same shape ``aegis policy test --batch`` reads. For scripts and simple integrations
that have no adapter plugin of their own.

Optional keys, for integrations whose agent has its own permission dialog:
``"hook_event"`` (``PreToolUse`` by default; ``PermissionRequest`` while the dialog is
open, ``PostToolUse`` after the call ran), ``"agent_call_id"`` and
``"agent_session"`` (the agent's ids, which join the records of one call), and
``"terminal"``: ``"dialog"`` when, told "ask", the agent shows its own dialog."""

from __future__ import annotations

from aegis_core.hookspecs import hookimpl
from aegis_core.models import AgentInput, ToolCall
from aegis_core.tools import kind_of

TERMINALS = ("", "dialog", "keyboard")


@hookimpl
def intercept(agent_input: AgentInput) -> ToolCall | None:
    if agent_input.adapter != "generic":
        return None
    payload = agent_input.payload
    tool, tool_input = payload.get("tool"), payload.get("input", {})
    if not isinstance(tool, str) or not tool or not isinstance(tool_input, dict):
        raise ValueError("a generic input needs a string 'tool' and an object 'input'")
    optional = {key: payload.get(key, default) for key, default in
                (("hook_event", "PreToolUse"), ("agent_call_id", ""), ("agent_session", ""), ("terminal", ""))}
    if not all(isinstance(value, str) for value in optional.values()) or optional["terminal"] not in TERMINALS:
        raise ValueError("a generic input's 'hook_event', 'agent_call_id' and 'agent_session' must be "
                         "strings and its 'terminal' one of '', 'dialog', 'keyboard'")
    return ToolCall(
        agent=str(payload.get("agent") or "generic"),
        tool=tool,
        kind=kind_of(tool),
        input=tool_input,
        cwd=str(payload.get("cwd") or ""),
        session=agent_input.session or str(payload.get("session") or ""),
        **optional,
    )
