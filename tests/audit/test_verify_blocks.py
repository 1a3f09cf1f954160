"""The verifier reads the log a block at a time and checks a whole block at once;
a damaged block is walked again a record at a time. Whatever the block size (smaller
than a record, a few records, the default), the same tampering, deep in the log
and in a later block than the first, gets the same verdict, naming the same record."""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from audit_support import lines, write_lines

from aegis_core.audit import AuditLog, verify
from aegis_core.audit.chain import GENESIS, encode
from aegis_core.audit.reader import read_records
from aegis_core.models import AuditEvent

RECORDS = 300
verify_module = sys.modules["aegis_core.audit.verify"]


@pytest.fixture(scope="module")
def written_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("written") / "audit.log"
    log = AuditLog(path, checkpoint_every=100)  # checkpoints at 100, 200 and 300
    for i in range(RECORDS):
        log.append(AuditEvent("call.seen", {"n": i, "command": f"echo {i}"}, session=f"s{i % 3}"))
    return path


@pytest.fixture
def log_path(written_log: Path, tmp_path: Path) -> Path:
    """A copy of the written log and its checkpoints, for one test to damage."""
    for name in ("audit.log", "audit.checkpoint"):
        shutil.copyfile(written_log.with_name(name), tmp_path / name)
    return tmp_path / "audit.log"


def _flip(content: list[bytes]) -> None:
    line = bytearray(content[249])
    line[60] ^= 0x01
    content[249] = bytes(line)


def _swap(content: list[bytes]) -> None:
    content[249], content[250] = content[250], content[249]


def _reencode(record: dict, details: dict, prev: str) -> tuple[bytes, str]:
    return encode(record["seq"], record["time"], record["session"], record["event"], details, prev)


def _forge_one(content: list[bytes]) -> None:
    record = json.loads(content[249])
    content[249], _ = _reencode(record, {"n": "forged"}, record["prev_hash"])


def _rewrite_from_250(content: list[bytes]) -> None:
    prev = json.loads(content[248])["hash"]
    for index in range(249, len(content)):
        record = json.loads(content[index])
        details = {"forged": True} if index == 249 else record["details"]
        content[index], prev = _reencode(record, details, prev)


def _insert_forged_next(content: list[bytes]) -> None:
    """A record 251 forged to link to 250, put before the real 251."""
    record = json.loads(content[249])
    forged, _ = encode(251, record["time"], record["session"], "call.seen", {"n": "x"}, record["hash"])
    content.insert(250, forged)


CASES: dict[str, tuple[Callable[[list[bytes]], None], str | None, int | None, str]] = {
    "intact": (lambda content: None, None, None, ""),
    "a flipped byte": (_flip, "edited", 250, "do not match its hash"),
    "an edited record with its own hash recomputed": (_forge_one, "edited", 250, "record 251 does not link"),
    "a deleted record": (lambda content: content.pop(249), "deleted", 250, "record 250 is missing"),
    "deleted records": (lambda content: content.__delitem__(slice(249, 252)), "deleted", 250, "250 to 252"),
    "two swapped records": (_swap, "reordered", 250, "found record 251"),
    "a record copied in again": (lambda content: content.insert(250, content[249]), "reordered", 251,
                                 "found record 250"),
    "a forged record inserted": (_insert_forged_next, "reordered", 252, "found record 251"),
    "a foreign line inserted": (lambda content: content.insert(250, b"hello\n"), "edited", 251,
                                "not a valid audit record"),
    "an empty line inserted": (lambda content: content.insert(250, b"\n"), "edited", 251,
                               "not a valid audit record"),
    "two records run together": (lambda content: content.__setitem__(249, content[249][:-1]), "edited", 250,
                                 "do not match its hash"),
    "a deleted tail": (lambda content: content.__delitem__(slice(250, None)), "truncated tail", 251,
                       "251 to 300 are missing"),
    "a half-written last record": (lambda content: content.__setitem__(-1, content[-1][:-40]), "truncated tail",
                                   300, "incomplete"),
    "a rewrite with recomputed hashes": (_rewrite_from_250, "rewritten after a checkpoint", 201,
                                         "record 300 differs"),
}


@pytest.mark.parametrize("case", CASES)
def test_the_verdict_does_not_depend_on_the_block_size(
    log_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    tamper, reason, first_bad, detail = CASES[case]
    content = lines(log_path)
    tamper(content)
    write_lines(log_path, content)
    verdicts = []
    for block in (64, 4096, 1 << 20):  # shorter than a record, a dozen records, the whole log
        monkeypatch.setattr(verify_module, "BLOCK", block)
        verdicts.append(verify(log_path))
    assert verdicts[0] == verdicts[1] == verdicts[2]
    result = verdicts[0]
    assert (result.ok, result.reason, result.first_bad_seq) == (reason is None, reason, first_bad)
    assert detail in result.detail
    if reason is None:
        assert (result.records, result.head_seq, result.checkpoints) == (RECORDS, RECORDS, 3)
        assert result.head_hash == json.loads(content[-1])["hash"]


def test_a_checkpoint_at_record_zero_does_not_switch_the_others_off(log_path: Path) -> None:
    """A line for the empty log, slipped into the checkpoint file, says nothing about
    any record; the real checkpoints still catch a rewrite."""
    checkpoint = log_path.with_name("audit.checkpoint")
    checkpoint.write_bytes(f"0 {GENESIS} 0\n".encode() + checkpoint.read_bytes())
    assert verify(log_path).ok
    records = list(read_records(log_path))
    prev, out = GENESIS, []
    for record in records:
        details = {"forged": True} if record.seq == 150 else dict(record.details)
        line, prev = encode(record.seq, record.time, record.session, record.event, details, prev)
        out.append(line)
    write_lines(log_path, out)
    result = verify(log_path)
    assert (result.reason, result.first_bad_seq) == ("rewritten after a checkpoint", 101)
