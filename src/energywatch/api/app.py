"""The HTTP application: ``create_app(settings)`` builds it, nothing is created at import.

The store, the knowledge base and the flow network are opened once per app (FastAPI
lifespan) and reached by handlers through ``Services`` (``request.app.state``). Errors
are translated once, here, into one JSON shape:

    {"error": {"code": "not_found", "message": "...", "hint": "..."}}

Every response carries a Content-Security-Policy that allows only the app's own
scripts, styles and images, so a title from the open web that slipped through escaping
still could not run a script or load one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from energywatch import __version__
from energywatch.errors import (
    ConfigError,
    EnergywatchError,
    InputError,
    KnowledgeBaseError,
    NotFoundError,
    StorageError,
)
from energywatch.impact.network import Network, load_network
from energywatch.kb import KnowledgeBase, load_knowledge_base
from energywatch.settings import Settings
from energywatch.storage import Store

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# FastAPI's /docs (Swagger UI) and /redoc pages load their script and style from a CDN and
# start with an inline script; they show the OpenAPI schema, no article text.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly; "
    "font-src 'self' https://fonts.gstatic.com; worker-src 'self' blob:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
_STATUS: dict[type[EnergywatchError], tuple[int, str]] = {
    NotFoundError: (404, "not_found"),
    InputError: (422, "invalid_input"),
    ConfigError: (400, "bad_request"),
    StorageError: (503, "storage_unavailable"),
    KnowledgeBaseError: (500, "knowledge_base_error"),
}
_HTTP_HINTS = {
    401: "send 'Authorization: Bearer <token>' with the server's ENERGYWATCH_API_TOKEN",
    404: "see /docs for the paths this API serves",
    405: "see /docs for the methods each path accepts",
    413: "send fewer articles per request",
}
R = TypeVar("R", bound=Response)
_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    422: "invalid_input",
}


@dataclass(slots=True)
class Services:
    """What handlers use; one per app."""

    settings: Settings
    store: Store
    kb: KnowledgeBase
    network: Network


def error_body(code: str, message: str, hint: str | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "hint": hint}}


def _error(status: int, code: str, message: str, hint: str | None = None) -> JSONResponse:
    return _secured(JSONResponse(error_body(code, message, hint), status_code=status))


def _secured(response: R, csp: str = CSP) -> R:
    """The security headers every response carries (errors and 500s included)."""
    # A route may send its own, stricter-shaped policy (the self-contained HTML brief).
    response.headers.setdefault("Content-Security-Policy", csp)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


class _BodyLimit:
    """Counts a request body's bytes as they arrive, so a body sent without a
    Content-Length (chunked) is cut off at the limit too: reading past it raises a 413,
    which the error handlers turn into the JSON error shape."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise StarletteHTTPException(413, f"the body exceeds {self.limit:,} bytes")
            return message

        await self.app(scope, counted, send)


def create_app(settings: Settings) -> FastAPI:
    """The API and the dashboard over the store ``settings`` names."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        with Store.open(settings) as store:
            app.state.services = Services(
                settings=settings,
                store=store,
                kb=load_knowledge_base(settings.kb_path),
                network=load_network(),
            )
            yield

    app = FastAPI(
        title="energywatch",
        version=__version__,
        description="Verified, geolocated, quantified incident records about energy infrastructure.",
        lifespan=lifespan,
    )

    @app.exception_handler(EnergywatchError)
    async def _library_error(_request: Request, exc: EnergywatchError) -> JSONResponse:
        status, code = next((v for k, v in _STATUS.items() if isinstance(exc, k)), (500, "internal_error"))
        return _error(status, code, exc.message, exc.hint)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "request"
        message = f"{where}: {first.get('msg', 'invalid request')}"
        return _error(422, "invalid_input", message, "see /docs for the expected parameters")

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "error")
        response = _error(exc.status_code, code, str(exc.detail), _HTTP_HINTS.get(exc.status_code))
        response.headers.update(exc.headers or {})  # e.g. WWW-Authenticate, Allow
        return response

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        return _error(500, "internal_error", f"unexpected {type(exc).__name__}", "see the server log")

    app.add_middleware(_BodyLimit, limit=settings.api_max_body_bytes)

    @app.middleware("http")
    async def _limits_and_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        length = request.headers.get("content-length")
        if length is not None:
            if not length.isdigit():
                return _error(400, "bad_request", "Content-Length is not a number")
            if int(length) > settings.api_max_body_bytes:
                return _error(
                    413,
                    "payload_too_large",
                    f"the body is {int(length):,} bytes; the limit is {settings.api_max_body_bytes:,}",
                    "send fewer articles per request",
                )
        response = await call_next(request)
        docs = request.url.path in (app.docs_url, app.redoc_url, app.swagger_ui_oauth2_redirect_url)
        return _secured(response, DOCS_CSP if docs else CSP)

    from fastapi.staticfiles import StaticFiles

    from energywatch.api import dashboard, routes

    app.include_router(routes.router)
    app.include_router(dashboard.router)
    app.mount("/static", StaticFiles(directory=dashboard.STATIC), name="static")
    return app
