"""Codex CLI's hooks for Aegis, and Codex's hook trust.

Codex runs a hook from its config only once the user trusted it: a ``trusted_hash``
under ``[hooks.state."<source>:<event>:<group>:<hook>"]`` in the user's
``config.toml`` (or a ``-c`` override) must equal the SHA-256 of the hook's
normalised definition. An untrusted hook, and one whose hash is stale, is skipped
*silently*, and a skipped hook guards nothing, so every way Aegis registers its hooks
also writes their trust entry:

- ``aegis wrap codex`` passes the hooks and their trust as ``-c`` overrides (Codex's
  "session flags" layer): nothing in the user's own config changes, and the user's
  other hooks keep needing their own trust (no ``--dangerously-bypass-hook-trust``).
- ``aegis codex install`` merges the hooks into ``hooks.json`` (user or project) and
  writes their trust entries into the user's ``config.toml``, moving the entries of
  the user's own hooks whose position changed.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aegis_core import hooksettings
from aegis_core.errors import ConfigError
from aegis_core.files import write_atomically
from aegis_core.hooksettings import OBSERVE_TIMEOUT_S, HookOwner, hook_command, hook_timeout, iter_hooks

if TYPE_CHECKING:
    import tomlkit

ENCODER = Path(__file__).resolve().with_name("wire.py")
OWNER = HookOwner(("aegis_codex/wire.py",))
GUARDED_EVENTS = ("PreToolUse",)
OBSERVED_EVENTS = ("PostToolUse",)
# How Codex spells each event in trust keys (HookEventName's key label).
EVENT_KEYS = {"PreToolUse": "pre_tool_use", "PostToolUse": "post_tool_use",
              "PermissionRequest": "permission_request"}
# The source Codex gives hooks that come from -c overrides.
SESSION_FLAGS_SOURCE = "/<session-flags>/config.toml"
CODEX_DEFAULT_TIMEOUT_S = 600
SCOPES = ("user", "project")
SHARED_SCOPES = ("project",)  # committed with the project: install refuses it, uninstall cleans it
SCOPE_HELP = ("user: $CODEX_HOME/hooks.json (~/.codex); project: .codex/hooks.json (shared: install refuses "
              "it, since the hooks name this machine's paths; uninstall cleans it)")


# ----------------------------------------------------------------- the hooks


def hooks_block(timeout_s: int, *, python: str | None = None, runner: str | None = None,
                encoder: str | Path = ENCODER, home: str | None = None) -> dict[str, Any]:
    """The hooks, in hooks.json shape: PreToolUse decides every tool call, through
    guard.sh (Codex runs a failed hook's tool); PostToolUse records the outcome.

    :param timeout_s: the timeout Codex enforces on the PreToolUse hook; it covers the
        whole approval wait, since the hook waits for the human's answer.
    :param home: the Aegis home to name in the commands, when not ``~/.aegis``.
    """
    def command(event: str, timeout: int, guarded: bool) -> dict[str, Any]:
        return {"type": "command", "timeout": timeout,
                "command": hook_command(encoder, event, timeout, python=python, runner=runner,
                                        guarded=guarded, home=home)}

    return {"hooks": {
        "PreToolUse": [{"hooks": [command("PreToolUse", int(timeout_s), True)]}],
        "PostToolUse": [{"hooks": [command("PostToolUse", OBSERVE_TIMEOUT_S, False)]}],
    }}


def default_hooks_block(approval_timeout_s: int, *, home: str | None = None) -> dict[str, Any]:
    return hooks_block(hook_timeout(approval_timeout_s), home=home)


# ----------------------------------------------------------------- trust


def trusted_hash(event: str, group: Mapping[str, Any], hook: Mapping[str, Any]) -> str:
    """The hash Codex 0.171 trusts a command hook by: SHA-256 over the canonical JSON
    (sorted keys, no blanks) of ``{event_name, matcher?, hooks: [handler]}``, the
    handler normalised (``timeout`` defaulted, no Windows command)."""
    handler: dict[str, Any] = {
        "type": "command",
        "command": str(hook.get("command", "")),
        "timeout": max(1, int(hook.get("timeout", hook.get("timeout_sec", CODEX_DEFAULT_TIMEOUT_S)))),
        "async": bool(hook.get("async", False)),
    }
    if hook.get("statusMessage") is not None:
        handler["statusMessage"] = hook["statusMessage"]
    identity: dict[str, Any] = {"event_name": EVENT_KEYS.get(event, event), "hooks": [handler]}
    if group.get("matcher") is not None:
        identity["matcher"] = group["matcher"]
    canonical = json.dumps(identity, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def trust_key(source: str, event: str, group: int, index: int) -> str:
    return f"{source}:{EVENT_KEYS.get(event, event)}:{group}:{index}"


def trust_entries(settings: Mapping[str, Any], source: str, owner: HookOwner = OWNER) -> dict[str, str]:
    """``{trust key: trusted hash}`` of our hooks in ``settings`` loaded from ``source``."""
    entries = {}
    for event, g, h, hook in iter_hooks(settings):
        if owner.owns(hook):
            group = settings["hooks"][event][g]
            entries[trust_key(source, event, g, h)] = trusted_hash(event, group, hook)
    return entries


# ----------------------------------------------------------------- aegis wrap codex


def cli_overrides(block: Mapping[str, Any]) -> list[str]:
    """``-c`` arguments that give one Codex run these hooks, already trusted, with hooks
    switched on whatever the user's config says (``[features] hooks = false`` would turn
    them off)."""
    args: list[str] = ["-c", "features.hooks=true"]
    for event, groups in block["hooks"].items():
        args += ["-c", f"hooks.{event}={toml_inline(groups)}"]
    trust = {key: {"trusted_hash": value} for key, value in trust_entries(block, SESSION_FLAGS_SOURCE).items()}
    return [*args, "-c", f"hooks.state={toml_inline(trust)}"]


def toml_inline(value: Any) -> str:
    """``value`` as an inline TOML value (what ``-c key=value`` parses)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a valid TOML basic string
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_inline(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{json.dumps(str(k))} = {toml_inline(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


# ----------------------------------------------------------------- aegis codex install


def codex_home(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    explicit = env.get("CODEX_HOME")
    if explicit:
        return Path(os.path.abspath(os.path.expanduser(explicit)))
    return Path(env.get("HOME") or Path.home()) / ".codex"


def hooks_file(scope: str, *, cwd: Path | None = None, env: Mapping[str, str] | None = None) -> Path:
    if scope == "user":
        return codex_home(env) / "hooks.json"
    if scope == "project":
        return Path(os.path.abspath(cwd or Path.cwd())) / ".codex" / "hooks.json"
    raise ConfigError(f"unknown scope {scope!r}", hint=f"use one of {', '.join(SCOPES)}")


def config_file(env: Mapping[str, str] | None = None) -> Path:
    """The user's config.toml: the only file whose trust entries Codex honours."""
    return codex_home(env) / "config.toml"


def sources(path: Path) -> list[str]:
    """How Codex may spell the hooks file in trust keys: as given, and resolved."""
    return list(dict.fromkeys([str(path), str(path.resolve())]))


def _keys_by_hook(settings: Mapping[str, Any], path: Path) -> dict[int, list[str]]:
    return {id(hook): [trust_key(s, event, g, h) for s in sources(path)]
            for event, g, h, hook in iter_hooks(settings)}


def install(path: Path, block: Mapping[str, Any], config: Path) -> tuple[bool, Path | None]:
    """Merge our hooks into ``path`` (a hooks.json) and trust them in ``config``.
    Returns (changed, backup of the hooks file)."""
    current = hooksettings.read_settings(path)
    wanted = hooksettings.merged(current, block, OWNER)
    moved, dropped = _rekey(current, wanted, path)
    ours = {key: value for s in sources(path) for key, value in trust_entries(wanted, s).items()}
    changed_config = update_trust(config, set_entries=ours, moves=moved, drop=dropped)
    if wanted == current and path.exists():
        return changed_config, None
    return True, hooksettings.write_settings(path, wanted)


def uninstall(path: Path, config: Path) -> tuple[bool, list[Path]]:
    """Remove our hooks (only those) from ``path`` and their trust entries from ``config``,
    and every trace of Aegis with them: a hooks file or config left empty that Aegis
    created is deleted, and the backups install made. Returns (changed, paths removed)."""
    if not path.exists():
        return False, []
    current = hooksettings.read_settings(path)
    wanted = hooksettings.without_ours(current, OWNER)
    moved, dropped = _rekey(current, wanted, path)
    changed_config = update_trust(config, set_entries={}, moves=moved, drop=dropped, keep_original=False)
    removed: list[Path] = []
    if changed_config:
        if not config.read_text(encoding="utf-8").strip() and not hooksettings.backup_path(config).exists():
            config.unlink()  # Aegis made it, for its trust entries alone
            removed.append(config)
        removed += hooksettings.remove_backups(config)
    changed, gone = hooksettings.uninstall(path, OWNER)
    return changed or changed_config, [*gone, *removed]


def _rekey(current: Mapping[str, Any], wanted: Mapping[str, Any],
           path: Path) -> tuple[dict[str, str], set[str]]:
    """Trust keys to move (old -> new) for the user's hooks whose position changes, and
    keys to drop (every old position of ours, which may now name another hook)."""
    before, after = _keys_by_hook(current, path), _keys_by_hook(wanted, path)
    moves: dict[str, str] = {}
    drop: set[str] = set()
    for *_, hook in iter_hooks(current):
        old = before[id(hook)]
        if OWNER.owns(hook):
            drop.update(old)
        elif id(hook) in after and after[id(hook)] != old:
            moves.update(zip(old, after[id(hook)], strict=True))
    return moves, drop


def read_config(config: Path) -> tomlkit.TOMLDocument:
    # Imported here: `aegis --help` imports this module (for `aegis codex`), and
    # tomlkit costs more than the rest of that command.
    import tomlkit
    import tomlkit.exceptions

    try:
        text = config.read_text(encoding="utf-8")
    except FileNotFoundError:
        return tomlkit.document()
    try:
        return tomlkit.parse(text)
    except tomlkit.exceptions.TOMLKitError as exc:
        raise ConfigError(f"{config} is not valid TOML ({exc}); Aegis left it unchanged",
                          hint="fix the file, then run the command again") from exc


def trust_state(config: Path) -> Mapping[str, Any]:
    """``[hooks.state]`` of the user's config.toml (empty when there is none)."""
    hooks = read_config(config).get("hooks")
    state = hooks.get("state") if isinstance(hooks, Mapping) else None
    return state if isinstance(state, Mapping) else {}


def update_trust(config: Path, *, set_entries: Mapping[str, str], moves: Mapping[str, str],
                 drop: Iterable[str], keep_original: bool = True) -> bool:
    """Edit ``[hooks.state]`` in ``config``, touching only the entries that change and
    keeping every other line as it was (and, with ``keep_original``, a copy of the file
    as it was before Aegis first changed it). Returns whether the file changed."""
    document = read_config(config)
    hooks = document.get("hooks")
    if hooks is not None and not isinstance(hooks, Mapping):
        raise ConfigError(f"{config}: 'hooks' is not a table; Aegis left it unchanged")
    state = hooks.get("state") if hooks is not None else None
    if state is not None and not isinstance(state, Mapping):
        raise ConfigError(f"{config}: 'hooks.state' is not a table; Aegis left it unchanged")
    current = {key: _plain(value) for key, value in (state or {}).items()}
    wanted = dict(current)
    carried = {new: wanted[old] for old, new in moves.items() if old in wanted}
    for key in {*drop, *moves}:
        wanted.pop(key, None)
    wanted.update(carried)
    for key, value in set_entries.items():
        entry = wanted.get(key)
        wanted[key] = {**(entry if isinstance(entry, dict) else {}), "trusted_hash": value}
    if wanted == current:
        return False
    import tomlkit

    if hooks is None:
        hooks = document["hooks"] = tomlkit.table(is_super_table=True)
    if state is None:
        state = hooks["state"] = tomlkit.table(is_super_table=True)
    for key in [k for k in state if k not in wanted]:
        del state[key]
    for key, value in wanted.items():
        if current.get(key) != value:
            table = tomlkit.table()
            table.update(value if isinstance(value, dict) else {"trusted_hash": value})
            state[key] = table
    if not state:
        del hooks["state"]
    if not hooks:
        del document["hooks"]
    if keep_original:
        hooksettings.keep_original(config)
    write_atomically(config, document.as_string(), mode=None if config.exists() else 0o600)
    return True


def _plain(value: Any) -> Any:
    unwrap = getattr(value, "unwrap", None)
    return unwrap() if callable(unwrap) else value


def trust_problem(path: Path, event: str, group: int, index: int, hook: Mapping[str, Any],
                  config: Path | None = None) -> str | None:
    """Why Codex would skip this hook of ours (no trust entry, or a stale one), or None."""
    settings = hooksettings.read_settings(path)
    expected = trusted_hash(event, settings["hooks"][event][group], hook)
    state = trust_state(config or config_file())
    found = [state[k].get("trusted_hash") for k in (trust_key(s, event, group, index) for s in sources(path))
             if isinstance(state.get(k), Mapping)]
    if not found:
        return (f"the {event} hook is not trusted in {config or config_file()}, so Codex skips it "
                "without a word")
    if expected not in found:
        return f"the trust entry of the {event} hook is stale, so Codex skips it without a word"
    return None


def features_problem(config: Path | None = None) -> str | None:
    features = read_config(config or config_file()).get("features")
    if isinstance(features, Mapping) and features.get("hooks") is False:
        return "[features] hooks = false in config.toml turns every hook off"
    return None
