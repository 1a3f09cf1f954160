"""The shell commands a program in any language stands for, read from its text the
same way whatever the language: what it hands to a shell or a process (``execSync``,
``exec.Command``, ``shell_exec``, ``system``, ``Process.Start``, ``Command::new``,
backticks...), assembled from its string pieces (``'rm -rf ' . getenv('HOME')``,
``["rm", "-rf", h]``), and the recursive deletions it makes through its libraries
(``rmSync``, ``os.RemoveAll``, ``remove_dir_all``, ``FileUtils.rm_rf``,
``remove_tree``, ``Remove-Item -Recurse``...) of the home folder or the root. Names
built from pieces (``'rm' + 'tree'``) are joined, and hex or base64 strings are read
as the text they decode to, before anything is looked for. ``written.py`` judges the
result as the commands of the file: a blocked one makes writing or running it ask."""

from __future__ import annotations

import base64
import binascii
import itertools
import re
from collections.abc import Iterator

import ahocorasick_rs

from aegis_core.policy.cues import _AT_BOUNDARY, _MARKS, _NOT_AFTER_WORD, Cued, OutOfTries, holds_any, start_words

MAX_CODE_CHARS = 16_384
MAX_READ_CHARS = 2 * MAX_CODE_CHARS + 1  # with the excerpts around late calls (written.program_text)
# Distinct commands read from one file: one more than the engine judges one by one
# (engine.MAX_SEGMENTS), so that a file holding more asks instead of passing unread.
_MAX_COMMANDS = 121
# What the reader reads of one text at most (up to MAX_READ_CHARS), past which the text
# is Crowded: calls to a shell or a process (each ~0.5 us to find), string pieces read
# in the arguments of the distinct ones (~1 us each), names set to the home folder
# (each looked for between every two pieces) and literals joined by an operator. Real
# code holds far fewer: at most 29 calls, 81 pieces and 39 joins in any 32 KB of 12,000
# read from the Python standard library, the agent CLIs' JavaScript bundles, this
# project and its corpus; text made of them (`exec('a1' exec('a2' ...`, 45 ms to read)
# is not code anyone writes, and a bound on each keeps the reading ~1 ms. The calls'
# bound is the loosest: a call repeated is read once, and a file of a few routine calls
# repeated a few hundred times is still read (and allowed).
MOST_CALLS = 1000
MOST_PIECES = 800
MOST_HOME_NAMES = 32
MOST_JOINS = 400


class Crowded(Exception):
    """A program text holding more of what the reader reads than real code does (see
    MOST_CALLS): it is not read further, and what it was written for asks (its message
    says why, naming the file)."""

# Two literals joined by a concatenation operator, in most languages: + . .. <> ~ &.
_JOINED = re.compile(r"""(["'])([^"'\n\\]{0,200})\1\s*(?:\+|\.\.?|<>|~|&)\s*(["'])([^"'\n\\]{0,200})\3""")
# The home folder or the root, as code names it.
HOME_EXPRESSION = re.compile(
    r"""\bos\.homedir\(\)|\bhomedir\(\)|\bPath\.home\(\)|\bexpanduser\(\s*[rbu]?['"]~/?['"]\s*\)"""
    r"""|\bgetenv\(\s*['"](?:HOME|USERPROFILE)['"]\s*\)|\benviron(?:\.get\(|\[)\s*['"](?:HOME|USERPROFILE)['"]"""
    r"""|\bprocess\.env\.(?:HOME|USERPROFILE)\b|\bprocess\.env\[\s*['"](?:HOME|USERPROFILE)['"]\s*\]"""
    r"""|\bDir\.home\b|\bENV\[\s*['"]HOME['"]\s*\]|\$ENV\{\s*['"]?HOME['"]?\s*\}|\bos\.UserHomeDir\(\)"""
    r"""|\bos\.Getenv\(\s*"HOME"\s*\)|\benv::var\(\s*"HOME"\s*\)|\bhome_dir\(\)"""
    r"""|\bSystem\.getProperty\(\s*"user\.home"\s*\)|\$(?:env:)?(?:HOME|USERPROFILE)\b|%USERPROFILE%"""
    r"""|SpecialFolder\.UserProfile|\bFile\.expand_path\(\s*['"]~['"]|\bDeno\.env\.get\(\s*['"]HOME['"]"""
    r"""|\bFileManager\.default\.homeDirectoryForCurrentUser|\bSystem\.user_home\(\)|\bPath\.expand\(\s*"~"\s*\)""")
# ...and as a literal, with the root and the folders of all homes.
_HOME_LITERAL = re.compile(r"""(?<![\w.])['"](?:~|~/|/|/home|/Users|/root|[A-Z]:\\\\?)['"]""")
# What a recursive deletion deletes, right after its name: its first argument (PowerShell
# flags and a keyword name skipped) when that is the whole argument, not a path below it.
_DELETED = re.compile(r"""['"]?\)?\s*!?\s*\(?(?:\s*-\w+)*\s*(?:\w+\s*[:=]\s*)?(['"][~/\w]*['"]|[A-Za-z_$][\w$]*)"""
                      r"""\s*(?:\.unwrap\(\)|\?|\.to_s\b|\.to_string\(\)|\.expect\([^)\n]*\))?"""
                      r"""\s*(?:[,);]|\s-\w|$)""", re.M)
_CHAIN = r"(?:[\w$]+(?:\([^()\n]{0,40}\))?(?:\.|::))*"  # `require('os').`, `std::env::`: what qualifies a name

_QUOTED_HOME = re.compile(r"""(["'])'~'\1""")  # `"$ENV{HOME}"`: the home, quoted
_TEMPLATE_PART = re.compile(r"\$\{[^}\n]{0,120}\}")
# Library calls that delete a folder with everything in it.
_RECURSIVE_DELETE = re.compile(
    r"""\b(?:shutil\.)?rmtree\b|\brmSync\b|\brimraf\b|\bfs(?:Extra|e)?\.(?:rm|remove|emptyDir)\w*\b"""
    r"""|\b(?:promises|fsp|fs)\.rm\b|\brm(?=\s*\([^)\n]{0,80}recursive)|\bremove_dir_all\b|\bRemoveAll\b"""
    r"""|\brm_rf\b|\brm_r\b|\bremove_tree\b|\bremove_entry_secure\b|\bdeleteDirectory\b|\bDirectory\.Delete\b"""
    r"""|\bRemove-Item\b|\bdeleteRecursively\b|\bFiles\.walk\b|\bFile\.rm_rf\b|\brm_rf!|\brmdir(?=\s*\([^)\n]{0,80}"""
    r"""recursive)|\bremoveItem(?=\(\s*at\b)|\bdel\s+/[sq]|\brd\s+/s|\bfs\.rmdir\b|\bDeno\.remove\b""")
# Handing a command to a shell or a process: one of these names called, or zx's $`cmd`.
_EXEC_NAMES = (
    r"execSync", r"execFileSync", r"spawnSync", r"execFile", r"exec", r"spawn", r"system", r"popen", r"shell_exec",
    r"passthru", r"proc_open", r"Popen", r"check_output", r"check_call", r"getoutput", r"getstatusoutput",
    r"subprocess\.(?:run|call)", r"Process\.Start", r"Command::new", r"Command", r"Invoke-Expression", r"capture2e?",
    r"capture3", r"execa", r"execaSync", r"execCommand", r"runCommand", r"ProcessBuilder", r"os\.execute",
    r"io\.popen", r"sh\.(?:run|exec)", r"cmd\.run", r"Open3\.\w+", r"pcntl_exec")
_CALLED = r"\s*(?:!\s*)?\("
_ZX = r"\$`[^`\n]{2,400}`"
_EXEC = re.compile(r"\b(?:" + "|".join(_EXEC_NAMES) + ")" + _CALLED + "|" + _ZX)


def _first_letter_first(names: tuple[str, ...]) -> str:
    """``\\b(?:names)``, each name's ``\\b`` checked after its first letter (names grouped
    by it, in their order): the same matches, but the pattern starts with a literal in
    every branch, so that ``re`` skips in C every place whose character starts no name
    (a leading ``\\b`` makes it try the whole alternation at every character)."""
    grouped: dict[str, list[str]] = {}
    for name in names:
        grouped.setdefault(name[0], []).append(name[1:])
    return "|".join(re.escape(first) + r"(?<!\w[\s\S])(?:" + "|".join(rest) + ")" + _CALLED
                    for first, rest in grouped.items())


# _EXEC as _first_letter_first spells it, for the searches that read every call of a
# text (test_policy_reader_limits checks it finds what _EXEC finds): ~2x faster.
_EXEC_SCAN = re.compile("(?:" + _first_letter_first(_EXEC_NAMES) + "|" + _ZX + ")")
# _EXEC's plain search costs ~0.03-0.08 us a character (its names share few first
# letters), a name found but not called (`exec `) ~1.2 us in Python: past one such every
# 16 characters the plain search takes over (64 KB of `exec ` 12 -> 4 ms per 48 KB).
_CUED_RECURSIVE_DELETE, _CUED_EXEC = Cued(_RECURSIVE_DELETE), Cued(_EXEC, dense=16, plain=_EXEC_SCAN)
# Backticks run a command in these languages (and only there are they not a string).
_BACKTICK_LANGUAGES = (".rb", ".rake", ".pl", ".pm", ".php")
_BACKTICKS = re.compile(r"`([^`\n]{2,400})`|%x[({\[]([^)}\]\n]{2,400})[)}\]]|\bqx[({\[/]([^)}\]/\n]{2,400})")
_LITERAL = re.compile(r'''"((?:[^"\\\n]|\\.){0,2000})"|'((?:[^'\\\n]|\\.){0,2000})'|`([^`\n]{0,2000})`''')
_ASSIGNED = re.compile(r"""(?:\b(?:let|const|var|my|local|val|auto)\s+(?:mut\s+)?|(?:^|[{;])\s*)\$?(\w+)"""
                       r"""(?:\s*,\s*\w+)?\s*(?::=|=)(?!=)\s*([^\n;]{0,160})""", re.M)
_HEX = re.compile(r"""['"]((?:[0-9a-fA-F]{2}){6,400})['"]""")
_B64 = re.compile(r"""['"]([A-Za-z0-9+/]{12,2000}={0,2})['"]""")
_PRINTABLE = re.compile(r"^[\t\n\r -~]+$")
_COMMAND_WORD = re.compile(r"^\s*(?:sudo\s+)?[\w./-]+(?:\s|$)")


# Words one of which every HOME_EXPRESSION holds (lower-cased): most code has none, and
# a few substring scans in C spare it the regular expression.
_HOME_WORDS = ("home", "userprofile", "expanduser", "expand_path", "path.expand")


def _has_any(low: str, words: tuple[str, ...]) -> bool:
    return holds_any(low, words)


_HOME_CUE = re.compile(r"(?i)home|userprofile|expand")
_CUED_HOME_EXPRESSION = Cued(HOME_EXPRESSION)


def _home_expressions(code: str) -> list[re.Match[str]]:
    """HOME_EXPRESSION's matches, searched only where one can start (see cues.py)."""
    return list(_CUED_HOME_EXPRESSION.finditer(code))


def _home_as_literal(code: str) -> str:
    """``code`` with each home expression, and what qualifies it (`require('os').`,
    `std::env::`, `__import__('os').path.`), replaced by the literal ``'~'``. The
    qualifier is walked back by hand, a bounded number of steps, so no input makes the
    search backtrack."""
    out: list[str] = []
    position = 0
    for found in _home_expressions(code):
        start = found.start()
        if start < position:
            continue
        for _ in range(8):  # never back into the expression replaced before (its end is ``position``)
            if start - 2 < position:
                break
            if code[start - 2:start] == "::":
                step = start - 2
            elif code[start - 1] == ".":
                step = start - 1
            else:
                break
            if step > 0 and code[step - 1] == ")":
                opening = code.rfind("(", max(step - 42, position), step - 1)
                if opening == -1 or "(" in code[opening + 1:step - 1] or ")" in code[opening + 1:step - 1]:
                    break
                step = opening
            name = step
            while name > position and step - name < 80 and (code[name - 1].isalnum() or code[name - 1] in "_$"):
                name -= 1
            if name == step:
                break
            start = name
        out.append(code[position:start])
        out.append("'~'")
        position = found.end()
    out.append(code[position:])
    return "".join(out)


# What every match of _JOINED holds: a quote, the operator, a quote. Searched first, it
# rules out in one cheap scan a text dense with strings never joined (_JOINED itself
# reads each string's body from every quote, ~0.1 us each).
_JOIN_CUE = re.compile(r"""["']\s*(?:\+|\.\.?|<>|~|&)\s*["']""")


def _joined(code: str) -> str:
    if _JOIN_CUE.search(code) is not None and \
            len(list(itertools.islice(_JOIN_CUE.finditer(code), MOST_JOINS + 1))) > MOST_JOINS:
        raise Crowded(f"more than {MOST_JOINS} strings joined by an operator")
    for _ in range(6):
        if _JOIN_CUE.search(code) is None:
            break
        merged = _JOINED.sub(lambda m: f"{m.group(1)}{m.group(2)}{m.group(4)}{m.group(1)}", code)
        if merged == code:
            break
        code = merged
    return code


def _decoded(code: str) -> list[str]:
    """The texts hex and base64 string literals in ``code`` decode to, when printable."""
    out: list[str] = []
    for found in _HEX.finditer(code):
        if len(out) >= _MAX_COMMANDS:
            return out  # no more are kept
        try:
            text = bytes.fromhex(found.group(1)).decode("ascii")
        except (ValueError, UnicodeDecodeError):
            continue
        if _PRINTABLE.match(text):
            out.append(text)
    for found in _B64.finditer(code):
        if len(out) >= _MAX_COMMANDS:
            break
        value = found.group(1)
        if len(value) % 4 or value.isalpha() or value.isdigit():
            continue
        try:
            text = base64.b64decode(value, validate=True).decode("ascii")
        except (binascii.Error, ValueError, UnicodeDecodeError):
            continue
        if _PRINTABLE.match(text) and " " in text:
            out.append(text)
    return out[:_MAX_COMMANDS]


def _home_names(code: str, assignments: list[tuple[str, str]] | None = None) -> set[str]:
    """Variables the code sets to the home folder itself (`h, _ := os.UserHomeDir()`,
    `let h = env::var("HOME").unwrap();`), not to a path below it. ``assignments``:
    _ASSIGNED.findall(code), when already made."""
    names: set[str] = set()
    seen: dict[str, re.Match[str] | None] = {}  # the same value assigned again is matched once
    # findall: every assignment's (name, value) built in C, no Python step per match object.
    for name, assigned in _ASSIGNED.findall(code) if assignments is None else assignments:
        text = assigned.strip()
        if text not in seen:
            seen[text] = _HOME_VALUE.match(text)
        value = seen[text]
        if value and (value.group(1) is not None or value.group(2) in names):
            names.add(name)
    return names


_HOME_VALUE = re.compile(r"""(?:(?:str|String|Path|path\.resolve|filepath\.Clean|File\.expand_path)\(\s*)?"""
                         r"""(?:(""" + _CHAIN + "(?:" + HOME_EXPRESSION.pattern + r"""))|([A-Za-z_]\w*))"""
                         r"""\s*\)?\s*(?:\.unwrap\(\)|\?|\.expect\([^)\n]*\)|\.to_s|\.to_string\(\)|\|\|\s*['"][^'"]*['"])?\s*;?\s*$""")


def _window(code: str, start: int) -> str:
    """The arguments of the call starting at ``start`` (to the end of its line, bounded)."""
    end = code.find("\n", start, start + 240)
    return code[start:end if end != -1 else start + 240]


def _names_home(text: str, home_names: re.Pattern[str] | None) -> bool:
    # The cheap tests first: this runs between every two string pieces of every call read.
    if "'~'" in text or (_HOME_CUE.search(text) and HOME_EXPRESSION.search(text)) \
            or (("'" in text or '"' in text) and _HOME_LITERAL.search(text)):
        return True
    return home_names is not None and home_names.search(text) is not None


def _home_name_pattern(names: set[str]) -> re.Pattern[str] | None:
    """One search for any of ``names`` used whole (not `h.x`, `h[0]`, `h(...)`): one
    pattern compiled per text, not one search per name between every two pieces."""
    if not names:
        return None
    return re.compile(r"(?<![\w.])(?:" + "|".join(map(re.escape, sorted(names))) + r")\b(?!\s*[.\[(])")


def _string_variables(code: str, assignments: list[tuple[str, str]] | None = None) -> dict[str, str]:
    """Variables set to one string (`cmd = 'rm' + ' -rf ' + '~'`, pieces already joined).
    ``assignments``: _ASSIGNED.findall(code), when already made."""
    found: dict[str, str] = {}
    seen: dict[str, str | None] = {}  # the same value assigned again is matched once
    for name, assigned in _ASSIGNED.findall(code) if assignments is None else assignments:
        text = assigned.strip()
        if text not in seen:
            value = _ONE_LITERAL.match(text)
            seen[text] = (value.group(1) or value.group(2) or "") if value else None
        literal = seen[text]
        if literal is not None:
            found[name] = literal
    return found


_ONE_LITERAL = re.compile(r"""^[rbfu]{0,2}(?:"((?:[^"\\\n]|\\.){0,2000})"|'((?:[^'\\\n]|\\.){0,2000})')\s*;?$""")
_BUILDER_STEP = re.compile(r"^\)\s*\.(?:arg|args)\(\s*(?:&?\[|vec!\[)?\s*$")


def _command_of(window: str, home_names: re.Pattern[str] | None, strings: dict[str, str] | None = None,
                pieces_left: list[int] | None = None) -> str | None:
    """The command a call's arguments spell: string pieces in order, the home folder as
    ``~``, an argument list's items as words, a builder's `.arg(...)`/`.args([...])`
    steps as more words, a variable set to one string as that string. ``pieces_left``:
    string pieces that may still be read, past which Crowded is raised."""
    if strings:
        first = re.match(r"\s*(\w+)\s*[,)]", window)
        if first and first.group(1) in strings:
            command = strings[first.group(1)].strip()
            return command if _COMMAND_WORD.match(command) else None
    pieces: list[str] = []
    position = 0
    for found in _LITERAL.finditer(window):
        if pieces_left is not None:
            pieces_left[0] -= 1
            if pieces_left[0] < 0:
                raise Crowded(f"more than {MOST_PIECES} string pieces")
        between = window[position:found.start()]
        if pieces and _names_home(between, home_names):
            pieces.append(" ~" if between.strip().startswith(",") else "~")
        elif pieces and _BUILDER_STEP.match(between.strip()):
            pieces.append(" ")
        elif pieces and "{" in between:
            break  # an options object: the command has ended
        elif pieces and "," in between:
            pieces.append(" ")
        elif pieces and between.strip() and between.strip() not in ("+", ".", "..", "<>", "&"):
            if between.strip().startswith(")"):
                break
            pieces.append("x")
        pieces.append(found.group(1) or found.group(2) or found.group(3) or "")
        position = found.end()
        if window[position:position + 1] == ")" and window[position:position + 2] != "))":
            rest = window[position + 1:position + 3]
            if not rest.startswith(("+", " +", ".", " .")):
                break
    if not pieces:
        return None
    tail = window[position:position + 120]
    if _names_home(tail.split(")", 1)[0], home_names):
        pieces.append(" ~" if tail.lstrip().startswith(",") else "~")
    command = "".join(pieces).replace("\\n", "\n").strip()
    return command if _COMMAND_WORD.match(command) else None


# _EXEC with what follows each call on its line (the arguments _window gives), in one
# match: where calls are dense, re.findall reads them all in C.
_EXEC_AND_WINDOW = re.compile(f"({_EXEC_SCAN.pattern})(?=([^\n]{{0,240}}))")
# Calls read through the cue before the rest of a text is read the dense way.
_SPARSE_CALLS = 64


def _calls(code: str, most: int | None = None) -> Iterator[tuple[str, str]]:
    """(each call to a shell or process in ``code``, its arguments' window), each
    distinct pair once, in order. A text with few calls is searched through the cue
    (see cues.py); past _SPARSE_CALLS, the rest is read by one findall, whose matches
    are the same as the cued search's from there (``\b`` sees the character before).
    ``most``: the calls (repeats too) past which Crowded is raised."""
    seen: set[tuple[str, str]] = set()
    for count, found in enumerate(_CUED_EXEC.finditer(code)):
        if count == _SPARSE_CALLS:
            if most is None:
                rest = _EXEC_AND_WINDOW.findall(code, found.start())
            else:  # counted first, without their windows (each ~0.25 us): no more made than may be read
                if count + sum(1 for _ in itertools.islice(_EXEC_SCAN.finditer(code, found.start()),
                                                           most - count + 1)) > most:
                    raise Crowded(f"more than {most} calls to a shell or a process")
                rest = _EXEC_AND_WINDOW.findall(code, found.start())
            yield from (pair for pair in dict.fromkeys(rest) if pair not in seen)
            return
        if most is not None and count == most:
            raise Crowded(f"more than {most} calls to a shell or a process")
        pair = (found.group(0), _window(code, found.end()))
        if pair not in seen:
            seen.add(pair)
            yield pair


def unread_calls(text: str, name: str = "") -> str | None:
    """The first call to a shell or a process, or recursive deletion, in ``text`` (a part
    of a program code_commands does not read), or None."""
    if name.lower().endswith(_BACKTICK_LANGUAGES):
        ticked = _BACKTICKS.search(text)  # first: one scan in C, where backticks run commands
        if ticked is not None:
            return ticked.group(0)
    for pattern in (_CUED_EXEC, _CUED_RECURSIVE_DELETE):
        found = pattern.search(text)
        if found is not None:
            return found.group(0)
    return None


def late_call_starts(text: str, name: str = "", tries: list[int] | None = None) -> list[int]:
    """Where in ``text`` a call to a shell or a process, or a recursive deletion, starts
    (what unread_calls finds), up to 13 places: past that many a caller asks.
    ``tries``: places the patterns may be tried at (see Cued.finditer), past which
    OutOfTries is raised."""
    starts: list[int] = []
    if name.lower().endswith(_BACKTICK_LANGUAGES):
        for found in _BACKTICKS.finditer(text):  # one scan in C, match by match
            starts.append(found.start())
            if len(starts) > 12:
                return starts
    if tries is None:
        for pattern in (_CUED_EXEC, _CUED_RECURSIVE_DELETE):
            for found in pattern.finditer(text):
                starts.append(found.start())
                if len(starts) > 12:
                    return starts
        return starts
    # With a budget: every start word of both patterns found in one Aho-Corasick scan
    # (in C, ~0.3 ms for 48 KB, where a cue per pattern took ~1 ms each), each pattern
    # then tried where one of its own words starts and its last match ended (as its
    # finditer would). Each place tried is a try; the words found, inside other words
    # too (`rm` in `format`), are bounded apart (_MOST_WORDS_FOUND per try allowed).
    automaton, owners, apart, longest = _late_words()
    allowed = _MOST_WORDS_FOUND * max(tries[0], 0)
    resume = [0, 0]
    # A piece at a time (with the start of the next, for the words that go on into it):
    # a text dense with calls is done with at its 13th, not after a list of every word.
    for begin in range(0, len(text), _LATE_PIECE):
        finish = begin + _LATE_PIECE
        found_words = automaton.find_matches_as_indexes(text[begin:finish + longest - 1], overlapping=True)
        allowed -= len(found_words)
        if allowed < 0:
            raise OutOfTries
        places: list[int] = []  # start * 2 + pattern: sorted as ints
        for word, start, _ in found_words:
            start += begin
            if start >= finish or (apart[word] and start and (text[start - 1].isalnum() or text[start - 1] == "_")):
                continue  # found again in the next piece; or \b, not where a word character comes before
            places.extend(start * 2 + index for index in owners[word])
        places.sort()
        last = -1
        for place in places:
            if place == last:
                continue  # one word inside another of the same pattern
            last = place
            start, index = divmod(place, 2)
            if start < resume[index]:
                continue
            tries[0] -= 1
            if tries[0] < 0:
                raise OutOfTries
            hit = _LATE_PATTERNS[index].match(text, start)
            if hit is not None:
                starts.append(start)
                if len(starts) > 12:
                    return starts
                resume[index] = hit.end()
    return starts


_LATE_PATTERNS = (_EXEC, _RECURSIVE_DELETE)
# Words found per try a late-call search may make, inside other words too: past that,
# a text made of the short ones (`rmrmrm...`) is given up on (ordinary code holds a
# few hundred in 48 KB).
_MOST_WORDS_FOUND = 8
_LATE_PIECE = 4096
_LateWords = tuple[ahocorasick_rs.AhoCorasick, list[tuple[int, ...]], list[bool], int]
_late_automaton: list[_LateWords] = []


def _late_words() -> _LateWords:
    """(an automaton of _LATE_PATTERNS' start words, per word the patterns it starts,
    per word whether it starts only where no word character comes before, the longest
    word's length), built on first use."""
    if not _late_automaton:
        owners: dict[str, set[int]] = {}
        apart: dict[str, bool] = {}
        for index, pattern in enumerate(_LATE_PATTERNS):
            for word in start_words(pattern, marked=True) or ():
                plain = word.lstrip(_MARKS)
                owners.setdefault(plain, set()).add(index)
                separate = word[0] == _NOT_AFTER_WORD or (word[0] == _AT_BOUNDARY and (plain[0].isalnum()
                                                                                        or plain[0] == "_"))
                apart[plain] = apart.get(plain, True) and separate
        words = sorted(owners)
        automaton = ahocorasick_rs.AhoCorasick(words, matchkind=ahocorasick_rs.MatchKind.Standard,
                                               implementation=ahocorasick_rs.Implementation.DFA)
        _late_automaton.append((automaton, [tuple(sorted(owners[w])) for w in words], [apart[w] for w in words],
                                max(map(len, words))))
    return _late_automaton[0]


def code_commands(content: str, name: str = "") -> str:
    """Shell commands standing for what a program's text (in the file ``name``) runs
    or deletes. Crowded: the text holds more of what is read than real code does (see
    MOST_CALLS), its message the reason to give."""
    try:
        return _code_commands(content[:MAX_READ_CHARS], name)
    except Crowded as crowded:
        file = name.rsplit("/", 1)[-1] or "the file"
        raise Crowded(f"{file} holds {crowded} in the {min(len(content), MAX_READ_CHARS)} characters Aegis reads, "
                      "more than real code does; it is not read further") from None


def _code_commands(code: str, name: str) -> str:
    # The assignments are found once (~1.3 ms for 16 KB of real code) where the code is
    # the same text after the substitutions below (they changed nothing).
    assigned = _ASSIGNED.findall(code) if "=" in code and _has_any(code.lower(), _HOME_WORDS) else None
    as_read = code
    named = _home_names(code, assigned) if assigned else set()
    if len(named) > MOST_HOME_NAMES:
        raise Crowded(f"more than {MOST_HOME_NAMES} names set to the home folder")
    home_names = _home_name_pattern(named)
    # The home folder as a literal `~`, joined to the pieces around it (`'rm -rf ' . getenv('HOME')`,
    # `${os.homedir()}`), and names assembled from pieces (`'rm' + 'tree'`) joined.
    templated = _TEMPLATE_PART.sub(lambda m: "~" if _names_home(m.group(0)[2:-1], home_names) else m.group(0), code)
    code = code if templated == code else templated  # the same text kept as the same object (see as_read)
    if _has_any(code.lower(), _HOME_WORDS):
        code = _home_as_literal(code)
    code = _joined(_QUOTED_HOME.sub("'~'", code))
    strings = _string_variables(code, assigned if code is as_read else None) if "=" in code else {}
    commands: dict[str, None] = {}  # each distinct command once, in order
    read: dict[str, str | None] = {}  # window -> its command: repeated calls are read once
    for found in _CUED_RECURSIVE_DELETE.finditer(code):
        target = _DELETED.match(code, found.end(), min(len(code), found.end() + 200))
        if target is None:
            continue
        deleted = target.group(1)
        if deleted in ("'~'", '"~"') or deleted.lstrip("$") in named:
            commands["rm -rf ~"] = None
            break
        if deleted[1:-1] in ("/", "/home", "/Users", "/root"):
            commands[f"rm -rf {deleted[1:-1]}"] = None
            break
    if name.lower().endswith(_BACKTICK_LANGUAGES):
        commands.update(dict.fromkeys(c for m in _BACKTICKS.finditer(code)
                                      if _COMMAND_WORD.match(c := m.group(1) or m.group(2) or m.group(3) or "")))
    pieces_left = [MOST_PIECES]
    for text, window in _calls(code, MOST_CALLS):
        if text.startswith("$`"):
            command: str | None = text[2:-1]  # zx: $`cmd`
        else:
            if "'" not in window and '"' not in window and not (strings and "=" in code):
                continue  # no string handed over: nothing to read (and nothing to search)
            if window not in read:
                read[window] = _command_of(window, home_names, strings, pieces_left)
            command = read[window]
        if command:
            commands[command] = None
        if len(commands) >= _MAX_COMMANDS:
            break
    for text in _decoded(code):
        if _COMMAND_WORD.match(text):
            commands[text] = None
    return "\n".join(commands)
