"""Wire schemas of the ``factory`` surface (see ``spacegate.wire``)."""
