"""Peak memory of tiled inference on one gigapixel slide: `python bench/tiled_memory.py [--side 20000]`.

A side x side RGB TIFF (uncompressed, as HuBMAP's) with round "glomeruli" is written once. Then, each
in a fresh process so that peak memory (ru_maxrss) is its own:
- tile: the notebook's decode step cuts it into 1024 px tiles (128 shared) and the tiles manifest;
- stitch: every tile is "predicted" (a probability from its pixels, standing in for the model) and
  the slide's column-major RLE is stitched strip by strip, as the notebook's submission does;
- whole (reference): the slide read whole, a full-size float map, thresholded and encoded in one go.
The target: tile and stitch under 2 GB each. The RLEs of stitch and whole must be equal.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "templates"))


def write_slide(path: str, side: str) -> None:
    import tifffile

    side = int(side)
    image = tifffile.memmap(path, shape=(side, side, 3), dtype=np.uint8, photometric="rgb")
    rng = np.random.default_rng(0)
    for y in range(0, side, 1024):  # a strip at a time: writing must not need the whole slide in memory either
        strip = np.full((min(1024, side - y), side, 3), (200, 120, 170), np.uint8)
        for _ in range(side // 400):
            cy, cx, r = int(rng.integers(20, strip.shape[0] - 20)), int(rng.integers(20, side - 20)), int(rng.integers(10, 60))
            strip[max(cy - r, 0) : cy + r, max(cx - r, 0) : cx + r] = (235, 215, 235)
        image[y : y + strip.shape[0]] = strip
    image.flush()
    del image


def probability(pixels: np.ndarray) -> np.ndarray:
    """Stands in for the model: bright green means glomerulus."""
    return (pixels[..., 1].astype(np.float32) - 120) / 95


def tile(folder: str, work: str) -> dict:
    from lib.decode import decode_inputs
    from lib.tiles import write_tiles

    started = time.time()
    view = decode_inputs(folder, work, progress=False, tile_size=1024, tile_writer=write_tiles)
    manifest = json.loads((view / "tiles.json").read_text())
    return {"seconds": time.time() - started, "tiles": sum(len(e["tiles"]) for e in manifest.values())}


def stitch(view: str) -> dict:
    import cv2

    from lib.tiles import stitch_tiles

    view = Path(view)
    entry = next(iter(json.loads((view / "tiles.json").read_text()).values()))

    def predict(paths):
        return [probability(cv2.imread(str(view / p))[..., ::-1]) for p in paths]

    started = time.time()
    tiles = [(y, x, h, w, rel) for y, x, h, w, rel in entry["tiles"]]
    text = stitch_tiles(entry["height"], entry["width"], tiles, predict, 0.5)
    return {"seconds": time.time() - started, "rle": text}


def whole(slide: str) -> dict:
    import tifffile

    from lib.rle import rle_encode

    started = time.time()
    probs = probability(tifffile.imread(slide))
    return {"seconds": time.time() - started, "rle": rle_encode(probs >= 0.5, "column")}


def child(step: str, args: list[str]) -> None:
    result = {"write": write_slide, "tile": tile, "stitch": stitch, "whole": whole}[step](*args) or {}
    result["peak_gb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e9  # Linux reports KiB
    print(json.dumps(result))


def run(step: str, *args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", step, *args], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=20000)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1:])
        return
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data" / "test"
        data.mkdir(parents=True)
        run("write", str(data / "slide.tiff"), str(args.side))  # in a child: the parent must stay small, as
        # children start from their parent's peak (Linux keeps ru_maxrss across fork and exec)
        tiled = run("tile", str(data.parent), str(Path(tmp) / "work"))
        stitched = run("stitch", str(Path(tmp) / "work" / "decoded-input"))
        reference = run("whole", str(data / "slide.tiff"))
    same = stitched.pop("rle") == reference.pop("rle")
    print(f"{args.side}x{args.side} slide ({args.side**2 * 3 / 1e9:.2f} GB of pixels) | tile: {tiled['tiles']} tiles in "
          f"{tiled['seconds']:.0f}s, peak {tiled['peak_gb']:.2f} GB | stitch: {stitched['seconds']:.0f}s, peak "
          f"{stitched['peak_gb']:.2f} GB | whole-image reference: peak {reference['peak_gb']:.2f} GB | "
          f"same RLE: {same} | target: tile and stitch < 2 GB")


if __name__ == "__main__":
    main()
