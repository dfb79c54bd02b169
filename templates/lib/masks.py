"""Read segmentation annotations: RLE tables (per image, per image x class, per instance) or mask files."""

from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from PIL import Image

from lib.rle import RleError, check_runs, parse_runs, rle_decode

MASK_SUFFIXES = (".png", ".gif", ".bmp", ".tif", ".tiff", ".jpg")
RLE_COLUMN_NAMES = ("encodedpixels", "encoded_pixels", "rle", "rle_mask", "mask", "segmentation", "annotation", "predicted")
CLASS_COLUMN_NAMES = ("classid", "class_id", "class", "category_id", "label")


@dataclass
class MaskTable:
    """Training masks: one entry per image, encoded as RLE rows or as a mask file.

    problem: binary (one mask), multilabel (one possibly overlapping mask per class) or
    multiclass (one class per pixel, from mask files with class-id pixel values).
    rles: image id -> [(class index, RLE string)], several per class for instance rows.
    """

    ids: list
    classes: list
    problem: str
    layout: str
    rles: dict = field(default_factory=dict)
    mask_files: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)


def keep_images(table, ids):
    """The table restricted to `ids`, in their order (unreadable images dropped)."""
    kept = set(ids)
    return replace(table, ids=list(ids), rles={i: r for i, r in table.rles.items() if i in kept},
                   mask_files={i: f for i, f in table.mask_files.items() if i in kept})


def class_presence(table):
    """(N, K + 1) 0/1 matrix: column 0 marks images without any mask, column k + 1 images with class k.

    For mask files this reads every file once.
    """
    presence = np.zeros((len(table.ids), len(table.classes) + 1), dtype=np.uint8)
    for row, image_id in enumerate(table.ids):
        if table.layout == "files":
            array = read_mask_file(table.mask_files[image_id])
            if table.problem == "binary":
                present = [0] if array.any() else []
            else:
                present = [k for k, c in enumerate(table.classes) if (array == int(c)).any()]
        else:
            present = sorted({k for k, _ in table.rles[image_id]})
        presence[row, [k + 1 for k in present] or [0]] = 1
    return presence


def find_column(columns, wanted, names, parameter, purpose):
    """Return `wanted` if set (checked), else the first column whose lower-cased name is in `names`, else None."""
    if wanted:
        if wanted not in columns:
            raise KeyError(f"{parameter}={wanted!r} is not a column; found {list(columns)}. Set {parameter} to the {purpose} column")
        return wanted
    lowered = {str(c).lower(): c for c in columns}
    return next((lowered[n] for n in names if n in lowered), None)


def split_combined_id(values):
    """Split 'image.jpg_3' ids (one row per image x class in one column) into (image, class), or None."""
    parts = [str(v).rsplit("_", 1) for v in values]
    if parts and all(len(p) == 2 and p[1].isdigit() for p in parts):
        return [p[0] for p in parts], [p[1] for p in parts]
    return None


def declared_classes(text):
    """Classes from the comma-separated `classes` parameter, as strings; [] when empty."""
    return [c.strip() for c in text.split(",") if c.strip()]


def class_sort_key(name):
    return (0, int(name), "") if str(name).lstrip("-").isdigit() else (1, 0, str(name))


def read_rle_table(table, sample, image_ids, id_col="", rle_col="", class_col="", classes=""):
    """Build a MaskTable from a table of RLE rows.

    image_ids: every training image found on disk; those without a row are kept as empty
    (negative) images, with the count in `notes`.
    """
    columns = list(table.columns)
    id_col = find_column(columns, id_col, (), "id_col", "image id") or columns[0]
    rle_col = find_column(columns, rle_col, RLE_COLUMN_NAMES, "rle_col", "RLE")
    if rle_col is None:
        raise KeyError(f"no RLE column in the training table; found {columns}. Set rle_col (e.g. 'EncodedPixels')")
    class_col = find_column(columns, class_col, CLASS_COLUMN_NAMES, "class_col", "class id")
    ids = table[id_col].astype(str).tolist()
    if class_col is not None:
        row_classes = table[class_col].astype(str).tolist()
    else:
        combined = split_combined_id(ids) if "class" in str(id_col).lower() else None
        ids, row_classes = combined if combined else (ids, None)

    declared = declared_classes(classes)
    if row_classes is None:
        class_names, problem = declared or ["1"], "binary"
    else:
        seen = set(row_classes) | set(sample_classes(sample))
        class_names = declared or sorted(seen, key=class_sort_key)
        problem = "binary" if len(class_names) == 1 else "multilabel"
    index = {name: k for k, name in enumerate(class_names)}

    rles, per_image_rows = {}, {}
    for row, (image_id, text) in enumerate(zip(ids, table[rle_col].tolist(), strict=True)):
        klass = row_classes[row] if row_classes is not None else class_names[0]
        if klass not in index:
            raise ValueError(
                f"training table row {row + 2} ({image_id}): class {klass!r} is not one of the declared classes "
                f"{class_names}; fix the classes parameter or the row"
            )
        rles.setdefault(image_id, [])
        per_image_rows[image_id] = per_image_rows.get(image_id, 0) + 1
        if isinstance(text, str) and text.strip() and text.strip() != "-":
            rles[image_id].append((index[klass], text))
    if row_classes is not None:
        layout = "per_class_rows"
    elif max(per_image_rows.values(), default=1) > 1:
        layout = "instances"  # several rows per image without a class: instances, merged into one mask
    else:
        layout = "per_image"
    notes = []
    unlisted = [i for i in image_ids if i not in rles]
    if unlisted:
        notes.append(f"{len(unlisted)} training images have no row in the table: kept as empty masks (negatives)")
    for image_id in unlisted:
        rles[image_id] = []
    listed = [i for i in rles if i not in set(image_ids)]
    if listed:
        raise FileNotFoundError(
            f"{len(listed)} ids in the training table have no image (first: {listed[:3]}); "
            "check train_image_dir and image_ext"
        )
    return MaskTable(ids=list(image_ids), classes=class_names, problem=problem, layout=layout, rles=rles, notes=notes)


def sample_classes(sample):
    """Class ids named by the sample submission (a class column, or 'image_class' ids)."""
    if sample is None:
        return []
    class_col = find_column(list(sample.columns), "", CLASS_COLUMN_NAMES, "class_col", "class")
    if class_col is not None:
        return sample[class_col].astype(str).unique().tolist()
    if "class" in str(sample.columns[0]).lower():
        combined = split_combined_id(sample.iloc[:, 0].astype(str))
        return sorted(set(combined[1])) if combined else []
    return []


def index_masks(folder):
    """Map mask files by stem, and by stem without a trailing '_mask' (Carvana names masks 'id_mask.gif')."""
    index = {}
    for path in sorted(Path(folder).rglob("*")):
        if path.suffix.lower() in MASK_SUFFIXES:
            index.setdefault(path.stem, path)
            if path.stem.endswith("_mask"):
                index.setdefault(path.stem[: -len("_mask")], path)
    return index


def read_mask_file(path):
    """Return a mask file as a 2-D uint8 array of pixel values (palette indices for GIF/palette PNG)."""
    with Image.open(path) as image:
        array = np.array(image if image.mode in ("L", "P", "1", "I;16", "I") else image.convert("L"))
    return array.astype(np.uint8) if array.dtype == bool else array


def read_mask_files(image_ids, folder, classes="", probe=200):
    """Build a MaskTable from mask files: {0, v} values make a binary mask, more values make classes."""
    index = index_masks(folder)
    missing = [i for i in image_ids if Path(i).stem not in index]
    if missing:
        raise FileNotFoundError(
            f"{len(missing)} of {len(image_ids)} training images have no mask file in {folder} "
            f"(first: {missing[:3]}); set mask_dir, or remove those images"
        )
    files = {i: index[Path(i).stem] for i in image_ids}
    declared = declared_classes(classes)
    values = set()
    for image_id in list(image_ids)[:probe]:
        values |= set(np.unique(read_mask_file(files[image_id])).tolist())
    values.discard(0)
    if declared:
        class_names = declared
    elif len(values) <= 1:
        class_names = ["1"]
    else:
        class_names = [str(v) for v in sorted(values)]
    problem = "binary" if len(class_names) == 1 else "multiclass"
    notes = [f"mask values seen in the first {min(probe, len(image_ids))} files: {sorted(values | {0})}"]
    return MaskTable(ids=list(image_ids), classes=class_names, problem=problem, layout="files", mask_files=files, notes=notes)


def class_masks_from_file(array, classes, problem, name):
    """(H, W) pixel values -> (H, W, K) 0/1 masks, one per class; raise naming the file for unknown values."""
    if problem == "binary":
        return (array != 0).astype(np.uint8)[..., None]
    values = [int(c) for c in classes]
    unknown = sorted(set(np.unique(array).tolist()) - {0, *values})
    if unknown:
        raise ValueError(f"mask {name} has pixel values {unknown} outside the declared classes {classes}; fix the classes parameter")
    return np.stack([array == v for v in values], axis=-1).astype(np.uint8)


def check_table_rles(table, shapes):
    """Decode-check every RLE of a MaskTable against its image size; raise naming the image and class."""
    for image_id, entries in table.rles.items():
        height, width = shapes[image_id]
        for k, text in entries:
            try:
                check_runs(*parse_runs(text), height * width)
            except RleError as err:
                raise RleError(f"image {image_id}, class {table.classes[k]}: {err}") from None


def read_class_masks(table, image_id, shape, order):
    """Return the (H, W, K) uint8 0/1 masks of one training image, from its RLE rows or mask file."""
    if table.layout == "files":
        array = read_mask_file(table.mask_files[image_id])
        if array.shape[:2] != tuple(shape[:2]):
            raise ValueError(f"mask {table.mask_files[image_id].name} is {array.shape[:2]} but its image is {tuple(shape[:2])}")
        return class_masks_from_file(array, table.classes, table.problem, table.mask_files[image_id].name)
    masks = np.zeros((shape[0], shape[1], len(table.classes)), dtype=np.uint8)
    for k, text in table.rles[image_id]:
        try:
            masks[..., k] |= rle_decode(text, shape, order)
        except RleError as err:
            raise RleError(f"image {image_id}, class {table.classes[k]}: {err}") from None
    return masks
