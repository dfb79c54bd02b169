"""Known competitions as data (competitions.toml): the task, the parameters it needs, what is missing."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import tomllib

COMPETITIONS_FILE = Path(__file__).with_name("competitions.toml")


@dataclass(frozen=True)
class Competition:
    """One known competition: its task and the parameter defaults it needs."""

    slug: str
    task: str
    params: MappingProxyType[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    note: str = ""
    wheels: tuple[str, ...] = ()  # what its data needs beyond Kaggle's image (pydicom for DICOM), for `nbgen bundle`
    layout: str = ""  # its synthetic miniature (nbgen.synth), '' when none is built yet
    needs: tuple[str, ...] = ()  # input groups beyond plain image files (input_needs.INPUT_GROUPS): archives, conversions


@lru_cache(maxsize=1)
def _table() -> dict[str, Any]:
    with COMPETITIONS_FILE.open("rb") as f:
        return tomllib.load(f)


def _load() -> dict[str, Any]:
    return _table()["competition"]


def unsupported_competitions() -> dict[str, str]:
    """{slug: why the notebooks cannot read it yet} for the competitions of kinds not built (volumes, video...)."""
    return {slug: spec["reason"] for slug, spec in _table().get("unsupported", {}).items()}


def known_competitions() -> list[Competition]:
    """Every known competition, in table order."""
    return [find_competition(slug) for slug in _load()]  # type: ignore[misc]


def find_competition(slug: str) -> Competition | None:
    """The known competition `slug`, or None."""
    spec = _load().get(slug)
    if spec is None:
        return None
    params = {k: str(v) if not isinstance(v, str) else v for k, v in spec.get("params", {}).items()}
    return Competition(slug, spec["task"], MappingProxyType(params), spec.get("note", ""), tuple(spec.get("wheels", ())),
                       spec.get("layout", ""), tuple(spec.get("needs", ())))
