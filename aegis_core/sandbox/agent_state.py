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
import shutil
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
    codex = Path(env.get("CODEX_HOME") or home / ".codex").expanduser()
    if codex.is_dir():
        protect += [str(codex / name) for name in CONFIGURATION["codex"]]
    gemini = home / ".gemini"
    if gemini.is_dir():
        protect += [str(gemini / name) for name in CONFIGURATION["gemini"]]
    return AgentState(out_env, tuple(protect), VENDOR_HOSTS.get(agent or "", ()))


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
    # A settings file that exists can be kept read-only; one that does not could be
    # created inside with hooks a later Claude Code outside Aegis would run.
    settings = folder / "settings.json"
    if not settings.exists():
        settings.write_text("{}\n")
        settings.chmod(0o600)
    state, legacy = folder / ".claude.json", home / ".claude.json"
    if not state.exists() and legacy.is_file() and not legacy.is_symlink():
        shutil.copyfile(legacy, state)
        state.chmod(0o600)
    _carry_key_approval(state, env.get("ANTHROPIC_API_KEY"))


def _carry_key_approval(state: Path, key: str | None) -> None:
    """The user approved their API key once; inside, Claude Code sees the stand-in key
    (the daemon holds the real one) and would ask again, recommending No. Carry the
    user's answer over to the stand-in."""
    if not key or not state.is_file():
        return
    try:
        data = json.loads(state.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    responses = data.get("customApiKeyResponses") if isinstance(data, dict) else None
    if not isinstance(responses, dict) or not isinstance(responses.get("approved"), list):
        return
    approved = responses["approved"]
    if key[-20:] not in approved or PLACEHOLDER_KEY[-20:] in approved:
        return
    approved.append(PLACEHOLDER_KEY[-20:])
    temporary = state.with_name(f".{state.name}.aegis-{os.getpid()}")
    temporary.write_text(json.dumps(data, indent=2))
    temporary.chmod(0o600)
    os.replace(temporary, state)
