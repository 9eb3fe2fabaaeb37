"""Pages for people rather than programs: ``/`` points to the console and the API docs, and the
API docs (Swagger UI at ``/docs``, ReDoc at ``/redoc``) load their scripts from this server.

FastAPI's own docs pages fetch Swagger UI and ReDoc from a CDN (and ReDoc its fonts from Google),
so they are blank on an offline or air-gapped install. The assets come from the
``fastapi-offline`` package instead, served under ``/docs/static``. ReDoc's bundle shows a
logo it fetches from its vendor's CDN: that one address is pointed at a file of ours.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

ASSETS = Path(fastapi_offline.__file__).parent / "static"
STATIC = "/docs/static"

_HOME = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Spacegate</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto;
padding: 0 1rem">
<h1>Spacegate</h1>
<ul>
<li><a href="{root}/console">Console</a>: spaces, models, usage and logs for people.</li>
<li><a href="{root}/docs">API reference</a> (Swagger UI), or <a href="{root}/redoc">ReDoc</a>;
the OpenAPI document is <a href="{root}/openapi.json">/openapi.json</a>.</li>
<li>The OpenAI-compatible gateway is at <code>{root}/v1</code>.</li>
</ul></body></html>
"""


_REDOC_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"


@cache
def _redoc_bundle() -> bytes:
    return (
        (ASSETS / "redoc.standalone.js")
        .read_bytes()
        .replace(_REDOC_LOGO, f"{STATIC}/favicon.png".encode())
    )


def install(app: FastAPI) -> None:
    """Call on an app made with ``docs_url=None, redoc_url=None``."""

    @app.get(f"{STATIC}/redoc.standalone.js", include_in_schema=False)
    async def redoc_bundle() -> Response:
        headers = {"Cache-Control": "public, max-age=86400"}
        return Response(_redoc_bundle(), media_type="text/javascript", headers=headers)

    app.mount(STATIC, StaticFiles(directory=ASSETS), name="docs-static")
    title = app.title

    @app.get("/", include_in_schema=False)
    async def home(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        links = f'<{root}/console>; rel="console", <{root}/docs>; rel="service-doc"'
        return HTMLResponse(_HOME.format(root=root), headers={"Link": links})

    @app.get("/docs", include_in_schema=False)
    async def swagger(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=f"{title} - API reference",
            swagger_js_url=f"{root}{STATIC}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{STATIC}/swagger-ui.css",
            swagger_favicon_url=f"{root}{STATIC}/favicon.png",
        )

    @app.get("/redoc", include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_redoc_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=f"{title} - ReDoc",
            redoc_js_url=f"{root}{STATIC}/redoc.standalone.js",
            redoc_favicon_url=f"{root}{STATIC}/favicon.png",
            with_google_fonts=False,
        )
