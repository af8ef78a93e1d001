"""The provider's own HTML pages (sign-in, consent, errors, sign-out): plain server-rendered forms that
work on a cheap phone without JavaScript, Vietnamese first, large touch targets, system font."""

from __future__ import annotations

from html import escape
from urllib.parse import urlencode

from litestar import Response

from backend.lib.i18n import Language, translate

# No framing (clickjacking, RFC 9700 §4.16); no scripts at all; styles only from this page.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
}

_STYLE = """
:root { color-scheme: light dark; --accent: #b3261e; }
* { box-sizing: border-box; }
body { margin: 0; font: 18px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 26rem; margin: 0 auto; padding: 1.5rem 1rem; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
p.sub { margin: 0 0 1.25rem; opacity: .8; }
label { display: block; font-weight: 600; margin: 1rem 0 .25rem; }
input[type=text], input[type=password] { width: 100%; font-size: 1.1rem; padding: .8rem; border-radius: .5rem;
  border: 1px solid #888; }
button, a.button { display: block; width: 100%; min-height: 3rem; margin-top: 1.25rem; font-size: 1.1rem;
  border-radius: .5rem; border: 0; background: var(--accent); color: #fff; text-align: center;
  text-decoration: none; padding: .75rem; }
button.secondary, a.secondary { background: transparent; color: inherit; border: 1px solid #888; }
.error { background: #fde7e7; color: #5c0b0b; padding: .75rem; border-radius: .5rem; }
ul { padding-left: 1.2rem; }
"""


def page(language: Language, title: str, body: str, status: int = 200) -> Response[str]:
    html = (
        f'<!doctype html><html lang="{language}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>"
    )
    return Response(html, status_code=status, media_type="text/html", headers=SECURITY_HEADERS)


def hidden_fields(params: dict[str, str]) -> str:
    return "".join(
        f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">' for name, value in params.items()
    )


def login_page(
    language: Language,
    client_name: str,
    params: dict[str, str],
    csrf: str,
    failed: bool,
    username: str = "",
    upstreams: list[tuple[str, str]] | None = None,
) -> Response[str]:
    """upstreams: (id, name) of the providers offered as "sign in with …"."""
    t = translate
    error = f'<p class="error" role="alert">{escape(t("oidc.login.failed", language))}</p>' if failed else ""
    query = urlencode(params)
    others = "".join(
        f'<a class="button secondary" href="/oauth/upstream/{escape(pid)}/start?{escape(query)}">'
        f"{escape(t('oidc.login.upstream', language, provider=name))}</a>"
        for pid, name in upstreams or []
    )
    body = (
        f"<h1>{escape(t('oidc.login.title', language))}</h1>"
        f'<p class="sub">{escape(t("oidc.login.for_client", language, client=client_name))}</p>{error}'
        f'<form method="post" action="/oauth/login">{hidden_fields(params)}'
        f'<input type="hidden" name="csrf" value="{escape(csrf)}">'
        f'<label for="username">{escape(t("oidc.login.username", language))}</label>'
        f'<input type="text" id="username" name="username" value="{escape(username)}" autocomplete="username"'
        f' autocapitalize="none" spellcheck="false" required autofocus>'
        f'<label for="password">{escape(t("oidc.login.password", language))}</label>'
        f'<input type="password" id="password" name="password" autocomplete="current-password" required>'
        f'<button type="submit">{escape(t("oidc.login.submit", language))}</button></form>{others}'
    )
    return page(language, t("oidc.login.title", language), body, status=401 if failed else 200)


def consent_page(
    language: Language, client_name: str, scopes: tuple[str, ...], params: dict[str, str], csrf: str
) -> Response[str]:
    t = translate
    items = "".join(f"<li>{escape(t(f'oidc.scope.{scope}', language))}</li>" for scope in scopes)
    body = (
        f"<h1>{escape(t('oidc.consent.title', language))}</h1>"
        f"<p>{escape(t('oidc.consent.question', language, client=client_name))}</p><ul>{items}</ul>"
        f'<form method="post" action="/oauth/consent">{hidden_fields(params)}'
        f'<input type="hidden" name="csrf" value="{escape(csrf)}">'
        f'<button type="submit" name="decision" value="allow">{escape(t("oidc.consent.allow", language))}</button>'
        f'<button type="submit" name="decision" value="deny" class="secondary">'
        f"{escape(t('oidc.consent.deny', language))}</button></form>"
    )
    return page(language, t("oidc.consent.title", language), body)


def error_page(language: Language, message_key: str) -> Response[str]:
    body = (
        f"<h1>{escape(translate('oidc.error.title', language))}</h1><p>{escape(translate(message_key, language))}</p>"
    )
    return page(language, translate("oidc.error.title", language), body, status=400)


def logout_confirm_page(language: Language, params: dict[str, str], csrf: str) -> Response[str]:
    t = translate
    body = (
        f"<h1>{escape(t('oidc.logout.confirm', language))}</h1>"
        f'<form method="post" action="/oauth/logout">{hidden_fields(params)}'
        f'<input type="hidden" name="csrf" value="{escape(csrf)}">'
        f'<button type="submit">{escape(t("oidc.logout.submit", language))}</button></form>'
    )
    return page(language, t("oidc.logout.confirm", language), body)


def signed_out_page(language: Language) -> Response[str]:
    title = escape(translate("oidc.logout.title", language))
    body = f"<h1>{title}</h1><p>{escape(translate('oidc.logout.done', language))}</p>"
    return page(language, translate("oidc.logout.title", language), body)
