"""Security failures into the audit log: access outside one's scope, rejected tokens, missing CSRF tokens,
failed client authentication. Runs after the request's own transaction has rolled back, so the entry is
written on its own."""

from __future__ import annotations

import logging
from typing import Any

from litestar.types import Scope

from backend.features.audit.service import AuditEvent, record
from backend.features.identity.auth import CsrfFailed, Unauthorized
from backend.features.identity.oauth_errors import OAuthError
from backend.lib.access import AccessDenied

logger = logging.getLogger("mattran.security")


def _client_ip(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else ""


def _has_bearer(scope: Scope) -> bool:
    return any(k == b"authorization" and v[:7].lower() == b"bearer " for k, v in scope.get("headers", []))


def security_event(exc: Exception, scope: Scope) -> AuditEvent | None:
    ip, path = _client_ip(scope), str(scope.get("path", ""))
    if isinstance(exc, AccessDenied):
        return AuditEvent(
            action="access.denied",
            actor=exc.actor,
            unit_path=exc.unit_path,
            ip=ip,
            details={"permission": exc.permission.value, "path": path},
        )
    if isinstance(exc, Unauthorized) and _has_bearer(scope):
        return AuditEvent(action="token.rejected", ip=ip, details={"path": path})
    if isinstance(exc, CsrfFailed):
        return AuditEvent(action="csrf.rejected", ip=ip, details={"path": path})
    if isinstance(exc, OAuthError) and exc.error == "invalid_client":
        return AuditEvent(action="client.authentication_failed", ip=ip, details={"path": path})
    return None


async def audit_security_failure(exc: Exception, scope: Scope) -> None:
    event = security_event(exc, scope)
    if event is None:
        return
    app: Any = scope["app"]
    try:
        await record(event, app.state.clock.now())
    except Exception:  # the answer to the client must not depend on the audit write; the log keeps a trace
        logger.exception("could not audit %s", event.action)
