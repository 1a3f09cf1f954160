"""Gemini CLI's hooks for Aegis (its settings.json ``hooks`` block), where Gemini reads
them from, and the per-run settings of ``aegis wrap gemini``.

Gemini reads user settings from ``$GEMINI_CLI_HOME/.gemini/settings.json`` (default
``~/.gemini``). Its system settings file would be the natural per-run override, but
Gemini skips one that is not owned by root in a root-owned, non-writable folder, so an
ordinary user cannot point it at a file of their own. ``aegis wrap gemini`` therefore
runs Gemini with a temporary ``GEMINI_CLI_HOME`` whose ``.gemini`` holds the user's own
settings merged with Aegis' hooks and links to everything else in the real ``~/.gemini``
(credentials, history, extensions), so nothing in the user's files changes.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from aegis_core import hooksettings
from aegis_core.errors import ConfigError
from aegis_core.hooksettings import OBSERVE_TIMEOUT_S, HookOwner, hook_command, hook_timeout

ENCODER = Path(__file__).resolve().with_name("wire.py")
OWNER = HookOwner(("aegis_gemini/wire.py",))
GUARDED_EVENTS = ("BeforeTool",)
OBSERVED_EVENTS = ("AfterTool",)
HOOK_NAME = "aegis"
SCOPES = ("user", "project")
SHARED_SCOPES = ("project",)  # committed with the project: install refuses it, uninstall cleans it
SCOPE_HELP = ("user: ~/.gemini/settings.json ($GEMINI_CLI_HOME); project: .gemini/settings.json (shared: install "
              "refuses it, since the hooks name this machine's paths; uninstall cleans it)")


def hooks_block(timeout_s: int, *, python: str | None = None, runner: str | None = None,
                encoder: str | Path = ENCODER, env: Mapping[str, str] | None = None,
                home: str | None = None) -> dict[str, Any]:
    """The settings that route every Gemini tool call through Aegis: BeforeTool decides
    (through guard.sh: Gemini runs a failed hook's tool), AfterTool records. Gemini's
    timeouts are in milliseconds.

    :param timeout_s: the hook timeout, in seconds; it covers the whole approval wait.
    :param env: variables for the hook (Gemini may redact names with TOKEN, KEY...
        from the environment it passes hooks; a hook's own ``env`` always reaches it).
    :param home: the Aegis home to name in the commands, when not ``~/.aegis``.
    """
    def hook(event: str, timeout: int, guarded: bool) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "type": "command", "name": f"{HOOK_NAME}-{event}", "timeout": timeout * 1000,
            # Gemini runs every hook with `bash -c`: the guard is sourced into that shell.
            "command": hook_command(encoder, event, timeout, python=python, runner=runner, guarded=guarded,
                                    bash=True, home=home),
        }
        if env:
            entry["env"] = dict(env)
        return entry

    return {
        "hooks": {
            "BeforeTool": [{"matcher": "*", "hooks": [hook("BeforeTool", int(timeout_s), True)]}],
            "AfterTool": [{"matcher": "*", "hooks": [hook("AfterTool", OBSERVE_TIMEOUT_S, False)]}],
        },
        # A user (or project) setting that turns hooks off would turn Aegis off.
        "hooksConfig": {"enabled": True},
    }


def default_hooks_block(approval_timeout_s: int, *, env: Mapping[str, str] | None = None,
                        home: str | None = None) -> dict[str, Any]:
    return hooks_block(hook_timeout(approval_timeout_s), env=env, home=home)


def gemini_home(env: Mapping[str, str] | None = None) -> Path:
    """The folder whose ``.gemini`` holds the user's Gemini files."""
    env = os.environ if env is None else env
    explicit = env.get("GEMINI_CLI_HOME")
    return Path(os.path.expanduser(explicit)) if explicit else Path(env.get("HOME") or Path.home())


def settings_file(scope: str, *, cwd: Path | None = None, env: Mapping[str, str] | None = None) -> Path:
    if scope == "user":
        return gemini_home(env) / ".gemini" / "settings.json"
    if scope == "project":
        return (cwd or Path.cwd()) / ".gemini" / "settings.json"
    raise ConfigError(f"unknown scope {scope!r}", hint=f"use one of {', '.join(SCOPES)}")


def install(path: Path, block: Mapping[str, Any]) -> tuple[bool, Path | None]:
    """Merge the hooks into a settings file. ``hooksConfig.enabled`` is written only when
    the file turned hooks off (which would turn Aegis off); otherwise the file is left
    without it, so uninstall leaves no trace."""
    current = hooksettings.read_settings(path)
    config = current.get("hooksConfig")
    if not (isinstance(config, Mapping) and config.get("enabled") is False):
        block = {k: v for k, v in block.items() if k != "hooksConfig"}
    return hooksettings.install(path, block, OWNER)


def uninstall(path: Path) -> tuple[bool, list[Path]]:
    """Remove Aegis' hooks and every trace of Aegis with them (see
    aegis_core.hooksettings.uninstall). ``hooksConfig.enabled`` is left as it is: install
    only set it when the user had turned hooks off."""
    return hooksettings.uninstall(path, OWNER)


def disabled_problem(settings: Mapping[str, Any]) -> str | None:
    """Why Gemini would not run our hooks although they are installed, or None."""
    config = settings.get("hooksConfig")
    if not isinstance(config, Mapping):
        return None
    if config.get("enabled") is False:
        return "hooksConfig.enabled is false, which turns every hook off"
    disabled = config.get("disabled")
    names = {f"{HOOK_NAME}-{event}" for event in (*GUARDED_EVENTS, *OBSERVED_EVENTS)}
    if isinstance(disabled, list) and names & {str(d) for d in disabled}:
        return "hooksConfig.disabled lists Aegis' hook"
    return None


# ----------------------------------------------------------------- aegis wrap gemini


def guarded_settings(block: Mapping[str, Any], user: Mapping[str, Any]) -> dict[str, Any]:
    """The user's settings with ``block``'s hooks merged in and nothing left in them that
    turns those hooks off (``hooksConfig.enabled`` forced on, Aegis' hooks taken out of
    ``hooksConfig.disabled``): what ``aegis wrap gemini`` runs Gemini with."""
    merged = hooksettings.merged(user, block, OWNER)
    config = dict(merged.get("hooksConfig") or {})
    config["enabled"] = True
    disabled = config.get("disabled")
    if isinstance(disabled, list):
        ours = {hook.get("name") for _, _, _, hook in hooksettings.iter_hooks(merged) if OWNER.owns(hook)}
        config["disabled"] = [name for name in disabled if name not in ours]
    merged["hooksConfig"] = config
    return merged


def write_overlay(root: Path, block: Mapping[str, Any], *, env: Mapping[str, str] | None = None) -> Path:
    """Make ``root`` a GEMINI_CLI_HOME for one run: ``root/.gemini/settings.json`` is the
    user's settings with Aegis' hooks merged in (mode 0600), every other entry of the
    user's ``.gemini`` a link to the real one. Returns ``root``."""
    real = gemini_home(env) / ".gemini"
    overlay = root / ".gemini"
    overlay.mkdir(mode=0o700, parents=True, exist_ok=True)
    if real.is_dir():
        for entry in real.iterdir():
            if entry.name != "settings.json":
                (overlay / entry.name).symlink_to(entry)
    user = hooksettings.read_settings(real / "settings.json")
    hooksettings.write_private(overlay / "settings.json", guarded_settings(block, user))
    return root


def remove_overlay(root: Path) -> None:
    """Remove a run's overlay (the links only, never what they point to)."""
    shutil.rmtree(root, ignore_errors=True)
