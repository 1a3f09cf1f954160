"""What the cloud CLIs do when they only look: ``aws ... describe-*/list-*/get-*``,
``aws s3 ls``, ``gcloud ... list/describe``, ``az ... list/show``. Those run without a
prompt; any other operation (stopping, attaching a policy, opening a port, deploying,
setting a password, sending a command to a fleet...) asks, whatever its name, rather
than only the ones a list of dangerous words happens to name. Commands that print a
secret are caught before this (``secretchecks.credential-dump``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from aegis_core.policy.subcommands import positionals

if TYPE_CHECKING:
    from aegis_core.policy.facts import Subject

CLOUD_CLIS = frozenset({"aws", "gcloud", "az", "gsutil"})
_AWS_READ_PREFIXES = ("describe-", "list-", "get-", "head-", "lookup-", "search-", "batch-get-", "validate-",
                      "estimate-", "preview-", "simulate-", "test-", "check-", "detect-", "filter-", "query-")
_AWS_READ_OPS = frozenset({"ls", "tail", "scan", "query", "wait", "help", "get-caller-identity", "list",
                           "get-item", "get-log-events", "filter-log-events", "select-object-content"})
# Reads that write a local file or hand out access.
_AWS_NOT_READ = frozenset({"get-object", "get-object-torrent", "get-login", "get-session-token", "presign"})
_AWS_READ_CONFIGURE = frozenset({"list", "list-profiles"})

_GCLOUD_READ = frozenset({"list", "describe", "get-value", "get-iam-policy", "read", "info", "version", "help",
                          "tail", "list-tags", "list-grantable-roles", "list-testable-permissions", "get-ancestors",
                          "get-ancestors-iam-policy", "get-effective-org-policy", "get-serial-port-output",
                          "get-screenshot", "describe-instance-templates", "ls", "du", "stat"})
# Verbs that change something (or hand out access): a read verb after one of them is a
# resource's name (`gcloud sql instances delete list`).
_CHANGING_VERBS = ("add-", "remove-", "set-", "get-", "list-", "describe-", "create", "delete", "update",
                       "deploy", "import", "export", "patch", "attach", "detach", "enable", "disable", "start", "stop",
                       "reset", "resize", "restart", "submit", "apply", "rollback", "cancel", "run", "execute",
                       "call", "publish", "login", "revoke", "activate", "ssh", "scp", "connect", "promote",
                       "failover", "clone", "move", "rename", "undelete", "restore", "rotate", "suspend",
                       "resume", "sign", "encrypt", "decrypt", "copy", "cp", "mv", "rm", "rsync", "mb", "rb",
                       "print-", "configure", "init", "config-helper", "upload", "download", "deallocate",
                       "invoke", "assign", "purge", "sync", "generate", "renew", "regenerate", "grant", "scale",
                       "swap", "redeploy", "reimage", "get-")
_AZ_READ = frozenset({"list", "show", "exists", "wait", "version", "help", "find", "query", "tail"})
_GSUTIL_READ = frozenset({"ls", "du", "stat", "version", "help", "hash"})


def _aws(words: list[str]) -> bool:
    if not words or words[0] == "help" or words[-1] == "help":
        return True
    if len(words) < 2:
        return False
    service, op = words[0], words[1]
    if service == "configure":
        return op in _AWS_READ_CONFIGURE
    if op in _AWS_NOT_READ:
        return False
    return op in _AWS_READ_OPS or op.startswith(_AWS_READ_PREFIXES)


def _verb_reads(words: list[str], read: frozenset[str], read_prefixes: tuple[str, ...]) -> bool:
    """gcloud and az: GROUP [GROUP...] VERB [NAME...]. The first word is always a group
    (`gcloud run`, `gcloud deploy` are groups); the first verb found decides."""
    for word in words[1:]:
        if word in read or word.startswith(read_prefixes):
            return True
        if word.startswith(_CHANGING_VERBS):
            return False
    return False


def _gcloud(words: list[str]) -> bool:
    if not words or words[0] in ("info", "version", "help") or words[-1] == "help":
        return True
    return _verb_reads(words, _GCLOUD_READ, ("list-", "describe-"))


def _az(words: list[str]) -> bool:
    if not words or words[0] in ("version", "help") or words[-1] == "help":
        return True
    return _verb_reads(words, _AZ_READ, ("list-", "show-"))


def reads_only(program: str, texts: list[str]) -> bool:
    """True when this cloud CLI command only looks at resources."""
    words = positionals(program, texts)
    if program == "aws":
        return _aws(words)
    if program == "gcloud":
        return _gcloud([w for w in words if w not in ("alpha", "beta", "preview")])
    if program == "az":
        return _az(words)
    if program == "gsutil":
        return not words or words[0] in _GSUTIL_READ
    return False


# Copies from a bucket, per CLI: the words that start them.
_BUCKET_COPIES = {"aws": (["s3", "cp"], ["s3", "sync"]), "gsutil": (["cp"], ["rsync"]),
                  "gcloud": (["storage", "cp"], ["storage", "rsync"])}
_BUCKET_SCHEMES = ("s3://", "gs://")


def bucket_download(program: str, texts: list[str]) -> tuple[list[str], str] | None:
    """(the bucket objects, the local file or folder) of a copy from a bucket to this
    machine (`aws s3 cp s3://b/x public/`, `gsutil rsync gs://b/d data`), or None."""
    if program not in _BUCKET_COPIES:
        return None
    words = positionals(program, texts)
    for start in _BUCKET_COPIES[program]:
        if words[:len(start)] == start:
            places = words[len(start):]
            break
    else:
        return None
    if len(places) < 2 or not all(p.startswith(_BUCKET_SCHEMES) for p in places[:-1]) or "://" in places[-1] \
            or places[-1] == "-":
        return None
    return places[:-1], places[-1]


def downloads_into_project(subject: Subject) -> str | None:
    """``aws s3 cp s3://bucket/logo.png public/``, ``gsutil cp gs://b/data.csv .``: a
    copy from a bucket into the project, deleting nothing (no ``--delete``/``-d``)."""
    seg = subject.segment
    if seg is None or seg.program not in _BUCKET_COPIES:
        return None
    texts = list(seg.argv[1:])
    if bucket_download(seg.program, texts) is None or any(a.dynamic for a in seg.args[1:]) or any(
            t in ("--delete", "-d", "--delete-unmatched-destination-objects") for t in texts):
        return None
    if not subject.writes and not subject.reads:
        return None
    if all(subject.within_project(p) for p in subject.paths):
        return f"{seg.program} copies from a bucket into the project"
    return None


def register(check: Callable) -> None:
    @check("cloud-download", 0, "a copy from a bucket into the project (aws s3 cp s3://... ., gsutil cp gs://... .)",
           programs=tuple(_BUCKET_COPIES))
    def _download(subject: Subject) -> str | None:
        return downloads_into_project(subject)

    @check("cloud-change", 35, "a cloud CLI command that does more than look (anything but describe/list/get/"
           "show): stopping, deploying, attaching policies, opening ports, setting passwords...", programs=CLOUD_CLIS)
    def _cloud_change(subject: Subject) -> str | None:
        seg = subject.segment
        if seg is None or seg.program not in CLOUD_CLIS or reads_only(seg.program, list(seg.argv[1:])) \
                or downloads_into_project(subject):
            return None
        words = positionals(seg.program, list(seg.argv[1:]))
        return f"{seg.program} {' '.join(words[:3])} changes or reaches into cloud resources"

    @check("cloud-read-only", 0, "a cloud CLI command that only looks (aws describe-*/list-*/get-*, s3 ls, gcloud "
           "list/describe, az list/show)", programs=CLOUD_CLIS)
    def _cloud_read(subject: Subject) -> str | None:
        seg = subject.segment
        if seg is None or seg.program not in CLOUD_CLIS:
            return None
        return f"{seg.program} only reads" if reads_only(seg.program, list(seg.argv[1:])) else None
