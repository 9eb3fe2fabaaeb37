"""Provider connections: how the org reaches upstream model providers."""
