"""The OpenAI wire surface: official SDKs point their ``base_url`` here and work unmodified."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from spacegate.api.openai import schemas
from spacegate.gateway.errors import GatewayError
from spacegate.gateway.service import Gateway

router = APIRouter(prefix="/v1", tags=["openai"])


def _gateway(request: Request) -> Gateway:
    gateway: Gateway = request.app.state.gateway
    return gateway


@router.post(
    "/chat/completions",
    summary="Create chat completion",
    openapi_extra=schemas.CHAT,
    responses={**schemas.COMPLETION_RESPONSE, **schemas.INFERENCE_ERRORS},
    response_class=Response,
)
async def chat_completions(request: Request) -> Response:
    return await _gateway(request).infer(request, "chat.completions")


@router.post(
    "/completions",
    summary="Create completion",
    openapi_extra=schemas.COMPLETIONS,
    responses={**schemas.COMPLETION_RESPONSE, **schemas.INFERENCE_ERRORS},
    response_class=Response,
)
async def completions(request: Request) -> Response:
    return await _gateway(request).infer(request, "completions")


@router.post(
    "/embeddings",
    summary="Create embeddings",
    openapi_extra=schemas.EMBEDDINGS,
    responses={**schemas.COMPLETION_RESPONSE, **schemas.INFERENCE_ERRORS},
    response_class=Response,
)
async def embeddings(request: Request) -> Response:
    return await _gateway(request).infer(request, "embeddings")


@router.get(
    "/models",
    summary="List models",
    description="The models entitled (and enabled) in the caller's space: OpenAI's list plus "
    "`count` and `has_more`.",
    openapi_extra={"parameters": schemas.CHAT["parameters"][:1]},
    responses={200: {"model": schemas.ModelList}, **schemas.errors(400, 403, 404)},
    response_class=Response,
)
async def list_models(request: Request) -> Response:
    try:
        return await _gateway(request).list_models(request)
    except GatewayError as exc:
        return exc.response()


@router.get(
    "/models/{model}",
    summary="Retrieve model",
    openapi_extra={"parameters": schemas.CHAT["parameters"][:1]},
    responses={200: {"model": schemas.ModelObject}, **schemas.errors(400, 403, 404)},
    response_class=Response,
)
async def retrieve_model(model: str, request: Request) -> Response:
    try:
        return await _gateway(request).retrieve_model(request, model)
    except GatewayError as exc:
        return exc.response()


#: Inference routes served by ``HotPathMiddleware`` ahead of routing; the routes above still
#: document them and serve what the hot path leaves to the normal stack (CORS requests).
HOT_ROUTES = {
    ("POST", "/v1/chat/completions"): chat_completions,
    ("POST", "/v1/completions"): completions,
    ("POST", "/v1/embeddings"): embeddings,
}
