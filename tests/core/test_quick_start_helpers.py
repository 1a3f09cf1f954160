"""The stand-ins the quick commands use instead of a costly import must give exactly
what the real thing gives: ``path_text`` is ``str(PurePosixPath(...))``,
``quickjson.loads``/``dumps`` are ``json.loads``/``json.dumps(separators=(",", ":"))``,
results and errors alike."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aegis_core import quickjson
from aegis_core.config import load_config
from aegis_core.home import path_text

path_pieces = st.lists(st.sampled_from(["", "/", "//", "///", ".", "..", "a", "b c", "~", ".x", "é"]),
                       min_size=1, max_size=8)


@given(path_pieces)
@settings(max_examples=2000, deadline=None)
def test_path_text_is_what_pathlib_prints(pieces: list[str]) -> None:
    name = "".join(pieces)
    assert path_text(name) == str(PurePosixPath(name))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=20)


def outcome(call: Any, *args: Any) -> tuple[str, str]:
    try:
        return "ok", repr(call(*args))
    except Exception as exc:
        return "error", f"{type(exc).__name__}: {exc}"


@given(json_values, st.sampled_from(["", " ", "\n\t", "\r\n "]), st.sampled_from([None, 2]))
@settings(max_examples=1000, deadline=None)
def test_quickjson_reads_and_writes_as_json_does(value: Any, space: str, indent: int | None) -> None:
    assert quickjson.dumps(value) == json.dumps(value, separators=(",", ":"))
    text = space + json.dumps(value, indent=indent) + space
    assert outcome(quickjson.loads, text) == outcome(json.loads, text)
    assert outcome(quickjson.loads, text.encode()) == outcome(json.loads, text.encode())


@pytest.mark.parametrize("text", [
    "", " ", "{", "[1,]", '{"a":1}x', "1 2", "01", "[1] [2]", "\ufeff[1]", '{"a" 1}', "nul", "\u00a01",
    '"\x01"', '"\\ud800"', "NaN", "-Infinity", "1e999", b"\xff\xfe", b'{"a": "\xc3"}', "[" * 100_000,
])
def test_quickjson_refuses_what_json_refuses_with_its_error(text: str | bytes) -> None:
    quick, real = outcome(quickjson.loads, text), outcome(json.loads, text)
    if quick[0] == "ok" and real[0] == "ok" and "nan" in quick[1]:
        assert math.isnan(quickjson.loads(text)) and math.isnan(json.loads(text))
    else:
        assert quick == real


@pytest.mark.parametrize("value", [{1: 2, None: 3}, {"a": {1, 2}}, float("nan"), {(1, 2): 3}, object()])
def test_quickjson_writes_or_refuses_what_json_does(value: Any) -> None:
    assert outcome(quickjson.dumps, value) == outcome(lambda v: json.dumps(v, separators=(",", ":")), value)


def test_a_circular_value_is_refused_as_json_refuses_it() -> None:
    value: list[Any] = []
    value.append(value)
    assert outcome(quickjson.dumps, value) == outcome(lambda v: json.dumps(v, separators=(",", ":")), value)


@pytest.mark.parametrize("configured", [None, "state/../db//aegis.db", "./x.db", "~/elsewhere/x.db", "/abs//x.db"])
def test_a_configs_paths_as_strings_are_its_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  configured: str | None) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    env = {"HOME": str(tmp_path), "AEGIS_HOME": f"{tmp_path}//home/./"}
    if configured is not None:
        env["AEGIS_DATABASE_PATH"] = configured
        env["AEGIS_DAEMON_SOCKET"] = configured
    config = load_config(env=env)
    home = tmp_path / "home"
    assert config.home_dir == str(config.home) == str(home)
    # What pathlib made of them before the strings: expanded, made absolute, not resolved.
    expected = home / "aegis.db" if configured is None else Path(os.path.expanduser(configured)).absolute()
    assert config.path("database", "path", "aegis.db") == expected
    assert config.path_name("database", "path", "aegis.db") == str(expected)

    from aegis_core.sockets import operator_socket, operator_socket_name

    expected = home / "aegis.sock" if configured is None else Path(os.path.expanduser(configured)).absolute()
    assert operator_socket_name(config) == str(expected)
    assert operator_socket(config) == expected
