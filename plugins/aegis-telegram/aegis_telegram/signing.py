"""Callback data of the approval buttons: ``<action>.<approval id>.<mac>``, at most 64
bytes, with an HMAC bound to the approval, the action and the chat under a per-install
key, so data that was forged or taken from another approval does nothing."""

from __future__ import annotations

import base64
import errno
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import structlog

log = structlog.get_logger(__name__)

KEY_FILE = "telegram.key"
MAX_CALLBACK_BYTES = 64
MIN_MAC_CHARS = 16  # 96 bits

# One letter per button keeps room for the approval id.
ACTIONS = {"a": "approve", "d": "deny", "s": "session"}


@dataclass(frozen=True)
class ButtonPress:
    action: str  # approve | deny | session
    approval_id: str


class CallbackSigner:
    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("callback signing key too short")
        self._key = key

    def _mac(self, code: str, approval_id: str, chat_id: int, length: int) -> str:
        message = f"{code}\x1f{approval_id}\x1f{chat_id}".encode()
        digest = hmac.new(self._key, message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")[:length]

    def sign(self, action: str, approval_id: str, chat_id: int) -> str:
        code = next((c for c, name in ACTIONS.items() if name == action), None)
        if code is None:
            raise ValueError(f"unknown button action {action!r}")
        room = MAX_CALLBACK_BYTES - len(code) - len(approval_id.encode()) - 2
        if room < MIN_MAC_CHARS or "." in approval_id:
            raise ValueError(f"approval id {approval_id!r} does not fit in callback data")
        return f"{code}.{approval_id}.{self._mac(code, approval_id, chat_id, min(room, 43))}"

    def verify(self, data: object, chat_id: int) -> ButtonPress | None:
        """The press ``data`` stands for, or None when it is malformed or not ours."""
        if not isinstance(data, str) or len(data.encode("utf-8", "replace")) > MAX_CALLBACK_BYTES:
            return None
        parts = data.split(".")
        if len(parts) != 3 or parts[0] not in ACTIONS or not parts[1]:
            return None
        code, approval_id, mac = parts
        if len(mac) < MIN_MAC_CHARS:
            return None
        expected = self._mac(code, approval_id, chat_id, len(mac))
        if not hmac.compare_digest(expected.encode(), mac.encode()):
            return None
        return ButtonPress(ACTIONS[code], approval_id)


def load_key(home: Path) -> bytes:
    """The install's signing key from ``$AEGIS_HOME/telegram.key`` (created 0600 on
    first use). If it cannot be stored, a key for this process only: buttons sent
    before a restart then stop working, which fails closed."""
    path = home / KEY_FILE
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        key = secrets.token_bytes(32)
        try:
            home.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        except FileExistsError:
            return load_key(home)  # another process created it first
        except OSError as exc:
            log.warning("telegram.key_not_stored", path=str(path), error=exc.strerror)
            return key
        with os.fdopen(fd, "wb") as handle:
            handle.write(key)
            handle.flush()
            os.fsync(handle.fileno())
        return key
    except OSError as exc:
        reason = "it is a symbolic link" if exc.errno == errno.ELOOP else exc.strerror
        log.warning("telegram.key_unreadable", path=str(path), error=reason)
        return secrets.token_bytes(32)
    with os.fdopen(fd, "rb") as handle:
        key = handle.read()
    if len(key) < 16:
        log.warning("telegram.key_too_short", path=str(path))
        return secrets.token_bytes(32)
    return key
