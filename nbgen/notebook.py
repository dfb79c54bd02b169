"""Turn rendered stage text into notebook cells and assemble a deterministic nbformat notebook."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import nbformat
from nbformat.v4.nbjson import writes as v4_writes

from nbgen.config import ParamSpec

CELL_MARKER = re.compile(r"^# %%(?: \[(markdown)\])?\s*$")
IMPORT_LINE = re.compile(r"^(?:import|from) ", re.MULTILINE)
KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


# The first line of a helper cell: render.inline_helper writes it for lib modules, infrastructure templates carry it.
HELPER_HEADER = re.compile(r"^# .*\(templates/[\w/]+\.py(?:\.j2)?\)$")
HIDDEN = {"_kg_hide-input": True, "jupyter": {"source_hidden": True}}  # Kaggle's viewer, and Jupyter, fold these
HELPERS_INTRO = ("## Helpers\n"
                 "Tested helper modules (nbgen's `templates/lib`), inlined so that the notebook needs nothing else: "
                 "path and format rules, readers, metrics, writers. Hidden on Kaggle and folded in Jupyter; each cell's "
                 "first line says what it holds. The pipeline below calls them; what you edit is there.")


@dataclass(frozen=True)
class Cell:
    """One notebook cell before assembly."""

    id: str
    kind: str  # "code" or "markdown"
    source: str
    tags: tuple[str, ...] = ()


def split_cells(stage: str, text: str) -> list[Cell]:
    """Split percent-format text (`# %%`, `# %% [markdown]`) into cells with ids `stage-N`."""
    cells: list[Cell] = []
    kind, lines = "code", []

    def flush() -> None:
        source = "\n".join(lines).strip("\n")
        if source.strip():
            cells.append(Cell(id=f"{stage}-{len(cells)}", kind=kind, source=source))

    for line in text.splitlines():
        match = CELL_MARKER.match(line)
        if match:
            flush()
            kind, lines = ("markdown" if match.group(1) else "code"), []
        else:
            lines.append(line)
    flush()
    return cells


def parameters_cell(specs: Iterable[ParamSpec], values: Mapping[str, Any]) -> Cell:
    """Return the tagged papermill cell: one `name: type = value  # help` line per parameter."""
    out: list[str] = []
    code = {s.name: f"{s.name}: {s.type} = {values[s.name]!r}" for s in specs}
    groups: dict[str, list[ParamSpec]] = {}
    for spec in specs:
        groups.setdefault(spec.group, []).append(spec)
    for title, members in groups.items():
        width = max(len(code[s.name]) for s in members)  # help comments line up within a group
        out.extend(([""] if out else []) + [f"# {title}"])
        out.extend(f"{code[s.name].ljust(width)}  # {s.help}" for s in members)
    return Cell(id="parameters", kind="code", source="\n".join(out), tags=("parameters",))


def is_helper(cell: Cell) -> bool:
    """An inlined helper module: its first line is the one render.inline_helper writes."""
    return cell.kind == "code" and bool(HELPER_HEADER.match(cell.source.split("\n", 1)[0]))


def with_helpers_section(cells: list[Cell]) -> list[Cell]:
    """Move the inlined helpers, in their order, into one section after the setup cells (or the parameters), so the
    pipeline's stages read top to bottom. Helpers only define names: they run as well before the stages as between."""
    helpers = [c for c in cells if is_helper(c)]
    if not helpers:
        return cells
    rest = [c for c in cells if not is_helper(c)]
    after = max((k for k, c in enumerate(rest) if c.id.startswith(("setup-", "parameters"))), default=-1) + 1
    intro = Cell(id="helpers-0", kind="markdown", source=HELPERS_INTRO)
    return [*rest[:after], intro, *helpers, *rest[after:]]


def _top_level_import_lines(source: str) -> set[int]:
    """Line numbers of one-line top-level import statements (ast: a line inside a string never counts)."""
    if not IMPORT_LINE.search(source):  # parsing costs: most cells start no line with an import
        return set()
    try:
        body = ast.parse(source).body
    except SyntaxError:  # not plain Python: leave the cell as it is
        return set()
    return {n.lineno for n in body if isinstance(n, (ast.Import, ast.ImportFrom)) and n.lineno == n.end_lineno}


def drop_repeated_imports(cells: list[Cell]) -> list[Cell]:
    """Remove top-level import lines already made by an earlier cell (inlined helpers repeat them)."""
    seen: set[str] = set()
    out = []
    for cell in cells:
        if cell.kind != "code":
            out.append(cell)
            continue
        kept = []
        imports = _top_level_import_lines(cell.source)
        for number, line in enumerate(cell.source.splitlines(), start=1):
            if number in imports:
                if line in seen:
                    continue
                seen.add(line)
            kept.append(line)
        source = "\n".join(kept).strip("\n")
        if is_helper(cell) and "\n" not in source:  # a helper left with imports made before: nothing to show
            continue
        out.append(Cell(cell.id, cell.kind, re.sub(r"\n{4,}", "\n\n\n", source), cell.tags))
    return out


def assemble(cells: list[Cell], provenance: Mapping[str, Any], roots: Iterable[str] = ()) -> nbformat.NotebookNode:
    """Build the notebook: the helpers cut to what the stages (and `roots`) reach, in their own hidden section;
    fixed cell ids, kernelspec and language_info, nbgen provenance."""
    from nbgen.prune import prune_helpers  # prune imports this module's Cell

    nodes = []
    for cell in drop_repeated_imports(with_helpers_section(prune_helpers(cells, roots))):
        node: dict[str, Any] = {"cell_type": cell.kind, "id": cell.id, "metadata": {}, "source": cell.source}
        if cell.tags:
            node["metadata"]["tags"] = list(cell.tags)
        if is_helper(cell):
            node["metadata"].update({k: dict(v) if isinstance(v, dict) else v for k, v in HIDDEN.items()})
        if cell.kind == "code":
            node.update(execution_count=None, outputs=[])
        nodes.append(node)
    # Plain dicts, validated once by nbformat.writes: new_*_cell would validate every cell.
    return nbformat.from_dict({
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {
            "kernelspec": dict(KERNELSPEC),
            "language_info": {"name": "python", "pygments_lexer": "ipython3"},
            "nbgen": dict(provenance),
        },
        "cells": nodes,
    })


def dumps(nb: nbformat.NotebookNode) -> str:
    """Serialise with sorted keys and a trailing newline, so equal inputs give equal bytes.

    nbformat's v4 writer, without nbformat.writes' schema validation (it compiles the schema on each
    run and only logs what it finds); the contract tests validate every notebook with nbformat.validate.
    """
    return v4_writes(nb) + "\n"
