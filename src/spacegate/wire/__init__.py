"""Wire schemas: the request and response models of the HTTP API, pydantic only (no server
imports), shared by the server's routers and the Python client."""
