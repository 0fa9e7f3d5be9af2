"""opscenter: the Smart Operations Center."""

__version__ = "0.1.0"
