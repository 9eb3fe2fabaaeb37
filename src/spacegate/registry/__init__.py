"""The org's model registry: models, targets and routing strategy."""
