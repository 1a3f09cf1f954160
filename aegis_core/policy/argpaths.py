"""Paths and URLs that an argument names without being a plain path argument: a path
spelled with variables (`/home/$USER/.ssh/id_rsa`, `$AEGIS_HOME/policy.toml`), files
a request sends (`curl -d @.env`, `-F f=@key`, `http POST x @body.json`), host folders
mounted into a container (`docker run -v ~/.aws:/root/.aws`), and the string literals
of interpreter one-liners (`open('/home/bob/.aws/credentials')`,
`urlopen('http://169.254.169.254/')`). ``facts.segment_facts`` adds them to what a
segment reads, so the path rules judge them like any other path."""

from __future__ import annotations

import fnmatch
import os
import re
from itertools import pairwise

# How the lexer writes what it cannot know: ${NAME}, ${NAME:-default}, $(...), `...`.
_EXPANSION = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*|[0-9@*#?$!-])([^{}]*)\}|\$\(\(\.\.\.\)\)|\$\(\.\.\.\)|`\.\.\.`")
_RAW_VARIABLE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
# Where XDG folders are when their variable is not set.
_XDG_DEFAULTS = {"XDG_CONFIG_HOME": "/.config", "XDG_DATA_HOME": "/.local/share",
                 "XDG_CACHE_HOME": "/.cache", "XDG_STATE_HOME": "/.local/state"}


# What find/fd put in place of the names they found, and xargs of what it reads.
PLACEHOLDERS = frozenset({"{found}", "{stdin}"})


def _variable(name: str, cwd: str | None, home: str) -> str | None:
    """The value of a variable the policy can know as well as the shell, or None."""
    if name == "HOME":
        return home
    if name == "PWD":
        return cwd
    if name == "AEGIS_HOME":
        from aegis_core.config import aegis_home

        return str(aegis_home())
    if name in _XDG_DEFAULTS:
        return os.environ.get(name) or home + _XDG_DEFAULTS[name]
    if name in ("TMPDIR", "TMP", "TEMP"):
        return os.environ.get(name) or "/tmp"  # noqa: S108 - a path compared, never written
    return None


# A shell statement that sets a variable for what follows: NAME=value, export NAME=value.
SETTERS = frozenset({"export", "declare", "typeset", "local", "readonly"})
_FOR_LOOP = re.compile(r"\bfor\s+([A-Za-z_][A-Za-z0-9_]*)\s+in\s+([^;\n&|]+)")
_NAME_VALUE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$", re.S)


def remember_variables(program: str, assignments: tuple[str, ...], argv: tuple[str, ...],
                       variables: dict[str, str]) -> None:
    """Add what a segment sets for the segments after it (`f=~/.aws/credentials`,
    `export U=http://...`) to ``variables``."""
    texts = assignments if program == "" else (argv[1:] if program in SETTERS else ())
    for text in texts:
        found = _NAME_VALUE.match(text)
        if found and len(variables) < 64:
            value = found.group(2)
            if "${" in value:
                # `d=.git; d=$d/hooks`: a value built from what is already known.
                # Bounded: `d=$d$d` a thousand times must not double a string a thousand times.
                built = BRACED_REFERENCE.sub(lambda m: variables.get(m.group(1), m.group(0)), value)
                value = built if len(built) <= _MAX_VALUE else value
            variables[found.group(1)] = value


def remember_read(argv: tuple[str, ...], stdin_text: str, variables: dict[str, str]) -> None:
    """`read -r K <<< "$OPENAI_API_KEY"`: each name ``read`` sets gets the text it reads
    (split between them at run time: each is taken to hold all of it)."""
    names = [text for before, text in pairwise(argv)
             if _NAME.match(text) and before not in _READ_VALUE_OPTIONS]
    for name in names:
        if len(variables) < 64:
            variables[name] = stdin_text[:_MAX_VALUE]


_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# read's options whose value is the next word (not a name it sets).
_READ_VALUE_OPTIONS = frozenset({"-a", "-d", "-i", "-n", "-N", "-p", "-t", "-u"})
_MAX_VALUE = 1024
# `${NAME}`, as the analysis spells a reference to a variable in an argument.
BRACED_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


LOOP = "@"  # variables["@f"]: the words a `for f in ...` loop gives f, one a line


def loop_variables(command: str, variables: dict[str, str]) -> None:
    """`for f in ~/.ssh/*; do cat $f; done`: a loop over one word gives the variable that
    value; over several, each is remembered (under LOOP + name) for the paths it makes,
    but the variable is not known (`for d in build /; do rm -rf $d; done` stays computed)."""
    if "for" not in command:
        return
    for name, words in _FOR_LOOP.findall(command[:8192]):
        values = [w.strip("'\"") for w in words.split()][:8]
        if len(values) == 1 and len(variables) < 64:
            variables[name] = values[0]
        elif values and len(variables) < 64:
            variables[LOOP + name] = "\n".join(values)


def representatives(text: str, cwd: str | None, home: str, variables: dict[str, str] | None) -> list[str]:
    """``representative`` of an argument for each value a loop gives its variable (one
    value when no loop variable is in it)."""
    if variables:
        for name in BRACED_REFERENCE.findall(text):
            values = variables.get(LOOP + name)
            if values is not None:
                found = []
                for value in values.split("\n"):
                    filled = text.replace("${" + name + "}", value)
                    found.append(filled if _EXPANSION.search(filled) is None
                                 else representative(filled, cwd, home, variables))
                return [f for f in found if f is not None]
    found_one = representative(text, cwd, home, variables)
    return [] if found_one is None else [found_one]




def representative(text: str, cwd: str | None, home: str, variables: dict[str, str] | None = None) -> str | None:
    """The path an argument computed at run time stands for: known variables
    (``$HOME``, ``$PWD``, ``$AEGIS_HOME``, ``$XDG_CONFIG_HOME``...) replaced by their
    values, a ``${NAME:-default}`` by its default, anything else kept as a placeholder
    (``/home/$USER/.ssh/id_rsa``), so path rules can still match what is literal. None
    when nothing literal is left (a bare ``$FILE``), as nothing can be said about it."""
    literal = [False]

    def value(match: re.Match[str]) -> str:
        name, rest = match.group(1), match.group(2) or ""
        if name is None:
            return "$(...)"
        known = variables.get(name) if variables else None
        if known is not None and "${" in known:
            known = _EXPANSION.sub(lambda m: _variable(m.group(1) or "", cwd, home) or m.group(0), known)
        if known is not None and known.startswith("~") and (len(known) == 1 or known[1] == "/"):
            known = home + known[1:]
        if known is None:
            known = _variable(name, cwd, home)
        if known is not None and not rest:
            literal[0] = True
            return known
        if rest[:2] in (":-", ":=") or rest[:1] in ("-", "="):
            default = rest[2:] if rest[:1] == ":" else rest[1:]
            if default:
                literal[0] = True
                return _RAW_VARIABLE.sub(lambda m: _variable(m.group(1), cwd, home) or m.group(0), default)
        return "$" + name

    if _EXPANSION.search(text) is None:
        # `{found}` of find -exec, `{stdin}` of xargs: nothing literal to go by, unless
        # the placeholder stands in a path (`.git/hooks/{stdin}`, `{found}/.envrc`).
        return text if "/" in text and ("{found}" in text or "{stdin}" in text) else None
    replaced = _EXPANSION.sub(value, text)
    if not literal[0] and not _EXPANSION.sub("", text):
        return None
    if replaced.startswith(home) and home != "/":
        replaced = "~" + replaced[len(home):] if replaced[len(home):len(home) + 1] in ("", "/") else replaced
    return replaced


# ---------------------------------------------------------------- files sent by requests

CURL_LIKE = frozenset({"curl", "curlie"})
HTTPIE_LIKE = frozenset({"http", "https", "httpie", "xh", "xhs"})
_CURL_FILE = frozenset({"-T", "--upload-file", "-K", "--config"})
# Short curl options that take a value (so `-sSd @f` and `-Fx=@f` are read right).
CURL_SHORT_VALUES = frozenset("dFHTKoXuAebcmwxUErCYyztQ")


def _sent_file(value: str, forms: str) -> str | None:
    """The file a request argument sends: ``@f`` always; with ``forms`` holding ``=``
    also ``name=@f`` and ``name=<f``, with ``@`` also ``name@f`` (name without ``=``)."""
    if value.startswith("@"):
        return value[1:] if len(value) > 1 and value != "@-" else None
    if "=" in forms:
        for marker in ("=@", "=<", ":=@"):
            name, found, path = value.partition(marker)
            if found and path and "=" not in name:
                return path.split(";", 1)[0]
    if "@" in forms:
        name, found, path = value.partition("@")
        if found and path and "=" not in name and ("." in path or "/" in path):
            return path
    return None


# What each curl option sending data accepts as a file (see _sent_file).
_CURL_FORMS = {"-d": "", "--data": "", "--data-ascii": "", "--data-binary": "", "--json": "", "-H": "",
               "--header": "", "--data-urlencode": "@", "-F": "=", "--form": "=", "--variable": "@"}


def curl_options(texts: list[str]) -> list[tuple[str, str | None, int]]:
    """curl's options that take a value, as (option, value, index of the value in
    ``texts``; -1 when attached): ``--data=@f``, ``--data @f``, and short ones inside a
    cluster (``-sSd @f``, ``-sT -``, ``-Fx=@f``)."""
    found: list[tuple[str, str | None, int]] = []
    i = 0
    while i < len(texts):
        text = texts[i]
        if text.startswith("--"):
            option, eq, attached = text.partition("=")
            if eq:
                found.append((option, attached, -1))
            elif option in _CURL_FORMS or option in _CURL_FILE:
                found.append((option, texts[i + 1] if i + 1 < len(texts) else None, i + 1))
                i += 1
        elif text.startswith("-") and len(text) > 1:
            for position, letter in enumerate(text[1:], start=1):
                if letter in CURL_SHORT_VALUES:
                    if text[position + 1:]:
                        found.append(("-" + letter, text[position + 1:], -1))
                    else:
                        found.append(("-" + letter, texts[i + 1] if i + 1 < len(texts) else None, i + 1))
                        i += 1
                    break
        i += 1
    return found


def request_files(program: str, texts: list[str]) -> list[str]:
    """Files that curl/httpie arguments send or read (``-d @.env``, ``-F k=@id_rsa``,
    ``-T f``, ``http POST x @body.json``, ``field@file``)."""
    found: list[str] = []
    if program in CURL_LIKE:
        for option, value, _ in curl_options(texts):
            if value is None:
                continue
            if option in _CURL_FILE:
                found.append(value)
            elif option in _CURL_FORMS:
                sent = _sent_file(value, _CURL_FORMS[option])
                if sent:
                    found.append(sent)
    elif program in HTTPIE_LIKE:
        for text in texts[1:]:
            if text.startswith("-") or "://" in text:
                continue
            sent = _sent_file(text, "=@")
            if sent:
                found.append(sent)
    return found


# ---------------------------------------------------------------- container mounts

CONTAINER_ENGINES = frozenset({"docker", "podman", "nerdctl", "finch", "lima", "colima"})
_MOUNT_SUBCOMMANDS = frozenset({"run", "create", "container", "compose", "service"})


def mount_sources(program: str, texts: list[str]) -> list[str]:
    """Host paths a container command mounts: ``-v SRC:DST``, ``--volume=SRC:DST``,
    ``--mount type=bind,source=SRC`` (and the ``--env-file`` it reads);
    ``systemd-nspawn --bind=SRC``; ``bwrap --bind SRC``.
    Named volumes (no ``/``, ``.`` or ``~``) are not host paths."""
    found: list[str] = []
    if program in CONTAINER_ENGINES or program in ("docker-compose", "podman-compose"):
        if not _MOUNT_SUBCOMMANDS.intersection(texts[:4]) and program not in ("docker-compose", "podman-compose"):
            return found
        for i, text in enumerate(texts):
            value = None
            if text in ("-v", "--volume", "--mount", "--env-file") and i + 1 < len(texts):
                value = texts[i + 1]
                option = text
            elif text.startswith("--env-file="):
                option, _, value = text.partition("=")
            elif text.startswith(("--volume=", "--mount=")):
                option, _, value = text.partition("=")
            elif text.startswith("-v") and len(text) > 2 and not text.startswith("--"):
                option, value = "-v", text[2:]
            if value is None:
                continue
            if option == "--env-file":
                # Read on the host, every line handed to the container: the project's own
                # .env goes to its own containers all day; a file from elsewhere
                # (`--env-file ~/.aws/credentials`) is judged as read.
                if value.startswith(("/", "~", "$", "..")):
                    found.append(value)
            elif option == "--mount":
                for field in value.split(","):
                    key, _, path = field.partition("=")
                    if key.strip() in ("source", "src") and path:
                        found.append(path)
            else:
                source = value.split(":", 1)[0]
                if source.startswith(("/", ".", "~", "$")):
                    found.append(source)
    elif program == "systemd-nspawn":
        for text in texts:
            if text.startswith(("--bind=", "--bind-ro=", "--overlay=", "--overlay-ro=", "--directory=")):
                found.append(text.split("=", 1)[1].split(":", 1)[0])
            elif text.startswith("-D") and len(text) > 2:
                found.append(text[2:])
    elif program == "bwrap":
        for i, text in enumerate(texts):
            if text in ("--bind", "--ro-bind", "--dev-bind", "--bind-try", "--ro-bind-try") and i + 1 < len(texts):
                found.append(texts[i + 1])
    return found


# ---------------------------------------------------------------- files tools send away

_FORGES = frozenset({"gh", "glab"})
_BODY_FILE_OPTIONS = frozenset({"--body-file", "--input", "--notes-file", "--description-file"})


def sent_files(program: str, texts: list[str]) -> list[str]:
    """Local files a container, cluster or forge command copies or uploads, whose
    arguments are otherwise not file names: `docker cp SRC c:/x`, `kubectl cp SRC
    pod:/x`, `gh gist create FILE`, `gh release upload TAG FILE`, `--body-file F`."""
    words = [t for t in texts if not t.startswith("-")]
    found: list[str] = []
    if program in CONTAINER_ENGINES or program in ("kubectl", "oc"):
        if "cp" in words[:2]:
            rest = words[words.index("cp") + 1:]
            found.extend(w for w in rest[:-1] if ":" not in w.split("/", 1)[0])
        return found
    if program in _FORGES:
        if words[:2] in (["gist", "create"], ["gist", "edit"], ["snippet", "create"]):
            found.extend(words[2:])
        elif words[:2] == ["release", "upload"] or words[:2] == ["release", "create"]:
            found.extend(w.split("#", 1)[0] for w in words[3:])
        for i, text in enumerate(texts):
            option, eq, value = text.partition("=")
            given = value if eq else (texts[i + 1] if i + 1 < len(texts) else "")
            if option in _BODY_FILE_OPTIONS or (option == "-F" and words[:1] in (["issue"], ["pr"])):
                found.append(given)
            elif option in ("-F", "--field") and "=@" in given:
                found.append(given.split("=@", 1)[1])
    return [f for f in found if f and f != "-"]


# ---------------------------------------------------------------- wildcards that match nothing here

# Names of secrets a wildcard may be written to hit (checked when it matches nothing on
# this machine, so the call is judged the same wherever it runs).
_SECRET_NAMES = (".env", ".env.local", ".env.production", ".netrc", ".pgpass", ".npmrc", ".pypirc",
                 ".git-credentials", ".dev.vars", ".vault-token", ".bash_history", ".zsh_history", "id_rsa",
                 "id_ed25519", "id_ecdsa", "id_dsa", "credentials", "server.pem", "server.key", "master.key",
                 "credentials.json", "secrets.yaml", "secrets.json", "terraform.tfstate", "config.json", "environ",
                 ".aegis")
_WILDCARD_BITS = re.compile(r"[*?\[]")


def secret_names_matching(pattern: str) -> list[str]:
    """The secret file names an unmatched wildcard's last part could stand for, in its
    folder (`.[e]nv` -> `.env`, `~/.ssh/id_*` -> `~/.ssh/id_rsa`...). A part with fewer
    than two literal characters (`*`, `?*`) stands for anything: not judged this way."""
    folder, _, name = pattern.rpartition("/")
    if not _WILDCARD_BITS.search(name) or len(_WILDCARD_BITS.sub("", re.sub(r"\[[^\]]*\]", "", name))) < 2:
        return []
    try:
        compiled = re.compile(fnmatch.translate(name))
    except re.error:
        return []
    hidden_ok = name.startswith(".")  # the shell's * and ? never match a leading dot
    found = [n for n in _SECRET_NAMES if (hidden_ok or not n.startswith(".")) and compiled.match(n)]
    return [f"{folder}/{n}" if folder or pattern.startswith("/") else n for n in found[:4]]


# ---------------------------------------------------------------- one-liner literals

# A quoted string of at most 512 characters on one line.
_LITERAL = re.compile(r"""(?:'([^'\n\\]{1,512})'|"([^"\n\\]{1,512})"|`([^`\n\\$]{1,512})`)""")
_URL = re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]{1,11}://[^\s'\"`<>()]+")
# Bare names that are secrets wherever they are, so worth a path even without a `/`.
_SECRET_NAME = re.compile(r"(?i)^(id_\w+|credentials|cookies|login data|local state|key[34]\.db|logins\.json"
                          r"|\.?\w*_history|environ|\.netrc|\.pgpass|\.git-credentials)$")
_PATH_SHAPED = re.compile(r"^[\w .@~+/-]+$")
MAX_LITERALS = 32
_JOINED = re.compile(r"""(['"])([^'"\n\\]{0,256})\1\s*(?:\+|\.|,\s*)?\s*(['"])([^'"\n\\]{0,256})\3""")


def _join(match: re.Match[str]) -> str:
    # Only string pieces glued by +, . (PHP, Perl) or nothing (Python): a comma is a list.
    glue = match.group(0)[len(match.group(2)) + 2:-len(match.group(4)) - 2].strip()
    if glue.startswith(","):
        return match.group(0)
    return f"{match.group(1)}{match.group(2)}{match.group(4)}{match.group(1)}"


def code_literals(code: str) -> tuple[list[str], list[str]]:
    """(paths, URLs) named by string literals of a one-liner or script: a literal that
    holds a ``/``, starts with ``~`` or ``.``, or is a secret's file name; URLs anywhere.
    At most MAX_LITERALS of each."""
    paths: list[str] = []
    code = code[:16384]
    if "+" in code or "." in code:
        # 'a' + 'b', "a" . "b", 'a' 'b': the string the code builds is the one it opens.
        code = _JOINED.sub(_join, code)
        code = _JOINED.sub(_join, code)
    urls = _URL.findall(code)[:MAX_LITERALS] if "://" in code else []
    for match in _LITERAL.finditer(code):
        text = match.group(1) or match.group(2) or match.group(3) or ""
        if "://" in text or not _PATH_SHAPED.match(text):
            continue
        if "/" in text or text[0] in "~." or _SECRET_NAME.match(text):
            paths.append(text)
            if len(paths) >= MAX_LITERALS:
                break
    return paths, urls


# An interpreter one-liner that writes, deletes or moves files: its literals are written to.
CODE_WRITES = re.compile(r"""open\([^)]*['"][wax]\+?b?['"]|write|unlink|remove|rmtree|rename|replace\(|copy|move"""
                         r"""|symlink|chmod|truncate|mkdir|rmSync|rmdir|appendFile|File\.open\([^)]*['"][wa]""")

__all__ = ["CODE_WRITES", "CONTAINER_ENGINES", "CURL_LIKE", "CURL_SHORT_VALUES", "HTTPIE_LIKE",
           "code_literals", "mount_sources", "representative", "request_files"]
