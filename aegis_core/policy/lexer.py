"""A POSIX/bash shell lexer that turns a command string into words and operators the
way the shell would see them: quotes removed, escapes applied, ``$'...'`` decoded,
substitutions kept as nested token lists, here-documents attached to their redirect.

It never raises on bad input: anything it cannot read with confidence is recorded
in ``problems`` so the policy asks a human instead of guessing.
"""

from __future__ import annotations

import re

from aegis_core.policy.tokens import (
    MAX_DEPTH,
    MAX_STEPS,
    MAX_TOKENS,
    TOO_COMPLEX,
    Lexed,
    Problem,
    Redirect,
    Word,
    decode_ansi,
)

# Characters that end a run of ordinary word characters.
# Only ASCII blanks separate words, as in bash: a no-break space is part of a word.
_PLAIN = re.compile(r"[^ \t\n\r\f\v'\"\\$`;&|<>()]+")
_BLANK = re.compile(r"[ \t\r\f\v]+")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|[0-9@*#?$!-]")
_REDIRECT = re.compile(r"&>>|&>|>>|>&|>\||<<<|<<-|<<|<>|<&|>|<")
_CONTROL = re.compile(r"\|\||\|&|&&|;;&|;;|;&|[|&;()\n]")
_ANSI_BODY = re.compile(r"(?:[^'\\]|\\.)*", re.S)

# Variables whose value we know well enough to use as a path.
_KNOWN_VARS = {"HOME": "~", "PWD": "."}
# Unquoted $IFS splits words: `rm${IFS}-rf${IFS}/` is `rm -rf /`.
_IFS_NAMES = ("IFS",)


_ECHO_OPTIONS = frozenset({"-n", "-E"})
_RESOLVER_OPTIONS = frozenset({"-f", "-e", "-m", "-s", "--canonicalize", "--canonicalize-existing",
                               "--canonicalize-missing", "--no-symlinks", "-q", "-z"})


def _echoed(tokens: list) -> str | None:
    """What a substitution that only repeats a literal word prints (`$(echo ~/.aws)`,
    `$(printf %s .env)`, `$(realpath ~/.ssh)`, `$(dirname ~/.aws/x)`, `$(ls -d ~/.kube)`),
    or None. The word then stands in for the substitution, so a path spelled through one
    is judged as the path it is; anything else stays an unknown value."""
    if not tokens or len(tokens) > 5 or not all(isinstance(t, Word) and not t.dynamic and not t.subs
                                                  for t in tokens):
        return None
    name, *args = [t.text for t in tokens]
    if name == "echo":
        args = [a for a in args if a not in _ECHO_OPTIONS]
    elif name == "printf":
        if len(args) == 2 and args[0].count("%s") == 1 and "%" not in args[0].replace("%s", "") \
                and "\\" not in args[0].replace("\\n", ""):
            args = [args[0].replace("%s", args[1]).removesuffix("\\n")]
        elif len(args) == 1 and "%" not in args[0] and "\\" not in args[0]:
            pass
        else:
            return None
    elif name in ("realpath", "readlink"):
        args = [a for a in args if a not in _RESOLVER_OPTIONS]
    elif name == "dirname" and len(args) == 1 and "/" in args[0].rstrip("/"):
        args = [args[0].rstrip("/").rsplit("/", 1)[0] or "/"]
    elif name == "ls" and args[:1] == ["-d"]:
        args = args[1:]
    elif name == "pwd" and all(a in ("-L", "-P") for a in args):
        args = ["."]  # `"$(pwd)/build"`: the working folder, as $PWD is
    else:
        return None
    if len(args) != 1 or not args[0] or any(c.isspace() for c in args[0]):
        return None
    return args[0]


class Lexer:
    """Single pass over ``source`` from ``pos``; stops at the end, or at the ``)``
    closing a substitution when ``closing`` is set."""

    def __init__(self, source: str, pos: int = 0, depth: int = 0, closing: bool = False,
                 budget: list[int] | None = None) -> None:
        self.s = source
        self.i = pos
        self.depth = depth
        self.closing = closing
        self.tokens: list = []
        self.problems: list[str] = []
        self.pending_heredocs: list[tuple[Redirect, str, bool, bool]] = []
        self.budget = budget if budget is not None else [MAX_TOKENS, MAX_STEPS]
        self.word = Word()
        self.parens = 0

    # -- helpers -----------------------------------------------------------

    def problem(self, text: str) -> None:
        if text not in self.problems:
            self.problems.append(text)

    def emit(self, token: object) -> None:
        self.budget[0] -= 1
        if self.budget[0] < 0:
            self.problem(f"{TOO_COMPLEX} (more than {MAX_TOKENS} words)")
            raise _Stop
        self.tokens.append(token)

    def check_budget(self) -> None:
        if self.budget[0] < 0 or self.budget[1] < 0:
            raise _Stop

    def step(self) -> None:
        self.budget[1] -= 1
        if self.budget[1] < 0:
            self.problem(f"{TOO_COMPLEX} (too many quoting or expansion steps)")
            raise _Stop

    def end_word(self) -> None:
        if self.word:
            self.emit(self.word)
        self.word = Word()

    def sub(self, start: int) -> tuple[list, int]:
        """Lex a ``$(...)`` body starting at ``start``; returns tokens and the index
        after the closing parenthesis."""
        if self.depth + 1 > MAX_DEPTH:
            self.problem("substitutions nested too deeply to analyse")
            self.budget[0] = -1  # every enclosing level stops too
            raise _Stop
        inner = Lexer(self.s, start, self.depth + 1, closing=True, budget=self.budget)
        lexed = inner.run()
        self.problems.extend(p for p in lexed.problems if p not in self.problems)
        self.check_budget()
        return lexed.tokens, lexed.end

    def lex_string(self, text: str) -> list:
        if self.depth + 1 > MAX_DEPTH:
            self.problem("substitutions nested too deeply to analyse")
            self.budget[0] = -1  # every enclosing level stops too
            raise _Stop
        inner = Lexer(text, 0, self.depth + 1, budget=self.budget)
        lexed = inner.run()
        self.problems.extend(p for p in lexed.problems if p not in self.problems)
        self.check_budget()
        return lexed.tokens

    # -- main loop ---------------------------------------------------------

    def run(self) -> Lexed:
        try:
            self._loop()
        except _Stop:
            pass
        return Lexed(self.tokens, self.problems, self.i)

    def _loop(self) -> None:
        s, n = self.s, len(self.s)
        while self.i < n:
            self.step()
            c = s[self.i]
            m = _PLAIN.match(s, self.i)
            if m:
                text = m.group()
                if not self.word and text.startswith("#"):
                    end = s.find("\n", self.i)
                    self.i = n if end < 0 else end
                    continue
                self.word.add(text, False)
                self.i = m.end()
                continue
            if c in " \t\r\f\v":
                self.end_word()
                self.i = _BLANK.match(s, self.i).end()  # type: ignore[union-attr]
                continue
            if c == "\\":
                if self.i + 1 >= n:
                    self.i += 1
                    continue
                nxt = s[self.i + 1]
                if nxt != "\n":  # backslash-newline is a line continuation
                    self.word.add(nxt, True)
                    self.word.escaped = True
                self.i += 2
                continue
            if c == "'":
                end = s.find("'", self.i + 1)
                if end < 0:
                    self.problem(Problem("unbalanced single quote", Problem.OPEN))
                    self.word.add(s[self.i + 1:], True)
                    self.i = n
                    continue
                self.word.add(s[self.i + 1:end], True)
                self.word.escaped = True
                self.i = end + 1
                continue
            if c == '"':
                self.word.escaped = True
                self.i = self.dquote(self.i + 1, self.word)
                continue
            if c == "$":
                self.dollar(self.word, quoted=False)
                continue
            if c == "`":
                self.backtick(self.word)
                continue
            if c in "<>" and self.i + 1 < n and s[self.i + 1] == "(":
                # Process substitution <(cmd) / >(cmd): a command whose output is a file.
                tokens, end = self.sub(self.i + 2)
                self.word.subs.append(("procsub", tokens))
                self.word.dynamic = True
                self.word.add(f"{c}(...)", True)
                self.i = end
                continue
            r = _REDIRECT.match(s, self.i)
            if r:
                self.redirect(r.group())
                continue
            op = _CONTROL.match(s, self.i).group()  # type: ignore[union-attr]
            self.end_word()
            self.i += len(op)
            if op == "(":
                self.parens += 1
            elif op == ")":
                if self.closing and self.parens == 0:
                    return
                self.parens -= 1
            if op == "\n":
                self.read_heredocs()
            self.emit(op)
        if self.closing:
            self.problem(Problem("unbalanced parenthesis in $(...)", Problem.OPEN))
        self.end_word()
        if self.pending_heredocs:
            self.read_heredocs()

    # -- pieces ------------------------------------------------------------

    def dquote(self, i: int, word: Word, terminator: str | None = '"') -> int:
        """Read a double-quoted string body starting at ``i``; returns the index
        after the closing quote (or the end)."""
        s, n = self.s, len(self.s)
        buf: list[str] = []
        while i < n:
            self.step()
            c = s[i]
            if terminator and c == terminator:
                word.add("".join(buf), True)
                return i + 1
            if c == "\\" and i + 1 < n:
                nxt = s[i + 1]
                if nxt in '$`"\\':
                    buf.append(nxt)
                elif nxt != "\n":
                    buf.append("\\" + nxt)
                i += 2
                continue
            if c == "$" or c == "`":
                word.add("".join(buf), True)
                buf = []
                self.i = i
                if c == "$":
                    self.dollar(word, quoted=True)
                else:
                    self.backtick(word, quoted=True)
                i = self.i
                continue
            j = i + 1
            while j < n and s[j] not in '"\\$`':
                j += 1
            buf.append(s[i:j])
            i = j
        if terminator:
            self.problem(Problem("unbalanced double quote", Problem.OPEN))
        word.add("".join(buf), True)
        return n

    def dollar(self, word: Word, quoted: bool) -> None:
        s, n, i = self.s, len(self.s), self.i
        nxt = s[i + 1] if i + 1 < n else ""
        if nxt == "(" and s.startswith("((", i + 1):
            end = s.find("))", i + 3)
            body = s[i + 3:end] if end >= 0 else s[i + 3:]
            if "$(" in body or "`" in body:
                word.subs.append(("$(...)", self.lex_string(body)))
            word.add("$((...))", True)
            word.dynamic = True
            self.i = n if end < 0 else end + 2
            return
        if nxt == "(":
            tokens, end = self.sub(i + 2)
            word.subs.append(("$(...)", tokens))
            self.i = end
            echoed = _echoed(tokens)
            if echoed is not None:
                word.add(echoed, quoted)
                word.escaped = True  # spelled in disguise, which says something too
                return
            word.add("$(...)", True)
            word.dynamic = True
            return
        if nxt == "{":
            depth, j = 1, i + 2
            while j < n and depth:
                if s[j] == "{":
                    depth += 1
                elif s[j] == "}":
                    depth -= 1
                j += 1
            if depth:
                self.problem(Problem("unbalanced ${...}", Problem.OPEN))
            inner = s[i + 2:j - 1] if not depth else s[i + 2:]
            self.i = j
            name = re.match(r"[A-Za-z_][A-Za-z0-9_]*", inner)
            if "$(" in inner or "`" in inner:
                word.subs.append(("$(...)", self.lex_string(inner.split(":-", 1)[-1])))
            self.variable(word, name.group() if name else "", inner, quoted,
                          plain=bool(name and name.group() == inner))
            return
        if nxt == "'" and not quoted:
            ansi = _ANSI_BODY.match(s, i + 2)
            end = ansi.end() if ansi else n
            if end >= n:
                self.problem(Problem("unbalanced $'...' quote", Problem.OPEN))
            body = s[i + 2:min(end, n)]
            # Decoding escapes is the lexer's dearest step: each one counts against the
            # step budget, which is what bounds the time spent on any input.
            self.budget[1] -= body.count("\\")
            word.add(decode_ansi(body), True)
            word.escaped = True
            self.i = min(end + 1, n)
            return
        if nxt == '"' and not quoted:
            word.escaped = True
            self.i = self.dquote(i + 2, word)
            return
        m = _NAME.match(s, i + 1)
        if not m:
            word.add("$", quoted)
            self.i = i + 1
            return
        self.i = m.end()
        self.variable(word, m.group(), m.group(), quoted, plain=True)

    def variable(self, word: Word, name: str, written: str, quoted: bool, plain: bool) -> None:
        if name in _IFS_NAMES and not quoted:
            self.end_word()
            return
        if name in _IFS_NAMES:
            word.add(" ", True)
            return
        if plain and name in _KNOWN_VARS:
            word.add(_KNOWN_VARS[name], False)
            return
        word.add("${" + written + "}", True)
        word.dynamic = True

    def backtick(self, word: Word, quoted: bool = False) -> None:
        s, n = self.s, len(self.s)
        j = self.i + 1
        buf: list[str] = []
        while j < n and s[j] != "`":
            self.step()
            if s[j] == "\\" and j + 1 < n and s[j + 1] in "`$\\":
                buf.append(s[j + 1])
                j += 2
                continue
            buf.append(s[j])
            j += 1
        if j >= n:
            self.problem(Problem("unbalanced backtick", Problem.OPEN))
        tokens = self.lex_string("".join(buf))
        word.subs.append(("`...`", tokens))
        self.i = min(j + 1, n)
        echoed = _echoed(tokens)
        if echoed is not None:
            word.add(echoed, quoted)
            word.escaped = True
            return
        word.add("`...`", True)
        word.dynamic = True

    def redirect(self, op: str) -> None:
        fd = ""
        if self.word and all(not q for _, q in self.word.parts) and self.word.text.isdigit():
            fd, self.word = self.word.text, Word()
        self.end_word()
        self.i += len(op)
        blank = _BLANK.match(self.s, self.i)
        self.i = blank.end() if blank else self.i
        target = Word()
        saved, self.word = self.word, target
        # Read exactly one word as the target.
        start_tokens = len(self.tokens)
        self._read_one_word()
        self.word = saved
        del self.tokens[start_tokens:]
        red = Redirect(op, fd, target if target else None)
        if op in ("<<", "<<-"):
            if not target:
                self.problem(Problem("here-document without a delimiter", Problem.OPEN))
            else:
                quoted = any(q for _, q in target.parts)
                self.pending_heredocs.append((red, target.text, quoted, op == "<<-"))
        elif op == "<<<" and target:
            red.body = target.text
            red.body_subs = list(target.subs)
        self.emit(red)

    def _read_one_word(self) -> None:
        """Consume characters of the current word only (used for redirect targets)."""
        s, n = self.s, len(self.s)
        while self.i < n:
            c = s[self.i]
            m = _PLAIN.match(s, self.i)
            if m:
                self.word.add(m.group(), False)
                self.i = m.end()
            elif c == "\\" and self.i + 1 < n:
                self.word.add(s[self.i + 1], True)
                self.i += 2
            elif c == "'":
                end = s.find("'", self.i + 1)
                end = n if end < 0 else end
                self.word.add(s[self.i + 1:end], True)
                self.i = min(end + 1, n)
            elif c == '"':
                self.i = self.dquote(self.i + 1, self.word)
            elif c == "$":
                self.dollar(self.word, quoted=False)
            elif c == "`":
                self.backtick(self.word)
            else:
                return

    def read_heredocs(self) -> None:
        """Attach the bodies of pending here-documents: the lines after the
        current newline, up to each delimiter."""
        s = self.s
        for red, delimiter, quoted, strip_tabs in self.pending_heredocs:
            self.step()
            tabs = "\t*" if strip_tabs else ""
            end = re.compile(rf"^{tabs}{re.escape(delimiter)}$", re.M).search(s, self.i)
            found = end is not None
            raw = s[self.i:end.start()] if end else s[self.i:]
            self.i = min(end.end() + 1, len(s)) if end else len(s)
            lines = raw[:-1].split("\n") if raw.endswith("\n") else raw.split("\n") if raw else []
            if strip_tabs:
                lines = [line.lstrip("\t") for line in lines]
            body = "\n".join(lines)
            red.body = body
            if not quoted and ("$(" in body or "`" in body):
                holder = Word()
                saved_s, saved_i = self.s, self.i
                self.s, self.i = body, 0
                try:
                    self.dquote(0, holder, terminator=None)
                finally:
                    self.s, self.i = saved_s, saved_i
                red.body_subs = holder.subs
            if not found and self.closing:
                self.problem(Problem("here-document inside $(...) is not terminated", Problem.OPEN))
        self.pending_heredocs = []


class _Stop(Exception):
    """Raised inside the lexer to abandon analysis (too complex or too deep)."""
