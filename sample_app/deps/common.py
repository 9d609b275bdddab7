"""Cross-cutting dependencies: request ids, audit trail, header checks, clock."""

import logging
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timezone
from functools import partial
from typing import Annotated

from fastapi import Header, HTTPException, Request, Response
from starlette.requests import HTTPConnection

log = logging.getLogger("sample_app")


async def request_id(
    connection: HTTPConnection,
    response: Response,
    x_request_id: Annotated[str | None, Header()] = None,
) -> str:
    """App-level dependency: echo or mint an X-Request-ID for every request and websocket.

    Takes ``HTTPConnection`` (not ``Request``) because app-level dependencies also run on websockets.
    """
    rid = x_request_id or uuid.uuid4().hex
    connection.state.request_id = rid
    response.headers["X-Request-ID"] = rid
    return rid


def api_marker(response: Response) -> None:
    """Include-level dependency on the /api mount: tags every API response."""
    response.headers["X-API"] = "bookstore"


def books_marker(response: Response) -> None:
    """Include-level dependency on the nested books router."""
    response.headers["X-Books-Router"] = "1"


def no_store(response: Response) -> None:
    """Router-level dependency of /api/users: personal data must not be cached by proxies."""
    response.headers["Cache-Control"] = "no-store"


async def audit_trail(request: Request) -> AsyncIterator[list[str]]:
    """Async generator provider: collects audit events and logs them after the response."""
    events: list[str] = [f"{request.method} {request.url.path}"]
    try:
        yield events
    finally:
        log.info("audit: %s", "; ".join(events))


def check_header(name: str, expected: str, request: Request) -> str:
    value = request.headers.get(name)
    if value is not None and value != expected:
        raise HTTPException(400, detail=f"Unsupported {name}: {value}")
    return value or expected


# functools.partial dependency: FastAPI sees only the remaining ``request`` parameter.
api_version = partial(check_header, "X-API-Version", "1")


class Clock:
    """Time source with a staticmethod provider (override it in tests to freeze time)."""

    @staticmethod
    def now() -> datetime:
        return datetime.now(timezone.utc)
