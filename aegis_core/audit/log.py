"""The audit log writer: appends hash-chained records to ``audit.log`` (0600,
``O_APPEND``), serialised across threads and processes with ``flock``, each record
on disk (fdatasync) before ``append`` returns. Chain heads go to a separate
checkpoint file so a rewrite of the whole log can be told from the real one."""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from aegis_core.audit import chain
from aegis_core.audit.verify import VerifyResult, verify
from aegis_core.errors import StateCorruption
from aegis_core.models import AuditEvent, AuditRecord
from aegis_core.redact import redact_value

DEFAULT_CHECKPOINT_EVERY = 32
_TAIL_CHUNK = 65536


def default_checkpoint_path(path: Path) -> Path:
    return path.with_name(path.stem + ".checkpoint")


class AuditLog:
    """One audit log file. Any number of AuditLog objects, in any number of
    threads and processes, may append to the same file at once."""

    def __init__(
        self,
        path: Path,
        checkpoint_path: Path | None = None,
        *,
        checkpoint_every: int = DEFAULT_CHECKPOINT_EVERY,
    ) -> None:
        self.path = Path(path)
        self.checkpoint_path = (
            Path(checkpoint_path) if checkpoint_path else default_checkpoint_path(self.path)
        )
        self.checkpoint_every = checkpoint_every
        self._thread_lock = threading.Lock()
        self._fd: int | None = None
        self._pid = 0
        self._size = -1
        self._head = (0, chain.GENESIS)
        self._since_checkpoint = 0

    # ------------------------------------------------------------ writing

    def append(self, event: AuditEvent) -> AuditRecord:
        """Chain ``event`` onto the log and make it durable; details are redacted."""
        return self.append_many([event])[-1]

    def append_many(self, events: list[AuditEvent]) -> list[AuditRecord]:
        """Chain ``events`` onto the log with one write and one fdatasync (group
        commit); details are redacted (values already redacted pass untouched).
        Returns their records (after an ``audit.recovered`` one when a torn record
        from a crash had to be cut first)."""
        records: list[AuditRecord] = []
        lines: list[bytes] = []
        with self._locked() as fd:
            head = self._head
            try:
                dropped = self._refresh_head(fd)
                if dropped:
                    # A crash left half a record (never acknowledged): say so in the chain.
                    self._chain(lines, records, "audit.recovered", None, time.time(), {
                        "dropped_bytes": dropped,
                        "why": "an unfinished record from an interrupted writer was removed",
                    })
                for event in events:
                    self._chain(lines, records, event.event, event.session, event.time,
                                redact_value(dict(event.details)))
                blob = b"".join(lines)
                data = memoryview(blob)
                while data:
                    data = data[os.write(fd, data):]
                os.fdatasync(fd)
            except BaseException:
                # Nothing of this batch is acknowledged; the next append re-reads the
                # head (and cuts any partial line) from the file itself.
                self._head, self._size = head, -1
                raise
            self._size += len(blob)
            self._since_checkpoint += len(records)
            if self._since_checkpoint >= self.checkpoint_every:
                # Not synced: losing a checkpoint in a power cut only loses evidence,
                # and the records it names are already on disk.
                self._write_checkpoint(sync=False)
        return records

    def _chain(self, lines: list[bytes], records: list[AuditRecord], event: str,
               session: str | None, when: float, details: dict) -> None:
        seq, prev = self._head
        line, digest = chain.encode(seq + 1, when, session, event, details, prev)
        lines.append(line)
        self._head = (seq + 1, digest)
        records.append(AuditRecord(seq=seq + 1, time=when, event=event, session=session,
                                   details=details, prev_hash=prev, hash=digest))

    def head(self) -> tuple[int, str]:
        """The sequence number and hash of the last record (0 and the genesis hash
        for an empty log)."""
        with self._locked() as fd:
            self._refresh_head(fd, repair=False)
            return self._head

    def checkpoint(self) -> tuple[int, str]:
        """Record the current head in the checkpoint file (synced) and return it."""
        with self._locked() as fd:
            self._refresh_head(fd, repair=False)
            self._write_checkpoint(sync=True)
            return self._head

    def _write_checkpoint(self, *, sync: bool) -> None:
        seq, digest = self._head
        self._since_checkpoint = 0
        if seq == 0:
            return
        line = f"{seq} {digest} {time.time():.6f}\n".encode("ascii")
        fd = os.open(
            self.checkpoint_path,
            os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC,
            0o600,
        )
        try:
            os.write(fd, line)
            if sync:
                os.fdatasync(fd)
        finally:
            os.close(fd)

    def verify(self) -> VerifyResult:
        return verify(self.path, self.checkpoint_path)

    def close(self) -> None:
        with self._thread_lock:
            if self._fd is not None and self._pid == os.getpid():
                os.close(self._fd)
            self._fd = None

    # ----------------------------------------------------------- plumbing

    @contextmanager
    def _locked(self) -> Iterator[int]:
        with self._thread_lock:
            fd = self._open()
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                yield fd
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)

    def _open(self) -> int:
        # After a fork the inherited descriptor shares its flock with the parent,
        # which would let both write at once: a child opens its own.
        if self._fd is not None and self._pid == os.getpid():
            return self._fd
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(
            self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600
        )
        if os.fstat(fd).st_mode & 0o077:
            os.fchmod(fd, 0o600)
        self._fd, self._pid, self._size = fd, os.getpid(), -1
        return fd

    def _refresh_head(self, fd: int, *, repair: bool = True) -> int:
        """Re-read the head if another writer appended since we last looked.
        Returns how many bytes of a torn final record were cut off."""
        size = os.fstat(fd).st_size
        if size == self._size:
            return 0
        if size == 0:
            self._head, self._size = (0, chain.GENESIS), 0
            return 0
        start = max(0, size - _TAIL_CHUNK)
        tail = os.pread(fd, size - start, start)
        dropped = 0
        if not tail.endswith(b"\n"):
            cut = tail.rfind(b"\n")
            keep = start + cut + 1 if cut >= 0 else (0 if start == 0 else None)
            if keep is None:
                raise StateCorruption(
                    f"the audit log {self.path} ends in an over-long broken line",
                    hint="run `aegis audit verify`, then move the log aside",
                )
            if not repair:
                tail = tail[: cut + 1] if cut >= 0 else b""
                size = keep
            else:
                dropped = size - keep
                os.ftruncate(fd, keep)
                tail, size = (tail[: cut + 1] if cut >= 0 else b""), keep
        last = tail[:-1].rsplit(b"\n", 1)[-1] if tail else b""
        if not last:
            self._head, self._size = (0, chain.GENESIS), size
            return dropped
        parts = chain.split(last)
        if parts is None:
            raise StateCorruption(
                f"the last record of the audit log {self.path} is damaged, "
                "so the chain cannot go on",
                hint="run `aegis audit verify` to see what changed, then move the log aside "
                "(a fresh one starts on the next event)",
            )
        self._head, self._size = (parts[0], parts[3].decode("ascii")), size
        return dropped
