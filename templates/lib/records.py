"""Inputs that are not one file per image, and the files they become once converted.

- JSON band records (Statoil): a list of {id, band_1, band_2, ..., scalar fields} in `train.json`.
  Each record becomes `train/<id>.npy` of shape (bands, side, side), and the scalar fields a table
  `train.csv`, so the arrays layout reads them.
- Spectrograms (HMS): `train_spectrograms/<id>.parquet`, a time column then power columns named
  `<region>_<frequency>` (LL_0.59 ... RP_19.92). Each becomes `train_spectrograms/<id>.png`: log power,
  one band of rows per region, low frequencies at the bottom, time across (spectrogram_image).
- DICOM slice series (RSNA-MICCAI's `train/<case>/<sequence>/Image-N.dcm`, RSNA cervical's
  `train_images/<study>/<slice>.dcm`): each study becomes `train/<case>.npy`, an (H, W, sequences x depth)
  float16 stack, every series ordered by position and resampled to a fixed depth (slices as channels, 2.5D).
- Signals of one recording (HMS): when a table pairs each `eeg_id` with a `spectrogram_id` and both
  folders hold their parquet files (`train_eegs/`, `train_spectrograms/`), each recording becomes one
  `train_signals/<eeg_id>.png`: its spectrogram image above the spectrogram of its EEG (decode.py:
  eeg_image, four bipolar chains), so a model sees both; the spectrograms of no recording stay single.
- NIfTI volumes (`train/<id>.nii.gz`, outside folders named like masks or segmentations) become
  `train/<id>.npy` the same way, their last axis the slice axis.
- BSON records (cdiscount): `train.bson` of {_id, category_id, imgs: [{picture: JPEG bytes}]} becomes
  `train/<_id>-<n>.jpg` per image and a table `train.csv` (image, _id, category_id): the JPEG bytes are
  written as they are. Discovery lists the first BSON_PROBE records only (the real file is 58 GB); a file
  named like an example (train_example.bson) is left as it is.
- Surface volumes (vesuvius): `train/<fragment>/surface_volume/00.tif ... 64.tif` with `inklabels.png`
  become tiles `train/<fragment>_<y>_<x>.png`, their channels a band of three slices from the middle of
  the stack, and ink-mask tiles in `train_masks/`, placed by the tiles.json manifest (segmentation only).
- Band folders (contrails): `train/<record>/band_08.npy ... band_16.npy` of shape (H, W, frames)
  and `human_pixel_masks.npy`. Each record becomes a false-colour `train/<record>.png` of the
  labelled frame and a mask `train_masks/<record>.png`, so the image and mask-folder layout reads them.

Finding them uses the standard library only (`nbgen inspect` lists the converted files without
writing any); writing them is decode.py's job, once, into the decoded view.
"""

import csv
import io
import math
import os
import re
import struct
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from lib.inputs import archive_suffix, starts_like_list
from lib.paths import DICOM_SUFFIXES, IMAGE_SUFFIXES

BAND_FILE = re.compile(r"band_(\d+)\.npy$")
MASK_ARRAY = "human_pixel_masks.npy"  # the consensus mask; human_individual_masks.npy is left out
# The contrails "ash" false colour (bands 15-14, 14-11, 14 in kelvin), as the data's own notebook draws it.
ASH_BANDS = (11, 14, 15)
ASH_BOUNDS = ((-4.0, 2.0), (-4.0, 5.0), (243.0, 303.0))
# The labelled frame of an 8-frame record: 4 frames before it, 3 after (the data description).
LABELLED_FRAME = {8: 4}
MAX_RECORDS_JSON_BYTES = 4e9
TIFF_SUFFIXES = (".tif", ".tiff")
AUTO_TILE, AUTO_TILE_ABOVE = 1024, 8192  # HuBMAP's slides are 20,000-50,000 pixels a side
TABLE_RLE_NAMES = ("encoding", "rle", "encodedpixels", "encoded_pixels", "rle_mask", "segmentation")
TILES_MANIFEST = "tiles.json"
SURFACE_TILE = 256  # surface-volume fragments (vesuvius) are cut into tiles of this many pixels unless tile_size says
SURFACE_FOLDER = "surface_volume"
NIFTI_SUFFIXES = (".nii", ".nii.gz")
NIFTI_LABEL_WORDS = ("mask", "seg", "label")  # NIfTI files under such folders are labels (RSNA cervical's segmentations/)
SERIES_SLICES = 16  # DICOM files in one folder from which it is a slice series (a CT or MRI volume), not views
BSON_PROBE = 64  # records discovery reads from a BSON file: enough ids for its rules, not a 58 GB scan
SPECTROGRAM_WORD = "spectrogram"  # parquet files in a folder named like it are spectrograms, not tables
# One image as one grey file per channel, '<id>_<channel>.png' (the Human Protein Atlas: red, green, blue, yellow;
# RxRx1: w1 ... w6): the channel word, and how many ids a folder needs before it is read as channel files.
CHANNEL_FILE = re.compile(r"^(.+)_(red|green|blue|yellow|w\d)\.(png|tif|tiff|jpg|jpeg)$", re.IGNORECASE)
CHANNEL_IDS = 4


@dataclass
class Conversion:
    """One source that becomes several files: `outputs` maps each new relative path to what it holds.

    replaced: the input files the outputs stand in for (not linked into the view); rle: a tiled
    image's mask from its table, or None; band: a surface volume's slices that become its tiles' channels.
    """

    kind: str
    source: str
    replaced: list
    outputs: dict
    note: str = ""
    rle: str | None = None
    band: list | None = None  # a surface volume's slices that become a tile's channels


def band_record_fields(data):
    """(id key, band keys, side) when `data` is a list of records holding square band lists, else None."""
    if not isinstance(data, list) or not data or not isinstance(data[0], dict):
        return None
    first = data[0]
    bands = [k for k, v in first.items() if isinstance(v, list) and len(v) > 1
             and all(isinstance(x, (int, float)) for x in v[:16])]
    if not bands:
        return None
    side = math.isqrt(len(first[bands[0]]))
    if side * side != len(first[bands[0]]) or any(len(first[b]) != side * side for b in bands):
        raise ValueError(f"band lists {bands} of {[len(first[b]) for b in bands]} values are not square images; "
                         "this layout is not supported yet")
    id_key = next((k for k in ("id", "image_id", "ID", "Id") if k in first), None)
    if id_key is None:
        raise ValueError(f"band records without an 'id' field (fields: {sorted(first)}); this layout is not supported yet")
    return id_key, bands, side


def records_table(data, fields):
    """The scalar fields of band records as CSV text, the id first; JSON nulls and 'na' stay as written."""
    id_key, bands, _ = fields
    columns = [id_key] + [k for k in data[0] if k not in bands and k != id_key]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for record in data:
        writer.writerow(["" if record.get(c) is None else record.get(c) for c in columns])
    return out.getvalue()


def find_conversions(files, source, tile_size=None, train_csv=""):
    """The conversions a folder's files call for (relative paths in `files`).

    source reads them: read_json_list(rel) parses a JSON file that holds a list (None for others, unparsed,
    and for invalid JSON: the rule that reads it as a table or COCO file names that),
    read_csv(rel) gives (header, rows), size(rel) bytes and tiff_size(rel) (height, width), or None
    when unknown (archive members). tile_size: see tiling(); None: no tiling. train_csv: the table
    tiled images' masks come from, when set.
    """
    conversions = []
    for rel in sorted(r for r in files if r.lower().endswith(".json") and r.count("/") <= 2):
        data = source.read_json_list(rel) if source.size(rel) <= MAX_RECORDS_JSON_BYTES else None
        fields = band_record_fields(data)
        if fields is None:
            continue
        base = rel[: -len(".json")]
        id_key, bands, side = fields
        outputs = {f"{base}/{record[id_key]}.npy": (rel, record[id_key]) for record in data}
        outputs[f"{base}.csv"] = (rel, None)
        note = f"{rel}: {len(data)} records of {len(bands)} bands ({', '.join(bands)}) of {side}x{side}"
        conversions.append(Conversion("band_records", rel, [rel], outputs, note))
    conversions += _band_folders(files)
    conversions += _channel_files(files)
    paired = _paired_signals(files, source)
    conversions += paired
    taken = {r for c in paired for r in c.replaced}
    conversions += _spectrograms([r for r in files if r not in taken])
    conversions += _volumes(files)
    conversions += _nifti_volumes(files)
    conversions += _bson_records(files, source)
    if tile_size is not None:  # segmentation only: the other tasks read big TIFFs whole
        conversions += _surface_volumes(files, source, tile_size)
        taken = {r for c in conversions for r in c.replaced}
        conversions += _tiled_tiffs([r for r in files if r not in taken], source, tile_size, train_csv)
    taken = set(files) - {r for c in conversions for r in c.replaced}
    for conversion in conversions:
        clashes = sorted(set(conversion.outputs) & taken)
        if clashes:
            raise ValueError(f"converting {conversion.source} would write {clashes[0]}, which exists already; "
                             "remove one of the two from the input")
    return conversions


def walk_files(folder):
    """Every file below `folder`, sorted; links followed: the unpacked view's plain folders are links to the input."""
    return sorted(Path(root, name) for root, _, names in os.walk(folder, followlinks=True) for name in names)


def needs_decoding(path):
    """DICOM files, and PNGs of more than 8 bits per channel (read from the header, not decoded)."""
    suffix = Path(path).suffix.lower()
    if suffix in DICOM_SUFFIXES:
        return True
    if suffix != ".png":
        return False
    with open(path, "rb") as f:
        head = f.read(25)
    return head.startswith(b"\x89PNG") and struct.unpack(">B", head[24:25])[0] > 8


def to_prepare(data_dir, tile_size=None):
    """(the first archive, the first file to decode or convert), relative paths below data_dir, each None when there
    is none: what the notebook's prepare_inputs and `nbgen new --data` read a folder's needs from."""
    data_dir = Path(data_dir)
    files = walk_files(data_dir)
    rels = [p.relative_to(data_dir).as_posix() for p in files]
    archive = next((r for r in rels if archive_suffix(r)), None)
    slow = next((r for p, r in zip(files, rels, strict=True) if needs_decoding(p)), None)
    return archive, slow or conversion_candidate(rels, lambda rel: starts_like_list(data_dir / rel), tile_size)


def conversion_candidate(files, is_list, tile_size=None):
    """The first file that may call for a conversion (a JSON list, a band array, a TIFF to tile), else None: a folder
    without one needs no find_conversions. is_list(rel) says whether a JSON file holds a list (a peek, not a parse)."""
    for rel in files:
        low = rel.lower()
        if (low.endswith(".json") and rel.count("/") <= 2 and is_list(rel)) or BAND_FILE.search(low) or (
                tile_size is not None and low.endswith(TIFF_SUFFIXES)) or _is_spectrogram(low) or (
                low.endswith(DICOM_SUFFIXES) and low.count("/") >= 2) or is_bson_records(low) or is_nifti_volume(low) or (
                CHANNEL_FILE.match(low.rpartition("/")[2])):  # a DICOM below a study: a series?
            return rel
    return None


def band_records_csv(data):
    """The table of band records' scalar fields, as the bytes of the CSV the conversion writes."""
    return records_table(data, band_record_fields(data)).encode()


def _band_folders(files):
    """Record folders holding band_XX.npy arrays: one false-colour PNG each, and its mask when labelled."""
    folders = defaultdict(list)
    for rel in files:
        folder, _, name = rel.rpartition("/")
        if folder and (BAND_FILE.search(name) or name.startswith("human_")) and name.endswith(".npy"):
            folders[folder].append(rel)
    by_split = defaultdict(dict)
    for folder, members in sorted(folders.items()):
        bands = {int(BAND_FILE.search(m).group(1)) for m in members if BAND_FILE.search(m)}
        if not bands:
            continue
        missing = [b for b in ASH_BANDS if b not in bands]
        if missing:
            raise ValueError(f"{folder}/ holds bands {sorted(bands)} without {missing}: only the contrails bands "
                             f"{list(ASH_BANDS)} are converted to images; this layout is not supported yet")
        split, _, record = folder.rpartition("/")
        by_split[split or "."][folder] = (record, members)
    conversions = []
    for split, records in by_split.items():
        prefix = "" if split == "." else f"{split}/"
        masks_dir = f"{split}_masks" if split != "." else "masks"
        labelled = sum(any(m.endswith("/" + MASK_ARRAY) for m in members) for _, members in records.values())
        note = (f"{split}/: {len(records)} band folders -> false-colour PNGs (bands {list(ASH_BANDS)}, the labelled "
                "frame: the 5th of 8)" + (f", {labelled} with {MASK_ARRAY} -> {masks_dir}/" if labelled else ""))
        for folder, (record, members) in records.items():
            outputs = {f"{prefix}{record}.png": (folder, "image")}
            if any(m.endswith("/" + MASK_ARRAY) for m in members):
                outputs[f"{masks_dir}/{record}.png"] = (folder, "mask")
            conversions.append(Conversion("band_folder", folder, members, outputs, note))
            note = ""  # one note per split
    return conversions


def _channel_files(files):
    """Folders whose images are all '<id>_<channel>' files, every id with the same 2-6 channels: one RGB PNG per id,
    '<folder>/<id>.png' (red, green and blue as they are, yellow added to red and green; other channel words: the first
    three in order)."""
    folders, plain = defaultdict(lambda: defaultdict(dict)), set()  # plain: folders with other images too
    for rel in files:
        folder, _, name = rel.rpartition("/")
        found = CHANNEL_FILE.match(name)
        if found:
            folders[folder][found.group(1)][found.group(2).lower()] = rel
        elif name.lower().endswith(IMAGE_SUFFIXES):
            plain.add(folder)
    conversions = []
    for folder, ids in sorted(folders.items()):
        channels = {tuple(sorted(c)) for c in ids.values()}
        if len(ids) < CHANNEL_IDS or len(channels) != 1 or not 2 <= len(next(iter(channels))) <= 6 or folder in plain:
            continue
        order = channel_order(next(iter(channels)))
        prefix = f"{folder}/" if folder else ""
        note = (f"{folder or 'the root'}/: {len(ids)} ids of {len(order)} channel files ({', '.join(order)}) -> RGB PNGs"
                + ("; yellow added to red and green" if "yellow" in order else "")
                + (f"; {', '.join(order[3:])} left out" if "red" not in order and len(order) > 3 else ""))
        for image_id, members in sorted(ids.items()):
            conversions.append(Conversion("channel_files", f"{prefix}{image_id}", [members[c] for c in order],
                                          {f"{prefix}{image_id}.png": (f"{prefix}{image_id}", "image")}, note))
            note = ""  # one note per folder
    return conversions


def channel_order(channels):
    """The channels in the order their files are read: red, green, blue, yellow by colour; other words sorted."""
    colours = ("red", "green", "blue", "yellow")
    return sorted(channels, key=lambda c: (colours.index(c) if c in colours else len(colours), c))


def dicom_series(files):
    """{series folder: its DICOM files} when most folders of DICOMs hold SERIES_SLICES or more below a split folder
    (one folder per study or per study and sequence), else {}: a flat train/ of DICOM images is not a series."""
    per_folder = defaultdict(list)
    for rel in files:
        if rel.lower().endswith(DICOM_SUFFIXES):
            per_folder[rel.rpartition("/")[0]].append(rel)
    series = {f: sorted(m) for f, m in per_folder.items() if len(m) >= SERIES_SLICES and "/" in f}
    return series if len(series) >= 2 and 2 * len(series) >= len(per_folder) else {}


def _volumes(files):
    """One (H, W, sequences x depth) array per study of DICOM series: a study is a series folder below a split
    (train/<study>/), or the folder above several (train/<case>/<sequence>/), whose sequences are taken by name."""
    studies = defaultdict(dict)
    for folder in dicom_series(files):
        parent, _, name = folder.rpartition("/")
        studies[parent if parent.count("/") >= 1 else folder] = {}
    # Every DICOM folder of a study is one of its sequences, however few slices it holds (a short T1w series).
    for rel in files:
        if rel.lower().endswith(DICOM_SUFFIXES):
            folder = rel.rpartition("/")[0]
            parent, _, name = folder.rpartition("/")
            if folder in studies:
                studies[folder].setdefault("", []).append(rel)
            elif parent in studies:
                studies[parent].setdefault(name, []).append(rel)
    sequences = sorted({name for found in studies.values() for name in found})
    conversions = []
    by_split = defaultdict(list)
    for study in sorted(studies):
        by_split[study.rpartition("/")[0]].append(study)
    for split, members in sorted(by_split.items()):
        note = (f"{split}/: {len(members)} studies of DICOM series -> one array each (sequences "
                f"{', '.join(sequences) if sequences != [''] else 'one'}; ordered by position, resampled to "
                "volume_depth slices of volume_size px)")
        for study in members:
            found = studies[study]
            series = [sorted(found.get(name, [])) for name in sequences]
            conversions.append(Conversion("volume", study, [r for m in series for r in m],
                                          {f"{study}.npy": (study, series)}, note))
            note = ""  # one note per split
    return conversions


def surface_band(slices):
    """The three slices of a surface volume that become a tile's channels: a third, half and two thirds up the stack
    (vesuvius' ink sits in its middle layers)."""
    ordered = sorted(slices)
    return [ordered[len(ordered) // 3], ordered[len(ordered) // 2], ordered[2 * len(ordered) // 3]]


def _surface_volumes(files, source, tile_size):
    """Surface-volume fragments: tiles whose channels are a band of slices (surface_band), ink masks cut beside them
    from inklabels.png, and the fragment's other files (its mask, infrared photo, RLE) replaced."""
    volumes = defaultdict(list)
    for rel in files:
        folder, _, name = rel.rpartition("/")
        if folder.rpartition("/")[2] == SURFACE_FOLDER and name.lower().endswith(TIFF_SUFFIXES):
            volumes[folder.rpartition("/")[0]].append(rel)
    tile = int(tile_size or 0) or SURFACE_TILE
    conversions = []
    for fragment, slices in sorted(volumes.items()):
        if len(slices) < 3:
            continue
        size = source.tiff_size(sorted(slices)[0])
        if size is None:
            raise ValueError(f"cannot read the size of {sorted(slices)[0]}; unpack it or replace it")
        height, width = size
        split, _, name = fragment.rpartition("/")
        prefix, masks = (f"{split}/", f"{split}_masks/") if split else ("", "masks/")
        labelled = f"{fragment}/inklabels.png" in files
        outputs = {}
        for y, x, h, w in tile_grid(height, width, tile, tile // 8):
            outputs[f"{prefix}{name}_{y}_{x}.png"] = (fragment, "image", y, x, h, w)
            if labelled:
                outputs[f"{masks}{name}_{y}_{x}.png"] = (fragment, "mask", y, x, h, w)
        members = [r for r in files if r.startswith(fragment + "/")]
        conversions.append(Conversion("surface_volume", fragment, members, outputs, band=surface_band(slices)))
    if conversions:
        note = (f"{len(conversions)} surface-volume fragments -> tiles of {tile} px, {tile // 8} shared, their channels "
                "slices a third, half and two thirds up each stack" + (
                    "; inklabels.png -> mask tiles" if any(v[1] == "mask" for c in conversions
                                                           for v in c.outputs.values()) else ""))
        conversions.append(Conversion("tiles_manifest", "", [], {TILES_MANIFEST: (None, "manifest")}, note))
    return conversions


def is_nifti_volume(rel):
    low = rel.lower()
    return low.endswith(NIFTI_SUFFIXES) and not any(w in low.rpartition("/")[0] for w in NIFTI_LABEL_WORDS)


def _nifti_volumes(files):
    """NIfTI volumes outside mask folders: one array of the same stem each, resampled like a DICOM series."""
    found = sorted(r for r in files if is_nifti_volume(r))
    by_folder = defaultdict(list)
    for rel in found:
        by_folder[rel.rpartition("/")[0]].append(rel)
    conversions = []
    for folder, members in sorted(by_folder.items()):
        note = f"{folder or 'the root'}/: {len(members)} NIfTI volumes -> one array each (volume_depth slices of volume_size px)"
        for rel in members:
            stem = rel[: -len(".nii.gz")] if rel.lower().endswith(".nii.gz") else rel[: -len(".nii")]
            conversions.append(Conversion("volume", rel, [rel], {f"{stem}.npy": (rel, [[rel]])}, note))
            note = ""
    return conversions


def is_bson_records(rel):
    return rel.lower().endswith(".bson") and "example" not in rel.lower().rpartition("/")[2]


def read_bson_records(path, limit=0):
    """The records of a BSON file, one at a time (pymongo's bson module), at most `limit` (0: all)."""
    try:
        from bson import decode_file_iter
    except ImportError:
        raise ImportError(f"{path} holds BSON records and pymongo, which reads them, is not installed: pip install "
                          "pymongo (Kaggle's image has it)") from None
    with open(path, "rb") as f:
        for n, record in enumerate(decode_file_iter(f)):
            if limit and n >= limit:
                return
            yield record


def bson_table(records, base):
    """The rows (image, _id, category_id when present) of BSON product records, an image per picture:
    '<_id>-<n>' names `<base>/<_id>-<n>.jpg`."""
    rows = []
    for record in records:
        for n, _ in enumerate(record.get("imgs", [])):
            rows.append([f"{record['_id']}-{n}", str(record["_id"])]
                        + ([str(record["category_id"])] if "category_id" in record else []))
    return rows


def bson_csv(rows, labelled):
    """The CSV text of a BSON file's table (bson_table's rows), with its header."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows([["image", "_id"] + (["category_id"] if labelled else []), *rows])
    return out.getvalue()


def bson_table_csv(path, base, limit=0):
    """The table a BSON file's conversion writes, as CSV bytes (discovery reads it from the first records)."""
    records = list(read_bson_records(path, limit))
    return bson_csv(bson_table(records, base), bool(records) and "category_id" in records[0]).encode()


def _bson_records(files, source):
    """BSON files of product records: their images and a table; discovery sees the first BSON_PROBE records."""
    conversions = []
    for rel in sorted(r for r in files if is_bson_records(r)):
        base = rel[: -len(".bson")]
        probe = list(read_bson_records(source.path(rel), BSON_PROBE))
        outputs = {f"{base}/{row[0]}.jpg": (rel, row[0]) for row in bson_table(probe, base)}
        outputs[f"{base}.csv"] = (rel, None)
        note = (f"{rel}: BSON product records -> {base}/<_id>-<n>.jpg (the JPEG bytes as they are) and {base}.csv "
                f"(image, _id{', category_id' if probe and 'category_id' in probe[0] else ''}); discovery read its "
                f"first {len(probe)} records" + (", the notebook reads at most bson_max_records products of a "
                                                 "labelled file" if probe and "category_id" in probe[0] else ""))
        conversions.append(Conversion("bson_records", rel, [rel], outputs, note))
    examples = sorted(r for r in files if r.lower().endswith(".bson") and not is_bson_records(r))
    if conversions and examples:  # said, not silently skipped
        conversions[0].note += f"; {', '.join(examples)} left as it is: named like an example of the data"
    return conversions


SIGNAL_KEYS = ("eeg_id", "spectrogram_id")  # the columns that pair a recording's EEG with its spectrogram


def _paired_signals(files, source):
    """One image per recording from its EEG and its spectrogram (HMS), for each split whose table pairs them."""
    conversions = []
    for table in sorted(r for r in files if r.lower().endswith(".csv") and "/" not in r):
        split = table[: -len(".csv")]
        eegs, spectrograms = f"{split}_eegs", f"{split}_spectrograms"
        if not any(r.startswith(eegs + "/") for r in files) or not any(r.startswith(spectrograms + "/") for r in files):
            continue
        header, rows = source.read_csv(table)
        if not all(k in header for k in SIGNAL_KEYS):
            continue
        eeg_at, spectrogram_at = header.index(SIGNAL_KEYS[0]), header.index(SIGNAL_KEYS[1])
        pairs = defaultdict(set)
        for row in rows:
            pairs[row[eeg_at]].add(row[spectrogram_at])  # a recording's label rows share one spectrogram
        twice = sorted(e for e, s in pairs.items() if len(s) > 1)
        if twice:  # which one to read would be a guess
            raise ValueError(f"{table}: eeg_id {twice[0]} pairs with the spectrograms {sorted(pairs[twice[0]])} "
                             f"({len(twice)} recordings so); a recording has one spectrogram: fix {table}")
        found = [(e, s) for e, (s,) in pairs.items() if f"{spectrograms}/{s}.parquet" in files]
        without = sum(f"{eegs}/{e}.parquet" not in files for e, _ in found)
        note = (f"{split}: {len(found)} recordings ({table}: eeg_id -> spectrogram_id) -> {split}_signals/<eeg_id>.png, "
                "the spectrogram above the EEG's four bipolar chains"
                + (f"; {without} without an EEG file: zeros in its place" if without else ""))
        for eeg, spectrogram in found:
            eeg_file = f"{eegs}/{eeg}.parquet"
            inputs = [f"{spectrograms}/{spectrogram}.parquet", *([eeg_file] if eeg_file in files else [])]
            # The table is the source: it pairs the files (explain_files says so); the files are the output's inputs.
            conversions.append(Conversion("signals", table, [], {f"{split}_signals/{eeg}.png": tuple(inputs)}, note))
            note = ""
        if found:  # every parquet file of both folders is replaced: the recordings' images stand in for them
            conversions[-1].replaced = [r for r in files if r.startswith((eegs + "/", spectrograms + "/"))]
    return conversions


def _is_spectrogram(rel):
    folder, _, name = rel.lower().rpartition("/")
    return name.endswith(".parquet") and SPECTROGRAM_WORD in folder


def _spectrograms(files):
    """Parquet spectrograms in folders named like spectrograms: one PNG each, of the same stem."""
    by_folder = defaultdict(list)
    for rel in files:
        if _is_spectrogram(rel):
            by_folder[rel.rpartition("/")[0]].append(rel)
    conversions = []
    for folder, members in sorted(by_folder.items()):
        note = (f"{folder}/: {len(members)} parquet spectrograms -> PNGs (log power, a band of rows per region, "
                "time across)")
        for rel in sorted(members):
            conversions.append(Conversion("spectrogram", rel, [rel], {rel[: -len(".parquet")] + ".png": (rel, "image")},
                                          note))
            note = ""  # one note per folder
    return conversions


def tiling(tile_size=0):
    """(tile, overlap, above): TIFFs with a side over `above` pixels become tiles of `tile`, `overlap` shared.

    tile_size 0: tiles of 1024 for TIFFs over 8192 a side; N: tiles of N for TIFFs over 2N a side.
    """
    tile = int(tile_size) or AUTO_TILE
    return tile, tile // 8, 2 * tile if tile_size else AUTO_TILE_ABOVE


def tile_starts(length, tile, overlap):
    """Starts of tiles of `tile` pixels covering [0, length), `overlap` pixels shared, the last one flush with the end."""
    if length <= tile:
        return [0]
    starts = list(range(0, length - tile + 1, tile - overlap))
    return starts if starts[-1] + tile >= length else [*starts, length - tile]


def tile_grid(height, width, tile, overlap):
    """[(y, x, h, w)] of every tile, column of tiles by column of tiles (the order strips are stitched in)."""
    return [(y, x, min(tile, height - y), min(tile, width - x))
            for x in tile_starts(width, tile, overlap) for y in tile_starts(height, tile, overlap)]


def _tiled_tiffs(files, source, tile_size, train_csv=""):
    """Gigapixel TIFFs (HuBMAP): one PNG per tile and, from the RLE table that names them, one mask PNG per tile.

    The table (train_csv, else the one top-level table with an RLE column naming these images) is
    replaced by the mask tiles and a tiles.json manifest of where each tile sits.
    """
    tile, overlap, above = tiling(tile_size)
    big = {}
    for rel in sorted(r for r in files if r.lower().endswith(TIFF_SUFFIXES)):
        size = source.tiff_size(rel)
        if size and max(size) > above:
            big[rel] = size
    if not big:
        return []
    stems = {r.rpartition("/")[2].rpartition(".")[0] for r in big}
    if train_csv and train_csv != "none" and train_csv not in files:
        raise FileNotFoundError(f"train_csv={train_csv!r} is not in the input; fix train_csv")
    candidates = [] if train_csv == "none" else [train_csv] if train_csv else sorted(
        r for r in files if r.lower().endswith(".csv") and "/" not in r and "sample" not in r.lower())
    tables = {}
    for rel in candidates:
        header, rows = source.read_csv(rel)
        column = next((i for i, c in enumerate(header) if c.lower() in TABLE_RLE_NAMES), None)
        if column is not None and any(r and r[0] in stems for r in rows):
            tables[rel] = {r[0]: r[column] for r in rows if r and r[0] in stems}
    if len(tables) > 1:
        raise ValueError(f"several tables hold RLE masks of the tiled images: {', '.join(tables)}. Discovery will not "
                         "guess; set train_csv to the right one")
    table, rles = next(iter(tables.items()), (None, {}))
    conversions = []
    for rel, (height, width) in big.items():
        folder, _, name = rel.rpartition("/")
        stem = name.rpartition(".")[0]
        prefix, masks = (f"{folder}/", f"{folder}_masks/") if folder else ("", "masks/")
        outputs = {}
        for y, x, h, w in tile_grid(height, width, tile, overlap):
            outputs[f"{prefix}{stem}_{y}_{x}.png"] = (rel, "image", y, x, h, w)
            if stem in rles:
                outputs[f"{masks}{stem}_{y}_{x}.png"] = (rel, "mask", y, x, h, w)
        conversions.append(Conversion("tiled_tiff", rel, [rel], outputs, rle=rles.get(stem)))
    note = (f"{len(big)} TIFFs over {above} px a side -> tiles of {tile} px, {overlap} shared (tile_size)"
            + (f"; {table}'s column-major RLE -> mask tiles" if table else ""))
    manifest = Conversion("tiles_manifest", table or "", [table] if table else [], {TILES_MANIFEST: (None, "manifest")},
                          note)
    return [*conversions, manifest]
