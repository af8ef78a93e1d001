"""The HTML document around every page: first paint is the server's pre-render; the live reactpy client
takes over when its websocket connects. Banners (connection, queue, install) live outside the live part."""

from __future__ import annotations

import json
from html import escape

from backend.lib.i18n import Language, translate
from pwa.assets import reactpy_client, static_url

THEME_COLOR = "#c8102e"
# Strings the browser-side scripts show (they cannot reach the server's table while offline).
CLIENT_STRINGS = (
    "pwa.outbox.waiting", "pwa.outbox.sent", "pwa.outbox.unsent_logout", "pwa.outbox.rejected",
    "pwa.connection.lost", "pwa.connection.click_blocked", "pwa.install.ios", "pwa.notes.saved_offline",
    "pwa.push.unsupported", "pwa.push.denied", "pwa.push.enabled", "pwa.push.failed",
)  # fmt: skip


def client_strings(language: Language) -> str:
    strings = {key: translate(key, language) for key in CLIENT_STRINGS}
    # Escape "</" so the JSON cannot close its script element.
    return json.dumps(strings, ensure_ascii=False).replace("</", "<\\/")


def document(language: Language, title: str, prerendered: str, *, live: bool = True) -> str:
    live_script = f'<script type="module" src="{reactpy_client()}"></script>' if live else ""
    return f"""<!doctype html>
<html lang="{language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<title>{escape(title)}</title>
<meta name="theme-color" content="{THEME_COLOR}">
<meta name="description" content="{escape(translate("pwa.tagline", language))}">
<link rel="manifest" href="/manifest.webmanifest">
<link rel="icon" href="/static/icons/icon-192.png" type="image/png">
<link rel="apple-touch-icon" href="/static/icons/icon-192.png">
<meta name="apple-mobile-web-app-capable" content="yes">
<link rel="stylesheet" href="{static_url("app.css")}">
<script src="{static_url("outbox.js")}" defer></script>
<script src="{static_url("app.js")}" defer></script>
{live_script}
</head>
<body>
<div id="banner-connection" class="banner banner-warning" role="status" hidden></div>
<div id="banner-outbox" class="banner banner-info" role="status" hidden></div>
<div id="banner-install" class="banner banner-info" hidden></div>
<div id="toast" class="toast" role="alert" hidden></div>
<div id="ssr">{prerendered}</div>
<div id="app"></div>
<script type="application/json" id="mattran-strings">{client_strings(language)}</script>
</body>
</html>"""
