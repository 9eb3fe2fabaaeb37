"""Seed 004's model factory: connectors, data models, trainings, benchmarks, evaluations."""
