"""Camera AI: data."""
