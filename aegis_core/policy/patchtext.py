"""The text a patch puts into each file it touches (Codex's ``apply_patch`` envelope,
``*** Begin Patch`` ... ``*** End Patch``): the lines it adds, per file, so what a
patch writes is judged as a Write or an Edit of that file with that text would be
(secrets sent away, agent instructions that steer, code that runs later). The files
themselves are named by the agent's adapter (``ToolCall.files``); this only reads the
content, and a text that is not such a patch yields nothing."""

from __future__ import annotations

from typing import Any

from aegis_core.models import Kind, ToolCall

MAX_PATCH_CHARS = 512 * 1024
_BEGIN = "*** Begin Patch"
_FILE_OPS = (("*** Add File: ", "add"), ("*** Update File: ", "update"), ("*** Delete File: ", "delete"),
             ("*** Move to: ", "move"))


def patch_text(call_input: Any) -> str | None:
    """The patch a call's input carries, or None."""
    if not hasattr(call_input, "get"):
        return None
    for key in ("command", "patch", "input"):
        value = call_input.get(key)
        if isinstance(value, list):  # ["apply_patch", "*** Begin Patch..."]
            value = next((v for v in value if isinstance(v, str) and _BEGIN in v), None)
        if isinstance(value, str) and _BEGIN in value[:4096]:
            return value[:MAX_PATCH_CHARS]
    return None


def patched_files(patch: str) -> list[tuple[str, str, str]]:
    """(file as named in the patch, the text it adds, the text it removes) for each file
    the patch adds or updates, in order; a file added is all added text."""
    out: list[tuple[str, list[str], list[str]]] = []
    current: tuple[str, list[str], list[str]] | None = None
    for line in patch.splitlines():
        stripped = line.strip()
        op = next(((name, stripped[len(prefix):].strip()) for prefix, name in _FILE_OPS
                   if stripped.startswith(prefix)), None)
        if op is not None:
            name, path = op
            if name == "move" and current is not None:
                current = (path, current[1], current[2])
                out[-1] = current
            elif name in ("add", "update") and path:
                current = (path, [], [])
                out.append(current)
            else:
                current = None
            continue
        if current is None or stripped.startswith("***"):
            continue
        if line.startswith("+"):
            current[1].append(line[1:])
        elif line.startswith("-"):
            current[2].append(line[1:])
    return [(path, "\n".join(added) + ("\n" if added else ""), "\n".join(removed)) for path, added, removed in out]


def patch_writes(call: ToolCall) -> list[ToolCall]:
    """A Write (a file the patch adds) or an Edit (one it updates) per file, carrying
    the text the patch puts there, for the policy to judge as such."""
    patch = patch_text(call.input)
    if patch is None:
        return []
    calls: list[ToolCall] = []
    adds = {line.strip()[len("*** Add File: "):].strip() for line in patch.splitlines()
            if line.strip().startswith("*** Add File: ")}
    for path, added, removed in patched_files(patch):
        if not added.strip():
            continue
        if path in adds:
            tool, kind, tool_input = "Write", Kind.WRITE, {"file_path": path, "content": added}
        else:
            tool, kind, tool_input = "Edit", Kind.EDIT, {"file_path": path, "old_string": removed,
                                                          "new_string": added}
        calls.append(ToolCall(agent=call.agent, tool=tool, kind=kind, input=tool_input, cwd=call.cwd,
                              session=call.session))
    return calls
