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
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from aegis_claude_hook import settings as hook_settings
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


def install_root(executable: str) -> Path:
    """The folder to show for the CLI: its ``node_modules`` (the package and the
    platform package beside it), else the executable's own folder."""
    real = Path(os.path.realpath(executable))
    for folder in real.parents:
        if folder.name == "node_modules":
            return folder
    return real.parent


def needs(executable: str, approval_timeout_s: int, env: Mapping[str, str], *, prepare: bool = True) -> SandboxNeeds:
    """What Claude Code needs inside the sandbox. Its folder (writable, its settings
    read-only, ``CLAUDE_CONFIG_DIR`` set) is readied by aegis_core.sandbox.agent_state
    for any adapter; this one makes sure the folder exists."""
    import aegis_core.hookclient
    from aegis_claude_hook.settings import CLIENT
    from aegis_core.sandbox.agent_state import claude_folder

    if prepare:
        claude_folder(env, Path(env.get("HOME") or Path.home())).mkdir(mode=0o700, parents=True, exist_ok=True)
    block = managed_settings(approval_timeout_s)
    client = (str(CLIENT.parent), str(Path(aegis_core.hookclient.__file__).resolve().parent),
              os.path.realpath(sys.executable))
    return SandboxNeeds(
        read=(str(install_root(executable)), os.path.realpath(sys.prefix), os.path.realpath(sys.base_prefix),
              *client[:2]),
        # The hook client (its code and interpreter) stays read-only even where it lies in
        # a writable place (Aegis installed into the project's own venv): edited by the
        # agent, it would answer allow without asking the daemon.
        protect=client,
        files={str(MANAGED_FILE): json.dumps(block, indent=2) + "\n"},
    )
