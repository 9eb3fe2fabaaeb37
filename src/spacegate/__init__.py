"""Spacegate: govern how an organisation uses AI models."""

__version__ = "0.1.0"
