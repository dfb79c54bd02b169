"""Where the templates live: packaged next to the code in a wheel, at the repository root in a checkout."""

from pathlib import Path

_PACKAGED = Path(__file__).with_name("templates")
TEMPLATES_DIR = _PACKAGED if _PACKAGED.is_dir() else Path(__file__).parent.parent / "templates"
