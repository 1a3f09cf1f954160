"""Code the agent writes that sends secrets away when it runs: a Python, JavaScript,
Ruby, Go, shell... file (by its name or its ``#!`` line) whose text both reaches the
network (urllib, requests, fetch, axios, sockets, Net::HTTP, curl...) and takes what
it would send from a secret source: the whole environment (``dict(os.environ)``,
``JSON.stringify(process.env)``, ``printenv``), credential files (``~/.ssh``,
``~/.aws``, browser and agent logins) or commands that print tokens. Written now and
run by the next call (or by a test runner, a hook, a person), it is judged now: the
write asks, and the user sees the content with the approval. Either half alone is
ordinary code (an API client reading one key from the environment; a script that
copies the environment into a subprocess), so only the two together count; an edit
counts when what it adds completes the pair with what the file already holds."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from aegis_core.policy.autorun import written_text
from aegis_core.policy.netchecks import SECRET_WORDS

if TYPE_CHECKING:
    from aegis_core.policy.facts import Subject

MAX_TEXT = 64 * 1024
_CODE_SUFFIXES = (".py", ".pyw", ".pyi", ".ipynb", ".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".jsx", ".tsx",
                  ".rb", ".rake", ".pl", ".pm", ".php", ".sh", ".bash", ".zsh", ".ksh", ".fish", ".ps1", ".psm1",
                  ".go", ".rs", ".java", ".kt", ".kts", ".groovy", ".gradle", ".lua", ".r", ".swift", ".cs", ".scala",
                  ".ex", ".exs", ".dart", ".jl", ".command", ".bat", ".cmd", ".vbs", ".applescript", ".mk")
_CODE_NAMES = frozenset({"Makefile", "makefile", "GNUmakefile", "Rakefile", "Gemfile", "Dockerfile", "Justfile",
                         "justfile", "Taskfile.yml", "package.json", "composer.json", "Vagrantfile", "Jenkinsfile"})
_SHEBANG = re.compile(r"^#!")

# Reaching the network, in the languages agents write.
NETWORK_SEND = re.compile(
    r"\burlopen\b|urllib\.request|\brequests\.(?:post|put|patch|get|request|Session)\b|\bhttpx\.|http\.client"
    r"|HTTPS?Connection|\baiohttp\b|\bsocket\.(?:socket|create_connection)|\.sendall\(|\bsmtplib\b|\bftplib\b"
    r"|\bparamiko\b|\bpycurl\b|\bwebsocket|\bfetch\s*\(|\baxios\b|\bgot\s*\(|node-fetch|\bhttps?\.(?:request|get)\s*\("
    r"|\bnet\.(?:connect|createConnection|Socket)|new\s+WebSocket|XMLHttpRequest|sendBeacon|Net::HTTP|HTTParty"
    r"|Faraday|RestClient|open-uri|URI\.open|LWP::|HTTP::Tiny|IO::Socket|curl_(?:exec|init)"
    r"|file_get_contents\(\s*['\"]https?|fsockopen|stream_socket_client|http\.(?:Post|Get|NewRequest|DefaultClient)"
    r"|gethostbyname|getaddrinfo|dns\.(?:lookup|resolve\w*)|Resolv::DNS|net\.Dial|\breqwest\b|\bureq\b"
    r"|HttpClient|WebClient|Invoke-(?:WebRequest|RestMethod)|dns\.resolver"
    r"|(?<![\w-])(?:curl|wget|nc|ncat|netcat|socat|scp|rsync|nslookup|dig)\s+[^\n]*?(?:https?://|@|-d\b|--data|-T\b"
    r"|-F\b|\$\(|`|\s[\w.-]+\.[a-z]{2,}\b)")
# The whole environment, rather than one variable an API client reads.
WHOLE_ENVIRONMENT = re.compile(
    r"dict\(\s*os\.environ\s*\)|json\.dumps\(\s*(?:dict\(\s*)?os\.environ\b|str\(\s*os\.environ\s*\)"
    r"|os\.environ\.items\(\)|repr\(\s*os\.environ|\bos\.environ\s*\}|environ\.keys\(\)|os\.environb\b"
    r"|JSON\.stringify\(\s*process\.env\s*[,)]|Object\.(?:entries|keys|values)\(\s*process\.env\s*\)"
    r"|\.\.\.process\.env\b|\bbody\s*:\s*process\.env\b|ENV\.(?:to_h|to_a|each|map|inspect)\b|%ENV\b|\$_ENV\b"
    r"|getenv\(\s*\)|os\.Environ\(\)|System\.getenv\(\s*\)|std::env::vars|\benv::vars\(\)"
    r"|(?:^|[|;&]\s*|\$\(\s*|`)(?:printenv|env|export\s+-p)\s*(?:[|>)`;]|$)"
    r"|/proc/(?:self|\d+|\$\$)/environ|Deno\.env\.toObject\(\)|Bun\.env\b\s*[,)]|process\.env\s*\)", re.M)
# Commands, in a string or a script, that print a token or a stored secret.
SECRET_COMMANDS = re.compile(
    r"gh\s+auth\s+token|gh\s+auth\s+status\s+(?:-t|--show-token)|git\s+credential\s+fill"
    r"|aws\s+configure\s+(?:get|export-credentials)|aws\s+sts\s+get-session-token|gcloud\s+auth\s+print-\w+-token"
    r"|security\s+find-(?:generic|internet)-password|op\s+read|vault\s+(?:kv\s+)?read|kubectl\s+get\s+secrets?"
    r"|az\s+account\s+get-access-token|npm\s+token|docker-credential-\w+\s+get")
# Home folders as written in code (`Path.home() / ".ssh"`, `"~/.aws"` split in two).
_HOME_SECRETS = re.compile(r"['\"]\.(?:ssh|aws|gnupg|kube|docker|azure|netrc|git-credentials|pgpass|vault-token"
                           r"|password-store)['\"]|['\"]\.config/gcloud|walk\(\s*(?:os\.path\.expanduser\(\s*['\"]~"
                           r"['\"]\s*\)|Path\.home\(\)|os\.environ\[['\"]HOME['\"]\]|['\"]/home)")
# What SECRET_WORDS finds that code names all day without reading a secret: the
# project's .env (load_dotenv), a CA bundle or client certificate handed to a client.
_ORDINARY_MENTIONS = frozenset({".env", ".pem", ".p12", ".pfx"})


def _is_code(path: str, text: str) -> bool:
    name = os.path.basename(path)
    return name.lower().endswith(_CODE_SUFFIXES) or name in _CODE_NAMES or bool(_SHEBANG.match(text)) \
        or "/bin/" in path or "/.git/hooks/" in path or "/.husky/" in path


def secret_source(text: str) -> str | None:
    """What in ``text`` takes a secret: the whole environment, a credential file, a
    command that prints a token; or None."""
    for pattern in (WHOLE_ENVIRONMENT, SECRET_COMMANDS, _HOME_SECRETS):
        found = pattern.search(text)
        if found:
            return found.group(0).strip()
    for found in SECRET_WORDS.finditer(text):
        if found.group(0).lower() not in _ORDINARY_MENTIONS:
            return found.group(0)
    return None


def _on_disk(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read(MAX_TEXT)
    except (OSError, ValueError):
        return ""


def written_exfiltration(subject: Subject) -> str | None:
    """Why the code this Write/Edit puts into a file sends secrets away, or None."""
    if subject.segment is not None or not subject.writes:
        return None
    new = written_text(subject.call.input)
    if not new:
        return None
    new = new[:MAX_TEXT]
    path = subject.writes[0]
    if not _is_code(path, new):
        return None
    sends, takes = NETWORK_SEND.search(new), secret_source(new)
    if sends is None and takes is None:
        return None
    if sends is None or takes is None:
        # An edit: what it adds may complete what the file already holds.
        if subject.call.input.get("content") is not None:
            return None
        before = _on_disk(path)
        sends = sends or NETWORK_SEND.search(before)
        takes = takes or secret_source(before)
        if sends is None or takes is None:
            return None
    return f"{os.path.basename(path)} would send {takes[:60]!r} over the network ({sends.group(0).strip()[:40]!r})"


def register(check: Callable) -> None:
    @check("written-exfiltration", 50, "code written to a file that reaches the network with the environment, "
           "credential files or printed tokens (requests.post(..., json=dict(os.environ)), fetch(u, "
           "{body: JSON.stringify(process.env)}), a script curling ~/.aws/credentials)", needs=("call",))
    def _written(subject: Subject) -> str | None:
        return written_exfiltration(subject)
