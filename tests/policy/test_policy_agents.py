"""One policy for every agent: the agents' own tool names match each other's in rules,
and what an adapter extracted (the files an apply_patch touches, the URLs in a prompt)
is judged like the same path or URL given directly."""

from __future__ import annotations

import pytest
from policy_support import PROJECT

from aegis_core.models import Action, Kind, ToolCall
from aegis_core.policy import default_policy, policy_from_text
from aegis_core.tools import kind_of, tool_matches


@pytest.mark.parametrize("pattern, tool, kind", [
    ("Bash", "run_shell_command", Kind.SHELL),
    ("run_shell_command", "Bash", Kind.SHELL),
    ("Bash", "exec_command", Kind.SHELL),
    ("bash", "run_shell_command", Kind.SHELL),
    ("Write", "write_file", Kind.WRITE),
    ("Edit", "replace", Kind.EDIT),
    ("Edit", "apply_patch", Kind.WRITE),
    ("Read", "read_many_files", Kind.READ),
    ("WebFetch", "web_fetch", Kind.FETCH),
    ("Grep", "grep_search", Kind.SEARCH),
    ("Grep", "search_file_content", Kind.SEARCH),
    ("mcp__github__*", "mcp__github__push", Kind.MCP),
])
def test_a_tool_name_matches_its_counterparts_in_other_agents(pattern: str, tool: str, kind: Kind) -> None:
    assert tool_matches(pattern, tool, kind)


@pytest.mark.parametrize("pattern, tool, kind", [
    ("Bash", "write_file", Kind.WRITE),
    ("Write", "replace", Kind.EDIT),  # writing a file and editing one stay distinct
    ("Grep", "glob", Kind.SEARCH),
    ("WebFetch", "google_web_search", Kind.SEARCH),
    ("mcp__github__*", "mcp__gitlab__push", Kind.MCP),
])
def test_different_tools_do_not_match(pattern: str, tool: str, kind: Kind) -> None:
    assert not tool_matches(pattern, tool, kind)


@pytest.mark.parametrize("tool, kind", [
    ("run_shell_command", Kind.SHELL), ("exec_command", Kind.SHELL), ("write_file", Kind.WRITE),
    ("replace", Kind.EDIT), ("read_many_files", Kind.READ), ("google_web_search", Kind.SEARCH),
    ("list_directory", Kind.SEARCH), ("glob", Kind.SEARCH), ("web_fetch", Kind.FETCH),
    ("write_todos", Kind.OTHER), ("mcp__s__t", Kind.MCP),
])
def test_kinds_of_the_agents_tools(tool: str, kind: Kind) -> None:
    assert kind_of(tool) is kind


POLICY = """
[policy]
default_action = "allow"

[[policy.rules]]
name = "no-shell-rm"
match = { tool = "Bash", command_pattern = "^rm " }
action = "deny"
priority = 1
"""


def test_a_rule_written_for_claude_judges_gemini_and_codex_alike() -> None:
    policy = policy_from_text(POLICY)
    for tool in ("Bash", "run_shell_command", "exec_command"):
        call = ToolCall(agent="x", tool=tool, kind=Kind.SHELL, input={"command": "rm x"}, cwd=PROJECT)
        assert policy.evaluate(call).action is Action.DENY, tool


def test_extracted_files_are_judged_like_a_path_given_directly() -> None:
    policy = default_policy()
    direct = ToolCall(agent="claude", tool="Write", kind=Kind.WRITE, input={"file_path": "~/.bashrc"},
                      cwd=PROJECT)
    patched = ToolCall(agent="codex", tool="apply_patch", kind=Kind.WRITE,
                       input={"command": "*** Begin Patch\n..."}, cwd=PROJECT,
                       files=(f"{PROJECT}/src/a.py", "~/.bashrc"))
    inside = ToolCall(agent="codex", tool="apply_patch", kind=Kind.EDIT, input={"command": "..."},
                      cwd=PROJECT, files=(f"{PROJECT}/src/a.py",))
    assert policy.evaluate(direct).action is not Action.ALLOW
    assert policy.evaluate(patched).action is policy.evaluate(direct).action
    assert policy.evaluate(inside).action is Action.ALLOW


def test_every_extracted_url_is_judged() -> None:
    policy = default_policy()
    public = ToolCall(agent="gemini", tool="web_fetch", kind=Kind.FETCH, input={"prompt": "read it"},
                      cwd=PROJECT, urls=("https://example.com/a",))
    mixed = ToolCall(agent="gemini", tool="web_fetch", kind=Kind.FETCH, input={"prompt": "read them"},
                     cwd=PROJECT, urls=("https://example.com/a", "http://169.254.169.254/latest/meta-data"))
    assert policy.evaluate(public).action is Action.ALLOW
    assert policy.evaluate(mixed).action is not Action.ALLOW
