"""Rate limits and budgets: exact on one process and across replicas (see ``service``)."""
