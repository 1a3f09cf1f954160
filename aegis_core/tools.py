"""Tool names: the agents' own (``Bash``, ``Read``...) and the seed's generic ones
(``bash``, ``read_file``...), and the canonical kind each belongs to."""

from __future__ import annotations

from aegis_core.models import Kind

# Vendor tool name -> canonical kind (Claude Code, Codex CLI, Gemini CLI names).
VENDOR_KINDS: dict[str, Kind] = {
    "Bash": Kind.SHELL,
    "BashOutput": Kind.OTHER,
    "KillShell": Kind.OTHER,
    "shell": Kind.SHELL,
    "run_shell_command": Kind.SHELL,
    "Read": Kind.READ,
    "read_file": Kind.READ,
    "Write": Kind.WRITE,
    "write_file": Kind.WRITE,
    "Edit": Kind.EDIT,
    "MultiEdit": Kind.EDIT,
    "NotebookEdit": Kind.EDIT,
    "edit_file": Kind.EDIT,
    "replace": Kind.EDIT,
    "WebFetch": Kind.FETCH,
    "web_fetch": Kind.FETCH,
    "WebSearch": Kind.SEARCH,
    "web_search": Kind.SEARCH,
    "Grep": Kind.SEARCH,
    "Glob": Kind.SEARCH,
    "LS": Kind.SEARCH,
    "grep": Kind.SEARCH,
    "glob": Kind.SEARCH,
    "bash": Kind.SHELL,
    "prompt": Kind.PROMPT,
    "network": Kind.NETWORK,  # a connection held by Aegis' egress proxy
}

# The seed README's generic names, by kind: a policy rule naming one of them
# matches every vendor tool of that kind.
GENERIC_NAMES: dict[str, Kind] = {
    "bash": Kind.SHELL,
    "shell": Kind.SHELL,
    "read_file": Kind.READ,
    "write_file": Kind.WRITE,
    "edit_file": Kind.EDIT,
    "web_fetch": Kind.FETCH,
    "search": Kind.SEARCH,
    "prompt": Kind.PROMPT,
    "network": Kind.NETWORK,
}


def kind_of(tool: str) -> Kind:
    """The canonical kind of a vendor tool name; ``mcp__server__tool`` is ``mcp``."""
    if tool.startswith("mcp__"):
        return Kind.MCP
    return VENDOR_KINDS.get(tool, Kind.OTHER)


# Input keys whose value Aegis judges, and the kinds that need one of them. A value of
# the wrong type (a list where a path belongs, a number, null) must never read as
# "no path, nothing to judge": the call is malformed and denied.
PATH_KEYS = ("file_path", "path", "notebook_path")
_TEXT_KEYS = (*PATH_KEYS, "command", "url")
_REQUIRED: dict[Kind, tuple[str, ...]] = {
    Kind.SHELL: ("command",),
    Kind.READ: PATH_KEYS,
    Kind.WRITE: PATH_KEYS,
    Kind.EDIT: PATH_KEYS,
    Kind.FETCH: ("url",),
}


def input_problem(kind: Kind, tool_input: object) -> str | None:
    """Why a tool input cannot be judged (wrong types, a required field missing), or None.

    Adapters build ToolCalls from the agent's JSON; this is the one check that the
    fields the policy reads are what they claim to be, whatever the adapter.
    """
    if not isinstance(tool_input, dict):
        return f"the tool input must be an object, got {type(tool_input).__name__}"
    for key in _TEXT_KEYS:
        if key in tool_input and not isinstance(tool_input[key], str):
            return f"{key} must be a string, got {_type_name(tool_input[key])}"
    required = _REQUIRED.get(kind)
    # A shell call with an empty command is the policy's to deny ("nothing to run").
    if required and not any(tool_input.get(key) or (kind is Kind.SHELL and key in tool_input)
                            for key in required):
        return f"a {kind.value} call needs {' or '.join(required)}"
    return None


def _type_name(value: object) -> str:
    return "null" if value is None else type(value).__name__
