"""The hook-input checks every hook adapter shares (aegis_core.hookinput): each way a
field can be wrong is a MalformedHookInput that names the field, never a call read
with a guess."""

from __future__ import annotations

import pytest

from aegis_core.hookinput import MalformedHookInput, arguments, hook_fields, hook_object, required_text

GOOD = {"tool_name": "Bash", "tool_input": {"command": "ls"}, "cwd": "/w", "hook_event_name": "PreToolUse",
        "session_id": "s1", "tool_use_id": "t1"}


def test_fields_of_a_good_input() -> None:
    fields = hook_fields(GOOD, "PreToolUse")
    assert (fields.tool, dict(fields.input), fields.cwd, fields.hook_event, fields.agent_session,
            fields.agent_call_id) == ("Bash", {"command": "ls"}, "/w", "PreToolUse", "s1", "t1")


def test_defaults_when_optional_fields_are_absent() -> None:
    fields = hook_fields({"tool_name": "read_file"}, "BeforeTool", call_id_key=None)
    assert (dict(fields.input), fields.cwd, fields.hook_event, fields.agent_session, fields.agent_call_id) == (
        {}, "", "BeforeTool", "", "")


@pytest.mark.parametrize(("payload", "named"), [
    ([], "JSON object"),
    ("Bash", "JSON object"),
    (None, "JSON object"),
    ({**GOOD, "tool_name": ""}, "tool_name"),
    ({**GOOD, "tool_name": 7}, "tool_name"),
    ({k: v for k, v in GOOD.items() if k != "tool_name"}, "tool_name"),
    ({**GOOD, "tool_input": "ls"}, "tool_input"),
    ({**GOOD, "tool_input": ["ls"]}, "tool_input"),
    ({**GOOD, "cwd": None}, "cwd"),
    ({**GOOD, "cwd": ["/"]}, "cwd"),
    ({**GOOD, "hook_event_name": 1}, "hook_event_name"),
    ({**GOOD, "session_id": {"id": 1}}, "session_id"),
    ({**GOOD, "tool_use_id": 5}, "tool_use_id"),
])
def test_each_malformed_field_is_named(payload: object, named: str) -> None:
    with pytest.raises(MalformedHookInput, match=named):
        hook_fields(payload, "PreToolUse")


def test_an_agent_without_call_ids_ignores_that_field() -> None:
    assert hook_fields({**GOOD, "tool_use_id": 5}, "BeforeTool", call_id_key=None).agent_call_id == ""


def test_required_text_and_object() -> None:
    assert required_text({"toolName": "bash"}, "toolName") == "bash"
    with pytest.raises(MalformedHookInput, match="beforeMCPExecution has no tool_name"):
        required_text({}, "tool_name", "beforeMCPExecution")
    with pytest.raises(MalformedHookInput, match="got list"):
        hook_object([1])


@pytest.mark.parametrize(("raw", "expected"), [
    ({"a": 1}, {"a": 1}), ('{"a": 1}', {"a": 1}), ("", {}), ("  ", {}),
])
def test_arguments_as_object_or_text(raw: object, expected: dict[str, int]) -> None:
    assert arguments("t", raw, "toolArgs") == expected


@pytest.mark.parametrize(("raw", "problem"), [
    ('{"a": ', "toolArgs of t is not JSON"), ("[1]", "must be an object, got list"), (3, "got int"),
])
def test_bad_arguments(raw: object, problem: str) -> None:
    with pytest.raises(MalformedHookInput, match=problem):
        arguments("t", raw, "toolArgs")
