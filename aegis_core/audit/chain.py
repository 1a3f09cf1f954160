"""The byte layout of one audit record and its hash, shared by the writer and the
verifier. A record is one line of JSON whose last field is its own hash::

    {"seq":N,"time":T,"session":S,"event":E,"details":D,"prev_hash":"<64 hex>","hash":"<64 hex>"}

``hash`` is the SHA-256 of the bytes before ``,"hash":``, so verifying a line needs
one slice and one digest, not a JSON round trip.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from aegis_core.models import AuditRecord

HASH_LEN = 64
GENESIS = "0" * HASH_LEN
HASH_FIELD = b',"hash":"'
PREV_FIELD = b',"prev_hash":"'
# ,"hash":"<64>"}  after the body
SUFFIX_LEN = len(HASH_FIELD) + HASH_LEN + 2
SEQ_PREFIX = b'{"seq":'
# The shortest line that can be a record: '{"seq":N,' and the fields it must have.
MIN_LINE = SUFFIX_LEN + 90


# One encoder for every record: json.dumps with these options builds a new one per call
# (three per record, on the path of every decision's answer). Same bytes.
_dump = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"), sort_keys=True, default=str).encode


def encode(
    seq: int,
    time: float,
    session: str | None,
    event: str,
    details: Mapping[str, Any],
    prev_hash: str,
) -> tuple[bytes, str]:
    """The line (with its newline) for a record, and the record's hash."""
    body = (
        f'{{"seq":{seq},"time":{time!r},"session":{_dump(session)},"event":{_dump(event)},'
        f'"details":{_dump(details)},"prev_hash":"{prev_hash}"'
    ).encode("ascii")
    digest = hashlib.sha256(body).hexdigest()
    return body + HASH_FIELD + digest.encode("ascii") + b'"}\n', digest


def split(line: bytes) -> tuple[int, bytes, bytes, bytes] | None:
    """``(seq, body, prev_hash, hash)`` of a line (without its newline), or None when
    it does not have the record layout at all."""
    if len(line) < MIN_LINE or not line.startswith(SEQ_PREFIX) or not line.endswith(b'"}'):
        return None
    body = line[:-SUFFIX_LEN]
    if line[-SUFFIX_LEN : -SUFFIX_LEN + len(HASH_FIELD)] != HASH_FIELD:
        return None
    if body[-79:-65] != PREV_FIELD or body[-1:] != b'"':
        return None
    comma = line.find(b",", 7, 40)
    try:
        seq = int(line[7:comma])
    except ValueError:
        return None
    return seq, body, body[-65:-1], line[-66:-2]


def digest(body: bytes) -> bytes:
    return hashlib.sha256(body).hexdigest().encode("ascii")


def parse(line: bytes) -> AuditRecord:
    """A full record from a line (raises ValueError when it is not one)."""
    data = json.loads(line)
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    return AuditRecord(
        seq=int(data["seq"]),
        time=float(data["time"]),
        event=str(data["event"]),
        session=data.get("session"),
        details=data.get("details") or {},
        prev_hash=str(data["prev_hash"]),
        hash=str(data["hash"]),
    )
