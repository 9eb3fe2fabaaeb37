"""Console tests over HTTP in process: a signed-in browser is an httpx client with cookies."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from tests.factories import OrgCtx
from tests.factory.conftest import (  # noqa: F401 (the factory pages' tests read a bucket)
    bucket,
    private_networks,
    s3_server,
    space,
)

BASE = "http://spacegate.test"
_INPUT = re.compile(r'<input[^>]*name="(?P<name>[^"]+)"[^>]*value="(?P<value>[^"]*)"')


def hidden(page: str, name: str) -> str:
    """The value of a named input in a page (CSRF tokens, idempotency keys)."""
    for m in _INPUT.finditer(page):
        if m.group("name") == name:
            return html.unescape(m.group("value"))
    raise AssertionError(f"no input {name!r} in the page")


class Browser:
    """Just enough of a browser: cookies, same-origin form posts, the page's CSRF token."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.http = client
        self.csrf = ""

    async def get(self, path: str, **kw: object) -> httpx.Response:
        response = await self.http.get(path, **kw)  # type: ignore[arg-type]
        if 'name="csrf_token"' in response.text:
            self.csrf = hidden(response.text, "csrf_token")
        return response

    async def post(self, path: str, data: dict[str, object] | None = None) -> httpx.Response:
        form = {"csrf_token": self.csrf, **(data or {})}
        return await self.http.post(path, data=form, headers={"Origin": BASE})

    async def sign_in(self, key: str) -> httpx.Response:
        page = await self.http.get("/console/login")
        token = hidden(page.text, "login_csrf")
        response = await self.http.post(
            "/console/login",
            data={"api_key": key, "login_csrf": token, "next": "/console/spaces"},
            headers={"Origin": BASE},
        )
        if response.status_code == 303:
            await self.get(response.headers["location"])
        return response


@pytest.fixture
async def anonymous(app: FastAPI) -> AsyncIterator[Browser]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as c:
        yield Browser(c)


@pytest.fixture
async def browser(anonymous: Browser, org: OrgCtx) -> Browser:
    """Signed in as the org's owner."""
    response = await anonymous.sign_in(org.key)
    assert response.status_code == 303, response.text
    return anonymous
