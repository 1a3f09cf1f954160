"""Files destroyed without being deleted: valuable files (databases, lockfiles,
source, git's own files) emptied or overwritten (``> app.db``, ``truncate -s 0``,
``cp /dev/null``, ``sed -i d``, ``ln -sf /dev/null``), dotfiles emptied, archivers
and copiers that remove what they pack (``tar --remove-files``, ``zip -m``, ``rsync
--remove-source-files``), ``rsync --delete``, and moves to ``/dev/null``, out of the
project or over a database."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from aegis_core.policy.deletion import finder_of, judge_selection, selection_of
from aegis_core.policy.facts import SED_IN_PLACE
from aegis_core.policy.inplace import awk_keeps_lines, perl_keeps_lines, ruby_keeps_lines, sed_keeps_lines
from aegis_core.policy.paths import normalise
from aegis_core.policy.places import is_disposable, valuable

if TYPE_CHECKING:
    from aegis_core.policy.facts import Subject
    from aegis_core.policy.shell import Segment

_ARCHIVERS = frozenset({"tar", "gtar", "bsdtar", "zip", "7z", "7za", "7zz", "rsync"})
# Valuable kinds destroyed by any overwrite, not only by emptying (a rewritten source
# file is an edit; a rewritten database or lockfile is gone).
_OVERWRITE_KILLS = frozenset({"a database file", "a lockfile", "git's own files"})


def register(check: Callable) -> None:
    @check("dotfile-truncate", 40, "empties a dotfile or config outside the project",
           programs=("truncate", "cp"), needs=("redirects",))
    def _dotfile(subject: Subject) -> str | None:
        seg = subject.segment
        if seg is None or (seg.program not in ("truncate", "cp") and not seg.redirects):
            return None
        for path, how in emptied(subject):
            if how != "overwrites":
                name = os.path.basename(path)
                if (name.startswith(".") or path.startswith("/etc/")) and not subject.within_project(path):
                    return f"empties {path}"
        return None

    @check("destroys-valuable", 40, "empties or overwrites a valuable file (a database, a lockfile, source "
           "code, .git) with nothing, or a database/lockfile with anything",
           programs=_FILE_CHANGERS, needs=("redirects", "call"))
    def _destroys(subject: Subject) -> str | None:
        seg = subject.segment
        if seg is not None and seg.program not in _FILE_CHANGERS and not seg.redirects:
            return None
        if seg is not None and (
                (_empty_output(seg) and any(op in _EMPTY_REDIRECT_OPS and dynamic for op, _, dynamic in seg.redirects))
                or (seg.program == "truncate" and any(a.dynamic for a in seg.args[1:]))
                or _sorts_nothing_into_unknown(seg)):
            return "empties a file only known at run time"
        for path, how in emptied(subject):
            kind = valuable(path, subject)
            if kind and (how != "overwrites" or kind in _OVERWRITE_KILLS):
                return f"{how} {path} ({kind})"
        return None

    @check("moves-away", 30, "moves project files to /dev/null or out of the project (deletion in "
           "disguise), or onto a database, lockfile or git file", programs=("mv", "gmv"))
    def _moves(subject: Subject) -> str | None:
        seg = subject.segment
        if seg is None or seg.program not in ("mv", "gmv"):
            return None
        target = subject.writes[0] if subject.writes else _placeholder_move_target(seg, subject)
        if target is None:
            return None
        if target == "/dev/null":
            return f"moves {subject.reads[0] if subject.reads else 'what it finds'} to /dev/null: deletes it"
        finder = finder_of(subject)
        if finder is not None and not subject.within_project(target):
            found = judge_selection(selection_of(finder, subject), subject, recursive=True, critical_only=False)
            return f"{finder.program} | mv to {target}: {found}" if found else None
        if any(a.dynamic for a in seg.args[1:]) and not subject.within_project(target) \
                and not (finder is not None):
            return f"moves files only known at run time out of the project to {target}"
        if not subject.reads:
            return None
        kind = valuable(target, subject)
        if kind in _OVERWRITE_KILLS:
            return f"replaces {target} ({kind})"
        if subject.within_project(target):
            return None
        for source in subject.reads:
            if not subject.within_project(source) or is_disposable(source, subject):
                continue
            name = os.path.basename(source)
            if valuable(source) or os.path.isdir(source) or ("." not in name and not os.path.exists(source)):
                return f"moves {source} out of the project to {target}"
        return None

    @check("archive-removes", 30, "archivers and copiers that delete what they pack or copy (tar "
           "--remove-files, zip -m, 7z -sdel, rsync --remove-source-files), rsync --delete",
           programs=_ARCHIVERS)
    def _archive(subject: Subject) -> str | None:
        seg = subject.segment
        if seg is None or seg.program not in _ARCHIVERS:
            return None
        texts = seg.argv[1:]
        program = seg.program
        if program == "rsync":
            if any(t.startswith(("--delete", "--del")) and not t.startswith("--delay") for t in texts):
                target = subject.writes[-1] if subject.writes else None
                if target is None or not is_disposable(target, subject):
                    return f"rsync --delete removes files in {target or 'the destination'} that the source lacks"
            if "--remove-source-files" in texts:
                return _kept_sources(subject, subject.reads, "rsync --remove-source-files deletes")
            return None
        if program in ("7z", "7za", "7zz"):
            return "7z -sdel deletes the files it packs" if "-sdel" in texts else None
        if program == "zip":
            moving = "--move" in texts or any(t.startswith("-") and not t.startswith("--") and "m" in t
                                              for t in texts)
            return _kept_sources(subject, subject.reads[1:], "zip -m deletes") if moving else None
        if "--remove-files" not in texts:
            return None
        return _kept_sources(subject, _tar_sources(seg, subject), "tar --remove-files deletes")


def _placeholder_move_target(seg: Segment, subject: Subject) -> str | None:
    """Where ``mv {found} DEST`` (from find -exec or xargs) moves what it is given."""
    args = [a for a in seg.args[1:] if not a.text.startswith("-")]
    if len(args) >= 2 and args[0].dynamic and not args[-1].dynamic:
        return normalise(args[-1].text, subject.cwd, subject.home)
    return None


def _kept_sources(subject: Subject, sources: list[str] | tuple[str, ...], what: str) -> str | None:
    for source in sources:
        if not is_disposable(source, subject):
            return f"{what} {source} once it is done"
    return None


def _tar_sources(seg: Segment, subject: Subject) -> list[str]:
    """The files tar packs: its positional arguments without the archive (the value of
    f, in a first cluster such as ``czf`` or an option such as ``-cf``)."""
    texts = list(seg.argv[1:])
    sources: list[str] = []
    skip_next = 0
    for position, text in enumerate(texts):
        if skip_next:
            skip_next -= 1
            continue
        bundle = text[1:] if text.startswith("-") and not text.startswith("--") else (
            text if position == 0 and text.isalpha() else None)
        if bundle is not None:
            skip_next = bundle.count("f") + bundle.count("C") + bundle.count("T")
            continue
        if text.startswith("-"):
            if text in ("--file", "--directory", "--files-from", "--exclude-from"):
                skip_next = 1
            continue
        path = normalise(text, subject.cwd, subject.home)
        if path:
            sources.append(path)
    return sources


# Emptying and overwriting: (normalised path, how) for each file a segment or a Write
# call would leave empty ("empties"), cut ("truncates"), turn into a link ("replaces
# with a link") or rewrite ("overwrites").
_EMPTY_REDIRECT_OPS = frozenset({">", ">|", "&>"})
_FILE_CHANGERS = frozenset({"truncate", "cp", "install", "dd", "tee", "sed", "gsed", "ln", "fallocate", "perl",
                            "ruby", "awk", "gawk", "sort", "shuf", "mv"})
# Filters that print what they read: fed nothing (`< /dev/null`, no input at all), they print nothing.
_FILTERS = frozenset({"tee", "sort", "uniq", "cat", "head", "tail", "tr", "cut", "shuf", "tac", "rev", "fold", "fmt",
                      "nl", "paste", "column", "dd", "sed", "awk"})
_NOT_READING = frozenset({"echo", "printf", "true", ":", "", "exec"})
_HOLE_PUNCHING = frozenset({"--punch-hole", "--collapse-range", "--zero-range", "--insert-range"})
# perl -p printing an emptied line: `s/.*//s`, `s/^.*$//`, `$_ = ""`, `undef $_`, `$_ = undef`.
_PERL_BLANKS = re.compile(r"\bs(\W)\^?(?:\.[*+]|\[\\s\\S\][*+]|\(\?s\)\.[*+])\$?\1\1"
                          r"|\$_\s*=\s*(?:\"\"|''|q\W\W|undef\b)|\bundef\s*\(?\s*\$_|\bchop\s*\(?\s*\$_\s*\)?\s*while")
# perl -i with no -n/-p still reads the files when its code loops over `<>`.
_READS_ARGV = re.compile(r"<(?:ARGV|STDIN)?>|<<>>|\bARGF\b|\$<\b")


def _empty_output(seg: Segment) -> bool:
    """The program prints nothing (``:``, ``true``, ``echo -n``, ``printf ''``,
    ``cat /dev/null``), so a ``>`` redirect of it empties the file."""
    program = seg.program
    rest = [a.text for a in seg.args[1:]]
    if program in ("", ":", "true", "false", "exec"):
        return not rest or program == "exec"
    if program == "echo":
        return all(not t.strip() or t in ("-n", "-e", "-ne", "-en", "-E") for t in rest)
    if program == "printf":
        return all(not t.strip() for t in rest)
    if program == "cat":
        return rest == ["/dev/null"] or (not rest and not seg.stdin_text and not seg.pipe_from)
    if program in ("head", "tail"):
        if "-c0" in rest or ("-c" in rest and "0" in rest) or "-n0" in rest or "--bytes=0" in rest:
            return True
    if program in _FILTERS and any(op == "<" and target == "/dev/null" for op, target, _ in seg.redirects):
        # `tee -a /dev/null < /dev/null > f`, `sort < /dev/null > f`: fed nothing, they print nothing.
        return all(t.startswith("-") or t == "/dev/null" for t in rest) or program == "tee"
    return False


def _sorts_nothing_into_unknown(seg: Segment) -> bool:
    """`xargs -I{} sort -o {} /dev/null`, `find -exec sort -o {} /dev/null`: sort or shuf
    writing nothing into files only known at run time."""
    if seg.program not in ("sort", "shuf"):
        return False
    args = seg.args[1:]
    outputs = [i + 1 for i, a in enumerate(args[:-1]) if a.text in ("-o", "--output")]
    if not outputs or not any(args[i].dynamic or args[i].text in ("{}", "{stdin}") for i in outputs):
        return False
    inputs = [a.text for i, a in enumerate(args) if i not in outputs and not a.text.startswith("-")]
    if any(args[i].text == "{}" for i in outputs):
        inputs = [t for t in inputs if t != "{stdin}"]  # xargs -I{}: what it reads replaces {}
    return bool(inputs) and all(t == "/dev/null" for t in inputs)


def _same_kind_of_file(subject: Subject, replaced: str) -> bool:
    """`ln -sf ../shared/eslint.config.js eslint.config.js`: the link points at a file of
    the same name (a shared config), or at an existing file of the same kind
    (deduplicated source); not at /dev/null, a folder or nothing of another name, which
    would destroy what it replaces. A database, a lockfile or anything in .git stays
    asked. Whether the replaced file exists is not asked: fail closed."""
    targets = [p for p in subject.reads if p != replaced] if subject.reads else []
    if len(targets) != 1 or "/.git/" in replaced or replaced.endswith("/.git"):
        return False
    target = targets[0]
    if target.startswith(("/dev/", "/proc/")):
        return False
    name, kind = os.path.basename(replaced), os.path.splitext(replaced)[1]
    if name != os.path.basename(target) and (not kind or kind != os.path.splitext(target)[1]):
        return False
    if kind.lower() in (".db", ".sqlite", ".sqlite3", ".lock") or name.endswith("-lock.json"):
        return False
    return name == os.path.basename(target) or os.path.isfile(target)


def _switches(rest: list[str]) -> tuple[str, str | None]:
    """perl's or ruby's one-letter switches (clusters such as `-lne`, `-pi.bak`) and
    the code of their `-e`/`-E` options (None without one: the program is in a file)."""
    letters: list[str] = []
    code: list[str] = []
    given = take_code = False
    for text in rest:
        if take_code:
            code.append(text)
            take_code = False
            continue
        if not text.startswith("-") or text.startswith("--") or text == "-":
            continue
        for position, letter in enumerate(text[1:], 1):
            letters.append(letter)
            if letter == "i":
                break  # the rest is the backup's extension
            if letter in "eE":
                given = True
                attached = text[position + 1:]
                if attached:
                    code.append(attached)
                else:
                    take_code = True
                break
            if letter in "IMmrx0":
                break  # these take the rest of the word as their value
    return "".join(letters), "\n".join(code) if given else None


def _awk_in_place(rest: list[str]) -> bool:
    """`gawk -i inplace` (also `-iinplace`, `--include=inplace`): the files are rewritten."""
    return any(t in ("-iinplace", "--include=inplace") or (t in ("-i", "--include") and i + 1 < len(rest)
                                                            and rest[i + 1] == "inplace")
               for i, t in enumerate(rest))


def _awk_emptied(rest: list[str], subject: Subject) -> list[str]:
    """The files an in-place awk leaves empty: its script prints nothing."""
    script = None
    files: list[str] = []
    skip = False
    for i, text in enumerate(rest):
        if skip:
            skip = False
        elif text in ("-e", "--source"):
            script = (script or "") + "\n" + rest[i + 1] if i + 1 < len(rest) else script
            skip = True
        elif text in ("-i", "--include", "-v", "-F", "-f", "--assign", "--field-separator"):
            skip = True
            if text == "-f":
                return []  # the program is in a file: not read here
        elif not text.startswith("-"):
            if script is None:
                script = text
                files = rest[i + 1:]
            else:
                files = rest[i:]
            break
    if script is None or awk_keeps_lines(script):
        return []
    paths = [normalise(f, subject.cwd, subject.home) for f in files if "=" not in f]
    return [p for p in paths if p]


def emptied(subject: Subject) -> list[tuple[str, str]]:
    cached = subject.cache.get("_emptied")
    if cached is not None:
        return cached
    found: list[tuple[str, str]] = []
    seg = subject.segment
    if seg is None:
        content = subject.call.input.get("content") if hasattr(subject.call.input, "get") else None
        if isinstance(content, str):
            for path in subject.writes:
                found.append((path, "empties" if not content.strip() else "overwrites"))
    elif not seg.redirects and seg.program not in _FILE_CHANGERS:
        pass  # `cat README.md`, `echo hi`: nothing written
    else:
        program = seg.program
        rest = [a.text for a in seg.args[1:]]
        for op, target, dynamic in seg.redirects:
            if op in _EMPTY_REDIRECT_OPS and not dynamic and not target.isdigit():
                where = normalise(target, subject.cwd, subject.home)
                if where:
                    # `sort f > f`, `cat f > f`: the shell empties f before the program reads it
                    empties = _empty_output(seg) or (where in subject.reads and program not in _NOT_READING)
                    found.append((where, "empties" if empties else "overwrites"))
        writes = list(subject.writes)
        if program == "truncate":
            found.extend((path, "truncates") for path in writes)
        elif program in ("cp", "install") and writes:
            how = "empties" if "/dev/null" in rest or "/dev/zero" in rest else "overwrites"
            found.append((writes[-1], how))
        elif program in ("sort", "shuf") and writes:
            # `sort -o FILE /dev/null`: the output file gets what the inputs hold.
            outputs = {rest[i + 1] for i, t in enumerate(rest[:-1]) if t in ("-o", "--output")}
            inputs = [t for t in rest if not t.startswith("-") and t not in outputs]
            fed_nothing = all(t == "/dev/null" for t in inputs) and (bool(inputs) or _empty_output(seg) or (
                not seg.pipe_from and not seg.stdin_text and not any(op == "<" for op, _, _ in seg.redirects)))
            found.extend((path, "empties" if fed_nothing else "overwrites") for path in writes)
        elif program == "mv" and writes and "/dev/null" in rest[:-1]:
            found.append((writes[-1], "empties"))  # `mv /dev/null f`: f becomes the null device
        elif program == "dd" and writes:
            found.extend((path, "overwrites") for path in writes if path != "/dev/null")
        elif program == "tee" and not ({"-a", "--append"} & set(rest)):
            segments = subject.analysis.segments if subject.analysis is not None else ()
            fed_nothing = bool(seg.pipe_from) and all(
                i < len(segments) and _empty_output(segments[i]) for i in seg.pipe_from)
            silent = fed_nothing or any(op == "<" and target == "/dev/null" for op, target, _ in seg.redirects) or (
                not seg.pipe_from and not seg.stdin_text and not any(op == "<" for op, _, _ in seg.redirects))
            found.extend((path, "empties" if silent else "overwrites") for path in writes)
        elif program in ("sed", "gsed") and any(SED_IN_PLACE.match(t) for t in rest):
            scripts = [t for t in rest if not t.startswith("-")]
            expressions = [rest[i + 1] for i, t in enumerate(rest[:-1]) if t in ("-e", "--expression")] + [
                t.split("=", 1)[1] for t in rest if t.startswith("--expression=")]
            script = expressions or scripts[:1]
            quiet = any(t in ("-n", "--quiet", "--silent") or (t.startswith("-") and not t.startswith("--")
                                                               and "n" in t.split("i", 1)[0]) for t in rest)
            from_file = any(t in ("-f", "--file") or t.startswith("--file=") for t in rest)
            if script and not from_file and not sed_keeps_lines(script, quiet):
                found.extend((path, "empties") for path in writes)
        elif program in ("perl", "ruby") and writes:
            letters, code = _switches(rest)
            reads_lines = "n" in letters or "p" in letters or bool(code and _READS_ARGV.search(code))
            if "i" in letters and code is not None and reads_lines:
                keeps = perl_keeps_lines if program == "perl" else ruby_keeps_lines
                if not keeps(code, "p" in letters) or (program == "perl" and "p" in letters
                                                        and _PERL_BLANKS.search(code)):
                    found.extend((path, "empties") for path in writes)
        elif program in ("awk", "gawk") and _awk_in_place(rest):
            found.extend((path, "empties") for path in _awk_emptied(rest, subject))
        elif program == "ln" and writes and any(t.startswith("-") and "f" in t for t in rest) \
                and not _same_kind_of_file(subject, writes[-1]):
            found.append((writes[-1], "replaces with a link"))
        elif program == "fallocate" and any(t in _HOLE_PUNCHING or (t[:1] == "-" and t[1:2] in "pcz") for t in rest):
            found.extend((path, "punches holes in") for path in subject.reads)
    subject.cache["_emptied"] = found
    return found


