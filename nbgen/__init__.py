"""nbgen: turn a Kaggle computer-vision competition into an offline-ready GPU notebook."""

from typing import Any

from nbgen.errors import NbgenError
from nbgen.version import __version__

__all__ = ["NbgenError", "__version__", "generate", "get_arch", "list_archs"]


def __getattr__(name: str) -> Any:
    """Import the library API on first use: `nbgen --help` must not pay for jinja2 and nbformat."""
    if name == "generate":
        from nbgen.generator import generate

        return generate
    if name in ("get_arch", "list_archs"):
        from nbgen import registry

        return getattr(registry, name)
    raise AttributeError(f"module 'nbgen' has no attribute {name!r}")
