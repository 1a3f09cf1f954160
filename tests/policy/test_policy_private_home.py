"""The private-home rule's shape: which places below a home are private, which are read
routinely, and how a hidden name right below the home is told apart (file or folder)."""

from __future__ import annotations

from pathlib import Path

import pytest

from aegis_core.policy.privatehome import private_part


@pytest.mark.parametrize("relative", [
    ".electrum/wallets/default_wallet", ".config/newtool/hosts.yml", ".local/share/newtool/db", ".local/state/x/y",
    ".ssh/id_ed25519", ".cargo/credentials.toml", ".claude/settings.json", ".local/share/nvim/shada/main.shada",
    "Library/Application Support/NewTool/auth.json", "snap/newtool/common/.config/x",
])
def test_private_places(relative: str) -> None:
    assert private_part(relative, "/nonexistent/" + relative) is not None


@pytest.mark.parametrize("relative", [
    ".cargo/registry/src/index.crates.io-1/serde-1.0.0/src/lib.rs", ".rustup/toolchains/stable/lib/x.rs",
    ".m2/repository/a/b.pom", ".local/lib/python3.12/site-packages/x.py", ".nvm/versions/node/v20/lib/x.js",
    ".ssh/config", ".ssh/known_hosts", ".ssh/id_ed25519.pub", ".config/nvim", ".config/nvim/init.lua",
    ".config/fish/functions", ".claude/CLAUDE.md", "go/pkg/mod/x@v1/y.go", "Library/Caches/x", "work/project/src/a.py",
])
def test_routine_places(relative: str) -> None:
    assert private_part(relative, "/nonexistent/" + relative) is None


def test_a_hidden_name_below_the_home_is_what_the_disk_says(tmp_path: Path) -> None:
    (tmp_path / ".newtool").mkdir()
    (tmp_path / ".newrc").write_text("x")
    assert private_part(".newtool", str(tmp_path / ".newtool")) == ".newtool"
    assert private_part(".newrc", str(tmp_path / ".newrc"), whole=True) is None
    # Not there: a reader of whole folders takes it for a folder unless it is shaped like a dotfile.
    assert private_part(".othertool", str(tmp_path / ".othertool"), whole=True) == ".othertool"
    assert private_part(".othertool", str(tmp_path / ".othertool")) is None
    assert private_part(".tmux.conf", str(tmp_path / ".tmux.conf"), whole=True) is None
