"""Tiling of gigapixel images: windows, RLE strips and the stitched RLE, against whole-image computations."""

import numpy as np
import pytest

from lib.records import tile_grid, tile_starts
from lib.rle import rle_decode, rle_encode
from lib.tiles import ColumnRunEncoder, column_strip_mask, read_window, stitch_tiles

rng = np.random.default_rng(3)


def blobs(height, width):
    mask = np.zeros((height, width), np.uint8)
    for _ in range(12):
        y, x = rng.integers(0, height), rng.integers(0, width)
        mask[max(y - 7, 0) : y + 7, max(x - 9, 0) : x + 9] = 1
    return mask


def test_tiles_cover_the_image_with_the_overlap():
    assert tile_starts(100, 40, 8) == [0, 32, 60]
    assert tile_starts(30, 40, 8) == [0]
    covered = np.zeros((70, 100), np.uint8)
    for y, x, h, w in tile_grid(70, 100, 40, 8):
        covered[y : y + h, x : x + w] += 1
    assert covered.min() >= 1 and covered.max() <= 4


@pytest.mark.parametrize("x, w", [(0, 13), (13, 40), (90, 10)])
def test_a_strip_of_columns_decodes_like_the_whole_mask(x, w):
    mask = blobs(57, 100)
    assert np.array_equal(column_strip_mask(rle_encode(mask, "column"), 57, x, w), mask[:, x : x + w])


def test_strips_encode_like_the_whole_mask():
    mask = blobs(57, 100)
    encoder = ColumnRunEncoder(57)
    for x in (0, 10, 11, 50):
        encoder.add(mask[:, x : {0: 10, 10: 11, 11: 50, 50: 100}[x]])
    assert encoder.text() == rle_encode(mask, "column")
    assert ColumnRunEncoder(4).text("-") == "-"


def test_stitched_tiles_give_the_rle_of_the_averaged_map():
    height, width, tile, overlap = 70, 100, 32, 8
    probs = rng.random((height, width)).astype(np.float32)
    grid = tile_grid(height, width, tile, overlap)
    # Each tile predicts the true map plus a tile-specific bias: the overlaps average the biases.
    bias = {(y, x): float(rng.normal(0, 0.05)) for y, x, _, _ in grid}
    tiles = [(y, x, h, w, (y, x)) for y, x, h, w in grid]

    def predict(keys):
        out = []
        for y, x in keys:
            h, w = next((h, w) for yy, xx, h, w in grid if (yy, xx) == (y, x))
            out.append(probs[y : y + h, x : x + w] + bias[y, x])
        return out

    total, count = np.zeros_like(probs), np.zeros_like(probs)
    for y, x, h, w in grid:
        total[y : y + h, x : x + w] += probs[y : y + h, x : x + w] + bias[y, x]
        count[y : y + h, x : x + w] += 1
    want = rle_encode(total / count >= 0.5, "column")
    got = stitch_tiles(height, width, tiles, predict, 0.5)
    assert got == want
    assert np.array_equal(rle_decode(got, (height, width), "column"), (total / count >= 0.5).astype(np.uint8))
    # vesuvius: the same tiles stitched into a row-major RLE
    assert stitch_tiles(height, width, tiles, predict, 0.5, order="row") == rle_encode(total / count >= 0.5, "row")


def test_tiff_windows_match_the_whole_image(tmp_path):
    tifffile = pytest.importorskip("tifffile")
    image = rng.integers(0, 255, (60, 80, 3), dtype=np.uint8)
    tifffile.imwrite(tmp_path / "a.tiff", image)
    tifffile.imwrite(tmp_path / "planar.tiff", np.moveaxis(image, -1, 0), photometric="rgb", planarconfig="separate")
    tifffile.imwrite(tmp_path / "packed.tiff", image, compression="zlib")
    for name in ("a.tiff", "planar.tiff", "packed.tiff"):
        assert np.array_equal(read_window(tmp_path / name, 10, 20, 30, 40), image[10:40, 20:60]), name
