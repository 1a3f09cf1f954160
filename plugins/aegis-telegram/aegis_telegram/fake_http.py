"""The HTTP side of the fake Bot API: routes ``/bot<TOKEN>/<method>`` to
:class:`aegis_telegram.fake_api.FakeBotApi` and plays injected faults and outages."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from aegis_telegram.fake_checks import BadRequest

if TYPE_CHECKING:
    from aegis_telegram.fake_api import FakeBotApi


class DropConnection(Exception):
    """Close the connection without an answer (an outage in the middle of a request)."""


def handler_for(server: FakeBotApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in separate writes; with Nagle on, the client's
        # delayed ACK would add ~40 ms to every answer.
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
            return None

        def do_GET(self) -> None:
            self.do_POST()

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            if server.outage:
                self.close_connection = True
                return
            parts = urlsplit(self.path)
            prefix, _, method = parts.path.lstrip("/").partition("/")
            record = {"method": method, "body": raw, "status": 200}
            with server.lock:
                server.requests.append(record)
            try:
                if prefix != f"bot{server.token}":
                    raise BadRequest("Unauthorized", 401)
                params = _params(self.headers.get("Content-Type", ""), raw, parts.query)
                fault = server.take_fault(method)
                if fault is not None:
                    extra = (
                        {"retry_after": fault.retry_after}
                        if fault.retry_after is not None
                        else None
                    )
                    self._answer(
                        fault.code,
                        {
                            "ok": False,
                            "error_code": fault.code,
                            "description": fault.description,
                            **({"parameters": extra} if extra else {}),
                        },
                        record,
                    )
                    return
                result = server.handle(method, params)
            except BadRequest as exc:
                self._answer(
                    exc.code,
                    {"ok": False, "error_code": exc.code, "description": exc.description},
                    record,
                )
                return
            except DropConnection:
                self.close_connection = True
                return
            self._answer(200, {"ok": True, "result": result}, record)

        def _answer(self, status: int, payload: dict[str, Any], record: dict[str, Any]) -> None:
            record["status"] = status
            body = json.dumps(payload).encode("utf-8")
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:
                self.close_connection = True

    return Handler


def _params(content_type: str, raw: bytes, query: str) -> dict[str, Any]:
    params: dict[str, Any] = dict(parse_qsl(query))
    if not raw:
        return params
    if "application/json" in content_type:
        try:
            body = json.loads(raw)
        except ValueError as exc:
            raise BadRequest("Bad Request: can't parse JSON body") from exc
        if not isinstance(body, dict):
            raise BadRequest("Bad Request: JSON object expected")
        params.update(body)
    elif "application/x-www-form-urlencoded" in content_type:
        params.update(parse_qsl(raw.decode("utf-8")))
    return params
