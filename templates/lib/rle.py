"""Run-length encoding as Kaggle writes masks: 1-indexed `start length` pairs, column- or row-major."""

import numpy as np

# Kaggle's usual order is column-major ("top to bottom, then left to right"); some competitions
# and popular codecs use row-major.
RLE_ORDERS = {"column": "F", "row": "C"}


class RleError(ValueError):
    """An RLE string that is not valid for its image; the message says what is wrong."""


def _numpy_order(order):
    if order not in RLE_ORDERS:
        raise ValueError(f"rle_order={order!r}: use 'column' (Kaggle's usual top-to-bottom order) or 'row'")
    return RLE_ORDERS[order]


def rle_encode(mask, order="column", empty=""):
    """Return the RLE of a 2-D mask (nonzero = inside), or `empty` when the mask is empty."""
    mask = np.asarray(mask)
    flat = (mask.T if _numpy_order(order) == "F" else mask).ravel() != 0
    if not flat.any():
        return empty
    # Run boundaries are where a pixel differs from the previous one; the padding closes runs at both ends.
    edges = np.flatnonzero(np.diff(flat, prepend=False, append=False))
    edges[1::2] -= edges[::2]
    edges[::2] += 1
    return " ".join(map(str, edges.tolist()))


def is_empty_rle(text, empty_tokens=("", "-")):
    """True for a blank cell (NaN, '' or an empty token such as '-')."""
    return text is None or (isinstance(text, float) and text != text) or str(text).strip() in empty_tokens


def parse_runs(text):
    """Return (starts, lengths) as 0-indexed int64 arrays, or raise RleError."""
    if is_empty_rle(text):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    try:
        numbers = np.array(str(text).split(), dtype=np.int64)
    except ValueError:
        raise RleError(f"not an RLE of integers: {str(text)[:40]!r}") from None
    if len(numbers) % 2:
        raise RleError(f"odd count of numbers ({len(numbers)}): an RLE is start/length pairs")
    return numbers[0::2] - 1, numbers[1::2]


def check_runs(starts, lengths, n_pixels):
    """Raise RleError for runs that start before pixel 1, have no length, overlap, go backwards or pass the image."""
    if len(starts) == 0:
        return
    if (lengths <= 0).any():
        raise RleError(f"run {int(np.argmax(lengths <= 0)) + 1} has length {int(lengths[lengths <= 0][0])}; lengths must be > 0")
    if starts[0] < 0:
        raise RleError("a run starts at pixel 0; Kaggle RLE starts count from 1")
    ends = starts + lengths
    bad = np.flatnonzero(starts[1:] < ends[:-1])
    if bad.size:
        i = int(bad[0])
        raise RleError(f"runs {i + 1} and {i + 2} are unsorted or overlap (start {starts[i + 1] + 1} < end {ends[i] + 1})")
    if ends[-1] > n_pixels:
        raise RleError(f"decodes past the image: the last run ends at pixel {int(ends[-1])} > {n_pixels} = height x width")


def rle_decode(text, shape, order="column"):
    """Return the (H, W) uint8 0/1 mask of an RLE string; raise RleError for an invalid one."""
    height, width = shape[:2]
    numpy_order = _numpy_order(order)
    starts, lengths = parse_runs(text)
    check_runs(starts, lengths, height * width)
    # +1 where a run starts, -1 where it ends; the running sum is the mask. Valid runs never
    # share a start or an end, so plain assignment is enough.
    delta = np.zeros(height * width + 1, dtype=np.int8)
    delta[starts] = 1
    delta[starts + lengths] -= 1
    flat = np.cumsum(delta[:-1], dtype=np.int8).view(np.uint8)
    if numpy_order == "F":
        return np.ascontiguousarray(flat.reshape(width, height).T)
    return flat.reshape(height, width)


def boundary_length(mask):
    """Count of horizontally or vertically adjacent pixel pairs that differ: low for compact shapes."""
    mask = np.asarray(mask, dtype=bool)
    return int(np.count_nonzero(mask[1:] != mask[:-1]) + np.count_nonzero(mask[:, 1:] != mask[:, :-1]))


def fitting_rle_order(rles_and_shapes):
    """Return (order, ratio): the order whose decoded masks are the most compact, and how much more
    compact than the other (1.0: no evidence, e.g. square images, where the wrong order only transposes).
    """
    lengths = {order: 0 for order in RLE_ORDERS}
    for text, shape in rles_and_shapes:
        for order in RLE_ORDERS:
            lengths[order] += boundary_length(rle_decode(text, shape, order))
    column, row = lengths["column"], lengths["row"]
    if column == row:
        return "column", 1.0
    best, other = ("column", row) if column < row else ("row", column)
    return best, other / max(lengths[best], 1)
