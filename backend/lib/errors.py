"""Every failure becomes an RFC 9457 problem+json response with a stable `type` and a Vietnamese-first
message. No stack trace or internal detail ever reaches a client."""

from __future__ import annotations

import logging
from typing import Any, ClassVar

import msgspec
from asyncpg.exceptions import (
    CharacterNotInRepertoireError,
    InsufficientResourcesError,
    OperatorInterventionError,
    PostgresConnectionError,
)
from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    MethodNotAllowedException,
    NotFoundException,
    ValidationException,
)
from litestar.openapi.datastructures import ResponseSpec
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar.types import ExceptionHandlersMap

from backend.lib.i18n import Language, negotiate_language, translate
from backend.lib.request_context import current_request_id
from schemas.common import FieldError, Problem

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_PREFIX = "urn:mattran:problem:"
# What a 503 for an unreachable database asks clients to wait: a restart or failover takes seconds.
DATABASE_RETRY_AFTER_SECONDS = 5

logger = logging.getLogger("mattran.errors")

# status -> (type slug, title key) for errors that carry no richer meaning of their own
_STATUS_PROBLEMS: dict[int, tuple[str, str]] = {
    400: ("validation-error", "problem.validation.title"),
    401: ("unauthorized", "problem.unauthorized.title"),
    403: ("forbidden", "problem.forbidden.title"),
    404: ("not-found", "problem.not_found.title"),
    405: ("method-not-allowed", "problem.method_not_allowed.title"),
    409: ("conflict", "problem.conflict.title"),
    413: ("request-too-large", "problem.too_large.title"),
    429: ("rate-limited", "problem.rate_limited.title"),
    503: ("unavailable", "problem.unavailable.title"),
}


class AppError(Exception):
    """A failure a service reports on purpose: its status, a stable slug and translatable text."""

    status = 400
    slug = "bad-request"
    title_key = "problem.bad_request.title"
    headers: ClassVar[dict[str, str]] = {}

    def __init__(
        self, detail_key: str | None = None, *, errors: list[FieldError] | None = None, **params: object
    ) -> None:
        super().__init__(detail_key or self.slug)
        self.detail_key = detail_key
        self.params = params
        self.errors = errors or []


class NotFoundError(AppError):
    """Also used for records outside the caller's scope, so that their existence does not leak."""

    status = 404
    slug = "not-found"
    title_key = "problem.not_found.title"


class InvalidInputError(AppError):
    status = 400
    slug = "validation-error"
    title_key = "problem.validation.title"


class ConflictError(AppError):
    status = 409
    slug = "conflict"
    title_key = "problem.conflict.title"


def problem_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI documentation of the problem+json answers a route can give (500 is always possible)."""
    return {
        status: ResponseSpec(
            data_container=Problem,
            generate_examples=False,
            media_type=PROBLEM_MEDIA_TYPE,
            description=translate(_STATUS_PROBLEMS.get(status, ("", "problem.server_error.title"))[1], "en"),
        )
        for status in (*statuses, 500)
    }


def problem_response(problem: Problem, headers: dict[str, str] | None = None) -> Response[bytes]:
    return Response(
        content=msgspec.json.encode(problem),
        status_code=problem.status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def build_problem(
    status: int,
    slug: str,
    title: str,
    *,
    detail: str | None = None,
    instance: str | None = None,
    errors: list[FieldError] | None = None,
) -> Problem:
    return Problem(
        type=PROBLEM_TYPE_PREFIX + slug,
        title=title,
        status=status,
        detail=detail,
        instance=instance,
        request_id=current_request_id(),
        errors=errors or [],
    )


def request_language(request: Request[Any, Any, Any]) -> Language:
    default: Language = request.app.state.settings.default_language
    return negotiate_language(request.headers.get("accept-language"), default)


def _app_error(request: Request[Any, Any, Any], exc: AppError) -> Response[bytes]:
    language = request_language(request)
    detail = translate(exc.detail_key, language, **exc.params) if exc.detail_key else None
    errors = [
        FieldError(
            field=error.field,
            message=translate("problem.validation.field", language, field=error.field, reason=error.message),
            source=error.source,
        )
        for error in exc.errors
    ]
    problem = build_problem(
        exc.status,
        exc.slug,
        translate(exc.title_key, language),
        detail=detail,
        instance=request.url.path,
        errors=errors,
    )
    return problem_response(problem, headers=exc.headers or None)


def _validation_errors(exc: ValidationException, language: Language) -> list[FieldError]:
    errors = []
    for item in exc.extra if isinstance(exc.extra, list) else []:
        if not isinstance(item, dict):
            continue
        field = str(item.get("key") or "body")
        reason = str(item.get("message") or "")
        errors.append(
            FieldError(
                field=field,
                message=translate("problem.validation.field", language, field=field, reason=reason),
                source=item.get("source"),
            )
        )
    return errors


def _validation_error(request: Request[Any, Any, Any], exc: ValidationException) -> Response[bytes]:
    language = request_language(request)
    errors = _validation_errors(exc, language)
    problem = build_problem(
        400,
        "validation-error",
        translate("problem.validation.title", language),
        detail=errors[0].message if errors else translate("problem.validation.detail", language),
        instance=request.url.path,
        errors=errors,
    )
    return problem_response(problem)


def _http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[bytes]:
    if exc.status_code >= 500:
        # Litestar wraps internal failures (e.g. a dependency that cannot be built) in a 500 HTTPException.
        return _server_error(request, exc, exc.status_code)
    language = request_language(request)
    status = exc.status_code
    headers = exc.headers
    slug, title_key = _STATUS_PROBLEMS.get(status, ("http-error", "problem.http.title"))
    detail: str | None
    if isinstance(exc, NotFoundException):
        detail = translate("problem.not_found.detail", language)
    elif isinstance(exc, MethodNotAllowedException):
        detail = translate("problem.method_not_allowed.detail", language, method=request.method)
    elif status == 413:
        limit = request.app.state.settings.max_body_bytes
        detail = translate("problem.too_large.detail", language, limit=limit)
    elif status == 429:
        # Litestar's limiter says when its window resets (RateLimit-Reset); Retry-After is what clients read.
        wait = (headers or {}).get("RateLimit-Reset", "60")
        headers = {**(headers or {}), "Retry-After": wait}
        detail = translate("problem.rate_limited.detail", language, seconds=wait)
    else:
        # Litestar's own details are short English phrases meant for developers ("Missing required header").
        detail = exc.detail or None
    problem = build_problem(status, slug, translate(title_key, language), detail=detail, instance=request.url.path)
    return problem_response(problem, headers=headers)


def _server_error(request: Request[Any, Any, Any], exc: Exception, status: int) -> Response[bytes]:
    logger.error("server error on %s %s", request.method, request.url.path, exc_info=exc)
    language = request_language(request)
    slug, title_key = _STATUS_PROBLEMS.get(status, ("server-error", "problem.server_error.title"))
    problem = build_problem(
        status,
        slug,
        translate(title_key, language),
        detail=translate("problem.server_error.detail", language),
        instance=request.url.path,
    )
    return problem_response(problem)


def _unexpected_error(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    return _server_error(request, exc, HTTP_500_INTERNAL_SERVER_ERROR)


def _nul_character(request: Request[Any, Any, Any], exc: CharacterNotInRepertoireError) -> Response[bytes]:
    # PostgreSQL text cannot hold U+0000, which JSON, forms and URLs can carry: bad input, not a server failure.
    return _app_error(request, InvalidInputError("problem.validation.nul_character"))


def _database_unavailable(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    # The database restarting, failing over or out of connections is temporary: nothing was written (the
    # transaction died with the connection), so the client should retry, which the outbox and sync do.
    logger.warning("database unavailable on %s %s: %s", request.method, request.url.path, exc)
    language = request_language(request)
    problem = build_problem(
        503,
        "unavailable",
        translate("problem.unavailable.title", language),
        detail=translate("problem.unavailable.database", language),
        instance=request.url.path,
    )
    return problem_response(problem, headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)})


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    AppError: _app_error,
    CharacterNotInRepertoireError: _nul_character,
    PostgresConnectionError: _database_unavailable,
    OperatorInterventionError: _database_unavailable,  # shutting down, starting up, backend terminated
    InsufficientResourcesError: _database_unavailable,  # too many connections
    ConnectionError: _database_unavailable,  # refused or reset while the pool opens a connection
    ValidationException: _validation_error,
    HTTPException: _http_error,
    Exception: _unexpected_error,
}
