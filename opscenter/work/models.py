"""Direction and internal work: data."""
