"""Helpers for tests that drive the real Claude Code CLI (see also ``fake_anthropic``)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def find_claude_cli(repo: Path | None = None) -> str | None:
    """The Claude Code CLI to test against: ``$AEGIS_CLAUDE_BIN``, ``claude`` on PATH, or
    the copy ``.ci/install-claude.sh`` put under ``repo``; None when there is none."""
    cached = repo / ".ci" / "cache" / "claude-code" / "node_modules" / ".bin" / "claude" if repo else None
    for candidate in (os.environ.get("AEGIS_CLAUDE_BIN"), shutil.which("claude"), cached):
        if candidate and os.access(candidate, os.X_OK):
            return str(candidate)
    return None
