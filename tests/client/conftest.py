from tests.client.fixtures import owner, server, sg, upstream
from tests.factory.conftest import bucket, s3_server

__all__ = ["bucket", "owner", "s3_server", "server", "sg", "upstream"]
