"""Secret and PII redaction, applied before anything is logged, audited or sent to a
phone. Patterns are linear-time (no nested quantifiers) and inputs are length-capped
by the callers that show them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

MASK = "***REDACTED***"

# Values that are secrets wherever they appear.
_TOKEN_PATTERNS: tuple[re.Pattern[str], ...] = (
    # Telegram bot token, also inside a Bot API URL (".../bot123:AA.../getMe"), where
    # \b would not match between "bot" and the digits.
    re.compile(r"(?<![0-9])\d{6,12}:[A-Za-z0-9_-]{35}(?![A-Za-z0-9_-])"),
    re.compile(r"\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{16,}"),  # OpenAI / Anthropic keys
    re.compile(r"\b(?:ghp|gho|ghu|ghs|ghr|github_pat)_[A-Za-z0-9_]{20,}"),  # GitHub
    re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),  # Slack
    re.compile(r"\bAKIA[0-9A-Z]{16}\b"),  # AWS access key id
    re.compile(r"\bEAA[A-Za-z0-9]{30,}"),  # Meta / WhatsApp Cloud API tokens
    re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"),  # Google API key
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]{0,8192}?-----END [A-Z ]*PRIVATE KEY-----"),
    re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),  # JWT
)

# `Authorization: Bearer x`, `password=x`, `--token x`, `API_KEY="x"`: keep the name, mask the value.
_ASSIGNMENT = re.compile(
    r"(?i)(\b(?:authorization|proxy-authorization)\s*[:=]\s*(?:bearer|basic|token)?\s*)"
    r"([^\s'\"]+)"
    r"|(\b[\w.-]*(?:token|secret|passw(?:or)?d|passwd|api[_-]?key|access[_-]?key|private[_-]?key)[\w.-]*"
    r"\s*[:=]\s*['\"]?)([^\s'\"&]+)"
    r"|(--?(?:token|password|passwd|secret|api-key|access-token)[ =]['\"]?)([^\s'\"]+)"
)
# URLs with credentials: https://user:pass@host
_URL_CREDENTIALS = re.compile(r"(\b[a-z][a-z0-9+.-]*://[^\s/:@]+:)([^\s/@]+)(@)")

_EMAIL = re.compile(r"\b[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,24}\b")

_SECRET_KEY_NAMES = re.compile(r"(?i)(token|secret|passw|api[_-]?key|authorization|private[_-]?key|cookie)")


def redact_text(text: str, *, pii: bool = False) -> str:
    """Mask secrets in free text; with ``pii`` also e-mail addresses."""
    if not text:
        return text
    for pattern in _TOKEN_PATTERNS:
        text = pattern.sub(MASK, text)
    text = _URL_CREDENTIALS.sub(lambda m: f"{m.group(1)}{MASK}{m.group(3)}", text)
    text = _ASSIGNMENT.sub(_mask_assignment, text)
    if pii:
        text = _EMAIL.sub("***EMAIL***", text)
    return text


def _mask_assignment(match: re.Match[str]) -> str:
    for name_group in (1, 3, 5):
        if match.group(name_group) is not None:
            value = match.group(name_group + 1)
            if value == MASK or value.startswith("$"):
                # Already masked, or a variable reference that holds no secret itself.
                return match.group(0)
            return f"{match.group(name_group)}{MASK}"
    return match.group(0)  # pragma: no cover


def is_secret_key(key: str) -> bool:
    return bool(_SECRET_KEY_NAMES.search(key))


def redact_value(value: Any, *, pii: bool = False, _depth: int = 0) -> Any:
    """Redact strings inside nested dicts/lists; values under secret-named keys are masked whole."""
    if _depth > 20:
        return MASK
    if isinstance(value, str):
        return redact_text(value, pii=pii)
    if isinstance(value, Mapping):
        return {
            k: (MASK if isinstance(k, str) and is_secret_key(k) and v not in (None, "", [], {})
                else redact_value(v, pii=pii, _depth=_depth + 1))
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact_value(v, pii=pii, _depth=_depth + 1) for v in value]
    return value
