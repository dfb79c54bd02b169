"""Render stage templates with one strict Jinja environment and inline helper modules."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import jinja2

from nbgen.templates_dir import TEMPLATES_DIR

LIB_IMPORT = re.compile(r"^from lib\.\w+ import ")
HELPER_SOURCE = "templates/"  # a helper cell's first line ends with "(templates/lib/<module>.py)"


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """Return the one Jinja environment: strict undefined, whitespace-trimming, no escaping."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        bytecode_cache=_bytecode_cache(),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.globals["inline"] = inline_helper
    env.globals["keyword_args"] = keyword_args
    # User strings reach code only through this filter: a Python literal, never raw text.
    env.filters["py"] = repr
    return env


def keyword_args(names: str, present: Iterable[str], indent: int = 4, width: int = 120) -> str:
    """`name=name,` for each of the space-separated `names` the parameters cell holds (`present`), in lines of at most
    `width` characters indented by `indent`: a call passes on the data parameters a plan-sized notebook kept."""
    kept = set(present)
    lines, line = [], ""
    for name in names.split():
        if name not in kept:
            continue
        item = f"{name}={name},"
        if line and indent + len(line) + 1 + len(item) > width:
            lines.append(line)
            line = item
        else:
            line = f"{line} {item}" if line else item
    return "\n".join(" " * indent + text for text in [*lines, line] if text)


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates in the user's cache folder (keyed by template source), or none where it is not writable."""
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "nbgen" / "jinja"
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(str(root)) if os.access(root, os.W_OK) else None


def stage_template(task: str, family: str, stage: str) -> jinja2.Template:
    """Return the most specific template: task/family/stage, then task/stage, then common/stage."""
    names = [f"{task}/{family}/{stage}.py.j2", f"{task}/{stage}.py.j2", f"common/{stage}.py.j2"]
    return environment().select_template(names)


def render_stage(task: str, family: str, stage: str, context: dict[str, Any]) -> str:
    """Render one stage to percent-format text (cells separated by `# %%` lines)."""
    return stage_template(task, family, stage).render(**context)


@cache
def inline_helper(relative_path: str) -> str:
    """Return a helper module's source without its module docstring, ready to paste in a cell.

    Helpers under templates/lib are ordinary, tested modules; the notebook gets their text so
    that it never imports nbgen. Their `from lib.x import ...` lines are dropped: in the notebook
    the other helper is inlined into the same namespace, in an earlier cell.
    """
    lines = (TEMPLATES_DIR / relative_path).read_text(encoding="utf-8").splitlines()
    # Plain line rules instead of ast (parsing every helper on each `nbgen new` costs ~20 ms): the
    # helpers open with a docstring and import each other with ruff-formatted `from lib.x import`.
    kept, skipping = [], ""
    summary = ""
    if lines and lines[0].startswith('"""'):
        summary = lines[0].strip('"').strip().rstrip(".")
        end = next(i for i, line in enumerate(lines) if line.rstrip().endswith('"""') and (i or line.count('"""') == 2))
        lines = lines[end + 1:]
    for line in lines:
        if skipping:
            skipping = "" if line.startswith(")") else skipping
            continue
        if LIB_IMPORT.match(line):
            skipping = "(" if line.rstrip().endswith("(") else ""
            continue
        kept.append(line)
    # One comment line says what the cell holds and where it comes from; it also marks the cell as a helper.
    return f"# {summary} ({HELPER_SOURCE}{relative_path})\n" + "\n".join(kept).strip("\n")
