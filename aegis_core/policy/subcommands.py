"""The subcommand words of a command as the program itself reads them: options (and
the values of the global options that take one) skipped, so ``npm -w pkg publish``,
``npm --registry URL publish``, ``pnpm --filter x publish``, ``cargo +nightly publish``
and ``poetry -C dir publish`` all say ``publish``; and npm's aliases and unambiguous
abbreviations resolved (``npm pub``, ``npm it``, ``npm isntall`` are ``publish``,
``install-test``, ``install``)."""

from __future__ import annotations

from aegis_core.policy.words import operands

# Global options that take a value (as a separate word), per program.
VALUE_OPTIONS: dict[str, frozenset[str]] = {
    "git": frozenset({"-C", "-c", "--git-dir", "--work-tree", "--namespace", "--config-env", "--exec-path"}),
    "kubectl": frozenset({"-n", "--namespace", "--context", "--kubeconfig", "--cluster", "--user", "-s", "--server",
                          "--as", "--as-group", "--token", "--request-timeout", "-l", "--selector"}),
    "docker": frozenset({"-H", "--host", "--context", "-c", "--config", "-l", "--log-level"}),
    "helm": frozenset({"-n", "--namespace", "--kube-context", "--kubeconfig", "--registry-config",
                       "--repository-config", "--repository-cache"}),
    "aws": frozenset({"--profile", "--region", "--output", "--endpoint-url", "--query", "--color", "--ca-bundle",
                      "--cli-read-timeout", "--cli-connect-timeout", "--cli-binary-format"}),
    "npm": frozenset({"--prefix", "-w", "--workspace", "--registry", "--userconfig", "--globalconfig", "--cache",
                      "--loglevel", "--tag", "--access", "--otp", "--scope", "--auth-type", "--before", "--omit",
                      "--include", "--install-strategy", "--node-options", "--script-shell", "--cpu", "--os",
                      "-C"}),
    "yarn": frozenset({"--cwd", "--registry", "--otp", "--tag", "--access", "--mutex", "--cache-folder",
                       "--modules-folder", "--network-timeout"}),
    "pnpm": frozenset({"-C", "--dir", "--filter", "-F", "--reporter", "--loglevel", "--registry", "--tag",
                       "--access", "--otp", "--publish-branch", "--workspace-concurrency", "--store-dir",
                       "--virtual-store-dir"}),
    "bun": frozenset({"--cwd", "--registry", "--tag", "--access", "--otp", "-c", "--config"}),
    "cargo": frozenset({"--manifest-path", "-Z", "--config", "--target", "--features", "-F", "--package", "-p",
                        "--color", "--registry", "--index", "--token", "-j", "--jobs", "--target-dir", "--profile",
                        "-C"}),
    "uv": frozenset({"--directory", "--project", "--python", "-p", "--index", "--index-url", "--default-index",
                     "--publish-url", "--token", "-t", "--username", "-u", "--password", "--cache-dir",
                     "--config-file", "--trusted-publishing", "--check-url"}),
    "poetry": frozenset({"-C", "--directory", "-P", "--project", "-r", "--repository", "-u", "--username", "-p",
                         "--password", "--cert", "--client-cert"}),
    "pdm": frozenset({"-p", "--project", "-r", "--repository", "-u", "--username", "-P", "--password"}),
    "hatch": frozenset({"-e", "--env", "-r", "--repo", "-u", "--user", "-a", "--auth", "--data-dir",
                        "--cache-dir", "--config"}),
    "twine": frozenset({"-r", "--repository", "--repository-url", "-u", "--username", "-p", "--password", "-c",
                        "--comment", "--config-file", "--sign-with", "-i", "--identity", "--cert", "--client-cert"}),
    "gem": frozenset({"--key", "--host", "--otp", "-k"}),
    "gcloud": frozenset({"--project", "--account", "--configuration", "--format", "--verbosity",
                         "--impersonate-service-account", "--billing-project", "--region", "--zone"}),
    "az": frozenset({"--subscription", "-o", "--output", "--query", "-g", "--resource-group"}),
    "dotnet": frozenset({"-s", "--source", "-k", "--api-key", "-c", "--configuration"}),
    "terraform": frozenset(),
}

# npm's command names and aliases (npm/lib/utils/cmd-list.js); npm also accepts any
# unambiguous abbreviation of one of them.
_NPM_COMMANDS = (
    "access", "adduser", "audit", "bugs", "cache", "ci", "completion", "config", "dedupe", "deprecate", "diff",
    "dist-tag", "docs", "doctor", "edit", "exec", "explain", "explore", "find-dupes", "fund", "get", "help",
    "help-search", "hook", "init", "install", "install-ci-test", "install-test", "link", "ll", "login", "logout",
    "ls", "org", "outdated", "owner", "pack", "ping", "pkg", "prefix", "profile", "prune", "publish", "query",
    "rebuild", "repo", "restart", "root", "run-script", "sbom", "search", "set", "shrinkwrap", "star", "stars",
    "start", "stop", "team", "test", "token", "undeprecate", "uninstall", "unpublish", "unstar", "update",
    "version", "view", "whoami")
_NPM_ALIASES = {
    "author": "owner", "home": "docs", "issues": "bugs", "info": "view", "show": "view", "find": "search",
    "add": "install", "unlink": "uninstall", "remove": "uninstall", "rm": "uninstall", "r": "uninstall",
    "un": "uninstall", "rb": "rebuild", "list": "ls", "ln": "link", "create": "init", "i": "install",
    "it": "install-test", "cit": "install-ci-test", "up": "update", "c": "config", "s": "search", "se": "search",
    "tst": "test", "t": "test", "ddp": "dedupe", "v": "view", "run": "run-script", "clean-install": "ci",
    "clean-install-test": "install-ci-test", "x": "exec", "why": "explain", "la": "ll", "verison": "version",
    "ic": "ci", "innit": "init", "isntall": "install", "install-clean": "ci", "isntall-clean": "ci",
    "hlep": "help", "dist-tags": "dist-tag", "upgrade": "update", "udpate": "update", "rum": "run-script",
    "sit": "install-ci-test", "urn": "run-script", "ogr": "org", "add-user": "adduser",
}
_NPM_NAMES = tuple(sorted({*_NPM_COMMANDS, *_NPM_ALIASES}))
_NPM_RESOLVED: dict[str, str] = {}


def npm_command(word: str) -> str:
    """The npm command ``word`` stands for (itself when npm would not know it)."""
    found = _NPM_RESOLVED.get(word)
    if found is not None:
        return found
    name = word
    if word not in _NPM_COMMANDS and word not in _NPM_ALIASES and word.isascii() and len(word) >= 2:
        matches = [n for n in _NPM_NAMES if n.startswith(word)]
        if len(matches) == 1:
            name = matches[0]
    name = _NPM_ALIASES.get(name, name)
    if len(_NPM_RESOLVED) < 4096:
        _NPM_RESOLVED[word] = name
    return name


def positionals(program: str, texts: list[str]) -> list[str]:
    """Arguments that are not options (or option values), with npm's first one resolved:
    the subcommand words ``subcommand`` rules and the publish checks compare."""
    out = operands(texts, VALUE_OPTIONS.get(program, frozenset()))
    if program == "cargo":
        while out and out[0].startswith("+"):
            del out[0]  # `cargo +nightly publish`: a toolchain, not a subcommand
    if out and program == "npm":
        out[0] = npm_command(out[0])
    return out
