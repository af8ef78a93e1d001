"""OAuth 2.0 / OIDC protocol errors. The token, revocation and userinfo endpoints answer in the format
their RFCs fix ({"error", "error_description"}), not problem+json, so standard clients understand them."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response


class OAuthError(Exception):
    def __init__(self, error: str, description: str = "", *, status: int = 400) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status = status


def oauth_error_response(request: Request[Any, Any, Any], exc: OAuthError) -> Response[dict[str, str]]:
    headers = {"Cache-Control": "no-store", "Pragma": "no-cache"}
    if exc.status == 401:
        if request.url.path.endswith("/userinfo"):
            headers["WWW-Authenticate"] = f'Bearer error="{exc.error}", error_description="{exc.description}"'
        else:
            headers["WWW-Authenticate"] = 'Basic realm="mattran"'
    body = {"error": exc.error} | ({"error_description": exc.description} if exc.description else {})
    return Response(body, status_code=exc.status, headers=headers)
