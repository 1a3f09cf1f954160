"""Approvals in one place: the pure rules (:mod:`.rules`), the seals that tell the
daemon's own rows from forged ones (:mod:`.integrity`), and :class:`Approvals`, the
one object every transition goes through (:mod:`.lifecycle`)."""

from aegis_core.approvals.integrity import Sealer, Trust
from aegis_core.approvals.lifecycle import Approvals
from aegis_core.approvals.rules import ApprovalRules, call_signature, paused_verdict

__all__ = ["ApprovalRules", "Approvals", "Sealer", "Trust", "call_signature", "paused_verdict"]
