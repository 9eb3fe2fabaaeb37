from __future__ import annotations

import pytest

from tests.entitlements.helpers import public_dns

__all__ = ["public_dns"]


@pytest.fixture(autouse=True)
def _no_real_dns(public_dns: None) -> None:
    """Providers are registered here; none may query real DNS."""
