"""Reading input: one encoding policy, YAML with positions, rosters; the record models, their field paths and the catalog of points."""
