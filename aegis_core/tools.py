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
