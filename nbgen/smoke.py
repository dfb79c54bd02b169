"""Run a generated notebook with papermill on synthetic data, network blocked, and check what it wrote."""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nbgen.errors import SmokeError
from nbgen.synth import SynthCompetition

GUARD_DIR = Path(__file__).with_name("guard")


@dataclass
class SmokeResult:
    """What a smoke run produced and how long each stage took."""

    work_dir: Path
    executed: Path
    stage_seconds: dict[str, float] = field(default_factory=dict)
    cv: dict[str, Any] = field(default_factory=dict)
    submission_rows: int = 0
    network_attempts: int = 0
    seconds: float = 0.0
    synth: SynthCompetition | None = None  # the synthetic competition it ran on (with the held-out truth)

    def summary(self) -> str:
        """One line: submission, CV, network attempts, total time."""
        return (
            f"submission.csv: {self.submission_rows} rows | CV {self.cv['metric']} {self.cv['cv']:.4f} "
            + (f"(TTA {self.cv['cv_tta']:.4f}) " if "cv_tta" in self.cv else "")  # image to text has no TTA
            + f"| network attempts: {self.network_attempts} | {self.seconds:.1f}s"
        )


def run_smoke(
    notebook: Path,
    layout: str = "",
    out_dir: Path = Path("smoke-runs"),
    parameters: dict[str, Any] | None = None,
    cell_timeout: int = 600,
    n_train: int = 24,
    n_test: int = 7,
) -> SmokeResult:
    """Execute `notebook` on a synthetic competition of `layout` (default: its task's first) with smoke=True.

    Raises:
        SmokeError: the notebook raised (the message names the cell and the error), tried to
            reach the network, or wrote a submission that does not match its sample.
    """
    from nbgen.synth import make_competition

    notebook = Path(notebook)
    if not notebook.is_file():
        raise SmokeError(f"{notebook} does not exist; generate one with `nbgen new`")
    if notebook_role(notebook) == "ensemble" and not (parameters or {}).get("members"):
        raise SmokeError(f"{notebook} is an ensemble kernel: it blends finished runs, not synthetic data; try it here with "
                         "`nbgen ensemble RUN_DIR RUN_DIR ... --data DIR`")
    layout = layout or default_layout(notebook)
    run_dir = Path(out_dir) / f"{notebook.stem}-{layout}"
    shutil.rmtree(run_dir, ignore_errors=True)
    work_dir, executed, net_log = run_dir / "working", run_dir / "executed.ipynb", run_dir / "network.log"
    work_dir.mkdir(parents=True)
    try:
        synth = make_competition(run_dir / "data", layout, n_train=n_train, n_test=n_test)
    except ValueError as err:
        raise SmokeError(str(err)) from None
    # A synthetic copy of a known competition gets what its known-competitions entry would set.
    params = {"smoke": True, "data_dir": str(synth.folder.resolve()), "work_dir": str(work_dir.resolve()),
              **typed_params(notebook, synth.params), **(parameters or {})}
    work_dir = Path(params["work_dir"])  # a caller may point it elsewhere (an inference kernel at its training output)
    env = {**os.environ, "NBGEN_NET_LOG": str(net_log.resolve()), "MPLBACKEND": "Agg",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(GUARD_DIR), os.environ.get("PYTHONPATH", "")]))}
    cmd = [sys.executable, "-m", "papermill", str(notebook), str(executed), "--cwd", str(work_dir),
           "-k", "python3", "-y", json.dumps(params), "--execution-timeout", str(cell_timeout)]
    started = time.time()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    result = SmokeResult(work_dir=work_dir, executed=executed, seconds=time.time() - started, synth=synth)
    result.network_attempts = len(net_log.read_text().splitlines()) if net_log.exists() else 0
    if proc.returncode != 0:
        raise SmokeError(failure_message(executed, proc.stderr, net_log))
    result.stage_seconds = stage_seconds(executed)
    if result.network_attempts:
        raise SmokeError(f"{result.network_attempts} network attempt(s): {net_log.read_text().splitlines()[:3]}")
    if notebook_role(notebook) == "train":  # a training kernel writes no submission
        result.cv = json.loads((work_dir / "cv.json").read_text())
    else:
        result.cv, result.submission_rows = check_outputs(work_dir, synth)
    return result


def _provenance(notebook: Path) -> dict[str, Any]:
    """What nbgen recorded in the notebook's metadata (task, arch, role, ...)."""
    return json.loads(notebook.read_text()).get("metadata", {}).get("nbgen", {})


def typed_params(notebook: Path, settings: dict[str, str]) -> dict[str, object]:
    """A synthetic competition's settings (`--set` text) as the notebook's parameter types (crop_scale_min=1.0)."""
    from nbgen.config import param_specs, parse_value

    task = _provenance(notebook).get("task", "")
    specs = {spec.name: spec for spec in param_specs(task)} if task else {}
    return {name: parse_value(specs[name], raw) if name in specs and isinstance(raw, str) else raw
            for name, raw in settings.items()}


def notebook_role(notebook: Path) -> str:
    """full, or train / infer for the kernels of a pair."""
    return _provenance(notebook).get("role", "full")


def default_layout(notebook: Path) -> str:
    """The miniature of the notebook's known competition, else the first synthetic layout of its task."""
    from nbgen.competitions import find_competition
    from nbgen.synth import (
        CLASSIFICATION_LAYOUTS,
        DETECTION_LAYOUTS,
        IMAGE2IMAGE_LAYOUTS,
        SEGMENTATION_LAYOUTS,
        TEXT_LAYOUTS,
    )

    provenance = _provenance(notebook)
    task = provenance.get("task", "classification")
    known = find_competition(provenance.get("competition", ""))
    if known is not None and known.task == task and known.layout:
        return known.layout
    layouts = {"segmentation": SEGMENTATION_LAYOUTS, "detection": DETECTION_LAYOUTS, "image2image": IMAGE2IMAGE_LAYOUTS,
               "image2text": TEXT_LAYOUTS}
    return layouts.get(task, CLASSIFICATION_LAYOUTS)[0]


def stage_seconds(executed: Path) -> dict[str, float]:
    """Sum papermill's per-cell durations by stage (the cell id's prefix)."""
    nb = json.loads(executed.read_text())
    totals: dict[str, float] = {}
    for cell in nb["cells"]:
        tags = cell.get("metadata", {}).get("tags", [])
        stage = "parameters" if "injected-parameters" in tags else cell.get("id", "?").rsplit("-", 1)[0]
        duration = cell.get("metadata", {}).get("papermill", {}).get("duration") or 0.0
        totals[stage] = totals.get(stage, 0.0) + duration
    return totals


def check_outputs(work_dir: Path, synth: SynthCompetition) -> tuple[dict[str, Any], int]:
    """Check submission.csv (columns, ids in order, blanks only where allowed) and cv.json (finite scores).

    Without a sample submission the synthetic competition names the columns and rows the notebook writes.
    """
    import csv

    path = work_dir / "submission.csv"
    if not synth.test_ids:  # no test images: trained and validated, nothing to submit
        if path.exists():
            raise SmokeError(f"{path} written although the data has no test images")
        return json.loads((work_dir / "cv.json").read_text()), 0
    if not path.exists():
        raise SmokeError(f"the notebook wrote no {path}")
    with path.open() as f:
        rows = list(csv.reader(f))
    if rows[0] != synth.sample_columns:
        raise SmokeError(f"submission columns {rows[0]} != sample {synth.sample_columns}")
    ids = [r[0] for r in rows[1:]]
    if synth.rows_per_instance:
        ids = list(dict.fromkeys(ids))
    if ids != synth.test_ids:
        raise SmokeError("submission ids differ from the sample's (or, without a sample, the test images') in content "
                         "or order")
    if not synth.blank_values and any(v == "" for r in rows[1:] for v in r):
        raise SmokeError("submission has blank values")
    cv = json.loads((work_dir / "cv.json").read_text())
    if not all(math.isfinite(cv[k]) for k in ("cv", "cv_tta") if k in cv):
        raise SmokeError(f"CV score not finite: {cv}")
    return cv, len(rows) - 1


def failure_message(executed: Path, stderr: str, net_log: Path | None = None) -> str:
    """Name the cell that raised and its error, from the executed notebook when there is one."""
    attempts = net_log.read_text().splitlines() if net_log is not None and net_log.exists() else []
    blocked = f" ({len(attempts)} network attempt(s), first: {attempts[0]})" if attempts else ""
    if executed.exists():
        for cell in json.loads(executed.read_text())["cells"]:
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    return f"cell {cell.get('id')} raised {output['ename']}: {output['evalue']}{blocked}"
    tail = stderr.strip().splitlines()[-3:]
    return f"papermill failed{blocked}: {' | '.join(tail)}"
