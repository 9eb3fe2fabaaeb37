"""One module per console area; each exposes ``router``."""
