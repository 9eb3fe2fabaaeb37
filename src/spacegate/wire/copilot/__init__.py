"""Wire schemas of the ``copilot`` surface (see ``spacegate.wire``)."""
