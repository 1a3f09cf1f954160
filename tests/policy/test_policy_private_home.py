"""The private-home rule's shape: which places below a home are private, which are read
routinely, and which dotfiles right below the home are read freely (by their kind, never
by whether the disk holds a file or a folder there)."""

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
    assert private_part(relative) is not None


@pytest.mark.parametrize("relative", [
    ".cargo/registry/src/index.crates.io-1/serde-1.0.0/src/lib.rs", ".rustup/toolchains/stable/lib/x.rs",
    ".m2/repository/a/b.pom", ".local/lib/python3.12/site-packages/x.py", ".nvm/versions/node/v20/lib/x.js",
    ".ssh/config", ".ssh/known_hosts", ".ssh/id_ed25519.pub", ".config/nvim", ".config/nvim/init.lua",
    ".config/fish/functions", ".claude/CLAUDE.md", "go/pkg/mod/x@v1/y.go", "Library/Caches/x", "work/project/src/a.py",
])
def test_routine_places(relative: str) -> None:
    assert private_part(relative) is None


@pytest.mark.parametrize("name", [
    # credential files of many tools, known and unknown: no name pattern tells them apart
    ".pgpass", ".my.cnf", ".netrc", ".git-credentials", ".vault-token", ".npmrc", ".pypirc", ".boto", ".s3cfg",
    ".dockercfg", ".lftprc", ".transifexrc", ".curlrc", ".wgetrc", ".hgrc", ".newtoolrc", ".newtool.json",
    ".newtool-token", ".newtool", ".bashrc.local", ".extra", ".Xauthority", ".newtool.d",
])
def test_other_dotfiles_below_a_home_are_private(name: str) -> None:
    assert private_part(name) == name


@pytest.mark.parametrize("name", [
    ".bashrc", ".zshrc", ".profile", ".bash_profile", ".bash_aliases", ".zshenv", ".zprofile", ".inputrc",
    ".gitconfig", ".gitignore_global", ".gitattributes", ".editorconfig", ".vimrc", ".tmux.conf", ".nanorc",
    ".tool-versions", ".nvmrc", ".python-version", ".node-version", ".prettierrc", ".prettierrc.json",
    ".eslintrc.yml", ".clang-format", ".pylintrc", ".psqlrc", ".gemrc", ".condarc", ".ripgreprc", ".vim",
])
def test_routine_dotfiles_below_a_home_are_not(name: str) -> None:
    assert private_part(name) is None


def test_a_dotfile_is_judged_by_name_whatever_the_disk_holds(tmp_path: Path) -> None:
    (tmp_path / ".newtool").mkdir()
    (tmp_path / ".newrc").write_text("x")
    assert private_part(".newtool") == ".newtool"
    assert private_part(".newrc") == ".newrc"
    assert private_part(".othertool") == ".othertool"
    assert private_part(".tmux.conf") is None
