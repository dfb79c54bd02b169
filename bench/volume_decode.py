"""Time to turn one CT-like DICOM series into a volume: every slice decoded, against the slices the resampling needs.

`python bench/volume_decode.py [--slices 240] [--depth 16]`. The reference decodes every slice, then resamples (what a
reader that loads the whole series does); the notebook's write_volume reads every header, to order the slices, and
decodes only the two slices either side of each of the `depth` points. Both run here, alternately, on the same files;
the arrays they give are compared too.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "templates"))

from lib import decode  # noqa: E402
from nbgen.synth_volumes import _write_slice  # noqa: E402


def write_series(folder: Path, slices: int, side: int = 256) -> list[Path]:
    rng = np.random.default_rng(0)
    for k in range(slices):
        _write_slice(folder / f"{k}.dcm", rng.normal(1000, 200, size=(side, side)).clip(0, 4000), "bench", "CT", k + 1,
                     2.0 * k)
    return sorted(folder.glob("*.dcm"))


def every_slice(files, depth, size):
    """The reference: decode all slices, then resample."""
    ordered = decode.series_order(files)
    slices = [decode.read_slice(p) for p in ordered]
    return decode.volume_array([(len(slices), slices.__getitem__)], depth, size)


def sampled(files, depth, size):
    ordered = decode.series_order(files)
    return decode.volume_array([(len(ordered), lambda i: decode.read_slice(ordered[i]))], depth, size)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slices", type=int, default=240)
    parser.add_argument("--depth", type=int, default=16)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        files = write_series(Path(tmp), args.slices)
        times = {"every slice": [], "sampled": []}
        for _ in range(3):
            for name, read in (("every slice", every_slice), ("sampled", sampled)):
                started = time.perf_counter()
                array = read(files, args.depth, 128)
                times[name].append(time.perf_counter() - started)
        same = np.array_equal(every_slice(files, args.depth, 128), sampled(files, args.depth, 128))
    reference, ours = (statistics.median(times[k]) for k in ("every slice", "sampled"))
    print(f"{args.slices} slices of 256 x 256 -> {array.shape}: every slice decoded {reference:.2f} s, the needed ones "
          f"{ours:.2f} s ({reference / ours:.1f}x faster); same array: {same}")


if __name__ == "__main__":
    main()
