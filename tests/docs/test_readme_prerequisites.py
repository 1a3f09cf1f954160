"""The README's prerequisites stay true to what the project installs: the Node.js
version is the one the pinned Claude Code declares, the pinned version is the one
.ci/install-claude.sh installs, and the README says how long the test suite takes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
INSTALLER = (ROOT / ".ci" / "install-claude.sh").read_text(encoding="utf-8")
PINNED = re.search(r'VERSION="\$\{CLAUDE_CODE_VERSION:-([\d.]+)\}"', INSTALLER)


def prerequisites() -> str:
    start = README.index("Prerequisites:")
    return README[start:README.index("```", start)]


def test_the_pinned_claude_code_is_the_one_the_readme_names() -> None:
    assert PINNED is not None, "install-claude.sh no longer pins a version"
    assert f"Claude Code {PINNED.group(1)}" in prerequisites()


def test_the_node_version_is_the_one_the_pinned_claude_code_declares() -> None:
    named = re.search(r"Node\.js (\d+)\+", prerequisites())
    assert named is not None, "the README's prerequisites name no Node.js version"
    assert f"Node.js {named.group(1)}+" in INSTALLER  # the installer's own hint agrees
    package = ROOT / ".ci/cache/claude-code/node_modules/@anthropic-ai/claude-code/package.json"
    if not package.exists():
        pytest.skip("the pinned Claude Code is not installed here (.ci/install-claude.sh)")
    declared = json.loads(package.read_text())["engines"]["node"]
    assert re.fullmatch(r">=\s*(\d+)(\.\d+)*", declared), declared
    assert declared.lstrip(">= ").split(".")[0] == named.group(1)


def test_the_readme_says_how_long_the_tests_take() -> None:
    development = README[README.index("## Development"):]
    assert re.search(r"takes about \d+ minutes", development), "say how long `tox` takes"
