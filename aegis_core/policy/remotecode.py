"""Code from the network run without anyone reading it first, beyond `curl | sh`:
a download saved and run in the same command line (`curl -o x.sh URL && sh x.sh`,
`wget URL; chmod +x f; ./f`), a repository cloned and built at once, code run straight
from a URL (`deno run https://...`, `uv run https://.../x.py`) or a repository
(`go run mod@latest`, `npx github:user/repo`, `nix run github:...`), and one-liners
that fetch and evaluate (`exec(urlopen(u).read())`, PowerShell `iex (irm u)`)."""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from aegis_core.policy.argpaths import CURL_SHORT_VALUES
from aegis_core.policy.cloudchecks import bucket_download
from aegis_core.policy.embedded import option_values
from aegis_core.policy.paths import is_within, normalise
from aegis_core.policy.registries import without_public_indexes
from aegis_core.policy.subcommands import positionals
from aegis_core.policy.unwrap import INTERPRETERS, SHELLS

if TYPE_CHECKING:
    from aegis_core.policy.facts import Subject
    from aegis_core.policy.shell import Segment

_INTERPRETER_NAMES = frozenset(INTERPRETERS) | SHELLS | {"source", ".", "deno", "bun", "tsx", "ts-node", "php",
                                                          "Rscript", "julia", "pwsh", "powershell", "java", "javaw",
                                                          "wine"}
_PYTHON = re.compile(r"^(python[0-9.]*|pypy[0-9.]*)$")
# Programs that build or run what is in their working directory.
_BUILDERS = frozenset({"make", "gmake", "cmake", "ninja", "meson", "bazel", "bazelisk", "scons", "cargo", "go",
                       "npm", "yarn", "pnpm", "bun", "pip", "pip3", "uv", "poetry", "pytest", "tox", "nox",
                       "bundle", "rake", "mvn", "mvnw", "mvnd", "gradle", "gradlew", "ant", "sbt", "mix", "stack",
                       "cabal", "dotnet", "swift", "composer", "just", "task", "docker", "podman", "configure",
                       "autogen.sh", "bootstrap", "install", "setup", "deno", "node", "php", "perl", "ruby",
                       "sh", "bash", "zsh"})
_FETCHING = frozenset({"curl", "curlie", "aria2c", "fetch", "http", "https", "xh", "wget", "wget2", "lwp-request",
                       "GET", "lynx", "axel"})
_EXTRACTORS = frozenset({"tar", "unzip", "7z", "bsdtar", "gunzip", "unxz", "ar", "cpio"})
# Forge CLIs downloading release assets and CI artifacts (`gh release download`,
# `gh run download`, `glab release download`, `tea releases download`).
_FORGE_DOWNLOADS = (["release", "download"], ["run", "download"], ["releases", "download"],
                    ["job", "artifact"], ["attestation", "download"])


def _url_name(url: str) -> str:
    """The file name a download of ``url`` gets by default (curl -O, wget)."""
    try:
        path = urlsplit(url if "://" in url else "http://" + url).path
    except ValueError:
        return ""
    return os.path.basename(path.rstrip("/")) or "index.html"


def _fetches(seg: Segment) -> bool:
    if seg.program in ("gh", "glab"):
        return "api" in seg.argv[1:3]  # `gh api repos/o/r/tarball > t.tgz`
    return seg.program in _FETCHING or (seg.inline_code is not None and bool(_NETWORK_READ.search(seg.inline_code[1])))


def _downloaded(seg: Segment, segments: tuple[Segment, ...] = ()) -> tuple[list[str], list[str]]:
    """(files, folders) a fetcher or cloner segment writes: `curl -o f`, `curl -O URL`,
    `wget URL`, `wget -P dir`, `git clone URL [dir]`, a fetcher's `>` redirect targets,
    and what `tee` writes of a fetcher's output (``segments``: the whole command's)."""
    program = seg.program
    texts = list(seg.argv[1:])
    urls = [t for t in texts if "://" in t]
    fed = _fetches(seg) or (program == "tee" and any(i < len(segments) and _fetches(segments[i])
                                                     for i in seg.pipe_from))
    files: list[str] = [target for op, target, _ in seg.redirects if op in (">", ">>", ">|", "&>")] if fed else []
    if program == "tee" and fed:
        files.extend(t for t in texts if not t.startswith("-"))
    folders: list[str] = []
    if program in ("curl", "curlie", "aria2c", "fetch", "http", "xh", "https"):
        remote_name = False
        i = 0
        while i < len(texts):
            text = texts[i]
            if text in ("-o", "--output", "--out") and i + 1 < len(texts):
                files.append(texts[i + 1])
                i += 2
                continue
            if text.startswith("--output="):
                files.append(text.split("=", 1)[1])
            elif text in ("-O", "--remote-name", "--remote-name-all", "--download", "-d"):
                remote_name = True
            elif text.startswith("-") and not text.startswith("--") and len(text) > 1:
                letters = text[1:]
                for position, letter in enumerate(letters):
                    if letter == "O":
                        remote_name = True
                    if letter in CURL_SHORT_VALUES:
                        if letter == "o":
                            value = letters[position + 1:] or (texts[i + 1] if i + 1 < len(texts) else "")
                            files.append(value)
                        if not letters[position + 1:]:
                            i += 1
                        break
            i += 1
        if remote_name:
            files.extend(_url_name(u) for u in urls)
    elif (copy := bucket_download(program, texts)) is not None:
        sources, target = copy
        if target in (".", "..") or target.endswith("/"):
            files.extend(os.path.join(target, os.path.basename(s.rstrip("/"))) for s in sources)
        else:
            files.append(target)
    elif program in ("wget", "wget2"):
        named = False
        prefix = ""
        for i, text in enumerate(texts):
            value = texts[i + 1] if i + 1 < len(texts) else ""
            if text == "--output-document" or (text.startswith("-") and not text.startswith("--")
                                                and text.endswith("O")):
                named = True
                files.append("" if value == "-" else value)
            elif text.startswith("--output-document="):
                named = True
                files.append(text.split("=", 1)[1])
            elif text.startswith("-O") and len(text) > 2:
                named = True
                files.append("" if text == "-O-" else text[2:])
            elif text in ("-P", "--directory-prefix"):
                prefix = value
            elif text.startswith("--directory-prefix="):
                prefix = text.split("=", 1)[1]
        if not named:
            files.extend(os.path.join(prefix, _url_name(u)) if prefix else _url_name(u) for u in urls)
    elif program in ("scp", "rsync", "sftp"):
        # `scp host:x.sh .`, `rsync user@host:tools/ ./tools/`: copied from another machine
        places = [t for t in texts if not t.startswith("-")]
        if len(places) >= 2 and not _REMOTE_PLACE.match(places[-1]) \
                and any(_REMOTE_PLACE.match(p) for p in places[:-1]):
            target = places[-1]
            for source in places[:-1]:
                name = source.rsplit(":", 1)[-1].rstrip("/").rsplit("/", 1)[-1]
                if source.endswith("/"):  # rsync's `src/`: what the folder holds, into the target
                    folders.append(target)
                elif target in (".", "..") or target.endswith("/"):
                    files.append(os.path.join(target, name))
                    folders.append(os.path.join(target, name))
                else:
                    files.append(target)
                    folders.append(target)
    else:
        words = _clone_words(texts)
        if (program == "git" and words[:1] == ["clone"]) or (program in ("hg",) and words[:1] == ["clone"]) \
                or (program == "svn" and words[:1] in (["checkout"], ["co"])):
            rest = words[1:]
            if len(rest) >= 2:
                folders.append(rest[1])
            elif rest:
                folders.append(_url_name(rest[0]).removesuffix(".git"))
        elif program in ("gh", "glab", "tea") and (words[:2] in _FORGE_DOWNLOADS or words[:1] == ["download"]):
            # Release assets, CI artifacts: their names are known only at run time, so
            # whatever runs from the folder they land in runs them.
            files.extend(option_values(texts, ("-O", "--output")))
            folders.extend(option_values(texts, ("-D", "--dir")) or ["."])
        elif program == "gh" and words[:2] == ["gist", "clone"] and len(words) > 2:
            folders.append(words[3] if len(words) > 3 else words[2].rstrip("/").rsplit("/", 1)[-1])
        elif program in ("gh", "glab") and words[:2] == ["repo", "clone"]:
            rest = words[2:]
            if len(rest) >= 2:
                folders.append(rest[1])
            elif rest:
                folders.append(rest[0].rstrip("/").rsplit("/", 1)[-1].removesuffix(".git"))
    if seg.inline_code is not None and "://" in seg.inline_code[1]:
        files.extend(_saved_by_code(seg.inline_code[1]))
    return [f for f in files if f], [f for f in folders if f]


# Another machine's file, as scp and rsync name it (`host:x.sh`, `me@host:tools/`).
_REMOTE_PLACE = re.compile(r"^(?:[\w.-]+@)?[\w.-]+:(?!//)")
# A one-liner that saves what it downloads: PHP's copy(URL, FILE), urlretrieve(URL,
# FILE), a fetch written out with writeFileSync / file_put_contents / open(FILE, 'w').
_CODE_SAVES = re.compile(r"\bcopy\s*\(|urlretrieve|file_put_contents|writeFile(?:Sync)?|write_bytes|write_text"
                         r"|open\([^)]*['\"]w|File\.write|IO\.copy_stream|getstore|mirror\(")
_CODE_LITERAL = re.compile(r"['\"]([^'\"\s]{1,200})['\"]")


def _saved_by_code(code: str) -> list[str]:
    """The file names a downloading one-liner writes (its literals that are not URLs)."""
    if not _CODE_SAVES.search(code):
        return []
    return [name for name in _CODE_LITERAL.findall(code[:4096])
            if "://" not in name and "." in name.lstrip("./") and not name.startswith("-")]


# Options of git clone, hg clone, svn checkout and gh repo clone that take a value.
_CLONE_VALUES = frozenset({"--depth", "-b", "--branch", "-o", "--origin", "--reference", "-c", "--config", "--filter",
                           "-j", "--jobs", "--separate-git-dir", "--template", "-u", "--upload-pack",
                           "--shallow-since", "--shallow-exclude", "--reference-if-able", "--server-option",
                           "-r", "--rev", "--revision", "--username", "--password", "-C"})


def _clone_words(texts: list[str]) -> list[str]:
    """The positional words of a clone command line, option values left out."""
    words: list[str] = []
    skip = False
    for text in texts:
        if skip:
            skip = False
        elif text in _CLONE_VALUES:
            skip = True
        elif not text.startswith("-"):
            words.append(text)
    return words


def _script(seg: Segment) -> str | None:
    """What a segment runs as a program or script: its program path, or the script
    given to a shell or interpreter."""
    first = seg.argv[0] if seg.argv else ""
    if "/" in first:
        return first
    if seg.program in _INTERPRETER_NAMES or _PYTHON.match(seg.program):
        for text in seg.argv[1:]:
            if text.startswith("-") or text in ("run",):
                continue
            return text
    return None


def _same(a: str, b: str, subject: Subject) -> bool:
    if os.path.basename(a.rstrip("/")) == os.path.basename(b.rstrip("/")) and os.path.basename(a):
        return True
    first = normalise(a, subject.project, subject.home)
    return first is not None and first == normalise(b, subject.cwd, subject.home)


def download_then_run(subject: Subject) -> str | None:
    """A file downloaded earlier in the same command line, run now."""
    seg = subject.segment
    if seg is None or subject.analysis is None:
        return None
    script = _script(seg)
    if script is None:
        return None
    segments = subject.analysis.segments
    for earlier in segments[:seg.index]:
        files, folders = _downloaded(earlier, segments)
        for name in files:
            if _same(name, script, subject):
                return f"runs {script}, downloaded by {earlier.program} in the same command"
        for folder in folders:
            base = normalise(folder, subject.project, subject.home)
            path = normalise(script, subject.cwd, subject.home)
            if base and path and is_within(path, base) and path != base:
                return f"runs {script} from {folder}, cloned by {earlier.program} in the same command"
        if earlier.program in _EXTRACTORS and any(i < len(segments) and _fetches(segments[i])
                                                  for i in earlier.pipe_from):
            return f"runs {script} after unpacking a download in the same command (curl URL | tar x)"
        if earlier.program in _EXTRACTORS and any(
                _same(name, t, subject) for t in earlier.argv[1:] for prev in subject.analysis.segments[:earlier.index]
                for name in _downloaded(prev)[0]):
            return f"runs {script} from an archive downloaded and unpacked in the same command"
    return None


def clone_then_build(subject: Subject) -> str | None:
    """A repository cloned, or an archive downloaded and unpacked, earlier in the same
    command line, built or run now."""
    seg = subject.segment
    if seg is None or subject.analysis is None or (seg.program not in _BUILDERS
                                                   and "/" not in (seg.argv[0] if seg.argv else "")):
        return None
    segments = subject.analysis.segments
    for earlier in segments[:seg.index]:
        places = [(folder, "cloned") for folder in _downloaded(earlier)[1]]
        unpacked = _unpacked_into(earlier, segments)
        if unpacked is not None:
            places.append((unpacked, f"downloaded and unpacked by {earlier.program}"))
        for folder, how in places:
            base = normalise(folder, subject.project, subject.home)
            # A clone into the project itself is the project; an archive unpacked there
            # can replace its Makefile, setup.py or package.json.
            if base is None or (base == subject.project and how == "cloned"):
                continue
            shown = "the working folder" if folder in (".", "./") else folder
            if subject.cwd and is_within(subject.cwd, base):
                return f"{seg.program} builds or runs {shown}, {how} in the same command"
            for text in seg.argv[1:]:
                target = normalise(text.split("=", 1)[-1], subject.cwd, subject.home) if not text.startswith(
                    "-") or "=" in text else None
                if target and is_within(target, base):
                    return f"{seg.program} builds or installs {shown}, {how} in the same command"
    return None


# Where an extractor's option puts what it unpacks (tar's -d is --diff).
_UNPACK_INTO = {"tar": ("-C", "--directory"), "bsdtar": ("-C", "--directory"), "unzip": ("-d",),
                "cpio": ("-D", "--directory")}


def _unpacked_into(seg: Segment, segments: tuple[Segment, ...]) -> str | None:
    """The folder an extractor unpacks a download into (`curl URL | tar xz -C dir`,
    `wget URL && unzip f.zip -d dir`, `gh api .../tarball | tar x`), else None: what
    it holds comes from the network, whatever names the archive gives it."""
    if seg.program not in _EXTRACTORS:
        return None
    fed = any(i < len(segments) and _fetches(segments[i]) for i in seg.pipe_from)
    if not fed:
        names = [t for t in seg.argv[1:] if not t.startswith("-")]
        fed = any(_same_name(name, text) for prev in segments[:seg.index] for name in _downloaded(prev, segments)[0]
                  for text in names)
    if not fed:
        return None
    texts = list(seg.argv[1:])
    if seg.program == "7z":
        into = [t[2:] for t in texts if t.startswith("-o") and len(t) > 2]
    else:
        into = option_values(texts, _UNPACK_INTO.get(seg.program, ()))
    return into[-1] if into else "."


def _same_name(a: str, b: str) -> bool:
    name = os.path.basename(a.rstrip("/"))
    return bool(name) and name == os.path.basename(b.rstrip("/"))


# ---------------------------------------------------------------- code named by a URL

_URL_ARGUMENT = re.compile(r"^(https?|ftp)://", re.I)
_REMOTE_PACKAGE = re.compile(r"^(github:|gitlab:|bitbucket:|git\+|git://|https?://|gist:|npm:|jsr:|[\w.-]+/[\w.-]+#)")


def code_from_url(seg: Segment) -> str | None:
    """A program run straight from a URL: `deno run https://...`, `uv run https://...`,
    `bash https://...` does not work but `python3 <url>` through a runner does."""
    first = seg.argv[0] if seg.argv else ""
    if _URL_ARGUMENT.match(first):
        return f"runs code straight from {first}"
    program = seg.program
    texts = list(seg.argv[1:])
    words = [t for t in texts if not t.startswith("-")]
    if program == "deno" and words[:1] and words[0] in ("run", "install", "compile", "serve", "test", "bench", "x"):
        target = next((w for w in words[1:]), "")
        if _URL_ARGUMENT.match(target) or target.startswith(("npm:", "jsr:")):
            return f"deno {words[0]} runs code from {target}"
    if program in ("bun",) and words[:1] and words[0] in ("run", "x") and len(words) > 1 and \
            _URL_ARGUMENT.match(words[1]):
        return f"bun runs code from {words[1]}"
    if program == "uv":
        words = positionals("uv", texts)  # `uv sync --index-url URL`: an index, judged as one
    if program in ("uv", "pipx", "uvx") and any(_URL_ARGUMENT.match(w) for w in words):
        return f"{program} runs code from a URL"
    return None


def package_from_remote(seg: Segment) -> str | None:
    """A tool run straight from a repository or registry: `go run mod@latest`,
    `npx github:user/repo`, `npm create x`, `nix run github:...`, `uv run --with git+...`."""
    program = seg.program
    texts = list(seg.argv[1:])
    words = positionals(program, texts)
    if program == "go" and words[:1] == ["run"]:
        for word in words[1:]:
            if "@" in word or (not word.startswith((".", "/")) and "." in word.split("/", 1)[0] and "/" in word):
                return f"go run {word} builds and runs a module from the network"
    if program in ("npm", "pnpm", "yarn", "bun") and words[:1] and words[0] in ("create", "init", "x", "dlx") \
            and len(words) > 1:
        return f"{program} {words[0]} {words[1]} runs a package from the registry"
    if program in ("nix", "nix-shell", "nix-build", "nix-env"):
        if program == "nix" and words[:1] and words[0] in ("run", "shell", "develop", "build", "profile"):
            return f"nix {words[0]} fetches and runs code"
        if program == "nix-shell" and ("-p" in texts or "--packages" in texts or any("://" in t for t in texts)):
            return "nix-shell fetches packages"
    if program in ("uv", "uvx", "pipx", "pip", "pip3") and any(
            _REMOTE_PACKAGE.match(t.split("=", 1)[-1]) for t in without_public_indexes(texts)):
        return f"{program} runs or installs code from a repository or URL"
    if program == "gh" and words[:2] in (["extension", "exec"], ["extension", "install"]):
        return "gh extension runs code from a repository"
    return None


# ---------------------------------------------------------------- one-liners

_NETWORK_READ = re.compile(r"urlopen|urlretrieve|requests\.get|httpx\.get|urllib|http\.client|fetch\(|https?\.get"
                           r"|axios|Net::HTTP|open-uri|URI\.open|URI\(|LWP|HTTP::Tiny|get\(\s*['\"]https?:"
                           r"|file_get_contents\(\s*['\"]https?|curl_exec|download\(|Invoke-WebRequest"
                           r"|Invoke-RestMethod|\biwr\b|\birm\b|DownloadString|DownloadFile|WebClient"
                           r"|source\(\s*['\"]https?:|source_url|include\(\s*['\"]https?:|require\(\s*['\"]https?:"
                           r"|import\(\s*['\"]https?:")
_EVALUATES = re.compile(r"\bexec\s*\(|\beval\b|\bcompile\s*\(|new\s+Function|\bFunction\s*\(|vm\.run"
                        r"|instance_eval|\bsource\s*\(|source_url|\binclude\s*\(|\brequire\s*\(\s*['\"]https?:"
                        r"|\bimport\s*\(\s*['\"]https?:|\|\s*sh\b|\bsystem\s*\("
                        r"|\bload\s*\(|Kernel\.eval|\bexecfile|runpy|\bdo\s+['\"]https?:")
_BACKTICKS = re.compile(r"`[^`]*`|%x\{|qx[{(/]")
_PWSH_FETCH = re.compile(r"(?i)\biwr\b|\birm\b|invoke-webrequest|invoke-restmethod|downloadstring|downloaddata"
                         r"|downloadfile|webclient|net\.http|start-bitstransfer")
_PWSH_RUNS = re.compile(r"(?i)\biex\b|invoke-expression|\.invoke\(|\[scriptblock\]|invoke-command|&\s*\(")
_PWSH = frozenset({"pwsh", "powershell", "powershell.exe", "pwsh.exe"})


def _powershell_code(texts: list[str]) -> tuple[str, bool] | None:
    """(code, was encoded) of a PowerShell command line, or None."""
    for i, text in enumerate(texts):
        lower = text.lower()
        if lower in ("-c", "-command", "-com", "-comm", "-co", "/c", "/command"):
            return " ".join(texts[i + 1:]), False
        if lower in ("-e", "-ec", "-enc", "-encodedcommand", "-en", "-encoded", "/e", "/enc") and i + 1 < len(texts):
            try:
                return base64.b64decode(texts[i + 1], validate=True).decode("utf-16-le"), True
            except (binascii.Error, UnicodeDecodeError, ValueError):
                return "", True
        if not text.startswith(("-", "/")):
            return " ".join(texts[i:]), False
    return None


def inline_remote_code(seg: Segment) -> str | None:
    """A one-liner that fetches code and evaluates it."""
    if seg.program in _PWSH:
        found = _powershell_code(list(seg.argv[1:]))
        if found is None:
            return None
        code, encoded = found
        if encoded and not code:
            return "PowerShell runs an encoded command that cannot be read"
        if _PWSH_FETCH.search(code) and _PWSH_RUNS.search(code):
            return "PowerShell downloads code and runs it (iex)"
        return "PowerShell runs an encoded command" if encoded else None
    if seg.inline_code is None:
        return None
    language, code = seg.inline_code
    if language == "perl":
        # `perl -MLWP::Simple -e 'eval get ...'`: the modules loaded belong to the program
        code = " ".join(t for t in seg.argv[1:] if t.startswith("-M")) + " " + code
    if _NETWORK_READ.search(code) and (_EVALUATES.search(code) or (
            language in ("ruby", "perl") and _BACKTICKS.search(code))):
        return f"{language} one-liner downloads code and evaluates it"
    return None


def module_from_remote(texts: list[str]) -> str | None:
    """`terraform init -from-module=SOURCE` with a SOURCE that is not a local folder:
    the module's code (and the providers it asks for) lands in the project and runs
    at the next plan or apply."""
    for i, text in enumerate(texts):
        name, eq, value = text.partition("=")
        if name.lstrip("-") != "from-module":
            continue
        source = value if eq else (texts[i + 1] if i + 1 < len(texts) else "")
        if source and not source.startswith(("./", "../", "/", "~", ".\\", "..\\")) and source not in (".", ".."):
            return f"init -from-module copies a module from {source} into the project (its code runs at plan/apply)"
    return None


def register(check: Callable) -> None:
    @check("download-then-run", 70, "a file downloaded (curl -o, wget, git clone) and run in the same command",
           needs=("slash",), programs=_INTERPRETER_NAMES | {"python", "python3"}, requires=("several",))
    def _download(subject: Subject) -> str | None:
        seg = subject.segment
        if seg is None or subject.analysis is None or len(subject.analysis.segments) < 2:
            return None
        return download_then_run(subject)

    @check("clone-then-build", 40, "a repository cloned and built or installed in the same command",
           programs=_BUILDERS, needs=("slash",), requires=("several",))
    def _clone(subject: Subject) -> str | None:
        if subject.analysis is None or len(subject.analysis.segments) < 2:
            return None
        return clone_then_build(subject)

    @check("code-from-url", 70, "a program run straight from a URL (deno run https://..., uv run https://...)",
           programs=("deno", "bun", "uv", "uvx", "pipx"), needs=("slash",))
    def _from_url(subject: Subject) -> str | None:
        seg = subject.segment
        return code_from_url(seg) if seg is not None else None

    @check("package-from-remote", 35, "a tool run straight from a repository or registry (go run mod@latest, "
           "npx github:..., npm create, nix run, uvx --from git+...)",
           programs=("go", "npm", "pnpm", "yarn", "bun", "nix", "nix-shell", "nix-build", "nix-env", "uv", "uvx",
                     "pipx", "pip", "pip3", "gh"))
    def _package(subject: Subject) -> str | None:
        seg = subject.segment
        return package_from_remote(seg) if seg is not None else None

    @check("module-from-remote", 35, "infrastructure code copied from a repository or URL into the project "
           "(terraform/tofu/terragrunt init -from-module=git::...)", programs=("terraform", "tofu", "terragrunt"),
           needs=("slash",))
    def _module(subject: Subject) -> str | None:
        seg = subject.segment
        if seg is None or seg.program not in ("terraform", "tofu", "terragrunt"):
            return None
        return module_from_remote(list(seg.argv[1:]))

    @check("inline-remote-code", 70, "a one-liner that downloads code and evaluates it "
           "(exec(urlopen(u).read()), PowerShell iex (irm u))", programs=_PWSH, needs=("inline",))
    def _inline(subject: Subject) -> str | None:
        seg = subject.segment
        return inline_remote_code(seg) if seg is not None else None
