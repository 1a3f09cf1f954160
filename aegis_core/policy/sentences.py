"""The sentence around a place in a text, found once per sentence. The steering reader
asks, for each match it finds, whether the sentence around it forbids what it names;
looking back and forth from each match to the sentence's ends (and for a missing
``?``, back to the start of the text) cost a 64 KB text of one long sentence, or of
many matches, the text's length per match: ``blocked retry `` repeated to 64 KB took
over a minute. Each sentence is now found once, and what a question about it answers
is kept, so a text costs its length once, whatever it holds."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable

_FIRST_LOOK = 256  # how far the first look back or ahead reaches; each next one four times further


class Sentences:
    """The sentences of ``text``, ended by any of ``stops`` (single characters): each
    found when a place in it is first asked about."""

    __slots__ = ("_answers", "_his", "_los", "stops", "text")

    def __init__(self, text: str, stops: str) -> None:
        self.text, self.stops = text, stops
        self._los: list[int] = []  # per sentence found, sorted: the stop before it (-1: none)
        self._his: list[int] = []  # ...and the stop that ends it (len(text): none)
        self._answers: dict[tuple[object, int, int], object] = {}

    def _around(self, at: int) -> tuple[int, int]:
        """(the last stop before ``at`` or -1, the first stop at or after ``at`` or the
        text's length)."""
        i = bisect_right(self._los, at - 1) - 1
        if i >= 0 and at <= self._his[i]:
            return self._los[i], self._his[i]
        text, stops = self.text, self.stops
        lo, size = -1, _FIRST_LOOK
        while True:  # looks back further and further: a sentence costs its own length
            begin = max(0, at - size)
            lo = max(text.rfind(c, begin, at) for c in stops)
            if lo >= 0 or begin == 0:
                break
            size *= 4
        hi, size = -1, _FIRST_LOOK
        while True:
            end = min(len(text), at + size)
            found = [i for i in (text.find(c, at, end) for c in stops) if i >= 0]
            if found or end == len(text):
                hi = min(found) if found else len(text)
                break
            size *= 4
        j = bisect_right(self._los, lo)
        self._los.insert(j, lo)
        self._his.insert(j, hi)
        return lo, hi

    def start(self, at: int) -> int:
        """Where the sentence holding the character before ``at`` starts (as
        ``max(text.rfind(c, 0, at) for c in stops) + 1``)."""
        return self._around(at)[0] + 1

    def end(self, at: int) -> int:
        """Where the sentence holding ``at`` ends: the first stop at or after it, or the
        text's end (as the least ``text.find(c, at)`` found)."""
        return self._around(at)[1]

    def first(self, pattern: re.Pattern[str], start: int, end: int) -> re.Match[str] | None:
        """``pattern.search(text, start, end)``, searched once per (pattern, start, end)."""
        key = (pattern, start, end)
        if key not in self._answers:
            self._answers[key] = pattern.search(self.text, start, end)
        found = self._answers[key]
        return found if isinstance(found, re.Match) else None

    def answer(self, question: Callable[[str], bool], start: int, end: int) -> bool:
        """``question(text[start:end])``, asked once per (question, start, end)."""
        key = (question, start, end)
        if key not in self._answers:
            self._answers[key] = question(self.text[start:end])
        return bool(self._answers[key])


# (the text, its stops, its sentences) last read: one tuple, read and replaced whole, so a
# thread judging another call never pairs a text with another text's sentences.
_last: list[tuple[str, str, Sentences]] = [("", "", Sentences("", "."))]


def sentences(text: str, stops: str) -> Sentences:
    """The sentences of ``text``, kept while the same text is read."""
    last = _last[0]
    if last[0] is text and last[1] == stops:
        return last[2]
    found = Sentences(text, stops)
    _last[0] = (text, stops, found)
    return found


def forbids_before(found_sentences: Sentences, negation: re.Pattern[str], start: int, at: int) -> bool:
    """Whether ``negation`` matches in ``text[start:at]`` (as searching that slice
    answers), where ``start`` is the start of the sentence holding ``at``: from the
    sentence's leftmost match of it, searched once. A match in the slice is a match in
    the sentence, or one that only the slice's end lets end at ``at`` (``no`` of
    ``nobypass...``: a fixed word, shorter than _EDGE); either lies after the leftmost
    one's start, so only the few characters from there are searched again."""
    text = found_sentences.text
    end = found_sentences.end(start)
    if at > end:
        return negation.search(text, start, at) is not None
    first = found_sentences.first(negation, start, end)
    if first is None or first.start() >= at:
        return negation.search(text, max(start, at - _EDGE), at) is not None
    if first.end() <= at:
        return True
    return negation.search(text, first.start(), at) is not None


_EDGE = 16  # longer than any negation word that could end where a match starts inside a word
