"""Template tags of the insights app (the 360 pages' analytics card)."""
