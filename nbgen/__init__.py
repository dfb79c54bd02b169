"""nbgen: turn a Kaggle computer-vision competition into an offline-ready GPU notebook."""

from nbgen.errors import NbgenError
from nbgen.generate import generate
from nbgen.registry import get_arch, list_archs
from nbgen.version import __version__

__all__ = ["NbgenError", "__version__", "generate", "get_arch", "list_archs"]
