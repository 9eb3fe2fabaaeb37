"""Seed 004's model factory: connectors to a space's data, data models, trainings on a local
executor, checkpoints, benchmarks, evaluations, leaderboards and status webhooks.

Heavy libraries (scikit-learn, pyarrow, boto3) are imported inside the functions that use them,
so importing the API does not load them.
"""
