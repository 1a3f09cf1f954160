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
from collections.abc import Callable, Iterable, Iterator, Sequence
from re import _compiler as sre_compile  # type: ignore[attr-defined]
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Generic, TypeVar

_MAX_PREFIXES = 256  # past this many start words the cue would cost what it saves
# Words found where no match starts: past this many, and more than one every _DENSE
# characters, a try at each costs more than the plain search, which takes over.
_MISSES_BEFORE_PLAIN = 256
_DENSE = 4
_LONG_ENOUGH = 5  # a start word this long is rare enough in any text
_FEW_WORDS = 32  # up to this many start words, a text holding none is ruled out word by word
# ...but a long text is first searched for the words in its first _PROBE characters: one
# holding one there (dense code) is not scanned to its end for each word it lacks first.
_PROBE_PAST, _PROBE = 4096, 1024
_ZERO_WIDTH = (sre.AT, sre.ASSERT, sre.ASSERT_NOT)


def _starts(items: list, prefixes: list[str]) -> tuple[list[str], list[str]]:
    """The literal texts a match of the sequence ``items`` starts with, each after one of
    ``prefixes``: (words that cannot be extended further, words that what follows
    ``items`` extends). Anything not literal ends a word where it is."""
    done: list[str] = []
    words = prefixes
    for op, av in items:
        if any(len(w.lstrip(_MARKS)) >= _LONG_ENOUGH for w in words):  # longer words would find no fewer places
            done.extend(w for w in words if len(w.lstrip(_MARKS)) >= _LONG_ENOUGH)
            words = [w for w in words if len(w.lstrip(_MARKS)) < _LONG_ENOUGH]
        if not words:
            break
        if len(done) + len(words) > _MAX_PREFIXES:
            return done + words, []  # too many to go on: these words end here, unextended
        if op in _ZERO_WIDTH:
            if words == [""] and _after_no_word_char(op, av):
                words = [_NOT_AFTER_WORD]  # `\bexec`, `(?<![\w-])nc`: never inside a word
            elif words == [""] and op is sre.AT and av is sre.AT_BOUNDARY:
                words = [_AT_BOUNDARY]  # `\b`: as above, when the word starts with a word character
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


# Marks a start word that never begins right after a word character (a match of
# `\bexec` or `(?<![\w-])nc` does not start inside `execSync`): its cue skips those
# places, where a search would try the pattern in vain. ``_AT_BOUNDARY`` (from ``\b``)
# means the same when the word starts with a word character, nothing otherwise.
_NOT_AFTER_WORD, _AT_BOUNDARY = "\0", "\1"
_MARKS = _NOT_AFTER_WORD + _AT_BOUNDARY


def _after_no_word_char(op: object, av: object) -> bool:
    """Whether ``(op, av)`` is a lookbehind refusing every word character before it."""
    if op is not sre.ASSERT_NOT or not isinstance(av, tuple) or av[0] != -1 or len(av[1]) != 1:
        return False
    kind, items = av[1][0]
    return kind is sre.IN and (sre.CATEGORY, sre.CATEGORY_WORD) in items and (sre.NEGATE, None) not in items


def start_words(pattern: re.Pattern[str], marked: bool = False) -> list[str] | None:
    """Literal words one of which every match of ``pattern`` starts with, or None when
    some match can start with anything (an empty word). ``marked``: a word that cannot
    start right after a word character starts with a mark (see ``_NOT_AFTER_WORD``)."""
    parsed = sre_parse.parse(pattern.pattern, pattern.flags)
    ended, going = _starts(list(parsed), [""])
    words = ended + going
    if not marked or pattern.flags & re.ASCII:  # an ASCII `\b` knows other word characters
        words = [w.lstrip(_MARKS) for w in words]
    words = [w if w.lstrip(_MARKS) else "" for w in words]
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


# Letters that match another case-insensitively though neither str.upper nor str.lower
# nor re's own extra cases lead from that one to them (the Kelvin sign and `k`...):
# test_policy_cues checks the closure below against re over every character.
_ODD_CASES = {"i": "\u0130", "k": "\u212a", "\u00e5": "\u212b", "\u03c9": "\u2126"}
_ODD_CASES.update({odd: plain for plain, odd in list(_ODD_CASES.items())})


def case_variants(char: str) -> set[str]:
    """Every character ``(?i)char`` matches."""
    found = {char}
    while True:
        more: set[str] = set()
        for each in found:
            more.update(v for v in (each.lower(), each.upper(), each.title(), each.casefold()) if len(v) == 1)
            more.update(chr(c) for c in sre_compile._EXTRA_CASES.get(ord(each), ()))
            if each in _ODD_CASES:
                more.add(_ODD_CASES[each])
        if more <= found:
            return found
        found |= more


_WORD_CHAR = re.compile(r"\w")


def word_trie(words: list[str], fold: bool = False) -> str:
    """A pattern matching where one of ``words`` starts, as a trie: ``re`` tries a flat
    alternation of N words one by one at every position whose character starts one of
    them (~2-3x slower on text dense with those letters); the trie decides on the first
    character which few branches are left. Only where a match starts counts, not how far
    it goes. ``fold``: each letter in any case ``(?i)`` would match, spelled as a
    character class, so that ``re`` still rejects a branch on its first character."""
    tree: dict[str, dict] = {}
    for word in words:
        if word[0] in _MARKS:  # the mark goes after the first character: a class first stays first
            plain = word.lstrip(_MARKS)
            word = plain if word[0] == _AT_BOUNDARY and not _WORD_CHAR.match(plain) \
                else plain[0] + _NOT_AFTER_WORD + plain[1:]
        node = tree
        for char in word:
            node = node.setdefault(char.lower() if fold and len(char.lower()) == 1 else char, {})
        node[""] = {}

    def spelled(char: str) -> str:
        if char == _NOT_AFTER_WORD:
            return r"(?<!\w[\s\S])"
        variants = case_variants(char) if fold else {char}
        if len(variants) == 1:
            return re.escape(char)
        return "[" + "".join(sorted(re.escape(v) for v in variants)) + "]"

    def branch(node: dict[str, dict]) -> str:
        if "" in node:
            return ""  # a word ends here: the start is found, whatever follows
        parts = [spelled(char) + branch(rest) for char, rest in sorted(node.items())]
        return parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"

    return branch(tree)


class Cued:
    """``pattern`` searched through a scan for the words its matches start with."""

    __slots__ = ("_built", "_cue", "_dense", "_folded", "_literals", "_lowered", "_plain", "pattern")

    def __init__(self, pattern: re.Pattern[str], dense: int = _DENSE, plain: re.Pattern[str] | None = None) -> None:
        """``dense``: words found where no match starts, one every this many characters or
        more, past which the plain search takes over (see _DENSE): higher for a pattern
        whose plain search is cheap, where each word found costs more than it. ``plain``:
        a pattern with the same matches as ``pattern``, faster to search the plain way."""
        # Built on first use: the policy holds about a hundred of these, and building
        # them all when the module loads cost every `aegis wrap` and CLI start ~0.3 s.
        self.pattern = pattern
        self._plain = plain or pattern
        self._dense = dense
        self._built = False

    def _build(self) -> None:
        pattern = self.pattern
        words = start_words(pattern, marked=True)
        if words is not None and any(len(w.lstrip(_MARKS)) == 1 and w.isascii() and w[-1].isalnum() for w in words):
            words = None  # a letter or digit is found nearly everywhere: the plain search is as fast
        # A case-insensitive pattern's words are looked for, lower-cased, in the lower-cased
        # text: ``re`` finds a case-sensitive word list with its fast prefix scan. Where
        # lower-casing would lose places (a letter re folds otherwise, common in Russian
        # or Greek text), the words are looked for in the text as it is, each letter
        # spelled in every case ``(?i)`` matches.
        self._lowered = bool(pattern.flags & re.IGNORECASE)
        self._cue: re.Pattern[str] | None = None
        self._folded: re.Pattern[str] | None = None
        self._literals: tuple[str, ...] = ()
        if words and self._lowered:
            self._folded = re.compile(word_trie(words, fold=True))
            if not any(len(c.lower()) != 1 or c in _ASCII_FOLDED for w in words for c in w.lstrip(_MARKS)):
                words = sorted({w.lower() for w in words})
                self._cue = re.compile(word_trie(words))
            else:
                words = None
        elif words:
            self._cue = re.compile(word_trie(words))
        if words and len(words) <= _FEW_WORDS:
            # A substring test per word (in C, ~10 ns a character) rules out a text
            # holding none of a few words sooner than re's scan for them (which tries
            # the trie at every character that starts one).
            # Shortest first: a text holding one stops the scans there, and a short word
            # is the likelier to be held.
            self._literals = tuple(sorted(dict.fromkeys(w.lstrip(_MARKS) for w in words), key=len))
        self._built = True  # last: another thread meanwhile builds too, never uses half of it

    @property
    def cue(self) -> re.Pattern[str] | None:
        if not self._built:
            self._build()
        return self._cue

    def _scanned(self, text: str) -> tuple[str, re.Pattern[str]] | None:
        """The text the words are looked for in and the words' pattern, or None to
        search the plain way."""
        if self._lowered:
            if self._cue is not None:
                low = _lowered(text)
                if low is not None:
                    return low, self._cue
            return (text, self._folded) if self._folded is not None else None
        return (text, self._cue) if self._cue is not None else None

    def search(self, text: str) -> re.Match[str] | None:
        for found in self.finditer(text):
            return found
        return None

    def finditer(self, text: str, tries: list[int] | None = None,
                 give_way: bool = True) -> Iterator[re.Match[str]]:
        """``pattern.finditer(text)``; ``tries``: a count of places left to try the
        pattern at (each cue found, each match), shared by several searches, past
        which OutOfTries is raised. ``give_way``: where the words are everywhere, the
        plain search takes over (see below); without, each word found is tried (and
        counted against ``tries``: a caller that bounds them bounds the work)."""
        if not self._built:
            self._build()
        cued = self._scanned(text)
        if cued is None:
            for plain in self._plain.finditer(text):
                if tries is not None:
                    _spend(tries)
                yield plain
            return
        scanned, words = cued
        if words is not self._folded and self._literals and not (
                len(scanned) > _PROBE_PAST and words.search(scanned, 0, _PROBE) is not None) \
                and not holds_any(scanned, self._literals):
            return
        at, match, cue_search = 0, self.pattern.match, words.search
        misses = 0
        while True:
            cue = cue_search(scanned, at)
            if cue is None:
                return
            if tries is not None:
                _spend(tries)
            found = match(text, cue.start())
            if found is None:
                misses += 1
                if give_way and misses >= _MISSES_BEFORE_PLAIN and misses * self._dense > cue.start():
                    # The words are everywhere here (`a.a.a.`): the plain search is no slower
                    # than a try at each of them.
                    for plain in self._plain.finditer(text, cue.start() + 1):
                        if tries is not None:
                            _spend(tries)
                        yield plain
                    return
                at = cue.start() + 1  # a word may also start inside the one just found
                continue
            yield found
            at = found.end() if found.end() > found.start() else found.start() + 1


class OutOfTries(Exception):
    """A search was given fewer places to try than the text holds."""


def _spend(tries: list[int]) -> None:
    tries[0] -= 1
    if tries[0] < 0:
        raise OutOfTries


# Matches read through the cue before the rest of a text is read by one findall.
_SPARSE_MATCHES = 64


def all_groups(cued: Cued, text: str) -> list[tuple[str, ...]]:
    """The groups of every match of ``cued.pattern`` in ``text`` ("" for a group that took
    no part), as ``re.findall`` gives them but always as tuples: the first matches
    through the cue (a text with few is mostly skipped in C), the rest, where they are
    dense, by one findall from there (the same matches: a lookbehind or ``\b`` sees the
    characters before where it starts), without a Python step per match."""
    out: list[tuple[str, ...]] = []
    for count, found in enumerate(cued.finditer(text)):
        if count == _SPARSE_MATCHES:
            rest = cued.pattern.findall(text, found.start())
            out.extend(rest if cued.pattern.groups > 1 else [(group,) for group in rest])
            return out
        out.append(found.groups(""))
    return out


_T = TypeVar("_T")
_INLINE_FLAGS = re.compile(r"^\(\?([aiLmsux]+)\)")


# How much of a text the one pass of Together reads before each pattern goes on its own
# (see Together), and how much further it looks for the matches that go on past it.
STRETCH = 2048
STRETCH_MARGIN = 512


# (the text last given to gate_text, what it gave): one tuple, read and replaced whole.
_gated_last: list[tuple[str, str]] = [("", "")]


# Characters from the commonest in text and code to the rarest (any other counts rarer).
_COMMONEST = " etaoinsrhldcu\n.m(f)p,g'=w\"y_b:v/-k;x{}[]jqz"
_RARITY = {char: rank for rank, char in enumerate(_COMMONEST)}
_RAREST: dict[str, str] = {}


def holds(text: str, word: str) -> bool:
    """``word in text``, its rarest character looked for first: ``str.__contains__`` for
    a few characters checks at nearly every place of a text made of that word's letters
    (`a.a.a.` for `ask`: ~20 us per 16 KB), a single character is found or ruled out by
    memchr (~1 us), so a text lacking one of the word's characters is ruled out fast."""
    rare = _RAREST.get(word)
    if rare is None:
        rare = _RAREST[word] = max(word, key=lambda char: _RARITY.get(char, len(_COMMONEST)), default="")
    return rare in text and word in text


def holds_any(text: str, words: Iterable[str]) -> bool:
    """Whether ``text`` holds one of ``words`` (see holds)."""
    return any(holds(text, word) for word in words)


def gate_text(text: str) -> str:
    """``text`` lower-cased with each line kept once: where a gate looks for its words
    (lower-cased, none holding a line break) with substring scans. Such a word is in the
    lower-cased text exactly when it is in one of its lines, so a file made of the same
    few lines over and over is scanned for each word in a few lines, not 64 KB."""
    return _each_piece_once(text, _gated_last, str.splitlines)


_worded_last: list[tuple[str, str]] = [("", "")]


def distinct_words(text: str) -> str:
    """``text`` lower-cased with each word (a run without whitespace) kept once: where a
    gate looks for words that hold no whitespace (gate_text keeps whole lines, for words
    that do). Such a word is in the lower-cased text exactly when it is in one of its
    words, so a text of the same few words over and over, on one line or many, is
    scanned for each gate word in a few words."""
    return _each_piece_once(text, _worded_last, str.split)


def forget() -> None:
    """Drop the last texts remembered (forget_caches: what follows is judged from a first sight)."""
    for last in (_lowered_last, _gated_last, _worded_last):
        last[0] = ("", "")


def _each_piece_once(text: str, last: list[tuple[str, str]], pieces: Callable[[str], list[str]]) -> str:
    """``text`` lower-cased; past STRETCH, each of its pieces kept once, joined by line
    breaks. The last text asked about is kept in ``last`` (the gates of one reader ask
    about the same text one after the other)."""
    if last[0][0] is text:
        return last[0][1]
    low = text.lower()
    if len(low) > STRETCH:
        low = "\n".join(dict.fromkeys(pieces(low)))
    last[0] = (text, low)
    return low


class Together(Generic[_T]):
    """Several patterns searched for the first match in the text that its pattern's
    ``accept`` takes (returns not None): what that returns, or None. Each pattern's
    matches are the ones ``pattern.finditer`` gives, the earliest in the text first, the
    first pattern first where two start at the same place. A reader that stops at its
    first finding reads no further than it: the rest of the text cannot undo it.

    The first STRETCH characters are read in one pass, in C: a character class skips
    every place where none of the patterns' start words (see ``start_words``) can begin;
    where one can, a lookbehind tries the words (a trie) and then each pattern where one
    of its own words starts, inside the regular expression engine; Python runs only
    where a pattern matches. A finding there (steering is mostly near the top of a
    file) ends the reading. Past it, each pattern is searched on its own (``Cued``):
    on a long text holding none, the separate scans cost less than the one pass, whose
    big branches ``re`` tries alternative by alternative at every character."""

    def __init__(self, searches: Sequence[tuple[re.Pattern[str], Callable[[re.Match[str]], _T | None]]],
                 gates: Sequence[tuple[str, ...]] = ()) -> None:
        self.searches = list(searches)
        # Per search, lower-cased words one of which every match holds (anywhere in it):
        # past the first stretch, a search whose words the text lacks is not made.
        self.gates = list(gates) or [()] * len(self.searches)
        broken = [word for gate in self.gates for word in gate if len(f"a{word}a".splitlines()) != 1]
        if broken:  # the gates are looked for in the text's distinct lines (see gate_text)
            raise ValueError(f"gate words must not hold a line break: {broken!r}")
        self.cued = [Cued(pattern) for pattern, _ in self.searches]
        self._one: re.Pattern[str] | None = None
        self._split: tuple[list[int], list[int]] | None = None

    # Built on first use, as Cued is: compiling the one pass costs a module load ~0.1 s.
    @property
    def together(self) -> list[int]:
        return self._parts()[0]

    @property
    def alone(self) -> list[int]:
        return self._parts()[1]

    def _parts(self) -> tuple[list[int], list[int]]:
        if self._split is None:
            together: list[int] = []
            alone: list[int] = []
            for index, (pattern, _) in enumerate(self.searches):
                combinable = start_words(pattern) is not None and not pattern.groupindex \
                    and not pattern.flags & (re.ASCII | re.LOCALE | re.VERBOSE)
                (together if combinable else alone).append(index)
            self._split = (together, alone)
        return self._split

    @property
    def one_pass(self) -> re.Pattern[str] | None:
        if self._one is None and self.together:
            self._one = self._one_pass()
        return self._one

    def _one_pass(self) -> re.Pattern[str]:
        every: set[str] = set()
        first: set[str] = set()
        alternatives = []
        for index in self.together:
            pattern = self.searches[index][0]
            words = start_words(pattern, marked=True) or []
            fold = bool(pattern.flags & re.IGNORECASE)
            every.update(w.lower() for w in words) if fold else every.update(words)
            for word in words:
                first.update(case_variants(word.lstrip(_MARKS)[0]) if fold else word.lstrip(_MARKS)[0])
            source, flags = pattern.pattern, ""
            while (inline := _INLINE_FLAGS.match(source)) is not None:
                source, flags = source[inline.end():], flags + inline.group(1)
            flags += "".join(letter for flag, letter in ((re.I, "i"), (re.M, "m"), (re.S, "s"))
                             if pattern.flags & flag)
            flags = "".join(dict.fromkeys(flags.replace("u", "")))
            # Each pattern tried only where one of its own words starts.
            alternatives.append(f"(?={word_trie(words, fold)})(?{flags}:{source})" if flags
                                else f"(?={word_trie(words)})(?:{source})")
        starts = "".join(sorted(re.escape(c) for c in first))
        # Any start word, spelled in every case (a superset of where any can start)...
        cue = word_trie(sorted(every), fold=True)
        return re.compile(f"[{starts}](?<=(?={cue})(?=" + "|".join(alternatives) + r")[\s\S])")

    def first(self, text: str, tries: int | None = None, out_of_tries: _T | None = None,
              each: int | None = None) -> _T | None:
        """``tries``: how many places past the first stretch the patterns together are
        tried at (each a cue found or a match), ``each``: how many one pattern is; past
        either, ``out_of_tries`` is the answer (a text that dense with the words a
        pattern starts with is not read to its end: what it costs stays bounded whatever
        the text holds, while a long text with many different ones is read)."""
        best = self._pass(text) if self.one_pass is not None else None
        if best is not None:
            return best[2]
        try:
            return self._rest(text, None if tries is None else [tries], each)
        except OutOfTries:
            return out_of_tries

    def _rest(self, text: str, tries: list[int] | None, each: int | None = None) -> _T | None:
        best: tuple[int, int, _T] | None = None
        low = gate_text(text) if any(self.gates) else text
        held: dict[str, bool] = {}  # a word several gates share is scanned for once

        def gate_holds(word: str) -> bool:
            found = held.get(word)
            if found is None:
                found = held[word] = holds(low, word)
            return found

        for index, (_, accept) in enumerate(self.searches):
            gate = self.gates[index]
            if gate and not any(gate_holds(word) for word in gate):
                continue  # a few substring scans in C rule the pattern out
            own = tries if tries is None or each is None else [min(each, tries[0])]
            left = own[0] if own is not None else 0
            for found in self.cued[index].finditer(text, own):
                if best is not None and (found.start(), index) > best[:2]:
                    break
                result = accept(found)
                if result is not None:
                    best = (found.start(), index, result)
                    break
            if own is not tries and tries is not None and own is not None:
                tries[0] -= left - own[0]
        return best[2] if best is not None else None

    def _pass(self, text: str) -> tuple[int, int, _T] | None:
        """The first accepted match starting in the first STRETCH characters, from the
        one pass (which sees STRETCH_MARGIN characters further, for the matches that go
        on past the stretch; each is taken again from the whole text)."""
        assert self.one_pass is not None
        resume = dict.fromkeys(self.together, 0)  # where each pattern's next match may start
        at, end = 0, min(len(text), STRETCH + STRETCH_MARGIN)
        while (hit := self.one_pass.search(text, at, end)) is not None and hit.start() < STRETCH:
            place = hit.start()
            for index in self.together:  # every pattern that matches here, in order
                if place < resume[index]:
                    continue
                found = self.searches[index][0].match(text, place)
                if found is None:
                    continue
                resume[index] = max(found.end(), place + 1)
                result = self.searches[index][1](found)
                if result is not None:
                    return place, index, result
            at = place + 1
        return None
