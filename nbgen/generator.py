"""The library API: registry -> parameters -> rendered stages -> notebook + metadata on disk."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from nbgen import kaggle
from nbgen.competitions import find_competition, unsupported_competitions
from nbgen.config import ParamSpec, build_params, param_specs
from nbgen.errors import InvalidValueError, NbgenError, OutputExistsError
from nbgen.input_needs import GROUP_TASK, INPUT_GROUPS, METRIC_FUNCTIONS, folder_needs, plan_groups
from nbgen.notebook import Cell, assemble, dumps, parameters_cell, split_cells
from nbgen.registry import Arch, Task, check_encoder, get_arch, get_task, list_tasks
from nbgen.render import render_stage
from nbgen.version import __version__


def generate(
    task: str,
    arch: str,
    *,
    competition: str = "",
    title: str | None = None,
    kaggle_user: str | None = None,
    overrides: Mapping[str, str] | None = None,
    datasets: Sequence[str] = (),
    model_source: str = "",
    out_dir: str | os.PathLike[str] = "generated",
    force: bool = False,
    data: str = "",
) -> Path:
    """Write OUT/<slug>/<slug>.ipynb and OUT/<slug>/kernel-metadata.json; return the folder.

    data: a local copy of the competition's files; the notebook then carries the input readers it needs only.

    Raises:
        NbgenError: bad task, arch, parameter, title, slug or source, or an existing folder
            without `force`. Nothing is written then.
    """
    return _generate(task, arch, roles=("full",), competition=competition, title=title, kaggle_user=kaggle_user,
                     overrides=overrides, datasets=datasets, model_source=model_source, out_dir=out_dir, force=force,
                     data=data)[0]


def generate_pair(task: str, arch: str, **options: Any) -> tuple[Path, Path]:
    """Write a training kernel and an inference kernel that attaches the training kernel's output.

    Options as for `generate`. The training kernel trains, validates and saves checkpoints,
    out-of-fold predictions and the label map; the inference kernel (internet off, the training
    kernel in kernel_sources) predicts the test set batch by batch and writes submission.csv.
    """
    train, infer = _generate(task, arch, roles=("train", "infer"), **options)
    return train, infer


def plan_needs(competition: str = "", data: str = "", task: str = "",
               overrides: Mapping[str, str] | None = None) -> tuple[str, ...] | None:
    """The groups (INPUT_GROUPS) the notebook's plan needs: from the data when given (its files, and its plan's label
    source), else from a known competition's entry; None when the plan is not known (the notebook carries all)."""
    if data:
        plan = _inspect(data, task, overrides)
        return folder_needs(data, 0 if task == "segmentation" else None) + plan_groups(plan)
    known = find_competition(competition) if competition else None
    return known.needs if known is not None and known.task == task else None


_INSPECTED: dict[tuple[str, str, tuple[tuple[str, str], ...]], Any] = {}


def _inspect(data: str, task: str, overrides: Mapping[str, str] | None) -> Any:
    """The plan of `data` (nbgen.discovery.inspect_folder), read once per `nbgen new`: the plan a folder gave without
    a task serves the task it found, since that task is then the one asked for."""
    from nbgen.discovery import inspect_folder

    given = tuple(sorted((overrides or {}).items()))
    key = (os.path.abspath(data), task, given)
    found = _INSPECTED.get((key[0], "", given))
    if key not in _INSPECTED and found is not None and found.get("task") == task:
        return found
    if key not in _INSPECTED:
        _INSPECTED.clear()  # the latest folder only: a long-lived process does not keep old plans
        _INSPECTED[key] = inspect_folder(data, task, overrides)
    return _INSPECTED[key]


# Findings that decide which sections a notebook has; `nbgen new --data` sets them as parameters.
SECTION_PARAMS = ("study_csv",)


def generate_ensemble(task: str, sources: Sequence[str], **options: Any) -> Path:
    """Write an ensemble kernel that attaches the outputs of the training kernels `sources` (owner/slug).

    Without sources the members are named at run time (the `members` parameter). It blends the
    members with weights fitted on their out-of-fold predictions and predicts the test set with
    each member at its own size and views. Tasks whose stages include an ensemble stage only.
    """
    spec = get_task(task)
    if "ensemble" not in spec.stages:
        with_stage = [t.name for t in list_tasks() if "ensemble" in t.stages]
        raise InvalidValueError(f"--kernels ensemble: {task} ensembles are not built yet; {', '.join(with_stage)} only")
    return _generate(task, spec.default_arch, roles=("ensemble",), sources=sources, **options)[0]


def resolve_task(task: str, arch: str, competition: str = "", data: str = "",
                 overrides: Mapping[str, str] | None = None) -> tuple[str, str, list[str], dict[str, str]]:
    """Return (task, arch, notes, found) from --task, the known-competitions table or a data folder.

    With `data`, the folder is inspected with the notebook's own rules (and the --set values);
    the notes say what was found and what a known competition sets. `found` holds the findings
    that add a section to the notebook (a study table), to be passed on as parameters. The input
    groups the data needs come from plan_needs.
    """
    notes: list[str] = []
    found: dict[str, str] = {}
    known = find_competition(competition) if competition else None
    if data:
        plan = _inspect(data, task, overrides)
        task = plan["task"]
        notes.append(f"{data}: {task} ({plan.entries['task'][1]})")
        for key in SECTION_PARAMS:
            if plan.get(key) and not (overrides or {}).get(key):
                found[key] = plan[key]
                notes.append(f"{data}: {key}={plan[key]} ({plan.entries[key][1]})")
    if not task:
        why_not = unsupported_competitions().get(competition)
        if why_not:
            raise NbgenError(f"{competition} is not supported yet: {why_not}. With --task the notebook still runs on "
                             "images you prepare from its data (set data_dir)")
        if known is None:
            hint = f"{competition!r} is not a known competition; " if competition else ""
            raise NbgenError(f"{hint}pass --task (classification, segmentation, detection, image2image or image2text), or --data DIR to discover it "
                             "from the competition's files")
        task = known.task
    if known is not None and known.task == task:
        notes.append(f"{competition}: {', '.join(f'{k}={v}' for k, v in known.params.items())}")
        if known.note:
            notes.append(f"{competition}: {known.note}")
    if not arch:
        arch = get_task(task).default_arch
    return task, arch, notes, found


def _generate(
    task: str, arch: str, *, roles: tuple[str, ...], competition: str = "", title: str | None = None,
    kaggle_user: str | None = None, overrides: Mapping[str, str] | None = None, datasets: Sequence[str] = (),
    model_source: str = "", out_dir: str | os.PathLike[str] = "generated", force: bool = False,
    sources: Sequence[str] = (), data: str = "",
) -> list[Path]:
    """Check every input first (nothing is written on an error), then write one folder per kernel role."""
    task_spec = get_task(task)
    arch_spec = get_arch(task, arch)
    kaggle.check_competition(competition)
    sources = [kaggle.check_kernel_source(k) for k in sources]
    base = title or kaggle.default_title(task, "ensemble" if roles == ("ensemble",) else arch_spec.key, competition)
    if roles == ("train", "infer"):
        base = base[: kaggle.TITLE_MAX - 6].rstrip()  # room for " train" / " infer"
    titles = {role: kaggle.check_title(base if role in ("full", "ensemble") else f"{base} {role}") for role in roles}
    user = kaggle.check_user(kaggle_user or os.environ.get("KAGGLE_USERNAME") or kaggle.PLACEHOLDER_USER)
    datasets = [kaggle.check_dataset(d) for d in datasets]
    known = find_competition(competition) if competition else None
    # A known competition's parameters (its metric, folders, columns) are defaults under the user's --set.
    overrides = {**(known.params if known is not None and known.task == task else {}), **(overrides or {})}
    models = []
    if model_source:
        models.append(kaggle.check_model_source(model_source))
        overrides.setdefault("pretrained_path", kaggle.model_mount_path(model_source))
    params = build_params(task, arch_spec, competition, overrides)
    needs = plan_needs(competition, data, task, overrides)
    metric = known_metric(needs, overrides, _inspect(data, task, overrides).get("metric", "") if data else "")
    if "encoder_name" in params:
        check_encoder(params["encoder_name"])

    folders = {role: Path(out_dir) / kaggle.slugify(t) for role, t in titles.items()}
    for folder in folders.values():
        if folder.exists() and not force:
            raise OutputExistsError(f"{folder} exists; pass --force to replace it, or choose another --out or --title")

    written = []
    for role, role_title in titles.items():
        slug = folders[role].name
        provenance = {
            "version": __version__,
            "task": task,
            "arch": arch_spec.key,
            "model": arch_spec.model,
            "competition": competition,
            "role": role,
            "overrides": dict(sorted(overrides.items())),
            "input_groups": "all" if needs is None else list(needs),
        }
        notebook = render_notebook(task_spec, arch_spec, params, role_title, provenance, role, needs, metric)
        metadata = kaggle.kernel_metadata(
            user=user,
            title=role_title,
            code_file=f"{slug}.ipynb",
            competition=competition,
            datasets=datasets,
            models=models,
            kernels=[f"{user}/{folders['train'].name}"] if role == "infer" else list(sources),
        )
        files = {f"{slug}.ipynb": notebook, "kernel-metadata.json": json.dumps(metadata, indent=2, sort_keys=True) + "\n"}
        _write_folder(folders[role], files, force)
        written.append(folders[role])
    return written


def render_notebook(
    task: Task, arch: Arch, params: Mapping[str, Any], title: str, provenance: Mapping[str, Any], role: str = "full",
    needs: Sequence[str] | None = None, metric: str | None = None,
) -> str:
    """Render every stage of `task` for a kernel `role` (full, train or infer) and return the notebook's JSON text.

    needs: the input groups (INPUT_GROUPS) the plan needs; None when the plan is not known: all of them.
    metric: the plan's metric (known_metric), whose code is the only metric code carried; None: every metric's.
    """
    # A known plan has no use for the parameters of groups it lacks (intensity_window for JPEGs, test_json for a
    # CSV competition): they are left out of its parameters cell, unless set on purpose.
    specs = [s for s in param_specs(task.name, arch.family) if applies(s, needs) or s.name in provenance["overrides"]]
    cell_params = {s.name for s in specs}
    context = {"title": title, "task": task, "arch": arch, "params": params, "role": role, "cell_params": cell_params,
               "converts": "intensity_window" in cell_params, "archives": needs is None or "archives" in needs,
               "carries_metric": lambda name: metric is None or metric == name}
    skipped = {"full": (), "train": ("submit",), "infer": ("validate",), "ensemble": ("train", "study", "validate")}[role]
    cells: list[Cell] = []
    for stage in task.stages:
        if stage in skipped:
            continue
        if stage == "parameters":
            cells.append(parameters_cell(specs, params))
        else:
            cells.extend(split_cells(stage, render_stage(task.name, arch.family, stage, context)))
    return dumps(assemble(cells, provenance, roots=need_roots(task.name, needs, metric)))


def applies(spec: ParamSpec, needs: Sequence[str] | None) -> bool:
    """Whether a parameter can apply to a plan with the input groups `needs` (None: the plan is not known)."""
    return not spec.needs or needs is None or any(group in needs for group in spec.needs)


def need_roots(task: str, needs: Sequence[str] | None, metric: str | None = None) -> list[str]:
    """The helpers the notebook calls through need(): its own task's discovery rules, the input groups its plan
    needs (every group when the plan is not known), and its metric's code (every metric's when that is not known)."""
    roots = [f"discover_{task}"]
    for group in INPUT_GROUPS if needs is None else needs:
        roots += INPUT_GROUPS[group] if GROUP_TASK.get(group, task) == task else ()
    functions = METRIC_FUNCTIONS.get(task, {})
    return roots + sorted(set(functions.values()) if metric is None else {functions.get(metric)} - {None})


def known_metric(needs: Sequence[str] | None, overrides: Mapping[str, str], plan_metric: str = "") -> str | None:
    """The metric of a known plan: set by the competition's entry or --set, else the one discovery found in the
    data; None when the plan is not known or nothing names its metric (the notebook then carries every metric)."""
    metric = str(overrides.get("metric") or "auto")
    metric = plan_metric if metric == "auto" else metric
    return None if needs is None or metric in ("", "auto") else metric


def _write_folder(folder: Path, files: Mapping[str, str], force: bool) -> None:
    """Write all files into a temporary sibling, then swap it in: never a half-written folder."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        for name, text in files.items():
            (staging / name).write_text(text, encoding="utf-8")
        if folder.exists() and force:
            shutil.rmtree(folder)
        staging.rename(folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
