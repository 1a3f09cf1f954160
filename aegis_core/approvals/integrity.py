"""Seals on approval and grant rows: an HMAC keyed with a secret that exists only in
the running daemon's memory (never on disk), so a row written behind the daemon's
back (the agent running ``sqlite3 aegis.db``) cannot carry a valid one.

A seal reads ``<key id>:<hex MAC>``. The key id tells a row sealed by an earlier
daemon (a restart draws a new key: such rows are no longer trusted, and say so)
from one that was never sealed by any daemon at all.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import json
import secrets
from typing import Any

from aegis_core.models import Approval
from aegis_core.store.interface import StoredApproval, StoredGrant


class Trust(str, enum.Enum):
    SEALED = "sealed"  # made by this daemon
    STALE = "stale"  # made by an earlier daemon: its key is gone
    FORGED = "forged"  # no seal, or one that does not match the row


class Sealer:
    """Makes and checks seals with a key drawn when it is created."""

    def __init__(self, key: bytes | None = None, key_id: str | None = None) -> None:
        # Without a key: one drawn now, in this daemon's memory only. Fleet mode passes
        # the fleet key, which every daemon of the fleet holds (docs/threat-model.md).
        self._key = key or secrets.token_bytes(32)
        self.key_id = key_id or secrets.token_hex(6)

    def _mac(self, kind: str, fields: list[Any]) -> str:
        body = json.dumps([kind, self.key_id, *fields], separators=(",", ":"), ensure_ascii=True,
                          default=str)
        digest = hmac.new(self._key, body.encode("ascii"), hashlib.sha256).hexdigest()
        return f"{self.key_id}:{digest}"

    def _check(self, seal: str, expected: str) -> Trust:
        if seal and hmac.compare_digest(seal, expected):
            return Trust.SEALED
        key_id, _, mac = seal.partition(":")
        if key_id and key_id != self.key_id and len(mac) == 64:
            return Trust.STALE
        return Trust.FORGED

    # -- approvals ---------------------------------------------------------------

    def seal_request(self, approval: Approval, signature: str) -> str:
        """What was asked: the call, its summary as the human sees it, the deadline."""
        return self._mac("request", [approval.id, approval.call_id, approval.session, approval.tool,
                                     approval.kind.value, approval.summary, signature,
                                     approval.created_at, approval.deadline_at, list(approval.choices)])

    def seal_ending(self, approval: Approval, outcome: str | None) -> str:
        """How it ended: status, outcome, scope, who and through which channel."""
        return self._mac("ending", [approval.id, approval.status.value, outcome, approval.scope.value,
                                    approval.decided_by, approval.channel, approval.choice,
                                    approval.decided_at])

    def check_request(self, stored: StoredApproval) -> Trust:
        return self._check(stored.seal, self.seal_request(stored.approval, stored.signature))

    def check_ending(self, stored: StoredApproval) -> Trust:
        return self._check(stored.final_seal, self.seal_ending(stored.approval, stored.outcome))

    def seal_vote(self, approval_id: str, voter: str, outcome: str) -> str:
        return self._mac("vote", [approval_id, voter, outcome])

    def check_vote(self, approval_id: str, voter: str, outcome: str, seal: str) -> Trust:
        return self._check(seal, self.seal_vote(approval_id, voter, outcome))

    # -- grants ------------------------------------------------------------------

    def seal_grant(self, session: str, signature: str, approval_id: str | None) -> str:
        return self._mac("grant", [session, signature, approval_id])

    def check_grant(self, grant: StoredGrant) -> Trust:
        return self._check(grant.seal, self.seal_grant(grant.session, grant.signature, grant.approval_id))
