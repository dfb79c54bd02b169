"""The `nbgen` command: parses arguments, calls the library, prints NbgenError as one line (exit 2)."""

from __future__ import annotations

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
    task: Annotated[str, typer.Option(help="classification, segmentation or detection")],
    arch: Annotated[str, typer.Option(help="registry preset (any task), timm model or smp architecture name; see `nbgen list`")],
    competition: Annotated[str, typer.Option(help="competition slug, e.g. cassava-leaf-disease-classification")] = "",
    title: Annotated[str, typer.Option(help="notebook title, 5-50 characters (default: from competition and arch)")] = "",
    kaggle_user: Annotated[str, typer.Option(help="owner in kernel-metadata id (default: $KAGGLE_USERNAME)")] = "",
    set_: Annotated[list[str], typer.Option("--set", help="parameter override name=value, repeatable")] = [],  # noqa: B006
    dataset: Annotated[list[str], typer.Option(help="attach a dataset owner/slug (weights, wheels), repeatable")] = [],  # noqa: B006
    model_source: Annotated[str, typer.Option(help="Kaggle model owner/model/framework/variation/version holding the weights")] = "",
    out: Annotated[str, typer.Option(help="output folder")] = "generated",
    force: Annotated[bool, typer.Option(help="replace an existing notebook folder")] = False,
) -> None:
    """Write OUT/<slug>/<slug>.ipynb and OUT/<slug>/kernel-metadata.json."""
    from nbgen.config import parse_overrides
    from nbgen.generate import generate

    try:
        folder = generate(
            task, arch, competition=competition, title=title or None, kaggle_user=kaggle_user or None,
            overrides=parse_overrides(set_), datasets=dataset, model_source=model_source, out_dir=out, force=force,
        )
    except NbgenError as err:
        _fail(err)
    typer.echo(f"wrote {folder / (folder.name + '.ipynb')}")
    typer.echo(f"wrote {folder / 'kernel-metadata.json'}")
    typer.echo(f"next: nbgen smoke {folder / (folder.name + '.ipynb')}   then: kaggle kernels push -p {folder}")


@app.command("list")
def list_(
    pattern: Annotated[str, typer.Argument(help="filter by task, preset or model name (glob)")] = "*",
    params: Annotated[bool, typer.Option(help="list the notebook parameters of each matching task")] = False,
) -> None:
    """Show tasks and architecture presets with their defaults."""
    from nbgen.config import param_specs
    from nbgen.registry import list_archs, list_tasks

    matching = list_archs(pattern)
    for task in list_tasks():
        archs = [a for a in matching if a.task == task.name]
        if not archs and pattern != "*":
            continue
        typer.echo(f"{task.name}: {task.summary}  [licence: {task.license}]")
        if params:
            for spec in param_specs(task.name):
                typer.echo(f"  {spec.name}: {spec.type} = {spec.default!r}  # {spec.help}")
            continue
        for arch in archs:
            defaults = " ".join(f"{k}={v}" for k, v in arch.params.items())
            licence = f"  [licence: {arch.license}]" if arch.license != task.license else ""
            typer.echo(f"  {arch.key:24} {arch.summary}  ({defaults}){licence}")
    typer.echo("--arch also takes any timm model name (classification) or smp architecture (segmentation); "
               "`nbgen list --params` shows every parameter.")


@app.command()
def smoke(
    notebook: Annotated[str, typer.Argument(help="a generated .ipynb")],
    layout: Annotated[str, typer.Option(help="synthetic data layout; classification: csv, onehot, binary, folders; "
                                             "segmentation: rle_classes, rle_binary, mask_files, instances; "
                                             "detection: wheat, vinbig, coco, yolo "
                                             "(default: the task's first)")] = "",
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


def main() -> None:
    """Entry point of the `nbgen` script."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
