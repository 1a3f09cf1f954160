"""Gemini CLI's hook input (BeforeTool / AfterTool JSON) turned into a ToolCall:
``run_shell_command`` runs in ``dir_path`` (relative to ``cwd``); file tools name their
file in ``file_path``; ``read_many_files`` its ``include`` patterns; the search tools
their folder in ``dir_path``; ``web_fetch`` fetches the URLs in its ``prompt``; MCP
tools (``mcp_server_tool``, with ``mcp_context``) become ``mcp__server__tool``, the
spelling every policy uses."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

from aegis_core.hookinput import hook_fields
from aegis_core.models import AgentInput, Kind, ToolCall
from aegis_core.tools import kind_of, mcp_name

ADAPTER = "gemini"
_URL = re.compile(r"""https?://[^\s"'<>()\[\]{}]+""", re.IGNORECASE)
_MCP_NAME = re.compile(r"^mcp_([^_]+)_(.+)$")
# Tools whose dir_path is the folder they read (search tools) or work in (the shell).
_FOLDER_TOOLS = frozenset({"glob", "grep_search", "search_file_content", "list_directory"})


def to_tool_call(agent_input: AgentInput) -> ToolCall | None:
    """The ToolCall in a Gemini CLI hook event; None for other adapters' events.

    :raises MalformedHookInput: a required field is missing or of the wrong type.
    """
    if agent_input.adapter != ADAPTER:
        return None
    fields = hook_fields(agent_input.payload, "BeforeTool", call_id_key=None)
    tool_input, cwd = fields.input, fields.cwd
    tool = _mcp_tool(fields.tool, agent_input.payload.get("mcp_context")) or fields.tool
    kind = kind_of(tool)
    files: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()
    folder = _text(tool_input, "dir_path")
    if kind is Kind.SHELL and folder:
        cwd = os.path.join(cwd, folder) if cwd else folder
    elif tool in _FOLDER_TOOLS:
        files = (folder or cwd or ".",)
    elif tool == "read_many_files":
        files = tuple(_texts(tool_input.get("include"))) or (cwd or ".",)
    elif kind is Kind.FETCH:
        urls = tuple(dict.fromkeys(u.rstrip(".,;:!?") for u in _URL.findall(_text(tool_input, "prompt"))))
    return ToolCall(agent=ADAPTER, tool=tool, kind=kind, input=dict(tool_input), cwd=cwd,
                    session=agent_input.session or fields.agent_session, hook_event=fields.hook_event,
                    files=files, urls=urls, agent_session=fields.agent_session)


def _mcp_tool(tool: str, context: Any) -> str | None:
    """``mcp__server__tool`` for an MCP tool, from ``mcp_context`` or the name itself."""
    if isinstance(context, Mapping):
        server, name = context.get("server_name"), context.get("tool_name")
        if isinstance(server, str) and isinstance(name, str) and server and name:
            return mcp_name(server, name)
    match = _MCP_NAME.match(tool)
    return mcp_name(match.group(1), match.group(2)) if match else None


def _text(tool_input: Mapping[str, Any], key: str) -> str:
    value = tool_input.get(key)
    return value if isinstance(value, str) else ""


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str) and v] if isinstance(value, list) else []
