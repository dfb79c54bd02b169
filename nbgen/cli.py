"""The `nbgen` command: parses arguments, calls the library, prints NbgenError as one line (exit 2)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from nbgen.errors import NbgenError

# Options are plain str/int/bool: newer typer builds pydantic adapters (~0.1 s) for Path and others.
app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Generate offline-ready Kaggle computer-vision notebooks.",
    pretty_exceptions_enable=False,
)


def _fail(err: NbgenError) -> None:
    typer.echo(f"error: {err}", err=True)
    raise typer.Exit(2)


@app.command()
def new(
    task: Annotated[str, typer.Option(help="classification, segmentation, detection, image2image or image2text (default: from --competition or --data)")] = "",
    arch: Annotated[str, typer.Option(help="registry preset (any task), timm model or smp architecture name; see `nbgen list` "
                                           "(default: the task's default)")] = "",
    competition: Annotated[str, typer.Option(help="competition slug, e.g. cassava-leaf-disease-classification")] = "",
    data: Annotated[str, typer.Option(help="a local copy of the competition's files: the task and layout are discovered from it")] = "",
    title: Annotated[str, typer.Option(help="notebook title, 5-50 characters (default: from competition and arch)")] = "",
    kaggle_user: Annotated[str, typer.Option(help="owner in kernel-metadata id (default: $KAGGLE_USERNAME)")] = "",
    set_: Annotated[list[str], typer.Option("--set", help="parameter override name=value, repeatable")] = [],  # noqa: B006
    dataset: Annotated[list[str], typer.Option(help="attach a dataset owner/slug (weights, wheels), repeatable")] = [],  # noqa: B006
    model_source: Annotated[str, typer.Option(help="Kaggle model owner/model/framework/variation/version holding the weights")] = "",
    out: Annotated[str, typer.Option(help="output folder")] = "generated",
    force: Annotated[bool, typer.Option(help="replace an existing notebook folder")] = False,
    kernels: Annotated[str, typer.Option(help="single: one notebook; pair: a training and an inference kernel; "
                                               "ensemble: a kernel blending the --from training kernels")] = "single",
    from_: Annotated[list[str], typer.Option("--from", help="with --kernels ensemble: a training kernel owner/slug, repeatable")] = [],  # noqa: B006
) -> None:
    """Write OUT/<slug>/<slug>.ipynb and OUT/<slug>/kernel-metadata.json (two such folders with --kernels pair)."""
    from functools import partial

    from nbgen.config import parse_overrides
    from nbgen.generator import generate, generate_ensemble, generate_pair, resolve_task

    if kernels not in ("single", "pair", "ensemble"):
        _fail(NbgenError(f"--kernels {kernels!r}: use single, pair or ensemble"))
    if from_ and kernels != "ensemble":
        _fail(NbgenError("--from names the members of an ensemble: add --kernels ensemble"))
    try:
        overrides = parse_overrides(set_)
        task, arch, notes, found = resolve_task(task, arch, competition, data, overrides)
        overrides = {**found, **overrides}
        for note in notes:
            typer.echo(f"note: {note}")
        if data and not title and not competition:
            from nbgen.kaggle import default_title

            title = default_title(task, arch, Path(data).resolve().name)
        if kernels == "ensemble":
            if len(from_) < 2:
                raise NbgenError(f"--kernels ensemble needs two or more --from training kernels, got {len(from_)}")
            make = partial(generate_ensemble, task, from_)
        else:
            make = partial(generate if kernels == "single" else generate_pair, task, arch)
        made = make(
            competition=competition, title=title or None, kaggle_user=kaggle_user or None,
            overrides=overrides, datasets=dataset, model_source=model_source, out_dir=out, force=force, data=data,
        )
    except NbgenError as err:
        _fail(err)
    folders = list(made) if kernels == "pair" else [made]
    for folder in folders:
        typer.echo(f"wrote {folder / (folder.name + '.ipynb')}")
        typer.echo(f"wrote {folder / 'kernel-metadata.json'}")
    pushes = "   then: ".join(f"kaggle kernels push -p {folder}" for folder in folders)
    if kernels == "ensemble":
        typer.echo(f"next: once the --from kernels have run, {pushes}   (here: nbgen ensemble RUN_DIR RUN_DIR ... --data DIR)")
    else:
        typer.echo(f"next: nbgen smoke {folders[0] / (folders[0].name + '.ipynb')}   then: {pushes}")


@app.command("inspect")
def inspect_(
    folder: Annotated[str, typer.Argument(help="the competition's data folder")],
    task: Annotated[str, typer.Option(help="classification, segmentation, detection, image2image or image2text (default: discovered)")] = "",
    set_: Annotated[list[str], typer.Option("--set", help="a data parameter name=value that settles a question, repeatable")] = [],  # noqa: B006
    as_json: Annotated[bool, typer.Option("--json", help="print the plan as JSON")] = False,
) -> None:
    """Print what the notebook will find in FOLDER (each finding with its source), or why it stops."""
    from nbgen.config import parse_overrides
    from nbgen.discovery import inspect_folder

    try:
        plan = inspect_folder(folder, task, parse_overrides(set_))
    except NbgenError as err:
        _fail(err)
    typer.echo(json.dumps(plan.as_dict(), indent=1) if as_json else plan.table())


@app.command("list")
def list_(
    pattern: Annotated[str, typer.Argument(help="filter by task, preset or model name (glob)")] = "*",
    params: Annotated[bool, typer.Option(help="list the notebook parameters of each matching task")] = False,
) -> None:
    """Show tasks and architecture presets with their defaults."""
    from nbgen.config import param_specs
    from nbgen.registry import list_archs, list_tasks, unavailable

    matching = list_archs(pattern)
    for task in list_tasks():
        archs = [a for a in matching if a.task == task.name]
        missing = unavailable(task.name, pattern)
        if not archs and not missing and pattern not in ("*", task.name):
            continue
        typer.echo(f"{task.name}: {task.summary}  [licence: {task.license}]")
        if params:
            for spec in param_specs(task.name):
                typer.echo(f"  {spec.name}: {spec.type} = {spec.default!r}  # {spec.help}")
            continue
        if not archs and not missing:
            typer.echo(f"  no presets: --arch takes any smp architecture (default {task.default_arch})")
        for arch in archs:
            defaults = " ".join(f"{k}={v}" for k, v in arch.params.items())
            licence = f"  [licence: {arch.license}]" if arch.license != task.license else ""
            typer.echo(f"  {arch.key:24} {arch.summary}  ({defaults}){licence}")
        for key, reason in missing.items():
            typer.echo(f"  {key:24} not available: {reason}")
    typer.echo("--arch also takes any timm model name (classification, image2text) or smp architecture (segmentation, image2image); "
               "`nbgen list --params` shows every parameter.")
    from fnmatch import fnmatch

    from nbgen.competitions import unsupported_competitions

    unsupported = {slug: why for slug, why in unsupported_competitions().items() if fnmatch(slug, pattern) or pattern == "*"}
    if unsupported:
        typer.echo("competitions not supported yet:")
        for slug, why in unsupported.items():
            typer.echo(f"  {slug}: {why}")


@app.command()
def ensemble(
    members: Annotated[list[str], typer.Argument(help="finished runs' output folders (work dirs holding nbgen-train.json)")],
    data: Annotated[str, typer.Option(help="the competition's data folder")] = "",
    out: Annotated[str, typer.Option(help="folder for the ensemble notebook and its outputs")] = "ensemble-run",
    competition: Annotated[str, typer.Option(help="the competition slug: a known competition's parameters")] = "",
    set_: Annotated[list[str], typer.Option("--set", help="parameter override name=value, repeatable")] = [],  # noqa: B006
    force: Annotated[bool, typer.Option(help="replace an existing output folder")] = False,
) -> None:
    """Blend finished runs here, as the ensemble kernel does on Kaggle: members' CVs, the blend's CV, submission.csv."""
    from nbgen.config import parse_overrides
    from nbgen.ensemble import run_ensemble

    try:
        result = run_ensemble([Path(m) for m in members], Path(data), Path(out), force=force, competition=competition,
                              overrides=parse_overrides(set_))
    except NbgenError as err:
        _fail(err)
    for name, value in result["members"].items():
        typer.echo(f"CV {result['metric']} {name}: {value:.4f}")
    typer.echo(f"CV {result['metric']} blend: {result['cv']:.4f} | weights "
               + ", ".join(f"{k} {w:.3f}" for k, w in result["weights"].items()))
    typer.echo(f"wrote {Path(out) / 'work' / 'submission.csv'}")


@app.command()
def smoke(
    notebook: Annotated[str, typer.Argument(help="a generated .ipynb")],
    layout: Annotated[str, typer.Option(help="synthetic data layout, a miniature of a real competition's (README lists "
                                             "them; default: the notebook's task's first)")] = "",
    out: Annotated[str, typer.Option(help="folder for the synthetic data and outputs")] = "smoke-runs",
    timeout: Annotated[int, typer.Option(help="seconds allowed per cell")] = 600,
) -> None:
    """Run NOTEBOOK on synthetic data with the network blocked; print stage times and the result."""
    from nbgen.smoke import run_smoke

    try:
        result = run_smoke(Path(notebook), layout=layout, out_dir=Path(out), cell_timeout=timeout)
    except NbgenError as err:
        _fail(err)
    for stage, seconds in result.stage_seconds.items():
        typer.echo(f"  {stage:10} {seconds:6.1f}s")
    typer.echo(result.summary())


@app.command()
def bundle(
    notebook_dir: Annotated[str, typer.Argument(help="a folder written by `nbgen new`")],
    out: Annotated[str, typer.Option(help="bundle folder (default: <notebook folder>-bundle next to it)")] = "",
    owner: Annotated[str, typer.Option(help="Kaggle owner of the bundle dataset (default: the notebook's)")] = "",
    python: Annotated[str, typer.Option(help="Kaggle's Python version the wheels are for")] = "3.12",
    weights: Annotated[list[str], typer.Option(help="a local weights file to include, repeatable")] = [],  # noqa: B006
    download: Annotated[bool, typer.Option(help="fetch the model's published weights when none is given or cached")] = False,
    public: Annotated[bool, typer.Option(help="create the bundle dataset public (kernels of other owners may attach it)")] = False,
    wheel: Annotated[list[str], typer.Option(help="an extra requirement the data needs, e.g. pydicom or py7zr, repeatable")] = [],  # noqa: B006
) -> None:
    """Build the offline bundle (wheels, weights, manifest, dataset-metadata.json) and attach it to the notebook."""
    from nbgen.bundle import build_bundle

    try:
        folder = build_bundle(Path(notebook_dir), Path(out) if out else None, owner=owner, python=python,
                              weights=[Path(w) for w in weights], download=download, public=public,
                              extra_wheels=wheel)
    except NbgenError as err:
        _fail(err)
    typer.echo(f"bundle: {folder}\nnext: nbgen check {notebook_dir}   then: nbgen push {notebook_dir} --bundle")


@app.command()
def check(
    notebook_dir: Annotated[str, typer.Argument(help="a folder written by `nbgen new`")],
    smoke: Annotated[bool, typer.Option(help="also run the notebook on synthetic data with the network blocked")] = True,
) -> None:
    """Check a notebook folder before pushing: metadata rules, notebook, bundle, and a smoke run."""
    from nbgen.check import check_folder
    from nbgen.smoke import notebook_role

    warnings: list[str] = []
    problems = check_folder(Path(notebook_dir), warnings)
    for warning in warnings:
        typer.echo(f"warning: {warning}", err=True)
    for problem in problems:
        typer.echo(f"error: {problem}", err=True)
    if problems:
        raise typer.Exit(2)
    metadata = json.loads((Path(notebook_dir) / "kernel-metadata.json").read_text())
    if smoke and notebook_role(Path(notebook_dir) / metadata["code_file"]) == "ensemble":
        typer.echo("smoke: skipped, an ensemble kernel blends finished runs (try it with `nbgen ensemble RUN_DIR ... --data DIR`)")
    elif smoke:
        from nbgen.smoke import run_smoke

        try:
            result = run_smoke(Path(notebook_dir) / metadata["code_file"], out_dir=Path(notebook_dir).parent / "smoke-runs")
        except NbgenError as err:
            _fail(err)
        typer.echo(f"smoke: {result.summary()}")
    typer.echo(f"{notebook_dir}: ready to push")


@app.command()
def push(
    notebook_dir: Annotated[str, typer.Argument(help="a folder written by `nbgen new`")],
    bundle: Annotated[bool, typer.Option("--bundle", help="create or version the bundle dataset first")] = False,
    wait: Annotated[bool, typer.Option(help="poll `kaggle kernels status` until the run ends")] = False,
    poll: Annotated[float, typer.Option(help="seconds between status polls")] = 30.0,
) -> None:
    """Push with your kaggle CLI (`kaggle kernels push`); --wait follows the run and prints a failure."""
    from nbgen.push import push as push_folder

    try:
        state = push_folder(Path(notebook_dir), with_bundle=bundle, wait=wait, poll_seconds=poll, echo=typer.echo)
    except NbgenError as err:
        _fail(err)
    typer.echo(f"{notebook_dir}: {state}")


def main() -> None:
    """Entry point of the `nbgen` script."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
