"""The nbgen version, recorded in every generated notebook's metadata."""

__version__ = "0.1.0"
