"""Wire schemas of the Syft surface (seed 003)."""
