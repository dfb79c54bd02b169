"""Gigapixel images as overlapping tiles: windows read from the TIFF, masks cut from the RLE, and predictions
stitched back into a column-major RLE one strip of columns at a time, never as a full-size map.
"""

from pathlib import Path

import cv2
import numpy as np

from lib.decode import write_through_partial
from lib.rle import parse_runs


def read_window(path, y, x, h, w):
    """An (h, w, 3) uint8 window of a TIFF.

    Uncompressed slides (HuBMAP's) are read row segment by row segment, so only the window's bytes
    are read; a memory map would fault in most of the file, since its rows are a few pages apart.
    Compressed ones are read whole.
    """
    import tifffile

    with tifffile.TiffFile(path) as tif:
        page = tif.pages[0]
        plain = page.is_contiguous and page.compression == 1 and page.dtype == np.uint8
        offset, shape = page.dataoffsets[0], page.shape
    if plain:
        window = _read_rows(path, offset, shape, y, x, h, w)
    else:
        window = np.squeeze(tifffile.imread(path))
        planar = window.ndim == 3 and window.shape[0] in (1, 3, 4) and window.shape[-1] not in (1, 3, 4)
        window = np.moveaxis(window[:, y : y + h, x : x + w], 0, -1) if planar else window[y : y + h, x : x + w]
    if window.ndim == 2:
        window = np.repeat(window[..., None], 3, axis=-1)
    return np.ascontiguousarray(window[..., :3])


def _read_rows(path, offset, shape, y, x, h, w):
    """The window of uncompressed uint8 pixels at `offset`: (H, W), (H, W, C) or planar (C, H, W)."""
    import os

    planar = len(shape) == 3 and shape[0] in (1, 3, 4) and shape[-1] not in (1, 3, 4)
    planes, (height, width) = (shape[0], shape[1:]) if planar else (1, shape[:2])
    channels = 1 if planar or len(shape) == 2 else shape[2]
    w = min(w, width - x)
    out = np.empty((planes, min(h, height - y), w, channels), np.uint8)
    with open(path, "rb") as f:
        for plane in range(planes):
            base = offset + plane * height * width * channels
            for row in range(out.shape[1]):
                start = base + ((y + row) * width + x) * channels
                out[plane, row] = np.frombuffer(os.pread(f.fileno(), w * channels, start), np.uint8).reshape(w, channels)
    return np.moveaxis(out[..., 0], 0, -1) if planar else out[0].squeeze(-1) if channels == 1 else out[0]


def column_strip_mask(rle, height, x, w):
    """The (height, w) 0/1 mask of columns [x, x + w) of a column-major RLE: only the runs that reach them are read."""
    starts, lengths = parse_runs(rle) if isinstance(rle, str) else rle
    first, last = x * height, (x + w) * height
    flat = np.zeros(w * height, dtype=np.uint8)
    ends = starts + lengths
    skip = np.searchsorted(ends, first, side="right")  # runs that end before the strip
    for start, end in zip(starts[skip:].tolist(), ends[skip:].tolist(), strict=True):
        if start >= last:
            break
        flat[max(start, first) - first : min(end, last) - first] = 1
    return flat.reshape(w, height).T


class ColumnRunEncoder:
    """Kaggle RLE (1-based start, length; column-major) of a mask fed as column strips, left to right."""

    def __init__(self, height):
        self.height, self.offset, self.runs = height, 0, []

    def add(self, strip):
        """Append an (height, w) 0/1 strip; a run that crosses from the previous strip continues."""
        padded = np.zeros(strip.size + 2, dtype=bool)  # bool, not int: a strip holds tens of millions of pixels
        padded[1:-1] = np.asarray(strip, dtype=bool).T.ravel()
        edges = np.flatnonzero(padded[1:] != padded[:-1])
        for start, end in zip((edges[0::2] + self.offset).tolist(), (edges[1::2] + self.offset).tolist(), strict=True):
            if self.runs and self.runs[-1][0] + self.runs[-1][1] == start:
                self.runs[-1][1] += end - start
            else:
                self.runs.append([start, end - start])
        self.offset += strip.size

    def text(self, empty=""):
        return " ".join(f"{start + 1} {length}" for start, length in self.runs) or empty


def stitch_tiles(height, width, tiles, predict, threshold, empty="", order="column"):
    """Column-major RLE (or row-major: order='row', vesuvius') of one tiled image from its tiles' probability maps.

    tiles: [(y, x, h, w, path)]; predict(paths) returns their (h, w) float maps. Tiles are predicted
    one column of tiles at a time; each strip between two column starts is averaged over the tiles
    that cover it, thresholded and encoded, then dropped: memory holds a few columns, not the image.
    """
    if order == "row":  # a row-major RLE is the column-major RLE of the transposed image
        flipped = [(x, y, w, h, path) for y, x, h, w, path in tiles]
        return stitch_tiles(width, height, flipped, lambda paths: [m.T for m in predict(paths)], threshold, empty)
    columns = sorted({t[1] for t in tiles})
    bounds = [*columns[1:], width]
    active, encoder = [], ColumnRunEncoder(height)
    for x, end in zip(columns, bounds, strict=True):
        column = [t for t in tiles if t[1] == x]
        w = max(t[3] for t in column)
        total, count = np.zeros((height, w), np.float32), np.zeros((height, w), np.uint8)
        for (y, _, h, tw, _), probs in zip(column, predict([t[4] for t in column]), strict=True):
            total[y : y + h, :tw] += probs
            count[y : y + h, :tw] += 1
        active.append((x, total, count))
        strip_sum, strip_count = np.zeros((height, end - x), np.float32), np.zeros((height, end - x), np.uint8)
        for x0, col_sum, col_count in active:
            a, b = max(x, x0), min(end, x0 + col_sum.shape[1])
            if a < b:
                strip_sum[:, a - x : b - x] += col_sum[:, a - x0 : b - x0]
                strip_count[:, a - x : b - x] += col_count[:, a - x0 : b - x0]
        encoder.add(strip_sum / np.maximum(strip_count, 1) >= threshold)
        active = [c for c in active if c[0] + c[1].shape[1] > end]
    return encoder.text(empty)


def read_band(slices):
    """A surface volume's band of slices (uint16 TIFFs) as one (H, W, 3) uint8 image, each slice scaled by its own
    0.5 and 99.5 percentiles."""
    import tifffile

    channels = []
    for path in slices:
        values = np.squeeze(tifffile.imread(path)).astype(np.float32)
        low, high = np.percentile(values[::4, ::4], (0.5, 99.5))  # a quarter of the pixels: the same percentiles
        channels.append(np.rint(np.clip((values - low) / max(float(high - low), 1e-6), 0, 1) * 255).astype(np.uint8))
    return np.stack(channels, axis=-1)


def write_tiles(source, marker, tiles, masks, rle, height, band=None):
    """One gigapixel TIFF as tile PNGs (and mask PNGs cut from its column-major RLE), a column of tiles at a time.

    band: a surface-volume fragment (vesuvius; `source` its folder) instead: its slices stacked as the tiles'
    channels (read whole: a fragment's three slices are a few hundred MB), masks cut from its inklabels.png."""
    volume = read_band(band) if band else None
    labels = None
    if band and masks:
        labels = (cv2.imread(str(Path(source) / "inklabels.png"), cv2.IMREAD_GRAYSCALE) > 0).astype(np.uint8)
    for x in sorted({t[2] for t in tiles}):
        column = [t for t in tiles if t[2] == x]
        w = max(t[4] for t in column)
        if volume is not None:
            strip = volume[:, x : x + w]
            strip_mask = labels[:, x : x + w] if labels is not None else None
        else:
            strip = read_window(source, 0, x, height, w)  # full height, one tile wide: the other columns stay unread
            strip_mask = column_strip_mask(rle, height, x, w) if rle is not None else None
        for target, y, _, h, tw in column:
            tile = strip[y : y + h, :tw, ::-1]  # OpenCV writes BGR
            write_through_partial(target, lambda path, tile=tile: cv2.imwrite(str(path), tile))
            if strip_mask is not None:
                cut = strip_mask[y : y + h, :tw] * 255
                write_through_partial(masks[y, x], lambda path, cut=cut: cv2.imwrite(str(path), cut))
    return write_through_partial(marker, lambda path: Path(path).write_text("done\n"))
