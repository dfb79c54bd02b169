"""Run the notebooks' own discovery rules (templates/lib/discover.py) from the CLI: one set of rules."""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from nbgen.errors import DiscoveryError
from nbgen.templates_dir import TEMPLATES_DIR


def _lib_module(name: str) -> Any:
    """Import templates/lib/<name>.py as `lib.<name>`, the name the helpers import each other by."""
    package = sys.modules.get("lib")
    lib_dir = TEMPLATES_DIR / "lib"
    if package is None:
        spec = importlib.util.spec_from_file_location("lib", lib_dir / "__init__.py", submodule_search_locations=[str(lib_dir)])
        package = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
        sys.modules["lib"] = package
        spec.loader.exec_module(package)  # type: ignore[union-attr]
    elif Path(getattr(package, "__file__", "") or "").parent.resolve() != lib_dir.resolve():
        raise DiscoveryError(f"another package called 'lib' is imported ({package.__file__}); run nbgen in a clean environment")
    return importlib.import_module(f"lib.{name}")


def inspect_folder(folder: str | Path, task: str = "", overrides: Mapping[str, str] | None = None) -> Any:
    """Return the discovery plan of a competition folder, or raise DiscoveryError with its one-line reason.

    Every --set value goes to discovery as the notebook would pass it; the rules read the ones they know.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise DiscoveryError(f"{folder} is not a folder; pass the competition's data folder")
    discover = _lib_module("discover")
    try:
        return discover.discover(folder, task, **dict(overrides or {}))
    except (ValueError, KeyError, FileNotFoundError, ImportError, OSError) as err:
        message = err.args[0] if isinstance(err, KeyError) and err.args else str(err)
        raise DiscoveryError(str(message)) from None
