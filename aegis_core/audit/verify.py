"""Checking an audit log: every record's own hash, the link to the one before, the
sequence, and the heads recorded in the checkpoint file. Names the first bad record
and why: edited, deleted, reordered, truncated tail, rewritten after a checkpoint.
Reads the log as a stream: a million records verify in a few megabytes."""

from __future__ import annotations

import hashlib
import io
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

from aegis_core.audit import chain

READ_BUFFER = 1 << 20

EDITED = "edited"
DELETED = "deleted"
REORDERED = "reordered"
TRUNCATED = "truncated tail"
REWRITTEN = "rewritten after a checkpoint"
BAD_CHECKPOINT = "damaged checkpoint file"


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    records: int
    first_bad_seq: int | None = None
    reason: str | None = None
    detail: str = ""
    head_seq: int = 0
    head_hash: str = chain.GENESIS
    checkpoints: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def read_checkpoints(path: Path) -> list[tuple[int, str]]:
    """``(seq, hash)`` pairs from the checkpoint file, in file order. An unfinished
    last line (a crash while writing it) is ignored; any other bad line raises
    ValueError."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    lines = data.split(b"\n")
    lines.pop()  # '' after the final newline, or an unfinished line
    found = []
    for number, line in enumerate(lines, 1):
        fields = line.split()
        if len(fields) < 2 or len(fields[1]) != 64 or not fields[0].isdigit():
            raise ValueError(f"line {number} of {path} is not a checkpoint")
        found.append((int(fields[0]), fields[1].decode("ascii")))
    return found


def verify(path: Path, checkpoint_path: Path | None = None) -> VerifyResult:
    """Check the log at ``path`` against itself and its checkpoints (by default the
    writer's ``audit.checkpoint`` beside it)."""
    if checkpoint_path is None:
        checkpoint_path = path.with_name(path.stem + ".checkpoint")
    try:
        checkpoints = read_checkpoints(checkpoint_path)
    except (ValueError, UnicodeDecodeError) as exc:
        return VerifyResult(False, 0, None, BAD_CHECKPOINT, f"{exc}; it may have been edited")
    try:
        handle = open(path, "rb", buffering=READ_BUFFER)
    except FileNotFoundError:
        handle = io.BytesIO()
    with handle:
        return _verify_lines(path, handle, checkpoints)


def _verify_lines(path: Path, handle: IO[bytes], checkpoints: list[tuple[int, str]]) -> VerifyResult:
    """One pass over the log, a line at a time: memory stays flat whatever its size."""
    # Checkpoints by sequence; a head recorded twice must agree with itself.
    expected_at: dict[int, str] = {}
    for seq, digest in checkpoints:
        expected_at.setdefault(seq, digest)
    marks = sorted(expected_at)
    mark_index, next_mark = 0, (marks[0] if marks else -1)
    last_good_mark = 0

    prev = chain.GENESIS.encode("ascii")
    expected = 1
    split, digest_of = chain.split, chain.digest
    sha256, hash_field, prev_field = hashlib.sha256, chain.HASH_FIELD, chain.PREV_FIELD
    tail = chain.SUFFIX_LEN + 1  # ,"hash":"<64 hex>"}\n
    torn = b""
    for position, line in enumerate(handle):
        # The usual case, checked in a few slices: a whole record, next in sequence,
        # linked to the one before, its hash right. Anything else takes the slow
        # path below, which says exactly what is wrong.
        body = line[:-tail]
        if (body[-65:-1] == prev and line[-tail:-67] == hash_field and body[-79:-65] == prev_field
                and line[-3:] == b'"}\n' and body[-1:] == b'"' and line.startswith(b'{"seq":%d,' % expected)
                and sha256(body).hexdigest().encode("ascii") == line[-67:-3]):
            if expected == next_mark:
                if line[-67:-3].decode("ascii") != expected_at[expected]:
                    return _bad(expected - 1, last_good_mark + 1, REWRITTEN,
                                f"record {expected} differs from the checkpoint taken when it was written: the log "
                                f"was rewritten (hashes recomputed) after record {last_good_mark}", checkpoints)
                last_good_mark = expected
                mark_index += 1
                next_mark = marks[mark_index] if mark_index < len(marks) else -1
            prev = line[-67:-3]
            expected += 1
            continue
        if line[-1:] != b"\n":
            torn = line  # the last line, unfinished
            break
        line = line[:-1]
        parts = split(line)
        if parts is None:
            return _bad(
                expected - 1,
                expected,
                EDITED,
                f"record {expected} is not a valid audit record (damaged or edited by hand)",
                checkpoints,
            )
        seq, body, prev_hash, own_hash = parts
        if seq != expected:
            return _misplaced(path, position, seq, expected, checkpoints)
        if digest_of(body) != own_hash:
            return _bad(
                expected - 1,
                expected,
                EDITED,
                f"the contents of record {seq} do not match its hash",
                checkpoints,
            )
        if prev_hash != prev:
            return _bad(
                expected - 1,
                max(1, seq - 1),
                EDITED,
                f"record {seq} does not link to record {seq - 1}: record {seq - 1} was "
                "changed and its hash recomputed, or replaced",
                checkpoints,
            )
        if seq == next_mark:
            if own_hash.decode("ascii") != expected_at[seq]:
                return _bad(
                    expected - 1,
                    last_good_mark + 1,
                    REWRITTEN,
                    f"record {seq} differs from the checkpoint taken when it was written: "
                    f"the log was rewritten (hashes recomputed) after record {last_good_mark}",
                    checkpoints,
                )
            last_good_mark = seq
            mark_index += 1
            next_mark = marks[mark_index] if mark_index < len(marks) else -1
        prev = own_hash
        expected += 1

    count = expected - 1
    if torn:
        return _bad(
            count,
            expected,
            TRUNCATED,
            f"the last record is incomplete ({len(torn)} bytes "
            "without an end of line): cut short by a crash or by hand",
            checkpoints,
            head=prev,
        )
    if marks and marks[-1] > count:
        return _bad(
            count,
            count + 1,
            TRUNCATED,
            f"records {count + 1} to {marks[-1]} are missing "
            f"(a checkpoint recorded record {marks[-1]})",
            checkpoints,
            head=prev,
        )
    return VerifyResult(
        True, count, head_seq=count, head_hash=prev.decode("ascii"), checkpoints=len(checkpoints)
    )


def _misplaced(
    path: Path, position: int, seq: int, expected: int, checkpoints: list[tuple[int, str]]
) -> VerifyResult:
    wanted = b'{"seq":%d,' % expected
    if seq < expected or _found_later(path, position, wanted):
        return _bad(
            expected - 1,
            expected,
            REORDERED,
            f"record {expected} is out of order (found record {seq} in its place)",
            checkpoints,
        )
    return _bad(
        expected - 1,
        expected,
        DELETED,
        f"record {expected} is missing (the next record is {seq})"
        if seq == expected + 1
        else f"records {expected} to {seq - 1} are missing",
        checkpoints,
    )


def _found_later(path: Path, position: int, prefix: bytes) -> bool:
    """Whether a line after line ``position`` starts with ``prefix`` (a second pass,
    on the failure path only)."""
    with open(path, "rb", buffering=READ_BUFFER) as handle:
        for index, line in enumerate(handle):
            if index > position and line.startswith(prefix):
                return True
    return False


def _bad(
    records: int,
    first_bad: int,
    reason: str,
    detail: str,
    checkpoints: list[tuple[int, str]],
    head: bytes | None = None,
) -> VerifyResult:
    return VerifyResult(
        False,
        records,
        first_bad,
        reason,
        detail,
        head_seq=records,
        head_hash=head.decode("ascii") if head else "",
        checkpoints=len(checkpoints),
    )
