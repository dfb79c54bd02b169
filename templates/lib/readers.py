"""Read DICOM and 16-bit images as 8-bit (modality and VOI LUTs, MONOCHROME1 inverted, a window), and arrays as float."""

from collections import Counter
from pathlib import Path

import numpy as np

from lib.inputs import image_header
from lib.paths import DICOM_SUFFIXES

ARRAY_SUFFIXES = (".npy",)
DECODERS = "pylibjpeg, pylibjpeg-libjpeg, pylibjpeg-openjpeg or python-gdcm"
BAD_FILES = ("stop", "skip")


def window_to_uint8(values, window=""):
    """Scale to 0-255: `window` 'low,high' in the image's units, else its own 0.5 and 99.5 percentiles."""
    values = np.asarray(values, dtype=np.float32)
    if window:
        low, high = (float(v) for v in window.split(","))
    else:
        low, high = np.percentile(values, (0.5, 99.5))
    scaled = (values - low) / max(float(high - low), 1e-6)
    return np.rint(np.clip(scaled, 0.0, 1.0) * 255).astype(np.uint8)


def read_dicom(path, window=""):
    """One DICOM frame as (H, W) uint8: rescale slope/intercept, the VOI LUT or window when no window is given."""
    from pydicom.pixels import apply_voi_lut

    values, dataset = dicom_values(path)
    if not window and ("WindowCenter" in dataset or "VOILUTSequence" in dataset):
        values = apply_voi_lut(values, dataset)
    image = window_to_uint8(values, window)
    if dataset.get("PhotometricInterpretation") == "MONOCHROME1":
        image = 255 - image  # MONOCHROME1: high values are dark
    return image


def dicom_values(path):
    """(one DICOM frame in the modality's units, its dataset): the rescale slope and intercept applied; a damaged file
    or a compressed one without its decoder is named."""
    try:
        import pydicom
        from pydicom.pixels import apply_modality_lut
    except ImportError:
        raise ImportError(f"{path} is DICOM and pydicom is not installed: attach its wheel "
                          "(nbgen bundle DIR --wheel pydicom==3.0.2) and set wheels_dir") from None
    try:
        dataset = pydicom.dcmread(path)
    except Exception as err:  # pydicom raises several kinds for a damaged file
        raise ValueError(f"cannot read DICOM {path}: {err}; remove the file or replace it") from None
    try:
        pixels = dataset.pixel_array
    except (NotImplementedError, RuntimeError) as err:
        syntax = getattr(getattr(dataset, "file_meta", None), "TransferSyntaxUID", None)
        name = getattr(syntax, "name", syntax)
        raise RuntimeError(f"{path}: transfer syntax {name} needs a decoder that is not installed ({DECODERS}); "
                           f"attach its wheel with nbgen bundle DIR --wheel ... ({err})") from None
    if pixels.ndim == 3 and dataset.get("SamplesPerPixel", 1) == 1:
        pixels = pixels[0]  # a multi-frame file: its first frame
    return apply_modality_lut(pixels, dataset), dataset


def to_8bit(image, window=""):
    """An image array of any depth as uint8: 8-bit stays as it is, deeper ones are windowed."""
    return image if image.dtype == np.uint8 else window_to_uint8(image, window)


def read_array(path):
    """A `.npy` array as (H, W, C) float32: channels-first stacks (SETI's (6, 273, 256)) are moved last."""
    try:
        array = np.load(path)
    except (OSError, ValueError) as err:
        raise ValueError(f"cannot read array {path}: {err}; remove the file or replace it") from None
    if array.ndim == 2:
        array = array[..., None]
    elif array.ndim == 3 and array.shape[0] <= 16 and array.shape[0] < min(array.shape[1:]):
        array = array.transpose(1, 2, 0)
    if array.ndim != 3:
        raise ValueError(f"{path}: an array of shape {array.shape}; expected (H, W), (C, H, W) or (H, W, C)")
    return np.ascontiguousarray(array, dtype=np.float32)


def channel_stats(paths, count=256):
    """Per-channel mean and std over up to `count` arrays, for the normalisation of N-channel inputs."""
    sums, squares, pixels = 0.0, 0.0, 0
    for path in list(paths)[:: max(1, len(paths) // count)][:count]:
        array = read_array(path).astype(np.float64)
        sums = sums + array.sum((0, 1))
        squares = squares + (array**2).sum((0, 1))
        pixels += array.shape[0] * array.shape[1]
    mean = sums / pixels
    return mean.tolist(), np.sqrt(np.maximum(squares / pixels - mean**2, 1e-12)).tolist()


def unreadable(path, shape=None):
    """Why `path` cannot be read as an input ('' when it can), from its header only: fast on every file.

    shape: what an array must have (the others' shape). A DICOM left in the decoded view is one
    that failed to decode.
    """
    suffix = Path(path).suffix.lower()
    if suffix in ARRAY_SUFFIXES:
        try:
            found = np.load(path, mmap_mode="r").shape
        except (OSError, ValueError) as err:
            return f"not a readable .npy array ({err})"
        return f"an array of shape {found}, the others {shape}" if shape is not None and found != shape else ""
    if suffix in DICOM_SUFFIXES:
        return "a DICOM that did not decode (its error is printed by the decode step)"
    if suffix in (".png", ".jpg", ".jpeg") and image_header(path) is None:
        return "not a PNG or JPEG image (damaged or empty)"
    return ""


def usable_inputs(paths, bad_files="stop", what="training"):
    """A 0/1 keep mask over `paths`: every unreadable file is named; bad_files='skip' drops them, 'stop' raises."""
    if bad_files not in BAD_FILES:
        raise ValueError(f"bad_files={bad_files!r}: choose 'stop' or 'skip'")
    arrays = [p for p in paths if Path(p).suffix.lower() in ARRAY_SUFFIXES]
    shapes = Counter()
    for path in arrays[:256]:
        try:
            shapes[np.load(path, mmap_mode="r").shape] += 1
        except (OSError, ValueError):
            pass
    shape = shapes.most_common(1)[0][0] if shapes else None
    reasons = [unreadable(p, shape) for p in paths]
    bad = [(p, r) for p, r in zip(paths, reasons, strict=True) if r]
    if bad and (bad_files == "stop" or what == "test"):
        fix = "the submission needs every test file: replace it" if what == "test" else \
            "replace or remove it, or set bad_files='skip' to go on without it"
        raise ValueError(f"{len(bad)} unreadable {what} file(s); first: {bad[0][0]}: {bad[0][1]}. {fix}")
    for path, reason in bad[:20]:
        print(f"skipped {path}: {reason}")
    if len(bad) > 20:
        print(f"... and {len(bad) - 20} more unreadable files skipped")
    return np.array([not r for r in reasons], dtype=bool)
