from tests.client.fixtures import owner, server, sg, upstream

__all__ = ["owner", "server", "sg", "upstream"]
