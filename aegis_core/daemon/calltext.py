"""A call's text as Aegis records it, redacted once and reused by the audit log,
the store and the approval message: the summary, the input as JSON, and for a large
input its size and SHA-256 instead of the whole (the audit log and the database keep
a bounded preview; the digest identifies the exact input)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from typing import Any

from aegis_core.models import ToolCall
from aegis_core.redact import redact_text, redact_value

SUMMARY_LIMIT = 2000
# Inputs larger than this (as JSON) are stored as a preview plus their digest.
INPUT_LIMIT = 64 * 1024
PREVIEW = 4096
# Built once (json.dumps with options builds an encoder per call, on every decision's
# path): the input as the agent sent it, for its size; and as the store keeps it.
_AS_SENT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str).encode
_AS_STORED = json.JSONEncoder(ensure_ascii=True, default=str).encode


class BadText(ValueError):
    """The input holds text that is not valid Unicode (e.g. a lone surrogate)."""


@dataclass(frozen=True)
class CallText:
    summary: str
    input_json: str
    input_bytes: int
    input_sha256: str | None = None

    @classmethod
    def of(cls, call: ToolCall) -> CallText:
        """Redact ``call`` once. Raises BadText when its input is not valid Unicode."""
        raw = _AS_SENT(call.input)
        try:
            size = len(raw.encode("utf-8"))
        except UnicodeEncodeError as exc:
            raise BadText(f"the tool input holds text that is not valid Unicode ({exc.reason} at "
                          f"character {exc.start})") from None
        if size <= INPUT_LIMIT:
            clean = redact_value(dict(call.input))
            # Nothing masked (most calls): the call's own summary is the redacted one.
            summary = _short((call if clean == call.input else replace(call, input=clean)).summary())
            return cls(summary, _AS_STORED(clean), size)
        digest = hashlib.sha256(raw.encode("utf-8")).hexdigest()
        summary = redact_text(_short(call.summary(), SUMMARY_LIMIT + 200))[:SUMMARY_LIMIT]
        preview = redact_text(raw[: PREVIEW + 200])[:PREVIEW]
        stub = {"_aegis_large_input": True, "bytes": size, "sha256": digest, "preview": preview}
        return cls(summary, json.dumps(stub, ensure_ascii=True), size, digest)

    def digest_details(self) -> dict[str, Any]:
        """Size and digest of a large input, for the audit record (empty otherwise)."""
        if self.input_sha256 is None:
            return {}
        return {"input_bytes": self.input_bytes, "input_sha256": self.input_sha256}

    def details(self, call: ToolCall) -> dict[str, Any]:
        """What every audit record about the call says of it."""
        return {"call_id": call.id, "agent": call.agent, "tool": call.tool, "kind": call.kind.value,
                "summary": self.summary, "cwd": redact_text(call.cwd), **self.digest_details()}


def _short(text: str, limit: int = SUMMARY_LIMIT) -> str:
    return text if len(text) <= limit else f"{text[: limit // 2]} … {text[-limit // 2 :]}"
