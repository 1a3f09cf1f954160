"""What Claude Code needs inside Aegis' sandbox, and how its guard stays on there.

- Aegis' hooks reach Claude Code as *managed settings* (``/etc/claude-code/
  managed-settings.json`` in the sandbox's own ``/etc``) with ``allowManagedHooksOnly``:
  no project, local or user settings file the agent writes (``disableAllHooks``
  included) can remove or replace them. An administrator's own managed settings, if the
  machine has any, are kept and Aegis' hooks added to them.
- Claude Code's folder is made to exist; aegis_core.sandbox.agent_state makes it
  writable with ``CLAUDE_CONFIG_DIR`` pointing at it and its settings read-only (for
  whatever adapter runs Claude Code).
- The CLI's own install (outside the system folders when installed with npm into a
  prefix) and the hook client's interpreter are shown read-only.
- Its API key stays outside: the daemon's egress proxy adds it (``model_apis``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from aegis_claude_hook import settings as hook_settings
from aegis_core.adapters import program_root
from aegis_core.sandbox.plan import SandboxNeeds

MANAGED_DIR = Path("/etc/claude-code")
MANAGED_FILE = MANAGED_DIR / "managed-settings.json"


def managed_settings(approval_timeout_s: int, machine: Path = MANAGED_DIR) -> dict[str, Any]:
    """The managed settings file inside: the machine's own (if any) plus Aegis' hooks,
    which only managed settings may define (``allowManagedHooksOnly``)."""
    base: dict[str, Any] = {}
    sources = [machine / "managed-settings.json", *sorted((machine / "managed-settings.d").glob("*.json"))]
    for source in sources:
        try:
            data = json.loads(source.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict):
            base.update(data)
    merged = hook_settings.merged(base, hook_settings.default_hooks_settings(approval_timeout_s))
    merged["allowManagedHooksOnly"] = True
    merged.pop("disableAllHooks", None)  # Aegis' hooks are the guard; nothing may turn them off
    return merged


def needs(executable: str, approval_timeout_s: int, env: Mapping[str, str], *, prepare: bool = True) -> SandboxNeeds:
    """What Claude Code needs inside the sandbox. Its folder (writable, its settings
    read-only, ``CLAUDE_CONFIG_DIR`` set) is readied by aegis_core.sandbox.agent_state
    for any adapter; this one makes sure the folder exists."""
    from aegis_claude_hook.settings import CLIENT
    from aegis_core.hookclient import client_paths, client_protected
    from aegis_core.sandbox.agent_state import claude_folder

    if prepare:
        claude_folder(env, Path(env.get("HOME") or Path.home())).mkdir(mode=0o700, parents=True, exist_ok=True)
    block = managed_settings(approval_timeout_s)
    return SandboxNeeds(
        read=(str(program_root(executable)), *client_paths(), str(CLIENT.parent)),
        protect=client_protected(str(CLIENT.parent)),
        files={str(MANAGED_FILE): json.dumps(block, indent=2) + "\n"},
    )
