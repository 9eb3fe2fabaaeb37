"""Wire schemas of the Syft surface (``/api/v1/...``, seed 003): one module per resource of
``spacegate/api/syft/`` — ``endpoints.py``, ``policies.py``, ``datasets.py`` (datasets and their
documents) ... — pydantic only, imported by the routers and by the SDK's RAG resources."""
