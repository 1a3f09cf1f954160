"""Checking an audit log: every record's own hash, the link to the one before, the
sequence, and the heads recorded in the checkpoint file. Names the first bad record
and why: edited, deleted, reordered, truncated tail, rewritten after a checkpoint.
Reads the log as a stream: a million records verify in a few megabytes."""

from __future__ import annotations

import itertools
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from hashlib import sha256
from itertools import repeat
from operator import itemgetter, methodcaller
from pathlib import Path
from typing import IO, Any

from aegis_core.audit import chain

BLOCK = 1 << 20
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
    conflict = _conflicting_heads(checkpoint_path, checkpoints)
    if conflict is not None:
        return conflict
    walk = _Walk(path, checkpoints)
    try:
        handle = open(path, "rb", buffering=0)
    except FileNotFoundError:
        return walk.finish(b"")
    with handle:
        blocks = _Blocks(handle)
        for lines in blocks:
            failure = walk.block(lines)
            if failure is not None:
                return failure
        return walk.finish(blocks.rest)


def _conflicting_heads(path: Path, checkpoints: list[tuple[int, str]]) -> VerifyResult | None:
    """A record checkpointed twice with different hashes: at most one can be the
    record that was written, and which one the file cannot tell (the writer records
    the same head twice only when nothing was appended between, so both lines agree)."""
    first_line: dict[int, tuple[int, str]] = {}
    for number, (seq, digest) in enumerate(checkpoints, 1):
        earlier = first_line.setdefault(seq, (number, digest))
        if earlier[1] != digest:
            return VerifyResult(
                False, 0, seq, BAD_CHECKPOINT,
                f"lines {earlier[0]} and {number} of {path} record different hashes for record {seq} "
                f"({earlier[1][:12]}... and {digest[:12]}...): the checkpoint file or the log was "
                "edited",
                checkpoints=len(checkpoints),
            )
    return None


class _Blocks:
    """The log's complete lines, without their newlines, about a megabyte at a time;
    what follows the last newline (an unfinished record) is left in ``rest``."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.rest = b""

    def __iter__(self) -> Iterator[list[bytes]]:
        read = self.handle.read
        pending: list[bytes] = []  # the start of a line that began in an earlier block
        while chunk := read(BLOCK):
            lines = chunk.split(b"\n")
            if len(lines) == 1:
                pending.append(chunk)
                continue
            if pending:
                pending.append(lines[0])
                lines[0] = b"".join(pending)
            last = lines.pop()
            pending = [last] if last else []
            yield lines
        self.rest = b"".join(pending)


# A record line (without its newline) ends in a fixed layout: the link to the record
# before, its own hash, and the labels around them (154 bytes):
#     ,"prev_hash":"<64 hex>","hash":"<64 hex>"}
# and the hash is that of everything before ',"hash":'.
_PREV_LABEL = chain.PREV_FIELD.decode("ascii")
_HASH_LABEL = '"' + chain.HASH_FIELD.decode("ascii")
_END_THEN_PREV_LABEL = '"}' + _PREV_LABEL
_TAIL = itemgetter(slice(-(len(_PREV_LABEL) + len(_HASH_LABEL) + 2 * chain.HASH_LEN + 2), None))
_BODY = itemgetter(slice(None, -chain.SUFFIX_LEN))
_HEX = methodcaller("hexdigest")
_SEQ_PREFIX = chain.SEQ_PREFIX + b"%d,"


class _Walk:
    """Where verification stands: the next sequence number, the hash the next record
    must link to, and the checkpoints still ahead."""

    def __init__(self, path: Path, checkpoints: list[tuple[int, str]]) -> None:
        self.path = path
        self.checkpoints = checkpoints
        # Checkpoints by sequence (a head recorded twice agrees with itself: checked
        # before the walk); the empty chain before record 1 has nothing to check.
        self.expected_at: dict[int, bytes] = {
            seq: digest.encode("ascii") for seq, digest in checkpoints if seq > 0
        }
        self.marks = sorted(self.expected_at)
        self.mark_index = 0
        self.last_good_mark = 0
        self.prev = chain.GENESIS.encode("ascii")
        self.expected = 1
        self.position = 0  # lines before the current block

    @property
    def next_mark(self) -> int:
        return self.marks[self.mark_index] if self.mark_index < len(self.marks) else -1

    def block(self, lines: list[bytes]) -> VerifyResult | None:
        """Check a block of lines: the failure found, or None with the walk moved on."""
        if not self._whole(lines):
            failure = self._each(lines)
            if failure is not None:
                return failure
        self.position += len(lines)
        return None

    def _whole(self, lines: list[bytes]) -> bool:
        """Whether every line of the block is a good record, next in sequence and
        linked to the one before. Checked across the block at once: each line's tail
        and start are compared, all joined, with what they must be, built from the
        hashes of the bodies and the sequence numbers (a few C calls for thousands of
        records). Moves the walk on only when all hold; a False says nothing more:
        ``_each`` finds what is wrong and where."""
        count = len(lines)
        if min(map(len, lines)) < chain.MIN_LINE:
            return False
        # Each record's hash is the SHA-256 of its body, and its prev_hash the hash of
        # the record before: the tails must read  ,"prev_hash":"<p>","hash":"<d1>"}
        # ,"prev_hash":"<d1>","hash":"<d2>"} ...  (an equal join of tails no longer
        # than the layout means every tail is whole and in place).
        digests = list(map(_HEX, map(sha256, map(_BODY, lines))))
        pieces = zip(repeat(_HASH_LABEL), digests, repeat(_END_THEN_PREV_LABEL), digests)
        links = "".join(itertools.chain.from_iterable(pieces))
        tails = _PREV_LABEL + self.prev.decode("ascii") + links[: -len(_PREV_LABEL) - chain.HASH_LEN]
        if b"".join(map(_TAIL, lines)) != tails.encode("ascii"):
            return False
        # Each starts with its sequence number, the one after the record before.
        first, end = self.expected, self.expected + count
        width = len(str(first))
        if width == len(str(end - 1)):
            starts = '{"seq":' + ',{"seq":'.join(map(str, range(first, end))) + ","
            start = itemgetter(slice(0, len(chain.SEQ_PREFIX) + width + 1))
            if b"".join(map(start, lines)) != starts.encode("ascii"):
                return False
        elif not all(map(bytes.startswith, lines, map(_SEQ_PREFIX.__mod__, range(first, end)))):
            return False  # (the block where the numbers grow a digit)
        stop = bisect_left(self.marks, end, self.mark_index)
        for seq in self.marks[self.mark_index : stop]:
            if digests[seq - first].encode("ascii") != self.expected_at[seq]:
                return False
        if stop > self.mark_index:
            self.last_good_mark, self.mark_index = self.marks[stop - 1], stop
        self.prev, self.expected = digests[-1].encode("ascii"), end
        return True

    def _each(self, lines: list[bytes]) -> VerifyResult | None:
        """The block a line at a time, saying exactly what is wrong with the first bad
        record (the slow path: only a damaged block takes it)."""
        for index, line in enumerate(lines):
            expected = self.expected
            parts = chain.split(line)
            if parts is None:
                return self._bad(
                    expected,
                    EDITED,
                    f"record {expected} is not a valid audit record (damaged or edited by hand)",
                )
            seq, body, prev_hash, own_hash = parts
            if seq != expected:
                return self._misplaced(self.position + index, seq)
            if chain.digest(body) != own_hash:
                return self._bad(expected, EDITED, f"the contents of record {seq} do not match its hash")
            if prev_hash != self.prev:
                return self._bad(
                    max(1, seq - 1),
                    EDITED,
                    f"record {seq} does not link to record {seq - 1}: record {seq - 1} was "
                    "changed and its hash recomputed, or replaced",
                )
            if seq == self.next_mark:
                if own_hash != self.expected_at[seq]:
                    return self._bad(
                        self.last_good_mark + 1,
                        REWRITTEN,
                        f"record {seq} differs from the checkpoint taken when it was written: "
                        f"the log was rewritten (hashes recomputed) after record {self.last_good_mark}",
                    )
                self.last_good_mark = seq
                self.mark_index += 1
            self.prev = own_hash
            self.expected += 1
        return None

    def finish(self, torn: bytes) -> VerifyResult:
        """The result once every complete line passed; ``torn`` is what followed the
        last newline."""
        count = self.expected - 1
        if torn:
            return self._bad(
                self.expected,
                TRUNCATED,
                f"the last record is incomplete ({len(torn)} bytes "
                "without an end of line): cut short by a crash or by hand",
                head=self.prev,
            )
        if self.marks and self.marks[-1] > count:
            return self._bad(
                count + 1,
                TRUNCATED,
                f"records {count + 1} to {self.marks[-1]} are missing "
                f"(a checkpoint recorded record {self.marks[-1]})",
                head=self.prev,
            )
        return VerifyResult(
            True, count, head_seq=count, head_hash=self.prev.decode("ascii"), checkpoints=len(self.checkpoints)
        )

    def _misplaced(self, position: int, seq: int) -> VerifyResult:
        expected = self.expected
        if seq < expected or _found_later(self.path, position, _SEQ_PREFIX % expected):
            return self._bad(
                expected, REORDERED, f"record {expected} is out of order (found record {seq} in its place)"
            )
        return self._bad(
            expected,
            DELETED,
            f"record {expected} is missing (the next record is {seq})"
            if seq == expected + 1
            else f"records {expected} to {seq - 1} are missing",
        )

    def _bad(self, first_bad: int, reason: str, detail: str, head: bytes | None = None) -> VerifyResult:
        records = self.expected - 1
        return VerifyResult(
            False,
            records,
            first_bad,
            reason,
            detail,
            head_seq=records,
            head_hash=head.decode("ascii") if head else "",
            checkpoints=len(self.checkpoints),
        )


def _found_later(path: Path, position: int, prefix: bytes) -> bool:
    """Whether a line after line ``position`` starts with ``prefix`` (a second pass,
    on the failure path only)."""
    with open(path, "rb", buffering=READ_BUFFER) as handle:
        for index, line in enumerate(handle):
            if index > position and line.startswith(prefix):
                return True
    return False
