"""Interpreter one-liners that only do file work inside the project: deleting build
output (``shutil.rmtree('build')``, ``fs.rmSync('dist', {recursive: true})``,
``FileUtils.rm_rf('tmp/cache')``) or writing a file of the project's source tree
(``fs.writeFileSync('src/version.ts', ...)``, ``Path('src/gen.py').write_text(...)``).
What ``rm -rf build`` and an Edit of ``src/version.ts`` are, said in code: routine.

Judged from what the code names, not from what it might do: every file call's path
argument must be a literal, every deletion must fall on a disposable folder (a build
or cache folder inside the project, scratch space), every write inside the project on
a file that is neither run later by a tool, nor a database, lockfile or git's own file,
nor a secret. One thing the code does besides (run a command, open a socket, decode,
build a name from strings, reach for the environment) and it is not file work: the
checks on one-liners judge it as before. A deletion whose argument is a variable
(``for p in glob.glob('**/__pycache__')``) counts when every literal of the code is
a disposable place."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from aegis_core.policy.autorun import RUNS_LATER_NAME
from aegis_core.policy.places import DISPOSABLE, is_disposable, valuable

if TYPE_CHECKING:
    from aegis_core.policy.facts import Subject

MAX_CODE = 2000  # a longer program is not a one-liner of file work
# Calls whose first argument is the folder or file they delete.
_DELETE_CALL = re.compile(
    r"\b(?:shutil\s*\.\s*rmtree|rmtree|rmSync|rmdirSync|unlinkSync|rimraf(?:\.sync)?|(?:fs|fsp|promises)\s*\.\s*"
    r"(?:rm|rmdir|unlink)|os\s*\.\s*(?:remove|unlink|rmdir)|FileUtils\s*\.\s*(?:rm_rf|rm_r|rm|remove_dir|"
    r"remove_entry|remove_entry_secure)|remove_tree|rmtree|File\s*\.\s*(?:delete|unlink)|Deno\s*\.\s*remove"
    r"|deleteDirectory|fs\s*\.\s*remove(?:Sync)?|emptyDirSync|emptyDir)\s*\(\s*|\.\s*(?:rm|rmdir|unlink)\s*\(\s*")
# Calls whose first argument is the file they write (or the folder they make).
_WRITE_CALL = re.compile(
    r"\b(?:open|Path|PurePath|writeFileSync|writeFile|appendFileSync|appendFile|mkdirSync|mkdir|makedirs"
    r"|outputFileSync|outputFile|ensureDirSync|File\s*\.\s*(?:write|open)|Deno\s*\.\s*writeTextFile"
    r"|Bun\s*\.\s*write|file_put_contents|FileUtils\s*\.\s*(?:mkdir_p|touch))\s*\(\s*")
# Calls that copy their first argument to their second.
_COPY_CALL = re.compile(r"\b(?:copyFileSync|copyFile|cpSync|shutil\s*\.\s*copy(?:file|2|tree)?|FileUtils\s*\.\s*cp)"
                        r"\s*\(\s*")
# open()'s mode, when it writes (`open('f', 'w')`, `open('f', mode='a')`).
_WRITE_MODE = re.compile(r"""[^)]*?,\s*(?:mode\s*=\s*)?[rbu]?['"][rbt]*[wax]""")
_LITERAL_ARG = re.compile(r"""[rbuf]?(['"`])([^'"`\n\\$]{1,300})\1\s*[,)]""")
_ANY_LITERAL = re.compile(r"""(['"`])([^'"`\n]{0,300})\1""")
# Anything besides file work: commands, network, decoding, names built at run time,
# the environment, moving files away, changing modes or links.
_OTHER_WORK = re.compile(
    r"system|subprocess|popen|spawn|exec|child_process|eval|compile|__import__|importlib|getattr|globals"
    r"|socket|urllib|requests|http|fetch|net\b|Net::|LWP|open-uri|curl|b64|base64|atob|Buffer|fromhex|codecs"
    r"|chr\(|fromCharCode|environ|process\.env|ENV\b|getenv|rename|(?<!re)move|replace\(|symlink|chmod|chown"
    r"|ctypes|setuid|kill|expanduser|homedir|home\(|\.\.|~|`|\$\{|\\x|\\u|%x|qx|send\(|Function\(|constructor"
    r"|truncate|(?<!un)link|(?<!\\)''|(?<!\\)\"\"",
    re.IGNORECASE)
# Literals that are not places: module names, open() modes, encodings, JSON keys of options.
_NOT_A_PLACE = re.compile(r"^(?:fs|node:fs|fs/promises|node:fs/promises|fs-extra|fileutils|rimraf|shutil|os"
                          r"|pathlib|glob|json|path|node:path|[rwaxbt+]{1,3}|utf-?8|utf8|ascii|latin-?1)$", re.I)


# A call that runs a program by a list of literal words, with options that change
# nothing of what runs (`subprocess.run(['git', 'describe'], capture_output=True)`).
_LITERAL_RUN = re.compile(
    r"""\bsubprocess\s*\.\s*(?:run|call|check_call|check_output|Popen)\s*\(\s*\[((?:\s*(['"])[^'"\n\\$`]{0,200}\2"""
    r"""\s*,?)+)\]\s*(?:,\s*(?:capture_output|text|check|encoding|universal_newlines|timeout)\s*=\s*"""
    r"""(?:True|False|\d+|(['"])[\w-]{0,20}\3)\s*)*\)""")
_WORD = re.compile(r"""(['"])([^'"\n\\$`]{0,200})\1""")
_IMPORT_SUBPROCESS = re.compile(r"\bimport\s+subprocess\b\s*(?:;|\n|$)")


def literal_runs(code: str) -> tuple[list[list[str]], str] | None:
    """The programs Python ``code`` runs by ``subprocess`` with literal words only, and
    the code without those calls; None when it names subprocess any other way (a
    variable's words, a shell string, another module's call)."""
    if len(code) > MAX_CODE or "subprocess" not in code:
        return None
    runs = [[w.group(2) for w in _WORD.finditer(found.group(1))] for found in _LITERAL_RUN.finditer(code)]
    rest = _IMPORT_SUBPROCESS.sub(";", _LITERAL_RUN.sub("None", code))
    if not runs or "subprocess" in rest or _OTHER_WORK.search(rest):
        return None
    return runs, rest


def _place(text: str, subject: Subject) -> str | None:
    base = subject.cwd or subject.project
    if base is None or text.startswith(("/", "~")):
        return None  # an absolute place is not the project's own file work
    return os.path.normpath(os.path.join(base, text.replace("**/", "").replace("/**", "")))


def project_file_work(subject: Subject, code: str) -> bool:
    """True when ``code`` only deletes build output in the project (or scratch space)
    and writes ordinary files of the project, by literal names."""
    if len(code) > MAX_CODE or subject.project is None or _OTHER_WORK.search(code):
        return False
    deletes = list(_DELETE_CALL.finditer(code))
    writes = list(_WRITE_CALL.finditer(code))
    if not deletes and not writes and not _COPY_CALL.search(code):
        return False
    if any(w.group(0).startswith("open") for w in writes) and not re.search(r"\b(?:write|dump)\s*\(", code):
        return False  # `open('src/app.py', 'w').close()` empties a file
    for found in deletes:
        given = _LITERAL_ARG.match(code, found.end())
        if given is None:
            if not _only_disposable_literals(code, subject):
                return False
            continue
        place = _place(given.group(2), subject)
        if place is None or not is_disposable(place, subject):
            return False
    for found in _COPY_CALL.finditer(code):
        source = _LITERAL_ARG.match(code, found.end())
        target = _ANOTHER_ARG.match(code, source.end() - 1) if source else None
        if source is None or target is None or _place(source.group(2), subject) is None:
            return False
        copied = target.group(2) + os.path.basename(source.group(2)) if target.group(2).endswith("/") \
            else target.group(2)  # into a folder: the file of the source's name there
        if not _ordinary_project_file(copied, subject):
            return False
    for found in writes:
        if found.group(0).startswith("open") and not _WRITE_MODE.match(code, found.end()):
            continue  # read, not written
        given = _LITERAL_ARG.match(code, found.end())
        if given is None:
            return False
        if not _ordinary_project_file(given.group(2), subject):
            return False
    return True


_ANOTHER_ARG = re.compile(r"""\s*,\s*[rbuf]?(['"`])([^'"`\n\\$]{1,300})\1\s*[,)]""")


def _ordinary_project_file(text: str, subject: Subject) -> bool:
    """A file of the project a one-liner may write: not one a tool runs on its own, not a
    database, lockfile, manifest or git's own file, not an .env file."""
    place = _place(text, subject)
    return place is not None and subject.within_project(place) and not RUNS_LATER_NAME.search(place) \
        and valuable(place, subject) not in ("a database file", "a lockfile", "git's own files", "a project manifest") \
        and not os.path.basename(place).startswith(".env")


# Compiled output matched by a glob (`rglob('*.pyc')`, `glob('build/**/*.o')`): rebuilt at will.
_COMPILED_GLOB = re.compile(r"^(?:[\w./-]*/)?\*\*?(?:/\*)?\.(?:pyc|pyo|o|obj|class|d\.ts\.map|tsbuildinfo)$")


_DISPOSABLE_SEARCH = re.compile(r"""(?:pathlib\.)?Path\(\s*(['"])\.?/?\1\s*\)\s*\.\s*r?glob\(\s*"""
                                r"""(['"])([^'"]{1,80})\2\s*\)""")
_OUTSIDE_NAMES = re.compile(r"argv|\binput\(|stdin|fileinput|getpass")
# Other ways of listing folders: with them, a search of the project may find anything.
_TREE_WALK = re.compile(r"iterdir|walk|listdir|scandir|glob\.|\bglob\(")


def _only_disposable_literals(code: str, subject: Subject) -> bool:
    """Every literal of ``code`` that may be a place names a disposable one (the
    project's root counts only as where a glob of compiled output is searched)."""
    seen = False
    if _OUTSIDE_NAMES.search(code):
        return False  # a name the code is handed at run time (`shutil.rmtree(sys.argv[1])`) may be anything
    if _TREE_WALK.search(code) is None:
        # `Path('.').rglob('__pycache__')`: the project searched for a disposable folder's name
        searched = _DISPOSABLE_SEARCH.sub(lambda m: "_" if m.group(3).strip("*/") in DISPOSABLE else m.group(0), code)
        seen, code = searched != code, searched
    literals = [found.group(2) for found in _ANY_LITERAL.finditer(code)]
    compiled = any(_COMPILED_GLOB.match(text) for text in literals)
    for text in literals:
        if not text or _NOT_A_PLACE.match(text):
            continue
        if compiled and (text in (".", "./") or _COMPILED_GLOB.match(text)):
            seen = True
            continue
        place = _place(text, subject)
        if place is None or not is_disposable(place, subject):
            return False
        seen = True
    return seen


# ---------------------------------------------------------------- the JavaScript world's rm -rf

# Packages that delete what they are given (`npx rimraf dist`, `shx rm -rf dist`).
_CLEANERS = frozenset({"rimraf", "del-cli", "del", "premove", "trash", "trash-cli"})
_RUN_PACKAGE = frozenset({"npx", "pnpx", "bunx"})
_RUN_SCRIPT = frozenset({"pnpm", "yarn", "bun", "npm"})


def cleaned_places(seg_program: str, texts: list[str]) -> list[str] | None:
    """The places a package cleaner run here deletes (`npx rimraf dist build`, `pnpm
    exec rimraf dist`, `yarn rimraf dist`, `shx rm -rf dist`), or None when the command
    line is not one (a version pinned from the registry is not the project's own tool)."""
    rest = texts
    if seg_program in _RUN_PACKAGE:
        while rest and rest[0] in ("--no-install", "--offline", "--no", "-y", "--yes", "-q", "--quiet"):
            rest = rest[1:]
    elif seg_program in _RUN_SCRIPT:
        if rest[:1] in (["exec"], ["x"], ["dlx"]) if seg_program != "yarn" else rest[:1] in (["exec"], ["dlx"]):
            rest = rest[1:]
        elif seg_program not in ("yarn", "pnpm", "bun"):
            return None
    elif seg_program not in _CLEANERS and seg_program != "shx":
        return None
    else:
        rest = [seg_program, *texts]
    if not rest:
        return None
    tool, rest = rest[0], rest[1:]
    if tool == "shx":
        if rest[:1] != ["rm"]:
            return None
        rest = rest[1:]
    elif tool not in _CLEANERS:
        return None
    places = [t for t in rest if not t.startswith("-")]
    return places or None


def _cleaner_verdict(subject: Subject) -> tuple[bool, str] | None:
    """(only build output, what it deletes) for a package cleaner's command line, or None."""
    seg = subject.segment
    if seg is None:
        return None
    places = cleaned_places(seg.program, list(seg.argv[1:]))
    if not places:
        return None
    shown = " ".join(places)
    if any(a.dynamic for a in seg.args[1:]) \
            or not all(w.endswith((" exec", " x", " dlx")) or w in _RUN_PACKAGE for w in seg.wrappers):
        return False, shown
    for text in places:
        place = _place(text, subject)
        if place is None or ".." in text or not is_disposable(place, subject):
            return False, shown
    return True, shown


def cleans_build_output(subject: Subject) -> str | None:
    """Why this command line is routine cleaning of build output, or None."""
    found = _cleaner_verdict(subject)
    return f"deletes build output only ({found[1]})" if found and found[0] else None


def cleans_beyond_build_output(subject: Subject) -> str | None:
    """Why this package cleaner deletes more than build output (`yarn rimraf src`), or None."""
    found = _cleaner_verdict(subject)
    return f"a package cleaner deletes {found[1]}, not only build or cache folders" if found and not found[0] \
        else None


def register(check: Callable) -> None:
    @check("cleans-build-output", 0, "a package cleaner (npx rimraf, shx rm, del-cli) deleting build or cache "
           "folders inside the project only", programs=(*_RUN_PACKAGE, *_RUN_SCRIPT, *_CLEANERS, "shx"))
    def _clean(subject: Subject) -> str | None:
        return cleans_build_output(subject)

    @check("deletes-by-cleaner", 30, "a package cleaner (rimraf, shx rm, del-cli) deleting anything but build or "
           "cache folders inside the project", programs=(*_RUN_PACKAGE, *_RUN_SCRIPT, *_CLEANERS, "shx"))
    def _beyond(subject: Subject) -> str | None:
        return cleans_beyond_build_output(subject)
