"""Push a notebook folder (and its bundle) with the user's own kaggle CLI, and follow the run."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from nbgen.bundle import BUNDLE_LINK
from nbgen.errors import NbgenError

FINAL_STATES = ("complete", "error", "cancelacknowledged", "cancelrequested")


class PushError(NbgenError):
    """The kaggle CLI is missing, has no credentials, or reported a failure."""


def kaggle_executable() -> str:
    path = shutil.which("kaggle")
    if path is None:
        raise PushError("the kaggle CLI is not on PATH; install it with `pip install kaggle`")
    return path


def check_credentials() -> None:
    """The kaggle CLI reads ~/.kaggle/kaggle.json (or KAGGLE_CONFIG_DIR) or KAGGLE_USERNAME + KAGGLE_KEY."""
    config = Path(os.environ.get("KAGGLE_CONFIG_DIR", Path.home() / ".kaggle")) / "kaggle.json"
    if config.is_file() or (os.environ.get("KAGGLE_USERNAME") and os.environ.get("KAGGLE_KEY")):
        return
    raise PushError(f"no Kaggle credentials: put kaggle.json (Kaggle > Settings > Create New Token) in {config.parent}, "
                    "or set KAGGLE_USERNAME and KAGGLE_KEY")


def run_kaggle(*args: str) -> str:
    """Run `kaggle ARGS`; raise with its output when it fails or reports invalid sources."""
    proc = subprocess.run([kaggle_executable(), *args], capture_output=True, text=True)
    output = (proc.stdout + proc.stderr).strip()
    invalid = [line for line in output.splitlines() if "not valid" in line.lower() or "invalid" in line.lower()]
    if proc.returncode != 0 or invalid:
        reason = (invalid or output.splitlines()[-1:] or [f"exit code {proc.returncode}"])[0]
        raise PushError(f"kaggle {' '.join(args[:2])} failed: {reason}")
    return output


def push_bundle(folder: Path) -> str:
    """Create the bundle dataset, or add a version when it exists already."""
    link = folder / BUNDLE_LINK
    if not link.is_file():
        raise PushError(f"{folder} has no bundle; run `nbgen bundle {folder}` first")
    bundle = json.loads(link.read_text())
    exists = subprocess.run([kaggle_executable(), "datasets", "status", bundle["dataset"]], capture_output=True, text=True)
    if exists.returncode == 0:
        return run_kaggle("datasets", "version", "-p", bundle["path"], "-m", "nbgen bundle", "--dir-mode", "zip")
    public = ["--public"] if bundle.get("public") else []
    return run_kaggle("datasets", "create", "-p", bundle["path"], "--dir-mode", "zip", *public)


def push(folder: Path, *, with_bundle: bool = False, wait: bool = False, poll_seconds: float = 30.0,
         echo: Callable[[str], None] = print) -> str:
    """Push the notebook; with `wait`, poll its status until it ends. Return the final status word."""
    from nbgen.check import check_folder

    folder = Path(folder)
    warnings: list[str] = []
    problems = check_folder(folder, warnings)
    if problems:
        more = f" (and {len(problems) - 1} more; see `nbgen check {folder}`)" if len(problems) > 1 else ""
        raise PushError(f"not ready to push: {problems[0]}{more}")
    for warning in warnings:
        echo(f"warning: {warning}")
    metadata = json.loads((folder / "kernel-metadata.json").read_text())
    kaggle_executable()
    check_credentials()
    if with_bundle:
        echo(push_bundle(folder))
    echo(run_kaggle("kernels", "push", "-p", str(folder)))
    if not wait:
        return "pushed"
    while True:
        output = run_kaggle("kernels", "status", metadata["id"])
        match = re.search(r'status "?([A-Za-z]+)', output)
        state = match.group(1).lower() if match else ""
        if state in FINAL_STATES:
            if state != "complete":
                lines = output.splitlines()
                failure = next((line for line in lines if "failure" in line.lower()), lines[-1] if lines else "")
                raise PushError(f"{metadata['id']} ended with status {state}: {failure}; "
                                f"see the log with `kaggle kernels output {metadata['id']}`")
            echo(output)
            return state
        time.sleep(poll_seconds)
