"""The agents' own state folders, made ready for a sandbox whatever adapter runs the
agent (its hook adapter, or the PTY relay around any CLI): writable inside, with the
files that configure the agent (and could run code when it next starts, inside Aegis
or not) kept read-only.

Claude Code writes ``~/.claude.json`` atomically next to it (a lock folder, a temporary
file, a rename): in a read-only home that fails, and a bound file cannot be renamed
over. Inside, ``CLAUDE_CONFIG_DIR`` points at its writable folder, where it keeps
``.claude.json`` instead; the first time, that file is seeded from ``~/.claude.json``
so the user's onboarding, trusted projects and answers carry over.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

# Files in each agent's folder that configure it: hooks, settings, MCP servers,
# plugins and extensions run commands the next time the agent starts.
CONFIGURATION: dict[str, tuple[str, ...]] = {
    "claude": ("settings.json", "settings.local.json", "hooks", "plugins", "commands", "agents", "skills",
               "output-styles"),
    "codex": ("config.toml", "rules"),
    "gemini": ("settings.json", "extensions"),
    "cursor": ("mcp.json", "hooks.json", "hooks"),
    "copilot": ("mcp-config.json",),
}
# The main settings file of each agent, made (with what means "nothing set") where the
# agent's folder exists but the file does not: a file that does not exist cannot be
# kept read-only, and written inside it would give the agent commands (MCP servers,
# hooks, Codex's notify) that run the next time the agent starts, outside Aegis too.
DEFAULT_SETTINGS: dict[str, tuple[str, str]] = {
    "claude": ("settings.json", "{}\n"),
    "codex": ("config.toml", ""),
    "gemini": ("settings.json", "{}\n"),
}
# The stand-in key the agent sees when the daemon holds the real one
# (aegis_core.network.endpoints.PLACEHOLDER_KEY; repeated to keep this import-light).
PLACEHOLDER_KEY = "aegis-placeholder-the-real-key-stays-outside-the-sandbox"


# Hosts of an agent's own vendor it reaches to work, beside its model API (whose key
# the daemon holds): Claude Code's CDN serves its model catalogue and official plugins.
VENDOR_HOSTS: dict[str, tuple[str, ...]] = {
    "claude": ("downloads.claude.ai:443",),
}


@dataclass(frozen=True)
class AgentState:
    env: Mapping[str, str] = field(default_factory=dict)
    protect: tuple[str, ...] = ()
    hosts: tuple[str, ...] = ()


def claude_folder(env: Mapping[str, str], home: Path) -> Path:
    explicit = env.get("CLAUDE_CONFIG_DIR")
    return Path(explicit).expanduser() if explicit else home / ".claude"


def prepare(home: Path, env: Mapping[str, str], *, program: str | None = None) -> AgentState:
    """Ready the agents' folders that exist (and that of ``program``, the agent being
    wrapped, when it is a known one); returns the variables to set inside, the paths to
    keep read-only and the vendor hosts ``program`` reaches."""
    out_env: dict[str, str] = {}
    protect: list[str] = []
    agent = known_agent(program)
    claude = claude_folder(env, home)
    if agent == "claude":
        claude.mkdir(mode=0o700, parents=True, exist_ok=True)
    if claude.is_dir():
        _ready_claude(claude, home, env)
        out_env["CLAUDE_CONFIG_DIR"] = str(claude)
        protect += [str(claude / name) for name in CONFIGURATION["claude"]]
    folders = {"codex": Path(env.get("CODEX_HOME") or home / ".codex").expanduser(), "gemini": home / ".gemini",
               "cursor": home / ".cursor", "copilot": home / ".copilot"}
    for name, folder in folders.items():
        if folder.is_dir():
            _default_settings(folder, name)
            protect += [str(folder / entry) for entry in CONFIGURATION[name]]
    return AgentState(out_env, tuple(protect), VENDOR_HOSTS.get(agent or "", ()))


def _default_settings(folder: Path, agent: str) -> None:
    if agent not in DEFAULT_SETTINGS:
        return
    name, content = DEFAULT_SETTINGS[agent]
    settings = folder / name
    if os.path.lexists(settings):
        return
    try:
        fd = os.open(settings, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except OSError:
        return  # made meanwhile (kept as it is), or a folder we cannot write: nothing to protect
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(content)


def known_agent(program: str | None) -> str | None:
    """``claude``, ``codex``, ``gemini`` for their CLIs (by name or installed file)."""
    if not program:
        return None
    for name in (os.path.basename(program), os.path.basename(os.path.realpath(program))):
        stem = name.removesuffix(".exe").removesuffix(".js")
        if stem in ("claude", "codex", "gemini"):
            return stem
    return None


def _ready_claude(folder: Path, home: Path, env: Mapping[str, str]) -> None:
    _default_settings(folder, "claude")
    state, legacy = folder / ".claude.json", home / ".claude.json"
    # The folder is the agent's (writable inside): nothing in it is followed, or a link
    # it left (.claude.json -> /etc/...) would have aegis wrap, perhaps as root, write
    # through it.
    if not os.path.lexists(state) and legacy.is_file() and not legacy.is_symlink():
        _write_new(state, legacy.read_bytes())
    _carry_key_approval(state, env.get("ANTHROPIC_API_KEY"))


def _write_new(path: Path, data: bytes) -> bool:
    """Create ``path`` (0600) holding ``data``; False when anything is there already."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    except OSError:
        return False
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    return True


def _carry_key_approval(state: Path, key: str | None) -> None:
    """The user approved their API key once; inside, Claude Code sees the stand-in key
    (the daemon holds the real one) and would ask again, recommending No. Carry the
    user's answer over to the stand-in."""
    if not key or state.is_symlink() or not state.is_file():
        return
    try:
        fd = os.open(state, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        with os.fdopen(fd, "rb") as handle:
            data = json.loads(handle.read().decode("utf-8"))
    except (OSError, ValueError):
        return
    responses = data.get("customApiKeyResponses") if isinstance(data, dict) else None
    if not isinstance(responses, dict) or not isinstance(responses.get("approved"), list):
        return
    approved = responses["approved"]
    if key[-20:] not in approved or PLACEHOLDER_KEY[-20:] in approved:
        return
    approved.append(PLACEHOLDER_KEY[-20:])
    temporary = state.with_name(f".{state.name}.aegis-{os.getpid()}-{os.urandom(8).hex()}")
    if _write_new(temporary, json.dumps(data, indent=2).encode()):
        os.replace(temporary, state)
