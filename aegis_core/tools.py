"""Tool names: the agents' own (Claude Code's ``Bash``, Codex's ``apply_patch``, Gemini
CLI's ``run_shell_command``, Copilot CLI's ``view``, Cursor's ``Shell``...) and the
seed's generic ones (``bash``, ``read_file``...), the canonical kind each belongs to, and
which names stand for the same tool, so that one ``policy.toml`` judges every agent alike."""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence

from aegis_core.models import Kind

# Tools that do the same thing under each agent's name. A policy rule naming any of them
# matches all of them: ``tool = "Bash"`` also judges Gemini CLI's ``run_shell_command``.
EQUIVALENT_TOOLS: dict[str, tuple[Kind, tuple[str, ...]]] = {
    # name of the group: (kind, the agents' names for it)
    "shell": (Kind.SHELL, ("Bash", "bash", "shell", "exec_command", "local_shell", "shell_command",
                           "container.exec", "run_shell_command", "terminal", "Shell")),
    "read": (Kind.READ, ("Read", "read_file", "file_read", "view_image", "read_many_files", "NotebookRead",
                         "view")),
    "write": (Kind.WRITE, ("Write", "write_file", "create_file", "create")),
    "edit": (Kind.EDIT, ("Edit", "MultiEdit", "edit_file", "replace", "apply_patch", "NotebookEdit", "edit",
                         "str_replace_editor")),
    "fetch": (Kind.FETCH, ("WebFetch", "web_fetch", "fetch")),
    "web_search": (Kind.SEARCH, ("WebSearch", "web_search", "google_web_search")),
    "grep": (Kind.SEARCH, ("Grep", "grep", "grep_search", "search_file_content")),
    "glob": (Kind.SEARCH, ("Glob", "glob")),
    "list": (Kind.SEARCH, ("LS", "ls", "list_directory")),
}

# Vendor tool name -> canonical kind, for every agent Aegis knows. Bookkeeping tools that
# touch nothing (plans, todos, questions to the user) are OTHER.
VENDOR_KINDS: dict[str, Kind] = {
    name: kind for kind, names in EQUIVALENT_TOOLS.values() for name in names
}
VENDOR_KINDS.update({
    "BashOutput": Kind.OTHER,
    "KillShell": Kind.OTHER,
    "write_stdin": Kind.OTHER,  # Codex: input to a command already judged
    "Delete": Kind.WRITE,  # Cursor: deleting a file is writing it
    "prompt": Kind.PROMPT,
    "network": Kind.NETWORK,  # a connection held by Aegis' egress proxy
})

_GROUP_OF: dict[str, str] = {name: group for group, (_, names) in EQUIVALENT_TOOLS.items() for name in names}

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


def mcp_name(server: str, tool: str) -> str:
    """The one spelling of an MCP tool every policy uses: ``mcp__server__tool``."""
    return f"mcp__{server}__{tool}"


def tool_group(tool: str) -> str:
    """The agent-neutral name of a tool: its group (``shell`` for ``Bash`` and
    ``run_shell_command``), or the name itself when it has no counterparts."""
    return _GROUP_OF.get(tool, tool)


def kind_of(tool: str) -> Kind:
    """The canonical kind of a vendor tool name; ``mcp__server__tool`` is ``mcp``."""
    if tool.startswith("mcp__"):
        return Kind.MCP
    return VENDOR_KINDS.get(tool, Kind.OTHER)


def tool_matches(pattern: str, tool: str, kind: Kind) -> bool:
    """Whether a policy's tool ``pattern`` names ``tool`` (of ``kind``).

    ``bash`` matches every shell tool and ``read_file`` every read (generic names);
    an agent's own name matches its equivalents in other agents (``Bash`` matches
    ``run_shell_command``); globs (``mcp__github__*``) match the name as given.
    """
    if pattern == tool:
        return True
    if pattern in GENERIC_NAMES and GENERIC_NAMES[pattern] is kind:
        return True
    group = _GROUP_OF.get(pattern)
    if group is not None and _GROUP_OF.get(tool) == group:
        return True
    return any(c in pattern for c in "*?[") and fnmatch.fnmatchcase(tool, pattern)


# Input keys whose value Aegis judges, and the kinds that need one of them. A value of
# the wrong type (a list where a path belongs, a number, null) must never read as
# "no path, nothing to judge": the call is malformed and denied.
PATH_KEYS = ("file_path", "path", "notebook_path")
_TEXT_KEYS = (*PATH_KEYS, "command", "url")
_TEXT_KEY_SET = frozenset(_TEXT_KEYS)
_REQUIRED: dict[Kind, tuple[str, ...]] = {
    Kind.SHELL: ("command",),
    Kind.READ: PATH_KEYS,
    Kind.WRITE: PATH_KEYS,
    Kind.EDIT: PATH_KEYS,
    Kind.FETCH: ("url",),
}


def input_problem(kind: Kind, tool_input: object, files: Sequence[str] = (),
                  urls: Sequence[str] = ()) -> str | None:
    """Why a tool input cannot be judged (wrong types, a required field missing), or None.

    Adapters build ToolCalls from the agent's JSON; this is the one check that the
    fields the policy reads are what they claim to be, whatever the adapter. The
    ``files`` and ``urls`` an adapter found in a call (the targets of Codex's
    ``apply_patch``, the URLs in Gemini's ``web_fetch`` prompt) name what it touches
    as well as a ``file_path`` or ``url`` key does.
    """
    if not isinstance(tool_input, dict):
        return f"the tool input must be an object, got {type(tool_input).__name__}"
    # This runs for every call: the input's few keys are looked at, not every known one.
    for key, value in tool_input.items():
        if key in _TEXT_KEY_SET and not isinstance(value, str):
            for known in _TEXT_KEYS:  # the first in _TEXT_KEYS' order, whatever the input's
                if known in tool_input and not isinstance(tool_input[known], str):
                    return f"{known} must be a string, got {_type_name(tool_input[known])}"
    required = _REQUIRED.get(kind)
    if not required or (files and kind in (Kind.READ, Kind.WRITE, Kind.EDIT)) or (urls and kind is Kind.FETCH):
        return None
    # A shell call with an empty command is the policy's to deny ("nothing to run").
    for key in required:
        if tool_input.get(key) or (kind is Kind.SHELL and key in tool_input):
            return None
    return f"a {kind.value} call needs {' or '.join(required)}"


def _type_name(value: object) -> str:
    return "null" if value is None else type(value).__name__
