"""One grant, every agent: "allow for this session" names what the call does, not which
agent's words it came in, so it lets the same call through whatever the agent."""

from __future__ import annotations

from aegis_core.approvals import call_signature
from aegis_core.models import Kind, ToolCall


def call(agent: str, tool: str, kind: Kind = Kind.SHELL, cwd: str = "/p", **tool_input: object) -> ToolCall:
    return ToolCall(agent=agent, tool=tool, kind=kind, input=tool_input, cwd=cwd, session="s1")


def test_the_same_command_in_the_same_folder_is_one_call_for_every_agent() -> None:
    claude = call("claude", "Bash", command="git push", description="push it")
    codex = call("codex", "Bash", command="git push")
    gemini = call("gemini", "run_shell_command", command="git push", is_background=False)
    assert call_signature(claude) == call_signature(codex) == call_signature(gemini)
    # Gemini's dir_path moves the call (its adapter makes it the cwd): another call.
    moved = call("gemini", "run_shell_command", command="git push", cwd="/p/sub", dir_path="sub")
    assert call_signature(moved) != call_signature(claude)


def test_what_differs_in_substance_stays_apart() -> None:
    base = call("claude", "Bash", command="git push")
    assert call_signature(base) != call_signature(call("claude", "Bash", command="git push --force"))
    assert call_signature(base) != call_signature(call("codex", "Bash", command="git push", cwd="/q"))
    write = call("claude", "Write", Kind.WRITE, file_path="a.txt", content="x")
    gemini_write = call("gemini", "write_file", Kind.WRITE, file_path="a.txt", content="x")
    assert call_signature(write) == call_signature(gemini_write)
    assert call_signature(write) != call_signature(call("gemini", "write_file", Kind.WRITE, file_path="a.txt",
                                                        content="y"))
    patch = ToolCall(agent="codex", tool="apply_patch", kind=Kind.WRITE, input={"command": "p"}, cwd="/p",
                     files=("a.txt",))
    other = ToolCall(agent="codex", tool="apply_patch", kind=Kind.WRITE, input={"command": "p"}, cwd="/p",
                     files=("b.txt",))
    assert call_signature(patch) != call_signature(other)
