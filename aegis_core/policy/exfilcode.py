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
from aegis_core.policy.cues import Cued, OutOfTries, Together, distinct_words, holds_any
from aegis_core.policy.filetext import file_text
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

# A network tool run with something to send or somewhere to reach, later on its line.
_TOOL_SEND = (r"(?<![\w-])(?:curl|wget|nc|ncat|netcat|socat|scp|rsync|nslookup|dig)\s+[^\n]*?(?:https?://|@|-d\b"
              r"|--data|-T\b|-F\b|\$\(|`|\s[\w.-]+\.[a-z]{2,}\b)")
# Reaching the network, in the languages agents write.
NETWORK_SEND = re.compile(
    r"\burlopen\b|urllib\.request|\brequests\.(?:post|put|patch|get|request|Session)\b|\bhttpx\.|http\.client"
    r"|HTTPS?Connection|\baiohttp\b|\bsocket\.(?:socket|create_connection)|\.sendall\(|\bsmtplib\b|\bftplib\b"
    r"|\bparamiko\b|\bpycurl\b|\bwebsocket|\bfetch\s*\(|\baxios\b|\bgot\s*\(|node-fetch|\bhttps?\.(?:request|get)\s*\("
    r"|require\(\s*['\"](?:node:)?(?:https?|net|dgram|tls)['\"]\s*\)\s*\.\w+\s*\("
    r"|['\"](?:curl|wget|nc|ncat|socat|scp|rsync|sftp|ftp|nslookup|dig)['\"]\s*,"
    r"|\bnet\.(?:connect|createConnection|Socket)|new\s+WebSocket|XMLHttpRequest|sendBeacon|Net::HTTP|HTTParty"
    r"|Faraday|RestClient|open-uri|URI\.open|LWP::|HTTP::Tiny|IO::Socket|curl_(?:exec|init)"
    r"|file_get_contents\(\s*['\"]https?|fsockopen|stream_socket_client|http\.(?:Post|Get|NewRequest|DefaultClient)"
    r"|gethostbyname|getaddrinfo|dns\.(?:lookup|resolve\w*)|Resolv::DNS|net\.Dial|\breqwest\b|\bureq\b"
    r"|HttpClient|WebClient|Invoke-(?:WebRequest|RestMethod)|dns\.resolver"
    r"|" + _TOOL_SEND)
# The whole environment, rather than one variable an API client reads.
WHOLE_ENVIRONMENT = re.compile(
    r"(?:dict|str|repr|list|vars|json\.dumps|bytes)\(\s*(?:dict\(\s*|\{\s*\*\*\s*)?[\w.()'\"]{0,40}?\benviron\b\s*[)}]"
    r"|\benviron\.(?:items|values)\(\)|\{\s*\*\*\s*[\w.()'\"]{0,40}?\benviron\s*\}|\bos\.environ\s*\}"
    r"|\benvironb\b"
    r"|JSON\.stringify\(\s*process\.env\s*[,)]|Object\.(?:entries|values)\(\s*process\.env\s*\)"
    r"|(?:post|put|patch|send|write|request|emit|publish)\w*\s*\([^)\n]{0,80}\.\.\.process\.env\b|\bbody\s*:\s*process\.env\b|ENV\.(?:to_h|to_a|each|map|inspect)\b|%ENV\b|\$_ENV\b"
    r"|getenv\(\s*\)|os\.Environ\(\)|System\.getenv\(\s*\)|std::env::vars|\benv::vars\(\)"
    r"|(?:^|[|;&]\s*|\$\(\s*|`)(?:printenv|env|export\s+-p)\s*(?:[|>)`;]|$)"
    r"|/proc/(?:self|\d+|\$\$)/environ|Deno\.env\.toObject\(\)|Bun\.env\b\s*[,)]"
    r"|(?:log|info|dir|print|send|write|post|put|stringify|inspect|format|encode)\w*\(\s*process\.env\s*\)", re.M)
# Commands, in a string, a script or an argv list, that print a token or a stored secret.
SECRET_COMMANDS = re.compile((
    r"\b(?:gh{S}auth{S}token|gh{S}auth{S}status{S}(?:-t|--show-token)|git{S}credential{S}fill"
    r"|aws{S}configure{S}(?:get|export-credentials)|aws{S}sts{S}get-session-token|gcloud{S}auth{S}print-\w+-token"
    r"|security{S}find-(?:generic|internet)-password|op{S}read|vault{S}(?:kv{S})?read|kubectl{S}get{S}secrets?"
    r"|az{S}account{S}get-access-token|npm{S}token|docker-credential-\w+{S}get)").replace("{S}", r"[\s'\",]+"))
# The project's own secret files read into the program (not handed to a loader).
_READS_ENV_FILE = re.compile(r"(?:open|read_text|readFileSync|readFile|File\.read|file_get_contents|Path)\(\s*['\"]"
                             r"[^'\"]*(?:\.env(?:\.[\w.-]+)?|\.dev\.vars|secrets?\.(?:json|ya?ml|toml)"
                             r"|credentials\.json|master\.key)['\"]")
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


# The environment under another name (`env = os.environ`, `const env = process.env;`),
# and that name handed over whole (`json.dumps(env)`, `body: JSON.stringify(env)`).
_ENV_ALIAS = re.compile(r"(?m)^\s*(?:(?:const|let|var)\s+)?(\w+)\s*=\s*(?:os\.environ|environ|process\.env)\s*;?\s*$")
_WHOLE_USE = (r"(?:(?:dict|str|repr|list|json\.dumps|stringify|entries|values|bytes)\(\s*|\.\.\.|\*\*"
              r"|(?:body|data|json|payload|params)\s*[=:]\s*|(?:send|sendall|write|post|put)\(\s*){name}\b(?!\s*[.\[])")


def _aliased_environment(text: str) -> str | None:
    for alias in _ENV_ALIAS.finditer(text):
        use = re.search(_WHOLE_USE.format(name=re.escape(alias.group(1))), text)
        if use:
            return f"{alias.group(0).strip()} ... {use.group(0)}"
    return None


def _stripped(found: re.Match[str]) -> str:
    return found.group(0).strip()


def _unordinary(found: re.Match[str]) -> str | None:
    return found.group(0) if found.group(0).lower() not in _ORDINARY_MENTIONS else None


# Every secret source, searched together in one pass (see cues.Together).
_SECRET_SOURCES: Together[str] = Together((
    *((p, _stripped) for p in (WHOLE_ENVIRONMENT, SECRET_COMMANDS, _HOME_SECRETS, _READS_ENV_FILE)),
    (SECRET_WORDS, _unordinary)))


def secret_source(text: str) -> str | None:
    """What in ``text`` takes a secret: the whole environment, a credential file, a
    command that prints a token; or None. The first in the text is enough: what follows
    cannot make the code take none."""
    found = _SECRET_SOURCES.first(text)
    if found is not None:
        return found
    return _aliased_environment(text) if "env" in text.lower() else None


def _on_disk(path: str) -> str:
    return file_text(path, MAX_TEXT)


# Words one of which every match of NETWORK_SEND holds (lower-cased): a few substring
# scans in C decide, for most code, that the regular expression need not run.
_NETWORK_WORDS = ("http", "url", "socket", "sendall", "smtp", "ftp", "paramiko", "curl", "fetch", "axios", "got",
                  "net", "xmlhttprequest", "sendbeacon", "faraday", "restclient", "open-uri", "uri.open", "lwp",
                  "file_get_contents", "fsockopen", "stream_socket", "getaddrinfo", "gethostbyname", "dns", "resolv",
                  "dial", "reqwest", "ureq", "webclient", "invoke-", "wget", "nc", "socat", "scp", "rsync", "dig",
                  "dgram", "tls", "websocket")
_SECRET_WORDS = ("env", "gh", "git", "aws", "gcloud", "security", "op", "vault", "kubectl", "az", "npm", "docker",
                 ".ssh", ".aws", ".gnupg", ".kube", ".azure", ".netrc", ".pgpass", "password", "walk", "secret",
                 "credential", "master.key", "id_", "key", "history", "token", "cookie", "login", "keychain",
                 ".config", ".mozilla", "chrome", "codex", "oauth", ".npmrc", ".pypirc", "tfstate", ".dev.vars",
                 ".pem", ".p12", ".pfx", "gcloud", ".docker", ".vault", ".my.cnf", "export")
_HIDDEN_WORDS = ("exec", "eval", "compile", "function")


def _has_any(low: str, words: tuple[str, ...]) -> bool:
    return holds_any(low, words)


# NETWORK_SEND without its last alternative, searched through a cue; that one is searched
# line by line: tried at every network tool's name, its lazy gap to the end of the line
# made a long line of them quadratic (16 s for 63 KB of `curl x `).
_CUED_NETWORK_CALLS = Cued(re.compile(NETWORK_SEND.pattern[:-len("|" + _TOOL_SEND)]))
_TOOLS = r"(?<![\w-])(?:curl|wget|nc|ncat|netcat|socat|scp|rsync|nslookup|dig)"
_TOOL = re.compile(_TOOLS + r"\s")
_TOOL_ENDING_LINE = re.compile(_TOOLS + r"[^\S\n]*\n")
_TOOL_SENDS = re.compile(_TOOL_SEND)


def _tool_send(text: str) -> re.Match[str] | None:
    """The first match of _TOOL_SEND, trying only the first tool of each line and the
    one ending it: where another matches, the first does too (its gap reaches the same
    end of line); only a tool with nothing after it goes on to the next line."""
    at = 0
    while (tool := _TOOL.search(text, at)) is not None:
        found = _TOOL_SENDS.match(text, tool.start())
        if found is not None:
            return found
        end = text.find("\n", tool.start())
        if end == -1:
            return None
        last = _TOOL_ENDING_LINE.search(text, tool.start() + 1, end + 1)
        if last is not None and (found := _TOOL_SENDS.match(text, last.start())) is not None:
            return found
        at = end
    return None


def _sends(text: str, low: str) -> re.Match[str] | None:
    """The first match of NETWORK_SEND in ``text`` (the same as its search), or None.
    ``low``: the text as its gates see it (cues.distinct_words, or the text lower-cased)."""
    if not _has_any(low, _NETWORK_WORDS):
        return None
    calls, tool = _CUED_NETWORK_CALLS.search(text), _tool_send(text)
    if calls is None or tool is None:
        return calls or tool
    return calls if calls.start() <= tool.start() else tool


def _takes(text: str, low: str) -> str | None:
    return secret_source(text) if _has_any(low, _SECRET_WORDS) else None


def written_texts(subject: Subject) -> list[tuple[str, str, bool]]:
    """(file, the code written to it, whether it is the whole file) for what this call
    writes and shows: a Write/Edit's new text, or a shell command's `echo`/`printf`/
    here-document/`tee` into a file (appending is not the whole file)."""
    if not subject.writes:
        return []
    if subject.segment is None:
        text = written_text(subject.call.input)
        if not text:
            return []
        return [(subject.writes[0], text[:MAX_TEXT], subject.call.input.get("content") is not None)]
    from aegis_core.policy.paths import normalise
    from aegis_core.policy.scripts import _written

    segments = subject.analysis.segments if subject.analysis is not None else ()
    out = []
    for written, text, appended in _written(subject.segment, segments):
        path = normalise(written, subject.cwd, subject.home) if text else None
        if path and text:
            out.append((path, text[:MAX_TEXT], not appended))
    return out


def written_exfiltration(subject: Subject) -> str | None:
    """Why the code this call puts into a file sends secrets away, or None."""
    for path, new, whole in written_texts(subject):
        found = _exfiltration(path, new, whole)
        if found:
            return found
    return None


def _exfiltration(path: str, new: str, whole: bool) -> str | None:
    if not _is_code(path, new):
        return None
    low = distinct_words(new)
    if whole and not (_has_any(low, _NETWORK_WORDS) and _has_any(low, _SECRET_WORDS)):
        return None  # a whole file needs both halves: a few substring scans rule most out
    sends = _sends(new, low)
    if sends is None and whole:
        return None  # the common case: code that reaches no network
    takes = _takes(new, low)
    if sends is None or takes is None:
        if whole or (sends is None and takes is None):
            return None
        # An edit: what it adds may complete what the file already holds.
        before = _on_disk(path)
        before_low = distinct_words(before)
        sends = sends or _sends(before, before_low)
        takes = takes or _takes(before, before_low)
        if sends is None or takes is None:
            return None
    return f"{os.path.basename(path)} would send {takes[:60]!r} over the network ({sends.group(0).strip()[:40]!r})"


# Code that decodes and runs a blob: what it does is not in the text to judge.
HIDDEN_CODE = re.compile(
    r"\b(?:exec|eval|compile)\s*\(\s*(?:[\w.]+\.)?(?:b64decode|b32decode|b85decode|a85decode|decodebytes|decompress"
    r"|unhexlify|fromhex|loads)\b|\b(?:exec|eval)\s*\(\s*(?:bytes\.fromhex|codecs\.decode|zlib\.|marshal\.|base64\."
    r"|bytes\(\s*\[)|\beval\s*\(\s*(?:atob|unescape|decodeURIComponent)\s*\(|\beval\s*\(\s*Buffer\.from\("
    r"|new\s+Function\s*\(\s*(?:atob|Buffer\.from)|\bFunction\s*\(\s*atob\(|\beval\s*\(\s*String\.fromCharCode"
    r"|\beval\s+\$\(\s*(?:echo|printf)[^)]*\|\s*base64\s+(?:-d|--decode)|\beval\s*\(\s*decode_base64"
    r"|\beval\s*\(\s*(?:base64_decode|gzinflate|gzuncompress|str_rot13)\s*\(|\.unpack1?\(['\"]m0?['\"]\)\s*\)?"
    r"\s*\.then|instance_eval\s*\(\s*Base64|eval\s*\(\s*Base64\.decode64")


def written_hidden_code(subject: Subject) -> str | None:
    """Why the code this call puts into a file hides what it runs, or None."""
    for path, text, _ in written_texts(subject):
        if _is_code(path, text) and _has_any(distinct_words(text), _HIDDEN_WORDS):
            try:
                found = _hidden_code(text)
            except OutOfTries:
                return (f"{os.path.basename(path)} has more than {_MOST_HIDDEN_TRIES} calls that could run "
                        "decoded code, more than Aegis reads one by one")
            if found:
                return f"{os.path.basename(path)} runs decoded code ({found.group(0)[:40]!r})"
    return None


# Where each of HIDDEN_CODE's alternatives can begin: the big alternation is tried only
# there (tried at every position of a long text it cost ~1 us a character). Each call
# alternative needs its `(` (`exec (`, `eval $(`, `new Function`): a word not followed by
# one is no place to try (64 KB of `exec ` took 10-20 ms, tried at each).
_HIDDEN_CUE = re.compile(r"(?:exec|eval|compile|Function)(?=\s*\()|eval(?=\s+\$\()|new(?=\s+Function)|\.unpack"
                         r"|instance_eval")
# Words one of which every match of HIDDEN_CODE holds (the decoding it runs): a text
# without any is not searched.
_DECODING_WORDS = ("decode", "decompress", "unhexlify", "fromhex", "loads", "zlib.", "marshal.", "base64", "Base64",
                   "bytes", "atob", "unescape", "Buffer.from", "fromCharCode", "gzinflate", "gzuncompress", "rot13",
                   "unpack")
# Places HIDDEN_CODE is tried at past which a text asks instead (a try costs ~1 us):
# ordinary code has a few dozen (`re.compile(` in a module that also `json.loads`).
_MOST_HIDDEN_TRIES = 2048


def _hidden_code(text: str) -> re.Match[str] | None:
    """HIDDEN_CODE's first match in ``text``, or None; OutOfTries past _MOST_HIDDEN_TRIES
    places tried."""
    if not holds_any(text, _DECODING_WORDS):
        return None
    for count, cue in enumerate(_HIDDEN_CUE.finditer(text)):
        if count == _MOST_HIDDEN_TRIES:
            raise OutOfTries
        found = HIDDEN_CODE.match(text, cue.start())
        if found:
            return found
    return None


def register(check: Callable) -> None:
    @check("written-hidden-code", 50, "code written to a file that decodes a blob and runs it (exec(b64decode(...)), "
           "eval(atob(...)))", needs=("call", "redirects"), programs=("tee",))
    def _hidden(subject: Subject) -> str | None:
        return written_hidden_code(subject)

    @check("written-exfiltration", 50, "code written to a file that reaches the network with the environment, "
           "credential files or printed tokens (requests.post(..., json=dict(os.environ)), fetch(u, "
           "{body: JSON.stringify(process.env)}), a script curling ~/.aws/credentials)", needs=("call", "redirects"),
           programs=("tee",))
    def _written(subject: Subject) -> str | None:
        return written_exfiltration(subject)
