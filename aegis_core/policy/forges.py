"""Forge command lines (gh, glab, tea, hub, bb) that change something on the forge:
merging, closing, reopening, editing, locking, forking, transferring... Judged by what
they leave alone rather than by a list of changes: a forge grows new verbs every
release, and every verb that is not a read (list, view, diff, checks, checkout...) or
one of the few additive ones an agent uses all day (opening a pull request or an issue,
commenting on one) changes shared state someone else relies on, so a person says yes.

Global options before the subcommand (`gh -R acme/x pr merge 3`, `glab --repo=...`)
are skipped with their values, so they cannot hide the verb."""

from __future__ import annotations

# Options of each forge that come before the subcommand and take a value.
_GLOBAL_VALUES: dict[str, frozenset[str]] = {
    "gh": frozenset({"-R", "--repo", "--hostname"}),
    "glab": frozenset({"-R", "--repo", "--group", "-g"}),
    "tea": frozenset({"--login", "-l", "--repo", "-r", "--remote", "-R", "--output", "-o"}),
    "hub": frozenset({"-C", "-c"}),
    "bb": frozenset({"--repo", "-r", "--workspace", "-w"}),
}
# Words naming the things on the forge that have verbs (resource, then verb).
_RESOURCES: dict[str, frozenset[str]] = {
    "gh": frozenset({"pr", "issue", "repo", "release", "gist", "run", "workflow", "secret", "variable", "label",
                     "cache", "ruleset", "project", "codespace", "cs", "ssh-key", "gpg-key", "org", "attestation",
                     "extension", "ext", "alias"}),
    "glab": frozenset({"mr", "issue", "repo", "release", "ci", "pipeline", "variable", "schedule", "label", "snippet",
                       "deploy-key", "ssh-key", "gpg-key", "token", "project", "incident", "milestone", "stack",
                       "cluster", "user", "iteration", "securefile", "job", "runner", "alias"}),
    "tea": frozenset({"pulls", "pull", "pr", "issues", "issue", "i", "releases", "release", "r", "repos", "repo",
                      "labels", "label", "milestones", "milestone", "ms", "times", "time", "t", "organizations",
                      "organization", "org", "webhooks", "webhook", "hooks", "branches", "branch", "actions", "comment",
                      "c", "admin"}),
    "hub": frozenset({"pr", "issue", "release", "gist", "fork", "create", "delete", "pull-request", "api", "sync",
                      "browse", "compare", "ci-status", "merge"}),
    "bb": frozenset({"pr", "pullrequest", "pullrequests", "issue", "issues", "repo", "repository", "pipeline",
                     "pipelines", "branch", "branches", "project", "webhook", "deploy-key"}),
}
# Verbs that only read (or copy the forge's data here).
_READS = frozenset({"list", "ls", "view", "show", "status", "diff", "checks", "checkout", "co", "clone", "browse",
                    "search", "download", "watch", "trace", "get", "help", "lint", "log", "logs", "ci-status",
                    "compare", "info", "describe", "verify", "current", "--help", "-h", "set-default", "sync-local",
                    "contributors", "credits", "changelog", "code", "diffs", "activity", "artifacts", "config",
                    "export", "ports", "ssh", "cp", "jupyter", "stop", "select", "tags", "retrieve"})
# Additive verbs an agent uses as part of ordinary work, per resource: open a pull
# request or an issue, comment on one, draft a review.
_ADDITIVE: dict[str, frozenset[str]] = {
    "pr": frozenset({"create", "comment", "review", "new", "c"}),
    "mr": frozenset({"create", "note", "new"}),
    "issue": frozenset({"create", "comment", "note", "new"}), "issues": frozenset({"create", "c"}),
    "pulls": frozenset({"create", "c"}), "pull": frozenset({"create", "c"}), "i": frozenset({"create", "c"}),
    "pullrequest": frozenset({"create"}), "pullrequests": frozenset({"create"}),
    "repo": frozenset({"create"}),  # private, without --push: publishing a repo is the publish check's
    "codespace": frozenset({"create"}), "cs": frozenset({"create"}),
}
# hub commands that are reads, or local-only, or creations of one's own pull request.
_HUB_SAFE = frozenset({"browse", "compare", "ci-status", "pull-request", "sync", "merge"})

_GIT_READS = frozenset({"status", "log", "diff", "show", "fetch", "clone", "blame", "grep", "ls-files", "rev-parse",
                        "describe", "shortlog", "version", "help", "--version"})

PROGRAMS = frozenset(_RESOURCES)


def _positionals(texts: list[str], takes_value: frozenset[str]) -> list[str]:
    words: list[str] = []
    skip = False
    for text in texts:
        if skip:
            skip = False
        elif text in takes_value:
            skip = True
        elif not text.startswith("-"):
            words.append(text)
    return words


def forge_words(program: str, texts: list[str]) -> list[str]:
    """The words of a forge command line after its global options (and their values)."""
    takes_value = _GLOBAL_VALUES.get(program, frozenset())
    i = 0
    while i < len(texts):
        text = texts[i]
        if text == "--":
            i += 1
            break
        if not text.startswith("-") or text == "-":
            break
        if text in takes_value:
            i += 1
        i += 1
    return texts[i:]


def forge_verb_change(program: str, texts: list[str]) -> str | None:
    """Why a forge command line changes something on the forge, judged by its verb, or
    None when it reads, works here, or adds a pull request, issue or comment."""
    rest = forge_words(program, texts)
    if "--help" in rest or "-h" in rest or not rest:
        return None
    resource = rest[0]
    if resource not in _RESOURCES.get(program, frozenset()) and program != "hub":
        return None
    if program == "hub":
        if resource not in _RESOURCES["hub"]:
            # hub passes every other word to git, where git's own checks never see it.
            if resource in _GIT_READS:
                return None
            return f"hub {resource} is git run through hub: run it as git so git's own rules judge it"
        if resource in _HUB_SAFE:
            return None
        if resource in ("fork", "create", "delete"):
            return f"hub {resource} changes repositories on the forge"
        if resource == "api":
            return None  # the API check judges the method and fields
    verbs = _positionals(rest[1:], _GLOBAL_VALUES.get(program, frozenset()))
    if not verbs:
        return None  # `tea pulls`, `hub issue`: the resource alone lists it
    verb = verbs[0]
    if verb in _READS or verb.isdigit() or verb in _ADDITIVE.get(resource, frozenset()):
        return None
    if resource == "alias" and verb not in ("set", "import"):
        return None
    return f"{program} {resource} {verb} changes shared state on the forge (someone else relies on it)"
