"""Words, charts and the one-page PDF summary built from typed results."""
