"""The plain-TOML reader behind ``config.toml`` (:mod:`aegis_core.tomlsubset`) never
reads a file differently from ``tomllib``: on generated files, whenever it answers,
``tomllib`` reads the same document; whenever ``tomllib`` refuses a file, it does
not answer (so the error message is tomllib's, the same on every command)."""

from __future__ import annotations

import tomllib

from hypothesis import given, settings
from hypothesis import strategies as st

from aegis_core.tomlsubset import parse

# Pieces of lines, valid and not: the generator joins a few of them per line.
PIECES = [
    "[", "]", "[[", "]]", "approvals", "store", "a-b", "x_1", "\"q\"", "'lit'", ".", " ", "\t",
    "=", " = ", "\"", "'", "'''", "\"\"\"", "\\", "\\n", "\\u00e9", "#", "# note", ",", "0", "01",
    "-0", "+5", "12", "1_0", "1.5", "1e3", "0x1f", "true", "false", "True", "nan", "inf",
    "1979-05-27", "{", "}", "é", "\x00", "\x7f", "\x1b", "\r", "~/.aegis/db", "postgresql://u:p@h/d",
]
line = st.lists(st.sampled_from(PIECES), min_size=0, max_size=8).map("".join)
document = st.lists(line, min_size=0, max_size=8).map("\n".join)

# Shapes of real config.toml lines, with values drawn from the pieces.
plain_value = st.one_of(
    st.integers(-10**6, 10**6).map(str), st.sampled_from(["true", "false"]),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=12).map(lambda s: f'"{s}"'),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=12).map(lambda s: f"'{s}'"),
)
array = st.lists(plain_value, max_size=4).map(lambda items: "[" + ", ".join(items) + "]")
key = st.sampled_from(["timeout_seconds", "channels", "path", "url", "a", "b-c", "x y", "\"k\""])
entry = st.tuples(key, st.sampled_from([" = ", "=", " =  "]), st.one_of(plain_value, array),
                  st.sampled_from(["", " # why", "#x", " trailing"])).map("".join)
header = st.sampled_from(["approvals", "store", "telegram", " daemon ", "a.b", "approvals"]).map(
    lambda name: f"[{name}]")
shaped = st.lists(st.one_of(entry, header, st.just(""), st.just("# comment")), max_size=10).map("\n".join)


def _tomllib(text: str) -> object:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None


def _agrees(text: str) -> None:
    mine = parse(text)
    if mine is not None:
        assert _tomllib(text) == mine, text


@settings(max_examples=1500, deadline=None)
@given(document)
def test_arbitrary_pieces_are_read_as_tomllib_reads_them_or_left_to_it(text: str) -> None:
    _agrees(text)


@settings(max_examples=1500, deadline=None)
@given(shaped)
def test_config_shaped_files_are_read_as_tomllib_reads_them_or_left_to_it(text: str) -> None:
    _agrees(text)


def test_what_aegis_setup_writes_is_read_without_tomllib() -> None:
    text = ('# Aegis configuration\n[approvals]\ntimeout_seconds = 300\nchannels = ["terminal", "cli"]\n\n'
            '[logging]\nlevel = "INFO"  # or DEBUG\n[telegram]\nallowed_users = [1, 2]\n')
    assert parse(text) == tomllib.loads(text)


def test_what_it_does_not_read_goes_to_tomllib() -> None:
    for text in ('a = 1.5', 'a = "\\u00e9"', '[a]\n[a]', 'a = 01', 'a = """x"""', 'a = {b = 1}',
                 'a.b = 1', '[[a]]', 'a = [1, "x"]', 'a = 1979-05-27', 'a = [\n1]', 'a = 1\r\n'):
        assert parse(text) is None, text
