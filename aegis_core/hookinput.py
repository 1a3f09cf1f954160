"""Reading an agent's hook input, the same way for every hook adapter: the checks every
adapter's ``intercept`` makes before it looks at its own fields, and the one error they
raise. Whatever fails here is a deny with the reason (the daemon's malformed-call
answer), never an allow: an agent's input Aegis cannot read could be anything."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aegis_core.errors import AegisError


class MalformedHookInput(AegisError):
    """An agent sent a hook input Aegis cannot read; the daemon denies the call."""


@dataclass(frozen=True)
class HookFields:
    """The fields Claude Code's hook contract names and Codex CLI and Gemini CLI
    copied: which tool, its arguments, where, which hook event, and the agent's own
    ids of the conversation and of the call ("" when it sends none)."""

    tool: str
    input: Mapping[str, Any]
    cwd: str
    hook_event: str
    agent_session: str
    agent_call_id: str


def hook_object(payload: Any) -> Mapping[str, Any]:
    """The hook input itself, which must be a JSON object."""
    if not isinstance(payload, Mapping):
        raise MalformedHookInput(f"hook input must be a JSON object, got {type(payload).__name__}")
    return payload


def text_fields(payload: Mapping[str, Any], defaults: Mapping[str, str]) -> list[str]:
    """The values of ``defaults``' keys in ``payload`` (the default where absent), each
    of which must be a string."""
    values = []
    for name, default in defaults.items():
        value = payload.get(name, default)
        if not isinstance(value, str):
            raise MalformedHookInput(f"{name} in the hook input must be a string")
        values.append(value)
    return values


def required_text(payload: Mapping[str, Any], key: str, what: str = "hook input") -> str:
    """A field that must be there, a non-empty string (a tool's name, Cursor's event)."""
    value = payload.get(key)
    if not isinstance(value, str) or not value:
        raise MalformedHookInput(f"{what} has no {key}")
    return value


def arguments(tool: str, raw: Any, key: str) -> dict[str, Any]:
    """A tool's arguments given as an object or as the text of one (Copilot's
    ``toolArgs``, Cursor's MCP ``tool_input``); empty text is no arguments."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw) if raw.strip() else {}
        except ValueError as exc:
            raise MalformedHookInput(f"{key} of {tool} is not JSON ({exc})") from None
    if not isinstance(raw, Mapping):
        raise MalformedHookInput(f"{key} of {tool} must be an object, got {type(raw).__name__}")
    return dict(raw)


def hook_fields(payload: Any, default_event: str, *, call_id_key: str | None = "tool_use_id") -> HookFields:
    """The common fields of a Claude-Code-style hook input (Claude Code, Codex CLI,
    Gemini CLI): ``tool_name`` a non-empty string, ``tool_input`` an object, ``cwd``,
    ``hook_event_name`` (``default_event`` when absent), ``session_id`` and the call's
    id (``call_id_key``; None for an agent that sends none) strings.

    :raises MalformedHookInput: naming the first field that is missing or of the wrong type.
    """
    payload = hook_object(payload)
    tool = required_text(payload, "tool_name")
    tool_input = payload.get("tool_input", {})
    if not isinstance(tool_input, Mapping):
        raise MalformedHookInput(f"tool_input of {tool} must be an object, got {type(tool_input).__name__}")
    defaults = {"cwd": "", "hook_event_name": default_event, "session_id": ""}
    if call_id_key is not None:
        defaults[call_id_key] = ""
    cwd, hook_event, agent_session, *call_id = text_fields(payload, defaults)
    return HookFields(tool, tool_input, cwd, hook_event, agent_session, call_id[0] if call_id else "")
