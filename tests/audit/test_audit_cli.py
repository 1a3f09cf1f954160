"""``aegis audit verify/show`` and ``aegis logs`` through the real command line entry."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from audit_support import filled_log, lines, write_lines

from aegis_core.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_verify_an_intact_log(aegis_home: Path, capsys) -> None:
    filled_log(aegis_home / "audit.log", 5)
    code, out, _ = run(capsys, "audit", "verify")
    assert code == 0 and "intact: 5 records" in out
    code, out, _ = run(capsys, "audit", "verify", "--json")
    data = json.loads(out)
    assert code == 0 and data["ok"] is True and data["records"] == 5


def test_verify_a_broken_log_exits_8_naming_the_record(aegis_home: Path, capsys) -> None:
    path = aegis_home / "audit.log"
    filled_log(path, 6)
    content = lines(path)
    del content[2]
    write_lines(path, content)
    code, _, err = run(capsys, "audit", "verify")
    assert code == 8 and "record 3" in err and "deleted" in err
    code, out, _ = run(capsys, "audit", "verify", "--json")
    data = json.loads(out)
    assert code == 8 and (data["ok"], data["first_bad_seq"], data["reason"]) == (
        False,
        3,
        "deleted",
    )


def test_show_filters_by_session_and_time(aegis_home: Path, capsys) -> None:
    filled_log(aegis_home / "audit.log", 6)
    code, out, _ = run(capsys, "audit", "show", "--session", "s1", "--json")
    records = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [r["seq"] for r in records] == [2, 4, 6]
    code, out, _ = run(capsys, "audit", "show", "--since", "2099-01-01")
    assert "No audit records match." in out
    code, out, _ = run(capsys, "audit", "show", "--since", "1h")
    assert len(out.splitlines()) == 6 and "call.seen" in out
    code, _, err = run(capsys, "audit", "show", "--since", "yesterday-ish")
    assert code == 2 and "--since" in err


def write_daemon_log(home: Path) -> None:
    now = time.time()
    # The line's text under "message"; lines older daemons wrote have it under "event".
    entries = [
        {"timestamp": "2020-01-01T00:00:00Z", "level": "info", "event": "daemon started"},
        {
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)),
            "level": "warning",
            "message": "telegram unreachable",
            "attempt": 2,
        },
        {
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)),
            "level": "debug",
            "event": "poll",
        },
    ]
    (home / "aegis.log").write_text("".join(json.dumps(e) + "\n" for e in entries) + "not json\n")


def text(entry: dict) -> str:
    return entry.get("message", entry.get("event"))


def test_logs_shows_levels_lines_and_since(aegis_home: Path, capsys) -> None:
    write_daemon_log(aegis_home)
    code, out, _ = run(capsys, "logs")
    assert code == 0 and len(out.splitlines()) == 4 and "telegram unreachable attempt=2" in out
    assert "[info   ] daemon started" in out  # an older line's "event"
    code, out, _ = run(capsys, "logs", "--level", "warning", "--json")
    assert [json.loads(line)["message"] for line in out.splitlines()] == ["telegram unreachable"]
    code, out, _ = run(capsys, "logs", "--lines", "1")
    assert len(out.splitlines()) == 1 and out.rstrip().endswith("not json")
    code, out, _ = run(capsys, "logs", "--since", "1h", "--json")
    assert [text(json.loads(line)) for line in out.splitlines()] == [
        "telegram unreachable",
        "poll",
    ]


def test_logs_without_a_log(aegis_home: Path, capsys) -> None:
    code, _, err = run(capsys, "logs")
    assert code == 0 and "aegis start" in err


def test_verify_names_the_lines_of_a_record_checkpointed_twice_differently(aegis_home: Path, capsys) -> None:
    filled_log(aegis_home / "audit.log", 4)
    checkpoint = aegis_home / "audit.checkpoint"
    seq, _, stamp = checkpoint.read_bytes().split()
    checkpoint.write_bytes(checkpoint.read_bytes() + b" ".join((seq, b"0" * 64, stamp)) + b"\n")
    code, _, err = run(capsys, "audit", "verify")
    assert code == 8
    assert "broken at record 4: damaged checkpoint file" in err and "lines 1 and 2" in err
    code, out, _ = run(capsys, "audit", "verify", "--json")
    data = json.loads(out)
    assert (code, data["ok"], data["first_bad_seq"], data["reason"]) == (8, False, 4, "damaged checkpoint file")
