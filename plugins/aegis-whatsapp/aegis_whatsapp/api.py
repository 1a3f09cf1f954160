"""A small client for the Cloud API's ``messages`` endpoint: bearer-authenticated POSTs,
retried with exponential backoff and jitter on server errors and rate limits, and Graph
errors turned into AegisErrors that never carry the token."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import anyio
import httpx
import structlog

from aegis_core.errors import NetworkError
from aegis_core.redact import redact_text

log = structlog.get_logger(__name__)

# Graph error codes meaning "slow down, then try again".
RATE_LIMIT_CODES = frozenset({4, 17, 32, 613, 80007, 130429, 131056})
# The 24-hour customer-service window is closed: only a template may be sent.
WINDOW_CLOSED_CODES = frozenset({131047})


class GraphError(NetworkError):
    """The Graph API refused a request (or could not be reached)."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: int | None = None,
        retryable: bool = False,
        retry_after: float | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.status = status
        self.code = code
        self.retryable = retryable
        self.retry_after = retry_after


class WindowClosed(GraphError):
    """Outside the 24-hour window: the recipient has not written in the last 24 hours,
    so free-form messages are refused and only a template gets through."""


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Full-jitter exponential backoff; a server's Retry-After is a floor."""
        ceiling = min(self.max_delay, self.base_delay * (2**attempt))
        chosen = random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not crypto
        if retry_after is not None:
            chosen = max(chosen, min(retry_after, self.max_delay))
        return chosen


class GraphClient:
    """Sends messages from one business phone number."""

    def __init__(
        self,
        *,
        api_base: str,
        api_version: str,
        phone_number_id: str,
        access_token: str,
        retry: RetryPolicy | None = None,
        client: httpx.AsyncClient | None = None,
        timeout: float = 20.0,
    ) -> None:
        self.url = f"{api_base.rstrip('/')}/{api_version.strip('/')}/{phone_number_id}/messages"
        self._token = access_token
        self.retry = retry or RetryPolicy()
        self._client = client or httpx.AsyncClient(timeout=timeout)
        self._owns_client = client is None

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()

    async def check(self) -> dict[str, Any]:
        """Ask the Graph API about the business number with this token: what proves the
        token and phone number id work together, without sending anything. Returns
        the number's ``display_phone_number`` and ``verified_name``; raises GraphError."""
        url = self.url.rsplit("/", 1)[0]  # .../{version}/{phone_number_id}
        try:
            response = await self._client.get(url, params={"fields": "display_phone_number,verified_name"},
                                              headers={"Authorization": f"Bearer {self._token}"})
        except httpx.HTTPError as exc:
            raise GraphError(f"cannot reach the WhatsApp API: {redact_text(str(exc)) or type(exc).__name__}",
                             retryable=True) from None
        data = _json(response)
        if response.is_success and isinstance(data, dict):
            return data
        raise _error_from(response, data)

    async def send(self, payload: Mapping[str, Any]) -> str:
        """POST one message; return its WhatsApp message id (``wamid...``).

        Retries server errors, rate limits and transport failures; raises
        :class:`WindowClosed` at once when only a template may be sent, and
        :class:`GraphError` for anything else or when the retries run out.
        """
        last: GraphError | None = None
        for attempt in range(self.retry.attempts):
            try:
                return await self._post_once(payload)
            except GraphError as exc:
                if not exc.retryable:
                    raise
                last = exc
            if attempt + 1 < self.retry.attempts:
                delay = self.retry.delay(attempt, last.retry_after)
                log.warning(
                    "whatsapp.retry",
                    attempt=attempt + 1,
                    delay=round(delay, 3),
                    status=last.status,
                    code=last.code,
                )
                await anyio.sleep(delay)
        assert last is not None
        raise GraphError(
            f"WhatsApp API still failing after {self.retry.attempts} attempts: {last.message}",
            status=last.status,
            code=last.code,
            retryable=False,
            hint="check https://metastatus.com; approvals stay answerable with `aegis approvals`",
        )

    async def _post_once(self, payload: Mapping[str, Any]) -> str:
        headers = {"Authorization": f"Bearer {self._token}"}
        try:
            response = await self._client.post(self.url, json=dict(payload), headers=headers)
        except httpx.HTTPError as exc:
            # The exception text may include the URL but never headers; redact anyway.
            raise GraphError(
                f"cannot reach the WhatsApp API: {redact_text(str(exc)) or type(exc).__name__}",
                retryable=True,
            ) from None
        data = _json(response)
        if response.is_success:
            messages = data.get("messages") if isinstance(data, dict) else None
            if isinstance(messages, list) and messages and isinstance(messages[0], dict):
                return str(messages[0].get("id", ""))
            raise GraphError("WhatsApp API answered without a message id", status=response.status_code)
        raise _error_from(response, data)


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _error_from(response: httpx.Response, data: Any) -> GraphError:
    error = data.get("error") if isinstance(data, dict) else None
    error = error if isinstance(error, dict) else {}
    code = error.get("code")
    try:
        code = int(code) if code is not None else None
    except (TypeError, ValueError):
        code = None
    status = response.status_code
    message = redact_text(str(error.get("message") or response.reason_phrase or "error"))[:300]
    text = f"WhatsApp API error {status}" + (f" (code {code})" if code is not None else "") + f": {message}"
    if code in WINDOW_CLOSED_CODES:
        return WindowClosed(
            text,
            status=status,
            code=code,
            hint="set [whatsapp] template_name to reach users outside the 24-hour window",
        )
    if status == 401 or code == 190:
        return GraphError(
            text,
            status=status,
            code=code,
            hint="the access token is invalid or expired; set a new [whatsapp] access_token",
        )
    retryable = status >= 500 or status == 429 or code in RATE_LIMIT_CODES
    return GraphError(text, status=status, code=code, retryable=retryable, retry_after=_retry_after(response))


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
