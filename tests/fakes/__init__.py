"""Fakes at the network edge: servers that speak real wire protocols on loopback."""
