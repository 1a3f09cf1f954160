"""``aegis audit verify --fleet``: every machine's shipped chain checked in the fleet
store (each record's hash, its link to the one before, no missing sequence numbers),
gaps (a machine whose records stopped arriving) and divergence (a shipped record
that differs from the chain it claims to be part of, or from this machine's own log)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from aegis_core.audit import chain
from aegis_core.fleet.shipping import records_after

STALE_AFTER_S = 300.0


@dataclass
class MachineChain:
    machine: str
    ok: bool = True
    records: int = 0
    head_seq: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)

    def problem(self, kind: str, seq: int | None, detail: str) -> None:
        self.ok = False
        self.problems.append({"kind": kind, "seq": seq, "detail": detail})


def verify_fleet(store: Any, *, local_machine: str | None = None, local_log: Path | None = None,
                 stale_after_s: float = STALE_AFTER_S, now: float | None = None) -> list[MachineChain]:
    """One result per machine the fleet store knows (``store``: a PostgresStore)."""
    now = time.time() if now is None else now
    results = []
    for machine in store.machines():
        name = machine["name"]
        result = MachineChain(name)
        _check_chain(store, name, result)
        local_seq = int(machine.get("audit_seq") or 0)
        if local_seq > result.head_seq:
            result.problem("gap", result.head_seq + 1,
                           f"{name}'s log has {local_seq} records but the fleet store only {result.head_seq}: "
                           "its records stopped arriving (is its daemon reaching the fleet store?)")
        last_seen = float(machine.get("last_seen") or 0)
        if last_seen and now - last_seen > stale_after_s:
            result.problems.append({"kind": "silent", "seq": None,
                                    "detail": f"no contact from {name} for {int(now - last_seen)} s"})
        if name == local_machine and local_log is not None:
            _compare_local(store, name, local_log, result)
        results.append(result)
    return results


def _check_chain(store: Any, machine: str, result: MachineChain) -> None:
    previous_seq, previous_hash = 0, chain.GENESIS
    for row in _shipped(store, machine):
        seq, line = int(row["seq"]), str(row["line"]).encode("ascii", "replace")
        result.records += 1
        parts = chain.split(line)
        if parts is None or parts[0] != seq:
            result.problem("divergence", seq, "the shipped record is not a well-formed audit record")
        elif chain.digest(parts[1]).decode() != parts[3].decode() or parts[3].decode() != row["hash"]:
            result.problem("divergence", seq, "the shipped record was changed after it was written "
                                              "(its hash does not match its content)")
        elif seq != previous_seq + 1:
            result.problem("gap", previous_seq + 1,
                           f"records {previous_seq + 1}..{seq - 1} never reached the fleet store")
        elif parts[2].decode() != previous_hash or row["prev_hash"] != previous_hash:
            result.problem("divergence", seq, "the record does not follow the one before it in the chain")
        previous_seq, previous_hash = seq, row["hash"]
        result.head_seq = seq


def _shipped(store: Any, machine: str) -> Iterator[Any]:
    """One machine's shipped records in order, a page at a time (a fleet log can be long)."""
    after = 0
    while rows := store.shipped_records(machine, after=after):
        yield from rows
        after = int(rows[-1]["seq"])


def _compare_local(store: Any, machine: str, path: Path, result: MachineChain) -> None:
    """This machine's own log against what it shipped: a record edited on either side shows."""
    shipped = {int(row["seq"]): str(row["line"]) for row in _shipped(store, machine)}
    for _, (seq, _digest, _prev, line) in records_after(path, 0):
        if seq in shipped and shipped[seq] != line:
            result.problem("divergence", seq, f"record {seq} of this machine's log differs from the copy "
                                              "shipped to the fleet store")
            return


def to_dicts(results: list[MachineChain]) -> list[dict[str, Any]]:
    return [asdict(r) for r in results]
