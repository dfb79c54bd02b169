"""`nbgen ensemble`: blend finished runs on this machine with the same notebook an ensemble kernel runs on Kaggle."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from nbgen.errors import InvalidValueError, NbgenError, OutputExistsError

TRAIN_MARKER = "nbgen-train.json"


def run_ensemble(members: list[Path], data_dir: Path, out_dir: Path, force: bool = False, competition: str = "",
                 overrides: dict[str, str] | None = None) -> dict[str, Any]:
    """Generate the ensemble notebook into out_dir, execute it on `members` and `data_dir`; return its cv.json.

    The members' metric (from their cv.json) is the ensemble's, unless `overrides` set another;
    `competition` adds a known competition's parameters, as for `nbgen new`.

    Raises:
        NbgenError: fewer than two members, a folder that is no finished run, members of different
            tasks, an existing out_dir without `force`, or the notebook's own refusal (its message).
    """
    from nbgen.generator import generate_ensemble
    from nbgen.smoke import failure_message

    if len(members) < 2:
        raise InvalidValueError(f"an ensemble needs two or more finished runs, got {len(members)}")
    tasks, metrics = set(), set()
    for folder in members:
        marker = folder / TRAIN_MARKER
        if not marker.is_file() or not (folder / "cv.json").is_file():
            raise InvalidValueError(f"{folder} holds no {TRAIN_MARKER} and cv.json: pass the work dir of a finished training run")
        tasks.add(json.loads(marker.read_text()).get("task"))
        metrics.add(json.loads((folder / "cv.json").read_text())["metric"])
    if len(tasks) > 1:
        raise InvalidValueError(f"members of different tasks {sorted(map(str, tasks))} cannot be blended")
    if not data_dir.is_dir():
        raise InvalidValueError(f"--data {str(data_dir)!r} is not a folder: pass the competition's data folder")
    if out_dir.exists():
        if not force:
            raise OutputExistsError(f"{out_dir} exists; pass --force to replace it, or choose another --out")
        shutil.rmtree(out_dir)
    if len(metrics) > 1:
        raise InvalidValueError(f"the members were scored by different metrics {sorted(metrics)}: train them for one competition")
    overrides = {"metric": metrics.pop(), **(overrides or {})}
    folder = generate_ensemble(tasks.pop(), [], title="Local ensemble", kaggle_user="local", out_dir=out_dir,
                               competition=competition, overrides=overrides)
    work = out_dir / "work"
    work.mkdir()
    params = {"members": ",".join(str(m.resolve()) for m in members), "data_dir": str(data_dir.resolve()),
              "work_dir": str(work.resolve())}
    executed = out_dir / "executed.ipynb"
    proc = subprocess.run([sys.executable, "-m", "papermill", str(folder / f"{folder.name}.ipynb"), str(executed),
                           "--cwd", str(work), "-k", "python3", "-y", json.dumps(params)], capture_output=True, text=True)
    if proc.returncode != 0:
        raise NbgenError(f"the ensemble notebook failed ({executed}): {failure_message(executed, proc.stderr)}")
    return json.loads((work / "cv.json").read_text())
