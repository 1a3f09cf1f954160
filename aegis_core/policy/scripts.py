"""Scripts written and run in one command: ``echo 'rm -rf ~' > x.sh && sh x.sh``, a
here-document into a file then ``bash file``, ``printf ... > t.py; python3 t.py``, a
makefile fed on stdin (``make -f - <<EOF``). What the script will run is judged as if
written in the command itself; a script whose content the command does not show
(copied, downloaded) makes the command uncertain, so it needs approval."""

from __future__ import annotations

import os
import re
from dataclasses import replace
from typing import TYPE_CHECKING

from aegis_core.policy.outputs import OUTPUT_PROGRAMS, output_files
from aegis_core.policy.tokens import decode_ansi
from aegis_core.policy.unwrap import INTERPRETERS, SHELLS, STDIN_FILES

if TYPE_CHECKING:
    from aegis_core.policy.shell import Segment, ShellAnalysis

_WRITE_OPS = frozenset({">", ">>", ">|", "&>", "&>>"})
_TEXT_WRITERS = frozenset({"tee", "sed", "gsed", "perl", "npm"})
_FILE_WRITERS = frozenset({"tee", "cp", "mv", "install", "ln", "curl", "wget", "dd", "rsync", "scp", "gunzip",
                           "base64", "openssl", "xxd", "unzip", "tar"})
_SOURCE = frozenset({"source", "."})
_PYTHON = re.compile(r"^(python[0-9.]*|pypy[0-9.]*)$")
# A rule's targets are read on their own line: let run on into the lines after, each
# line start's search read on to the next `:` or `=` in the file (48 KB of lines without
# one after 16 KB of recipes took 0.4 s). A target list continued by a backslash still
# has its `;` recipe found, from the line that holds it.
_RECIPE = re.compile(r"^\t(.+)$|^[^\t#:=\n][^:=\n]*::?\s*;\s*(.+)$", re.M)
MAX_SCRIPT_CHARS = 16_384
_PACKAGE_RUNNERS = frozenset({"npm", "yarn", "pnpm", "bun"})
_MAKEFILES = ("GNUmakefile", "makefile", "Makefile")
# `npm pkg set scripts.NAME=VALUE`, `npm set-script NAME VALUE`: a package script defined.
_PKG_SET_SCRIPT = re.compile(r"^scripts\.([\w:.-]+)=(.*)$", re.S)


def _key(path: str) -> str:
    return os.path.normpath(path[2:] if path.startswith("./") else path)


def _may_write(seg: Segment) -> bool:
    """Whether ``seg`` may write a file, edit one in place or define a package script:
    what ``follow`` reads beyond the scripts a command runs (see ``_written``,
    ``_package_scripts`` and ``written.edited_in_place``)."""
    program = seg.program
    if seg.redirects or program in _FILE_WRITERS or program in OUTPUT_PROGRAMS:
        return True
    if program == "npm":  # `npm pkg set scripts.x=...`, `npm set-script x ...`
        return "pkg" in seg.argv or "set-script" in seg.argv
    return program in _TEXT_WRITERS


def _script_run(seg: Segment) -> tuple[str, str] | None:
    """(how it is run: "shell"/"make"/a language, the script as written) when ``seg``
    runs a script file, or None."""
    args = seg.argv
    if not args or seg.args[0].dynamic:
        return None
    program = seg.program
    python = program.startswith(("python", "pypy")) and _PYTHON.match(program) is not None
    if program in SHELLS or program in _SOURCE or program in INTERPRETERS or python:
        language = "shell" if program in SHELLS or program in _SOURCE else (
            "python" if python else INTERPRETERS[program][0])
        for arg in seg.args[1:]:
            if arg.text.startswith("-"):
                if arg.text in ("-c", "-e", "-m", "-r", "--eval", "-E"):
                    return None  # code or a module on the command line, not a file
                continue
            return None if arg.dynamic else (language, arg.text)
        return None
    if program in ("make", "gmake"):
        for i, text in enumerate(args[1:-1], start=1):
            if text in ("-f", "--file", "--makefile"):
                return "make", args[i + 1]
        for text in args[1:]:
            if text.startswith(("--file=", "--makefile=")):
                return "make", text.split("=", 1)[1]
        return "make", ""  # the working folder's makefile
    if program in _PACKAGE_RUNNERS:
        words = [a for a in args[1:] if not a.startswith("-")]
        if words[:1] in (["run"], ["run-script"]) and len(words) > 1:
            return "npm-script", words[1]
        if words and (program != "npm" or words[0] in ("test", "start", "stop", "restart", "t", "tst")):
            return "npm-script", {"t": "test", "tst": "test"}.get(words[0], words[0])
        return None
    skip = 2 if (program == "deno" and args[1:2] == ("run",)) or (
        program in ("npx", "pnpx", "bunx") and args[1:2] and args[1] in _JS_RUNNERS) else 1
    if program in _JS_RUNNERS or skip == 2:
        for arg in seg.args[skip:]:
            if arg.text.startswith("-"):
                if arg.text in ("-e", "--eval", "-p", "--print"):
                    return None
                continue
            return None if arg.dynamic or "://" in arg.text else ("javascript", arg.text)
        return None
    if "/" in args[0]:
        # ./x.sh: a script with a #! line, most likely the shell; `uv run tools/x.py`: by its suffix
        return _BY_SUFFIX.get(os.path.splitext(args[0])[1].lower(), "shell"), args[0]
    return None


_JS_RUNNERS = frozenset({"tsx", "ts-node", "ts-node-esm", "esno", "esrun", "vite-node", "jiti", "sucrase-node"})
# The programs _script_run may find a script for, besides any named by a path (`./x.sh`)
# and the pythons (python3.12, pypy3): every other program runs no script file.
SCRIPT_PROGRAMS = (SHELLS | _SOURCE | frozenset(INTERPRETERS) | {"make", "gmake", "deno", "npx", "pnpx", "bunx"}
                   | _PACKAGE_RUNNERS | _JS_RUNNERS)


def may_run_script(seg: Segment) -> bool:
    """False when ``_script_run(seg)`` is None by the program alone (most commands)."""
    program = seg.program
    return program in SCRIPT_PROGRAMS or program.startswith(("python", "pypy")) or bool(
        seg.argv and "/" in seg.argv[0])


_BY_SUFFIX = {".py": "python", ".js": "javascript", ".mjs": "javascript", ".cjs": "javascript", ".ts": "javascript",
              ".mts": "javascript", ".rb": "ruby", ".pl": "perl", ".php": "php", ".lua": "lua", ".r": "r"}


def _written(seg: Segment, segments: tuple[Segment, ...]) -> list[tuple[str, str | None, bool]]:
    """(file as written, the text it gets or None when not shown, appended) for each
    file ``seg`` writes."""
    out: list[tuple[str, str | None, bool]] = []
    text = _output_text(seg)
    for op, target, dynamic in seg.redirects:
        if op in _WRITE_OPS and not dynamic and not target.isdigit():
            out.append((target, text, op in (">>", "&>>")))
    if seg.program == "tee":
        files = [a.text for a in seg.args[1:] if not a.text.startswith("-") and not a.dynamic]
        appended = any(a.text in ("-a", "--append") for a in seg.args[1:])
        content = seg.stdin_text or None
        if content is None and len(seg.pipe_from) == 1 and seg.pipe_from[0] < len(segments):
            content = _output_text(segments[seg.pipe_from[0]])
        out.extend((f, content, appended) for f in files)
    elif seg.program in OUTPUT_PROGRAMS:
        texts = [a.text for a in seg.args[1:] if not a.dynamic]
        out.extend((f, None, False) for f in output_files(seg.program, texts))
    elif seg.program in _FILE_WRITERS:
        plain = [a.text for a in seg.args[1:] if not a.text.startswith("-") and not a.dynamic]
        out.extend((f, None, False) for f in plain[-1:])
        out.extend((p[3:], None, False) for p in plain if p.startswith("of="))
    return out


def _output_text(seg: Segment) -> str | None:
    """What ``seg`` prints when that is shown in the command: echo/printf of literal
    words, cat of a here-document; None otherwise."""
    args = seg.args[1:]
    if any(a.dynamic for a in args):
        return None
    words = [a.text for a in args]
    if seg.program == "echo":
        while words and words[0] in ("-n", "-e", "-ne", "-en", "-E"):
            words = words[1:]
        return decode_ansi(" ".join(words)) + "\n"
    if seg.program == "printf":
        return decode_ansi(" ".join(words))
    if seg.program in ("cat", "") and not words and seg.stdin_text:
        return seg.stdin_text
    return None


def _recipes(makefile: str) -> str:
    """The shell lines of a makefile's recipes (tab-indented, or after ``target: ;``)."""
    # findall: each line's groups taken in C, no match object per line (a 64 KB makefile
    # holds ~20,000 of them).
    return "\n".join([line.lstrip("@-+") for a, b in _RECIPE.findall(makefile) if (line := a or b)])


def _package_scripts(segments: tuple[Segment, ...]) -> dict[str, str]:
    """Package scripts the command defines (`npm pkg set scripts.clean='rm -rf ~'`)."""
    defined: dict[str, str] = {}
    for seg in segments:
        if seg.program != "npm" or any(a.dynamic for a in seg.args[1:]):
            continue
        words = [a.text for a in seg.args[1:] if not a.text.startswith("-")]
        if words[:2] == ["pkg", "set"]:
            for word in words[2:]:
                found = _PKG_SET_SCRIPT.match(word)
                if found:
                    defined[found.group(1)] = found.group(2)
        elif words[:1] == ["set-script"] and len(words) >= 3:
            defined[words[1]] = words[2]
    return defined


def follow(analysis: ShellAnalysis) -> ShellAnalysis:
    """``analysis`` with what the scripts it writes and then runs would execute added
    (or a problem when their content is not shown), and the code of scripts it writes
    for later (marked ``written.WRITTEN_VIA``: only what would be blocked counts)."""
    segments = analysis.segments
    # Most commands run no script file and write none: one cheap look per segment settles it.
    runs_any = writes_any = False
    for seg in segments:
        program = seg.program
        if not runs_any:
            runs_any = may_run_script(seg)
        if not writes_any:
            writes_any = bool(seg.redirects) or program in _TEXT_WRITERS
    if not runs_any and not writes_any:
        return analysis
    runs = [(seg, found) for seg in segments if (found := _script_run(seg)) is not None] if runs_any else []
    if not runs and not writes_any:
        return analysis
    if not any(_may_write(seg) for seg in segments) \
            and not any(language == "make" and script in STDIN_FILES for _, (language, script) in runs):
        # `make test`, `npm run build`, `./bin/dev`: a script run, but nothing in the
        # command writes a file or defines a package script, so none of it can be followed.
        return analysis
    from aegis_core.policy.shell import ShellAnalysis as Analysis
    from aegis_core.policy.shell import analyse

    contents: dict[str, list[str | None]] = {}
    for seg in segments:
        for target, text, appended in _written(seg, segments):
            shown = contents.setdefault(_key(target), [])
            if not appended:
                shown.clear()
            shown.append(text)
    if not runs and not contents and not any(seg.program in _TEXT_WRITERS for seg in segments):
        return analysis
    package_scripts = _package_scripts(segments) if any(seg.program == "npm" for seg in segments) else {}
    added: list[Segment] = []
    replaced: dict[int, Segment] = {}
    problems = list(analysis.problems)
    ran: set[str] = set()
    for seg, (language, script) in runs:
        if language == "npm-script":
            code = package_scripts.get(script)
            if code:
                added.extend(_adopt(analyse(code[:MAX_SCRIPT_CHARS]).segments, len(segments) + len(added), seg,
                                    f"package script {script}"))
            continue
        if language == "make" and not script:
            script = next((name for name in _MAKEFILES if name in contents), "")
            if not script:
                continue  # the project's own makefile, as it is
        ran.add(_key(script))
        if script in STDIN_FILES and language == "make":
            if seg.stdin_text:
                code = _recipes(seg.stdin_text)
                added.extend(_adopt(analyse(code[:MAX_SCRIPT_CHARS]).segments, len(segments) + len(added),
                                    seg, "make -f <<stdin"))
            else:
                replaced[seg.index] = replace(seg, reads_code=True, code_from=seg.pipe_from)
            continue
        texts = contents.get(_key(script))
        if texts is None:
            continue  # a file the command does not write: judged as a script run
        if any(text is None for text in texts):
            problem = (f"it runs {script}, which the same command writes with content Aegis cannot see; "
                       "write the script first, then run it in a call of its own")
            if problem not in problems:
                problems.append(problem)
            continue
        code = "".join(t for t in texts if t)[:MAX_SCRIPT_CHARS]
        if language == "make":
            code, language = _recipes(code), "shell"
        if language == "shell":
            inner = analyse(code)
            problems.extend(p for p in inner.problems if p not in problems)
            added.extend(_adopt(inner.segments, len(segments) + len(added), seg, f"script {script}"))
        else:
            replaced[seg.index] = replace(seg, inline_code=(language, code))
    from aegis_core.policy.codecommands import Crowded  # raised by what reads written code
    from aegis_core.policy.written import WRITTEN_VIA, edited_in_place

    for seg in segments:
        # `sed -i 's/pytest/rm -rf ~/' Makefile`, `npm pkg set scripts.test=...`: text put
        # into a file that runs later, judged as written code.
        try:
            edited = edited_in_place(seg)
        except Crowded as crowded:  # not read: the command asks for it
            problems.append(str(crowded))
            continue
        for target, code in edited:
            if code.strip():
                added.extend(_adopt(analyse(code[:MAX_SCRIPT_CHARS]).segments, len(segments) + len(added), seg,
                                    WRITTEN_VIA + target))
    for target, texts in contents.items():
        if target in ran or any(text is None for text in texts):
            continue
        from aegis_core.policy.written import shell_code

        try:
            code = shell_code(target, "".join(t for t in texts if t))
        except Crowded as crowded:  # not read: the command asks for it
            problems.append(str(crowded))
            continue
        if code and code.strip():
            added.extend(_adopt(analyse(code[:MAX_SCRIPT_CHARS]).segments, len(segments) + len(added),
                                segments[0], WRITTEN_VIA + target))
    if not added and not replaced and len(problems) == len(analysis.problems):
        return analysis
    kept = tuple(replaced.get(s.index, s) for s in segments)
    return Analysis(analysis.command, kept + tuple(added), tuple(problems), analysis.functions,
                    (*analysis.notes, "followed a script written and run by the same command"))


def _adopt(inner: tuple[Segment, ...], offset: int, runner: Segment, via: str) -> list[Segment]:
    """The segments of a script, renumbered after the command's own, found through ``via``."""
    return [replace(s, index=s.index + offset, via=s.via or via,
                    wrappers=(*runner.wrappers, via, *s.wrappers),
                    pipe_from=tuple(i + offset for i in s.pipe_from),
                    code_from=tuple(i + offset for i in s.code_from),
                    runs_for=s.runs_for + offset if s.runs_for >= 0 else -1) for s in inner]
