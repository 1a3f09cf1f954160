"""Checks for code and data crossing boundaries: downloads run as code, uploads,
reverse shells, interpreter one-liners, credential dumps, destructive SQL, killing
everything, and scripts run from outside the project."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from aegis_core.policy.argpaths import CURL_LIKE, HTTPIE_LIKE, curl_options
from aegis_core.policy.paths import normalise
from aegis_core.policy.places import is_scratch
from aegis_core.policy.projectcode import literal_runs, project_file_work
from aegis_core.policy.secretshapes import host_is_local

if TYPE_CHECKING:
    from aegis_core.policy.facts import Subject
    from aegis_core.policy.shell import Segment

FETCHERS = frozenset({"curl", "wget", "fetch", "nc", "ncat", "netcat", "socat", "aria2c", "http",
                      "https", "httpie", "lwp-request", "ftp", "tftp", "ssh", "scp", "telnet", "gh",
                      "lynx", "links", "w3m", "xh", "curlie"})
# A one-liner that downloads (its output piped into a shell is downloaded code).
_CODE_DOWNLOADS = re.compile(r"urlopen|urlretrieve|requests\.get|httpx|http\.client|fetch\(|https?\.get|Net::HTTP"
                             r"|require\(\s*['\"]https?['\"]\s*\)"
                             r"|open-uri|LWP|HTTP::Tiny|file_get_contents\(\s*['\"]https?|curl_exec|WebClient"
                             r"|Invoke-WebRequest|Invoke-RestMethod")
_DECODER_NAMES = frozenset({"xxd", "uudecode", "rev", "openssl", "gunzip", "zcat", "bzcat", "xzcat",
                            "base32", "basenc", "gpg", "unxz", "lzcat"})
_DECODE_FLAG = re.compile(r"^(-d|-D|--decode|-r|-base64|-a)$")

_INLINE_DANGER = re.compile(
    r"\b(os\.system|subprocess|os\.popen|os\.exec\w*|os\.spawn\w*|pty\.spawn|commands\.getoutput"
    r"|shutil\.rmtree|os\.remove|os\.unlink|os\.rmdir|\.unlink\(|rmtree|os\.chmod|os\.kill"
    r"|child_process|execSync|spawnSync|execFile|rmSync|rmdirSync|unlinkSync|writeFileSync|appendFileSync|copyFileSync|renameSync|\bexec\(|\beval\(|\bcompile\(|__import__"
    r"|shutil\.copy\w*|\bcopyFile\b|\bcpSync\b|FileUtils\.cp\b"
    r"|fs\.(rm|rmdir|unlink|writeFile|rmSync|rmdirSync|unlinkSync|writeFileSync)\w*"
    r"|rimraf|File\.delete|FileUtils\.rm\w*|Dir\.rmdir|shell_exec|passthru|proc_open|popen"
    r"|system\s*\(|\bsystem\b\s*[\"'$]|\bexec\s+[\"'${]|Kernel\.exec|IO\.popen|%x\{|\bunlink\b|\brmdir\b"
    r"|b64decode|base64\.decode|atob\(|Buffer\.from\([^)]*base64|fromhex|codecs\.decode"
    r"|socket|urllib|requests\.|http\.client|fetch\(|XMLHttpRequest|Net::HTTP|LWP::|open-uri"
    r"|setuid|ctypes|sudo\b|rm\s+-[a-zA-Z]*[rf]"
    # commands run from Erlang/Elixir, Groovy, the JVM, Swift, Julia, R and Tcl
    r"|os:cmd|System\.cmd|:os\.cmd|\.execute\(\s*\)|Runtime\.getRuntime|ProcessBuilder|\bProcess\(\s*\)"
    r"|\brun\s*\(\s*`|\bsystem2\s*\(|^\s*exec\s+\w|[;\[]\s*exec\s+\w)"
)
# Process runners of libraries and runtimes: execa, zx's and Bun's $`...`, Deno.Command,
# Bun.spawn, Ruby's Open3, Python's sh and plumbum.
_INLINE_RUNNERS = re.compile(
    r"\bexeca\w*|\$`|\bDeno\.(?:Command|run)\b|\bBun\.spawn\w*|\bOpen3\.|\bimport\s+sh\b|\bfrom\s+sh\s+import\b"
    r"|\bplumbum\b"
)
_INLINE_WRITE = re.compile(r"open\([^)]*['\"][wa]\+?b?['\"]|write_text|write_bytes|writeFile|File\.write"
                           r"|>\s*\"|>>\s*\"|print\s*>\s*\"")
_AWK_DANGER = re.compile(r"system\s*\(|\|\s*getline|\|\s*\"|\"\s*\|&|print[^;}]*>\s*\"|printf[^;}]*>\s*\""
                         r"|/inet/")
_BACKTICK_EXEC = re.compile(r"`[^`]+`|qx[{(/]")
SECRET_WORDS = re.compile(r"(?i)((?<![\w$])\.env\b(?!\.example|\.sample|\.template)|\.ssh/|id_rsa|id_ed25519|id_ecdsa"
                          r"|\.aws/|\.kube/config|\.netrc|\.npmrc|\.pypirc|\.docker/config\.json"
                          r"|\.pem\b|\.p12\b|\.pfx\b|gh/hosts\.yml|\.git-credentials|\.gnupg|/environ\b"
                          r"|\.\w+_history\b|\.pgpass|\.my\.cnf|\.vault-token|\.credentials\.json|oauth_creds"
                          r"|\.codex/auth|\.password-store|[Kk]eychains?/|Login Data|key4\.db|logins\.json"
                          r"|\.config/gcloud|\.azure/|application_default_credentials|\.dev\.vars|master\.key"
                          r"|\.tfstate\b|\.mozilla/|google-chrome/|\bdotenv_values\b|\bfind_dotenv\b|\bread_dotenv\b)")
_REVERSE_NET = re.compile(r"socket|fsockopen|TCPSocket|net\.connect|net\.Socket|new\s+Socket|/dev/tcp/")
_REVERSE_EXEC = re.compile(r"subprocess|pty\.spawn|dup2|\bexec|/bin/(ba|z|da)?sh|spawn|system|popen"
                           r"|cmd\.exe|child_process")
SQL_CLIENTS = frozenset({"psql", "mysql", "mariadb", "sqlite3", "sqlcmd", "clickhouse-client",
                         "clickhouse", "cockroach", "mongosh", "mongo", "redis-cli", "cqlsh", "duckdb",
                         "pgcli", "mycli", "litecli", "valkey-cli", "keydb-cli"})
SQL_DESTRUCTIVE = re.compile(
    r"(?i)\b(drop\s+(database|table|schema|keyspace|collection|index|user|role|view|owned|materialized\s+view"
    r"|sequence|function|procedure|trigger|type|extension|tablespace)\b"
    r"|truncate\s+(table\s+)?(only\s+)?[\w\"`.#{}$]+|flushall\b|flushdb\b|dropDatabase\s*\(|\.drop\s*\(\s*\)"
    # DELETE with no WHERE: the statement ends, or the rows are only returned (a CTE)
    r"|delete\s+from\s+(only\s+)?[\w\"`.]+\s*(;|$|\"|'|\)|returning\b)|alter\s+table\s+\S+\s+drop\b"
    # a WHERE that holds for every row (1=1, true, 1, x=x, 1<>0, id > 0) is no WHERE
    r"|delete\s+from\s+(only\s+)?[\w\"`.]+\s+where\s+\(?\s*(true|not\s+false|1|'?(?P<same>\w+)'?\s*=\s*'?(?P=same)'?"
    r"|(?P<num>\d+)\s*(<>|!=)\s*(?!(?P=num)\b)\d+|\S+\s+is\s+not\s+null"
    r"|(\w+\.)?(rowid|oid|id|_id|\w+_id)\s*(>=?\s*0|>\s*-\d+))"
    r"\s*\)?(?!\s+and\b)(?=\s|;|$|\"|')"
    # an UPDATE without a WHERE changes every row
    r"|update\s+[\w\"`.]+\s+set\s+(?:(?!\bwhere\b)[^;])*?(;|$|\"\s*$|'\s*$)"
    # MongoDB: every document, or a filter every document matches ($gte: 0, $exists, $ne: null)
    r"|(deleteMany|remove)\s*\(\s*\{\s*(\}|[^)]*\$(gte?|ne|exists|nin|regex|where)\b)"
    r"|updateMany\s*\(\s*\{\s*\})"
)


def port_probe(seg: Segment) -> str | None:
    """``nc -z localhost 5432``, ``nc -zv db 5432`` (a compose service): whether a port
    answers, zero bytes sent, to this machine or a name without dots. Anything fed in, a
    program to run, or a listening socket is not this."""
    if seg.pipe_from or seg.redirects or seg.stdin_text or any(a.dynamic for a in seg.args[1:]):
        return None
    flags = "".join(t[1:] for t in seg.argv[1:] if t.startswith("-") and not t.startswith("--"))
    if "z" not in flags or set(flags) - set("zvnw0123456789u46"):
        return None  # only -z with harmless switches (-v, -n, -w N, -u, -4/-6)
    words = [t for t in seg.argv[1:] if not t.startswith("-") and not t.isdigit() and "-" not in t.strip("0123456789")]
    hosts = [w for w in words if not w.replace("-", "").isdigit()]
    if len(hosts) != 1:
        return None
    host = hosts[0]
    local = host_is_local(host) or host in ("0.0.0.0", "::1")  # noqa: S104  (a host tested, not a bind)
    if local or re.fullmatch(r"[A-Za-z][\w-]*", host):
        return f"{seg.program} -z only tests whether {host} answers"
    return None


def _segments(subject: Subject) -> tuple[Segment, ...]:
    return subject.analysis.segments if subject.analysis else ()


def _is_decoder(seg: Segment) -> bool:
    texts = [a.text for a in seg.args[1:]]
    if seg.program in ("base64", "base32", "basenc", "openssl") and any(_DECODE_FLAG.match(t) for t in texts):
        return True
    return (seg.program in _DECODER_NAMES and seg.program not in ("openssl",)) or \
        (seg.program == "printf" and any("\\x" in t for t in texts))


# Database clients that run the statements piped into them.
_STATEMENT_READERS = ("psql", "mysql", "mariadb", "sqlite3", "duckdb", "mongosh", "mongo", "redis-cli", "cqlsh",
                      "clickhouse-client", "sqlcmd", "usql")


def _upstream(subject: Subject, seg: Segment) -> list[Segment]:
    segments = _segments(subject)
    seen, todo, out = set(), list(seg.code_from), []
    while todo:
        index = todo.pop()
        if index in seen or index >= len(segments):
            continue
        seen.add(index)
        up = segments[index]
        out.append(up)
        todo.extend(up.pipe_from)
    # Segments inside a substitution feed the one that uses its output.
    return out


# Programs that serve a folder over HTTP, and how each names it.
# curl options whose value is sent: with an `@` it names a file (or `-`, stdin).
_SENDING_OPTIONS = frozenset({"-F", "--form", "-d", "--data", "--data-binary", "--data-raw", "--data-ascii",
                              "--data-urlencode", "--json"})
_SERVERS = frozenset({"python", "python3", "php", "ruby", "busybox", "twistd", "caddy", "http-server", "serve"})


def served_folder(seg: Segment) -> str | None:
    """The folder an HTTP file server started here serves (as written; "." for the
    working directory), or None when this runs no file server."""
    texts = list(seg.argv[1:])
    program = seg.program
    if program.startswith("python") and texts[:2] in (["-m", "http.server"], ["-m", "SimpleHTTPServer"]):
        for i, text in enumerate(texts):
            if text in ("-d", "--directory") and i + 1 < len(texts):
                return texts[i + 1]
            if text.startswith("--directory="):
                return text.split("=", 1)[1]
        return "."
    if program == "php" and "-S" in texts:
        return texts[texts.index("-t") + 1] if "-t" in texts[:-1] else "."
    httpd = next((i for i, t in enumerate(texts) if t in ("httpd", "-ehttpd")), None)
    if program == "ruby" and httpd is not None and any(t.startswith("-run") for t in texts):
        after = texts[httpd + 1:]
        words = [t for i, t in enumerate(after) if not t.startswith("-") and (i == 0 or after[i - 1] not in (
            "-p", "--port", "-b", "--bind-address"))]
        return words[0] if words else "."
    if program == "busybox" and texts[:1] == ["httpd"]:
        return texts[texts.index("-h") + 1] if "-h" in texts[:-1] else "."
    if program in ("http-server", "serve") or (program == "caddy" and texts[:1] == ["file-server"]):
        if program == "caddy":
            return texts[texts.index("--root") + 1] if "--root" in texts[:-1] else "."
        words = [t for t in texts if not t.startswith("-")]
        return words[0] if words and not words[0].isdigit() else "."
    if program == "twistd" and "web" in texts:
        return texts[texts.index("--path") + 1] if "--path" in texts[:-1] else "."
    return None


# The URLs a program speaks to its own servers with (`git clone ssh://...`, `psql
# postgres://...`, `gsutil ls gs://...`): addresses, not a fetch of a local file or an
# odd protocol. Everything else said with a URL there goes through its own rules.
_DATABASE_SCHEMES = ("postgres", "postgresql", "mysql", "mariadb", "redis", "rediss", "mongodb", "mongodb+srv",
                     "clickhouse", "cockroachdb", "sqlserver", "valkey", "cassandra", "duckdb", "sqlite")
_OWN_SCHEMES: dict[str, tuple[str, ...]] = {
    "git": ("ssh", "git", "git+ssh", "ssh+git"),
    **{client: _DATABASE_SCHEMES for client in SQL_CLIENTS},
    "gsutil": ("gs",), "aws": ("s3",), "s3cmd": ("s3",), "mc": ("s3",),
    "ssh": ("ssh",), "scp": ("scp", "ssh"), "sftp": ("sftp", "ssh"),
}


# The scripts toolchain installers tell you to source (`. ~/.nvm/nvm.sh`, `. ~/.cargo/env`);
# writing them is a write outside the project, which asks.
_TOOLCHAIN_ENV_SCRIPTS = frozenset({
    "/.nvm/nvm.sh", "/.cargo/env", "/.sdkman/bin/sdkman-init.sh", "/.asdf/asdf.sh", "/.ghcup/env", "/.local/bin/env",
    "/.deno/env", "/.rye/env", "/.pyenv/completions/pyenv.bash", "/.opam/opam-init/init.sh",
    "/google-cloud-sdk/path.bash.inc", "/.wasmtime/env", "/.elan/env", "/.rvm/scripts/rvm",
    "/.nix-profile/etc/profile.d/nix.sh"})


def register(check: Callable) -> None:
    @check("serves-folder", 40, "an HTTP file server for a folder outside the project: the home, /, a system "
           "folder (python -m http.server -d ~, php -S -t /, cd ~ && npx serve)", programs=_SERVERS)
    def _serves(subject: Subject) -> str | None:
        seg = subject.segment
        if seg is None or (seg.program not in _SERVERS and not seg.program.startswith("python")):
            return None
        folder = served_folder(seg)
        if folder is None:
            return None
        path = normalise(folder, subject.cwd, subject.home)
        if path is None or subject.within_project(path) or is_scratch(path, subject):
            return None
        return f"serves every file of {path} over HTTP, outside the project"

    @check("cluster-exposed", 40, "a cluster's API or a service forwarded to every network interface "
           "(kubectl proxy/port-forward --address 0.0.0.0): anyone on the network reaches it with your rights",
           programs=("kubectl", "oc"))
    def _exposed(subject: Subject) -> str | None:
        seg = subject.segment
        if seg is None or seg.program not in ("kubectl", "oc"):
            return None
        texts = list(seg.argv[1:])
        if not {"proxy", "port-forward"} & set(texts[:3]):
            return None
        for i, text in enumerate(texts):
            name, eq, value = text.partition("=")
            if name == "--address":
                value = value if eq else (texts[i + 1] if i + 1 < len(texts) else "")
                # 0.0.0.0 is every interface here (host_is_local counts it as this machine).
                if any(a.strip() in ("0.0.0.0", "::") or not host_is_local(a.strip())  # noqa: S104
                       for a in value.split(",") if a.strip()):
                    return f"kubectl {texts[0]} --address {value} opens the cluster to the network"
        return None

    @check("remote-code-exec", 70, "downloaded or decoded data run as code (curl | sh, base64 -d | bash)",
           needs=("reads_code",))
    def _remote(subject: Subject) -> str | None:
        seg = subject.segment
        if seg is None or not seg.reads_code:
            return None
        for up in _upstream(subject, seg):
            if up.program in FETCHERS or (up.inline_code is not None and _CODE_DOWNLOADS.search(up.inline_code[1])):
                return f"output of {up.program} is run as code by {seg.program}"
            if _is_decoder(up):
                return f"decoded data ({up.program}) is run as code by {seg.program}: a disguised command"
        return None

    @check("downloaded-statements", 70, "downloaded text run as statements by a database client (curl | psql)",
           programs=_STATEMENT_READERS)
    def _statements(subject: Subject) -> str | None:
        seg = subject.segment
        if seg is None or not seg.pipe_from or seg.program not in _STATEMENT_READERS:
            return None
        for up in _upstream(subject, replace(seg, code_from=seg.pipe_from)):
            if up.program in FETCHERS:
                return f"output of {up.program} is run as statements by {seg.program}"
        return None

    @check("code-from-stdin", 35, "a shell or interpreter runs code it reads from a pipe or a substitution",
           needs=("reads_code",))
    def _stdin(subject: Subject) -> str | None:
        seg = subject.segment
        return f"{seg.program} runs code that is only known at run time" if seg and seg.reads_code else None

    @check("port-probe", 0, "nc -z: a connection test to a port on this machine or a local service name, "
           "sending nothing", programs=("nc", "ncat", "netcat", "nc.openbsd", "nc.traditional"))
    def _probe(subject: Subject) -> str | None:
        seg = subject.segment
        return port_probe(seg) if seg is not None else None

    def _only_local(subject: Subject) -> bool:
        from aegis_core.policy.urlchecks import fetched, host_of

        hosts = [host_of(u) for u in fetched(subject)]
        return bool(hosts) and all(h and host_is_local(h) for h in hosts)

    @check("upload", 35, "sends local files to another host (curl -T/-F @/-d @, scp, rsync to host:)",
           programs=(*sorted(CURL_LIKE | HTTPIE_LIKE), "wget", "scp", "rsync", "sftp",
                     "rclone", "nc", "ncat", "netcat", "socat", "openssl", "gnutls-cli", "telnet"))
    def _upload(subject: Subject) -> str | None:
        seg = subject.segment
        if seg is None:
            return None
        texts = [a.text for a in seg.args[1:]]
        if seg.program in CURL_LIKE or seg.program in HTTPIE_LIKE:
            if _only_local(subject):
                return None  # a dev server on this machine (secret files are the secret rules')
            sent = _curl_sends(seg, texts) if seg.program in CURL_LIKE else None
            if sent:
                return sent
            for text in texts:
                if "=@" in text or text.startswith("@"):
                    return f"{seg.program} sends the file {text}"
            if seg.program in HTTPIE_LIKE and not {"-I", "--ignore-stdin"} & set(texts) \
                    and _fed_data(subject, seg):
                # httpie and xh send what they read on stdin as the request's body.
                return f"{seg.program} sends what it reads on stdin (a pipe or a file) as the request body"
        if seg.program == "wget" and any(t.startswith(("--post-file", "--body-file")) for t in texts):
            return "wget posts a file"
        if seg.program in ("scp", "rsync", "sftp", "rclone"):
            # To localhost too: through ssh it writes anywhere the user can (localhost:.bashrc).
            if any(re.match(r"^[\w.@-]+:", t) and not t.startswith("-") for t in texts[-1:]):
                return f"{seg.program} copies files to a remote host"
        if seg.program in ("nc", "ncat", "netcat", "socat") and (seg.pipe_from or any(
                op == "<" for op, _, _ in seg.redirects)):
            return f"{seg.program} sends local data over the network"
        if (seg.program == "telnet" or seg.program == "gnutls-cli" or texts[:1] == ["s_client"]) \
                and _fed_data(subject, seg):
            # A TLS or plain client fed from a pipe or a file sends it (`tar c . | openssl s_client
            # -connect host:443`); `echo | openssl s_client` to read a certificate sends nothing.
            return f"{seg.program} {texts[0] if texts else ''} sends local data over the network".replace("  ", " ")
        return None

    def _curl_sends(seg: Segment, texts: list[str]) -> str | None:
        # Options are read as curl reads them, short ones inside a cluster too
        # (`curl -sT - URL`, `-fsSd @.env`): a cluster must not hide an upload.
        for option, value, at in curl_options(texts):
            if option in ("-T", "--upload-file"):
                stdin = " (what it reads on stdin)" if value in ("-", ".") else ""
                return f"curl uploads {value or 'a file'}{stdin}"
            computed = at >= 0 and at + 1 < len(seg.args) and seg.args[at + 1].dynamic
            if option in _SENDING_OPTIONS and ("@" in (value or "") or computed):
                return f"{seg.program} sends file or computed data ({value})"
        return None

    def _fed_data(subject: Subject, seg: Segment) -> bool:
        if any(op == "<" and target != "/dev/null" for op, target, _ in seg.redirects) or seg.stdin_text:
            return True
        segments = subject.analysis.segments if subject.analysis is not None else ()
        for index in seg.pipe_from:
            if index >= len(segments):
                return True
            feeder = segments[index]
            words = [a.text for a in feeder.args[1:]]
            if feeder.program in ("echo", "true", ":", "printf") and all(w in ("-n", "-e", "", "Q", "q")
                                                                         for w in words):
                continue
            return True
        return False

    @check("reverse-shell", 90, "reverse or bind shells (/dev/tcp, nc -e, socat exec:, socket+exec one-liners)",
           programs=("nc", "ncat", "netcat", "nc.traditional", "nc.openbsd", "socat", "mkfifo"),
           needs=("redirects", "inline", "devpath"))
    def _reverse(subject: Subject) -> str | None:
        seg = subject.segment
        if seg is None:
            return None
        texts = [a.text for a in seg.args[1:]]
        for _op, target, _ in seg.redirects:
            if target.startswith(("/dev/tcp/", "/dev/udp/")):
                return f"redirects to {target}: a network connection wired to the shell"
        if any("/dev/tcp/" in t or "/dev/udp/" in t for t in texts):
            return "uses /dev/tcp: a network connection wired to a shell"
        if seg.program in ("nc", "ncat", "netcat", "nc.traditional", "nc.openbsd") and any(
                t in ("-e", "-c", "--exec", "--sh-exec", "--lua-exec") or (t.startswith("-") and "e" in t[1:]
                                                                           and not t.startswith("--"))
                for t in texts):
            return f"{seg.program} -e hands a shell to the network"
        if seg.program == "socat" and any(re.search(r"(?i)\b(exec|system):", t) for t in texts):
            return "socat exec: hands a program to the network"
        if seg.inline_code and _REVERSE_NET.search(seg.inline_code[1]) and _REVERSE_EXEC.search(
                seg.inline_code[1]):
            return f"{seg.inline_code[0]} one-liner connects a socket to a process: a reverse shell"
        if seg.program == "mkfifo" and any(s.program in ("nc", "ncat", "netcat", "telnet", "openssl")
                                           for s in _segments(subject)):
            return "mkfifo with nc/telnet: a classic reverse shell"
        return None

    @check("inline-code", 30, "interpreter one-liner that runs commands, deletes/writes files, "
           "uses the network or decodes hidden code", needs=("inline",))
    def _inline(subject: Subject) -> str | None:
        seg = subject.segment
        if seg is None or seg.inline_code is None:
            return None
        language, code = seg.inline_code
        if language == "awk":
            return "awk program runs commands or writes files" if _AWK_DANGER.search(code) else None
        found = _INLINE_DANGER.search(code) or _INLINE_RUNNERS.search(code) or _INLINE_WRITE.search(code)
        if found:
            if project_file_work(subject, code):
                return None  # build output deleted, project files written: `rm -rf build` in code
            if language == "python" and (runs := literal_runs(code)) is not None and not (
                    _INLINE_DANGER.search(runs[1]) or _INLINE_RUNNERS.search(runs[1]) or _INLINE_WRITE.search(runs[1])):
                return None  # only runs programs by literal words: each is judged as that command
            return f"{language} one-liner uses {found.group(0).strip()}"
        if language in ("perl", "ruby", "php") and _BACKTICK_EXEC.search(code):
            return f"{language} one-liner runs a command in backticks"
        if len(code) > 4000:
            return f"{language} one-liner too long to judge"
        return None

    @check("inline-secrets", 50, "one-liner or here-document that reads secret files", needs=("inline",))
    def _inline_secrets(subject: Subject) -> str | None:
        seg = subject.segment
        if seg is None:
            return None
        code = seg.inline_code[1] if seg.inline_code else ""
        found = SECRET_WORDS.search(code)
        return f"{seg.inline_code[0]} code touches {found.group(0)}" if found and seg.inline_code else None

    @check("secret-flow", 40, "file names of secrets fed to a command through a pipe or xargs",
           needs=("dynamic",))
    def _secret_flow(subject: Subject) -> str | None:
        seg = subject.segment
        if seg is None or not any(a.dynamic for a in seg.args[1:]):
            return None
        for other in _segments(subject):
            if other.index != seg.index and other.program in ("echo", "printf", "find", "ls", "fd") \
                    and SECRET_WORDS.search(" ".join(other.argv[1:])):
                return f"{seg.program} receives secret file names from {other.program}"
        return None

    @check("sql-destructive", 45, "DROP/TRUNCATE/DELETE without WHERE/FLUSHALL sent to a database",
           programs=SQL_CLIENTS, needs=("inline", "sqlclient"))  # a client, run or running code
    def _sql(subject: Subject) -> str | None:
        seg = subject.segment
        if seg is None:
            return None
        if seg.program in SQL_CLIENTS or any(a.text in SQL_CLIENTS or a.text in ("dbshell", "dbconsole")
                                             for a in seg.args[1:]):
            # Each word a statement of its own: `mysql -e 'DELETE FROM users' shop` ends there.
            text = " ;\n".join(a.text for a in seg.args[1:]) + "\n" + seg.stdin_text
        elif seg.inline_code:
            text = seg.inline_code[1]
        else:
            return None
        found = SQL_DESTRUCTIVE.search(text[:20000])
        return f"destructive database statement: {found.group(0).strip().rstrip(' ;')}" if found else None

    @check("kill-all", 70, "kills every process (kill -9 -1, killall5) or forks without limit",
           programs=("kill", "killall5"), needs=("function_call",))
    def _kill_all(subject: Subject) -> str | None:
        seg = subject.segment
        if seg is None:
            return None
        texts = [a.text for a in seg.args[1:]]
        if seg.program == "kill" and len(texts) >= 2 and texts[-1] == "-1":
            return "kill ... -1 signals every process you own"
        if seg.program in ("killall5",):
            return "killall5 kills every process"
        if seg.function_call and any(_segments(subject)[i].program == seg.program
                                     for i in seg.pipe_from if i < len(_segments(subject))):
            return f"function {seg.program} pipes into itself: a fork bomb"
        return None

    @check("url-not-http", 30, "fetches a URL that is not http(s)", needs=("urls", "fetch"))
    def _scheme(subject: Subject) -> str | None:
        program = subject.segment.program if subject.segment is not None else ""
        own = _OWN_SCHEMES.get(program, ())
        for url in subject.urls:
            scheme = url.split(":", 1)[0].lower()
            if scheme not in ("http", "https") and scheme not in own:
                return f"fetches a {scheme}: URL"
        return None

    @check("runs-outside-project", 25, "runs a program or script from outside the project and system paths",
           programs=("sh", "bash", "zsh", "dash", "ksh", "source", ".", "python", "python3", "node", "ruby",
                     "perl", "php", "deno", "bun"), needs=("slash",))
    def _outside(subject: Subject) -> str | None:
        seg = subject.segment
        if seg is None or not seg.args:
            return None
        target = seg.args[0].text
        if seg.program in ("sh", "bash", "zsh", "dash", "ksh", "source", ".") or seg.program.startswith(
                ("python", "node", "ruby", "perl")):
            script = next((a.text for a in seg.args[1:] if not a.text.startswith("-")), "")
            target = script if script else target
        if "/" not in target:
            return None
        if seg.inline_code is not None or (subject.analysis is not None and any(
                s.via == f"script {target}" for s in subject.analysis.segments)):
            return None  # written by this same command, its content shown and judged (scripts.follow)
        path = normalise(target, subject.cwd, subject.home)
        if path is None:
            return f"runs {target} from an unknown directory"
        if subject.within_project(path) or path.startswith(("/usr/", "/bin/", "/sbin/", "/opt/homebrew/",
                                                            "/usr/local/", "/nix/")):
            return None
        if ".venv/bin/" in path or "/node_modules/.bin/" in path:
            return None
        if seg.program in ("source", ".") and path.startswith(subject.home + "/") \
                and path[len(subject.home):] in _TOOLCHAIN_ENV_SCRIPTS:
            return None
        return f"runs {path}, outside the project"
