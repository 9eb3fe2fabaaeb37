"""Wire schemas: the request and response bodies of the HTTP API, shared by the server and the SDK.

Every module here imports pydantic (and other ``spacegate.wire`` modules) only — never FastAPI,
SQLAlchemy, ``spacegate.api`` or a domain service — so that ``import spacegate.client`` and the
CLI's remote commands stay light. The layout mirrors ``spacegate.api``: the schemas of
``spacegate/api/<surface>/<resource>.py`` live in ``spacegate/wire/<surface>/<resource>.py``
(``wire/platform/spaces.py``, ``wire/factory/trainings.py``, ``wire/copilot/chats.py``,
``wire/syft/endpoints.py`` ...); routers and services import them from here, one definition each.
``wire/base.py`` holds the base classes (``RequestModel``, ``ResponseModel``, ``ListResponse``,
``IdResponse``, ``Cost``, ``PermissionName``).
"""
