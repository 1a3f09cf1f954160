"""Shell analysis: what a command string would actually execute. ``analyse`` splits it
into segments (one per simple command, wherever it hides: after ``;``/``&&``/``|``,
inside ``$(...)``, ``bash -c``, ``eval``, here-documents, ``find -exec``, ``xargs``),
with wrappers such as ``sudo``/``env``/``timeout`` unwrapped and interpreter one-liners
extracted. Anything it cannot read with confidence is listed in ``problems``."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field, replace

from aegis_core.policy import embedded, scripts, unwrap
from aegis_core.policy.fastlex import (
    FAST_CONTROLS,
    TooComplex,
    fast_tokens,
    spaced_parts,
    spaced_tokens,
    too_many_spaced_words,
)
from aegis_core.policy.lexer import Lexer
from aegis_core.policy.tokens import MAX_TOKENS, TOO_COMPLEX, Problem, Redirect, Word
from aegis_core.policy.words import PLAIN_LITERALS, Arg, expand, literal_arg

MAX_COMMAND_CHARS = 32_768

_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=")
_NEEDS_QUOTES = re.compile("[ \t\n'\"]")
# Characters of a word the builder would expand (brace, wildcard).
_EXPANDABLE = re.compile(r"[{}*?\[]")
_NO_SUBS: list[int] = []  # shared, never appended to
_SKIP_KEYWORDS = frozenset({"!", "{", "}", "then", "else", "do", "elif", "if", "while", "until",
                            "fi", "done", "time", "coproc"})
_DROP_KEYWORDS = frozenset({"for", "select", "[[", "esac", "in"})
# A simple command starting with one of these is shell structure, left to the builder.
_STRUCTURE_WORDS = _SKIP_KEYWORDS | _DROP_KEYWORDS | {"case", "function"}


@dataclass(slots=True)
class Segment:
    """One simple command the shell would run, after unwrapping.

    Not frozen (a frozen dataclass costs several times as much to build), but analyses
    are cached and shared between calls: treat a Segment as immutable."""

    index: int
    args: tuple[Arg, ...]  # argv; args[0] is the program as written ('' if none)
    program: str  # basename of the program, '' for an assignment or redirect alone
    wrappers: tuple[str, ...] = ()  # sudo, env, timeout, bash -c, xargs...
    assignments: tuple[str, ...] = ()  # NAME=value set for this command
    redirects: tuple[tuple[str, str, bool], ...] = ()  # (operator, target, target is dynamic)
    stdin_text: str = ""  # here-document or here-string fed to it
    via: str = ""  # where it was found: '' (top level), '$(...)', 'bash -c', 'eval'...
    pipe_from: tuple[int, ...] = ()  # segments piped into this one
    code_from: tuple[int, ...] = ()  # segments whose output it runs as code
    reads_code: bool = False  # a shell/interpreter that reads its program from stdin
    inline_code: tuple[str, str] | None = None  # (language, code) of -c / -e one-liners
    function_call: bool = False  # calls a function defined in the same command
    tricky: bool = False  # the program name was spelled with quotes, escapes or braces
    runs_for: int = -1  # the find/fd segment whose results this one runs on (-exec, -x)
    argv: tuple[str, ...] = field(init=False)  # the texts of args, read by most rules

    def __post_init__(self) -> None:
        self.argv = tuple([a.text for a in self.args])

    @property
    def text(self) -> str:
        argv = self.argv
        # One search over all the words settles it for nearly every segment.
        if _NEEDS_QUOTES.search("\0".join(argv)) is None:
            shown = [a or repr(a) for a in argv]
        else:
            shown = [repr(a) if not a or _NEEDS_QUOTES.search(a) else a for a in argv]
        shown += [f"{op}{target}" for op, target, _ in self.redirects]
        return " ".join(shown)[:300]


@dataclass(slots=True)
class ShellAnalysis:
    """What a command runs. Cached and shared between calls: never mutate one."""

    command: str
    segments: tuple[Segment, ...]
    problems: tuple[str, ...] = ()
    functions: frozenset[str] = frozenset()
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {
            "segments": [
                {"text": s.text, "program": s.program, "wrappers": list(s.wrappers), "via": s.via,
                 "pipe_from": list(s.pipe_from), "code_from": list(s.code_from)}
                for s in self.segments
            ],
            "problems": list(self.problems),
            "functions": sorted(self.functions),
            "notes": list(self.notes),
        }


class _Builder:
    __slots__ = ("functions", "notes", "problems", "segments")

    def __init__(self) -> None:
        self.segments: list[Segment] = []
        self.problems: list[str] = []
        self.functions: set[str] = set()
        self.notes: list[str] = []

    def problem(self, text: str) -> None:
        if text not in self.problems:
            self.problems.append(text)

    def note(self, text: str) -> None:
        if text not in self.notes and len(self.notes) < 50:
            self.notes.append(text)

    # -- structure ---------------------------------------------------------

    def build(self, tokens: list, via: str, depth: int) -> list[int]:
        """Segments for a token list; returns the indices of the segments created."""
        created: list[int] = []
        words: list[Word] = []
        redirects: list[Redirect] = []
        pipeline: list[int] = []
        piped = False
        i = 0
        while i < len(tokens):
            token = tokens[i]
            if isinstance(token, Word):
                words.append(token)
            elif isinstance(token, Redirect):
                redirects.append(token)
            elif token == "(" and len(words) == 1 and i + 1 < len(tokens) and tokens[i + 1] == ")":  # noqa: S105
                self.functions.add(words[0].text)
                self.note(f"function {words[0].text} defined; its body is judged as if called")
                words = []
                i += 2
                continue
            else:
                main = self.simple(words, redirects, via, depth, tuple(pipeline) if piped else ())
                created.extend(main)
                if token in ("|", "|&"):
                    if main:
                        pipeline.append(main[0])
                    piped = True
                else:
                    pipeline, piped = [], False
                words, redirects = [], []
            i += 1
        created.extend(self.simple(words, redirects, via, depth, tuple(pipeline) if piped else ()))
        return created

    def subs_of(self, word: Word, depth: int) -> list[int]:
        found: list[int] = []
        for kind, tokens in word.subs:
            found.extend(self.build(tokens, kind, depth + 1))
        return found

    def simple(self, words: list[Word], redirects: list[Redirect], via: str, depth: int,
               pipe_from: tuple[int, ...]) -> list[int]:
        """Segments for one simple command; the first index is the command itself."""
        if not words and not redirects:
            return []
        sub_segments: dict[int, list[int]] = {}
        pending: list[int] = []
        for position, word in enumerate(words):
            if word.subs:
                sub_segments[position] = found = self.subs_of(word, depth)
                pending.extend(found)
        stdin_text, stdin_subs = "", []
        shown_redirects = []
        for red in redirects:
            if red.target is not None and red.target.subs:
                stdin_subs.extend(self.subs_of(red.target, depth))
            for kind, tokens in red.body_subs:
                stdin_subs.extend(self.build(tokens, kind, depth + 1))
            if red.body is not None:
                stdin_text = red.body
            elif red.target is not None:
                shown_redirects.append((red.op, red.target.text, red.target.dynamic))
        pending.extend(stdin_subs)

        # Reserved words that introduce a command or are not commands at all.
        start, count = 0, len(words)
        while start < count and not words[start].escaped and words[start].text in _SKIP_KEYWORDS:
            start += 1
        first = words[start].text if start < count and not words[start].escaped else ""
        if first in _DROP_KEYWORDS or first == "case" or first == "function":
            if first == "case":
                self.problem("'case' statements are not analysed")
            if first == "function" and start + 1 < count:
                self.functions.add(words[start + 1].text)
            return pending
        assignments: list[str] = []
        while start < count and words[start].parts and not words[start].parts[0][1] \
                and _ASSIGNMENT.match(words[start].parts[0][0]):
            assignments.append(words[start].text)
            start += 1

        args: list[Arg] = []
        arg_subs: list[list[int]] = []
        for position in range(start, count):
            expanded, overflow = expand(words[position])
            if overflow:
                self.problem("brace expansion too large to analyse")
            args.extend(expanded)
            found = sub_segments.get(position, _NO_SUBS) if sub_segments else _NO_SUBS
            arg_subs.extend([found] * len(expanded))

        if not args and not assignments and not shown_redirects and not stdin_text:
            return pending
        seg = unwrap.Unwrapped(args, arg_subs, assignments, shown_redirects, stdin_text, via,
                               pipe_from, stdin_subs)
        if sub_segments:
            seg.substituted = True
        created = unwrap.unwrap(self, seg, depth)
        if pending:
            created.extend(pending)
        return created

    def add(self, seg: unwrap.Unwrapped) -> int:
        args = tuple(seg.args)
        program = args[0].text.rsplit("/", 1)[-1] if args else ""
        if args and args[0].dynamic:
            self.problem(Problem(f"the program to run is computed at run time ({args[0].text})", Problem.COMPUTED))
        elif args and args[0].glob:
            self.problem(Problem(f"the program name is a wildcard pattern ({args[0].text})", Problem.COMPUTED))
        index = len(self.segments)
        self.segments.append(Segment(  # positional: this runs for every segment
            index, args, program, tuple(seg.wrappers), tuple(seg.assignments), tuple(seg.redirects),
            seg.stdin_text, seg.via, seg.pipe_from, tuple(seg.code_from), seg.reads_code, seg.inline_code,
            program in self.functions, bool(args) and args[0].tricky, seg.runs_for,
        ))
        return index

    def analyse_string(self, text: str, via: str, depth: int, try_fast: bool = True) -> list[int]:
        """Segments of a command string; ``try_fast=False`` when the fast lexer has
        already said it cannot read it."""
        if depth >= unwrap.MAX_DEPTH:
            self.problem("commands nested too deeply (bash -c / eval) to analyse")
            return []
        if try_fast:
            if too_many_spaced_words(text):
                self.problem(f"{TOO_COMPLEX} (more than {MAX_TOKENS} words)")
                return []
            try:
                tokens = fast_tokens(text)
            except TooComplex as exc:
                self.problem(exc.problem)
                return []  # judging a truncated command would be guessing
            if tokens is not None:
                return self.build(tokens, via, depth)
        lexed = Lexer(text, depth=depth).run()
        for problem in lexed.problems:
            self.problem(problem)
        if any(p.startswith(TOO_COMPLEX) for p in lexed.problems):
            return []  # judging a truncated command would be guessing
        return self.build(lexed.tokens, via, depth)


def _finish(command: str, builder: _Builder) -> ShellAnalysis:
    segments = tuple(builder.segments)
    if builder.functions:
        # A function called before it is defined (or defined later) is still a function.
        segments = tuple(s if s.function_call or s.program not in builder.functions
                         else replace(s, function_call=True) for s in segments)
    return ShellAnalysis(command, segments, tuple(builder.problems), frozenset(builder.functions),
                         tuple(builder.notes))


def _plain_segments(command: str, parts: list[str] | None = None) -> tuple[Segment, ...] | None:
    """The segments of the commonest commands, built directly: literal words separated
    by single spaces, list and pipe operators, ordinary programs, no assignment, keyword,
    wildcard or brace (`git diff --staged`, `npm test && npm run build`, `ls | wc -l`).
    None for anything else, which the builder reads. tests/policy/test_policy_fastpaths.py
    checks both give the same segments."""
    if parts is None:
        parts = spaced_parts(command)
    if parts is None or _EXPANDABLE.search(command):
        return None
    if FAST_CONTROLS.isdisjoint(parts):  # one command, nearly always
        seg = _plain_segment(parts, 0, ())
        return (seg,) if seg is not None else None
    segments: list[Segment] = []
    words: list[str] = []
    pipeline: list[int] = []
    for part in [*parts, ";"]:
        if part not in FAST_CONTROLS:
            words.append(part)
            continue
        if words:
            seg = _plain_segment(words, len(segments), tuple(pipeline))
            if seg is None:
                return None
            segments.append(seg)
        if part == "|":
            if words:
                pipeline.append(len(segments) - 1)
        else:
            pipeline = []
        words = []
    return tuple(segments)


def _plain_segment(words: list[str], index: int, pipe_from: tuple[int, ...]) -> Segment | None:
    """The segment of one plain command (see _plain_segments), or None when the builder
    must read it."""
    first = words[0]
    name = first.rsplit("/", 1)[-1]
    if first in _STRUCTURE_WORDS or "=" in first \
            or not unwrap.is_ordinary(name, words[1] if len(words) > 1 else None):
        return None
    if pipe_from and unwrap.may_read_program_from_stdin(words):
        return None  # `curl ... | make -f -`: the builder judges what it reads
    known = PLAIN_LITERALS.get
    return Segment(index, tuple([known(w) or literal_arg(w) for w in words]), name, pipe_from=pipe_from)


def _token_segments(tokens: list) -> tuple[Segment, ...] | None:
    """The segments of the fast lexer's tokens when every simple command is an ordinary
    program with quoted or plain words (no variable but $HOME and $PWD), NAME=value
    prefixes and plain redirects
    (`git commit -m 'fix it'`, `PYTHONPATH=src pytest -q 2>&1 | tail -5`), built
    directly; None for anything the builder must read (wildcards, braces, keywords,
    wrappers, shells, interpreters)."""
    segments: list[Segment] = []
    words: list[Word] = []
    redirects: list[tuple[str, str, bool]] = []
    pipeline: list[int] = []
    for token in [*tokens, ";"]:
        if isinstance(token, Word):
            if token.dynamic or any(not quoted and _EXPANDABLE.search(text) for text, quoted in token.parts):
                return None  # a variable's or a pattern's value: the builder works out what it may be
            words.append(token)
            continue
        if isinstance(token, Redirect):
            if token.target is not None:
                redirects.append((token.op, token.target.text, False))
            continue
        if words:
            first = words[0]
            if not first.escaped and first.text in _STRUCTURE_WORDS:
                return None
            start = 0  # NAME=value words before the program
            while start < len(words) and not words[start].parts[0][1] \
                    and _ASSIGNMENT.match(words[start].parts[0][0]):
                start += 1
            if start < len(words):
                program = words[start]
                name = program.text.rsplit("/", 1)[-1]
                if not unwrap.is_ordinary(name, words[start + 1].text if len(words) > start + 1 else None):
                    return None
                args = tuple([literal_arg(word.text, word.escaped) for word in words[start:]])
                if pipeline and unwrap.may_read_program_from_stdin([a.text for a in args]):
                    return None  # `curl ... | make -f -`: the builder judges what it reads
            else:
                program, name, args = None, "", ()
            segments.append(Segment(len(segments), args, name, assignments=tuple([w.text for w in words[:start]]),
                                    redirects=tuple(redirects), pipe_from=tuple(pipeline),
                                    tricky=program is not None and program.escaped))
        elif redirects:
            return None  # redirects alone (`> file`): rare, the builder knows them
        if token in ("|", "|&"):
            if words:
                pipeline.append(len(segments) - 1)
        else:
            pipeline = []
        words, redirects = [], []
    return tuple(segments)


@functools.lru_cache(maxsize=2048)
def analyse(command: str) -> ShellAnalysis:
    """Analyse a shell command string. Never raises."""
    return embedded.follow(scripts.follow(_analyse(command)))


def _analyse(command: str) -> ShellAnalysis:
    if len(command) > MAX_COMMAND_CHARS:
        return _unanalysed(command, f"command is {len(command)} characters long, too long to analyse "
                                    f"(limit {MAX_COMMAND_CHARS})")
    if "\x00" in command:
        return _unanalysed(command, "command contains a NUL byte")
    if not command.isascii():
        try:
            command.encode("utf-8")
        except UnicodeEncodeError:
            return _unanalysed(command, "command is not valid UTF-8 text")
    parts = spaced_parts(command)  # the commonest commands: words and operators split by spaces
    if parts is not None:
        plain = _plain_segments(command, parts)
        if plain is not None:
            return ShellAnalysis(command, plain)
    elif too_many_spaced_words(command):
        return _unanalysed(command, f"{TOO_COMPLEX} (more than {MAX_TOKENS} words)")
    try:
        tokens = spaced_tokens(parts) if parts is not None else fast_tokens(command, spaced=False)
    except TooComplex as exc:
        return _unanalysed(command, exc.problem)
    # Spaced words that _plain_segments declined: _token_segments declines them for the
    # same reasons, unless the first word was an assignment (`A=1 make`).
    if tokens is not None and (parts is None or "=" in command):
        simple = _token_segments(tokens)
        if simple is not None:
            return ShellAnalysis(command, simple)
    builder = _Builder()  # built only here: the fast paths above need none
    try:
        if tokens is not None:
            builder.build(tokens, "", 0)
        else:
            builder.analyse_string(command, "", 0, try_fast=False)
    except RecursionError:
        builder.problem("command nested too deeply to analyse")
    return _finish(command, builder)


def _unanalysed(command: str, problem: str) -> ShellAnalysis:
    """The analysis of a command that cannot be read at all: no segment, one problem."""
    builder = _Builder()
    builder.problem(problem)
    return _finish(command, builder)
