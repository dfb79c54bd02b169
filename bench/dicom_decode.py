"""Decode-once throughput on DICOM: `python bench/dicom_decode.py [--images 400 --side 1024]`.

The notebook's `decode_inputs` (a process pool, 8-bit PNGs written through temporary files, links
for the rest) against a plain loop that reads each file with pydicom, applies the same LUTs and
window, and writes the same PNG: images per second of each in the same run, and their ratio
(target >= 0.95x). A second `decode_inputs` call shows the resumed run, which decodes nothing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "templates"))

from lib.decode import decode_inputs  # noqa: E402
from lib.readers import read_dicom  # noqa: E402
from nbgen.synth_io import write_dicom  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=400)
    parser.add_argument("--side", type=int, default=1024)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        for i in range(args.images):
            image = rng.integers(0, 255, (args.side, args.side), dtype=np.uint8)
            write_dicom(data / "train" / f"{i}.dicom", image, monochrome1=i % 3 == 0, slope=1.0 + i % 2)
        plain_out = Path(tmp) / "plain"
        plain_out.mkdir()
        started = time.perf_counter()
        for path in sorted((data / "train").iterdir()):
            cv2.imwrite(str(plain_out / f"{path.stem}.png"), read_dicom(path))
        plain = args.images / (time.perf_counter() - started)
        started = time.perf_counter()
        decode_inputs(data, Path(tmp) / "work", progress=False)
        ours = args.images / (time.perf_counter() - started)
        started = time.perf_counter()
        decode_inputs(data, Path(tmp) / "work", progress=False)
        resumed = time.perf_counter() - started
    print(f"{args.images} DICOM {args.side}x{args.side}: plain pydicom loop {plain:.1f} images/s | decode_inputs "
          f"{ours:.1f} images/s | ratio {ours / plain:.2f}x (target >= 0.95x) | resumed run {resumed:.2f}s")


if __name__ == "__main__":
    main()
