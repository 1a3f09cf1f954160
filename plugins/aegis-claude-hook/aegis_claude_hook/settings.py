"""The Claude Code ``hooks`` block that routes every tool call through Aegis, and the
idempotent install/uninstall of that block into Claude Code's settings files."""

from __future__ import annotations

import json
import os
import shlex
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from aegis_core.errors import ConfigError

CLIENT = Path(__file__).resolve().with_name("client.py")
GUARDED_EVENTS = ("PreToolUse",)
OBSERVED_EVENTS = ("PostToolUse",)
SCOPES = ("user", "project", "local")
# A hook is Aegis' own if its command runs this file: how uninstall tells ours apart.
CLIENT_MARKER = "aegis_claude_hook/client.py"
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


def hook_command(python: str, client: str, event: str, timeout_s: int, home: str | None = None) -> str:
    extra = [f"--home={home}"] if home else []
    return shlex.join([python, "-I", "-S", client, event, str(client_deadline(timeout_s)), *extra])


def hooks_settings(python: str, client: str, timeout_s: int, *, home: str | None = None) -> dict[str, Any]:
    """The settings object for ``claude --settings`` (or to merge into a settings file).

    :param python: absolute path of the interpreter that runs the client.
    :param client: absolute path of ``aegis_claude_hook/client.py``.
    :param timeout_s: the hook timeout Claude Code enforces, in seconds.
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
                        "command": hook_command(python, client, event, timeout_s, home),
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


def installed_home(config: Any) -> str | None:
    """The Aegis home to write into hooks installed outside ``aegis wrap``: None when it
    is ``~/.aegis``, where the hook looks anyway (the hook finds the agent socket in
    the home, so ``[daemon] socket``, which moves only the operator socket, needs
    nothing)."""
    from aegis_core.config import DEFAULT_HOME

    default_home = Path(os.path.expanduser(DEFAULT_HOME)).absolute()
    return str(config.home) if Path(config.home).absolute() != default_home else None


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
    return isinstance(hook, dict) and CLIENT_MARKER in str(hook.get("command", ""))


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


def write_settings(path: Path, data: Mapping[str, Any]) -> Path | None:
    """Write ``data`` atomically, keeping the file's mode; back the old file up first.
    Returns the backup's path (None when there was no file before)."""
    backup = None
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = 0o644
    if path.exists():
        mode = path.stat().st_mode & 0o777
        backup = path.with_name(f"{path.name}.aegis-backup-{time.strftime('%Y%m%d-%H%M%S')}")
        counter = 1
        while backup.exists():
            backup = path.with_name(
                f"{path.name}.aegis-backup-{time.strftime('%Y%m%d-%H%M%S')}-{counter}"
            )
            counter += 1
        backup.write_bytes(path.read_bytes())
        os.chmod(backup, mode)
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
    return backup


def install(path: Path, block: Mapping[str, Any]) -> tuple[bool, Path | None]:
    """Merge Aegis' hooks into the settings file. Returns (changed, backup path)."""
    current = read_settings(path)
    wanted = merged(current, block)
    if wanted == current and path.exists():
        return False, None
    return True, write_settings(path, wanted)


def uninstall(path: Path) -> tuple[bool, Path | None]:
    """Remove Aegis' hooks (only those) from the settings file."""
    if not path.exists():
        return False, None
    current = read_settings(path)
    wanted = without_aegis(current)
    if wanted == current:
        return False, None
    return True, write_settings(path, wanted)
