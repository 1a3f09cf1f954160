"""The lexer's fast path. Most commands an agent runs use only plain words, simple
quotes, the list and pipe operators and plain redirects (``git commit -m 'fix'``,
``npm test && npm run build``, ``pytest -q 2>&1 | tail``). One regular expression
reads those a token at a time instead of the Lexer's character-level loop.

A variable is read as the Lexer reads it: ``$NAME`` and ``${NAME}`` unquoted, with a
plain name other than IFS (``cd $HOME/src``, ``echo $PATH``). Anything else (``$(``,
``$1``, ``${x:-y}``, backticks, backslashes, here-documents, parentheses, comments,
a double-quoted string with something to expand) makes ``fast_tokens`` return None
and the full Lexer reads the command. ``tests/policy/test_policy_fastpaths.py`` checks that
whenever the fast path answers, the Lexer gives exactly the same tokens.
"""

from __future__ import annotations

import re

from aegis_core.policy.tokens import MAX_STEPS, MAX_TOKENS, TOO_COMPLEX, Redirect, Word

# Alternatives in the order the Lexer tries them at a position.
_TOKEN = re.compile(r"""
    (?P<plain>[^ \t\n\r\f\v'"\\$`;&|<>()]+)
  | (?P<blank>[ \t\r\f\v]+)
  | '(?P<single>[^']*)'
  | \$(?:(?P<var>[A-Za-z_][A-Za-z0-9_]*)|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)\})
  | "(?P<double>[^"\\$`]*)"
  | (?P<procsub>[<>]\()
  | (?P<redirect>&>>|&>|>>|>&|>\||<<<|<<-|<<|<>|<&|>|<)
  | (?P<control>\|\||\|&|&&|;;&|;;|;&|[|&;()\n])
""", re.X)
# Quicker still: words of ASCII characters the shell takes literally (a word may not
# start with #, a comment) and list/pipe operators, each separated by one space, so
# the tokens are the text split on spaces: `git status`, `npm test && npm run build`.
_LITERAL = r"[!#%*+,\-./0-9:=?@A-Z\[\]^_a-z{}~]"
_WORD = rf"(?!#){_LITERAL}+"
_SPACED = re.compile(rf"{_WORD}(?: (?:{_WORD}|&&|\|\||\||;|&))*")
_BLANKS = re.compile(r"[ \t\r\f\v]*")
_FAST_REDIRECTS = frozenset({">", ">>", ">&", "&>", "&>>", "<"})
_FAST_CONTROLS = frozenset({"||", "|&", "&&", "|", "&", ";", "\n"})
FAST_CONTROLS = _FAST_CONTROLS  # the list and pipe operators, as the analysis reads them
# Variables the Lexer replaces by what they stand for in a path (see Lexer.variable).
_KNOWN_VARIABLES = {"HOME": "~", "PWD": "."}


class _Unsupported(Exception):
    """The command needs the full Lexer."""


class TooComplex(Exception):
    """The Lexer would give up on this command at the same point, with ``problem``."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


def spaced_parts(source: str) -> list[str] | None:
    """The words and operators of a command of literal words separated by single spaces
    (the Lexer's tokens, as text), or None for any other command."""
    if source.count(" ") < MAX_TOKENS and _SPACED.fullmatch(source):
        return source.split(" ")  # at most MAX_TOKENS parts, two steps each: below MAX_STEPS
    return None


def too_many_spaced_words(source: str) -> bool:
    """A command of spaced literal words with more of them than the Lexer reads: it
    would stop with "too complex" after MAX_TOKENS words; this says so at once."""
    return source.count(" ") >= MAX_TOKENS and _SPACED.fullmatch(source) is not None


def spaced_tokens(parts: list[str]) -> list:
    """The Lexer's tokens for the parts ``spaced_parts`` found."""
    return [part if part in _FAST_CONTROLS else Word([(part, False)]) for part in parts]


def fast_tokens(source: str, spaced: bool = True) -> list | None:
    """The Lexer's tokens for ``source``, or None when the fast path cannot read it.
    Raises TooComplex where the Lexer would stop with "too complex": up to there
    both read the same, so reading it again would only say the same slower.
    ``spaced=False``: the caller knows ``spaced_parts`` answers None for it."""
    parts = spaced_parts(source) if spaced else None
    if parts is not None:
        return spaced_tokens(parts)
    try:
        return _Reader(source).run()
    except _Unsupported:
        return None


class _Reader:
    def __init__(self, source: str) -> None:
        self.s = source
        self.i = 0
        self.tokens: list = []
        self.word = Word()
        self.steps = 0  # the Lexer's loop iterations for the same text: past MAX_STEPS it gives up

    def emit(self, token: object) -> None:
        if len(self.tokens) >= MAX_TOKENS:
            raise TooComplex(f"{TOO_COMPLEX} (more than {MAX_TOKENS} words)")
        self.tokens.append(token)

    def end_word(self) -> None:
        if self.word.parts:
            self.emit(self.word)
            self.word = Word()

    def run(self) -> list:
        # The steps, emit() and end_word() written out, the word being read kept as its
        # parts: this runs for a quarter of all commands, a token at a time.
        s, n, match = self.s, len(self.s), _TOKEN.match
        tokens = self.tokens
        steps, i = self.steps, self.i
        parts: list[tuple[str, bool]] = []
        escaped = dynamic = False
        while i < n:
            m = match(s, i)
            if m is None:
                raise _Unsupported  # $, `, \, an unbalanced or expanding quote
            kind, i = m.lastgroup, m.end()
            # One Lexer step per token; a double-quoted body costs one more, and one
            # more again when it is not empty (see Lexer.dquote).
            steps += 1 if kind != "double" else 3 if m.group(kind) else 2
            if steps > MAX_STEPS:
                raise TooComplex(f"{TOO_COMPLEX} (too many quoting or expansion steps)")
            if kind == "plain":
                text = m.group()
                if not parts and text.startswith("#"):
                    raise _Unsupported  # a comment
                parts.append((text, False))
            elif kind == "blank":
                if parts:
                    if len(tokens) >= MAX_TOKENS:
                        raise TooComplex(f"{TOO_COMPLEX} (more than {MAX_TOKENS} words)")
                    tokens.append(Word(parts, dynamic, [], escaped))
                    parts, escaped, dynamic = [], False, False
            elif kind == "single" or kind == "double":
                parts.append((m.group(kind), True))
                escaped = True
            elif kind == "var" or kind == "braced":
                name = m.group(kind)
                if name == "IFS":
                    raise _Unsupported  # unquoted, it splits the word (see Lexer.variable)
                known = _KNOWN_VARIABLES.get(name)
                if known is not None:
                    parts.append((known, False))
                else:
                    parts.append(("${" + name + "}", True))
                    dynamic = True
            elif kind == "redirect":
                self.i, self.steps, self.word = i, steps, Word(parts, dynamic, [], escaped)
                self.redirect(m.group())
                i, parts, escaped, dynamic = self.i, self.word.parts, self.word.escaped, self.word.dynamic
            elif kind == "control" and m.group() in _FAST_CONTROLS:
                if parts:
                    if len(tokens) >= MAX_TOKENS:
                        raise TooComplex(f"{TOO_COMPLEX} (more than {MAX_TOKENS} words)")
                    tokens.append(Word(parts, dynamic, [], escaped))
                    parts, escaped, dynamic = [], False, False
                if len(tokens) >= MAX_TOKENS:
                    raise TooComplex(f"{TOO_COMPLEX} (more than {MAX_TOKENS} words)")
                tokens.append(m.group())
            else:
                raise _Unsupported  # process substitution, (, ), case's ;;
        self.i, self.steps, self.word = i, steps, Word(parts, dynamic, [], escaped)
        self.end_word()
        return tokens

    def redirect(self, op: str) -> None:
        if op not in _FAST_REDIRECTS:
            raise _Unsupported  # here-documents and here-strings
        fd = ""
        parts = self.word.parts
        if parts and not any(quoted for _, quoted in parts) and self.word.text.isdigit():
            fd, self.word = self.word.text, Word()
        self.end_word()
        s, n = self.s, len(self.s)
        self.i = _BLANKS.match(s, self.i).end()  # type: ignore[union-attr]
        # Exactly one word is the target (the Lexer does not mark it as quoted).
        target = Word()
        while self.i < n:
            m = _TOKEN.match(s, self.i)
            kind = m.lastgroup if m is not None else None
            if kind == "plain":
                target.parts.append((m.group(), False))  # type: ignore[union-attr]
            elif kind == "single" or kind == "double":
                target.parts.append((m.group(kind), True))  # type: ignore[union-attr]
            elif kind == "var" or kind == "braced" or (kind is None and s[self.i] in "\\$`'\""):
                raise _Unsupported  # a target with a variable: the Lexer reads it
            else:
                break
            self.i = m.end()  # type: ignore[union-attr]
        self.emit(Redirect(op, fd, target if target.parts else None))
