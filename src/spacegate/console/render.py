"""Templates, flash messages and the redirects every page uses."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from spacegate import __version__
from spacegate.console.session import PATH

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.globals["version"] = __version__
FLASH_COOKIE = "sg_flash"


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int | None = None,
) -> HTMLResponse:
    """A page (or, for an HTMX request, the same template: it decides what to send). A form
    refused by the API (``error`` in the context) is answered with the API's status."""
    ctx: dict[str, Any] = {"console": getattr(request.state, "console", None)}
    ctx.update(context or {})
    ctx.setdefault("flash", unquote(request.cookies.get(FLASH_COOKIE, "")) or None)
    ctx["htmx"] = request.headers.get("HX-Request") == "true"
    if status_code is None:
        error = ctx.get("error")
        status_code = getattr(error, "status", None) or 200
    response = templates.TemplateResponse(request, name, ctx, status_code=status_code)
    if FLASH_COOKIE in request.cookies:
        response.delete_cookie(FLASH_COOKIE, path=PATH)
    response.headers["Cache-Control"] = "no-store"
    return response


def redirect(url: str, *, flash: str | None = None) -> RedirectResponse:
    """303 See Other after a successful form post (the browser then GETs ``url``)."""
    response = RedirectResponse(url, status_code=303)
    if flash:
        response.set_cookie(
            FLASH_COOKIE, quote(flash), max_age=60, path=PATH, httponly=True, samesite="lax"
        )
    return response
