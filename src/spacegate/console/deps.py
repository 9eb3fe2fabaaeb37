"""Who is signed in, and the checks every console request goes through.

``ConsoleDep`` gives a page the signed-in ``Console`` (or sends the browser to the sign-in page);
``FormDep`` does the same for a form post and also checks its CSRF token and origin.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from starlette.datastructures import FormData

from spacegate.client.errors import AuthenticationError
from spacegate.console.api import ConsoleApi
from spacegate.console.session import COOKIE, ConsoleSession, SessionSealer
from spacegate.runtime import Runtime


class SignInRequired(Exception):
    """No valid session: the browser goes to the sign-in page (and comes back after)."""

    def __init__(self, next_path: str, *, ended: bool = False) -> None:
        self.next_path = next_path
        self.ended = ended


class CsrfRejected(Exception):
    """A form post without this session's CSRF token, or from another origin."""


@dataclass
class Console:
    session: ConsoleSession
    api: ConsoleApi
    #: ``GET /v1/users/me``: id, email, role, org_id and the key's effective permissions.
    me: dict[str, Any]

    @property
    def csrf(self) -> str:
        return self.session.csrf

    def can(self, permission: str) -> bool:
        return permission in self.me.get("permissions", ())


def sealer(request: Request) -> SessionSealer:
    state = request.app.state
    if getattr(state, "console_sealer", None) is None:
        runtime: Runtime = state.runtime
        state.console_sealer = SessionSealer(runtime.settings.resolved_secret_key)
    result: SessionSealer = state.console_sealer
    return result


def _next_path(request: Request) -> str:
    path = request.url.path
    return path + (f"?{request.url.query}" if request.url.query else "")


async def current_console(request: Request) -> AsyncIterator[Console]:
    session = sealer(request).open(request.cookies.get(COOKIE))
    if session is None:
        raise SignInRequired(_next_path(request) if request.method == "GET" else "/console")
    api = ConsoleApi(request.app, session.api_key, request_id=request.headers.get("x-request-id"))
    try:
        try:
            me = await api.get("/v1/users/me")
        except AuthenticationError:  # the key was revoked or expired since sign-in
            raise SignInRequired(_next_path(request), ended=True) from None
        console = Console(session=session, api=api, me=me)
        request.state.console = console
        yield console
    finally:
        await api.aclose()


ConsoleDep = Annotated[Console, Depends(current_console)]


def same_origin(request: Request) -> bool:
    """A browser names the page a post comes from; it must be this server."""
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None  # no header: not a browser cross-site post (SameSite keeps those out)
    expected = f"{request.url.scheme}://{request.url.netloc}"
    forwarded = request.headers.get("x-forwarded-host")
    return origin == expected or (forwarded is not None and origin.split("://", 1)[-1] == forwarded)


#: Inputs a failed form is never re-filled with: the CSRF token, and secrets (a provider's key).
NOT_KEPT = frozenset({"csrf_token", "api_key"})


class FormValues(dict[str, Any]):
    """A form's values by input name: a string, or a list of strings for a name sent more than
    once. ``getlist`` reads a multi-valued input the same way whether one or several values (or
    none) were sent, e.g. ``{% if option in form.getlist("allowed_endpoints") %}``."""

    def getlist(self, name: str) -> list[str]:
        value = self.get(name)
        if isinstance(value, list | tuple):
            return [str(v) for v in value]
        return [] if value is None or value == "" else [str(value)]


@dataclass
class Form:
    console: Console
    data: FormData

    def get(self, name: str, default: str = "") -> str:
        value = self.data.get(name)
        return value.strip() if isinstance(value, str) else default

    def getlist(self, name: str) -> list[str]:
        return [v.strip() for v in self.data.getlist(name) if isinstance(v, str) and v.strip()]

    def values(self) -> FormValues:
        """What was typed, to put back into a form that failed: every value of a name sent more
        than once (a checkbox group) as a list; never the CSRF token nor a typed API key."""
        kept = FormValues()
        for name in self.data:
            if name in NOT_KEPT:
                continue
            sent = [v for v in self.data.getlist(name) if isinstance(v, str)]
            if sent:
                kept[name] = sent if len(sent) > 1 else sent[0]
        return kept


async def current_form(request: Request, console: ConsoleDep) -> Form:
    data = await request.form()
    token = data.get("csrf_token") or request.headers.get("x-csrf-token")
    if not same_origin(request) or not console.session.csrf_ok(
        token if isinstance(token, str) else None
    ):
        raise CsrfRejected()
    return Form(console=console, data=data)


FormDep = Annotated[Form, Depends(current_form)]


def sign_in_url(next_path: str, *, ended: bool = False) -> str:
    url = f"/console/login?next={quote(next_path, safe='/')}"
    return url + ("&ended=1" if ended else "")
