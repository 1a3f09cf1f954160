"""Registering the shared hook client with an agent: the command line and its timeouts,
the idempotent install/uninstall of a ``hooks`` block into a JSON settings file (the
shape Claude Code, Codex CLI's ``hooks.json`` and Gemini CLI all use), and the doctor
check of what is installed. Each adapter plugin brings only its vendor specifics: file
locations, event names, and what else a healthy hook needs (``onFailure``, trust).

The nested shape: ``{"hooks": {EVENT: [{"matcher": M, "hooks": [{"type": "command",
"command": C, "timeout": T, ...}]}]}}``.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aegis_core.errors import ConfigError, ExitCode
from aegis_core.files import write_atomically
from aegis_core.hookclient import RUNNER, client_argv

if TYPE_CHECKING:
    from aegis_core.config import Config
    from aegis_core.doctor import CheckResult

# Wraps the client for agents that run the tool when a hook fails (Codex CLI, Gemini
# CLI): every outcome but the client's allow or deny becomes a deny (exit 2, a reason).
GUARD = Path(__file__).resolve().parent / "hookclient" / "guard.sh"
# Beyond the approval timeout: time for the daemon to resolve a timed-out approval
# (and the client to answer) before the agent's own timeout fires.
TIMEOUT_SLACK_S = 30
# The timeout of hooks that only record a call that already ran: they never wait for a human.
OBSERVE_TIMEOUT_S = 30


# ----------------------------------------------------------------- timeouts


def hook_timeout(approval_timeout_s: float) -> int:
    """The timeout to register with the agent, in seconds: covers a whole approval wait."""
    return int(approval_timeout_s) + TIMEOUT_SLACK_S


def client_deadline(timeout_s: int) -> int:
    """The client's own deadline, safely below the registered timeout: a hook the agent
    times out is a failure, while the client's own deny carries a reason."""
    return max(1, timeout_s - 5 if timeout_s > 10 else timeout_s // 2)


def guard_deadline(timeout_s: int) -> int:
    """The guard's hard deadline: after the client's own, before the agent's timeout."""
    client = client_deadline(timeout_s)
    return client + max(1, (timeout_s - client) // 2) if timeout_s - client > 1 else client


# ----------------------------------------------------------------- commands


def hook_command(encoder: str | Path, event: str, timeout_s: int, *, python: str | None = None,
                 runner: str | Path | None = None, guarded: bool = False, bash: bool = False,
                 deny_json: str | None = None, home: str | Path | None = None) -> str:
    """The shell command the agent runs for ``event``.

    :param encoder: absolute path of the adapter's ``wire.py``.
    :param timeout_s: the hook timeout the agent enforces, in seconds.
    :param home: the Aegis home when not ``~/.aegis`` (``AEGIS_HOME`` still wins at run
        time, and ``AEGIS_SOCKET`` over both: a wrapped session's own socket).
    :param guarded: wrap the client in guard.sh, for agents that let a failed hook's
        tool run: a crash, a hang past the guard's deadline or any unexpected exit
        becomes exit 2 with a reason, which they treat as a block.
    :param bash: the agent runs every hook command with ``bash -c`` (Gemini CLI), so the
        guard is sourced into that shell (``. guard.sh ...``) instead of starting
        ``/bin/sh`` for it: one process fewer on every tool call. (Not for an agent that
        runs hooks in the user's own shell, which need not read POSIX sh.)
    :param deny_json: with ``guarded``, for an agent that blocks only on a JSON deny on
        stdout and ignores the exit status (Copilot CLI): its deny object with one
        ``%s`` where the reason goes; the guard prints it for every failure.
    """
    python = python or os.path.abspath(sys.executable)
    argv = client_argv(encoder, event, client_deadline(timeout_s), python=python, runner=runner, home=home)
    for label, path in (("python", python), ("client", str(encoder)), ("runner", argv[3])):
        if not os.path.isabs(path):
            raise ConfigError(f"the hook {label} path must be absolute, got {path!r}")
    if guarded:
        json_mode = [f"--deny-json={deny_json}"] if deny_json else []
        argv = ["." if bash else "/bin/sh", str(GUARD), str(guard_deadline(timeout_s)), *json_mode, *argv]
        if bash:  # a guard that cannot be read is a block too (bash names the file on stderr)
            return shlex.join(argv) + " || exit 2"
    return shlex.join(argv)


def command_words(hook: Mapping[str, Any]) -> list[str] | None:
    try:
        return shlex.split(str(hook.get("command", "")))
    except ValueError:
        return None


def command_problem(hook: Mapping[str, Any], *, guarded: bool = False) -> str | None:
    """Why an installed hook of ours would not run the current client, or None."""
    words = command_words(hook)
    if words is None:
        return "the hook command cannot be parsed"
    if not words:
        return "the hook command is empty"
    if guarded:
        if len(words) < 3 or words[0] not in ("/bin/sh", ".") or not words[1].endswith("hookclient/guard.sh"):
            return "the hook is not wrapped in guard.sh, so a crash of the client would let the call run"
        words = words[3:]
        if words and words[0].startswith("--deny-json="):
            words = words[1:]
    if not words or not Path(words[0]).exists():
        return f"the hook's Python {words[0] if words else '(none)'} does not exist"
    scripts = [w for w in words[1:] if w.endswith((".py", ".sh"))]
    if not scripts:
        return "the hook command runs no client"
    for script in scripts:
        if not Path(script).exists():
            return f"the hook client {script} does not exist"
    if not any(script.endswith("aegis_core/hookclient/run.py") for script in scripts):
        return "the hook uses the launcher of an earlier Aegis version"
    return None


# ----------------------------------------------------------------- the hooks block


@dataclass(frozen=True)
class HookOwner:
    """Tells Aegis' hooks apart from the user's: a hook is ours when its command runs
    one of ``markers`` (the adapter's encoder path, and older launchers)."""

    markers: tuple[str, ...]

    def owns(self, hook: Any) -> bool:
        return isinstance(hook, dict) and any(m in str(hook.get("command", "")) for m in self.markers)


def iter_hooks(settings: Mapping[str, Any]) -> Iterator[tuple[str, int, int, dict[str, Any]]]:
    """Every command hook in ``settings``: (event, group index, hook index, hook)."""
    hooks = settings.get("hooks")
    if not isinstance(hooks, dict):
        return
    for event, groups in hooks.items():
        for g, group in enumerate(groups if isinstance(groups, list) else []):
            inner = group.get("hooks") if isinstance(group, dict) else None
            for h, hook in enumerate(inner if isinstance(inner, list) else []):
                if isinstance(hook, dict):
                    yield str(event), g, h, hook


def without_ours(settings: Mapping[str, Any], owner: HookOwner) -> dict[str, Any]:
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
                inner = [h for h in group["hooks"] if not owner.owns(h)]
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


def merged(settings: Mapping[str, Any], block: Mapping[str, Any], owner: HookOwner) -> dict[str, Any]:
    """``settings`` with Aegis' hooks replaced by those of ``block`` (appended after the
    user's own, event by event)."""
    result = without_ours(settings, owner)
    hooks = dict(result.get("hooks") or {})
    for event, groups in block["hooks"].items():
        hooks[event] = [*hooks.get(event, []), *groups]
    result["hooks"] = hooks
    for key, value in block.items():  # anything else the block sets (e.g. enable flags)
        if key != "hooks":
            result[key] = _deep_merge(result.get(key), value)
    return result


def _deep_merge(base: Any, extra: Any) -> Any:
    if isinstance(base, dict) and isinstance(extra, dict):
        out = dict(base)
        for key, value in extra.items():
            out[key] = _deep_merge(base.get(key), value)
        return out
    return extra


# ----------------------------------------------------------------- settings files


def read_settings(path: Path) -> dict[str, Any]:
    """A JSON settings file as a dict ({} when missing or empty); ConfigError, with the
    file left alone, when it is not a JSON object."""
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


def keep_original(path: Path) -> Path | None:
    """Before Aegis' first change to ``path``, keep a copy of it (``<name>.aegis-backup``,
    same mode, one per file, never overwritten: it is the state before Aegis). Returns
    the copy's path, or None when there was no file or the copy already exists."""
    candidate = backup_path(path)
    if not path.exists() or candidate.exists():
        return None
    candidate.write_bytes(path.read_bytes())
    os.chmod(candidate, path.stat().st_mode & 0o777)
    return candidate


def write_settings(path: Path, data: Mapping[str, Any]) -> Path | None:
    """Write ``data`` as JSON atomically, keeping the file's mode; the first change keeps
    the original (``keep_original``), whose path is returned (else None)."""
    saved = keep_original(path)
    write_atomically(path, json.dumps(data, indent=2) + "\n")
    return saved


def install(path: Path, block: Mapping[str, Any], owner: HookOwner) -> tuple[bool, Path | None]:
    """Merge Aegis' hooks into the settings file. Returns (changed, backup path)."""
    current = read_settings(path)
    wanted = merged(current, block, owner)
    if wanted == current and path.exists():
        return False, None
    return True, write_settings(path, wanted)


def uninstall(path: Path, owner: HookOwner) -> tuple[bool, list[Path]]:
    """Remove Aegis' hooks (only those) from the settings file, and every trace of Aegis
    with them: a file left holding nothing (``{}``) is deleted, as is a folder that held
    only it, and the backups install made. Returns (changed, the paths removed)."""
    if not path.exists():
        return False, []
    current = read_settings(path)
    wanted = without_ours(current, owner)
    if wanted == current:
        return False, []
    removed: list[Path] = []
    if wanted:
        write_atomically(path, json.dumps(wanted, indent=2) + "\n")
    else:
        path.unlink()
        removed.append(path)
        with suppress(OSError):  # only when empty: it may hold the user's other files
            path.parent.rmdir()
            removed.append(path.parent)
    removed += remove_backups(path)
    return True, removed


def remove_backups(path: Path) -> list[Path]:
    """Delete the backups install made of ``path``; returns them."""
    found = sorted(path.parent.glob(path.name + BACKUP_SUFFIX + "*")) if path.parent.is_dir() else []
    for backup in found:
        backup.unlink(missing_ok=True)
    return found


def write_private(path: Path, data: Mapping[str, Any]) -> Path:
    """A per-session settings file, owner-only (``aegis wrap``)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        os.fchmod(handle.fileno(), 0o600)
        json.dump(data, handle, indent=2)
        handle.write("\n")
    return path


# ----------------------------------------------------------------- doctor


@dataclass(frozen=True)
class InstalledHooksCheck:
    """``aegis doctor``: do the Aegis hooks installed in an agent's settings files run
    the current client (a deleted virtualenv leaves hooks that fail, and a failed hook
    is an allow for most agents), and does each carry what the agent needs to block
    on failure? The plugin says where to look and what else to require."""

    name: str
    agent: str  # "Codex CLI", for messages
    owner: HookOwner
    files: Callable[[], Iterable[tuple[str, Path]]]  # (scope, path) to inspect
    reinstall: str  # the command that fixes it, e.g. "aegis codex install --scope <scope>"
    guarded_events: tuple[str, ...] = ()  # events whose hook must run under guard.sh
    extra_problem: Callable[[Path, str, int, int, dict[str, Any]], str | None] | None = None
    repair: Callable[[Config, Path], None] | None = None
    category: str = field(default="environment")

    def run(self, config: Config) -> CheckResult:
        from aegis_core.doctor import CheckResult

        problems: list[str] = []
        broken: list[Path] = []
        installed: list[str] = []
        for scope, path in self.files():
            if not path.exists():
                continue
            try:
                data = read_settings(path)
            except Exception as exc:  # a check reports, it does not crash
                problems.append(f"{path}: unreadable ({exc})")
                continue
            for event, g, h, hook in iter_hooks(data):
                if not self.owner.owns(hook):
                    continue
                installed.append(scope)
                issue = command_problem(hook, guarded=event in self.guarded_events)
                if issue is None and self.extra_problem is not None:
                    issue = self.extra_problem(path, event, g, h, hook)
                if issue:
                    problems.append(f"{path}: {issue}")
                    broken.append(path)
        if problems:
            fixer = None
            if broken and self.repair is not None:
                repair = self.repair

                def fixer() -> str:
                    for path in dict.fromkeys(broken):
                        repair(config, path)
                    return "rewrote the Aegis hooks in " + ", ".join(map(str, dict.fromkeys(broken)))

            return CheckResult(self.name, "fail", "; ".join(problems), fix=f"reinstall them: {self.reinstall}",
                               fixer=fixer, code=ExitCode.DEPENDENCY)
        if not installed:
            return CheckResult(self.name, "pass", f"no Aegis hooks installed in {self.agent} settings "
                               "(aegis wrap passes its own)")
        where = ", ".join(sorted(set(installed)))
        return CheckResult(self.name, "pass", f"hooks installed ({where}) point at an existing client")


__all__ = [
    "BACKUP_SUFFIX", "GUARD", "OBSERVE_TIMEOUT_S", "RUNNER", "HookOwner", "InstalledHooksCheck", "backup_path",
    "client_deadline", "command_problem", "guard_deadline", "hook_command", "hook_timeout", "install", "iter_hooks",
    "keep_original", "merged", "read_settings", "remove_backups", "uninstall", "without_ours",
    "write_private", "write_settings",
]
