"""Deletion, plain and in disguise: what ``rm``, ``find``/``fd`` (with ``-delete``,
``-exec rm`` or ``| xargs rm``) would really delete (a test that matches everything
narrows nothing, valuable files go only with approval), and interpreters deleting
through their libraries. Files destroyed without being deleted: ``overwrites.py``."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aegis_core.policy.argpaths import PLACEHOLDERS
from aegis_core.policy.autorun import RUNS_LATER_NAME
from aegis_core.policy.facts import flags_of
from aegis_core.policy.paths import normalise
from aegis_core.policy.places import DISPOSABLE, TEMP_ROOTS, critical_target, home_cache, is_disposable, valuable
from aegis_core.policy.projectcode import project_file_work

if TYPE_CHECKING:
    from aegis_core.policy.facts import Subject
    from aegis_core.policy.shell import Segment

# Programs that delete the files they are given.
DELETERS = frozenset({"rm", "unlink", "rmdir", "shred", "srm", "wipe"})
FINDERS = frozenset({"find", "fd", "fdfind", "gfind"})
_DELETING_PROGRAMS = DELETERS | FINDERS


# ---------------------------------------------------------------- what a find selects

_FIND_VALUE_OPTIONS = frozenset({
    "-name", "-iname", "-path", "-ipath", "-wholename", "-iwholename", "-lname", "-ilname", "-regex",
    "-iregex", "-newer", "-anewer", "-cnewer", "-mtime", "-mmin", "-atime", "-amin", "-ctime", "-cmin",
    "-size", "-user", "-group", "-uid", "-gid", "-perm", "-links", "-inum", "-samefile", "-type", "-xtype",
    "-maxdepth", "-mindepth", "-fstype", "-used", "-printf", "-fprint", "-fprint0", "-regextype", "-context",
    "-files0-from", "-fls"})
# Tests that narrow what find selects: names, paths, times and one given file. Not
# -newer FILE (FILE may be as old as /etc), nor size, owner, permission or link-count
# tests, which every file of a project passes (`-size -10M`, `-user $(whoami)`,
# `-perm -u+r`, `-readable`).
_NARROWING = frozenset({
    "-name", "-iname", "-path", "-ipath", "-wholename", "-iwholename", "-lname", "-ilname", "-regex",
    "-iregex", "-mtime", "-mmin", "-atime", "-amin", "-ctime", "-cmin", "-inum", "-samefile", "-used", "-empty"})
_FIND_ACTIONS = frozenset({"-delete", "-exec", "-execdir", "-ok", "-okdir"})
_NAME_TESTS = frozenset({"-name", "-iname", "-path", "-ipath", "-wholename", "-iwholename", "-lname", "-ilname"})
_REGEX_TESTS = frozenset({"-regex", "-iregex"})
_ANY_TIME = frozenset({"+0", "+0c", "-0"})  # -size +0, -mtime +0: every file there is
_FD_VALUE_OPTIONS = frozenset({
    "-e", "--extension", "-t", "--type", "-d", "--max-depth", "--min-depth", "--exact-depth", "-E",
    "--exclude", "-S", "--size", "--changed-within", "--changed-before", "--change-newer-than",
    "--change-older-than", "-j", "--threads", "-c", "--color", "--base-directory", "--search-path", "--owner",
    "-o", "--path-separator", "--max-results", "--ignore-file", "--format", "--batch-size"})
_FD_NARROWING = frozenset({"-e", "--extension", "-S", "--size", "--changed-within", "--changed-before",
                           "--change-newer-than", "--change-older-than", "--owner"})


@dataclass(frozen=True)
class Selection:
    """What a find/fd command selects: its start folders (normalised; None for one
    only known at run time), whether its tests narrow anything, and the name, path or
    regex patterns it selects by."""

    starts: tuple[str | None, ...]
    everything: bool
    patterns: tuple[str, ...]


# A wildcard pattern (brackets read as one character) that every name or path matches:
# `*`, `?*`, `[a-z]*`, `*.*`, `.*`, `./*`, `*/*`; not `*.?` or `*.[oa]`.
_EVERY_NAME = re.compile(r"[*?]*(?:\.[*?]*\*[*?]*)?|(?:\.|\*)/[*?]*\*[*?]*")
_BRACKETS = re.compile(r"\[[^\]]*\]")
_LONG_AGO = {"-mtime": 3650, "-atime": 3650, "-ctime": 3650, "-mmin": 5_256_000, "-amin": 5_256_000,
             "-cmin": 5_256_000}


def matches_every_name(pattern: str) -> bool:
    return _EVERY_NAME.fullmatch(_BRACKETS.sub("?", pattern)) is not None


def _matches_everything(test: str, value: str) -> bool:
    if test in _REGEX_TESTS:
        return not value.strip(".*+?^$()|\\/")
    if test in _NAME_TESTS:
        return matches_every_name(value)
    if test in _LONG_AGO:
        # -mtime -100000: everything changed in the last three centuries
        return value in _ANY_TIME or (value[:1] == "-" and value[1:].isdigit() and int(value[1:]) >= _LONG_AGO[test])
    return value in _ANY_TIME


def find_selection(seg: Segment, subject: Subject) -> Selection:
    args = seg.args[1:]
    texts = [a.text for a in args]
    i = 0
    while i < len(texts) and (texts[i] in ("-H", "-L", "-P") or texts[i].startswith("-O") or texts[i] == "-D"):
        i += 2 if texts[i] == "-D" else 1
    starts: list[str | None] = []
    while i < len(texts) and texts[i][:1] not in ("-", "(", "!", ")", ","):
        starts.append(None if args[i].dynamic else normalise(texts[i], subject.cwd, subject.home))
        i += 1
    if not starts:
        starts.append(subject.cwd)
    branches: list[bool] = [False]  # does each -o branch narrow the selection?
    acted = False  # the branch already deleted: find evaluates left to right, so
    patterns: list[str] = []  # `-delete -name x` deletes everything before testing
    negated = False
    while i < len(texts):
        text = texts[i]
        if text in ("-o", "-or"):
            branches.append(False)
            acted = False
        elif text in ("!", "-not"):
            negated = True
            i += 1
            continue
        elif text in _FIND_VALUE_OPTIONS and i + 1 < len(texts):
            value = texts[i + 1]
            if text in _NARROWING and not negated and not acted and not args[i + 1].dynamic \
                    and not _matches_everything(text, value):
                branches[-1] = True
                if text in _NAME_TESTS or text in _REGEX_TESTS:
                    patterns.append(value)
            i += 2
            negated = False
            continue
        elif text == "-empty" and not negated and not acted:
            branches[-1] = True
        elif text in _FIND_ACTIONS:
            acted = True
        negated = False
        i += 1
    return Selection(tuple(starts), not all(branches), tuple(patterns))


def fd_selection(seg: Segment, subject: Subject) -> Selection:
    args = seg.args[1:]
    positional: list[int] = []
    narrowed = False
    patterns: list[str] = []
    searched: list[str | None] = []
    i = 0
    while i < len(args):
        text = args[i].text
        if text in _FD_VALUE_OPTIONS and i + 1 < len(args):
            value = args[i + 1].text
            if text in _FD_NARROWING:
                narrowed = True
                if text in ("-e", "--extension"):
                    patterns.append("*." + value.lstrip("."))
            elif text == "--search-path":
                searched.append(normalise(value, subject.cwd, subject.home))
            i += 2
            continue
        if not text.startswith("-") or text == "-":
            positional.append(i)
        i += 1
    if positional:
        pattern = args[positional[0]].text
        if pattern.strip(".*^$") and not args[positional[0]].dynamic:
            narrowed = True
            patterns.append(pattern)
    starts = searched + [None if args[p].dynamic else normalise(args[p].text, subject.cwd, subject.home)
                         for p in positional[1:]]
    return Selection(tuple(starts or [subject.cwd]), not narrowed, tuple(patterns))


def selection_of(seg: Segment, subject: Subject) -> Selection:
    return fd_selection(seg, subject) if seg.program in ("fd", "fdfind") else find_selection(seg, subject)


def _pattern_kind(pattern: str) -> str | None:
    """What valuable files a name/path pattern or a regex selects (``*.py``, ``.*\\.db$``)."""
    plain = pattern.replace("\\.", ".").rstrip("$").replace(".*", "*")
    return valuable(plain)


def _folder_worth_keeping(pattern: str) -> bool:
    """A name pattern that selects folders (for ``-exec rm -r``) other than build and
    cache folders: `src`, `lib*`; not `__pycache__`, `*.egg-info`, or `*.pyc` (files)."""
    name = pattern.rstrip("/").rsplit("/", 1)[-1]
    bare = name.strip("*")
    if bare in DISPOSABLE or bare.endswith(".egg-info") or (bare.startswith(".") and bare[1:] in DISPOSABLE):
        return False
    return not (name.startswith("*.") and "/" not in name)  # `*.pyc`: files by extension


def judge_selection(selection: Selection, subject: Subject, *, recursive: bool,
                    critical_only: bool) -> str | None:
    """Why deleting what ``selection`` finds is a disaster (``critical_only``) or needs a
    look: everything under a folder that is not disposable, files outside the project,
    valuable files by name, or (``recursive``: ``-exec rm -r``) whole folders by name."""
    for start in selection.starts:
        if start is None:
            return None if critical_only else "deletes what it finds under a folder only known at run time"
        why = critical_target(start, subject)
        if selection.everything and why:
            return f"deletes everything in {why} ({start})"
        if critical_only or is_disposable(start, subject) or (start in TEMP_ROOTS and not selection.everything):
            continue
        if not subject.within_project(start):
            return f"deletes files under {start}, outside the project"
        if selection.everything:
            return f"deletes everything under {start}: no test narrows what it finds"
        for pattern in selection.patterns:
            kind = _pattern_kind(pattern)
            if kind:
                return f"deletes every {pattern} under {start} ({kind})"
            if recursive and _folder_worth_keeping(pattern):
                return f"deletes whole folders named {pattern} under {start}, not build folders"
    return None


def finder_of(subject: Subject) -> Segment | None:
    """The find/fd whose results this deleting segment receives as its only run-time
    targets (``find -exec rm {} +``, ``find ... | xargs rm``), or None."""
    seg = subject.segment
    analysis = subject.analysis
    if seg is None or analysis is None:
        return None
    dynamic = [a.text for a in seg.args[1:] if a.dynamic]
    if not dynamic or not PLACEHOLDERS.issuperset(dynamic):
        return None
    segments = analysis.segments
    if "{found}" in dynamic and 0 <= seg.runs_for < len(segments):
        source = segments[seg.runs_for]
        return source if source.program in FINDERS else None
    if "{stdin}" in dynamic and "xargs" in seg.wrappers:
        feeding = [segments[i] for i in seg.pipe_from if i < len(segments)]
        finders = [s for s in feeding if s.program in FINDERS]
        # The names must reach xargs as find printed them: through filters that drop
        # lines (grep, sort, head), not ones that rewrite them (sed 's/.pyc$/.py/').
        if len(finders) == 1 and all(s.program in _PASS_THROUGH and not _rewrites(s) for s in feeding
                                     if s is not finders[0]) and _prints_paths(finders[0]):
            return finders[0]
    return None


# Programs between find and xargs that pass the names through unchanged (or drop some).
_PASS_THROUGH = frozenset({"grep", "egrep", "fgrep", "rg", "sort", "uniq", "head", "tail", "cat", "tee"})


def _rewrites(seg: Segment) -> bool:
    """A filter told to print only part of each line (grep -o, rg -r)."""
    return any(t in ("-o", "--only-matching", "-r", "--replace") or (t.startswith("-") and not t.startswith("--")
               and "o" in t) for t in seg.argv[1:])


def _prints_paths(seg: Segment) -> bool:
    """find/fd printing the paths it finds (not -printf '%h', -ls or a command's output)."""
    return not any(t in ("-printf", "-fprintf", "-ls", "-fls", "-exec", "-execdir", "-x", "-X", "--exec",
                         "--exec-batch", "--format") for t in seg.argv[1:])


def _recursive(subject: Subject) -> bool:
    flags, _ = flags_of(subject)
    return bool({"r", "R", "--recursive"} & flags)


# ---------------------------------------------------------------- direct targets

def _targets(subject: Subject) -> tuple[list[str], list[str]]:
    """Deletion targets: normalised paths, and wildcard patterns as written. A path the
    same command made a symbolic link (`ln -s ~ build && rm -rf build/`) stands for
    what it points at."""
    seg = subject.segment
    assert seg is not None
    patterns = [a.text for a in seg.args[1:] if a.glob and not a.text.startswith("-")]
    links = _links_made(subject)
    if not links:
        return list(subject.reads), patterns
    paths = []
    for path in subject.reads:
        for link, target in links.items():
            if path == link or path.startswith(link + "/"):
                path = target + path[len(link):]
                break
        paths.append(path)
    return paths, patterns


def _links_made(subject: Subject) -> dict[str, str]:
    """Symbolic links made earlier in the same command: {link: what it points at}."""
    analysis, seg = subject.analysis, subject.segment
    if analysis is None or seg is None or len(analysis.segments) < 2:
        return {}
    links: dict[str, str] = {}
    for other in analysis.segments[:seg.index]:
        if other.program != "ln":
            continue
        plain = [a.text for a in other.args[1:] if not a.text.startswith("-") and not a.dynamic]
        if len(plain) != 2:
            continue
        link = normalise(plain[1], subject.cwd, subject.home)
        target = normalise(plain[0] if plain[0].startswith(("/", "~")) else os.path.join(
            os.path.dirname(plain[1]) or ".", plain[0]), subject.cwd, subject.home)
        if link and target:
            links[link] = target
    return links


def _glob_dir(pattern: str, subject: Subject) -> str | None:
    head = pattern.split("*", 1)[0].split("?", 1)[0].split("[", 1)[0]
    directory = head if head.endswith("/") else os.path.dirname(head) or "."
    return normalise(directory, subject.cwd, subject.home)


def _files_by_extension(path: str, patterns: list[str]) -> bool:
    """``rm -rf logs/*.log``: a wildcard that selects files by their extension (``*.log``,
    ``*.tmp``), none of them valuable; ``-r`` changes nothing for files. Patterns that
    match every name (``logs/*``) or folders by name are not this."""
    name = path.rsplit("/", 1)[-1]
    if not patterns or "*" not in name:
        return False
    return name.startswith("*.") and "/" not in name and "*" not in name[2:] and len(name) > 2 \
        and not matches_every_name(name) and _pattern_kind(name) is None


def _is_file(path: str) -> bool:
    try:
        return os.path.isfile(path)
    except (OSError, ValueError):
        return False


def register(check: Callable) -> None:
    @check("delete-critical", 60, "deletes /, your home, a system directory, the project or its .git",
           programs=_DELETING_PROGRAMS)
    def _critical(subject: Subject) -> str | None:
        seg = subject.segment
        if seg is None or seg.program not in _DELETING_PROGRAMS:
            return None
        program = seg.program
        if program in FINDERS:
            if program in ("find", "gfind") and "-delete" not in seg.argv:
                return None
            if program in ("fd", "fdfind"):
                return None  # fd deletes only through -x/-X, judged there
            found = judge_selection(selection_of(seg, subject), subject, recursive=False, critical_only=True)
            return f"find {found}" if found else None
        finder = finder_of(subject)
        if finder is not None:
            found = judge_selection(selection_of(finder, subject), subject, recursive=_recursive(subject),
                                    critical_only=True)
            return f"{finder.program} | {program}: {found}" if found else None
        if program != "rm":
            return None
        flags, _ = flags_of(subject)
        if "--no-preserve-root" in flags:
            return "rm --no-preserve-root"
        if not ({"r", "R", "--recursive"} & flags):
            return None
        paths, patterns = _targets(subject)
        for path in paths:
            why = critical_target(path, subject)
            if why:
                return f"recursive deletion of {why} ({path})"
        for pattern in patterns:
            if not matches_every_name(pattern.rstrip("/").rsplit("/", 1)[-1]):
                continue  # `*.egg-info`: only what matches, judged by its expansion
            directory = _glob_dir(pattern, subject)
            if directory and (why := critical_target(directory, subject)):
                return f"recursive deletion of everything in {why} ({pattern})"
        return None

    @check("delete-recursive", 30, "recursive deletion outside disposable build folders, deletion "
           "outside the project, of valuable files (databases, lockfiles, source, .git) or of a target "
           "only known at run time; find/fd deleting everything or valuable files",
           programs=_DELETING_PROGRAMS)
    def _recursive_check(subject: Subject) -> str | None:
        seg = subject.segment
        if seg is None or seg.program not in _DELETING_PROGRAMS:
            return None
        program = seg.program
        if program in FINDERS:
            if "-delete" not in seg.argv:
                return None
            found = judge_selection(selection_of(seg, subject), subject, recursive=False, critical_only=False)
            return f"find -delete {found}" if found else None
        finder = finder_of(subject)
        if finder is not None:
            found = judge_selection(selection_of(finder, subject), subject, recursive=_recursive(subject),
                                    critical_only=False)
            if found:
                return f"{finder.program} | {program}: {found}"
        elif any(a.dynamic for a in seg.args[1:]):
            return "deletes a target only known at run time"
        _, positional = flags_of(subject)
        if not subject.reads and positional and finder is None:
            return "deletes a path that cannot be resolved"
        recursive = program == "rm" and _recursive(subject)
        patterns = _targets(subject)[1]
        if not recursive and program in ("rm", "unlink", "shred"):
            for pattern in patterns:
                directory = _glob_dir(pattern, subject)
                if directory is None or is_disposable(directory, subject):
                    continue
                name = pattern.rstrip("/").rsplit("/", 1)[-1]
                if matches_every_name(name):
                    return f"deletes every file in {directory} ({pattern})"
                if (kind := _pattern_kind(name)) and subject.within_project(directory):
                    return f"deletes every {name} in {directory} ({kind})"
        for path in _targets(subject)[0] if program == "rm" else subject.reads:
            if is_disposable(path, subject):
                continue
            if not subject.within_project(path):
                return f"deletes {path}, outside the project"
            if program == "rmdir":
                continue  # only ever removes empty folders
            if recursive and not _is_file(path) and not _files_by_extension(path, patterns):
                return f"recursive deletion of {path}, not a disposable build folder"
            kind = valuable(path)
            if kind == "source code" and program == "rm" and not patterns:
                # Source files named one by one: what refactoring does all day (and git
                # keeps them); emptying or unlinking one is not that (overwrites.py).
                continue
            if kind:
                return f"deletes {path} ({kind})"
        return None

    @check("clears-home-caches", 0, "rm of folders in the home's caches only (~/.cache/pip, ~/Library/Caches/x)",
           programs=("rm", "rmdir"))
    def _caches(subject: Subject) -> str | None:
        seg = subject.segment
        if seg is None or seg.program not in ("rm", "rmdir") or not subject.reads or seg.wrappers:
            return None
        if all(home_cache(path, subject.home) for path in subject.reads):
            return "clears the home's caches"
        return None

    @check("shred", 50, "shred/wipe: irrecoverable overwrite of files", programs=("shred", "srm", "wipe"))
    def _shred(subject: Subject) -> str | None:
        seg = subject.segment
        return f"{seg.program} destroys file contents" if seg and seg.program in ("shred", "srm", "wipe") else None

    @check("delete-by-code", 35, "interpreter code that deletes or empties files through its libraries "
           "(fs/promises rm, File::Path, FileUtils, shutil.rmtree...), or that builds the names it calls "
           "from strings (getattr, __import__, 'rm'+'tree')", needs=("inline",))
    def _code(subject: Subject) -> str | None:
        seg = subject.segment
        if seg is None or seg.inline_code is None:
            return None
        language, code = seg.inline_code
        code = code[:20_000]
        found = _CODE_DELETES.search(code)
        if found is None and language in _CODE_DELETES_IN:
            found = _CODE_DELETES_IN[language].search(code)
        if (found or _CODE_WRITES_FILE.search(code)) and project_file_work(subject, code):
            return None  # build output deleted, project files written: `rm -rf build` in code
        if found:
            return f"{language} code deletes files ({found.group(0).strip()[:60]})"
        moved = _CODE_MOVES.search(code)
        written = _CODE_WRITES_FILE.search(code)
        if moved or written:
            for literal in _LITERAL.findall(code[:20_000]):
                text = literal[1]
                if moved and (text == "/dev/null" or text.startswith(("/", "~", ".."))):
                    return f"{language} code moves files away ({moved.group(0).strip()[:40]} ... {text})"
                kind = valuable(text)
                if written and kind in ("a database file", "a lockfile", "git's own files"):
                    return f"{language} code overwrites {text} ({kind})"
                if written and RUNS_LATER_NAME.search("/" + text):
                    return f"{language} code writes {text}, a file a tool runs on its own"
        found = _CODE_BUILDS_NAMES.search(code)
        if found:
            return f"{language} code builds what it calls at run time ({found.group(0).strip()[:60]})"
        return None


# Library calls that delete or truncate files, in the languages agents run one-liners in.
_CODE_DELETES = re.compile(
    r"shutil\s*\.\s*rmtree|\bos\s*\.\s*(?:remove|unlink|rmdir|removedirs|truncate)\b|\.unlink\s*\("
    r"|\.rmdir\s*\(|\.rmtree\s*\(|send2trash"
    r"|\bfs(?:\s*\.\s*promises|p|Promises|Extra|e)?\s*\.\s*(?:rm|rmdir|unlink|truncate|emptyDir|remove)\w*\s*\("
    r"|require\(\s*['\"](?:node:)?fs(?:/promises)?['\"]\s*\)\s*\.\s*(?:promises\s*\.\s*)?(?:rm|rmdir|unlink"
    r"|truncate)\w*|\b(?:rm|rmdir|unlink|rimraf|deleteSync|emptyDir)(?:Sync)?\s*\(\s*['\"`]"
    r"|Deno\s*\.\s*(?:remove|truncate)|\brmtree\b|\bremove_tree\b|\bunlink\b|\brmdir\b|\btruncate\s*[(\"']"
    r"|FileUtils\s*\.\s*(?:rm\w*|remove\w*)|File\s*\.\s*(?:delete|unlink|truncate)|Dir\s*\.\s*(?:rmdir|delete"
    r"|unlink)|Pathname\b.*\.(?:rmtree|delete|unlink)|file\.remove\s*\(|\bos\.remove\s*\("
    # Elixir's File.rm*, Erlang's file:delete/del_dir*, the JVM's File.delete*(),
    # Files.delete*, Swift's removeItem, Tcl's file delete, R's fs:: deleters.
    r"|File\s*\.\s*rm\w*|\bfile:(?:delete|del_dir\w*)\s*\(|\.delete(?:Dir|Recursively|OnExit)?\s*\(\s*\)"
    r"|Files\s*\.\s*delete\w*\s*\(|removeItem\s*\(|\bfile\s+delete\b|\b(?:dir|file)_delete\s*\("
    r"|\bdelete-(?:file|directory)\b")  # Clojure's, Racket's and Guile's
# Per language, deletions its own words make (julia's rm(path), whatever the argument).
_CODE_DELETES_IN = {"julia": re.compile(r"\brm\s*\(|\bmv\s*\([^)\n]*force\s*=\s*true")}
# Library calls that move or rename files, and that write a whole file.
_CODE_MOVES = re.compile(r"\b(?:os\s*\.\s*(?:rename|replace|renames)|shutil\s*\.\s*move|renameSync|rename)\s*\(?"
                         r"|\.rename\s*\(|FileUtils\s*\.\s*(?:mv|move)|File\s*\.\s*rename|\bmove\s*\(|\brename\s+['\"]")
_CODE_WRITES_FILE = re.compile(r"open\s*\([^)]*['\"][wa]b?\+?['\"]|write_text|write_bytes|writeFile|writeTextFile"
                               r"|file_put_contents|Bun\s*\.\s*write|File\s*\.\s*write|open\s+\w+\s*,\s*['\"]>"
                               r"|open\s*\(\s*\w+\s*,\s*['\"]>|\.truncate")
_LITERAL = re.compile(r"(['\"])([^'\"\n]{1,300})\1")
# Ways to call something whose name is assembled at run time.
_CODE_BUILDS_NAMES = re.compile(
    r"\bgetattr\s*\([^,()]+,(?!\s*['\"][\w.]+['\"]\s*[,)])|__import__|importlib\s*\.\s*import_module"
    r"|\bglobals\s*\(\s*\)\s*\[|sys\s*\.\s*modules\s*\["
    r"|['\"][A-Za-z_]{1,12}['\"]\s*\+\s*['\"][A-Za-z_]{1,12}['\"]|\[\s*::\s*-1\s*\]|\bchr\s*\(\s*\d"
    r"|String\s*\.\s*fromCharCode|\bFunction\s*\(|\.constructor\s*\(|\bsend\s*\(\s*[:'\"]"
    r"|\bpublic_send\s*\(|const_get|\bcall_user_func|\$\w+\s*\(\s*['\"]|\\x[0-9a-fA-F]{2}.*\\x[0-9a-fA-F]{2}")
