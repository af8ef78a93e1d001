"""Security headers on every HTTP response (OWASP ASVS V14.4), added where the route did not set its own.

The web app needs no inline script, no eval and no third-party origin: its scripts, styles, fonts and the live
websocket all come from this origin, so the default policy allows only 'self'. Inline *styles* stay allowed
because pre-rendered pages carry style attributes (bar widths in charts) that the live client also sets.
Routes with stricter needs (sign-in pages, downloads served with `sandbox`) set their own policy, which wins.
The Swagger UI page is the one exception: its bootstrap is an inline script rendered by Litestar.
"""

from __future__ import annotations

from collections.abc import Iterable

APP_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    )
)
API_DOCS_POLICY = APP_POLICY.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
API_DOCS_PREFIX = "/schema"
# Two years, the preload list's minimum, once the deployment is served over https.
HSTS = "max-age=63072000; includeSubDomains"

_COMMON = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    # Households may record a GPS position and petitions a photo; nothing else of the device is used.
    (b"permissions-policy", b"geolocation=(self), camera=(self), microphone=(), payment=(), usb=()"),
)


def with_security_headers(
    headers: Iterable[tuple[bytes, bytes]], path: str, *, https: bool
) -> list[tuple[bytes, bytes]]:
    """The response's headers plus every security header it does not already carry."""
    result = list(headers)
    present = {name.lower() for name, _ in result}
    policy = API_DOCS_POLICY if path.startswith(API_DOCS_PREFIX) else APP_POLICY
    wanted = [*_COMMON, (b"content-security-policy", policy.encode())]
    if https:
        wanted.append((b"strict-transport-security", HSTS.encode()))
    result.extend((name, value) for name, value in wanted if name not in present)
    return result
