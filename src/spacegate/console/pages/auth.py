"""Sign in with an API key, sign out."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from spacegate.client.errors import APIStatusError, AuthenticationError, describe
from spacegate.console.api import ConsoleApi
from spacegate.console.deps import FormDep, same_origin, sealer
from spacegate.console.render import redirect, render
from spacegate.console.session import COOKIE, MAX_AGE, PATH, ConsoleSession

router = APIRouter()
#: Before sign-in there is no session to hold a CSRF token: the form's token is paired with a
#: cookie instead (double submit), so no other site can sign a browser in to its own account.
LOGIN_CSRF_COOKIE = "sg_login_csrf"


def _safe_next(value: str | None) -> str:
    """Only console paths on this server (no open redirect to another site)."""
    if value and value.startswith("/console") and not value.startswith("//"):
        return value
    return "/console/spaces"


def _login_page(
    request: Request, *, next_path: str, error: str | None = None, status_code: int = 200
) -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    ended = request.query_params.get("ended") == "1"
    response = render(
        request,
        "login.html",
        {"next": next_path, "error": error, "login_csrf": token, "ended": ended},
        status_code=status_code,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE, token, max_age=3600, path=PATH, httponly=True, samesite="strict",
        secure=request.url.scheme == "https",
    )  # fmt: skip
    return response


@router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request, next: str | None = None) -> HTMLResponse:
    return _login_page(request, next_path=_safe_next(next))


@router.post("/login", response_class=HTMLResponse)
async def login(
    request: Request,
    api_key: Annotated[str, Form()] = "",
    login_csrf: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    next_path = _safe_next(next)
    expected = request.cookies.get(LOGIN_CSRF_COOKIE)
    if not same_origin(request) or not expected or not secrets.compare_digest(expected, login_csrf):
        return _login_page(
            request,
            next_path=next_path,
            error="The sign-in form expired; please try again.",
            status_code=403,
        )
    api_key = api_key.strip()
    if not api_key:
        return _login_page(request, next_path=next_path, error="Enter an API key.", status_code=422)
    api = ConsoleApi(request.app, api_key)
    try:
        await api.get("/v1/users/me")
    except AuthenticationError:
        return _login_page(
            request,
            next_path=next_path,
            error="This API key is not valid (unknown, revoked or expired).",
            status_code=401,
        )
    except APIStatusError as exc:
        return _login_page(
            request, next_path=next_path, error=describe(exc.detail), status_code=exc.status_code
        )
    finally:
        await api.aclose()
    response = redirect(next_path)
    response.set_cookie(
        COOKIE,
        sealer(request).seal(ConsoleSession.new(api_key)),
        max_age=MAX_AGE,
        path=PATH,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path=PATH)
    return response


@router.post("/logout")
async def logout(form: FormDep) -> RedirectResponse:
    response = redirect("/console/login", flash="Signed out.")
    response.delete_cookie(COOKIE, path=PATH)
    return response
