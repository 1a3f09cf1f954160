"""bounded_glob (aegis_core/policy/globbing.py) returns what glob.glob returns on real trees,
at most max_results of it, and None once its entry budget is spent."""

from __future__ import annotations

import glob
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aegis_core.policy.globbing import DIRECTORY_COST, bounded_glob

UNBOUNDED = 10**9
FILES = [
    "a.py", "b.py", "b.txt", "ab", ".env", ".hidden.py", "with space.txt", "br[ack]et.txt", "[x].py",
    "a/b", "a/a.py", "a/.e", "b/ba.txt",
    ".git/HEAD", ".git/config", ".git/objects/ab/cd.txt",
    "src/x.py", "src/.secret/key.txt", "src/pkg/x.py", "src/pkg/mod/deep.py", "src/pkg/mod/x.txt",
    "docs/a/b/c/d.txt", "docs/a/b/c/.e.txt", "sp ace dir/[x].py", "sp ace dir/y z.txt",
]


def build_tree(root: Path) -> Path:
    for name in FILES:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(name)
    (root / "empty").mkdir()
    (root / "link_dir").symlink_to("src")
    (root / "link_file").symlink_to("a.py")
    (root / "broken").symlink_to("missing")
    (root / "src" / "broken").symlink_to("missing")
    (root / "src" / "link_file").symlink_to("x.py")
    (root / "src" / "pkg" / "link_up").symlink_to("../../docs")
    return root


def glob_sorted(pattern: str, cwd: str | None) -> list[str]:
    return sorted(glob.glob(pattern, root_dir=cwd, include_hidden=False))


def bounded_sorted(pattern: str, cwd: str | None, **limits: int) -> list[str] | None:
    found = bounded_glob(pattern, cwd, **limits)
    return None if found is None else sorted(found)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return build_tree(tmp_path)


PATTERNS = [
    "*", "*.py", ".*", "*/*", "*/*/*.txt", "**/*.py", "**", ".e?v", ".git/*", ".git/*/*", ".git/objects/*/*",
    "a/", "a//", "a", "a.py", "missing.py", "missing/", "a.py/", "*/", "*//", "*/*/", "[ab]*", "[!a]*", "[a-b].py",
    "nonexistent/*", "*/nonexistent", "a/*", "a/.*", "a/b", "a/b/", "a/b/*", "link_dir/*", "link_dir/pkg/*.py",
    "link_*/*", "link_file", "link_file/", "link_file/*", "broken", "broken/", "br*", "br[[]ack]et.txt",
    "with space*", "sp ace dir/*", "*/[[]x].py", "[[]x].py", "*/*/*/*", "*/*/link_up/*/*/*", "src//pkg/*",
    "src/*//mod", "*/.*", "*/.secret/*", "docs/*/b/*/d.txt", "./*", "../*", "*/../*", "src/pkg/..", "?",
    "??", "[", "*[", "a/[b", "", "/", ".", "..",
    "*/b/", "*/broken", "*/broken/", "*/link_f*", "*/link_f*/", "*/link_file/", "*/x.py/", "*/pkg/", "*/pkg//",
]


@pytest.mark.parametrize("pattern", PATTERNS)
def test_relative_patterns_match_glob(tree: Path, pattern: str) -> None:
    cwd = str(tree)
    assert bounded_sorted(pattern, cwd, max_results=UNBOUNDED) == glob_sorted(pattern, cwd)


@pytest.mark.parametrize("pattern", PATTERNS)
@pytest.mark.parametrize("joint", ["/", "//"])
@pytest.mark.parametrize("lead", ["", "/"])
def test_absolute_patterns_match_glob(tree: Path, pattern: str, joint: str, lead: str) -> None:
    # lead "/" makes the "//abs" form; joint "//" a repeated slash inside the literal base.
    absolute = lead + str(tree) + joint + pattern
    for cwd in (None, "/nonexistent"):
        assert bounded_sorted(absolute, cwd, max_results=UNBOUNDED) == glob_sorted(absolute, cwd)


def test_absolute_results_stay_absolute_and_relative_stay_relative(tree: Path) -> None:
    assert bounded_sorted(f"{tree}/src/*.py", str(tree)) == [f"{tree}/src/x.py"]
    assert bounded_sorted("src/*.py", str(tree)) == ["src/x.py"]
    assert bounded_sorted(".e?v", str(tree)) == [".env"]


def test_tilde_is_expanded(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tree))
    for pattern in ("~/*", "~/.e?v", "~/src/*/", "~"):
        expected = glob_sorted(os.path.expanduser(pattern), None)
        assert expected, pattern
        assert bounded_sorted(pattern, None) == expected
        assert bounded_sorted(pattern, "/nonexistent") == expected


def test_relative_pattern_without_cwd_is_returned_as_is() -> None:
    assert bounded_glob("*.py", None) == ["*.py"]
    assert bounded_glob(".e?v", "") == [".e?v"]


def test_nul_never_raises(tree: Path) -> None:
    for pattern in ("a\0", "a\0/*", "*/a\0", "\0*", f"{tree}/a\0/*"):
        assert bounded_glob(pattern, str(tree)) == []
    assert bounded_glob("*", str(tree) + "\0") == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every directory")
def test_unreadable_directory_is_skipped(tree: Path) -> None:
    locked = tree / "locked"
    (locked / "inner").mkdir(parents=True)
    locked.chmod(0)
    try:
        for pattern in ("locked/*", "*/*", "locked/inner", "*/inner"):
            assert bounded_sorted(pattern, str(tree)) == glob_sorted(pattern, str(tree))
    finally:
        locked.chmod(0o755)


def test_max_results_truncates_to_genuine_matches(tmp_path: Path) -> None:
    for index in range(300):
        (tmp_path / f"f{index:03}.txt").write_text("")
    (tmp_path / "other.py").write_text("")
    found = bounded_glob("*.txt", str(tmp_path))
    assert found is not None and len(found) == 200 == len(set(found))
    assert set(found) <= set(glob.glob("*.txt", root_dir=tmp_path))
    assert bounded_glob("*.txt", str(tmp_path), max_results=0) == []


@pytest.fixture
def wide(tmp_path: Path) -> Path:
    for d in range(50):
        for f in range(50):
            (tmp_path / f"d{d:02}" / f"f{f:02}").mkdir(parents=True)
    return tmp_path


def test_max_entries_gives_up(wide: Path) -> None:
    cwd = str(wide)
    assert bounded_glob("*/*/nomatch", cwd, max_entries=500) is None
    assert bounded_glob("*/*/*", cwd, max_entries=500) is None
    assert bounded_sorted("*/*/nomatch", cwd, max_entries=UNBOUNDED) == glob_sorted("*/*/nomatch", cwd) == []
    assert bounded_sorted("*/f0?", cwd, max_entries=UNBOUNDED, max_results=UNBOUNDED) == glob_sorted("*/f0?", cwd)


def test_max_entries_counts_every_listed_entry(wide: Path) -> None:
    # "*/*" lists the root (50 entries) and each of its 50 directories (50 each); opening
    # each of those 51 directories costs DIRECTORY_COST more.
    cwd = str(wide)
    listed = 50 + 50 * 50 + 51 * DIRECTORY_COST
    assert bounded_sorted("*/*", cwd, max_entries=listed, max_results=UNBOUNDED) == glob_sorted("*/*", cwd)
    assert bounded_glob("*/*", cwd, max_entries=listed - 1, max_results=UNBOUNDED) is None
    # Hidden entries and non-matches cost as much as matches.
    (wide / ".hidden").mkdir()
    assert bounded_glob("*/*", cwd, max_entries=listed, max_results=UNBOUNDED) is None


def test_literal_components_after_a_wildcard_are_bounded(wide: Path) -> None:
    # Each d*/./././... probe succeeds, so only counting probes keeps this pattern cheap.
    pattern = "*/" + "./" * 500 + "f00"
    assert bounded_glob(pattern, str(wide)) is None
    assert bounded_sorted(pattern, str(wide), max_entries=UNBOUNDED) == glob_sorted(pattern, str(wide))


def test_deep_patterns_do_not_recurse(tree: Path) -> None:
    pattern = "a/" + "*/" * 5000
    assert bounded_glob(pattern, str(tree)) == []


# Pieces of generated patterns: wildcards, separators, dots and names found in the tree.
PIECES = ["*", "?", "a", "b", ".", "/", "//", "[ab]", "[!a]", "..", "**", "*.py", ".e?v", "src", "pkg", "mod",
          ".git", "link_dir", "link_file", "broken", "docs", "c", "x.py", "[", "]", "sp ace dir", "-", "!"]


@pytest.fixture(scope="module")
def deep_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Nested well below the temporary root, so the ".." a pattern may hold stay in our own directories.
    root = tmp_path_factory.mktemp("globbing") / "l1" / "l2" / "l3" / "l4" / "l5" / "l6"
    root.mkdir(parents=True)
    return build_tree(root)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pieces=st.lists(st.sampled_from(PIECES), min_size=1, max_size=9), absolute=st.booleans())
def test_generated_patterns_match_glob(deep_tree: Path, pieces: list[str], absolute: bool) -> None:
    pattern = "".join(pieces)
    if pattern.count("..") > 5:  # would climb out of our own directories
        return
    if absolute:
        pattern = f"{deep_tree}/{pattern}"
    elif pattern.startswith("/"):  # an absolute pattern would list the live filesystem root
        pattern = "x" + pattern
    cwd = str(deep_tree)
    expected = glob_sorted(pattern, cwd)
    found = bounded_sorted(pattern, cwd, max_entries=UNBOUNDED)
    assert found is not None
    if len(expected) <= 200:
        assert found == expected
    else:
        assert len(found) == 200 and set(found) <= set(expected)
