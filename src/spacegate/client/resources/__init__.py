"""One module per resource family; each holds the calls once and a sync and an async face."""
