"""Files a command writes that plain option parsing misses: the files ``sed -i`` edits
(not its script), the output file hidden in
a cluster of short flags (``curl -sLo ~/.bashrc``, ``wget -qO ~/.profile``), the
folder a download lands in (``wget -P ~``, ``curl --output-dir``), and the folder an
archive is extracted into (``tar xf x.tgz -C ~``, ``unzip -o x.zip -d ~``)."""

from __future__ import annotations

import os
import re

# program -> (short options taking a value, those of them naming a file written,
#             long options naming a file written, long options naming a folder written)
_DOWNLOADERS: dict[str, tuple[str, str, frozenset[str], frozenset[str]]] = {
    "curl": ("AbcCdDeEFHKmoPQrTuUwxXyYz", "oDc",
             frozenset({"--output", "--dump-header", "--cookie-jar", "--trace", "--trace-ascii", "--libcurl",
                        "--stderr", "--etag-save", "--hsts", "--alt-svc"}),
             frozenset({"--output-dir"})),
    "wget": ("OoaPiebtTwUQBlARDIXe", "Ooa",
             frozenset({"--output-document", "--output-file", "--append-output", "--save-cookies",
                        "--warc-file"}),
             frozenset({"--directory-prefix"})),
    "aria2c": ("doiSx", "o", frozenset({"--out", "--log"}), frozenset({"--dir"})),
    "http": ("oa", "o", frozenset({"--output"}), frozenset()),
    "https": ("oa", "o", frozenset({"--output"}), frozenset()),
    "xh": ("o", "o", frozenset({"--output"}), frozenset()),
}
_DOWNLOAD_DIR_SHORT = {"wget": "P", "aria2c": "d"}
OUTPUT_PROGRAMS = frozenset({*_DOWNLOADERS, "tar", "gtar", "bsdtar", "unzip", "7z", "7za", "7zz", "cpio",
                             "unrar", "gunzip", "bunzip2", "unxz", "uniq", "xxd", "find", "gfind", "sed", "gsed",
                             "yq", "docker", "podman", "nerdctl", "kubectl", "oc", "gh", "python", "python3",
                             "patch", "gpatch", "cargo"})
# patch's options that take a value (the patch file, the output, the folder, the strip...).
_PATCH_VALUES = frozenset({"-i", "--input", "-o", "--output", "-d", "--directory", "-p", "--strip", "-B", "--prefix",
                           "-D", "--ifdef", "-F", "--fuzz", "-r", "--reject-file", "-V", "--version-control",
                           "-Y", "--basename-prefix", "-z", "--suffix", "-g", "--get", "--quoting-style"})


def _build_outputs(texts: list[str]) -> list[str]:
    """`docker buildx build -o DIR`, `--output type=local,dest=DIR` (or tar): the folder
    or file the built filesystem is written to."""
    out = []
    for i, text in enumerate(texts):
        name, eq, value = text.partition("=")
        if name not in ("-o", "--output"):
            continue
        value = value if eq else (texts[i + 1] if i + 1 < len(texts) else "")
        if "=" not in value:
            out.append(value)  # the short form: a local folder
            continue
        fields = dict(field.partition("=")[::2] for field in value.split(","))
        if fields.get("type", "local") in ("local", "tar") and fields.get("dest"):
            out.append(fields["dest"])
    return [o for o in out if o and o != "-"]


def output_files(program: str, texts: list[str]) -> list[str]:
    """The files and folders ``program`` with arguments ``texts`` writes (as written,
    not normalised); ``-`` (stdout) is left out."""
    if program in _DOWNLOADERS:
        return _download_outputs(program, texts)
    if program in ("tar", "gtar", "bsdtar"):
        return _tar_outputs(texts)
    if program == "unzip":
        if any(t in ("-l", "-t", "-v", "-Z", "-p", "-c", "-z") for t in texts):
            return []  # lists, tests or prints the archive
        return _value_after(texts, ("-d",)) or ["."]
    if program == "cpio":
        extracting = any(t in ("-i", "--extract") or (t[:1] == "-" and t[1:2] != "-" and "i" in t) for t in texts)
        return (_value_after(texts, ("-D", "--directory")) or ["."]) if extracting else []
    if program in ("7z", "7za", "7zz", "unrar"):
        if not texts or texts[0] not in ("x", "e"):
            return []
        return [t[2:] for t in texts if t.startswith("-o") and len(t) > 2] or ["."]
    if program in ("uniq", "xxd"):
        # `uniq IN OUT`, `xxd [-r] IN OUT`: the second operand is written.
        operands = [t for t in texts if not t.startswith("-") or t == "-"]
        return operands[1:2] if len(operands) >= 2 and operands[1] != "-" else []
    if program in ("find", "gfind"):
        return _value_after(texts, ("-fprint", "-fprint0", "-fprintf", "-fls"))
    if program in ("patch", "gpatch"):
        return _patch_outputs(texts)
    if program == "cargo":
        # the build folder (`cargo clean --target-dir DIR` deletes it), an install root
        return _value_after(texts, ("--target-dir", "--root")) + [
            t.split("=", 1)[1] for t in texts if t.startswith(("--target-dir=", "--root="))]
    if program in ("sed", "gsed"):
        return _sed_writes(texts)
    if program == "yq":
        return edited_files(texts) if any(t in ("-i", "--inplace") for t in texts) else []
    if program in ("docker", "podman", "nerdctl", "kubectl", "oc"):
        # `docker cp CONTAINER:SRC DEST`: DEST, a path here, is written.
        words = [t for t in texts if not t.startswith("-")]
        if "cp" in words[:2]:
            rest = words[words.index("cp") + 1:]
            if len(rest) == 2 and ":" in rest[0] and ":" not in rest[1]:
                return [rest[1]]
        if {"build", "bake"} & set(words[:3]):
            return _build_outputs(texts)
        if {"save", "export"} & set(words[:2]):
            # `docker save -o FILE`, `docker export --output=FILE`
            return _value_after(texts, ("-o", "--output")) + [
                t.split("=", 1)[1] for t in texts if t.startswith("--output=")]
        return []
    if program in ("python", "python3"):
        # `python -m zipfile -e x.zip DIR`, `python -m tarfile -e x.tar DIR`
        if texts[:2] in (["-m", "zipfile"], ["-m", "tarfile"]) and ("-e" in texts or "--extract" in texts):
            operands = [t for t in texts[2:] if not t.startswith("-")]
            return operands[1:2] if len(operands) >= 2 else ["."]
        return []
    if program == "gh":
        # `gh release download -D DIR`, `gh run download -D DIR`: the folder is written.
        if "download" not in texts:
            return []
        return _value_after(texts, ("-D", "--dir")) + [t.split("=", 1)[1] for t in texts if t.startswith("--dir=")]
    return []


# sed's `w FILE` and `W FILE` commands and the `w FILE` flag of `s///` write FILE.
_SED_WRITE = re.compile(r"(?:^|[;{}\n0-9$/]\s*|\s)[wW]\s+([^;}\n]+)")


def _sed_writes(texts: list[str]) -> list[str]:
    scripts: list[str] = []
    skip = False
    for i, text in enumerate(texts):
        if skip:
            skip = False
            continue
        if text in ("-e", "--expression") and i + 1 < len(texts):
            scripts.append(texts[i + 1])
            skip = True
        elif text.startswith("--expression="):
            scripts.append(text.split("=", 1)[1])
        elif text in ("-f", "--file", "-l", "--line-length"):
            skip = True
        elif not text.startswith("-") and not scripts:
            scripts.append(text)
            break
    found: list[str] = []
    for script in scripts:
        found.extend(m.group(1).strip() for m in _SED_WRITE.finditer(script[:4096]))
    return [f for f in found if f and f not in ("/dev/stdout", "/dev/stderr")]


def clone_target(texts: list[str]) -> list[str]:
    """The folder ``git clone URL DIR`` (or ``git submodule add URL DIR``) writes."""
    if "clone" not in texts and "add" not in texts:
        return []  # nearly every git command: nothing more to look at
    words = [t for t in texts if not t.startswith("-")]
    if words[:1] == ["clone"] and len(words) == 3:
        return [words[2]]
    if words[:2] == ["submodule", "add"] and len(words) == 4:
        return [words[3]]
    return []


def _patch_outputs(texts: list[str]) -> list[str]:
    """`patch FILE [PATCHFILE]` changes FILE, `-o OUT` writes OUT, `-d DIR` patches the
    files the patch names inside DIR (the folder stands for them)."""
    if any(t in ("--dry-run", "-C", "--check") for t in texts):
        return []
    out = _value_after(texts, ("-o", "--output", "-d", "--directory"))
    out.extend(t.split("=", 1)[1] for t in texts if t.startswith(("--output=", "--directory=")))
    out.extend(t[2:] for t in texts if t[:2] in ("-o", "-d") and len(t) > 2 and not t.startswith("--"))
    operands: list[str] = []
    skip = False
    for text in texts:
        if skip:
            skip = False
        elif text in _PATCH_VALUES:
            skip = True
        elif not text.startswith("-") or text == "-":
            operands.append(text)
    if operands and operands[0] != "-":
        out.append(operands[0])
    return out


def target_directory(texts: list[str]) -> str | None:
    """The folder of ``cp``/``mv``/``install``/``ln -t DIR`` (``--target-directory``),
    which takes the place of the last argument."""
    for i, text in enumerate(texts):
        if text in ("-t", "--target-directory") and i + 1 < len(texts):
            return texts[i + 1]
        if text.startswith("--target-directory="):
            return text.split("=", 1)[1]
        if text.startswith("-t") and len(text) > 2 and not text.startswith("--"):
            return text[2:]
        if text[:1] == "-" and text[1:2] != "-" and "t" in text and text[1:].isalpha():
            # `ln -sft DIR`, `cp -at DIR`: -t among other flags, its value attached or next
            attached = text[text.index("t") + 1:]
            return attached or (texts[i + 1] if i + 1 < len(texts) else None)
    return None


def edited_files(texts: list[str]) -> list[str]:
    """The files ``sed -i``/``perl -pi`` edit in place: their arguments without the
    options, the script (``-e``/``-f`` values, or sed's first argument without them)."""
    files: list[str] = []
    scripted = False
    skip = False
    for text in texts:
        if skip:
            skip = False
        elif text in ("-e", "-f", "--expression", "--file", "-E", "-M", "-I", "-l"):
            scripted = scripted or text not in ("-M", "-I", "-l")
            skip = True
        elif text.startswith("-") and text != "-":
            scripted = scripted or text.startswith(("--expression=", "--file="))
            if not text.startswith("--") and text[-1:] in "ef" and len(text) > 2:
                scripted, skip = True, True  # -ie 'script', -pie 'code', -ne 'code'
        elif text:
            files.append(text)
    return files if scripted else files[1:]


def _value_after(texts: list[str], options: tuple[str, ...]) -> list[str]:
    found = []
    for i, text in enumerate(texts[:-1]):
        if text in options:
            found.append(texts[i + 1])
    return found


def _url_name(url: str) -> str:
    """The file name a download of ``url`` gets (its last path part)."""
    path = url.split("://", 1)[-1].split("?", 1)[0].split("#", 1)[0]
    name = path.rsplit("/", 1)[-1] if "/" in path else ""
    return name or "index.html"


def _download_outputs(program: str, texts: list[str]) -> list[str]:
    found = _named_outputs(program, texts)
    # Saved under the URL's own name (curl -O, wget without -O): in the folder given
    # with --output-dir/-P, or the working directory.
    letters = _flag_letters(program, texts)
    if program == "curl":
        by_name = "O" in letters or any(t.startswith("--remote-name") for t in texts)
    else:
        by_name = program == "wget" and "O" not in letters and not any(
            t.startswith("--output-document") for t in texts)
    if by_name:
        folders = [f for f in found if f in _dirs_given(program, texts)] or [""]
        for text in texts:
            if "://" in text and not text.startswith("-"):
                found.append(os.path.join(folders[0], _url_name(text)) if folders[0] else _url_name(text))
    return found


def _flag_letters(program: str, texts: list[str]) -> str:
    """The short flags of a download command, without the values attached to them."""
    takes_value = _DOWNLOADERS[program][0]
    letters = []
    for text in texts:
        if text.startswith("-") and not text.startswith("--"):
            for letter in text[1:]:
                letters.append(letter)
                if letter in takes_value:
                    break
    return "".join(letters)


def _dirs_given(program: str, texts: list[str]) -> list[str]:
    _, _, _, long_dirs = _DOWNLOADERS[program]
    short = _DOWNLOAD_DIR_SHORT.get(program)
    out = []
    for i, text in enumerate(texts):
        value = texts[i + 1] if i + 1 < len(texts) else None
        name, has_value, attached = text.partition("=")
        if name in long_dirs:
            out.append(attached if has_value else value or "")
        elif short and text.startswith("-") and not text.startswith("--") and short in text[1:]:
            rest = text[text.index(short) + 1:]
            out.append(rest or value or "")
    return out


def _named_outputs(program: str, texts: list[str]) -> list[str]:
    takes_value, writes, long_files, long_dirs = _DOWNLOADERS[program]
    found: list[str] = []
    i = 0
    while i < len(texts):
        text = texts[i]
        following = texts[i + 1] if i + 1 < len(texts) else None
        if text.startswith("--"):
            name, has_value, value = text.partition("=")
            if name in long_files or name in long_dirs:
                target = value if has_value else following
                if target is not None:
                    found.append(target)
                i += 1 if has_value else 2
                continue
            i += 1
            continue
        if text.startswith("-") and len(text) > 1:
            letters = text[1:]
            for position, letter in enumerate(letters):
                if letter in takes_value:
                    attached = letters[position + 1:]
                    target = attached or following
                    if target is not None and (letter in writes or letter == _DOWNLOAD_DIR_SHORT.get(program)):
                        found.append(target)
                    if not attached:
                        i += 1  # the value was the next argument
                    break
        i += 1
    return [f for f in found if f and f != "-"]


def _tar_archive(texts: list[str]) -> list[str]:
    """The archive tar writes when it creates or appends: ``-f FILE``, ``--file=FILE``,
    ``czf FILE``."""
    for i, text in enumerate(texts):
        following = texts[i + 1] if i + 1 < len(texts) else None
        if text.startswith("--file="):
            return [text.split("=", 1)[1]]
        if text == "--file" and following:
            return [following]
        cluster = text[1:] if text.startswith("-") and not text.startswith("--") else text if i == 0 and \
            text.isalpha() else ""
        if "f" in cluster:
            attached = cluster[cluster.index("f") + 1:]
            if text.startswith("-") and attached:
                return [attached] if attached != "-" else []
            if i == 0 and not text.startswith("-"):
                # old style `tar cf FILE dir`: the values follow in the order of the letters
                takes = [c for c in cluster if c in "fbCT"]
                position = 1 + takes.index("f")
                return [texts[position]] if position < len(texts) and texts[position] != "-" else []
            return [following] if following and following != "-" else []
    return []


def _tar_outputs(texts: list[str]) -> list[str]:
    """Where tar extracts to: its -C/--directory folder (the working directory
    otherwise, which the caller already judges), only when extracting; ``-P``/
    ``--absolute-names`` writes wherever the archive says, so it counts as ``/``."""
    first = texts[0] if texts else ""
    letters = first if first.isalpha() else ""
    letters += "".join(t[1:] for t in texts if t.startswith("-") and not t.startswith("--"))
    extracting = "x" in letters or any(t in ("--extract", "--get") for t in texts)
    if not extracting:
        creating = "c" in letters or "r" in letters or "u" in letters or any(
            t in ("--create", "--append", "--update") for t in texts)
        return _tar_archive(texts) if creating else []
    found = _value_after(texts, ("-C", "--directory"))
    found += [t.split("=", 1)[1] for t in texts if t.startswith("--directory=")]
    if "O" in letters or "--to-stdout" in texts:
        return []
    if "P" in letters or "--absolute-names" in texts:
        found.append("/")
    return found or ["."]
