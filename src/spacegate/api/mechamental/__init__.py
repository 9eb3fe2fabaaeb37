"""The MechaMental API surface (seed 002): an org's workspaces and their model entitlements."""
