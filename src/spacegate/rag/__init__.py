"""Seed 003 (Syft Space): datasets with ingestion and hybrid search, endpoints, policies."""
