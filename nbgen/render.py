"""Render stage templates with one strict Jinja environment and inline helper modules."""

from __future__ import annotations

import ast
from functools import cache, lru_cache
from typing import Any

import jinja2

from nbgen.templates_dir import TEMPLATES_DIR


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """Return the one Jinja environment: strict undefined, whitespace-trimming, no escaping."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.globals["inline"] = inline_helper
    # User strings reach code only through this filter: a Python literal, never raw text.
    env.filters["py"] = repr
    return env


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
    source = (TEMPLATES_DIR / relative_path).read_text(encoding="utf-8")
    lines = source.splitlines()
    drop = set()
    body = ast.parse(source).body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        drop.update(range(0, body[0].end_lineno))
    for node in body:  # a parenthesised `from lib.x import (...)` spans several lines
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("lib."):
            drop.update(range(node.lineno - 1, node.end_lineno))
    return "\n".join(line for i, line in enumerate(lines) if i not in drop).strip("\n")
