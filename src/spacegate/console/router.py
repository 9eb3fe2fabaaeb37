"""Mounts the console on the app: pages under ``/console``, static files, error pages."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from spacegate.client.errors import APIStatusError, describe
from spacegate.console.deps import CsrfRejected, SignInRequired, sign_in_url
from spacegate.console.pages import (
    auth,
    chat,
    copilot,
    datasets,
    endpoints,
    factory,
    keys,
    logs,
    models,
    space_models,
    spaces,
    usage,
)
from spacegate.console.render import HERE, render
from spacegate.console.session import COOKIE, PATH

router = APIRouter(prefix="/console", include_in_schema=False)


@router.get("")
async def home() -> RedirectResponse:
    return RedirectResponse("/console/spaces", status_code=303)


for module in (
    auth,
    spaces,
    space_models,
    models,
    usage,
    logs,
    keys,
    chat,
    copilot,
    datasets,
    endpoints,
    factory,
):
    router.include_router(module.router)


async def _sign_in(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRequired)
    location = sign_in_url(exc.next_path, ended=exc.ended)
    response: Response = RedirectResponse(location, status_code=303)
    if request.headers.get("HX-Request") == "true":  # htmx: reload the whole page there
        response = Response(status_code=204, headers={"HX-Redirect": location})
    if exc.ended or COOKIE in request.cookies:
        response.delete_cookie(COOKIE, path=PATH)
    return response


async def _csrf(request: Request, exc: Exception) -> Response:
    message = "This form expired or came from another site. Reload the page and try again."
    return render(request, "error.html", {"status": 403, "message": message}, status_code=403)


async def _api_error(request: Request, exc: Exception) -> Response:
    """A page whose reads the API refused (a foreign or deleted id: 404; no permission: 403)."""
    assert isinstance(exc, APIStatusError)
    status = exc.status_code if 400 <= exc.status_code < 600 else 502
    context = {"status": status, "message": describe(exc.detail)}
    return render(request, "error.html", context, status_code=status)


def install(app: FastAPI) -> None:
    app.include_router(router)
    app.mount("/console/static", StaticFiles(directory=HERE / "static"), name="console-static")
    app.add_exception_handler(SignInRequired, _sign_in)
    app.add_exception_handler(CsrfRejected, _csrf)
    app.add_exception_handler(APIStatusError, _api_error)
