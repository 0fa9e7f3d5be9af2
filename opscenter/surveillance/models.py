"""Epidemic surveillance: data."""
