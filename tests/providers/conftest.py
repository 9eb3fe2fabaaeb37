from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI

from spacegate.api.platform.providers import get_resolver
from tests.providers.helpers import FakeDns


@pytest.fixture(autouse=True)
def fake_dns(app: FastAPI) -> Iterator[FakeDns]:
    """No test queries real DNS: base URL checks resolve through this table."""
    dns = FakeDns()
    app.dependency_overrides[get_resolver] = lambda: dns
    yield dns
    app.dependency_overrides.pop(get_resolver, None)
