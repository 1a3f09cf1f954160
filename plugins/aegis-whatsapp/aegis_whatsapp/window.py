"""The 24-hour customer-service window of each approver's number, as last seen by the
running channel, kept in ``$AEGIS_HOME/whatsapp-state.json`` so ``aegis doctor`` (another
process) can report it."""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

STATE_FILE = "whatsapp-state.json"
WINDOW_SECONDS = 24 * 60 * 60
# After a template went out and nobody answered, wait this long before another.
TEMPLATE_INTERVAL = 10 * 60


@dataclass
class NumberWindow:
    last_inbound: float | None = None  # the user last wrote to us (opens the window)
    last_refused: float | None = None  # the API last refused a free-form message
    last_delivered: float | None = None  # a free-form message last went through
    last_template: float | None = None  # the template last went out


@dataclass
class WindowTracker:
    path: Path | None = None
    numbers: dict[str, NumberWindow] = field(default_factory=dict)
    webhook: str | None = None
    pid: int | None = None

    def _of(self, number: str) -> NumberWindow:
        return self.numbers.setdefault(number, NumberWindow())

    def inbound(self, number: str, at: float | None = None) -> None:
        self._of(number).last_inbound = time.time() if at is None else at
        self.save()

    def refused(self, number: str, at: float | None = None) -> None:
        self._of(number).last_refused = time.time() if at is None else at
        self.save()

    def delivered(self, number: str, at: float | None = None) -> None:
        self._of(number).last_delivered = time.time() if at is None else at
        self.save()

    def template_sent(self, number: str, at: float | None = None) -> None:
        self._of(number).last_template = time.time() if at is None else at
        self.save()

    def state(self, number: str, now: float | None = None) -> str:
        return window_state(self.numbers.get(number), time.time() if now is None else now)

    def template_due(self, number: str, now: float | None = None) -> bool:
        """Whether to send the template now: not if one went out since the user last
        wrote and only a short while ago (each template costs the user a message)."""
        now = time.time() if now is None else now
        window = self._of(number)
        if window.last_template is None:
            return True
        answered_since = window.last_inbound is not None and window.last_inbound > window.last_template
        return answered_since or now - window.last_template >= TEMPLATE_INTERVAL

    def to_dict(self) -> dict[str, Any]:
        return {
            "pid": self.pid,
            "webhook": self.webhook,
            "updated": time.time(),
            "numbers": {number: asdict(window) for number, window in self.numbers.items()},
        }

    def save(self) -> None:
        """Write the state file atomically, owner-only; a failure only loses the report."""
        if self.path is None:
            return
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
            with os.fdopen(fd, "w") as handle:
                json.dump(self.to_dict(), handle)
            os.replace(tmp, self.path)
        except OSError:
            tmp.unlink(missing_ok=True)


def window_state(window: NumberWindow | None, now: float) -> str:
    """``open``, ``closed`` or ``unknown`` (never written to, nothing sent yet)."""
    if window is None:
        return "unknown"
    opened = window.last_inbound
    if window.last_refused is not None and (opened is None or window.last_refused > opened):
        return "closed"
    if opened is not None:
        return "open" if now - opened < WINDOW_SECONDS else "closed"
    if window.last_delivered is not None:
        # Delivered without us seeing the user write (e.g. before a restart): open then.
        return "open" if now - window.last_delivered < WINDOW_SECONDS else "unknown"
    return "unknown"


def load_state(home: Path) -> WindowTracker | None:
    """The state the running (or last) channel wrote, or None if there is none."""
    try:
        data = json.loads((home / STATE_FILE).read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    numbers = {}
    for number, raw in (data.get("numbers") or {}).items():
        if isinstance(raw, dict):
            known = {
                k: v
                for k, v in raw.items()
                if k in NumberWindow.__dataclass_fields__ and (v is None or isinstance(v, int | float))
            }
            numbers[str(number)] = NumberWindow(**known)
    return WindowTracker(path=None, numbers=numbers, webhook=data.get("webhook"), pid=data.get("pid"))
