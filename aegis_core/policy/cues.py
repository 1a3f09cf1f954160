"""Large alternations searched only where a match can begin. Python's ``re`` tries a
pattern that starts with ``\\b``, a lookbehind or a character class at every position
of the text, each try walking the whole alternation (for the big patterns that read
written code and instruction files, ~0.3-1 us a character: 20-60 ms for a 64 KB
file). Every match of such a pattern starts with one of a few literal words, and a
pattern made only of those words is found by ``re``'s prefix scan in C. ``Cued``
derives those words from the pattern itself (so they cannot drift apart), scans for
them, and matches the full pattern only where one starts: the same matches as
``pattern.search`` and ``pattern.finditer``, in the same order. Where the words are
everywhere and no match starts at them (``a.a.a.``), the plain search takes over, so
a cued search is never much slower than the plain one."""

from __future__ import annotations

import re
from collections.abc import Iterator
from re import _compiler as sre_compile  # type: ignore[attr-defined]
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]

_MAX_PREFIXES = 256  # past this many start words the cue would cost what it saves
# Words found where no match starts: past this many, and more than one every _DENSE
# characters, a try at each costs more than the plain search, which takes over.
_MISSES_BEFORE_PLAIN = 256
_DENSE = 4
_LONG_ENOUGH = 5  # a start word this long is rare enough in any text
_ZERO_WIDTH = (sre.AT, sre.ASSERT, sre.ASSERT_NOT)


def _starts(items: list, prefixes: list[str]) -> tuple[list[str], list[str]]:
    """The literal texts a match of the sequence ``items`` starts with, each after one of
    ``prefixes``: (words that cannot be extended further, words that what follows
    ``items`` extends). Anything not literal ends a word where it is."""
    done: list[str] = []
    words = prefixes
    for op, av in items:
        if any(len(w) >= _LONG_ENOUGH for w in words):  # longer words would find no fewer places
            done.extend(w for w in words if len(w) >= _LONG_ENOUGH)
            words = [w for w in words if len(w) < _LONG_ENOUGH]
        if not words:
            break
        if len(done) + len(words) > _MAX_PREFIXES:
            return done + words, []  # too many to go on: these words end here, unextended
        if op in _ZERO_WIDTH:
            continue  # matches no text: the words go on after it
        if op is sre.LITERAL:
            words = [w + chr(av) for w in words]
        elif op is sre.IN and len(av) <= 8 and all(kind is sre.LITERAL for kind, _ in av):
            words = [w + chr(c) for w in words for _, c in av]
        elif op is sre.SUBPATTERN and not av[1] and not av[2]:  # a group without inline flags
            ended, words = _starts(av[3], words)
            done.extend(ended)
        elif op is sre.BRANCH:
            going: list[str] = []
            for branch in av[1]:
                ended, more = _starts(branch, words)
                done.extend(ended)
                going.extend(more)
            words = going
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and av[0] == 0 and av[1] == 1:
            ended, more = _starts(av[2], words)  # `(?:shutil\.)?`: taken (its words end there) or skipped
            done.extend(ended + more)
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and av[0] >= 1:
            ended, more = _starts(av[2], words)
            done.extend(ended + more)
            words = []
        else:
            done.extend(words)
            words = []
    return done, words


def start_words(pattern: re.Pattern[str]) -> list[str] | None:
    """Literal words one of which every match of ``pattern`` starts with, or None when
    some match can start with anything (an empty word)."""
    parsed = sre_parse.parse(pattern.pattern, pattern.flags)
    ended, going = _starts(list(parsed), [""])
    words = ended + going
    if not words or "" in words or len(words) > _MAX_PREFIXES:
        return None
    shortest = sorted(set(words), key=len)
    kept: list[str] = []
    for word in shortest:  # a word that starts with a kept one finds nothing more
        if not word.startswith(tuple(kept)):
            kept.append(word)
    return sorted(kept, key=lambda w: (-len(w), w))


# Letters ``re`` matches case-insensitively with others that ``str.lower`` does not turn
# into them (the long s and ``s``, the Kelvin sign and ``k``, the sigmas...).
_OTHER_CASES = re.compile("[" + "".join(re.escape(chr(c)) for pair in sre_compile._EXTRA_CASES.items()
                                         for c in (pair[0], *pair[1]) if c > 127) + "]")
# (the text last lowered, its lowered form): one tuple, read and replaced whole, so a
# thread judging another call never pairs a text with another text's lowered form.
_lowered_last: list[tuple[str, str]] = [("", "")]
# ...and the letters beyond ASCII that re folds with an ASCII one (the dotless i and
# `i`, the long s and `s`): a word holding one is not found in a lower-cased text of
# plain ASCII that the pattern matches (`(?i)\u017f` matches `s`).
_ASCII_FOLDED = frozenset(chr(c) for pair in sre_compile._EXTRA_CASES.items() for c in (pair[0], *pair[1])
                          if c > 127 and any(o < 128 for o in (pair[0], *pair[1])))


def _lowered(text: str) -> str | None:
    """``text`` lower-cased, when that is where a case-insensitive pattern matches
    (same length, no letter ``re`` folds otherwise); None when it is not."""
    last = _lowered_last[0]
    if last[0] is text:
        return last[1]
    low = text.lower()
    if len(low) != len(text) or (not text.isascii() and _OTHER_CASES.search(text)):
        return None
    _lowered_last[0] = (text, low)
    return low


class Cued:
    """``pattern`` searched through a scan for the words its matches start with."""

    __slots__ = ("cue", "lowered", "pattern")

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        words = start_words(pattern)
        if words is not None and any(len(w) == 1 and w.isascii() and w.isalnum() for w in words):
            words = None  # a letter or digit is found nearly everywhere: the plain search is as fast
        # A case-insensitive pattern's words are looked for, lower-cased, in the lower-cased
        # text: ``re`` finds a case-sensitive word list with its fast prefix scan.
        self.lowered = bool(pattern.flags & re.IGNORECASE)
        if words and self.lowered:
            if any(len(c.lower()) != 1 or c in _ASCII_FOLDED for w in words for c in w):
                words = None  # lower-casing would not find every place the pattern matches
            else:
                words = sorted({w.lower() for w in words}, key=lambda w: (-len(w), w))
        self.cue = re.compile("|".join(re.escape(w) for w in words)) if words else None

    def _scanned(self, text: str) -> str | None:
        """The text the words are looked for in, or None to search the plain way."""
        if self.cue is None:
            return None
        return _lowered(text) if self.lowered else text

    def search(self, text: str) -> re.Match[str] | None:
        for found in self.finditer(text):
            return found
        return None

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        scanned = self._scanned(text)
        if scanned is None or self.cue is None:
            yield from self.pattern.finditer(text)
            return
        at, match, cue_search = 0, self.pattern.match, self.cue.search
        misses = 0
        while True:
            cue = cue_search(scanned, at)
            if cue is None:
                return
            found = match(text, cue.start())
            if found is None:
                misses += 1
                if misses >= _MISSES_BEFORE_PLAIN and misses * _DENSE > cue.start():
                    # The words are everywhere here (`a.a.a.`): the plain search is no slower
                    # than a try at each of them.
                    yield from self.pattern.finditer(text, cue.start() + 1)
                    return
                at = cue.start() + 1  # a word may also start inside the one just found
                continue
            yield found
            at = found.end() if found.end() > found.start() else found.start() + 1
