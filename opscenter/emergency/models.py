"""115 emergency coordination: data."""
