"""Program code that evaluates what it downloads: `exec(urlopen(URL).read())` in a
conftest.py, `eval(URI.open(URL).read)` or a backtick `curl` inside `eval` in a
Gemfile, `eval(await (await fetch(URL)).text())` in a config a tool loads. Whatever the
URL serves then runs as the program's own code, the written form of `curl URL | sh`.

Read where an evaluator is called: what it is handed (its argument, at most _WINDOW
characters) holds a download, or names a variable that a line of the code sets from
one. Bounded work whatever the text: the downloads are found in one Aho-Corasick scan
(in C), at most _MOST_EVALUATORS calls are read (a text calling more evaluators, with a
download somewhere, is taken to evaluate it: a handful is already unusual), and at most
_MOST_NAMES variables are looked up."""

from __future__ import annotations

import bisect
import re

import ahocorasick_rs

from aegis_core.policy.cues import holds_any

# Evaluators per language: the built-in `eval` and its kin, not methods of other objects
# (`model.eval()`, `df.eval("a + b")`, a regex's `.exec(s)`): a name found is one where
# no word character, `.` (or `$`, `>` in Perl and PHP) comes before it (_is_called). Each
# pattern starts with the names, so that the search skips to them in C.
_EVALUATORS = {
    "python": re.compile(r"(?:exec|eval)\s*\("),
    "ruby": re.compile(r"(?:instance_eval|class_eval|module_eval|binding\.eval|Kernel\.eval|eval)\b"),
    "javascript": re.compile(r"(?:eval|Function|vm\.runIn\w*|vm\.Script)\s*\("),
    "perl": re.compile(r"eval\b"),
    "php": re.compile(r"eval\s*\("),
}
_NOT_BEFORE = {"python": "_.", "ruby": "_.", "javascript": "_.$", "perl": "_.$>", "php": "_.$>"}
# Names found that are not calls of the evaluator read at most: past them the text is
# taken to evaluate a download (it holds one), the bound on the work of a text made of them.
_MOST_FOUND = 256
_LANGUAGES = (((".py", ".pyw"), "python"), ((".rb", ".rake", ".gemspec", ".podspec"), "ruby"),
              ((".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".jsx", ".tsx"), "javascript"),
              ((".pl", ".pm"), "perl"), ((".php",), "php"))
_INTERPRETER = {"python": "python3", "ruby": "ruby", "javascript": "node", "perl": "perl", "php": "php"}
# What every evaluator's name holds: a text without one is done with in one test in C.
_EVALUATOR_WORDS = ("eval", "exec", "Function", "vm.")
# Reading a URL's body, in these languages, or running curl/wget for it.
_DOWNLOAD_WORDS = (
    "urlopen", "urlretrieve", "requests.get", "httpx.get", "http.client", "fetch(", "fetch (", "http.get(",
    "https.get(", "axios", "Net::HTTP", "open-uri", "URI.open", "URI(", "LWP", "HTTP::Tiny", "file_get_contents(",
    "curl_exec", "`curl ", "`wget ", "(curl ", "(wget ", "%x(curl ", "open(\"http", "open('http", "get(\"http",
    "get('http")
_WINDOW = 300
_MOST_EVALUATORS = 32
_MOST_NAMES = 4
_MOST_ASSIGNMENTS = 64  # read per variable name
_HANDED_NAME = re.compile(r"\s*\(?\s*(?:await\s+)?\$?([A-Za-z_]\w*)\s*(?:[),;\n.]|$)")
_URL = re.compile(r"https?://[^\s'\"`)]+")
_downloads: list[ahocorasick_rs.AhoCorasick] = []


def language_of(name: str) -> str | None:
    """The language a file so named holds, for this reader (None: none it reads)."""
    lowered = name.lower()
    for suffixes, language in _LANGUAGES:
        if lowered.endswith(suffixes):
            return language
    return None


def evaluated_downloads(code: str, language: str) -> str:
    """A shell command standing for each download ``code`` evaluates (`curl -s URL |
    python3`), or ""."""
    evaluators = _EVALUATORS.get(language)
    if evaluators is None or not holds_any(code, _EVALUATOR_WORDS) or not holds_any(code, _DOWNLOAD_WORDS):
        return ""
    runs = f" | {_INTERPRETER[language]}"
    not_before = _NOT_BEFORE[language]
    calls: list[re.Match[str]] = []
    for count, call in enumerate(evaluators.finditer(code)):
        if count >= _MOST_FOUND or len(calls) >= _MOST_EVALUATORS:
            return "curl -s https://unknown.invalid/" + runs  # too many to read: taken as one
        before = code[call.start() - 1] if call.start() else " "
        if not (before.isalnum() or before in not_before):
            calls.append(call)
    if not calls:
        return ""
    starts = [start for _, start, _ in _automaton().find_matches_as_indexes(code)]
    commands: dict[str, None] = {}
    names: dict[str, int | None] = {}  # variable -> where a download sets it (None: nowhere)
    for call in calls:
        handed = _handed(code, call.end(), call.group(0).endswith("("))
        at = _first_within(starts, call.end(), call.end() + len(handed))
        if at is None:
            name = _HANDED_NAME.match(handed)
            if name is not None and (name.group(1) in names or len(names) < _MOST_NAMES):
                if name.group(1) not in names:
                    names[name.group(1)] = _set_from_download(code, name.group(1), starts)
                at = names[name.group(1)]
        if at is not None:
            url = _URL.search(code, at, at + _WINDOW)
            commands[f"curl -s {url.group(0) if url else 'https://unknown.invalid/'}{runs}"] = None
    return "\n".join(commands)


def _automaton() -> ahocorasick_rs.AhoCorasick:
    if not _downloads:
        _downloads.append(ahocorasick_rs.AhoCorasick(list(_DOWNLOAD_WORDS),
                                                     implementation=ahocorasick_rs.Implementation.DFA))
    return _downloads[0]


def _first_within(starts: list[int], begin: int, end: int) -> int | None:
    """The first of the sorted ``starts`` in [begin, end), if any."""
    index = bisect.bisect_left(starts, begin)
    return starts[index] if index < len(starts) and starts[index] < end else None


def _handed(code: str, start: int, opened: bool) -> str:
    """What an evaluator called at ``start`` is handed: up to its closing parenthesis
    (``opened``: the call's own is already read), or without one to the end of the
    statement, at most _WINDOW characters: not the lines after it."""
    depth = 1 if opened else 0
    end = min(len(code), start + _WINDOW)
    for at in range(start, end):
        char = code[at]
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth <= 0:
                return code[start:at + 1]
        elif depth <= 0 and char in ";\n":
            return code[start:at]
    return code[start:end]


def _set_from_download(code: str, name: str, starts: list[int]) -> int | None:
    """Where a download sets ``name`` on the line of an assignment to it (`code =
    requests.get(u).text`, `const s = await (await fetch(u)).text()`), if one does."""
    for count, assigned in enumerate(re.finditer(re.escape(name) + r"\s*=(?!=)", code)):
        if count >= _MOST_ASSIGNMENTS:
            break
        before = code[assigned.start() - 1] if assigned.start() else " "
        if before.isalnum() or before in "_.":
            continue  # another name ending in this one, or an attribute
        line_end = code.find("\n", assigned.end())
        at = _first_within(starts, assigned.end(), line_end if line_end >= 0 else len(code))
        if at is not None:
            return at
    return None
