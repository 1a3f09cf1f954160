"""What the daemon records about a session's sandbox: the ``sandbox`` field of
``session.create``, checked and trimmed. A client that does not say is recorded as
unsandboxed (never assumed to be contained)."""

from __future__ import annotations

from typing import Any

NOT_SAID = "the client did not say whether it sandboxed the agent (not started by aegis wrap?)"


def session_sandbox(value: Any) -> dict[str, Any]:
    """The sandbox record of a session, from the request's ``sandbox`` field."""
    if not isinstance(value, dict) or not isinstance(value.get("sandboxed"), bool):
        return {"sandboxed": False, "backend": None, "reason": NOT_SAID}
    out: dict[str, Any] = {"sandboxed": value["sandboxed"], "backend": _text(value.get("backend"))}
    if not value["sandboxed"]:
        out["reason"] = _text(value.get("reason")) or "no reason given"
        out["chosen_by_user"] = value.get("chosen_by_user") is True
    for key in ("network_allow", "agent_hosts"):
        entries = value.get(key)
        if isinstance(entries, list):
            out[key] = [str(entry)[:300] for entry in entries[:500]]
    limits = value.get("limits")
    if isinstance(limits, dict):
        out["limits"] = {str(k)[:40]: str(v)[:80] for k, v in list(limits.items())[:10]}
    return out


def _text(value: Any) -> str | None:
    return str(value)[:500] if value is not None else None
