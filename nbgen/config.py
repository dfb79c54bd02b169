"""Typed notebook parameters: load a task's specs, merge defaults < preset < user, validate."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Any

import tomllib

from nbgen.errors import ParameterError, did_you_mean
from nbgen.registry import Arch
from nbgen.templates_dir import TEMPLATES_DIR

PYTHON_TYPES = {"bool": bool, "int": int, "float": float, "str": str}
TRUE_WORDS = {"true", "1", "yes", "on"}
FALSE_WORDS = {"false", "0", "no", "off"}
# Characters that have no business in a column name or a path, and that would matter if a
# value ever reached code unquoted; values are rendered with repr() regardless.
UNSAFE_CHARS = set("'\"`\\") | {chr(i) for i in range(32)} | {"\x7f"}


@dataclass(frozen=True)
class ParamSpec:
    """One line of the notebook's parameters cell."""

    name: str
    type: str
    default: Any
    help: str
    group: str
    choices: tuple[str, ...] = ()
    items: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()  # the input groups (input_needs.INPUT_GROUPS) it applies to: left out of a plan with none


@cache
def param_specs(task: str, family: str = "") -> tuple[ParamSpec, ...]:
    """Return the parameter specs of `task` in notebook order (templates/<task>/parameters.toml).

    A group with `family = "..."` (or a list of families) belongs to those model families only;
    `family` '' keeps every group.
    """
    with (TEMPLATES_DIR / task / "parameters.toml").open("rb") as f:
        groups = tomllib.load(f)["group"]
    specs = []
    for group in groups:
        families = group.get("family", family)
        if family and family not in ([families] if isinstance(families, str) else families):
            continue
        for p in group["params"]:
            spec = ParamSpec(
                name=p["name"],
                type=p["type"],
                default=p["default"],
                help=p["help"],
                group=group["title"],
                choices=tuple(p.get("choices", ())),
                items=tuple(p.get("items", ())),
                needs=(p["needs"],) if isinstance(p.get("needs"), str) else tuple(p.get("needs", ())),
            )
            check_value(spec, spec.default, source="parameters.toml")
            # papermill's parameter parser skips a line with a second '='.
            assert "=" not in spec.help, f"help of {spec.name} must not contain '='"
            specs.append(spec)
    return tuple(specs)


def build_params(
    task: str, arch: Arch, competition: str, overrides: Mapping[str, str] | None = None
) -> MappingProxyType[str, Any]:
    """Merge task defaults < arch preset < user `--set` values into a read-only mapping.

    Raises:
        ParameterError: an unknown key (with suggestions) or a value of the wrong type or form.
    """
    specs = {s.name: s for s in param_specs(task, arch.family)}
    values: dict[str, Any] = {name: s.default for name, s in specs.items()}
    values.update(model_name=arch.model, competition=competition)
    for name, value in arch.params.items():
        values[name] = check_value(_spec(specs, name, f"preset {arch.key}"), value, f"preset {arch.key}")
    for name, raw in (overrides or {}).items():
        spec = _spec(specs, name, "--set")
        values[name] = check_value(spec, parse_value(spec, raw), f"--set {name}={raw}")
    return MappingProxyType(values)


def parse_overrides(pairs: list[str]) -> dict[str, str]:
    """Split `name=value` strings; a pair without '=' is an error that shows the form."""
    out = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ParameterError(f"--set {pair!r} is not name=value; write e.g. --set epochs=5")
        out[name.strip()] = value.strip()
    return out


def parse_value(spec: ParamSpec, raw: str) -> Any:
    """Turn the text of a `--set` value into the spec's Python type."""
    try:
        if spec.type == "bool":
            word = raw.lower()
            if word not in TRUE_WORDS | FALSE_WORDS:
                raise ValueError
            return word in TRUE_WORDS
        return PYTHON_TYPES[spec.type](raw)
    except ValueError:
        example = {"bool": "true", "int": "3", "float": "0.5"}[spec.type]
        raise ParameterError(
            f"--set {spec.name}={raw!r}: {spec.name} is {spec.type}; write e.g. --set {spec.name}={example}"
        ) from None


def check_value(spec: ParamSpec, value: Any, source: str) -> Any:
    """Return `value` if it fits `spec` (type, finite, choices, safe text), else raise."""
    expected = PYTHON_TYPES[spec.type]
    if spec.type == "float" and type(value) is int:
        value = float(value)
    if type(value) is not expected:
        raise ParameterError(f"{source}: {spec.name} must be {spec.type}, got {value!r}")
    if spec.type == "float" and not math.isfinite(value):
        raise ParameterError(f"{source}: {spec.name} must be a finite number, got {value!r}")
    if spec.type == "str":
        check_text(spec.name, value, source)
        if spec.choices and value not in spec.choices:
            raise ParameterError(
                f"{source}: {spec.name}={value!r} is not one of {', '.join(spec.choices)}"
                f"{did_you_mean(value, spec.choices)}"
            )
        unknown = [i.strip() for i in value.split(",") if i.strip() and i.strip() not in spec.items]
        if spec.items and unknown:
            raise ParameterError(f"{source}: {unknown[0]!r} in {spec.name} is not one of {', '.join(spec.items)}")
    return value


def check_text(name: str, value: str, source: str) -> None:
    """Refuse quotes, backslashes and control characters in a user string."""
    bad = sorted(set(value) & UNSAFE_CHARS)
    if bad:
        raise ParameterError(
            f"{source}: {name} contains {', '.join(repr(c) for c in bad)}; "
            "quotes, backslashes and control characters are not allowed, use the plain name"
        )


def _spec(specs: dict[str, ParamSpec], name: str, source: str) -> ParamSpec:
    if name not in specs:
        raise ParameterError(
            f"{source}: unknown parameter {name!r}{did_you_mean(name, specs)}; "
            "`nbgen list --params` shows them all"
        )
    return specs[name]
