"""What a secret looks like when it is not in a file: token shapes (AWS, GitHub,
GitLab, Slack, Stripe, OpenAI, Anthropic, Google, JWTs...), long random strings, and
variable names that hold secrets (``$GITHUB_TOKEN``, ``$DB_PASSWORD``)."""

from __future__ import annotations

import math
import re

# Values that are secrets wherever they appear; each alternative starts with a literal
# prefix, so a search over a long URL stays linear.
TOKEN = re.compile(
    r"(?<![A-Za-z0-9])(?:"
    r"(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ABIA|ACCA)[A-Z0-9]{16}"  # AWS access key ids
    r"|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}"  # GitHub
    r"|gl(?:pat|dt|rt|ptt|ft|cbt|oas|soat|agent|imt)-[A-Za-z0-9_-]{20,}"  # GitLab
    r"|xox[abposr]-[A-Za-z0-9-]{10,}|xapp-[0-9]-[A-Za-z0-9-]{10,}"  # Slack
    r"|(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}|whsec_[A-Za-z0-9]{20,}"  # Stripe
    r"|sk-ant-[A-Za-z0-9_-]{20,}|sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}"  # Anthropic, OpenAI
    r"|AIza[0-9A-Za-z_-]{35}|ya29\.[0-9A-Za-z_-]{20,}|GOCSPX-[A-Za-z0-9_-]{20,}"  # Google
    r"|eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"  # JSON web tokens
    r"|npm_[A-Za-z0-9]{36}|pypi-AgE[A-Za-z0-9_-]{40,}|hf_[A-Za-z0-9]{30,}"  # npm, PyPI, Hugging Face
    r"|SG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}|SK[0-9a-f]{32}|AC[0-9a-f]{32}"  # SendGrid, Twilio
    r"|dop_v1_[a-f0-9]{64}|shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}|key-[0-9a-zA-Z]{32}"  # DigitalOcean, Shopify, Mailgun
    r"|dapi[a-f0-9]{32}|lin_api_[A-Za-z0-9]{32,}|glsa_[A-Za-z0-9_]{32,}|PMAK-[A-Za-z0-9-]{40,}"
    r"|dp\.(?:st|ct|pt|sa|scim)\.[A-Za-z0-9_.-]{20,}|AGE-SECRET-KEY-1[A-Z0-9]{50,}"
    r"|ATATT3[A-Za-z0-9_=-]{40,}|sq0(?:atp|csp)-[A-Za-z0-9_-]{20,}|EAA[A-Za-z0-9]{30,}"
    r"|\d{8,10}:AA[A-Za-z0-9_-]{33}"  # Telegram bot tokens
    r"|-----BEGIN[A-Z ]*PRIVATE KEY"
    r")"
)

# Names of variables that hold secrets: $GITHUB_TOKEN, $DB_PASSWORD, $OPENAI_API_KEY,
# $DATABASE_URL (a DSN carries the password). Not $PWD, $SSH_AUTH_SOCK, $GIT_AUTHOR_NAME.
SECRET_VARIABLE = re.compile(
    r"(?i)(token|secret|passw|passphrase|api_?key|apikey|private|credential|_key$|_key_|^key$|_pass$"
    r"|_pwd$|auth(?!or|_sock)|(?<!xdg_)(?<!dbus_)session(?!_type|_desktop|_class|_bus)|cookie|database_url|db_url|_dsn$|connection_string|conn_str"
    r"|signing|webhook|_uri$|_sas$|salt)"
)

# Where a variable's secret is meant to be sent: using $GITHUB_TOKEN against the
# GitHub API is its job, sending it anywhere else is a leak.
_HOMES: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (re.compile(r"(?i)^(GH|GITHUB)_"), ("github.com", "githubusercontent.com", "ghcr.io")),
    (re.compile(r"(?i)^(GL|GITLAB|CI_JOB)_"), ("gitlab.com",)),
    (re.compile(r"(?i)^OPENAI_"), ("openai.com",)),
    (re.compile(r"(?i)^(ANTHROPIC|CLAUDE)_"), ("anthropic.com",)),
    (re.compile(r"(?i)^SLACK_"), ("slack.com",)),
    (re.compile(r"(?i)^STRIPE_"), ("stripe.com",)),
    (re.compile(r"(?i)^(HF|HUGGING_?FACE)_"), ("huggingface.co",)),
    (re.compile(r"(?i)^NPM_"), ("npmjs.org", "npmjs.com")),
    (re.compile(r"(?i)^(PYPI|TWINE)_"), ("pypi.org",)),
    (re.compile(r"(?i)^(CLOUDFLARE|CF)_"), ("cloudflare.com",)),
    (re.compile(r"(?i)^(VERCEL)_"), ("vercel.com",)),
    (re.compile(r"(?i)^(SENTRY)_"), ("sentry.io",)),
    (re.compile(r"(?i)^(LINEAR)_"), ("linear.app",)),
    (re.compile(r"(?i)^(NOTION)_"), ("notion.com", "notion.so")),
    (re.compile(r"(?i)^(DOCKER|DOCKERHUB)_"), ("docker.io", "docker.com")),
)
# Hosts a request may carry a secret to without leaking it: this machine.
_LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1", "0.0.0.0", "host.docker.internal")  # noqa: S104 - compared


_LOOPBACK_V4 = re.compile(r"^127(?:\.\d{1,3}){3}$")


def host_is_local(host: str) -> bool:
    # 127.x.y.z as an address only: `127.0.0.1.x.example` is a name anyone can own.
    return host in _LOCAL_HOSTS or bool(_LOOPBACK_V4.match(host)) or host.endswith(".localhost")


def is_home_of(variable: str, host: str) -> bool:
    """True when ``host`` is where the secret in ``variable`` is meant to go (or this
    machine)."""
    if host_is_local(host):
        return True
    for pattern, homes in _HOMES:
        if pattern.search(variable):
            return any(host == home or host.endswith("." + home) for home in homes)
    return False


_TOKEN_HOMES = (("gh", ("github.com", "githubusercontent.com")), ("github_pat_", ("github.com",)),
                ("glpat-", ("gitlab.com",)), ("xox", ("slack.com",)), ("sk_", ("stripe.com",)),
                ("rk_", ("stripe.com",)), ("sk-ant-", ("anthropic.com",)), ("sk-", ("openai.com",)),
                ("AIza", ("googleapis.com",)), ("ya29.", ("googleapis.com",)), ("hf_", ("huggingface.co",)),
                ("npm_", ("npmjs.org",)), ("pypi-", ("pypi.org",)))


def token_home_matches(token: str, host: str) -> bool:
    """True when a literal token is being sent to its own service (or this machine)."""
    if host_is_local(host):
        return True
    for prefix, homes in _TOKEN_HOMES:
        if token.startswith(prefix):
            return any(host == home or host.endswith("." + home) for home in homes)
    return False


_RANDOM_ALPHABET = re.compile(r"^[A-Za-z0-9+/=_.~-]+$")


def looks_random(value: str, minimum: int = 24) -> bool:
    """A long string that looks like a key rather than a word, a number or a hash:
    letters of both cases and digits, and close to 4 bits of entropy per character.
    Hex digests (commit ids, checksums) and UUIDs are not keys."""
    if len(value) < minimum or len(value) > 4096 or not _RANDOM_ALPHABET.match(value):
        return False
    if not (any(c.isdigit() for c in value) and any(c.islower() for c in value)
            and any(c.isupper() for c in value)):
        return False
    counts: dict[str, int] = {}
    for char in value:
        counts[char] = counts.get(char, 0) + 1
    length = len(value)
    entropy = -sum(n / length * math.log2(n / length) for n in counts.values())
    return entropy >= 4.0
