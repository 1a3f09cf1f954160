"""Package sources: commands and environment variables that point a package manager at
another registry or index (``npm config set registry``, ``pip config set
global.index-url``, ``PIP_INDEX_URL=...``, ``gem sources --add``, ``go env -w
GOPROXY=...``) or turn its checks off (``GOSUMDB=off``, ``strict-ssl false``). Every
later install then runs code from wherever that points."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from aegis_core.policy.facts import url_host

if TYPE_CHECKING:
    from aegis_core.policy.facts import Subject

# Hosts of the public registries (and this machine): pointing back at them is harmless.
KNOWN_HOSTS = frozenset({
    "registry.npmjs.org", "registry.yarnpkg.com", "registry.npmjs.com", "pypi.org", "pypi.python.org",
    "files.pythonhosted.org", "test.pypi.org", "rubygems.org", "index.rubygems.org", "crates.io",
    "index.crates.io", "proxy.golang.org", "sum.golang.org", "repo.maven.apache.org", "repo1.maven.org",
    "api.nuget.org", "www.nuget.org", "conda.anaconda.org", "repo.anaconda.com", "packagist.org",
    "repo.packagist.org", "download.pytorch.org", "localhost", "127.0.0.1", "::1"})
KNOWN_CHANNELS = frozenset({"conda-forge", "defaults", "bioconda", "pytorch", "nvidia"})
# Settings (npm/yarn/pnpm/pip/poetry/pdm/composer/bundler keys) naming a package source or
# a program the package manager runs, and those turning a check off.
_SOURCE_KEY = re.compile(
    r"(?i)^(@[\w.-]+:)?registry$|^//.+|^(npmRegistryServer|npmScopes\..*|yarnPath|unsafeHttpWhitelist"
    r"|script-shell|node-options|shell|git|userconfig|globalconfig|cafile|ca|https?-proxy|proxy|noproxy"
    r"|(global|install|download|user|site)\.(index-url|extra-index-url|trusted-host|find-links|index|cert)"
    r"|index-url|extra-index-url|trusted-host|find-links|repositories\..*|repos?\..*|pypi\.url|pypi\..*\.url"
    r"|mirror\..*|source|sources|channel_alias|custom_channels.*|default_channels|secure-http|disable-tls"
    r"|strict-ssl|enableStrictSsl|ignore-scripts|enableScripts|allow-build-scripts)$")
_SAFETY_OFF_VALUES = frozenset({"false", "0", "off", "no"})
_SAFETY_KEYS = frozenset({"strict-ssl", "enablestrictssl", "secure-http"})
_ENV = re.compile(
    r"^(PIP_INDEX_URL|PIP_EXTRA_INDEX_URL|PIP_TRUSTED_HOST|PIP_FIND_LINKS|PIP_CONFIG_FILE|UV_INDEX_URL"
    r"|UV_EXTRA_INDEX_URL|UV_DEFAULT_INDEX|UV_INDEX|UV_FIND_LINKS|UV_INSECURE_HOST|POETRY_REPOSITORIES_\w+"
    r"|PDM_PYPI_URL|NPM_CONFIG_REGISTRY|npm_config_registry|NPM_CONFIG_USERCONFIG|npm_config_userconfig"
    r"|YARN_NPM_REGISTRY_SERVER|YARN_REGISTRY|BUN_CONFIG_REGISTRY|GOPROXY|GOSUMDB|GONOSUMDB|GONOSUMCHECK"
    r"|GOINSECURE|GOFLAGS|GONOPROXY|CARGO_REGISTRIES_\w+|CARGO_REGISTRY_\w+|BUNDLE_MIRROR__\w+|GEM_SOURCE"
    r"|COMPOSER_REPOSITORIES|NUGET_SOURCES|CONDA_CHANNELS|NODE_TLS_REJECT_UNAUTHORIZED|PIP_NO_VERIFY"
    r"|NODE_OPTIONS|npm_config_script_shell|NPM_CONFIG_SCRIPT_SHELL)=")
_CONFIGURERS = frozenset({"npm", "pnpm", "yarn", "bun", "pip", "pip3", "poetry", "pdm", "gem", "bundle",
                          "bundler", "conda", "mamba", "micromamba", "go", "dotnet", "nuget", "composer",
                          "add-apt-repository", "apt-add-repository", "uv"})
_EXPORTERS = frozenset({"export", "declare", "typeset", "readonly"})
_NODE_LOADS = re.compile(r"(^|\s)(--require|-r|--import|--loader|--experimental-loader)\b")


def env_changes_source(assignment: str) -> bool:
    """``PIP_INDEX_URL=https://elsewhere``, ``GOSUMDB=off``, ``NODE_OPTIONS=--require x``:
    a variable that changes where packages come from or what node loads first."""
    if not _ENV.match(assignment):
        return False
    key, _, value = assignment.partition("=")
    value = value.strip("'\"")
    if key == "NODE_OPTIONS":
        return _NODE_LOADS.search(value) is not None
    if key == "GOFLAGS":
        # -toolexec/-exec/-overlay run or substitute programs on every build
        return "insecure" in value or any(flag in value for flag in ("-toolexec", "-exec", "-overlay", "-modfile"))
    if key == "NODE_TLS_REJECT_UNAUTHORIZED":
        return value == "0"
    if key == "GOSUMDB":
        return value != "sum.golang.org"
    if key == "GOPROXY":
        return any(_unknown_url(v) and v not in ("direct", "off") for v in value.split(",") if v)
    return _unknown_url(value)


# go env settings that name a program the go command runs on its own.
_GO_PROGRAMS = frozenset({"CC", "CXX", "FC", "AR", "PKG_CONFIG", "CGO_CFLAGS", "CGO_LDFLAGS", "GOROOT"})


# Options naming the index or registry packages come from.
INDEX_OPTIONS = frozenset({"-i", "--index-url", "--extra-index-url", "--index", "--default-index", "--registry"})


def without_public_indexes(texts: list[str]) -> list[str]:
    """``texts`` without the index options that name a public registry, and their values
    (`--index-url https://pypi.org/simple`, `--extra-index-url
    https://download.pytorch.org/whl/cpu`): the default source named, not another one."""
    if not any(t.split("=", 1)[0] in INDEX_OPTIONS for t in texts):
        return texts
    kept: list[str] = []
    skip = False
    for i, text in enumerate(texts):
        if skip:
            skip = False
            continue
        option, eq, value = text.partition("=")
        if option in INDEX_OPTIONS:
            value = value if eq else (texts[i + 1] if i + 1 < len(texts) else "")
            if value.startswith("https://") and not _unknown_url(value):
                skip = not eq
                continue
        kept.append(text)
    return kept


def _unknown_url(value: str) -> bool:
    """A value pointing somewhere other than the public registries."""
    if "://" not in value:
        return bool(value) and value not in _SAFETY_OFF_VALUES
    return url_host(value) not in KNOWN_HOSTS


def _config_set(texts: list[str]) -> tuple[str, str] | None:
    """(key, value) of ``config set KEY VALUE`` / ``set KEY VALUE`` / ``config KEY VALUE``
    / ``KEY=VALUE`` forms, skipping options; None when it only reads."""
    words = [t for t in texts if not t.startswith("-")]
    if words[:2] == ["config", "set"] or words[:2] == ["config", "add"]:
        words = words[2:]
    elif words[:1] in (["set"], ["config"]):
        words = words[1:]
    else:
        return None
    if words[:1] in (["get"], ["list"], ["ls"], ["delete"], ["unset"], ["edit"], ["rm"]):
        return None
    if len(words) >= 2:
        return words[0], words[1]
    if words and "=" in words[0]:
        key, _, value = words[0].partition("=")
        return key, value
    return None


def changes_source(program: str, texts: list[str]) -> str | None:
    """Why this package-manager command changes where packages come from, or None."""
    if program in ("add-apt-repository", "apt-add-repository"):
        return f"{program} adds a system package source"
    if program == "gem" and texts[:1] == ["sources"] and any(t in ("--add", "-a") for t in texts):
        return "gem sources --add adds a gem source"
    if program == "go" and texts[:2] == ["env", "-w"]:
        for setting in texts[2:]:
            key = setting.split("=", 1)[0]
            if key in _GO_PROGRAMS:
                return f"go env -w {key} sets a program every later cgo build runs"
            if env_changes_source(setting):
                key = setting.split("=", 1)[0]
                return f"go env -w {key} changes where Go modules come from or turns their checks off"
        return None
    if program == "conda" or program in ("mamba", "micromamba"):
        if "config" in texts and any(t in ("--add", "--prepend", "--append", "--set") for t in texts):
            values = [t for t in texts if not t.startswith("-") and t not in ("config", "channels")]
            if any(v not in KNOWN_CHANNELS for v in values):
                return f"{program} config adds a package channel"
        return None
    if program in ("dotnet", "nuget") and "source" in " ".join(texts) and "add" in texts:
        return f"{program} adds a package source"
    if program == "poetry" and texts[:2] == ["source", "add"]:
        return "poetry source add adds a package index"
    if program in ("bundle", "bundler") and texts[:1] == ["config"]:
        pair = _config_set(texts)
        if pair and pair[0].lower().startswith("mirror"):
            return "bundle config mirror points gems at another source"
        return None
    if texts[:2] == ["pkg", "set"]:
        # `npm pkg set publishConfig.registry=URL`: where the package is published to,
        # written into package.json.
        for setting in texts[2:]:
            key, _, value = setting.partition("=")
            if key.lower().endswith("registry") and _unknown_url(value):
                return f"{program} pkg set {key} points publishing at {value}"
        return None
    pair = _config_set(texts)
    if pair is None:
        return None
    key, value = pair
    if not _SOURCE_KEY.match(key):
        return None
    if key.lower() in _SAFETY_KEYS:
        return f"{program} config {key} {value} turns certificate checks off" if value.lower() in \
            _SAFETY_OFF_VALUES else None
    if _unknown_url(value):
        return f"{program} config {key} points it at {value}"
    return None


def register(check: Callable) -> None:
    @check("registry-change", 40, "points a package manager at another registry or index, or turns its "
           "checks off (npm config set registry, pip config set global.index-url, PIP_INDEX_URL=, "
           "gem sources --add, go env -w GOSUMDB=off)",
           programs=_CONFIGURERS | _EXPORTERS, needs=("assignments",))
    def _registry(subject: Subject) -> str | None:
        seg = subject.segment
        if seg is None:
            return None
        for assignment in seg.assignments:
            if env_changes_source(assignment):
                return f"{assignment.split('=', 1)[0]} changes where packages come from or what runs first"
        if seg.program in _EXPORTERS:
            for text in seg.argv[1:]:
                if env_changes_source(text):
                    return f"{seg.program} {text.split('=', 1)[0]} changes where packages come from"
            return None
        if seg.program not in _CONFIGURERS:
            return None
        return changes_source(seg.program, list(seg.argv[1:]))
