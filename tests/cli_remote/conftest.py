from pathlib import Path

import pytest

from tests.cli_remote.helpers import Cli
from tests.client.fixtures import owner, server, sg, upstream
from tests.factories import OrgCtx
from tests.live import LiveServer


@pytest.fixture
def cli(server: LiveServer, owner: OrgCtx, tmp_path: Path) -> Cli:
    return Cli(server.url, owner.key, tmp_path / "config")


__all__ = ["cli", "owner", "server", "sg", "upstream"]
