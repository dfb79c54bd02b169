"""Wall time of `nbgen new` against importing its three base libraries, in the same run.

    python bench/new_time.py [--runs 11]

Prints the median of each and their ratio (target: nbgen new <= 1.5x the import baseline).
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
    baseline = [sys.executable, "-c", "import typer, jinja2, nbformat"]
    timed(new), timed(baseline)  # warm the file cache and bytecode
    base_times, new_times = [], []
    for _ in range(args.runs):  # interleaved, so machine noise hits both alike
        base_times.append(timed(baseline))
        new_times.append(timed(new))
    shutil.rmtree(out)
    b, n = statistics.median(base_times), statistics.median(new_times)
    print(f"import typer+jinja2+nbformat: median {b * 1000:.0f} ms over {args.runs} runs")
    print(f"nbgen new:                    median {n * 1000:.0f} ms over {args.runs} runs")
    print(f"ratio: {n / b:.2f}x (target <= 1.5x)")


if __name__ == "__main__":
    main()
