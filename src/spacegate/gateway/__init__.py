"""The OpenAI-compatible gateway: enforce entitlements, route to providers, meter every token."""
