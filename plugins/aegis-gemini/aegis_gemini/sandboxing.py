"""What Gemini CLI needs inside Aegis' sandbox, and how its guard stays on there.

Gemini's system settings (``/etc/gemini-cli/settings.json``) would be the natural
place for Aegis' hooks, but Gemini skips a system settings file that root does not own
with every folder above it, and inside the sandbox's user namespace no file is owned by
root. So inside, the user's own settings file **is** the guard: the sandbox places, read-
only, ``~/.gemini/settings.json`` holding the user's settings with Aegis' hooks merged in
(``hooksConfig.enabled`` forced on, Aegis' hooks out of ``hooksConfig.disabled``); the
rest of ``~/.gemini`` stays writable, and a project's ``.gemini/`` is read-only (the
sandbox protects every agent's project settings), so no settings file the agent could
write outranks it.

The hook's variables come from Gemini's own environment through ``${VAR}`` references,
which Gemini expands when it loads settings: the file names no session or token, and
the hook gets them even where Gemini redacts variables from hooks' environments.

Its API key stays in its environment for now: Gemini sends every request through the
proxy with ``CONNECT`` (undici's proxy agent), and Aegis' egress proxy serves the
stand-in URL that keeps a key outside only to plain-HTTP requests. The model API's host
(``GOOGLE_GEMINI_BASE_URL``'s, else Google's) is reachable through the proxy.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from aegis_core import hooksettings
from aegis_core.adapters import program_root
from aegis_core.hookclient import client_paths, client_protected
from aegis_core.sandbox.plan import SandboxNeeds
from aegis_gemini import settings as gemini_settings

# Hosts Gemini reaches to work besides a model API whose key the daemon holds: the
# Code Assist API and Google sign-in, for users logged in with Google.
VENDOR_HOSTS = ("cloudcode-pa.googleapis.com:443", "oauth2.googleapis.com:443", "accounts.google.com:443")
# What the hook needs from the agent's environment (WrapContext.agent_env), passed in the
# hook's own ``env``: Gemini drops variables named like secrets (``*TOKEN*``), and every
# variable outside its short list when it runs in CI. ``${NAME:-}`` is Gemini's settings
# syntax for "its value, or empty when unset" (the client reads empty as unset).
HOOK_ENV = {name: "${" + name + ":-}" for name in ("AEGIS_SOCKET", "AEGIS_SESSION", "AEGIS_SESSION_TOKEN",
                                                  "AEGIS_DAEMON_PID", "AEGIS_DAEMON_START")}


def model_api_host(env: Mapping[str, str]) -> str:
    """``host:port`` of the Gemini API this run talks to."""
    parts = urlsplit(env.get("GOOGLE_GEMINI_BASE_URL") or "https://generativelanguage.googleapis.com")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    host = parts.hostname or "generativelanguage.googleapis.com"
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def needs(executable: str, approval_timeout_s: int, env: Mapping[str, str], *,
          prepare: bool = True) -> SandboxNeeds:
    folder = gemini_settings.gemini_home(env) / ".gemini"
    if prepare:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    block = gemini_settings.default_hooks_block(approval_timeout_s, env=HOOK_ENV)
    guarded = gemini_settings.guarded_settings(block, hooksettings.read_settings(folder / "settings.json"))
    return SandboxNeeds(
        read=(str(program_root(executable)), *client_paths(), str(gemini_settings.ENCODER.parent)),
        protect=client_protected(str(gemini_settings.ENCODER.parent)),
        write=(str(folder),),
        files={str(folder / "settings.json"): json.dumps(guarded, indent=2) + "\n"},
        network=(model_api_host(env), *VENDOR_HOSTS),
    )


def settings_path(env: Mapping[str, str]) -> Path:
    return gemini_settings.gemini_home(env) / ".gemini" / "settings.json"
