"""RLE encoding speed of the notebook's codec against the plain numpy encoder seen in most Kaggle kernels.

    python bench/rle_speed.py [--size 1024] [--repeat 50]

Both encode the same 1024 x 1024 masks (a few blobs, and random noise as the worst case) in
column-major order and must produce the same string.
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "templates"))
from lib.rle import rle_encode  # noqa: E402


def reference_encode(mask):
    """The widely copied Kaggle encoder: flatten column-major, pad, find changes, join."""
    pixels = mask.T.flatten()
    pixels = np.concatenate([[0], pixels, [0]])
    runs = np.where(pixels[1:] != pixels[:-1])[0] + 1
    runs[1::2] -= runs[::2]
    return " ".join(str(x) for x in runs)


def seconds(encode, mask, repeat):
    started = time.perf_counter()
    for _ in range(repeat):
        encode(mask)
    return (time.perf_counter() - started) / repeat


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=1024)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    blobs = np.zeros((args.size, args.size), np.uint8)
    for _ in range(12):
        y, x, h, w = rng.integers(0, args.size - 200, 2).tolist() + rng.integers(20, 200, 2).tolist()
        blobs[y : y + h, x : x + w] = 1
    noise = (rng.random((args.size, args.size)) < 0.5).astype(np.uint8)
    for name, mask in (("blobs", blobs), ("random noise", noise)):
        assert rle_encode(mask, "column") == reference_encode(mask)
        ours, ref = seconds(lambda m: rle_encode(m, "column"), mask, args.repeat), seconds(reference_encode, mask, args.repeat)
        print(f"{args.size}x{args.size} {name:13} notebook {1000 * ours:7.2f} ms | reference {1000 * ref:7.2f} ms | "
              f"speed-up {ref / ours:.2f}x")


if __name__ == "__main__":
    main()
