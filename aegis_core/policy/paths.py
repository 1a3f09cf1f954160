"""Path normalisation before matching, so ``src/../.env``, ``~/.ssh`` and ``$HOME/.ssh``
and a symlink to a secret all look like what they are; and the path globs rules use."""

from __future__ import annotations

import fnmatch
import functools
import os
import re
import stat
import sys
import threading
import time
import weakref
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from aegis_core.policy.cues import word_trie

if TYPE_CHECKING:
    from aegis_core.policy.facts import Subject

MAX_PATH_CHARS = 4096
GLOB_ANSWERS_KEPT = 4096  # per glob set
# Resolved symlinks are remembered for at most this long: a link changed after that is
# seen as it is now (a change within it is the same race as changing it after the check).
REALPATH_CACHE_SECONDS = 1.0


def home_dir() -> str:
    return environ_value("HOME") or os.path.expanduser("~")


# os.environ encodes the key and decodes the value at every read (about a microsecond),
# and the policy reads HOME and AEGIS_HOME several times per call (the home, and every
# glob set naming ~ or $AEGIS_HOME checks it still follows them): they are read from the
# mapping's own storage instead, each distinct value decoded once. Exactly what
# os.environ.get answers, whoever changed the environment since (os.environ, monkeypatch).
_ENVIRON_DATA: dict | None = getattr(os.environ, "_data", None)
_ENVIRON_KEYS: dict[str, object] = {}
_HOME_KEY = os.environ.encodekey("HOME") if _ENVIRON_DATA is not None else None
_AEGIS_HOME_KEY = os.environ.encodekey("AEGIS_HOME") if _ENVIRON_DATA is not None else None
_DECODED: dict[object, str] = {}


def environ_value(name: str) -> str | None:
    """``os.environ.get(name)``, cheaper."""
    data = _ENVIRON_DATA
    if data is None:
        return os.environ.get(name)
    key = _ENVIRON_KEYS.get(name)
    if key is None:
        key = _ENVIRON_KEYS[name] = os.environ.encodekey(name)
    raw = data.get(key)
    if raw is None:
        return None
    value = _DECODED.get(raw)
    if value is None:
        if len(_DECODED) >= 64:
            _DECODED.clear()
        value = _DECODED[raw] = os.environ.decodevalue(raw)
    return value


# Filesystem work one call may cause while its paths are resolved (an lstat is one
# unit, a full realpath ten): a command naming hundreds of distinct deep paths or
# links gets the paths past the budget marked unresolved (so it needs approval)
# instead of taking milliseconds. Routine commands use a handful of units.
PATH_LOOKUP_BUDGET = 300
# Paths one call may name (wildcards expanded): each is matched against every path
# rule, so past this many the call needs approval rather than milliseconds of checks.
MAX_PATHS_PER_CALL = 128
# Directory entries one call's wildcards may look at (a few microseconds each, a
# directory listed counts as several): a wildcard needing more (`cat /*/*/*/*/x`)
# is left unexpanded and the call needs approval.
GLOB_ENTRY_BUDGET = 400
_REALPATH_COST = 10
_current = threading.local()  # .budget: the CallBudget of the call being judged in this thread


class PathBudgetExceeded(Exception):
    """The current call has used up its filesystem lookups."""


class CallBudget:
    """What one call may still spend: filesystem lookups, paths it names, and directory
    entries its wildcards read."""

    __slots__ = ("bucket", "glob_entries", "lookups", "paths")

    def __init__(self, lookups: int = PATH_LOOKUP_BUDGET, paths: int = MAX_PATHS_PER_CALL,
                 glob_entries: int = GLOB_ENTRY_BUDGET) -> None:
        self.bucket = cache_bucket()  # one clock read for every path of the call
        self.lookups = lookups
        self.paths = paths
        self.glob_entries = glob_entries

    def count_path(self) -> bool:
        """Count one more path named by the call; False once there are too many."""
        self.paths -= 1
        return self.paths >= 0

    def __enter__(self) -> CallBudget:
        """Make this the budget of lookups in this thread (the lookup cache cannot take it
        as an argument)."""
        _current.budget = self
        return self

    def __exit__(self, *_: object) -> None:
        _current.budget = None


def _spend(units: int) -> None:
    budget = getattr(_current, "budget", None)
    if budget is None:
        return  # outside a call's budget: no limit
    if budget.lookups < units:
        raise PathBudgetExceeded
    budget.lookups -= units


_GLOB_SETS: weakref.WeakSet[GlobSet] = weakref.WeakSet()


def forget() -> None:
    """Empty every cache of path facts: resolved folders and paths, glob answers (for
    benchmarks measuring a first sight, and tests changing files under a path)."""
    _resolved.cache_clear()
    _normalised.cache_clear()
    for globs in list(_GLOB_SETS):
        globs._answers.clear()


@functools.lru_cache(maxsize=4096)
def _resolved(path: str, bucket: int) -> tuple[str, bool]:
    """``os.path.realpath`` built from the resolved parent directory, and whether the
    path may exist: a path costs one ``lstat`` when its folder was seen, none when its
    folder is missing (realpath itself redoes every component in Python, about ten
    times dearer). Only links and a leading ``//`` go to realpath. Raises
    PathBudgetExceeded (never cached) when the call's budget is spent."""
    parent, _, name = path.rpartition("/")
    if not parent:
        if path.startswith("//") or not path.startswith("/"):
            _spend(_REALPATH_COST)
            return os.path.realpath(path), True
        parent = "/"
    elif parent.startswith("//") and parent.strip("/") == "":
        _spend(_REALPATH_COST)
        return os.path.realpath(path), True
    base, parent_exists = _resolved(parent, bucket) if parent != "/" else ("/", True)
    if not name or name == ".":
        return base, parent_exists
    if name == "..":
        return base.rpartition("/")[0] or "/", True
    candidate = base + "/" + name if base != "/" else "/" + name
    if not parent_exists:
        return candidate, False  # below a missing folder: nothing there to follow
    _spend(1)
    try:
        if not stat.S_ISLNK(os.lstat(candidate).st_mode):
            return candidate, True
    except (OSError, ValueError):
        return candidate, False  # missing or unreadable: nothing to follow, as realpath does
    _spend(_REALPATH_COST)
    return os.path.realpath(candidate), True


def cache_bucket() -> int:
    """The current slice of time path facts are kept for (REALPATH_CACHE_SECONDS)."""
    return int(time.monotonic() / REALPATH_CACHE_SECONDS)


def resolve(path: str) -> str:
    """``os.path.realpath``, cached for about a second."""
    return _resolved(path, cache_bucket())[0]


def normalise(path: str, cwd: str | None, home: str | None = None, bucket: int | None = None) -> str | None:
    """The absolute, resolved form of ``path`` as seen from ``cwd``.

    ``~``, ``$HOME`` and ``${HOME}`` are expanded, ``..`` resolved and symlinks followed
    where they exist. Returns None when the path cannot be known (relative to an
    unknown directory, absurdly long, or past the call's lookup budget). ``bucket``:
    see ``cache_bucket`` (a call resolving many paths reads the clock once).
    """
    try:
        return _normalised(path, cwd, home or home_dir(), cache_bucket() if bucket is None else bucket)
    except PathBudgetExceeded:
        return None


@functools.lru_cache(maxsize=8192)
def _normalised(path: str, cwd: str | None, home: str, bucket: int) -> str | None:
    """normalise(), remembered as long as the resolved folders it builds on."""
    if not path or len(path) > MAX_PATH_CHARS or "\x00" in path:
        return None
    if path == "~" or path.startswith("~/"):
        path = home + path[1:]
    elif path.startswith("~"):
        path = _other_home(path, cwd)
    elif path.startswith("$HOME") and (len(path) == 5 or path[5] == "/"):
        path = home + path[5:]
    elif path.startswith("${HOME}"):
        path = home + path[7:]
    if not path.startswith("/"):
        if not cwd:
            return None
        path = (cwd + path) if cwd.endswith("/") else (cwd + "/" + path)  # os.path.join, cheaper
    if path.startswith("/proc/"):
        # /proc/PID/root is that process's view of the root: /proc/1/root/etc/shadow is /etc/shadow.
        path = _PROC_ROOT.sub("/", path, count=1)
    try:
        return _resolved(path, bucket)[0]
    except (OSError, ValueError):
        return os.path.normpath(path)


_PROC_ROOT = re.compile(r"^/proc/(?:\d+|self|thread-self)(?:/task/\d+)?/root(?:/+|$)")
_USER_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,31}")


def _other_home(path: str, cwd: str | None) -> str:
    """``~name/rest`` as the shell expands it: that user's home (``/home/name`` when
    there is no such user here: the path may be judged on another machine); ``~+`` is
    the working directory. Anything else is a relative name starting with ``~``."""
    name, slash, rest = path[1:].partition("/")
    if name == "+" and cwd:
        return cwd + slash + rest
    if not _USER_NAME.fullmatch(name):
        return path
    try:
        import pwd

        base = pwd.getpwnam(name).pw_dir
    except (KeyError, ImportError):
        base = "/root" if name == "root" else ("/Users/" if sys.platform == "darwin" else "/home/") + name
    return base + slash + rest


def is_within(path: str, root: str) -> bool:
    """True if ``path`` is ``root`` or below it (both normalised)."""
    if root == "/":
        return True
    if root[-1:] != "/":  # a normalised folder: no text to build
        return path.startswith(root) and (len(path) == len(root) or path[len(root)] == "/")
    return path == root or path.startswith(root.rstrip("/") + "/")


class GlobSet:
    """Path globs with gitignore-like negation: a path matches when it matches a
    positive glob and no ``!`` glob. A glob without ``/`` (or ``**/NAME``) matches the
    file name; one with ``/`` the whole path (``*`` may cross ``/``, so ``**/`` is any
    depth); a
    leading ``~/`` is the home directory of the user running Aegis, a leading
    ``$AEGIS_HOME`` Aegis' state directory.

    With ``fold_case`` a path also matches when its lower-case spelling does: the sets of
    rules that deny or ask use it, so ``Credentials.JSON`` or ``.ENV`` is the secret its
    name says, on any file system (rules that allow match exactly, and never widen)."""

    def __init__(self, globs: Iterable[str], home: str | None = None, fold_case: bool = False) -> None:
        self.globs = tuple(globs)
        self.fold_case = fold_case
        # Globs naming your home or Aegis' state directory follow HOME and AEGIS_HOME as
        # they are when a call is judged, not when the policy was loaded.
        self._follows_env = home is None and any(g.lstrip("!").startswith(("~", "$AEGIS_HOME"))
                                                 for g in self.globs)
        self._env: tuple[object, object] | None = _environment() if self._follows_env else None
        self._build(home or home_dir())
        _GLOB_SETS.add(self)

    def _build(self, home: str) -> None:
        positive: tuple[list[str], list[str]] = ([], [])
        negative: tuple[list[str], list[str]] = ([], [])
        for glob in self.globs:
            names, paths = negative if glob.startswith("!") else positive
            alternatives, whole_path = self._alternatives(glob.lstrip("!"), home)
            (paths if whole_path else names).extend(alternatives)
        self.positive_patterns = positive  # (name patterns, path patterns): for any_positive
        self._positive = (_Patterns(positive[0]), _Patterns(positive[1]))
        self._negative = (_Patterns(negative[0]), _Patterns(negative[1]))
        # (tests the whole path, patterns) without the empty ones: nothing to call for them.
        self._positive_sides = _sides(self._positive)
        self._negative_sides = _sides(self._negative)
        # Answers by path: a pure function of the text, and an agent names the same
        # files over and over. Bounded by emptying it when full.
        self._answers: dict[str, bool] = {}

    @staticmethod
    def _alternatives(glob: str, home: str) -> tuple[list[str], bool]:
        """The fnmatch patterns a glob stands for, and whether they match whole paths."""
        if glob == "~" or glob.startswith("~/"):
            glob = home + glob[1:]
        elif glob == "$AEGIS_HOME" or glob.startswith("$AEGIS_HOME/"):
            # Aegis' own state directory, wherever the user put it.
            from aegis_core.config import aegis_home

            glob = str(aegis_home()) + glob[len("$AEGIS_HOME"):]
        if glob.startswith("**/") and "/" not in glob[3:] and glob[3:] not in ("", "**"):
            # `**/*mcp*.json` is a file name in any folder. As a path pattern its first `*`
            # would cross folders, and every .json of a project under ~/src/mcp-server
            # would match.
            glob = glob[3:]
        whole_path = "/" in glob
        if whole_path and not glob.startswith(("/", "*")):
            glob = "*/" + glob
        alternatives = [glob]
        if glob.endswith("/**"):
            # "dir/**" is the directory itself and everything below it.
            alternatives = [glob[:-3], glob[:-3] + "/*"]
        return [a.replace("**/", "*/").replace("**", "*") for a in alternatives], whole_path

    def follow_environment(self) -> None:
        """Rebuild the globs if HOME or AEGIS_HOME changed since they were built."""
        env = _environment()
        if env != self._env:
            self._env = env
            self._build(home_dir())

    def matches(self, path: str) -> bool:
        answer = self._answers.get(path)
        if answer is None:
            if len(self._answers) >= GLOB_ANSWERS_KEPT:
                self._answers.clear()
            answer = self._answers[path] = self._matches(path)
        return answer

    def _matches(self, path: str) -> bool:
        if self._matches_exactly(path):
            return True
        if self.fold_case:
            folded = path.lower()
            return folded != path and self._matches_exactly(folded)
        return False

    def _matches_exactly(self, path: str) -> bool:
        name = path[path.rfind("/") + 1:]
        for on_path, patterns in self._positive_sides:
            if patterns.match(path if on_path else name):
                break
        else:
            return False
        for on_path, patterns in self._negative_sides:
            if patterns.match(path if on_path else name):
                return False
        return True

    def matches_now(self, path: str) -> bool:
        """``matches``, once the globs follow HOME and AEGIS_HOME as they are now."""
        if self._follows_env:
            self.follow_environment()
        return self.matches(path)

    def matches_any_of_paths(self, subject: Subject) -> bool:
        if self._follows_env:
            self.follow_environment()
        answers = self._answers  # most paths were answered before: no call for them
        for path in subject.paths:
            answer = answers.get(path)
            if answer is None:
                answer = self.matches(path)
            if answer:
                return True
        return False

    def matches_any_of_reads(self, subject: Subject) -> bool:
        if self._follows_env:
            self.follow_environment()
        answers = self._answers  # most paths were answered before: no call for them
        for path in subject.reads:
            answer = answers.get(path)
            if answer is None:
                answer = self.matches(path)
            if answer:
                return True
        return False

    def matches_any_of_writes(self, subject: Subject) -> bool:
        if self._follows_env:
            self.follow_environment()
        answers = self._answers  # most paths were answered before: no call for them
        for path in subject.writes:
            answer = answers.get(path)
            if answer is None:
                answer = self.matches(path)
            if answer:
                return True
        return False

    def __bool__(self) -> bool:
        return bool(self.globs)


def followed_environment() -> tuple[object, object]:
    """What glob sets follow: while it stays the same, a glob set's answer about a path
    stays the same."""
    return _environment()


def _environment() -> tuple[object, object]:
    """HOME and AEGIS_HOME as stored, to tell whether they changed (compared on every
    test of a glob set that follows them: not decoded)."""
    data = _ENVIRON_DATA
    if data is None:
        return os.environ.get("HOME"), os.environ.get("AEGIS_HOME")
    return data.get(_HOME_KEY), data.get(_AEGIS_HOME_KEY)


_WILD = re.compile(r"[*?\[]")
# What separates a pattern's literal runs: wildcards and bracket expressions.
_WILD_PARTS = re.compile(r"\[[^\]]*\]|[*?]")


def _component_infix(literal: str) -> bool:
    """`/a/`, `/a/b/`, `//`: an infix made of whole components (a lone `/` is not)."""
    return len(literal) >= 2 and literal.startswith("/") and literal.endswith("/")


def _index(literals: Iterable[str], suffix: bool) -> dict[str, tuple[str, ...]]:
    """Literals starting with `/` by the component a path must hold for them to match:
    a suffix's last one (`/a/b` ends a path whose last component is `b`; `/a/` one whose
    last is empty), an infix's first one (`/a/b/` is in a path with an `a` component)."""
    index: dict[str, list[str]] = {}
    for literal in literals:
        key = literal.rsplit("/", 1)[1] if suffix else literal[1:].split("/", 1)[0]
        index.setdefault(key, []).append(literal)
    return {key: tuple(found) for key, found in index.items()}


def any_positive(sets: Iterable[GlobSet]) -> Callable[[str], bool]:
    """Whether a path matches a positive glob of one of ``sets`` (as each set is built
    now): false, and none of them matches it. One test of every glob at once, for a
    command naming hundreds of paths that most sets match none of."""
    sets = tuple(sets)
    every = _sides(tuple(_Patterns([p for s in sets for p in s.positive_patterns[i]]) for i in (0, 1)))  # type: ignore[arg-type]
    folded = _sides(tuple(_Patterns([p for s in sets if s.fold_case for p in s.positive_patterns[i]])
                          for i in (0, 1)))  # type: ignore[arg-type]

    def matches(path: str) -> bool:
        name = path[path.rfind("/") + 1:]
        if any(patterns.match(path if on_path else name) for on_path, patterns in every):
            return True
        if folded:
            low = path.lower()
            if low != path:
                low_name = low[low.rfind("/") + 1:]
                return any(patterns.match(low if on_path else low_name) for on_path, patterns in folded)
        return False

    return matches


def _sides(pair: tuple[_Patterns, _Patterns]) -> tuple[tuple[bool, _Patterns], ...]:
    names, paths = pair
    return tuple(side for side in ((False, names), (True, paths)) if side[1])


class _Patterns:
    """fnmatch patterns (``*`` crossing ``/``), matched the cheap way where they allow
    it: most globs are a literal, ``literal*``, ``*literal`` or ``*literal*``, which
    string methods answer far faster than one regex with dozens of ``.*`` branches."""

    def __init__(self, patterns: list[str]) -> None:
        exact: set[str] = set()
        prefixes: list[str] = []
        suffixes: list[str] = []
        infixes: list[str] = []
        others: list[str] = []
        for pattern in patterns:
            inner = pattern.strip("*")
            starts, ends = pattern.startswith("*"), pattern.endswith("*")
            if _WILD.search(inner) or not inner:
                others.append(pattern)
            elif starts and ends:
                infixes.append(inner)
            elif starts:
                suffixes.append(inner)
            elif ends:
                prefixes.append(inner)
            else:
                exact.add(inner)
        self.exact = frozenset(exact)
        self.prefixes = tuple(prefixes)
        # Suffixes that are whole path components (`/.config/gh/hosts.yml`) are looked up by
        # the path's last component instead of tried one by one: a policy may name hundreds
        # of them. (Infixes, `/.aws/` and the rest, are all found by one search: any_infix.)
        self.suffix_index: dict[str, tuple[str, ...]] = _index((s for s in suffixes if s.startswith("/")),
                                                               suffix=True)
        self.infix_index: dict[str, tuple[str, ...]] = _index((i for i in infixes
                                                               if _component_infix(i)), suffix=False)
        self.suffixes = tuple(s for s in suffixes if not s.startswith("/"))
        self.infixes = tuple(i for i in infixes if not _component_infix(i))
        # The other patterns by a literal a text must hold for them to match (`credential` of
        # `*credential*.*`): a substring test skips the regex for nearly every text, and one
        # regex of dozens of `.*x.*` branches costs time in the length of the text per branch.
        guarded: dict[str, list[str]] = {}
        unguarded: list[str] = []
        for pattern in others:
            literal = max(_WILD_PARTS.split(pattern), key=len)
            if len(literal) >= 3:
                guarded.setdefault(literal, []).append(fnmatch.translate(pattern))
            else:
                unguarded.append(fnmatch.translate(pattern))
        self.guarded = tuple((literal, re.compile("|".join(found)).match) for literal, found in guarded.items())
        self.regex = re.compile("|".join(unguarded)) if unguarded else None
        # One search in C for any infix (the indexed ones too), and for any guarding
        # literal, instead of a substring test per literal in Python: a command naming
        # hundreds of paths asks this of each (and most paths hold none of them).
        every_infix = sorted({*self.infixes, *(i for found in self.infix_index.values() for i in found)})
        self.any_infix = re.compile(word_trie(every_infix)).search if every_infix else None
        self.any_guard = re.compile(word_trie(sorted(guarded))).search if guarded else None

    def __bool__(self) -> bool:
        return bool(self.exact or self.prefixes or self.suffixes or self.infixes or self.regex or self.guarded
                    or self.suffix_index or self.infix_index)

    def match(self, text: str) -> bool:
        if text in self.exact:
            return True
        if self.prefixes and text.startswith(self.prefixes):
            return True
        if self.suffixes and text.endswith(self.suffixes):
            return True
        if self.suffix_index:
            for suffix in self.suffix_index.get(text[text.rfind("/") + 1:], ()):
                if text.endswith(suffix):
                    return True
        if self.any_infix is not None and self.any_infix(text) is not None:
            return True
        if self.any_guard is not None and self.any_guard(text) is not None:
            for literal, matches in self.guarded:
                if literal in text and matches(text) is not None:
                    return True
        return self.regex is not None and self.regex.match(text) is not None
