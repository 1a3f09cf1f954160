"""What an in-place editor's program keeps of the file it rewrites. ``sed -i``, ``perl
-i``, ``ruby -i`` and ``gawk -i inplace`` replace a file with what their program prints:
a program that never prints the lines it reads (``sed -n -i 's/a/b/'``, ``perl -i -ne
'next'``, ``awk -i inplace '/x/{next}'``), or that deletes every line before it can
(``sed -i '$!d'``), guts the file as surely as ``> file``. Each reader here walks the
program text once, left to right, and answers one question: can a line read reach the
output? Where it cannot tell (a program in a file, a condition), it says yes: the
legitimate edits (``perl -i -pe s/a/b/``, ``sed -i '/DEBUG/d'``, ``awk -i inplace
'{gsub(...)} 1'``) must stay free."""

from __future__ import annotations

import re

# ---------------------------------------------------------------- sed

# Addresses every line matches (`1,$`, `0,$`, `/.*/`, `/^/`, `/$/`), and those all lines
# but one match (`$!`, `1!`): a `d` there leaves nothing (or one line) of the file.
_SED_EVERY_LINE = re.compile(r"^(?:[01]\s*,\s*\$|/\^?\.[*+]?\$?/I?|/\^/|/\$/|(?:\$|\d+)\s*!)$")
# A single line (`$`, `5`): printing only it keeps one line.
_SED_ONE_LINE = re.compile(r"^(?:\$|\d+)$")


def _sed_delimited(script: str, i: int, parts: int) -> int:
    """The index after ``parts`` fields delimited by ``script[i]`` (s/a/b/, y/a/b/)."""
    if i >= len(script):
        return i
    delimiter = script[i]
    i += 1
    while parts and i < len(script):
        char = script[i]
        if char == "\\":
            i += 2
            continue
        if char == delimiter:
            parts -= 1
        i += 1
    return i


def _sed_address(script: str, i: int) -> int:
    """The index after an address or address range at ``i`` (and a `!`)."""
    n = len(script)
    for _ in range(2):
        while i < n and script[i] in " \t":
            i += 1
        if i < n and script[i] == "/":
            i = _sed_delimited(script, i, 1)
            while i < n and script[i] in "IM":
                i += 1
        elif i < n and script[i] == "\\" and i + 1 < n:
            i = _sed_delimited(script, i + 1, 1)
        else:
            while i < n and (script[i].isdigit() or script[i] in "$~+"):
                i += 1
        while i < n and script[i] in " \t":
            i += 1
        if i < n and script[i] == ",":
            i += 1
            continue
        break
    if i < n and script[i] == "!":
        i += 1
    return i


def sed_keeps_lines(scripts: list[str], quiet: bool) -> bool:
    """Whether a sed program (its ``-e`` parts, in order) can print the lines it reads:
    with ``-n`` only through `p`, `P`, `l` or `s///p` (not one that prints a single
    line), without it unless every line is deleted (`d`, `D`, `Q` everywhere) before
    anything printed it."""
    script = "\n".join(scripts)
    n = len(script)
    i = 0
    blocks: list[bool] = []  # per open block: is its address every line?
    printed = False
    while i < n:
        char = script[i]
        if char in " \t\n;":
            i += 1
            continue
        if char == "#":
            end = script.find("\n", i)
            i = n if end < 0 else end
            continue
        if char == "}":
            if blocks:
                blocks.pop()
            i += 1
            continue
        start = i
        i = _sed_address(script, i)
        address = script[start:i].strip()
        if i >= n:
            break
        command = script[i]
        i += 1
        everywhere = (not address or bool(_SED_EVERY_LINE.match(address))) and all(blocks)
        if command == "{":
            blocks.append(not address or bool(_SED_EVERY_LINE.match(address)))
            continue
        if command in "sy":
            i = _sed_delimited(script, i, 2)
            prints = False
            while i < n and script[i] not in ";\n}":
                if script[i] == "w":  # the rest of the line is a file name
                    end = script.find("\n", i)
                    end = n if end < 0 else end
                    prints = prints or script[i + 1:end].strip() == "/dev/stdout"
                    i = end
                    break
                prints = prints or script[i] == "p"
                i += 1
            if command == "s" and prints and not _SED_ONE_LINE.match(address):
                return True
            continue
        if command in "aicrRwWbtTe:":
            end = i
            while end < n and script[end] != "\n" and (command in "aicrRwWe" or script[end] != ";"):
                end += 1
            argument = script[i:end].strip()
            i = end
            if command == "c" and everywhere and not printed:
                return False  # every line replaced by the same text
            if command in "wW" and argument == "/dev/stdout" and not _SED_ONE_LINE.match(address):
                return True
            continue
        if command in "pPl":
            if not _SED_ONE_LINE.match(address):
                printed = True
                if quiet:
                    return True
            continue
        if command in "dDQ" and everywhere and not printed:
            return False
        if command == "q" and not address and all(blocks) and not printed:
            return False  # prints the first line, then stops: the rest is gone
    return not quiet


# ---------------------------------------------------------------- awk

_AWK_PRINT = re.compile(r"\bprintf?\b")
_AWK_NEVER = re.compile(r"^\s*(?:0|!\s*1|NR\s*(?:<\s*[01]|<=\s*0|==\s*0)|\"\"|FALSE|false)\s*$")
_AWK_SPECIAL = re.compile(r"^\s*(?:BEGIN|END|BEGINFILE|ENDFILE)\s*$")
_FUNCTION = re.compile(r"\bfunc(?:tion)?\s+(\w+)\s*\(")


def _awk_skip_string(code: str, i: int, quote: str) -> int:
    i += 1
    while i < len(code) and code[i] != quote:
        i += 2 if code[i] == "\\" else 1
    return i + 1


def _awk_block(code: str, i: int) -> int:
    """The index after the brace block opening at ``i``."""
    depth = 0
    n = len(code)
    while i < n:
        char = code[i]
        if char == '"':
            i = _awk_skip_string(code, i, '"')
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return n


def _awk_rules(code: str) -> tuple[list[tuple[str, str | None]], dict[str, str]]:
    """(pattern, action or None) for each rule, and each function's body."""
    rules: list[tuple[str, str | None]] = []
    functions: dict[str, str] = {}
    i, n = 0, len(code)
    while i < n:
        while i < n and code[i] in " \t\n;":
            i += 1
        if i >= n:
            break
        defined = _FUNCTION.match(code, i)
        if defined:
            brace = code.find("{", defined.end())
            if brace < 0:
                break
            end = _awk_block(code, brace)
            functions[defined.group(1)] = code[brace:end]
            i = end
            continue
        start = i
        while i < n and code[i] not in "{\n;":
            if code[i] == '"':
                i = _awk_skip_string(code, i, '"')
                continue
            if code[i] == "/" and (i == start or code[start:i].rstrip()[-1:] in "(!,~&|"):
                i = _awk_skip_string(code, i, "/")
                continue
            i += 1
        pattern = code[start:i]
        if i < n and code[i] == "{":
            end = _awk_block(code, i)
            rules.append((pattern, code[i:end]))
            i = end
        else:
            rules.append((pattern, None))
    return rules, functions


def _awk_prints(action: str, functions: dict[str, str], depth: int = 0) -> bool:
    """An action prints the record to the output: a print not sent elsewhere (`> file`,
    `| cmd`), or a call of a function that does."""
    for found in _AWK_PRINT.finditer(action):
        statement = re.split(r"[;}\n]", action[found.end():], maxsplit=1)[0]
        if not re.search(r"(?<![<>=!])>(?!=)|\|", statement.replace(">=", "")):
            return True
    if depth < 3:
        for name, body in functions.items():
            if re.search(rf"\b{re.escape(name)}\s*\(", action) and _awk_prints(body, functions, depth + 1):
                return True
    return False


def awk_keeps_lines(code: str) -> bool:
    """Whether an awk program can print the lines it reads: a main rule (not BEGIN/END)
    with no action and a pattern that can be true (`1`, `NF`, `/x/`), or with an action
    that prints."""
    rules, functions = _awk_rules(code)
    for pattern, action in rules:
        if _AWK_SPECIAL.match(pattern):
            continue
        if action is None:
            if pattern.strip() and not _AWK_NEVER.match(pattern):
                return True
        elif _awk_prints(action, functions):
            return True
    return False


# ---------------------------------------------------------------- perl and ruby

# Printing to the output: not to STDERR or another handle (`print STDERR`, `print {$fh}`,
# `print $fh $_`, `$stderr.puts`, `warn`).
_PERL_PRINT = re.compile(r"\b(?:print|printf|say|syswrite)\b(?!\s*(?:STDERR\b|\{|\$\w+\s+[^\s,;=.]))")
_PERL_STOPS = re.compile(r"(?:^|[;{])\s*(?:exit|last)\s*(?:\(\s*\d*\s*\))?\s*(?:;|\}|$)")
_RUBY_PRINT = re.compile(r"(?<![.\w$])(?:print|puts|printf|putc|p|pp|display|\$stdout\.\w+|STDOUT\.\w+)\b")
_RUBY_BLANKS = re.compile(r"\$_\s*=\s*(?:\"\"|''|nil\b|%q\W\W)|\$_\.(?:clear\b|replace\(\s*(?:\"\"|'')\s*\))"
                          r"|(?:^|[;{])\s*(?:exit|abort|break)\s*(?:;|\}|$)")


def perl_keeps_lines(code: str, prints_each: bool) -> bool:
    """perl -i: with -p (``prints_each``) unless the code stops before the first print;
    with -n (or a loop over <>) only through a print to the output."""
    if prints_each:
        return not _PERL_STOPS.search(code)
    return bool(_PERL_PRINT.search(code))


def ruby_keeps_lines(code: str, prints_each: bool) -> bool:
    """ruby -i: with -p unless the code blanks `$_` or stops; with -n only through a
    print to the output."""
    if prints_each:
        return not _RUBY_BLANKS.search(code)
    return bool(_RUBY_PRINT.search(code))
