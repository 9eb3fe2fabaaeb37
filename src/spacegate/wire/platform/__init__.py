"""Wire schemas of the ``platform`` surface (see ``spacegate.wire``)."""
