"""Several case-insensitive patterns searched through one scan of the words their
matches start with, at a bounded cost whatever the text holds.

Python's ``re`` has no fast scan for many words at once: a pattern starting with a
large alternation is tried at every character (~0.3-1 us each, 20-60 ms for a 64 KB
instruction file), and one scan per pattern (``cues.Cued``) still reads the text once
per pattern, ~1 ms each on text whose letters start many of the words (random letters,
ordinary prose). Here every start word of every pattern (``cues.start_words``) is put
in one Aho-Corasick automaton (``pyahocorasick``, in C): the text, folded the way
``(?i)`` folds it, is read once (~0.4 ms for 64 KB, whatever the number of words), and
each pattern is matched only where one of its own words starts. The matches are those
of ``pattern.finditer``; the first accepted one is the answer.

The work a text can ask for is counted: each word found is a unit, each place a
pattern is tried at ``TRY_UNITS``, each match judged by its ``accept`` ``ACCEPT_UNITS``
(about what each costs, in steps of ~0.25 us). Past the budget the search stops and
its caller fails closed: a text made of trigger words over and over, or of words that
start no match (``xignore xignore``), costs the budget, not its length times the
patterns."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from operator import itemgetter
from re import _compiler as sre_compile  # type: ignore[attr-defined]
from typing import Generic, TypeVar

import ahocorasick_rs

from aegis_core.policy.cues import _AT_BOUNDARY, _MARKS, _NOT_AFTER_WORD, _ODD_CASES, case_variants, start_words

_T = TypeVar("_T")

# What each step costs, in units of the budget (a word found in the one scan is one).
TRY_UNITS = 4
ACCEPT_UNITS = 16


class OutOfWork(Exception):
    """A text asked for more work than the search was given."""


# Letters that ``(?i)`` matches with others that ``str.lower`` does not turn into the
# same letter (the Kelvin sign and ``k``, the long s and ``s``, the dotted capital I,
# the Greek and Cyrillic letters with a second small form), with every letter of their
# groups: each is read as the smallest lower-case letter of its group, so that a word
# and a text that ``(?i)`` matches fold to the same letters.
def _fold_table() -> dict[int, str]:
    seeds = {chr(c) for pair in sre_compile._EXTRA_CASES.items() for c in (pair[0], *pair[1])} | set(_ODD_CASES)
    group: set[str] = set()
    for seed in seeds:
        group |= case_variants(seed)
    table: dict[int, str] = {}
    for char in group:
        canon = min(low for low in (v.lower() for v in case_variants(char)) if len(low) == 1)
        if canon != char:
            table[ord(char)] = canon
    return table


_FOLD = _fold_table()
_FOLDED_AWAY = re.compile("[" + "".join(sorted(re.escape(chr(c)) for c in _FOLD if c > 127)) + "]")


def folded(text: str) -> str:
    """``text`` as ``(?i)`` compares it, one character for one: lower-cased, and each
    letter with other case forms (see _fold_table) as the one its group is read as."""
    if text.isascii():
        return text.lower()
    # One replace per such letter held (str.translate looks each character of a text
    # beyond ASCII up in the table in Python's terms: ~10 ms for 64 KB).
    for odd in set(_FOLDED_AWAY.findall(text)):
        text = text.replace(odd, _FOLD[ord(odd)])
    low = text.lower()
    if len(low) != len(text):  # no letter but U+0130 lowers to two (test_policy_wordscan), and it is folded above
        low = "".join(char if len(char.lower()) != 1 else char.lower() for char in text)
    return low


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"  # ``\w`` of a str pattern


class WordScan(Generic[_T]):
    """``searches`` (case-insensitive patterns, each with what decides whether a match of
    it is a finding: ``accept`` returns not None) searched for the first finding in a
    text: the earliest match that its ``accept`` takes, the first pattern first where
    two start at the same place. ``gates``: per search, words one of which every match
    holds (lower-cased, anywhere in it): a search whose words the text lacks is not
    made."""

    def __init__(self, searches: Sequence[tuple[re.Pattern[str], Callable[[re.Match[str]], _T | None]]],
                 gates: Sequence[tuple[str, ...]] = ()) -> None:
        self.searches = list(searches)
        self.gates = list(gates) or [()] * len(self.searches)
        broken = [word for gate in self.gates for word in gate if len(f"a{word}a".splitlines()) != 1]
        if broken:  # the gates are looked for in the text's distinct lines
            raise ValueError(f"gate words must not hold a line break: {broken!r}")
        if len(self.searches) > _SEARCHES:
            raise ValueError(f"more than {_SEARCHES} searches")
        for pattern, _ in self.searches:
            if not pattern.flags & re.IGNORECASE or start_words(pattern) is None:
                raise ValueError(f"not case-insensitive, or a match can start with anything: {pattern.pattern[:60]!r}")
        self._starts: ahocorasick_rs.AhoCorasick | None = None

    # Built on first use: building costs a module load a few milliseconds.
    def _build(self) -> ahocorasick_rs.AhoCorasick:
        places: dict[str, dict[int, bool]] = {}  # folded start word -> search -> only where no word char precedes
        for index, (pattern, _) in enumerate(self.searches):
            for word in start_words(pattern, marked=True) or ():
                plain = word.lstrip(_MARKS)
                apart = word[0] == _NOT_AFTER_WORD or (word[0] == _AT_BOUNDARY and _is_word_char(plain[0]))
                searches = places.setdefault(folded(plain), {})
                searches[index] = searches.get(index, True) and apart
        words = sorted(places)
        self._longest = max(map(len, words))
        self._searched_from = [tuple(sorted(places[word].items())) for word in words]
        # A gate word is looked for as its words (runs without whitespace), each in the
        # text's distinct words: held when all are (a superset of where it is held).
        parts: dict[str, int] = {}
        self._gate_needs: list[tuple[frozenset[int], frozenset[int]]] = []  # (parts, searches it opens)
        for index, gate in enumerate(self.gates):
            for word in gate:
                needed = frozenset(parts.setdefault(part, len(parts)) for part in folded(word).split())
                self._gate_needs.append((needed, frozenset((index,))))
        self._gate_words = _automaton(list(parts)) if parts else None
        self._longest_gate = max(map(len, parts), default=1)
        self._ungated = frozenset(index for index, gate in enumerate(self.gates) if not gate)
        self._starts = starts = _automaton(words)
        return starts

    def _open(self, low: str, left: float) -> tuple[frozenset[int], float]:
        """The searches whose gate the text passes (each gate word's words found in the
        text), and the work left: each gate word found is a unit, so that a text made of
        gate words is given up on. (Read whole: keeping each distinct word once first
        cost more, ~1 ms per 64 KB of prose, than the scan it spares.)"""
        if self._gate_words is None:
            return self._ungated, left
        found: set[int] = set()
        for begin in range(0, len(low), _PIECE):
            hits = self._gate_words.find_matches_as_indexes(low[begin:begin + _PIECE + self._longest_gate - 1],
                                                            overlapping=True)
            left -= len(hits)
            if left < 0:
                raise OutOfWork
            found.update(map(itemgetter(0), hits))  # (in C: no Python step per word found)
        opened = set(self._ungated)
        for needed, searches in self._gate_needs:
            if needed <= found:
                opened |= searches
        return frozenset(opened), left

    def first(self, text: str, budget: int | None = None) -> _T | None:
        """The first finding, or None. ``budget``: units of work the text may ask for
        (see the module's docstring); past them OutOfWork is raised."""
        starts = self._starts or self._build()
        low = folded(text)
        opened, left = self._open(low, float("inf") if budget is None else budget)
        searched_from = self._searched_from
        # Per start word, the open searches it starts: (after a word character, elsewhere).
        starting: dict[int, tuple[tuple[int, ...], tuple[int, ...]]] = {}
        places: list[int] = []  # start * _SEARCHES + search: sorted as ints, no tuple each
        append = places.append
        # Read a piece at a time (each with the start of the next, for the words that go
        # on into it): a text dense with words is given up on after the piece that
        # spends the budget, not after a list of every word in it.
        for begin in range(0, len(low), _PIECE):
            finish = begin + _PIECE
            hits = starts.find_matches_as_indexes(low[begin:finish + self._longest - 1], overlapping=True)
            left -= len(hits)
            if left < 0:
                raise OutOfWork
            for word, start, _ in hits:
                start += begin
                if start >= finish:
                    continue  # found again in the next piece
                pair = starting.get(word)
                if pair is None:
                    entries = [(index, apart) for index, apart in searched_from[word] if index in opened]
                    pair = starting[word] = (tuple(index for index, apart in entries if not apart),
                                             tuple(index for index, _ in entries))
                before = text[start - 1] if start else " "
                for index in pair[0] if before.isalnum() or before == "_" else pair[1]:
                    append(start * _SEARCHES + index)
            if left < TRY_UNITS * len(places):
                raise OutOfWork
        left -= TRY_UNITS * len(places)
        places.sort()
        resume = [0] * len(self.searches)  # where each search's next match may start (finditer's)
        for place in places:
            start, index = divmod(place, _SEARCHES)
            if start < resume[index]:
                continue
            pattern, accept = self.searches[index]
            found = pattern.match(text, start)
            if found is None:
                continue
            resume[index] = found.end() if found.end() > start else start + 1
            left -= ACCEPT_UNITS
            if left < 0:
                raise OutOfWork
            result = accept(found)
            if result is not None:
                return result
        return None


_PIECE = 8192
_SEARCHES = 1024  # most searches a WordScan holds (a place is packed as start * _SEARCHES + search)


def _automaton(words: list[str]) -> ahocorasick_rs.AhoCorasick:
    return ahocorasick_rs.AhoCorasick(words, matchkind=ahocorasick_rs.MatchKind.Standard,
                                      implementation=ahocorasick_rs.Implementation.DFA)
