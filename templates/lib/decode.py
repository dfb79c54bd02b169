"""Decode slow images once (DICOM, 16-bit PNG), and convert band records and band folders, into a view of the data.

In the view every slow image is an 8-bit PNG of the same stem, every conversion of records.py is
written out, and every other file is linked: the readers then see one plain file per image.
"""

import csv
import json
import os
import shutil
from functools import partial
from pathlib import Path

import cv2
import numpy as np

from lib.inputs import starts_like_list, tiff_size
from lib.needs import need
from lib.paths import DICOM_SUFFIXES
from lib.readers import dicom_values, read_dicom, to_8bit, window_to_uint8
from lib.records import (
    ASH_BANDS,
    ASH_BOUNDS,
    CHANNEL_FILE,
    LABELLED_FRAME,
    MASK_ARRAY,
    NIFTI_SUFFIXES,
    TILES_MANIFEST,
    band_record_fields,
    bson_csv,
    bson_table,
    channel_order,
    find_conversions,
    needs_decoding,
    read_bson_records,
    records_table,
    to_prepare,
    walk_files,
)

DECODED_VIEW = "decoded-input"
LOG_POWER_RANGE = (-4.0, 8.0)  # natural log of spectrogram power: HMS's values span about e^-4 to e^8
MAX_SPECTROGRAM_COLUMNS = 1024
BSON_MAX_RECORDS = 1_000_000  # cdiscount: about 9 GB of JPEGs per million products; Kaggle's working disk is 20 GB
VOLUME_SHAPE = (16, 256)  # a DICOM series becomes 16 slices of 256 x 256 (volume_depth, volume_size)


def decode_image(source, target, window=""):
    """Write one slow image as an 8-bit PNG (grey stays grey) through a temporary file; return the target."""
    if Path(source).suffix.lower() in DICOM_SUFFIXES:
        image = read_dicom(source, window)
    else:
        image = cv2.imread(str(source), cv2.IMREAD_UNCHANGED)
        if image is None:
            raise ValueError(f"cannot read image {source}; remove the file or replace it")
        image = to_8bit(image, window)
    return write_through_partial(target, lambda path: cv2.imwrite(str(path), image))


def write_band_records(source, table_target):
    """Write each JSON band record as <base>/<id>.npy (bands, side, side) float32, then the table (last: it marks the end)."""
    data = json.loads(Path(source).read_text())
    id_key, bands, side = band_record_fields(data)
    folder = Path(table_target).with_suffix("")
    folder.mkdir(parents=True, exist_ok=True)
    for record in data:
        try:
            array = np.asarray([record[b] for b in bands], dtype=np.float32).reshape(len(bands), side, side)
        except (KeyError, ValueError, TypeError) as err:
            raise ValueError(f"{source}: record {record.get(id_key)!r} has no {len(bands)} bands of {side}x{side} "
                             f"values ({err}); fix or remove the record") from None
        np.save(folder / f"{record[id_key]}.npy", array)
    write_through_partial(table_target, lambda path: Path(path).write_text(records_table(data, (id_key, bands, side))))
    return table_target


def ash_image(folder):
    """The labelled frame of a contrails record folder as an (H, W, 3) uint8 false-colour image (RGB)."""
    arrays = {b: np.load(Path(folder) / f"band_{b:02d}.npy") for b in ASH_BANDS}
    frames = arrays[ASH_BANDS[0]].shape[-1] if arrays[ASH_BANDS[0]].ndim == 3 else 1
    if frames > 1 and frames not in LABELLED_FRAME:
        raise ValueError(f"{folder}: band arrays of {frames} frames; only 8-frame records (contrails: the labelled "
                         "frame is the 5th) are converted")
    pick = {b: (a[..., LABELLED_FRAME[frames]] if frames > 1 else a.reshape(a.shape[:2])) for b, a in arrays.items()}
    b11, b14, b15 = (pick[b].astype(np.float32) for b in ASH_BANDS)
    channels = [b15 - b14, b14 - b11, b14]
    scaled = [np.clip((c - low) / (high - low), 0, 1) for c, (low, high) in zip(channels, ASH_BOUNDS, strict=True)]
    return np.rint(np.stack(scaled, axis=-1) * 255).astype(np.uint8)


def spectrogram_image(frame):
    """A spectrogram table (rows: time; columns: `<region>_<frequency>` power, a time column first) as an (R * F, T)
    uint8 image: log power clipped to [LOG_POWER_RANGE] (missing values at the floor), the regions stacked top to
    bottom in column order, low frequencies at the bottom of each band. The same fixed scale for every file, so
    loudness stays comparable between recordings."""
    columns = [c for c in frame.columns if "_" in str(c)] or [c for c in frame.columns if str(c).lower() != "time"]
    regions = list(dict.fromkeys(str(c).rpartition("_")[0] for c in columns))
    low, high = LOG_POWER_RANGE
    power = frame[columns].to_numpy(dtype=np.float32)
    power = np.log(np.clip(np.nan_to_num(power, nan=np.exp(low)), np.exp(low), np.exp(high)))
    scaled = np.rint((power - low) / (high - low) * 255).astype(np.uint8)  # (T, R * F)
    bands = [scaled[:, [str(c).rpartition("_")[0] == r for c in columns]].T[::-1] for r in regions]
    image = np.concatenate(bands, axis=0)
    if image.shape[1] > MAX_SPECTROGRAM_COLUMNS:  # hours of 2 s rows: averaged down, the models resize anyway
        image = cv2.resize(image, (MAX_SPECTROGRAM_COLUMNS, image.shape[0]), interpolation=cv2.INTER_AREA)
    return image


# The four bipolar chains of the 10-20 montage, in the order of the spectrogram files' regions (LL, RL, LP, RP).
EEG_CHAINS = {"LL": ("Fp1", "F7", "T3", "T5", "O1"), "RL": ("Fp2", "F8", "T4", "T6", "O2"),
              "LP": ("Fp1", "F3", "C3", "P3", "O1"), "RP": ("Fp2", "F4", "C4", "P4", "O2")}
EEG_HZ, EEG_MAX_HZ = 200, 20.0  # HMS samples at 200 Hz; its spectrograms stop at 20 Hz
SIGNAL_SHAPE = (400, 256)  # each half of a recording's image: 4 bands of 100 rows, 256 time columns


def eeg_image(frame):
    """An EEG (rows: 200 Hz samples; columns: electrodes) as a (4 x 100, 256) uint8 spectrogram image: per chain the
    power of its four neighbouring-electrode differences (scipy.signal.spectrogram, 2 s windows, 1 s apart, 0-20
    Hz), averaged, in log scale; the chains stacked LL, RL, LP, RP, low frequencies at the bottom of each band,
    scaled by the recording's own 0.5-99.5 percentiles."""
    from scipy.signal import spectrogram

    missing = sorted({e for chain in EEG_CHAINS.values() for e in chain} - set(frame.columns))
    if missing:
        raise ValueError(f"an EEG without the electrodes {missing} of the bipolar chains (columns {list(frame.columns)[:8]}"
                         "...); remove the EEG files or set train_image_dir to the spectrograms")
    bands = []
    for chain in EEG_CHAINS.values():
        powers = []
        for a, b in zip(chain[:-1], chain[1:], strict=True):
            signal = np.nan_to_num((frame[a] - frame[b]).to_numpy(dtype=np.float32))
            freqs, _, power = spectrogram(signal, fs=EEG_HZ, nperseg=2 * EEG_HZ, noverlap=EEG_HZ)
            powers.append(power[freqs <= EEG_MAX_HZ])
        bands.append(np.log(np.mean(powers, axis=0) + 1e-6)[::-1])  # (frequencies, windows), high first
    logs = np.concatenate([cv2.resize(b, (SIGNAL_SHAPE[1], SIGNAL_SHAPE[0] // 4), interpolation=cv2.INTER_AREA)
                           for b in bands], axis=0)
    return window_to_uint8(logs)  # the recording's own 0.5-99.5 percentiles


def write_signals(spectrogram_path, eeg_path, target):
    """One recording as a grey PNG: its spectrogram (spectrogram_image) resized above its EEG's (eeg_image); zeros
    where it has no EEG file."""
    import pandas as pd

    top = cv2.resize(spectrogram_image(pd.read_parquet(spectrogram_path)), SIGNAL_SHAPE[::-1],
                     interpolation=cv2.INTER_AREA)
    bottom = eeg_image(pd.read_parquet(eeg_path)) if eeg_path else np.zeros(SIGNAL_SHAPE, np.uint8)
    image = np.concatenate([top, bottom], axis=0)
    return write_through_partial(target, lambda path: cv2.imwrite(str(path), image))


def write_spectrogram(source, target):
    """One parquet spectrogram as a grey PNG (spectrogram_image)."""
    import pandas as pd

    image = spectrogram_image(pd.read_parquet(source))
    return write_through_partial(target, lambda path: cv2.imwrite(str(path), image))


def series_order(files):
    """The files of a DICOM series ordered along the slice normal (ImagePositionPatient on ImageOrientationPatient),
    else by InstanceNumber, else by file name; from their headers only, the pixels stay unread."""
    import pydicom

    keyed = []
    for path in files:
        try:
            header = pydicom.dcmread(path, stop_before_pixels=True)
        except Exception as err:  # pydicom raises several kinds for a damaged file
            raise ValueError(f"cannot read DICOM slice {path}: {err}; remove the file or replace it") from None
        orientation, position = header.get("ImageOrientationPatient"), header.get("ImagePositionPatient")
        if orientation is not None and position is not None:
            normal = np.cross(np.asarray(orientation[:3], float), np.asarray(orientation[3:], float))
            key = (0, float(np.dot(normal, np.asarray(position, float))))
        else:
            key = (1, float(header.get("InstanceNumber", 0) or 0))
        keyed.append((key, str(path)))
    return [path for _, path in sorted(keyed)]


def read_slice(path):
    """One DICOM slice as (H, W) float32 in the modality's units."""
    return dicom_values(path)[0].astype(np.float32)


def resample_points(count, depth):
    """(below, above, share): for `depth` points evenly spaced along `count` slices, the slices either side of each
    and the weight of the one above (linear interpolation)."""
    where = np.linspace(0, count - 1, depth)
    below = np.floor(where).astype(int)
    return below, np.minimum(below + 1, count - 1), (where - below).astype(np.float32)


def volume_array(series, depth, size):
    """Each series, (count, read) with read(i) the i-th slice as (H, W) float32, or None, as `depth` slices of size x
    size, linearly resampled along the slice axis and scaled by its own 0.5-99.5 percentiles to [0, 1]; stacked as
    (size, size, len(series) * depth) float16. Only the slices either side of a point are read: a CT of 300 slices
    at depth 16 reads 32. A study without one of the sequences gets zeros in its place, so every study has the
    same channels."""
    blocks = []
    for item in series:
        if item is None:
            blocks.append(np.zeros((size, size, depth), dtype=np.float32))
            continue
        count, read = item
        below, above, share = resample_points(count, depth)
        resized = {i: cv2.resize(read(i), (size, size), interpolation=cv2.INTER_AREA) for i in sorted({*below, *above})}
        resampled = (np.stack([resized[i] for i in below], axis=-1) * (1 - share)
                     + np.stack([resized[i] for i in above], axis=-1) * share)
        low, high = np.percentile(resampled, (0.5, 99.5))
        blocks.append(np.clip((resampled - low) / max(float(high - low), 1e-6), 0, 1))
    return np.concatenate(blocks, axis=-1).astype(np.float16)


def read_nifti(path):
    """A NIfTI volume as its slices along the last axis, float32 (nibabel applies the scaling)."""
    import nibabel

    try:
        volume = np.asarray(nibabel.load(str(path)).get_fdata(dtype=np.float32))
    except Exception as err:  # nibabel raises several kinds for a damaged file
        raise ValueError(f"cannot read NIfTI {path}: {err}; remove the file or replace it") from None
    volume = volume.reshape(*volume.shape[:3]) if volume.ndim > 3 else volume  # a single-frame 4D file
    return [volume[..., k] for k in range(volume.shape[-1])]


def write_volume(series, target, depth, size):
    """One study of DICOM series (or one NIfTI file) as an .npy stack (volume_array), through a temporary file."""
    sources = []
    for files in series:
        if not files:
            sources.append(None)
        elif str(files[0]).lower().endswith(NIFTI_SUFFIXES):
            slices = read_nifti(files[0])
            sources.append((len(slices), slices.__getitem__))
        else:
            ordered = series_order(files)
            sources.append((len(ordered), lambda i, ordered=ordered: read_slice(ordered[i])))
    array = volume_array(sources, depth, size)
    return write_through_partial(target, lambda path: np.save(path, array))


def _volume_fits(job):
    """Whether a written volume has the shape its job asks for (read from the .npy header only)."""
    _, target, (series, depth, size) = job
    return np.load(target, mmap_mode="r").shape == (size, size, len(series) * depth)


def write_bson_records(source, table_target, max_records=0):
    """Each BSON product record's pictures as <base>/<_id>-<n>.jpg, the JPEG bytes as they are, then the table
    (image, _id, category_id) last: it marks the end. max_records: products read from a labelled file (0: all);
    a file without labels (the test) is read whole."""
    from tqdm.auto import tqdm

    folder = Path(table_target).with_suffix("")
    folder.mkdir(parents=True, exist_ok=True)
    rows, labelled = [], None
    records = read_bson_records(source)
    for products, record in enumerate(tqdm(records, desc=f"{Path(source).name}", unit=" products", mininterval=30)):
        labelled = "category_id" in record if labelled is None else labelled
        if labelled and max_records and products >= max_records:
            break
        for n, image in enumerate(record.get("imgs", [])):
            (folder / f"{record['_id']}-{n}.jpg").write_bytes(image["picture"])
        rows += bson_table([record], folder.name)
    return write_through_partial(table_target, lambda path: Path(path).write_text(bson_csv(rows, bool(labelled))))


def write_band_folder(folder, image_target, mask_target):
    """One contrails record: its false-colour PNG and, when labelled, its 0/255 mask PNG."""
    if mask_target:
        mask = np.load(Path(folder) / MASK_ARRAY)
        mask = (mask.reshape(mask.shape[:2]) > 0).astype(np.uint8) * 255
        write_through_partial(mask_target, lambda path: cv2.imwrite(str(path), mask))
    image = ash_image(folder)[..., ::-1]  # OpenCV writes BGR
    return write_through_partial(image_target, lambda path: cv2.imwrite(str(path), image))


def write_channel_files(paths, channels, target):
    """One image from its grey channel files (channels: their words, in order): red, green and blue as they are and
    yellow added half to red and green (the Human Protein Atlas); other words: the first three as red, green, blue."""
    planes = [cv2.imread(str(p), cv2.IMREAD_GRAYSCALE) for p in paths]
    if any(p is None for p in planes):
        raise ValueError(f"cannot read {paths[[p is None for p in planes].index(True)]} as an image")
    by_name = dict(zip(channels, (p.astype(np.float32) for p in planes), strict=True))
    if "red" in by_name or "green" in by_name or "blue" in by_name:
        zero = np.zeros_like(planes[0], dtype=np.float32)
        yellow = by_name.get("yellow", zero) / 2
        rgb = [by_name.get("red", zero) + yellow, by_name.get("green", zero) + yellow, by_name.get("blue", zero)]
    else:
        rgb = [p.astype(np.float32) for p in (planes * 3)[:3]]
    image = np.clip(np.dstack(rgb), 0, 255).astype(np.uint8)[..., ::-1]  # OpenCV writes BGR
    return write_through_partial(target, lambda path: cv2.imwrite(str(path), image))


def write_through_partial(target, write):
    target = Path(target)
    partial = target.with_name(target.stem + ".partial" + target.suffix)
    partial.parent.mkdir(parents=True, exist_ok=True)
    if write(partial) is False:
        raise OSError(f"cannot write {partial}; check that work_dir is writable")
    os.replace(partial, target)
    return target


def _run_job(job, bad_files="stop"):
    """Write one job's files; with bad_files='skip' an image that fails is linked as it is and its error returned."""
    kind, target, args = job
    if kind == "tiled_tiff":  # the writer comes with the job: only segmentation notebooks carry lib/tiles.py
        return args[0](args[1], target, *args[2:])
    if kind == "band_records":
        return write_band_records(args[0], target)
    if kind == "band_folder":
        return write_band_folder(args[0], target, args[1])
    if kind == "bson_records":  # by name: a notebook without BSON inputs leaves the writer out
        return need("decode.write_bson_records", Path(args[0]).name)(args[0], target, *args[1:])
    if kind == "spectrogram":
        return write_spectrogram(args[0], target)
    if kind == "channel_files":
        return write_channel_files(args[0], args[1], target)
    if kind == "signals":
        return write_signals(args[0], args[1], target)
    if kind == "volume":  # by name: a notebook whose plan has no slice series leaves the volume reader out
        return need("decode.write_volume", f"the DICOM series of {Path(target).stem}")(args[0], target, *args[1:])
    try:
        return decode_image(args[0], target, args[1])
    except (ValueError, RuntimeError) as err:
        if bad_files != "skip":
            raise
        # Linked under its own name: its id still resolves, and the input check names and skips it.
        link = Path(target).with_suffix(Path(args[0]).suffix)
        if not link.is_symlink():
            link.symlink_to(Path(args[0]).resolve())
        return f"skipped: {err}"


def _report(result, job):
    if isinstance(result, str):
        print(f"{job[2][0]}: {result}")


def _remove_outputs(job):
    kind, target, args = job
    target.unlink(missing_ok=True)
    if kind in ("band_records", "bson_records"):
        shutil.rmtree(target.with_suffix(""))
    elif kind == "tiled_tiff":
        for path in [t[0] for t in args[2]] + list(args[3].values()):
            path.unlink(missing_ok=True)
    elif kind == "band_folder" and args[1]:
        args[1].unlink()


class PlainFiles:
    """What records.find_conversions reads, from plain files under `root`."""

    def __init__(self, root):
        self.root = Path(root)

    def path(self, rel):
        return self.root / rel

    def read_json_list(self, rel):
        """The JSON's content when it is a list (band records are), else None: unparsed (COCO files are big) or invalid."""
        if not starts_like_list(self.root / rel):
            return None
        try:
            return json.loads((self.root / rel).read_text())
        except ValueError:
            return None

    def read_csv(self, rel):
        with open(self.root / rel, newline="", encoding="utf-8-sig") as f:
            rows = list(csv.reader(f))
        return rows[0], rows[1:]

    def size(self, rel):
        return (self.root / rel).stat().st_size

    def tiff_size(self, rel):
        return tiff_size(self.root / rel)


def conversion_jobs(data_dir, files, view, tile_size=None, tile_writer=None, train_csv="", volume=VOLUME_SHAPE,
                    bson_max_records=BSON_MAX_RECORDS):
    """(jobs, replaced files, tiles manifest) for the records.py conversions of `files` (relative paths under data_dir);
    volume: (depth, size) of the arrays DICOM series become; bson_max_records: products read from a labelled BSON."""
    conversions = find_conversions(files, PlainFiles(data_dir), tile_size, train_csv)
    jobs, manifest = [], {}  # the tiles manifest is written from the tiled conversions, not a job
    for conversion in conversions:
        if conversion.kind == "band_records":
            table = next(o for o, (_, record) in conversion.outputs.items() if record is None)
            jobs.append(("band_records", view / table, (data_dir / conversion.source,)))
        elif conversion.kind == "band_folder":
            image = next(o for o, (_, what) in conversion.outputs.items() if what == "image")
            mask = next((view / o for o, (_, what) in conversion.outputs.items() if what == "mask"), None)
            jobs.append(("band_folder", view / image, (data_dir / conversion.source, mask)))
        elif conversion.kind == "spectrogram":
            jobs.append(("spectrogram", view / next(iter(conversion.outputs)), (data_dir / conversion.source,)))
        elif conversion.kind == "channel_files":
            jobs.append(("channel_files", view / next(iter(conversion.outputs)),
                         ([data_dir / r for r in conversion.replaced], channel_order(
                             [CHANNEL_FILE.match(Path(r).name).group(2).lower() for r in conversion.replaced]))))
        elif conversion.kind == "signals":
            target, inputs = next(iter(conversion.outputs.items()))
            jobs.append(("signals", view / target, (data_dir / inputs[0], data_dir / inputs[1] if len(inputs) > 1 else None)))
        elif conversion.kind == "bson_records":
            table = next(o for o, (_, image) in conversion.outputs.items() if image is None)
            jobs.append(("bson_records", view / table, (data_dir / conversion.source, bson_max_records)))
        elif conversion.kind == "volume":
            target, (_, series) = next(iter(conversion.outputs.items()))
            jobs.append(("volume", view / target, ([[data_dir / r for r in files] for files in series], *volume)))
        elif conversion.kind in ("tiled_tiff", "surface_volume"):
            folder, _, name = conversion.source.rpartition("/")
            stem = name.rpartition(".")[0] if conversion.kind == "tiled_tiff" else name
            tiles = [(view / o, *v[2:]) for o, v in conversion.outputs.items() if v[1] == "image"]
            masks = {(v[2], v[3]): view / o for o, v in conversion.outputs.items() if v[1] == "mask"}
            height, width = max(t[1] + t[3] for t in tiles), max(t[2] + t[4] for t in tiles)
            manifest[stem] = {"height": height, "width": width, "source": conversion.source,
                              "tiles": [[*t[1:], t[0].relative_to(view).as_posix()] for t in tiles]}
            band = [data_dir / r for r in conversion.band] if conversion.band else None  # a surface volume's slices
            jobs.append(("tiled_tiff", view / folder / f".{stem}.tiled",
                         (tile_writer, data_dir / conversion.source, tiles, masks, conversion.rle, height, band)))
    return jobs, {r for c in conversions for r in c.replaced}, manifest


def prepare_inputs(data_dir, work_dir, window="", bad_files="stop", **tiling):
    """data_dir as the notebook reads it: archives unpacked, slow images decoded (DICOM, 16-bit PNG) and records
    converted (band records, band folders, big TIFFs), once, into views in work_dir; data_dir itself when it holds
    none of them. tiling: decode_inputs' tile_size, tile_writer and train_csv (segmentation)."""
    data_dir = Path(data_dir)
    archive, _ = to_prepare(data_dir)
    if archive is not None:
        data_dir = need("inputs.unpack_inputs", archive)(data_dir, work_dir)
    _, slow = to_prepare(data_dir, tiling.get("tile_size"))
    if slow is None:
        return data_dir
    return need("decode.decode_inputs", slow)(data_dir, work_dir, window, bad_files=bad_files, **tiling)


def decode_inputs(data_dir, work_dir, window="", workers=0, progress=True, bad_files="stop", tile_size=None,
                  tile_writer=None, train_csv="", volume_depth=VOLUME_SHAPE[0], volume_size=VOLUME_SHAPE[1],
                  bson_max_records=BSON_MAX_RECORDS):
    """Return data_dir when no image needs decoding, else a view where slow images are 8-bit PNGs of the same stem.

    Every other file is linked. A re-run reuses what is decoded (each PNG is written through a
    temporary name), and free disk is checked before anything is written. An image that fails to
    decode stops the run, or with bad_files='skip' is printed and left for the input check to drop.
    tile_size (segmentation): gigapixel TIFFs become tiles (records.tiling) written by tile_writer
    (tiles.write_tiles), their masks from train_csv's RLE; None: they stay whole. DICOM slice series become one
    array per study of volume_depth slices of volume_size px a series; BSON records, images and a table (at most
    bson_max_records products of a labelled file).
    """
    from multiprocessing import get_context

    from tqdm.auto import tqdm

    data_dir, view = Path(data_dir), Path(work_dir) / DECODED_VIEW
    files = walk_files(data_dir)
    jobs, replaced, manifest = conversion_jobs(data_dir, [p.relative_to(data_dir).as_posix() for p in files], view,
                                               tile_size, tile_writer, train_csv, (volume_depth, volume_size),
                                               bson_max_records)
    files = [p for p in files if p.relative_to(data_dir).as_posix() not in replaced]
    slow = [p for p in files if needs_decoding(p)]
    if not slow and not jobs:
        return data_dir
    jobs += [("image", view / p.relative_to(data_dir).with_suffix(".png"), (p, window)) for p in slow]
    # Done: the target is written (or, for an image skipped with bad_files='skip', linked as it is).
    # A volume written at another volume_depth or volume_size is written again.
    todo = [job for job in jobs if (not job[1].is_file() or job[0] == "volume" and not _volume_fits(job))
            and not (job[0] == "image" and job[1].with_suffix(job[2][0].suffix).is_symlink())]
    view.mkdir(parents=True, exist_ok=True)
    if manifest:
        write_through_partial(view / TILES_MANIFEST, lambda path: Path(path).write_text(json.dumps(manifest)))
    if todo:
        before = shutil.disk_usage(view).free
        _report(_run_job(todo[0], bad_files), todo[0])
        written = todo[0][1].stat().st_size if todo[0][1].is_file() else 0
        need = max(before - shutil.disk_usage(view).free, written) * 1.5 * len(todo)  # sizes vary
        free = shutil.disk_usage(view).free
        if need > free:
            _remove_outputs(todo[0])
            raise OSError(f"decoding {len(todo)} images needs about {need / 1e9:.1f} GB, {view} has {free / 1e9:.1f} GB "
                          "free; free disk space, or set work_dir to a larger disk")
    for path in files:
        if not needs_decoding(path):
            link = view / path.relative_to(data_dir)
            if not link.exists():
                link.parent.mkdir(parents=True, exist_ok=True)
                link.symlink_to(path.resolve())
    workers = workers or min(8, os.cpu_count() or 1)
    bar = tqdm(total=len(jobs), initial=len(jobs) - len(todo) + (1 if todo else 0), desc="decode once", disable=not progress)
    if len(todo) > 1 and workers > 1:
        with get_context("fork").Pool(workers) as pool:
            for job, result in zip(todo[1:], pool.imap(partial(_run_job, bad_files=bad_files), todo[1:], chunksize=8), strict=True):
                _report(result, job)
                bar.update()
    else:
        for job in todo[1:]:
            _report(_run_job(job, bad_files), job)
            bar.update()
    bar.close()
    return view
