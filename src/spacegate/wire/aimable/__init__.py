"""Wire schemas of the ``aimable`` surface (see ``spacegate.wire``)."""
