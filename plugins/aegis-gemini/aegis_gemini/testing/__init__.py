"""Helpers for tests that drive the real Gemini CLI: find it, and point it at a
scripted Gemini API (fake_gemini) with everything that phones home turned off."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

PINNED_VERSION = "0.61.0"
MODEL = "gemini-2.5-flash"


def find_gemini_cli(repo: Path | None = None) -> str | None:
    """The Gemini CLI to test against: ``$AEGIS_GEMINI_BIN``, ``gemini`` on PATH, or the
    copy ``.ci/install-gemini.sh`` put under ``repo``; None when there is none."""
    cached = repo / ".ci" / "cache" / "gemini" / "node_modules" / ".bin" / "gemini" if repo else None
    for candidate in (os.environ.get("AEGIS_GEMINI_BIN"), shutil.which("gemini"), cached):
        if candidate and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def offline_settings() -> dict[str, Any]:
    """User settings for a throwaway HOME: API-key auth (``GOOGLE_GEMINI_BASE_URL`` alone
    makes headless mode pick a gateway auth and exit 41), no telemetry, usage
    statistics, update checks or ripgrep download."""
    return {
        "security": {"auth": {"selectedType": "gemini-api-key"}},
        "privacy": {"usageStatisticsEnabled": False},
        "telemetry": {"enabled": False},
        "general": {"enableAutoUpdate": False, "enableAutoUpdateNotification": False},
        "tools": {"useRipgrep": False},
    }


def offline_env(base_url: str) -> dict[str, str]:
    """The environment that points Gemini at the scripted API: plain http works; the
    workspace trusted (an untrusted folder exits 55 in headless mode)."""
    return {"GEMINI_API_KEY": "test-key", "GOOGLE_GEMINI_BASE_URL": base_url, "GEMINI_CLI_TRUST_WORKSPACE": "true"}


def headless_args(prompt: str = "do the task") -> list[str]:
    """Gemini's arguments for one scripted run: the model pinned (no routing call), and
    ``--yolo`` (headless mode offers the shell tool only then; Aegis still judges every call)."""
    return ["-m", MODEL, "--yolo", "-p", prompt]
