"""The tamper-evident audit log: a hash-chained, append-only file of what Aegis saw
and decided, its checkpoints, and the verifier that names the first bad record."""

from aegis_core.audit.chain import GENESIS
from aegis_core.audit.log import AuditLog, default_checkpoint_path
from aegis_core.audit.verify import VerifyResult, read_checkpoints, verify

__all__ = [
    "GENESIS",
    "AuditLog",
    "VerifyResult",
    "default_checkpoint_path",
    "read_checkpoints",
    "verify",
]
