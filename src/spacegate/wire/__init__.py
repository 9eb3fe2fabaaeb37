"""Wire schemas: the request and response bodies of the HTTP API, shared by the server and the SDK.

Every module here imports pydantic, other ``spacegate.wire`` modules and a few dependency-free
vocabularies (``spacegate.auth.permissions``, ``spacegate.kit.emails``, ``spacegate.factory.tasks``)
only — never FastAPI, SQLAlchemy, ``spacegate.api``, ``spacegate.models`` or a domain service (their
types appear in annotations under ``TYPE_CHECKING`` only) — so that ``import spacegate.client`` and
the CLI's remote commands stay light (tests/client/test_import_light.py).

The layout mirrors ``spacegate.api``: the schemas of ``spacegate/api/<surface>/<resource>.py``
live in ``spacegate/wire/<surface>/<resource>.py``
(``wire/platform/spaces.py``, ``wire/factory/trainings.py``, ``wire/copilot/chats.py``,
``wire/syft/endpoints.py`` ...); routers and services import them from here, one definition each.
``wire/base.py`` holds the base classes (``RequestModel``, ``ResponseModel``, ``ListResponse``,
``IdResponse``, ``Cost``, ``PermissionName``); ``wire/copilot/experts.py`` the ``NoNul`` base of
nested bodies. The registry's shapes are ``wire/platform/tenant_models.py``, the provider
connections' ``wire/platform/providers.py``, MechaMental's limit vocabulary
``wire/mechamental/limits.py``.
"""
