"""Keep, of the inlined helpers, only the top-level definitions the notebook's stage cells reach.

A helper module is general (every reader, metric and writer its kind of data may need); a notebook
needs the part its plan calls. Names the stage cells use are the roots; a definition is kept when a
root or a kept definition refers to it. Code that a plan may or may not need is called by name through
`need()` (templates/lib/needs.py): such names are roots only when the plan asks for them, so what the
plan leaves out costs no lines, and a run whose data needs it stops with one line.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nbgen.notebook import Cell, is_helper

ANALYSIS_VERSION = "1"  # part of the cache key: bump when what _analyse records changes


@dataclass(frozen=True)
class Chunk:
    """One top-level statement of a helper cell, with the blank and comment lines above it."""

    text: str
    defines: frozenset[str]  # empty: a statement that defines nothing (a call, an if block) is always kept
    uses: frozenset[str]
    imported: tuple[str | None, int, tuple[tuple[str, str | None], ...]] | None  # (from module, level, names)


def prune_helpers(cells: list[Cell], roots: Iterable[str] = ()) -> list[Cell]:
    """The cells with each helper cell cut to the definitions reached from the other cells and `roots`;
    a helper cell left with nothing is dropped."""
    analyses = {c.id: _analysis(c.source) for c in cells if c.kind == "code"}
    if any(a is None for a in analyses.values()):  # a cell that does not parse: leave all whole, ruff will say why
        return cells
    chunks = {c.id: _chunks(c.source, analyses[c.id]) for c in cells if is_helper(c)}
    needed, staged = set(roots), set()
    for cell in cells:
        if cell.kind == "code" and cell.id not in chunks:
            for statement in analyses[cell.id]["chunks"]:  # type: ignore[index]
                needed |= set(statement["uses"])
                staged |= set(statement["defines"])
    from_stages = needed - staged  # names the stages use without binding them: a helper's import may provide them
    every = [chunk for parts in chunks.values() for chunk in parts[1]]
    needed |= {n for chunk in every if not chunk.defines for n in chunk.uses}
    grew = True
    while grew:  # a kept definition's names are needed in turn, until nothing new is reached
        grew = False
        for chunk in every:
            if chunk.defines & needed and not chunk.uses <= needed:
                needed |= chunk.uses
                grew = True
    out, provided = [], set()
    for cell in cells:
        if cell.id not in chunks:
            out.append(cell)
            continue
        header, parts = chunks[cell.id]
        kept = [c for c in parts if not c.defines or c.defines & needed]
        # An import stays for the names this cell's kept code uses, or a stage uses that no helper provided yet:
        # each helper imports what it uses, so an import whose users were cut is one ruff would flag.
        wanted = {n for c in kept if c.imported is None for n in c.uses} | (from_stages - provided)
        texts = []
        for chunk in kept:
            if chunk.imported is None:
                texts.append(chunk.text)
            elif chunk.defines & wanted:
                provided |= chunk.defines & wanted
                texts.append(_import_text(chunk, wanted))
        body = "".join(texts).strip("\n")
        if body.strip():
            out.append(Cell(cell.id, cell.kind, f"{header}\n{body}", cell.tags))
    return out


def _chunks(source: str, analysis: dict[str, Any]) -> tuple[str, list[Chunk]]:
    """(the header line, the statements of the rest), each with the lines since the previous one's end."""
    header, _, body = source.partition("\n")
    lines = body.splitlines(keepends=True)
    out, start = [], 0
    for statement in analysis["chunks"]:
        end = statement["end"]
        imported = statement["imported"]
        if imported is not None:
            imported = (imported[0], imported[1], tuple((name, alias) for name, alias in imported[2]))
        out.append(Chunk("".join(lines[start:end]), frozenset(statement["defines"]), frozenset(statement["uses"]),
                         imported))
        start = end
    if start < len(lines) and out:  # trailing comments stay with the last statement
        last = out[-1]
        out[-1] = Chunk(last.text + "".join(lines[start:]), last.defines, last.uses, last.imported)
    return header, out


def _analysis(source: str) -> dict[str, Any] | None:
    """What each top-level statement defines and uses (a helper's lines after its header, a stage cell's all), or
    None when the cell is not plain Python. Cached on disk by content: parsing every helper costs ~0.2 s a notebook."""
    body = source.partition("\n")[2] if is_helper(Cell("", "code", source)) else source
    key = hashlib.sha256(f"{ANALYSIS_VERSION}\n{body}".encode()).hexdigest()
    cache = _cache_dir()
    path = cache / f"{key}.json" if cache else None
    if path is not None and path.is_file():
        try:
            return json.loads(path.read_text())
        except ValueError:
            pass  # a damaged entry is written again
    try:
        tree = ast.parse(body)
    except SyntaxError:
        return None
    result = {"chunks": [{"end": node.end_lineno or node.lineno, "defines": sorted(_defines(node)),
                          "uses": sorted(_names(node)), "imported": _imported(node)} for node in tree.body]}
    if path is not None:
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        try:
            tmp.write_text(json.dumps(result))
            tmp.replace(path)
        except OSError:
            pass
    return result


def _cache_dir() -> Path | None:
    """The user's cache folder for analyses, or None where it is not writable."""
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "nbgen" / "prune"
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return root if os.access(root, os.W_OK) else None


def _defines(node: ast.stmt) -> set[str]:
    """Names a top-level statement binds: a def, a class, an assignment's targets, an import's aliases."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return {(a.asname or a.name).split(".")[0] for a in node.names}
    targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
        node, (ast.AnnAssign, ast.AugAssign)) else []
    return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}


def _names(node: ast.AST) -> set[str]:
    """Every name a statement mentions (locals included: keeping too much is safe, too little is a NameError),
    less those a function imports for itself."""
    nodes = list(ast.walk(node))
    local = {(a.asname or a.name).split(".")[0] for n in nodes if isinstance(n, (ast.Import, ast.ImportFrom))
             and n is not node for a in n.names}
    return {n.id for n in nodes if isinstance(n, ast.Name)} - local


def _imported(node: ast.stmt) -> list[Any] | None:
    """[from module or None, level, [[name, alias]]] of an import statement, else None."""
    if isinstance(node, ast.ImportFrom):
        return [node.module, node.level, [[a.name, a.asname] for a in node.names]]
    if isinstance(node, ast.Import):
        return [None, 0, [[a.name, a.asname] for a in node.names]]
    return None


def _import_text(chunk: Chunk, wanted: set[str]) -> str:
    """The chunk's text; an import that binds several names keeps only the wanted ones (ruff flags unused imports)."""
    if chunk.defines <= wanted:
        return chunk.text
    module, level, names = chunk.imported  # type: ignore[misc]
    aliases = [ast.alias(name, alias) for name, alias in names if (alias or name).split(".")[0] in wanted]
    node = ast.ImportFrom(module, aliases, level) if module is not None or level else ast.Import(aliases)
    lead = chunk.text[: len(chunk.text) - len(chunk.text.lstrip("\n"))]
    return f"{lead}{ast.unparse(node)}\n"
