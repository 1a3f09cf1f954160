"""The Claude Code ``hooks`` block that routes every tool call through Aegis, and the
idempotent install/uninstall of that block into Claude Code's settings files."""

from __future__ import annotations

import json
import os
import shlex
import sys
from collections.abc import Mapping
from contextlib import suppress
from pathlib import Path
from typing import Any

from aegis_core.errors import ConfigError
from aegis_core.hookclient import client_argv

# The encoder the shared hook client (aegis_core/hookclient) writes Claude Code's answers with.
CLIENT = Path(__file__).resolve().with_name("wire.py")
# PermissionRequest: sent while Claude Code shows its own dialog, which races the other
# channels; the hook closes the dialog when another channel answers first.
GUARDED_EVENTS = ("PreToolUse", "PermissionRequest")
OBSERVED_EVENTS = ("PostToolUse", "PostToolUseFailure")
SCOPES = ("user", "project", "local")
# A hook is Aegis' own if its command runs one of these files: how uninstall tells ours
# apart (client.py: the launcher of earlier versions).
CLIENT_MARKERS = ("aegis_claude_hook/wire.py", "aegis_claude_hook/client.py")
# Beyond the approval timeout: time for the daemon to resolve a timed-out approval
# (and the client to answer) before Claude Code's own timeout fires.
TIMEOUT_SLACK_S = 30


def hook_timeout(approval_timeout_s: int) -> int:
    """The ``timeout`` to register: covers a full approval wait plus slack."""
    return int(approval_timeout_s) + TIMEOUT_SLACK_S


def client_deadline(timeout_s: int) -> int:
    """The client's own deadline, safely below the registered timeout: a hook that
    Claude Code times out is a failure, the client's deny carries a reason."""
    return max(1, timeout_s - 5 if timeout_s > 10 else timeout_s // 2)


def hook_command(python: str, client: str, event: str, timeout_s: int, runner: str | None = None,
                 home: str | None = None) -> str:
    return shlex.join(client_argv(client, event, client_deadline(timeout_s), python=python, runner=runner,
                                  home=home))


def hooks_settings(python: str, client: str, timeout_s: int, *, runner: str | None = None,
                   home: str | None = None) -> dict[str, Any]:
    """The settings object for ``claude --settings`` (or to merge into a settings file).

    :param python: absolute path of the interpreter that runs the client.
    :param client: absolute path of ``aegis_claude_hook/wire.py`` (the encoder).
    :param timeout_s: the hook timeout Claude Code enforces, in seconds.
    :param runner: the shared client's run.py (default: this installation's).
    :param home: the Aegis home, when not ``~/.aegis`` (``AEGIS_HOME`` still wins at run
        time, and ``AEGIS_SOCKET`` over both: a wrapped session's own socket).
    """
    for label, path in (("python", python), ("client", client)):
        if not os.path.isabs(path):
            raise ConfigError(f"the hook {label} path must be absolute, got {path!r}")
    hooks: dict[str, Any] = {}
    for event in (*GUARDED_EVENTS, *OBSERVED_EVENTS):
        hooks[event] = [
            {
                "matcher": "*",
                "hooks": [
                    {
                        "type": "command",
                        "command": hook_command(python, client, event, timeout_s, runner, home),
                        "timeout": int(timeout_s),
                        # Without it Claude Code runs the tool when the hook crashes or times out.
                        "onFailure": "block",
                    }
                ],
            }
        ]
    return {"hooks": hooks}


def default_hooks_settings(approval_timeout_s: int, *, home: str | None = None) -> dict[str, Any]:
    """``hooks_settings`` for this interpreter and this installed client."""
    return hooks_settings(
        os.path.abspath(sys.executable), str(CLIENT), hook_timeout(approval_timeout_s), home=home
    )


def settings_file(
    scope: str, *, cwd: Path | None = None, env: Mapping[str, str] | None = None
) -> Path:
    """The settings file of a scope: user, project (shared) or local (not committed)."""
    env = os.environ if env is None else env
    cwd = cwd or Path.cwd()
    if scope == "user":
        config_dir = env.get("CLAUDE_CONFIG_DIR")
        base = (
            Path(config_dir).expanduser()
            if config_dir
            else Path(env.get("HOME") or Path.home()) / ".claude"
        )
        return base / "settings.json"
    if scope == "project":
        return cwd / ".claude" / "settings.json"
    if scope == "local":
        return cwd / ".claude" / "settings.local.json"
    raise ConfigError(f"unknown scope {scope!r}", hint=f"use one of {', '.join(SCOPES)}")


def is_aegis_hook(hook: Any) -> bool:
    return isinstance(hook, dict) and any(m in str(hook.get("command", "")) for m in CLIENT_MARKERS)


def without_aegis(settings: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``settings`` with every Aegis hook removed (and groups or events it
    leaves empty); everything else is kept as it was."""
    result = dict(settings)
    hooks = settings.get("hooks")
    if not isinstance(hooks, dict):
        return result
    kept_hooks: dict[str, Any] = {}
    for event, groups in hooks.items():
        if not isinstance(groups, list):
            kept_hooks[event] = groups
            continue
        kept_groups = []
        for group in groups:
            if isinstance(group, dict) and isinstance(group.get("hooks"), list):
                inner = [h for h in group["hooks"] if not is_aegis_hook(h)]
                if not inner and group["hooks"]:
                    continue  # the group held only Aegis hooks
                group = {**group, "hooks": inner}
            kept_groups.append(group)
        if kept_groups or not groups:
            kept_hooks[event] = kept_groups
    if kept_hooks:
        result["hooks"] = kept_hooks
    else:
        result.pop("hooks", None)
    return result


def merged(settings: Mapping[str, Any], block: Mapping[str, Any]) -> dict[str, Any]:
    """``settings`` with Aegis' hooks replaced by those of ``block``."""
    result = without_aegis(settings)
    hooks = dict(result.get("hooks") or {})
    for event, groups in block["hooks"].items():
        hooks[event] = [*hooks.get(event, []), *groups]
    result["hooks"] = hooks
    return result


def read_settings(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    if not text.strip():
        return {}
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ConfigError(
            f"{path} is not valid JSON ({exc}); Aegis left it unchanged",
            hint="fix the file, then run the command again",
        ) from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path} must hold a JSON object; Aegis left it unchanged")
    if "hooks" in data and not isinstance(data["hooks"], dict):
        raise ConfigError(f'{path}: "hooks" must be an object; Aegis left it unchanged')
    return data


BACKUP_SUFFIX = ".aegis-backup"


def backup_path(path: Path) -> Path:
    """Where install keeps the file as it was before Aegis first touched it."""
    return path.with_name(path.name + BACKUP_SUFFIX)


def write_settings(path: Path, data: Mapping[str, Any]) -> Path | None:
    """Write ``data`` atomically, keeping the file's mode. The first change keeps a
    copy of the file as it was (``<name>.aegis-backup``, one per file, never
    overwritten: it is the state before Aegis); returns its path, or None when there
    was no file before or the copy already exists."""
    backup = None
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        candidate = backup_path(path)
        if not candidate.exists():
            candidate.write_bytes(path.read_bytes())
            os.chmod(candidate, path.stat().st_mode & 0o777)
            backup = candidate
    _replace(path, data)
    return backup


def install(path: Path, block: Mapping[str, Any]) -> tuple[bool, Path | None]:
    """Merge Aegis' hooks into the settings file. Returns (changed, backup path)."""
    current = read_settings(path)
    wanted = merged(current, block)
    if wanted == current and path.exists():
        return False, None
    return True, write_settings(path, wanted)


def uninstall(path: Path) -> tuple[bool, list[Path]]:
    """Remove Aegis' hooks (only those) from the settings file, and every trace of
    Aegis with them: a file left holding nothing (``{}``) is deleted, as is a
    ``.claude`` folder that held only it, and the backups install made.
    Returns (changed, the paths removed)."""
    if not path.exists():
        return False, []
    current = read_settings(path)
    wanted = without_aegis(current)
    if wanted == current:
        return False, []
    removed: list[Path] = []
    if wanted:
        _replace(path, wanted)
    else:
        path.unlink()
        removed.append(path)
        with suppress(OSError):  # only when empty: it may hold the user's other files
            path.parent.rmdir()
            removed.append(path.parent)
    for backup in sorted(path.parent.glob(path.name + BACKUP_SUFFIX + "*")):
        backup.unlink(missing_ok=True)
        removed.append(backup)
    return True, removed


def _replace(path: Path, data: Mapping[str, Any]) -> None:
    """Write ``data`` as JSON atomically (a crash never leaves half a file), keeping
    the file's mode."""
    import tempfile  # here: `aegis --help` lists this plugin's commands without it

    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2)
            handle.write("\n")
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
