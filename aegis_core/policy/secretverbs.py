"""Commands whose subcommand says they print a secret, whatever the program: a list of
CLIs (``secretchecks._PRINTS_SECRET``) always misses the next password manager, forge
or cloud CLI, but their subcommands are spelled alike. A reading verb and a secret noun
among the subcommand words (``secrets get``, ``get-password``, ``print-access-token``,
``token print``, ``getAccessToken``), a minting verb and a token (``token-create``,
``generate-token``), or a login's token as the last word (``auth token``,
``oauth-token``) make a command print a secret, and so does an option spelled the same
way (``--show-token``, ``--reveal-secrets``). ``python -m MODULE`` is the module's
command, and a module named for a secret store (``python -m keyring``, ``-m credstash``)
is asked whatever it is told, but for help.

Subcommand words are the leading arguments shaped like words (letters, digits, ``-``,
``_``, ``:``), options skipped, up to the first path, URL, value or ``--``. Programs
whose positional words are data (search patterns, test filters, file names, git refs)
are not read this way, and a help request prints no secret.

The check runs only for segments holding one of the secret nouns in a word (the
``secretwords`` feature, found in the same per-word lookup as the database words)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aegis_core.policy.shell import Segment

# The feature gate: a word holding one of these may name a secret (searched once per
# distinct word, the answer kept; see checks.feature_bits).
SECRET_WORDS = re.compile(r"(?i)token|passw|secret|cred|keyring|keychain|api[-_]?key|access[-_]?key|passphrase")

_READING = frozenset({"get", "show", "print", "read", "reveal", "decrypt", "decode", "export", "dump", "display",
                      "cat", "view", "fetch", "access", "lookup", "retrieve", "output", "unseal", "unwrap",
                      "expose", "extract", "find"})
_MINTING = frozenset({"create", "generate", "mint", "issue", "new", "gen", "sign"})
_SECRET_NOUNS = frozenset({"token", "tokens", "password", "passwords", "passwd", "secret", "secrets", "credential",
                           "credentials", "creds", "cred", "apikey", "apikeys", "passphrase", "passphrases", "pat"})
_TOKEN_NOUNS = frozenset({"token", "tokens", "apikey", "apikeys", "pat"})
# Keys that are secrets when named with these: api-key, access-key, private-key, secret-key.
_KEY_QUALIFIERS = frozenset({"api", "access", "private", "secret", "signing", "master", "account", "storage", "sas"})
# What a login's token is called when the subcommand ends with it (`gh auth token`,
# `cf oauth-token`, `hcloud context active-token`).
_TOKEN_QUALIFIERS = frozenset({"auth", "oauth", "access", "session", "id", "identity", "bearer", "api", "active",
                               "refresh", "login", "personal", "bot", "app", "registry", "deploy", "account",
                               "user", "iam", "jwt", "sso", "temp", "temporary", "current", "raw", "my"})
_QUALIFYING = _READING & (_KEY_QUALIFIERS | _TOKEN_QUALIFIERS)
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-_:][A-Za-z0-9]+)*")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_HELP = frozenset({"-h", "--help", "help", "-help", "--usage"})
# Programs whose positional words are data, not subcommands, or that have their own
# precise rule (kubectl: `get secrets` lists names; git: refs and paths).
_DATA_WORDS = frozenset({
    "git", "grep", "egrep", "fgrep", "rg", "ag", "ack", "git-grep", "echo", "printf", "sed", "gsed", "awk", "gawk",
    "find", "fd", "fdfind", "ls", "cat", "bat", "head", "tail", "less", "more", "jq", "yq", "man", "info", "tldr",
    "help", "touch", "mkdir", "rm", "cp", "mv", "ln", "vim", "nvim", "vi", "nano", "emacs", "code", "which", "type",
    "command", "whereis", "apropos", "alias", "history", "test", "[", "pytest", "py.test", "jest", "vitest", "mocha",
    "ava", "go", "cargo", "ctest", "rspec", "phpunit", "pest", "prove", "tox", "nox", "kubectl", "oc", "kubecolor",
    "wc", "sort", "uniq", "diff", "tr", "cut", "xargs", "sh", "bash", "zsh", "tee", "mypy", "ruff", "pylint",
    "black", "eslint", "prettier", "tsc", "semgrep", "gitleaks", "trufflehog", "detect-secrets", "codespell",
    "typos", "cspell", "say", "notify-send", "tmux", "screen", "export", "unset", "local", "declare", "readonly"})
_DATA_MODULES = frozenset({"pytest", "unittest", "doctest", "mypy", "ruff", "pylint", "black", "flake8", "isort",
                           "tokenize", "pydoc", "pdb", "trace", "cProfile", "profile", "timeit", "coverage",
                           "nose2", "hypothesis", "detect_secrets", "bandit", "pip", "build", "twine", "venv"})
# A module named for a secret store (`python -m keyring`, `python -m credstash`).
_STORE_MODULE = re.compile(r"(?i)cred|keyring|keychain|vault|passw|secret|(?:^|[._-])tokens?(?:$|[._-])")
_PYTHON = re.compile(r"^(?:python[0-9.]*|pypy[0-9.]*|py)$")


def _parts(word: str) -> list[str]:
    """``getAccessToken`` / ``get-access-token`` / ``auth:token`` as lower-case parts."""
    return _CAMEL.sub("-", word).lower().replace("_", "-").replace(":", "-").split("-")


def _subcommand_words(texts: list[str]) -> list[str]:
    words: list[str] = []
    for text in texts:
        if text == "--":
            break
        if text.startswith("-"):
            continue
        if not _WORD.fullmatch(text):
            break
        words.append(text)
        if len(words) == 5:
            break
    return words


def _says_secret(words: list[str]) -> str | None:
    """The words that make these subcommand words print a secret, or None."""
    parts = [part for word in words for part in _parts(word)]
    nouns = [p for p in parts if p in _SECRET_NOUNS]
    keys = [parts[i] + "-" + p for i, p in enumerate(parts) if p in ("key", "keys") and i
            and parts[i - 1] in _KEY_QUALIFIERS]
    if not nouns and not keys:
        return None
    # `access` reads in `secrets versions access`, names in `access-token`, `access-key`.
    reading = [p for i, p in enumerate(parts) if p in _READING and not (
        p in _QUALIFYING and i + 1 < len(parts) and (parts[i + 1] in _SECRET_NOUNS or parts[i + 1] in ("key", "keys")))]
    if reading:
        return f"{reading[0]} {(nouns or keys)[0]}"
    minting = [p for p in parts if p in _MINTING]
    if minting and (keys or any(n in _TOKEN_NOUNS for n in nouns)):
        return f"{minting[0]} {(keys or nouns)[0]}"
    if len(parts) >= 2 and parts[-1] in ("token", "tokens") and parts[-2] in _TOKEN_QUALIFIERS:
        return f"{parts[-2]} {parts[-1]}"
    return None


def verb_shaped_secret(seg: Segment) -> str | None:
    """Why ``seg``'s subcommand words say it prints a secret, or None."""
    program = seg.program
    texts = list(seg.argv[1:])
    if _HELP.intersection(texts):
        return None
    shown = program
    if _PYTHON.match(program):
        if "-m" not in texts:
            return None
        at = texts.index("-m")
        module = texts[at + 1] if at + 1 < len(texts) else ""
        if not module or module.split(".")[0] in _DATA_MODULES:
            return None
        texts = texts[at + 2:]
        shown = f"{program} -m {module}"
        words = _subcommand_words(texts)
        if _STORE_MODULE.search(module):
            return f"{shown} {' '.join(words)}".strip() + " runs a secret store's command"
    elif program in _DATA_WORDS:
        return None
    else:
        words = _subcommand_words(texts)
    found = _says_secret(words)
    if found is None:
        # `--show-token`, `--reveal-secrets`, `--print-password`: the option says it.
        for text in texts:
            if text.startswith("--") and not text.startswith("--no-"):
                name = text[2:].split("=", 1)[0]
                if "-" in name and _WORD.fullmatch(name) and (said := _says_secret([name])) is not None:
                    return f"{shown} {text} ({said}) prints a secret"
        return None
    return f"{shown} {' '.join(words)} ({found}) prints a secret"
