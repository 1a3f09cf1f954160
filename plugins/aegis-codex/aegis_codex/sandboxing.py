"""What Codex CLI needs inside Aegis' sandbox, and how its guard stays on there.

- Aegis' hooks reach Codex as **managed** hooks: the sandbox's own ``/etc/codex/
  config.toml`` (Codex's system layer, whose hooks are managed: they run without a
  trust entry and no user setting can disable them), with ``/etc/codex/
  requirements.toml`` saying ``allow_managed_hooks_only = true``, so no hook the agent
  writes (user, project or session layer) runs beside them. The machine's own files
  there, if any, are kept and Aegis' additions merged in. Both are read-only inside.
- ``$CODEX_HOME`` (default ``~/.codex``) is writable (sessions, history); its
  ``config.toml`` and ``rules`` stay read-only (aegis_core.sandbox.agent_state).
- The CLI's install and the hook client's interpreter are shown read-only.
- An ``OPENAI_API_KEY`` stays outside: the daemon's egress proxy adds it, and Codex,
  which ignores ``OPENAI_BASE_URL``, is pointed at the proxy's stand-in URL with
  ``-c openai_base_url=...``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import tomlkit
import tomlkit.exceptions

from aegis_codex import settings as codex_settings
from aegis_core.adapters import program_root
from aegis_core.hookclient import client_paths, client_protected
from aegis_core.sandbox.plan import SandboxNeeds

MACHINE_DIR = Path("/etc/codex")
# Hosts Codex reaches to work besides a model API whose key the daemon holds: its
# ChatGPT-login API and its sign-in.
VENDOR_HOSTS = ("api.openai.com:443", "chatgpt.com:443", "auth.openai.com:443")


def _machine_document(name: str, machine: Path) -> tomlkit.TOMLDocument:
    try:
        return tomlkit.parse((machine / name).read_text(encoding="utf-8"))
    except (OSError, tomlkit.exceptions.TOMLKitError):
        return tomlkit.document()


def managed_config(approval_timeout_s: int, machine: Path = MACHINE_DIR) -> str:
    """``/etc/codex/config.toml`` inside: the machine's own, with Aegis' hooks added."""
    document = _machine_document("config.toml", machine)
    hooks = document.get("hooks")
    if not isinstance(hooks, Mapping):
        hooks = tomlkit.table(is_super_table=True)
        document["hooks"] = hooks
    for event, groups in codex_settings.default_hooks_block(approval_timeout_s)["hooks"].items():
        existing = hooks.get(event)
        hooks[event] = [*(existing if isinstance(existing, list) else []), *groups]
    return document.as_string()


def requirements(machine: Path = MACHINE_DIR) -> str:
    """``/etc/codex/requirements.toml`` inside: only managed hooks run, and hooks stay on."""
    document = _machine_document("requirements.toml", machine)
    document["allow_managed_hooks_only"] = True
    features = document.get("features")
    if not isinstance(features, Mapping):
        features = tomlkit.table()
        document["features"] = features
    features["hooks"] = True
    return document.as_string()


def needs(executable: str, approval_timeout_s: int, env: Mapping[str, str], *,
          prepare: bool = True) -> SandboxNeeds:
    home = codex_settings.codex_home(env)
    if prepare:
        home.mkdir(mode=0o700, parents=True, exist_ok=True)
    return SandboxNeeds(
        read=(str(program_root(executable)), *client_paths(), str(codex_settings.ENCODER.parent)),
        protect=client_protected(str(codex_settings.ENCODER.parent)),
        write=(str(home),),
        files={str(MACHINE_DIR / "config.toml"): managed_config(approval_timeout_s),
               str(MACHINE_DIR / "requirements.toml"): requirements()},
        network=VENDOR_HOSTS,
    )
