"""Secret and PII redaction, applied before anything is logged, audited or sent to a
phone. Patterns are linear-time (no nested quantifiers) and inputs are length-capped
by the callers that show them.

Redaction runs once per piece of text: a quick look for the marks every secret
pattern needs (``sk-``, ``://``, ``token``...) lets the nearly all text that has
none through untouched, and what :func:`redact_text` returns is a
:class:`Redacted` string that later passes (the audit writer, the store) skip."""

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

# `Authorization: Bearer x`, `password=x`, `--token x`, `API_KEY="x"`, `"token": "x"`:
# keep the name, mask the value. A flag starts a word (`--token`), never sits inside
# one (`non-secret token`).
_ASSIGNMENT = re.compile(
    r"(?i)(\b(?:authorization|proxy-authorization)\s*[:=]\s*(?:bearer|basic|token)?\s*)"
    r"([^\s'\"]+)"
    r"|(\b[\w.-]*(?:token|secret|passw(?:or)?d|passwd|api[_-]?key|access[_-]?key|private[_-]?key)[\w.-]*"
    r"['\"]?\s*[:=]\s*['\"]?)([^\s'\"&]+)"
    r"|((?<![\w-])--?(?:token|password|passwd|secret|api-key|access-token)[ =]['\"]?)([^\s'\"]+)"
)
# Words that follow "password:" or "--token" in a sentence, not as its value ("the
# token: it is in the vault", "--token is required"). A value right after `=` or `:`
# with no space (`PASSWORD=hunter`, `"token":"x"`) is masked whatever it looks like.
_PROSE_WORDS = frozenset("""
a an the this that these those it its is are was were be been being am do does did
to of in on at by for from with without as into onto about over under than then
and or but nor not no yes if when while where which who whom whose what why how
you your yours we our ours they their them he she his her i me my mine us
will would can could should shall may might must need needs needed required
optional missing empty none null nil unset given here there now later again
also only just still too very so such same other another each every any all some
one two first last next new old value values field fields flag flags option options
argument arguments parameter parameters variable variables setting settings file files
see use used using uses stored kept saved sent read written shown passed please note
""".split())

# URLs with credentials: https://user:pass@host
_URL_CREDENTIALS = re.compile(r"(\b[a-z][a-z0-9+.-]*://[^\s/:@]+:)([^\s/@]+)(@)")

_EMAIL = re.compile(r"\b[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,24}\b")

_SECRET_KEY_NAMES = re.compile(r"(?i)(token|secret|passw|api[_-]?key|authorization|private[_-]?key|cookie)")


class Redacted(str):
    """Text that has been through :func:`redact_text`: redacting it again is a no-op."""

    __slots__ = ()


# Marks at least one of which every pattern above needs: text with none of them holds
# nothing to mask (case-sensitive ones, then lower-case ones of the assignments).
_MARKS = ("sk-", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "xox", "AKIA", "EAA", "AIza",
          "-----BEGIN", "eyJ", "://")
_LOWER_MARKS = ("token", "secret", "passw", "key", "authorization")
_DIGIT_COLON = re.compile(r"\d:")  # a Telegram bot token


def _may_hold_secret(text: str) -> bool:
    for mark in _MARKS:
        if mark in text:
            return True
    if ":" in text and _DIGIT_COLON.search(text):
        return True
    lower = text.lower()
    return any(mark in lower for mark in _LOWER_MARKS)


def redact_text(text: str, *, pii: bool = False) -> str:
    """Mask secrets in free text; with ``pii`` also e-mail addresses."""
    if not text or (type(text) is Redacted and not pii):
        return text
    if not pii and not _may_hold_secret(text):
        return Redacted(text)
    for pattern in _TOKEN_PATTERNS:
        text = pattern.sub(MASK, text)
    text = _URL_CREDENTIALS.sub(lambda m: f"{m.group(1)}{MASK}{m.group(3)}", text)
    text = _ASSIGNMENT.sub(_mask_assignment, text)
    if pii:
        text = _EMAIL.sub("***EMAIL***", text)
        return text
    return Redacted(text)


def _mask_assignment(match: re.Match[str]) -> str:
    for name_group in (1, 3, 5):
        name = match.group(name_group)
        if name is not None:
            value = match.group(name_group + 1)
            if value == MASK or value.startswith("$"):
                # Already masked, or a variable reference that holds no secret itself.
                return match.group(0)
            if name_group != 1 and (_reads_as_prose(name, value) or _is_count(name, value)):
                return match.group(0)
            return f"{name}{MASK}"
    return match.group(0)  # pragma: no cover


def _reads_as_prose(name: str, value: str) -> bool:
    """``the token: it is...`` in a sentence rather than ``token=x`` in a command: a
    space before the value, and the value an ordinary word. Then nothing is masked."""
    if not name[-1:].isspace():
        return False  # `password=x`, `--token=x`, `"token":"x"`, `token: "x"`: a value
    return value.rstrip(".,;:!?)").lower() in _PROSE_WORDS


def _is_count(name: str, value: str) -> bool:
    """``max_tokens: 1024``, ``input_tokens=87``: a number of tokens, not a token."""
    return value.isdigit() and "tokens" in name.lower()


def is_secret_key(key: str) -> bool:
    return bool(_SECRET_KEY_NAMES.search(key))


# Keys whose values are ids and names of states Aegis made itself: nothing to redact.
SAFE_KEYS = frozenset({"call_id", "approval_id", "kind", "status", "decision", "scope", "outcome",
                       "action", "source", "risk", "seq", "channel"})


def redact_value(value: Any, *, pii: bool = False, _depth: int = 0) -> Any:
    """Redact strings inside nested dicts/lists; values under secret-named keys are
    masked whole; ids and states (:data:`SAFE_KEYS`) and text already redacted pass."""
    if _depth > 20:
        return MASK
    if isinstance(value, str):
        return redact_text(value, pii=pii)
    if isinstance(value, Mapping):
        return {
            k: (v if k in SAFE_KEYS and not pii
                else MASK if isinstance(k, str) and is_secret_key(k) and v not in (None, "", [], {})
                else redact_value(v, pii=pii, _depth=_depth + 1))
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact_value(v, pii=pii, _depth=_depth + 1) for v in value]
    return value
