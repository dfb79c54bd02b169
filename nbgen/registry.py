"""Query the architecture registry (registry.toml): tasks, presets and their defaults."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import tomllib

from nbgen.errors import ParameterError, UnknownArchError, UnknownTaskError, did_you_mean
from nbgen.model_names import smp_architectures, smp_encoders, timm_models

REGISTRY_FILE = Path(__file__).with_name("registry.toml")


@dataclass(frozen=True)
class Task:
    """A task nbgen generates notebooks for."""

    name: str
    summary: str
    family: str
    license: str
    smoke_model: str
    stages: tuple[str, ...]
    default_arch: str
    outputs: str = ""


@dataclass(frozen=True)
class Arch:
    """One architecture: a registry preset, or a library model name accepted as is."""

    key: str
    task: str
    model: str
    summary: str
    family: str
    license: str
    smoke_model: str
    params: MappingProxyType[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    preset: bool = True


@lru_cache(maxsize=1)
def _load() -> dict[str, Any]:
    with REGISTRY_FILE.open("rb") as f:
        return tomllib.load(f)


def list_tasks() -> list[Task]:
    """Return the tasks nbgen generates notebooks for, in registry order."""
    return [
        Task(name=name, **{**spec, "stages": tuple(spec["stages"])})
        for name, spec in _load()["task"].items()
    ]


def get_task(name: str) -> Task:
    """Return the task called `name`, or raise with the list of known tasks."""
    tasks = {t.name: t for t in list_tasks()}
    if name in tasks:
        return tasks[name]
    hint = did_you_mean(name, tasks)
    raise UnknownTaskError(f"unknown task {name!r}{hint}; use one of: {', '.join(tasks)}")


def _arch_from_spec(key: str, spec: dict[str, Any]) -> Arch:
    task = get_task(spec["task"])
    return Arch(
        key=key,
        task=task.name,
        model=spec.get("model", key),
        summary=spec["summary"],
        family=spec.get("family", task.family),
        license=spec.get("license", task.license),
        smoke_model=spec.get("smoke_model", task.smoke_model),
        params=MappingProxyType(dict(spec.get("params", {}))),
    )


def list_archs(pattern: str = "*") -> list[Arch]:
    """Return the presets whose key, task or model matches the glob `pattern`."""
    archs = [_arch_from_spec(key, spec) for key, spec in _load()["arch"].items()]
    return [a for a in archs if _matches(pattern, a.key, a.task, a.model)]


def _matches(pattern: str, *values: str) -> bool:
    """A glob against any of `values`; a plain word matches where it appears."""
    if not any(ch in pattern for ch in "*?["):
        pattern = f"*{pattern}*"
    return any(fnmatch.fnmatch(v, pattern) for v in values)


def unavailable(task: str, pattern: str = "*") -> dict[str, str]:
    """Architectures asked for that cannot be offered for `task`, matching `pattern` as list_archs does: key -> the reason."""
    return {key: spec["reason"] for key, spec in _load().get("unavailable", {}).items()
            if spec["task"] == task and _matches(pattern, key, task)}


def get_arch(task: str, key: str) -> Arch:
    """Return the preset `key` of `task`, or a plain model name the task's library knows.

    Names outside the registry are checked against the shipped list of the pinned timm and smp
    (model_names.json), so the light install refuses a typo as the full one does.
    """
    spec_task = get_task(task)
    presets = {a.key: a for a in list_archs() if a.task == task}
    if key in presets:
        return presets[key]
    missing = unavailable(task)
    if key.lower() in missing:
        raise UnknownArchError(f"{key!r} is not available: {missing[key.lower()]}")
    if spec_task.family == "smp" and key.lower() in {n.lower() for n in smp_architectures()}:
        return _smp_arch(spec_task, key, presets)  # a plain smp name, even where another task has a preset of it
    elsewhere = [a.task for a in list_archs() if a.key == key.lower() and a.task != task]
    if elsewhere:
        raise UnknownArchError(f"{key!r} is a {elsewhere[0]} architecture, not a {task} one; use --task {elsewhere[0]}, "
                               f"or see `nbgen list {task}`")
    if spec_task.family == "smp":
        return _smp_arch(spec_task, key, presets)
    if spec_task.family != "timm":
        hint = did_you_mean(key, presets)
        raise UnknownArchError(f"unknown {task} architecture {key!r}{hint}; use a preset: {', '.join(presets)}")
    if key.split(".")[0] not in timm_models():
        hint = did_you_mean(key, [*presets, *timm_models()])
        raise UnknownArchError(
            f"unknown {task} architecture {key!r}{hint}; see `nbgen list {task}` for presets, "
            "or pass any timm model name"
        )
    if not key.replace("_", "").replace(".", "").isalnum():
        raise UnknownArchError(f"architecture {key!r} is not a model name; see `nbgen list {task}`")
    return Arch(
        key=key,
        task=task,
        model=key,
        summary=f"timm model {key}",
        family=spec_task.family,
        license=spec_task.license,
        smoke_model=spec_task.smoke_model,
        preset=False,
    )


def _smp_arch(task: Task, key: str, presets: dict[str, Arch]) -> Arch:
    """An smp architecture by name (any case); its encoder comes from the task defaults or --set."""
    names = {n.lower(): n for n in smp_architectures()}
    if key.lower() not in names:
        hint = did_you_mean(key, [*presets, *smp_architectures()])
        raise UnknownArchError(
            f"unknown {task.name} architecture {key!r}{hint}; use a preset from `nbgen list {task.name}` "
            f"or an smp architecture: {', '.join(smp_architectures())}"
        )
    model = names[key.lower()]
    return Arch(key=key, task=task.name, model=model, summary=f"smp {model}", family=task.family,
                license=task.license, smoke_model=task.smoke_model, preset=False)


def check_encoder(name: str) -> str:
    """Return an smp encoder name (an smp encoder, or 'tu-' and a timm model), or raise with close matches."""
    if name in smp_encoders() or (name.startswith("tu-") and name[3:].split(".")[0] in timm_models()):
        return name
    hint = did_you_mean(name, [*smp_encoders(), *(f"tu-{m}" for m in timm_models())])
    raise ParameterError(f"encoder_name={name!r} is neither an smp encoder nor 'tu-' and a timm model{hint}; "
                         "see segmentation-models-pytorch's encoder list, or write tu-<timm model>")


def family_wheels(family: str, task: str = "") -> list[str]:
    """Pinned requirements a model family needs beyond Kaggle's image (registry.toml [family.*]), per task where they differ."""
    wheels = _load().get("family", {}).get(family, {}).get("wheels", [])
    return list(wheels.get(task, []) if isinstance(wheels, dict) else wheels)
