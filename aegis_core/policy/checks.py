"""Built-in checks that need more than a pattern: each looks at one Subject (a call or
a shell segment) and returns what it found, or None. Rules name them with
``check = "..."``; the risk scorer adds up their weights."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from aegis_core.policy import gitchecks
from aegis_core.policy.facts import Subject, url_host
from aegis_core.policy.paths import is_within

CheckFn = Callable[[Subject], "str | None"]


@dataclass(frozen=True)
class Check:
    name: str
    fn: CheckFn
    risk: int
    description: str
    # When set, the check can only find something in segments running one of these
    # programs, or having one of these features (see ``features``): others skip it.
    programs: frozenset[str] | None = None
    needs: frozenset[str] | None = None


CHECKS: dict[str, Check] = {}
# Features of a segment a check can ask for with ``needs`` (see ``feature_bits``).
FEATURES = ("call", "redirects", "inline", "reads_code", "assignments", "function_call", "slash", "mkfs",
            "dynamic", "devpath", "urls")
_BIT = {name: 1 << position for position, name in enumerate(FEATURES)}
_APPLICABLE: dict[tuple[str | None, int], tuple[tuple[Check, ...], frozenset[str]]] = {}


def check(name: str, risk: int, description: str, programs: Iterable[str] | None = None,
          needs: Iterable[str] | None = None) -> Callable[[CheckFn], CheckFn]:
    unknown = set(needs or ()) - set(FEATURES)
    if unknown:
        raise ValueError(f"check {name!r} needs unknown features {sorted(unknown)}; known: {FEATURES}")

    def register(fn: CheckFn) -> CheckFn:
        CHECKS[name] = Check(name, fn, risk, description,
                             frozenset(programs) if programs is not None else None,
                             frozenset(needs) if needs is not None else None)
        _APPLICABLE.clear()
        return fn

    return register


def feature_bits(subject: Subject) -> int:
    """The features of a subject as bits of ``_BIT``: a cheap key for ``applicable``."""
    seg = subject.segment
    if seg is None:
        return _BIT["call"]
    bits = 0
    if seg.redirects:
        bits |= _BIT["redirects"]
    if seg.inline_code is not None:
        bits |= _BIT["inline"]
    if seg.reads_code:
        bits |= _BIT["reads_code"]
    if seg.assignments:
        bits |= _BIT["assignments"]
    if seg.function_call:
        bits |= _BIT["function_call"]
    if seg.argv and "/" in seg.argv[0]:
        bits |= _BIT["slash"]
    if seg.program.startswith("mkfs"):
        bits |= _BIT["mkfs"]  # mkfs.ext4, mkfs.xfs...: too many to list as programs
    for arg in seg.args[1:]:
        if arg.dynamic:
            bits |= _BIT["dynamic"]
            break
    rest = "\n".join(seg.argv[1:])
    if "/dev/" in rest:
        bits |= _BIT["devpath"]
    if "://" in rest:
        bits |= _BIT["urls"]
    return bits


def features(subject: Subject) -> frozenset[str]:
    bits = feature_bits(subject)
    return frozenset(name for name, bit in _BIT.items() if bits & bit)


def applicable(subject: Subject) -> tuple[tuple[Check, ...], frozenset[str]]:
    """The checks that can find something in this subject (and their names),
    computed once per subject."""
    cached = subject.cache.get("_applicable")
    if cached is not None:
        return cached
    program = subject.segment.program if subject.segment is not None else None
    key = (program, feature_bits(subject))
    found = _APPLICABLE.get(key)
    if found is None:
        feats = features(subject)
        checks = tuple(c for c in CHECKS.values() if _applies(c, program, feats))
        found = (checks, frozenset(c.name for c in checks))
        if len(_APPLICABLE) < 8192:
            _APPLICABLE[key] = found
    subject.cache["_applicable"] = found
    return found


def findings(subject: Subject) -> tuple[tuple[Check, str], ...]:
    """What each applicable check found in this subject (only those that found
    something, in registration order), every check run once per subject."""
    cache = subject.cache
    found = cache.get("_findings")
    if found is None:
        results = []
        for check in applicable(subject)[0]:
            name = check.name
            if name not in cache:
                cache[name] = check.fn(subject)
            if cache[name]:
                results.append((check, cache[name]))
        found = cache["_findings"] = tuple(results)
    return found


def found_names(subject: Subject) -> frozenset[str]:
    """The names of the checks that found something in this subject."""
    names = subject.cache.get("_found")
    if names is None:
        found = findings(subject)
        names = subject.cache["_found"] = frozenset(check.name for check, _ in found) if found else _NOTHING
    return names


_NOTHING: frozenset[str] = frozenset()


def _applies(c: Check, program: str | None, feats: frozenset[str]) -> bool:
    if c.programs is None and c.needs is None:
        return True
    if program is None:
        return c.programs is None or bool(c.needs and "call" in c.needs)
    return bool((c.programs and program in c.programs) or (c.needs and c.needs & feats))


SYSTEM_DIRS = frozenset({"/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/opt", "/proc",
                         "/root", "/sbin", "/srv", "/sys", "/usr", "/var", "/home", "/Users", "/System",
                         "/Applications", "/Library", "/private", "/snap", "/mnt", "/media"})
DISPOSABLE = frozenset({"build", "dist", "node_modules", "target", "__pycache__", ".pytest_cache",
                        ".mypy_cache", ".ruff_cache", ".tox", ".nox", "coverage", "htmlcov",
                        ".coverage", ".next", ".nuxt", ".cache", ".parcel-cache", ".turbo", "out",
                        "tmp", ".tmp", "temp", ".venv", "venv", ".gradle", ".eggs", ".svelte-kit",
                        ".angular", "obj", "_build", ".hypothesis", "site", "public/build"})
TEMP_ROOTS = ("/tmp", "/var/tmp", "/private/tmp")  # noqa: S108 - compared, never written


def _flags(texts: list[str]) -> tuple[set[str], list[str]]:
    """Short flag letters and long options, and the positionals (after ``--`` too)."""
    flags: set[str] = set()
    positional: list[str] = []
    ended = False
    for text in texts:
        if not ended and text == "--":
            ended = True
        elif not ended and text.startswith("--"):
            flags.add(text.split("=", 1)[0])
        elif not ended and text.startswith("-") and len(text) > 1:
            flags.update(text[1:])
        else:
            positional.append(text)
    return flags, positional


def _flags_of(subject: Subject) -> tuple[set[str], list[str]]:
    """``_flags`` of a segment's arguments, worked out once for the checks that read them.
    Callers must not change what they get."""
    found = subject.cache.get("_flags")
    if found is None:
        seg = subject.segment
        found = subject.cache["_flags"] = _flags(list(seg.argv[1:]) if seg is not None else [])
    return found


def is_disposable(path: str, subject: Subject) -> bool:
    for root in TEMP_ROOTS:
        if path.startswith(root + "/") and path.count("/") > root.count("/"):
            return True
    project = subject.project
    if project is None or not is_within(path, project) or path == project:
        return False
    below = path[len(project):].strip("/").split("/")
    return any(part in DISPOSABLE or part.endswith(".egg-info") for part in below)


def critical_target(path: str, subject: Subject) -> str | None:
    """Why deleting ``path`` (recursively) would be a disaster, or None."""
    if path == "/":
        return "the root directory"
    if path == subject.home or is_within(subject.home, path):
        return "your home directory"
    if path in SYSTEM_DIRS or os.path.dirname(path) == "/":
        return f"the system directory {path}"
    if subject.project and is_within(subject.project, path):
        return "the whole project (work tree)"
    if subject.project and is_within(path, os.path.join(subject.project, ".git")):
        return "the project's .git history"
    return None


def _targets(subject: Subject) -> tuple[list[str], list[str], bool]:
    """Deletion targets: normalised paths, glob patterns as written, any unknown."""
    seg = subject.segment
    assert seg is not None
    patterns = [a.text for a in seg.args[1:] if a.glob and not a.text.startswith("-")]
    return list(subject.reads), patterns, any(a.dynamic for a in seg.args[1:])


def _glob_dir(pattern: str, subject: Subject) -> str | None:
    from aegis_core.policy.paths import normalise

    head = pattern.split("*", 1)[0].split("?", 1)[0].split("[", 1)[0]
    directory = head if head.endswith("/") or not head else os.path.dirname(head) or "."
    return normalise(directory, subject.cwd, subject.home)


@check("delete-critical", 60, "deletes /, your home, a system directory, the project or its .git",
       programs=("rm", "find"))
def delete_critical(subject: Subject) -> str | None:
    seg = subject.segment
    if seg is None:
        return None
    texts = list(seg.argv[1:])
    flags, _ = _flags_of(subject)
    program = seg.program
    if program == "rm":
        if "--no-preserve-root" in flags:
            return "rm --no-preserve-root"
        if not ({"r", "R", "--recursive"} & flags):
            return None
        paths, patterns, _ = _targets(subject)
    elif program == "find" and "-delete" in texts:
        start = [t for t in texts[: next((i for i, t in enumerate(texts) if t[:1] in "-(!"), len(texts))]]
        if any(t in ("-name", "-iname", "-path", "-regex", "-newer", "-mtime") for t in texts):
            paths = [p for p in subject.reads[: len(start) or 1] if critical_target(p, subject)
                     and not (subject.project and is_within(p, subject.project))]
        else:
            paths = list(subject.reads[: len(start) or 1]) or ([subject.cwd] if subject.cwd else [])
        patterns = []
    else:
        return None
    for path in paths:
        why = critical_target(path, subject)
        if why:
            return f"recursive deletion of {why} ({path})"
    for pattern in patterns:
        directory = _glob_dir(pattern, subject)
        if directory and (why := critical_target(directory, subject)):
            return f"recursive deletion of everything in {why} ({pattern})"
    return None


@check("delete-recursive", 30, "recursive or forced deletion outside disposable build folders, "
       "deletion outside the project, or of a target only known at run time",
       programs=("rm", "unlink", "rmdir", "find", "rsync"))
def delete_recursive(subject: Subject) -> str | None:
    seg = subject.segment
    if seg is None or seg.program not in ("rm", "unlink", "rmdir", "find", "rsync"):
        return None
    texts = list(seg.argv[1:])
    flags, positional = _flags_of(subject)
    if seg.program == "find":
        if "-delete" not in texts:
            return None
        start = subject.reads[:1] or ((subject.cwd,) if subject.cwd else ())
        if not start or not all(subject.within_project(p) or is_disposable(p, subject) for p in start):
            return "find -delete outside the project"
        return None
    if seg.program == "rsync":
        return "rsync --delete removes files at the destination" if any(
            t.startswith("--delete") for t in texts) else None
    strong = bool({"r", "R", "f", "--recursive", "--force"} & flags)
    if any(a.dynamic for a in seg.args[1:]):
        return "deletes a target only known at run time"
    if not subject.reads and positional:
        return "deletes a path that cannot be resolved"
    for path in subject.reads:
        if is_disposable(path, subject):
            continue
        if not subject.within_project(path):
            return f"deletes {path}, outside the project"
        if strong and seg.program == "rm":
            return f"recursive/forced deletion of {path}, not a disposable build folder"
    return None


@check("shred", 50, "shred/wipe: irrecoverable overwrite of files", programs=("shred", "srm", "wipe"))
def shred(subject: Subject) -> str | None:
    seg = subject.segment
    return f"{seg.program} destroys file contents" if seg and seg.program in ("shred", "srm", "wipe") else None


_DEVICE = re.compile(r"^/dev/(sd|hd|vd|xvd|nvme|mmcblk|disk|rdisk|md|dm-|loop|mapper/)")


_DISK_TOOLS = ("wipefs", "fdisk", "sfdisk", "gdisk", "parted", "blkdiscard", "mkswap", "cryptsetup")


@check("disk-destroy", 70, "writes raw disks or creates file systems (dd of=/dev/..., mkfs, wipefs)",
       programs=(*_DISK_TOOLS, "dd"), needs=("mkfs", "redirects"))
def disk_destroy(subject: Subject) -> str | None:
    seg = subject.segment
    if seg is None:
        return None
    program = seg.program
    if program.startswith("mkfs") or program in _DISK_TOOLS:
        return f"{program} rewrites a disk or partition"
    for op, target, _ in seg.redirects:
        if op in (">", ">>", ">|", "&>") and _DEVICE.match(target):
            return f"writes directly to the device {target}"
    if program == "dd":
        for arg in seg.args[1:]:
            if arg.text.startswith("of=/dev/") and arg.text[3:] not in ("/dev/null", "/dev/zero",
                                                                        "/dev/stdout", "/dev/stderr"):
                return f"dd writes to the device {arg.text[3:]}"
    return None


@check("chmod-outside", 30, "chmod/chown/chgrp outside the project",
       programs=("chmod", "chown", "chgrp", "chattr", "setfacl"))
def chmod_outside(subject: Subject) -> str | None:
    seg = subject.segment
    if seg is None or seg.program not in ("chmod", "chown", "chgrp", "chattr", "setfacl"):
        return None
    flags, _ = _flags_of(subject)
    recursive = bool({"R", "--recursive"} & flags)
    for path in subject.reads:
        if critical_target(path, subject) and recursive:
            return f"recursive {seg.program} of {path}"
        if not subject.within_project(path) and not is_disposable(path, subject):
            return f"{seg.program} of {path}, outside the project"
    if any(a.dynamic for a in seg.args[1:]) and recursive:
        return f"recursive {seg.program} of a target only known at run time"
    return None


@check("dotfile-truncate", 40, "empties a dotfile or config outside the project",
       programs=("truncate", "cp"), needs=("redirects",))
def dotfile_truncate(subject: Subject) -> str | None:
    seg = subject.segment
    if seg is None:
        return None
    texts = list(seg.argv[1:])
    candidates = []
    if seg.program == "truncate" or (seg.program == "cp" and "/dev/null" in texts):
        candidates = list(subject.writes)
    from aegis_core.policy.paths import normalise

    for op, target, _ in seg.redirects:
        if op in (">", ">|", "&>") and not seg.args[1:] and seg.program in ("", ":", "true", "echo", "printf"):
            path = normalise(target, subject.cwd, subject.home)
            if path:
                candidates.append(path)
    for path in candidates:
        name = os.path.basename(path)
        if (name.startswith(".") or path.startswith("/etc/")) and not subject.within_project(path):
            return f"empties {path}"
    return None


gitchecks.register(check)
from aegis_core.policy import netchecks  # noqa: E402  (registers its checks)

netchecks.register(check)

# The checks of issue 14's families A: each module is one idea.
from aegis_core.policy import (  # noqa: E402
    containerchecks,
    publishchecks,
    remotecode,
    secretchecks,
    selfchecks,
    urlchecks,
)

secretchecks.register(check)
urlchecks.register(check)
publishchecks.register(check)
remotecode.register(check)
containerchecks.register(check)
selfchecks.register(check)

__all__ = ["CHECKS", "Check", "critical_target", "is_disposable", "url_host"]
