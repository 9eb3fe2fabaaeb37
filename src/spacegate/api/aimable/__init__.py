"""The Aimable Platform API surface (seeds 000 and 001)."""
