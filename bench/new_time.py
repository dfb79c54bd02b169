"""Wall time of `nbgen new` and `nbgen --help` against importing the three base libraries, in the same run.

    python bench/new_time.py [--runs 11]

Prints the medians of interleaved runs and the ratios (targets: nbgen new <= 1.5x and
nbgen --help <= 1.2x the import of typer + jinja2 + nbformat).
"""

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed(cmd: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    out = Path(tempfile.mkdtemp())
    nbgen = [sys.executable, "-c", "from nbgen.cli import main; main()"]
    new = [*nbgen, "new", "--task", "classification", "--arch", "convnextv2_tiny",
           "--competition", "cassava-leaf-disease-classification", "--out", str(out), "--force"]
    help_ = [*nbgen, "--help"]
    baseline = [sys.executable, "-c", "import typer, jinja2, nbformat"]
    timed(new), timed(help_), timed(baseline)  # warm the file cache, bytecode and template cache
    base_times, new_times, help_times = [], [], []
    for _ in range(args.runs):  # interleaved, so machine noise hits all alike
        base_times.append(timed(baseline))
        new_times.append(timed(new))
        help_times.append(timed(help_))
    shutil.rmtree(out)
    b, n, h = (statistics.median(t) for t in (base_times, new_times, help_times))
    print(f"import typer+jinja2+nbformat: median {b * 1000:.0f} ms over {args.runs} runs")
    print(f"nbgen new:                    median {n * 1000:.0f} ms, ratio {n / b:.2f}x (target <= 1.5x)")
    print(f"nbgen --help:                 median {h * 1000:.0f} ms, ratio {h / b:.2f}x (target <= 1.2x)")


if __name__ == "__main__":
    main()
