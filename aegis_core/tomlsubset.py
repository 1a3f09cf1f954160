"""The plain TOML that ``config.toml`` holds (``[section]`` tables of ``key = value``
with strings, integers, booleans and one-line arrays of them), read without
``tomllib``: importing it costs ``aegis status`` more than the rest of its start-up.

:func:`parse` answers only what it reads exactly as ``tomllib`` would; anything else
(floats, dates, escapes, multi-line or inline values, a repeated key, an error) gives
None, and the caller hands the text to ``tomllib``, which reads it or says what is
wrong. So there is one reading of a file and one set of error messages; a test
compares the two on generated files."""

from __future__ import annotations

# Not `from typing import ...`: loading typing costs the quick commands (aegis
# status, aegis approvals list) a visible share of their start-up.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


_BARE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_DIGITS = frozenset("0123456789")
_FORBIDDEN = frozenset(chr(c) for c in (*range(0x00, 0x09), *range(0x0A, 0x20), 0x7F))


def parse(text: str) -> dict[str, Any] | None:
    """The document ``text`` holds when it is plain TOML, else None."""
    if "\r" in text:
        return None
    document: dict[str, Any] = {}
    table = document
    for raw in text.split("\n"):
        if not _FORBIDDEN.isdisjoint(raw):
            return None
        line = raw.strip(" \t")
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            name, rest = _header(line)
            if name is None or not _only_comment(rest) or name in document:
                return None
            table = document[name] = {}
            continue
        key, equals, rest = line.partition("=")
        key = key.strip(" \t")
        if not equals or not _bare(key) or key in table:
            return None
        value, rest = _value(rest.lstrip(" \t"))
        if value is None or not _only_comment(rest):
            return None
        table[key] = value
    return document


def _bare(key: str) -> bool:
    return bool(key) and _BARE.issuperset(key)


def _only_comment(rest: str) -> bool:
    rest = rest.lstrip(" \t")
    return not rest or rest.startswith("#")


def _header(line: str) -> tuple[str | None, str]:
    """``[name]``'s name and what follows it; None for an array of tables, a dotted
    or quoted name."""
    if line.startswith("[["):
        return None, ""
    end = line.find("]")
    if end < 0:
        return None, ""
    name = line[1:end].strip(" \t")
    return (name if _bare(name) else None), line[end + 1:]


def _value(text: str) -> tuple[Any, str]:
    """The value at the start of ``text`` and what follows it; (None, "") when it is
    not a plain one."""
    if text.startswith("["):
        items: list[Any] = []
        rest = text[1:].lstrip(" \t")
        while not rest.startswith("]"):
            item, rest = _scalar(rest)
            if item is None or (items and type(item) is not type(items[0])):
                return None, ""
            items.append(item)
            rest = rest.lstrip(" \t")
            if rest.startswith(","):
                rest = rest[1:].lstrip(" \t")
            elif not rest.startswith("]"):
                return None, ""
        return items, rest[1:]
    return _scalar(text)


def _scalar(text: str) -> tuple[Any, str]:
    if text[:1] in ('"', "'"):
        quote = text[0]
        if text.startswith(quote * 3):
            return None, ""  # a multi-line string
        end = text.find(quote, 1)
        body = text[1:end]
        if end < 0 or (quote == '"' and "\\" in body):
            return None, ""  # escapes: tomllib reads them
        return body, text[end + 1:]
    word = text
    for stop in (" ", "\t", ",", "]", "#"):
        cut = word.find(stop)
        if cut >= 0:
            word = word[:cut]
    rest = text[len(word):]
    if word in ("true", "false"):
        return word == "true", rest
    digits = word[1:] if word[:1] in ("+", "-") else word
    if digits and _DIGITS.issuperset(digits) and (digits == "0" or not digits.startswith("0")):
        return int(word), rest
    return None, ""
