"""Clusters: a space's Ray cluster, read live, and the executor that runs work there."""
