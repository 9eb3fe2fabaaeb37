"""Entitlements: which models each space may use, how much and for what (space x model)."""
