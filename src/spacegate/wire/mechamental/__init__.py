"""Wire schemas of the ``mechamental`` surface (see ``spacegate.wire``)."""
