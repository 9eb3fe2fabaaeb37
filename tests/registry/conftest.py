from __future__ import annotations

import pytest

from tests.providers.helpers import FakeDns


@pytest.fixture(autouse=True)
def _no_real_dns(fake_dns: FakeDns) -> FakeDns:
    """No test here queries real DNS (see ``fake_dns``)."""
    return fake_dns
