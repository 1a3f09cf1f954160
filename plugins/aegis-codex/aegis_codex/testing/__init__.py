"""Helpers for tests that drive the real Codex CLI: find it, point it at a scripted
Responses API (fake_openai) with everything that phones home turned off."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

PINNED_VERSION = "0.171.0"


def find_codex_cli(repo: Path | None = None) -> str | None:
    """The Codex CLI to test against: ``$AEGIS_CODEX_BIN``, ``codex`` on PATH, or the
    copy ``.ci/install-agents.sh`` put under ``repo``; None when there is none."""
    cached = repo / ".ci" / "cache" / "codex" / "node_modules" / ".bin" / "codex" if repo else None
    for candidate in (os.environ.get("AEGIS_CODEX_BIN"), shutil.which("codex"), cached):
        if candidate and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def offline_config(base_url: str, *, model: str = "gpt-5.5") -> str:
    """A ``config.toml`` for a throwaway CODEX_HOME: the scripted API as the only model
    provider (Responses wire API: Codex 0.171 rejects ``chat`` and ignores
    ``OPENAI_BASE_URL``), no retries (a dead server would be retried for minutes),
    nothing that phones home (analytics, plugins, apps, update checks)."""
    return f'''model = "{model}"
model_provider = "scripted"
check_for_update_on_startup = false

[model_providers.scripted]
name = "scripted"
base_url = "{base_url}/v1"
wire_api = "responses"
env_key = "SCRIPTED_API_KEY"
request_max_retries = 0
stream_max_retries = 0
stream_idle_timeout_ms = 60000

[analytics]
enabled = false

[features]
plugins = false
remote_plugin = false
apps = false
'''
