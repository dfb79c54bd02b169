"""`nbgen inspect` on a competition folder of 100,000 image files: `python bench/inspect_time.py [--files N]`.

The folder is a cassava-style layout (train.csv, train_images/, test_images/, sample) whose images
are hard links to a few real JPEGs, so writing it is quick. Discovery lists every file and decodes
at most 32 image headers; the target is under 5 s for the whole command, interpreter start included.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def write_folder(root: Path, n_files: int) -> None:
    import cv2
    import numpy as np

    seeds = [root / f"seed{k}.jpg" for k in range(n_files // 50_000 + 1)]  # a file takes at most ~65,000 links
    for seed in seeds:
        cv2.imwrite(str(seed), np.random.default_rng(0).integers(0, 255, (600, 800, 3), dtype=np.uint8))
    n_test = n_files // 10
    for folder, count, start in (("train_images", n_files - n_test, 0), ("test_images", n_test, 10**7)):
        (root / folder).mkdir()
        for i in range(count):
            os.link(seeds[(start + i) % len(seeds)], root / folder / f"{start + i}.jpg")
    with (root / "train.csv").open("w", newline="") as f:
        csv.writer(f).writerows([["image_id", "label"], *[[f"{i}.jpg", i % 5] for i in range(n_files - n_test)]])
    with (root / "sample_submission.csv").open("w", newline="") as f:
        csv.writer(f).writerows([["image_id", "label"], *[[f"{10**7 + i}.jpg", 0] for i in range(n_test)]])
    for seed in seeds:
        seed.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    nbgen = Path(sys.executable).with_name("nbgen")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "competition"
        root.mkdir()
        write_folder(root, args.files)
        seconds = []
        for _ in range(args.runs):
            started = time.perf_counter()
            out = subprocess.run([str(nbgen), "inspect", str(root)], capture_output=True, text=True, check=True).stdout
            seconds.append(time.perf_counter() - started)
        print(out)
        print(f"nbgen inspect on {args.files} files: median {statistics.median(seconds):.2f}s, "
              f"max {max(seconds):.2f}s over {args.runs} runs (target < 5 s)")


if __name__ == "__main__":
    main()
