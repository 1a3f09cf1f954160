"""Tampering with the audit log is detected and named: a flipped byte, a deleted
middle line, a deleted tail, two swapped lines, a whole-file rewrite with recomputed
hashes (caught by the checkpoints), a damaged checkpoint file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from audit_support import filled_log, lines, write_lines

from aegis_core.audit import AuditLog, verify
from aegis_core.audit.chain import GENESIS, encode
from aegis_core.audit.reader import read_records
from aegis_core.models import AuditEvent


@pytest.fixture
def log_path(tmp_path: Path) -> Path:
    path = tmp_path / "audit.log"
    filled_log(path, 10)
    assert verify(path).ok
    return path


def test_an_intact_log(log_path: Path) -> None:
    result = verify(log_path)
    assert (result.ok, result.records, result.head_seq, result.checkpoints) == (True, 10, 10, 1)


def test_an_empty_or_missing_log_is_intact(tmp_path: Path) -> None:
    assert verify(tmp_path / "none.log").ok


@pytest.mark.parametrize("offset", [30, 100, -20])
def test_a_flipped_byte(log_path: Path, offset: int) -> None:
    content = lines(log_path)
    line = bytearray(content[4])
    line[offset] ^= 0x01
    content[4] = bytes(line)
    write_lines(log_path, content)
    result = verify(log_path)
    assert not result.ok and result.reason == "edited" and result.first_bad_seq == 5


def test_an_edited_value_with_valid_json(log_path: Path) -> None:
    content = lines(log_path)
    content[2] = content[2].replace(b'"echo 2"', b'"echo 9"')
    write_lines(log_path, content)
    result = verify(log_path)
    assert (result.reason, result.first_bad_seq) == ("edited", 3)


def test_a_record_edited_with_its_own_hash_recomputed(log_path: Path) -> None:
    content = lines(log_path)
    old = json.loads(content[5])
    line, _ = encode(6, old["time"], old["session"], old["event"], {"n": 999}, old["prev_hash"])
    content[5] = line
    write_lines(log_path, content)
    result = verify(log_path)
    assert (result.reason, result.first_bad_seq) == ("edited", 6)
    assert "record 7 does not link" in result.detail


def test_a_deleted_middle_line(log_path: Path) -> None:
    content = lines(log_path)
    del content[3]
    write_lines(log_path, content)
    result = verify(log_path)
    assert (result.ok, result.reason, result.first_bad_seq) == (False, "deleted", 4)


def test_several_deleted_lines(log_path: Path) -> None:
    content = lines(log_path)
    del content[3:6]
    write_lines(log_path, content)
    result = verify(log_path)
    assert (result.reason, result.first_bad_seq) == ("deleted", 4)
    assert "4 to 6" in result.detail


def test_two_swapped_lines(log_path: Path) -> None:
    content = lines(log_path)
    content[2], content[3] = content[3], content[2]
    write_lines(log_path, content)
    result = verify(log_path)
    assert (result.ok, result.reason, result.first_bad_seq) == (False, "reordered", 3)


def test_a_deleted_tail_is_caught_by_the_checkpoint(log_path: Path) -> None:
    write_lines(log_path, lines(log_path)[:7])
    result = verify(log_path)
    assert (result.ok, result.reason, result.first_bad_seq) == (False, "truncated tail", 8)
    assert result.records == 7


def test_a_half_written_last_line(log_path: Path) -> None:
    data = log_path.read_bytes()
    log_path.write_bytes(data[:-40])
    result = verify(log_path)
    assert (result.reason, result.first_bad_seq) == ("truncated tail", 10)


def test_a_full_rewrite_with_recomputed_hashes_is_caught_by_the_checkpoint(log_path: Path) -> None:
    records = list(read_records(log_path))
    prev, out = GENESIS, []
    for record in records:
        details = dict(record.details)
        if record.seq == 4:
            details["command"] = "echo nothing to see here"
        line, prev = encode(record.seq, record.time, record.session, record.event, details, prev)
        out.append(line)
    write_lines(log_path, out)
    result = verify(log_path)
    assert (result.ok, result.reason) == (False, "rewritten after a checkpoint")
    assert result.first_bad_seq == 1 and "record 10" in result.detail
    # Without the checkpoint file, the chain alone looks fine: that is why it exists.
    assert verify(log_path, log_path.with_name("no.checkpoint")).ok


def test_a_rewrite_after_a_later_checkpoint_names_the_records_after_the_good_one(
    tmp_path: Path,
) -> None:
    path = tmp_path / "audit.log"
    log = filled_log(path, 4)  # checkpoint at 4
    for i in range(4):
        log.append(AuditEvent("e", {"i": i}))
    log.checkpoint()  # checkpoint at 8
    records = list(read_records(path))
    prev, out = GENESIS, []
    for record in records:
        details = {"forged": True} if record.seq == 6 else dict(record.details)
        line, prev = encode(record.seq, record.time, record.session, record.event, details, prev)
        out.append(line)
    write_lines(path, out)
    result = verify(path)
    assert (result.reason, result.first_bad_seq) == ("rewritten after a checkpoint", 5)


def test_a_damaged_checkpoint_file(log_path: Path) -> None:
    checkpoint = log_path.with_name("audit.checkpoint")
    checkpoint.write_bytes(checkpoint.read_bytes() + b"garbage here\n")
    result = verify(log_path)
    assert not result.ok and result.reason == "damaged checkpoint file"


def test_an_unfinished_checkpoint_line_is_ignored(log_path: Path) -> None:
    checkpoint = log_path.with_name("audit.checkpoint")
    checkpoint.write_bytes(checkpoint.read_bytes() + b"11 abc")  # the writer died here
    assert verify(log_path).ok


def test_appending_after_verify_keeps_the_log_intact(log_path: Path) -> None:
    AuditLog(log_path).append(AuditEvent("daemon.stop"))
    assert verify(log_path).ok


def test_a_record_checkpointed_twice_with_different_hashes_fails_naming_both_lines(log_path: Path) -> None:
    checkpoint = log_path.with_name("audit.checkpoint")
    real = checkpoint.read_bytes()
    seq, digest, stamp = real.split()
    assert seq == b"10"
    forged = b"10 " + bytes(reversed(digest)) + b" " + stamp + b"\n"
    checkpoint.write_bytes(real + forged)  # appended: the first line agrees with the log
    result = verify(log_path)
    assert (result.ok, result.reason, result.first_bad_seq) == (False, "damaged checkpoint file", 10)
    assert "lines 1 and 2" in result.detail and "record 10" in result.detail
    checkpoint.write_bytes(forged + real)  # the forged one first: the same answer
    assert (verify(log_path).reason, verify(log_path).first_bad_seq) == ("damaged checkpoint file", 10)


def test_a_head_checkpointed_twice_alike_is_intact(log_path: Path) -> None:
    AuditLog(log_path).checkpoint()  # nothing appended since the last checkpoint
    checkpoint = log_path.with_name("audit.checkpoint")
    assert [line.split()[0] for line in checkpoint.read_bytes().splitlines()] == [b"10", b"10"]
    assert verify(log_path).ok
