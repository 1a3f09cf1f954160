"""Secret and PII redaction, applied before anything is logged, audited or sent to a
phone. Patterns are linear-time (no nested quantifiers) and inputs are length-capped
by the callers that show them.

Redaction runs once per piece of text: a quick look for the marks every secret
pattern needs (``sk-``, ``://``, ``token``...) lets the nearly all text that has
none through untouched; the rest is scanned once by one pattern holding every
family; and what :func:`redact_text` returns is a :class:`Redacted` string that
later passes (the audit writer, the store) skip."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

MASK = "***REDACTED***"

# Values that are secrets wherever they appear, each with a mark the text must hold
# for it to match at all (case-sensitive).
_TOKENS: tuple[tuple[str, str], ...] = (
    # Telegram bot token, also inside a Bot API URL (".../bot123:AA.../getMe"), where
    # \b would not match between "bot" and the digits. (Its mark is a digit and a colon.)
    (":", r"(?<![0-9])\d{6,12}:[A-Za-z0-9_-]{35}(?![A-Za-z0-9_-])"),
    ("sk-", r"\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{16,}"),  # OpenAI / Anthropic keys
    ("_", r"\b(?:ghp|gho|ghu|ghs|ghr|github_pat)_[A-Za-z0-9_]{20,}"),  # GitHub
    ("xox", r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),  # Slack
    ("AKIA", r"\bAKIA[0-9A-Z]{16}\b"),  # AWS access key id
    ("EAA", r"\bEAA[A-Za-z0-9]{30,}"),  # Meta / WhatsApp Cloud API tokens
    ("AIza", r"\bAIza[0-9A-Za-z_-]{35}\b"),  # Google API key
    ("-----BEGIN", r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]{0,8192}?-----END [A-Z ]*PRIVATE KEY-----"),
    ("eyJ", r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),  # JWT
)
_DIGIT_COLON = re.compile(r"\d:")  # a Telegram bot token's mark, more exactly
_GITHUB_MARKS = ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_")

# URLs with credentials: https://user:pass@host
_URL_CREDENTIALS = r"(?P<url>\b[a-z][a-z0-9+.-]*://[^\s/:@]+:)(?P<url_value>[^\s/@]+)@"

# `Authorization: Bearer x`, `password=x`, `--token x`, `API_KEY="x"`, `"token": "x"`:
# keep the name, mask the value. A flag starts a word (`--token`), never sits inside
# one (`non-secret token`). Each with the lower-case marks one of which it needs.
_HEADER = (r"(?i:(?P<header>\b(?:authorization|proxy-authorization)\s*[:=]\s*(?:bearer|basic|token)?\s*)"
           r"(?P<header_value>VALUE))")
_NAMED = (r"(?i:(?P<named>\b[\w.-]*(?:token|secret|passw(?:or)?d|passwd|api[_-]?key|access[_-]?key|"
          r"private[_-]?key)[\w.-]*['\"]?\s*[:=]\s*['\"]?)(?P<named_value>VALUE_TO_AMPERSAND))")
_FLAG = (r"(?i:(?P<flag>(?<![\w-])--?(?:token|password|passwd|secret|api-key|access-token)[ =]['\"]?)"
         r"(?P<flag_value>VALUE))")
_NAMED_MARKS = ("token", "secret", "passw", "key")
_FLAG_MARKS = ("token", "passw", "secret", "api-key")

# An address ends where its top-level domain's letters end (not at a word boundary:
# `bob@example.comAPI_KEY=x` has none there, and would keep the address whole).
_EMAIL_SOURCE = r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,24}(?![A-Za-z])"
_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])" + _EMAIL_SOURCE)
_WHOLE_EMAIL = re.compile(_EMAIL_SOURCE)
# The start of a secret's name run into the end of an address (`...@example.compassword=`).
_SECRET_NAME_START = re.compile(r"(?i)token|secret|passw|api[_-]?key|access[_-]?key|private[_-]?key")


def _value(run: str, tokens: str) -> str:
    """A value to mask: a run of ``run`` characters, stretched over any token that
    starts in it (a private key's body runs past the first space:
    `"private_key": "-----BEGIN ...`)."""
    return f"(?:{run}*?(?:{tokens}){run}*|{run}+)" if tokens else f"{run}+"


@functools.lru_cache(maxsize=256)
def _pattern(families: frozenset[str]) -> re.Pattern[str]:
    """One pattern for every family that may be in a text, so the text is scanned
    once (issue 15: eleven passes per text cost more than judging the call); a family
    whose mark the text lacks could not match, so it is left out (the fewer the
    alternatives, the faster the scan). Where two alternatives match at the same
    place the earlier wins: tokens, then credentials in URLs, then assignments."""
    tokens = "|".join(source for mark, source in _TOKENS if mark in families)
    value, value_to_ampersand = _value(r"[^\s'\"]", tokens), _value(r"[^\s'\"&]", tokens)
    alternatives = [f"(?P<token>{tokens})"] if tokens else []
    alternatives += [source.replace("VALUE_TO_AMPERSAND", value_to_ampersand).replace("VALUE", value)
                     for name, source in (("://", _URL_CREDENTIALS), ("header", _HEADER), ("named", _NAMED),
                                          ("flag", _FLAG))
                     if name in families]
    return re.compile("|".join(alternatives))


def _families(text: str) -> frozenset[str]:
    """The families whose marks ``text`` holds (their names in :func:`_pattern`)."""
    found = {mark for mark, _ in _TOKENS if mark not in (":", "_") and mark in text}
    if ":" in text and _DIGIT_COLON.search(text):
        found.add(":")
    if "_" in text and any(mark in text for mark in _GITHUB_MARKS):
        found.add("_")
    if "://" in text:
        found.add("://")
    lower = text.lower()
    if "authorization" in lower:
        found.add("header")
    if any(mark in lower for mark in _NAMED_MARKS):
        found.add("named")
        if any(mark in lower for mark in _FLAG_MARKS):
            found.add("flag")
    return frozenset(found)


_TOKENS_ONLY = _pattern(frozenset(mark for mark, _ in _TOKENS))

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

_SECRET_KEY_NAMES = re.compile(r"(?i)(token|secret|passw|api[_-]?key|authorization|private[_-]?key|cookie)")


class Redacted(str):
    """Text that has been through :func:`redact_text`: redacting it again is a no-op."""

    __slots__ = ()


def redact_text(text: str, *, pii: bool = False) -> str:
    """Mask secrets in free text; with ``pii`` also e-mail addresses, after the
    secrets (an address run into a secret's name must not hide the secret's value)."""
    if not text or (type(text) is Redacted and not pii):
        return text
    families = _families(text)
    masked = _pattern(families).sub(_mask, text) if families else text
    if not pii:
        return Redacted(masked)
    return _EMAIL.sub(_mask_email, masked) if "@" in masked else masked


def _mask_email(match: re.Match[str]) -> str:
    """``***EMAIL***``; when a secret's name runs straight into the address's end
    (``bob@example.compassword=``), the name stays, after the mask."""
    address = match.group()
    at = address.index("@")
    last_label = address.rfind(".") + 1
    text, end = match.string, match.end()
    for name in _SECRET_NAME_START.finditer(text, match.start() + last_label, end + 20):
        if name.start() >= end:
            break
        cut = name.start() - match.start()
        cut = cut - 1 if cut == last_label else cut  # `.password=`: the dot goes with the name
        if _WHOLE_EMAIL.fullmatch(address, 0, cut) and cut > at:
            return "***EMAIL***" + address[cut:]
    return "***EMAIL***"


def _mask(match: re.Match[str]) -> str:
    kind = match.lastgroup
    if kind == "token":
        return MASK
    if kind == "email":
        return "***EMAIL***"
    if kind == "url_value":
        # The user part may itself be a token (https://ghp_...:x-oauth-basic@github.com).
        return f"{_TOKENS_ONLY.sub(MASK, match.group('url'))}{MASK}@"
    assert kind is not None and kind.endswith("_value")
    name_group = kind.removesuffix("_value")
    name, value = match.group(name_group), match.group(kind)
    # A name is words, dots and dashes: a token can still hide in it (ghp_..._token=).
    name = _TOKENS_ONLY.sub(MASK, name)
    if (value == MASK or value.startswith("$")
            or (name_group != "header" and (_reads_as_prose(name, value) or _is_count(name, value)))):
        # Already masked, a variable reference, a word of a sentence or a count: the
        # value is no secret itself, but may still hold one of the other families.
        return name + match.re.sub(_mask, value)
    return f"{name}{MASK}"


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
