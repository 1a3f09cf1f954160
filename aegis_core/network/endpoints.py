"""The model API key stays outside the sandbox.

An agent that authenticates with an API key would carry it in its environment, where
every command it runs can read it. Under ``aegis wrap`` the key goes to the daemon
instead (over the operator socket, kept in memory only) and the agent gets a
placeholder and a base URL on a virtual host (``http://anthropic.aegis.invalid``).
Its requests reach the egress proxy like any other plain-HTTP request; the proxy
sends them on to the real API with the real key in place of whatever the agent
sent. A prompt-injected script inside can use the API as the user, but has no key
to take away.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from aegis_core.network.hosts import Destination, HostError, parse_authority

if TYPE_CHECKING:
    from aegis_core.client import Identity

VIRTUAL_DOMAIN = "aegis.invalid"  # .invalid never resolves (RFC 2606): only the proxy knows it
PLACEHOLDER_KEY = "aegis-placeholder-the-real-key-stays-outside-the-sandbox"
# Headers that could carry a credential to a model API: all dropped from what the
# agent sends, so only the key Aegis adds reaches the API.
CREDENTIAL_HEADERS = frozenset({b"authorization", b"x-api-key", b"x-goog-api-key", b"api-key",
                                b"proxy-authorization"})


@dataclass(frozen=True)
class ModelApi:
    """How one agent reaches its model API: which variables hold the key and the base
    URL, the default base URL, and how the key travels (``header: [scheme ]KEY``)."""

    name: str
    key_env: str
    base_url_env: str
    default_base_url: str
    header: str
    scheme: str = ""

    def header_value(self, key: str) -> str:
        return f"{self.scheme} {key}" if self.scheme else key


ANTHROPIC = ModelApi("anthropic", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "https://api.anthropic.com",
                     "x-api-key")
ANTHROPIC_TOKEN = ModelApi("anthropic", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_BASE_URL",
                           "https://api.anthropic.com", "authorization", "Bearer")
OPENAI = ModelApi("openai", "OPENAI_API_KEY", "OPENAI_BASE_URL", "https://api.openai.com/v1",
                  "authorization", "Bearer")
GEMINI = ModelApi("gemini", "GEMINI_API_KEY", "GOOGLE_GEMINI_BASE_URL",
                  "https://generativelanguage.googleapis.com", "x-goog-api-key")


@dataclass(frozen=True)
class Endpoint:
    """A model API as the daemon holds it for one session: requests to
    ``virtual_host`` go to ``origin`` (over TLS when ``tls``) with ``header: value``."""

    name: str
    origin: Destination
    tls: bool
    header: str
    value: str

    @property
    def virtual_host(self) -> str:
        return virtual_host(self.name)

    def headers(self, sent: Sequence[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
        """The agent's headers with its credentials removed, the real one added and
        ``Host`` naming the real API."""
        kept = [(k, v) for k, v in sent if k.lower() not in CREDENTIAL_HEADERS and k.lower() != b"host"]
        host = self.origin.host if self.origin.port == (443 if self.tls else 80) else str(self.origin)
        return [(b"host", host.encode("ascii")), *kept,
                (self.header.lower().encode("ascii"), self.value.encode("latin-1"))]

    def __repr__(self) -> str:  # never the key, whoever prints this
        return f"Endpoint({self.name!r}, {self.origin}, tls={self.tls})"


def virtual_host(name: str) -> str:
    return f"{name}.{VIRTUAL_DOMAIN}"


def origin_of(base_url: str) -> tuple[Destination, bool]:
    """The destination and TLS-ness of a base URL (``https://api.anthropic.com``)."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise HostError(f"{base_url!r} is not an http(s) URL")
    tls = parts.scheme == "https"
    return parse_authority(parts.netloc.rpartition("@")[2], 443 if tls else 80), tls


def endpoint(api: ModelApi, base_url: str, key: str) -> Endpoint:
    origin, tls = origin_of(base_url)
    return Endpoint(api.name, origin, tls, api.header, api.header_value(key))


Register = Callable[[ModelApi, str, "str | None"], str]


def hold_keys(env: Mapping[str, str], apis: Sequence[ModelApi], register: Register) -> dict[str, str]:
    """The agent's environment with each API key in ``apis`` taken out.

    ``register(api, base_url, key)`` tells the daemon (key None: no key is set, e.g. a
    subscription login, so only the API's host is allowed) and returns the base URL
    the agent should use. The first API in ``apis`` with a key set wins for its base
    URL variable; the others with the same variable are not registered.
    """
    out = dict(env)
    handled: set[str] = set()
    for api in apis:
        if api.base_url_env in handled:
            if api.key_env in out:
                out[api.key_env] = PLACEHOLDER_KEY  # never leave a second credential behind
            continue
        key = out.get(api.key_env)
        if not key:
            continue
        handled.add(api.base_url_env)
        base_url = out.get(api.base_url_env) or api.default_base_url
        out[api.base_url_env] = register(api, base_url, key)
        out[api.key_env] = PLACEHOLDER_KEY
    for api in apis:
        if api.base_url_env not in handled:
            handled.add(api.base_url_env)
            register(api, out.get(api.base_url_env) or api.default_base_url, None)
    return out


def hold_model_keys(env: Mapping[str, str], apis: Sequence[ModelApi], *, socket: str | os.PathLike[str],
                    session: str, token: str, identity: Identity | None = None) -> dict[str, str]:
    """For an adapter about to start its agent in the sandbox: :func:`hold_keys` with
    the daemon keeping the keys (``network.endpoint`` on the operator socket, the
    ``WrapContext``'s ``operator_socket``; ``identity``: the daemon the key may go to,
    ``WrapContext.identity()``). Fails closed: if the daemon cannot take a key, the
    agent is not started with it."""
    from aegis_core.client import request
    from aegis_core.errors import AegisEnvironmentError

    def register(api: ModelApi, base_url: str, key: str | None) -> str:
        fields: dict[str, Any] = {"key": key} if key else {}
        answer = request("network.endpoint", socket=socket, identity=identity, session=session, token=token,
                         name=api.name, header=api.header, scheme=api.scheme, base_url=base_url, **fields)
        if not answer.get("ok"):
            raise AegisEnvironmentError(f"Aegis could not take over the {api.name} API key for the sandbox: "
                                        f"{answer.get('error')}", hint="check `aegis status`, then wrap again")
        return str(answer["base_url"])

    return hold_keys(env, apis, register)


def virtual_base_url(api_name: str, base_url: str) -> str:
    """The base URL the agent uses: the virtual host, keeping the real URL's path."""
    path = urlsplit(base_url).path.rstrip("/")
    return f"http://{virtual_host(api_name)}{path}"
