"""The parameter checks of the fake Bot API: Telegram's HTML subset, text length and
inline keyboards, strict enough that a message the fake accepts, Telegram accepts."""

from __future__ import annotations

import json
import re
from typing import Any

ALLOWED_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "a",
        "code",
        "pre",
        "blockquote",
        "tg-emoji",
    }
)
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
MAX_TEXT = 4096
MAX_CALLBACK_DATA = 64
_TAG_NAME = re.compile(r"[a-zA-Z][a-zA-Z0-9-]*")
_ENTITY = re.compile(r"&(#[0-9]{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]{1,10});")


class BadRequest(Exception):
    """A 400 the fake answers, with Telegram's own wording."""

    def __init__(self, description: str, code: int = 400) -> None:
        super().__init__(description)
        self.description = description
        self.code = code


def utf16_length(text: str) -> int:
    """Telegram counts text length in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def html_to_plain(text: str) -> str:
    """Check ``text`` against Telegram's HTML parse mode and return the visible text."""

    def fail(reason: str, index: int) -> BadRequest:
        offset = len(text[:index].encode("utf-8"))
        return BadRequest(f"Bad Request: can't parse entities: {reason} at byte offset {offset}")

    out: list[str] = []
    stack: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "<":
            end = text.find(">", i)
            if end < 0:
                raise fail("Can't find end of the tag", i)
            inside = text[i + 1 : end]
            if inside.startswith("/"):
                name = inside[1:].strip().lower()
                if not stack or stack[-1] != name:
                    expected = f'"</{stack[-1]}>"' if stack else "nothing"
                    raise fail(f'Unmatched end tag "{name}", expected {expected}', i)
                stack.pop()
            else:
                match = _TAG_NAME.match(inside)
                name = match.group(0).lower() if match else ""
                if name not in ALLOWED_TAGS:
                    raise fail(f'Unsupported start tag "{name}"', i)
                attributes = inside[len(name) :].strip()
                if name == "a" and not attributes.startswith("href="):
                    raise fail('Tag "a" must have attribute "href"', i)
                if name == "span" and attributes != 'class="tg-spoiler"':
                    raise fail('Tag "span" must have class "tg-spoiler"', i)
                if (
                    name not in ("a", "span", "pre", "code", "tg-emoji", "blockquote")
                    and attributes
                ):
                    raise fail(f'Tag "{name}" must not have attributes', i)
                stack.append(name)
            i = end + 1
        elif char == "&":
            match = _ENTITY.match(text, i)
            if not match:
                raise fail("Character entity expected", i)
            body = match.group(1)
            if body.startswith("#x"):
                out.append(chr(int(body[2:], 16)))
            elif body.startswith("#"):
                out.append(chr(int(body[1:])))
            elif body in NAMED_ENTITIES:
                out.append(NAMED_ENTITIES[body])
            else:
                raise fail(f'Unsupported HTML entity "&{body};"', i)
            i = match.end()
        elif char == ">":
            raise fail("Unexpected end of tag", i)
        else:
            out.append(char)
            i += 1
    if stack:
        raise fail(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"', len(text))
    return "".join(out)


def check_text(params: dict[str, Any], key: str = "text") -> tuple[str, str]:
    """(source, visible text) of a message after Telegram's checks."""
    text = params.get(key)
    if not isinstance(text, str) or not text.strip():
        raise BadRequest("Bad Request: message text is empty")
    mode = params.get("parse_mode")
    if mode in (None, ""):
        plain = text
    elif str(mode).upper() == "HTML":
        plain = html_to_plain(text)
    else:
        raise BadRequest(f"Bad Request: unsupported parse_mode {mode!r} (the fake knows HTML only)")
    if not plain.strip():
        raise BadRequest("Bad Request: message text is empty")
    if utf16_length(plain) > MAX_TEXT:
        raise BadRequest("Bad Request: message is too long")
    return text, plain


def check_reply_markup(params: dict[str, Any]) -> dict[str, Any] | None:
    raw = params.get("reply_markup")
    if raw in (None, ""):
        return None
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError as exc:
            raise BadRequest("Bad Request: can't parse reply keyboard markup JSON object") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("inline_keyboard"), list):
        raise BadRequest("Bad Request: object expected as reply markup")
    for row in raw["inline_keyboard"]:
        if not isinstance(row, list):
            raise BadRequest('Bad Request: field "inline_keyboard" must be an Array of Array')
        for button in row:
            if (
                not isinstance(button, dict)
                or not isinstance(button.get("text"), str)
                or not button["text"]
            ):
                raise BadRequest(
                    "Bad Request: can't parse inline keyboard button: Text must be non-empty"
                )
            kinds = [k for k in ("callback_data", "url") if k in button]
            if len(kinds) != 1:
                raise BadRequest(
                    "Bad Request: can't parse inline keyboard button: "
                    "exactly one of callback_data, url expected"
                )
            data = button.get("callback_data")
            if data is not None and (
                not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA
            ):
                raise BadRequest("Bad Request: BUTTON_DATA_INVALID")
    return raw


def as_int(params: dict[str, Any], key: str, *, required: bool = True) -> int | None:
    value = params.get(key)
    if value in (None, ""):
        if required:
            raise BadRequest(
                f"Bad Request: {key} is empty"
                if key != "chat_id"
                else "Bad Request: chat_id is empty"
            )
        return None
    if isinstance(value, bool):
        raise BadRequest(f"Bad Request: invalid {key}")
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        if key == "chat_id":
            raise BadRequest("Bad Request: chat not found") from exc
        raise BadRequest(f"Bad Request: invalid {key}") from exc


def as_list(value: Any) -> list[Any] | None:
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise BadRequest("Bad Request: can't parse allowed_updates JSON array") from exc
    if not isinstance(value, list):
        raise BadRequest("Bad Request: allowed_updates must be an array")
    return value
