"""Usage reports: sums over the durable usage ledger, by day, model, space and API key."""
