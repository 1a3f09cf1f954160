"""Entry point of the PTY adapter plugin: the ``pty`` adapter, the built-in prompt
detectors, and the ``intercept`` of the prompts it relays."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aegis_core.config import ConfigSection, Setting
from aegis_core.hookspecs import hookimpl
from aegis_core.models import AgentInput, Kind, ToolCall
from aegis_pty.adapter import PtyAdapter
from aegis_pty.detectors import builtin_detectors

SECTION = ConfigSection(
    "pty",
    (Setting("idle_ms", "int", 300, minimum=10,
             help="quiet time before a prompt on screen is relayed"),),
)
MEANINGS = frozenset({"approve", "deny", "other"})


@hookimpl
def register_config_sections(register: Any) -> None:
    register(SECTION)


@hookimpl
def register_adapters(register: Any) -> None:
    register(PtyAdapter())


@hookimpl
def register_prompt_detectors(register: Any) -> None:
    for detector in builtin_detectors():
        register(detector)


@hookimpl
def intercept(agent_input: AgentInput) -> ToolCall | None:
    if agent_input.adapter != "pty":
        return None
    payload = agent_input.payload
    question = payload.get("question")
    if not isinstance(question, str) or not question.strip():
        raise ValueError("a pty prompt needs a non-empty 'question'")
    return ToolCall(
        agent="pty",
        tool="prompt",
        kind=Kind.PROMPT,
        input={
            "question": question,
            "screen": _text(payload, "screen"),
            "choices": _choices(payload.get("choices")),
            "program": _text(payload, "program"),
        },
        cwd=_text(payload, "cwd"),
        session=agent_input.session,
        hook_event="Prompt",
        terminal="keyboard",  # the relay watches the keyboard: the human may answer there
    )


def _text(payload: Mapping[str, Any], key: str) -> str:
    value = payload.get(key, "")
    if not isinstance(value, str):
        raise ValueError(f"a pty prompt's '{key}' must be text")
    return value


def _choices(value: Any) -> list[dict[str, str]]:
    if not isinstance(value, list):
        raise ValueError("a pty prompt's 'choices' must be a list")
    out = []
    for item in value:
        if not isinstance(item, Mapping) or not all(
                isinstance(item.get(k), str) for k in ("label", "keys")):
            raise ValueError("each pty choice needs text 'label' and 'keys'")
        meaning = item.get("meaning", "other")
        out.append({"label": item["label"], "keys": item["keys"],
                    "meaning": meaning if meaning in MEANINGS else "other"})
    return out
