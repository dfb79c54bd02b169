"""Read segmentation masks as the discovery plan says: an RLE table (per image, per image x class, per instance),
or mask files (binary, class-id values, or colours from a class table), with void pixels marked VOID.

The plan names every column, folder, suffix, class and value; these readers check the data against it and
stop naming the file and the parameter where it does not fit.
"""

from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from PIL import Image

from lib.needs import need
from lib.paths import file_key, index_files
from lib.rle import RleError, check_runs, parse_runs, rle_decode

MASK_SUFFIXES = (".png", ".gif", ".bmp", ".tif", ".tiff", ".jpg", ".jpeg", ".webp")
VOID = 255  # a mask pixel the loss and the metric leave out (a void / unlabelled class)


@dataclass
class MaskTable:
    """Training masks: one entry per image, encoded as RLE rows or as a mask file.

    problem: binary (one mask), multilabel (one possibly overlapping mask per class) or
    multiclass (one class per pixel, from mask files with class-id values or colours).
    rles: image id -> [(class index, RLE string)], several per class for instance rows.
    values: for mask files, the pixel value (or colour) of each class; None: binary, any value above 0.
    void: pixel values (or colours) left out of the loss and the metric.
    presence: (N, K + 1) 0/1 rows of class_presence, filled when reading the files already opened each one.
    """

    ids: list
    classes: list
    problem: str
    layout: str
    rles: dict = field(default_factory=dict)
    mask_files: dict = field(default_factory=dict)
    polygons: dict = field(default_factory=dict)  # image id -> [(class index, [(x, y), ...])] of LabelMe polygons
    notes: list = field(default_factory=list)
    values: list | None = None
    void: list = field(default_factory=list)
    background: list = field(default_factory=list)  # class table values predicted as background
    colour: bool = False
    cut: int = 1  # binary masks: the lowest value inside the mask
    presence: np.ndarray | None = None


def keep_images(table, ids):
    """The table restricted to `ids`, in their order (unreadable images dropped)."""
    kept = set(ids)
    rows = [table.ids.index(i) for i in ids] if table.presence is not None else None
    return replace(table, ids=list(ids), rles={i: r for i, r in table.rles.items() if i in kept},
                   mask_files={i: f for i, f in table.mask_files.items() if i in kept},
                   polygons={i: p for i, p in table.polygons.items() if i in kept},
                   presence=None if rows is None else table.presence[rows])


def class_presence(table):
    """(N, K + 1) 0/1 matrix: column 0 marks images without any mask, column k + 1 images with class k."""
    if table.presence is not None:
        return table.presence
    presence = np.zeros((len(table.ids), len(table.classes) + 1), dtype=np.uint8)
    for row, image_id in enumerate(table.ids):
        if table.layout == "files":
            masks = need("masks.file_class_masks", "masks as image files")(table, image_id)
            present = [k for k in range(masks.shape[-1]) if (masks[..., k] == 1).any()]
        else:
            present = sorted({k for k, _ in (table.polygons if table.layout == "polygons" else table.rles)[image_id]})
        presence[row, [k + 1 for k in present] or [0]] = 1
    return presence


def read_masks(plan, data_dir):
    """(MaskTable, {image id: path}) of the training images, from the plan's RLE table, polygons or mask files."""
    import pandas as pd

    data_dir = Path(data_dir)
    # Polygons, RLE tables and mask files by name: a notebook carries the reader its plan uses.
    if plan.get("mask_encoding") == "polygons":
        return need("masks.read_polygons", "LabelMe polygons")(plan, data_dir)
    if plan.get("train_csv"):
        table = pd.read_csv(data_dir / plan["train_csv"], dtype=str, keep_default_na=False)
        images = index_files(data_dir / plan["train_image_dir"], plan.get("id_template") or plan["id_key"])
        return need("masks.read_rle_table", plan["train_csv"])(table, plan, images), images
    return need("masks.read_mask_files", "masks as image files")(plan, data_dir)


def read_rle_table(table, plan, images):
    """MaskTable from the RLE rows the plan describes; training images without a row are kept as negatives."""
    ids = table[plan["id_col"]].astype(str).tolist()
    if plan.get("class_col"):
        row_classes = table[plan["class_col"]].astype(str).tolist()
    elif plan.get("combined_ids"):
        ids, row_classes = (list(p) for p in zip(*(i.rsplit("_", 1) for i in ids), strict=True)) if ids else ([], [])
    else:
        row_classes = None
    classes = list(plan["classes"])
    index = {name: k for k, name in enumerate(classes)}
    rles = {}
    for row, (image_id, text) in enumerate(zip(ids, table[plan["rle_col"]].tolist(), strict=True)):
        klass = row_classes[row] if row_classes is not None else classes[0]
        if klass not in index:
            raise ValueError(f"training table row {row + 2} ({image_id}): class {klass!r} is not one of the classes "
                             f"{classes}; fix the classes parameter or the row")
        rles.setdefault(image_id, [])
        if isinstance(text, str) and text.strip() and text.strip() != "-":
            rles[image_id].append((index[klass], text))
    notes = []
    unlisted = [i for i in images if i not in rles]
    if unlisted:
        notes.append(f"{len(unlisted)} training images have no row in the table: kept as empty masks (negatives)")
    for image_id in unlisted:
        rles[image_id] = []
    listed = [i for i in rles if i not in images]
    if listed:
        raise FileNotFoundError(f"{len(listed)} ids in the training table have no image (first: {listed[:3]}); "
                                "check train_image_dir")
    layout = plan["table_layout"]
    problem = "binary" if len(classes) == 1 else "multilabel"
    return MaskTable(ids=list(images), classes=classes, problem=problem, layout=layout, rles=rles, notes=notes)


def mask_key(rel, kind, suffix):
    """The image id a mask file at `rel` (below its mask folder) belongs to: its key without the mask suffix."""
    folder, _, name = rel.rpartition("/")
    stem, dot, ext = name.rpartition(".")
    if suffix and not stem.endswith(suffix):
        return None
    base = f"{stem[: len(stem) - len(suffix)]}{dot}{ext}"
    return file_key(f"{folder}/{base}" if folder else base, kind)


def _pairs(plan, data_dir):
    """{image id: (image path, mask path)} for the training folder and every merged labelled split."""
    kind, suffix = plan["id_key"], plan.get("mask_suffix", "")
    splits = [(plan["train_image_dir"], plan["mask_dir"]), *plan.get("extra_train", [])]
    pairs, missing = {}, []
    for image_rel, mask_rel in splits:
        image_dir, mask_dir = data_dir / image_rel, data_dir / mask_rel
        masks = {}
        for path in sorted(p for p in mask_dir.rglob("*") if p.suffix.lower() in MASK_SUFFIXES):
            key = mask_key(path.relative_to(mask_dir).as_posix(), kind, suffix)
            if key is not None:
                masks.setdefault(key, path)
        inside = mask_dir != image_dir and mask_dir.is_relative_to(image_dir)

        def is_mask(rel, inside=inside, mask_rel=mask_rel, image_rel=image_rel, beside=mask_dir == image_dir):
            if inside:
                return f"{image_rel}/{rel}".strip("/").startswith(mask_rel.strip("/") + "/")
            return bool(suffix) and beside and rel.rpartition(".")[0].endswith(suffix)

        prefix = "" if image_rel == plan["train_image_dir"] else f"{image_rel}/"
        for key, path in index_files(image_dir, kind, skip=is_mask).items():
            if key in masks:
                pairs[prefix + key] = (path, masks[key])
            elif plan.get("unmasked_images") == "empty":  # read as an empty mask (file_class_masks)
                pairs[prefix + key] = (path, None)
            elif not plan.get("unmasked_images"):  # "skip": not annotated, as the plan says
                missing.append(path.relative_to(data_dir).as_posix())
    if missing:
        raise FileNotFoundError(f"{len(missing)} training images have no mask in {plan['mask_dir']}/ (first: {missing[:3]}); "
                                "set mask_dir, or train_image_dir to a folder whose images all have masks")
    return pairs


def read_mask_files(plan, data_dir):
    """(MaskTable, {image id: path}) from mask files, each opened once: its values checked and its classes noted."""
    data_dir = Path(data_dir)
    pairs = _pairs(plan, data_dir)
    encoding, colour = plan["mask_encoding"], plan["mask_encoding"] == "colours"
    void = [tuple(v) if colour else v for v in plan.get("void", {}).values()]
    background = [tuple(v) if colour else v for v in plan.get("background", {}).values()]
    classes = plan["classes"]
    if classes == "values":  # no class table: every value above 0 the masks hold is a class
        seen = set()
        for _, path in pairs.values():
            seen |= set(np.unique(read_mask_file(path)).tolist()) if path else set()
        classes = [str(v) for v in sorted(seen - {0, *void})]
    values = None if encoding == "binary" else [tuple(v) if colour else int(v) for v in
                                                 (plan.get("class_values") or {c: c for c in classes}).values()]
    problem = "binary" if encoding == "binary" else "multiclass"
    table = MaskTable(ids=list(pairs), classes=list(classes), problem=problem, layout="files",
                      mask_files={i: m for i, (_, m) in pairs.items()}, values=values, void=void, background=background,
                      colour=colour, cut=plan.get("mask_cut", 1))
    presence = np.zeros((len(table.ids), len(classes) + 1), dtype=np.uint8)
    for row, image_id in enumerate(table.ids):
        path = table.mask_files[image_id]
        present = []  # an image without a mask file (unmasked_images='empty') holds no class
        if path is not None:
            masks = class_masks_from_file(read_mask_file(path, colour), table, path.name)
            present = [k for k in range(masks.shape[-1]) if (masks[..., k] == 1).any()]
        presence[row, [k + 1 for k in present] or [0]] = 1
    table.presence = presence
    empty = sum(m is None for m in table.mask_files.values())
    table.notes.append(f"{len(table.ids) - empty} masks read once" + (f", {empty} images without one as empty masks"
                                                                      if empty else "") + f": classes {table.classes}"
                       + (f", void {plan['void']} left out of the loss and the metric" if void else ""))
    return table, {i: p for i, (p, _) in pairs.items()}


def read_polygons(plan, data_dir):
    """(MaskTable, {image id: path}) from LabelMe JSON: each image's polygons, drawn per class when it is read."""
    import json

    images = index_files(data_dir / plan["train_image_dir"], plan["id_key"])
    classes = list(plan["classes"])
    index = {c: k for k, c in enumerate(classes)}
    polygons, skipped = {}, 0
    for path in sorted((data_dir / plan["label_dir"]).rglob("*.json")):
        if path.stem not in images:
            raise FileNotFoundError(f"{path.name} names no image below {plan['train_image_dir']}/; set train_image_dir")
        shapes = json.loads(path.read_text())["shapes"]
        polygons[path.stem] = [(index[s["label"]], [tuple(p) for p in s["points"]]) for s in shapes if s["label"] in index]
        skipped += sum(s["label"] not in index for s in shapes)
    notes = [f"{len(polygons)} images with LabelMe polygons of {classes}; {len(images) - len(polygons)} images without a "
             "file are not annotated and left out"]
    if skipped:
        notes.append(f"{skipped} polygons of labels outside {classes} left out")
    problem = "binary" if len(classes) == 1 else "multilabel"
    table = MaskTable(ids=sorted(polygons), classes=classes, problem=problem, layout="polygons", polygons=polygons,
                      notes=notes)
    return table, {i: images[i] for i in table.ids}


def draw_polygons(entries, shape, n_classes):
    """(H, W, K) 0/1 masks with each (class, [(x, y), ...]) polygon filled in its class's channel."""
    from PIL import ImageDraw

    masks = np.zeros((shape[0], shape[1], n_classes), dtype=np.uint8)
    for k in range(n_classes):
        canvas = Image.new("L", (shape[1], shape[0]), 0)
        draw = ImageDraw.Draw(canvas)
        for klass, points in entries:
            if klass == k and len(points) >= 3:
                draw.polygon(points, fill=1)
        masks[..., k] = np.asarray(canvas)
    return masks


def read_mask_file(path, colour=False):
    """A mask file as (H, W) pixel values (palette indices for GIF/palette PNG), or (H, W, 3) colours."""
    with Image.open(path) as image:
        if colour:
            return np.array(image.convert("RGB"))
        array = np.array(image if image.mode in ("L", "P", "1", "I;16", "I") else image.convert("L"))
    return array.astype(np.uint8) if array.dtype == bool else array


def class_masks_from_file(array, table, name):
    """(H, W) values or (H, W, 3) colours -> (H, W, K) masks: 1 for the class, 0 elsewhere, VOID where void.

    A value (or colour) that is neither a class, background nor void stops, naming the file.
    """
    if table.colour:
        codes = (array[..., 0].astype(np.int64) << 16) | (array[..., 1].astype(np.int64) << 8) | array[..., 2]

        def code(v):
            return (v[0] << 16) | (v[1] << 8) | v[2]
    else:
        codes = array.astype(np.int64)

        def code(v):
            return int(v)
    void = np.isin(codes, [code(v) for v in table.void]) if table.void else np.zeros(codes.shape, bool)
    if table.values is None:  # binary: any value above 0 (from 128 for JPEG masks, whose values blur)
        masks = ((codes >= table.cut) & ~void)[..., None].astype(np.uint8)
    else:
        wanted = [code(v) for v in table.values]
        known = set(wanted) | {code(v) for v in (*table.void, *table.background)} | ({0} if not table.colour else set())
        unknown = sorted(set(np.unique(codes).tolist()) - known)
        if unknown:
            shown = [(c >> 16, (c >> 8) & 255, c & 255) for c in unknown[:6]] if table.colour else unknown[:6]
            raise ValueError(f"mask {name} has {'colours' if table.colour else 'pixel values'} {shown} outside the "
                             f"classes {table.classes}; fix the classes parameter or class_table")
        masks = np.stack([codes == c for c in wanted], axis=-1).astype(np.uint8)
    masks[void] = VOID
    return masks


def file_class_masks(table, image_id, shape=None):
    """(H, W, K) masks of one image from its mask file; `shape`, when given, is its image's, which the mask must match."""
    path = table.mask_files[image_id]
    if path is None:  # an image without a mask file, trained as empty (unmasked_images='empty')
        if shape is None:
            raise ValueError(f"image {image_id} has no mask file: its image's shape is needed for an empty mask")
        return np.zeros((shape[0], shape[1], len(table.classes)), dtype=np.uint8)
    array = read_mask_file(path, table.colour)
    if shape is not None and array.shape[:2] != tuple(shape[:2]):
        raise ValueError(f"mask {path.name} is {array.shape[:2]} but its image is {tuple(shape[:2])}")
    return class_masks_from_file(array, table, path.name)


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
    """Return the (H, W, K) uint8 masks of one training image (0/1, VOID where void), from its RLE rows or mask file."""
    if table.layout == "polygons":
        return need("masks.draw_polygons", "LabelMe polygons")(table.polygons[image_id], shape, len(table.classes))
    if table.layout == "files":
        return need("masks.file_class_masks", "masks as image files")(table, image_id, shape)
    masks = np.zeros((shape[0], shape[1], len(table.classes)), dtype=np.uint8)
    for k, text in table.rles[image_id]:
        try:
            masks[..., k] |= rle_decode(text, shape, order)
        except RleError as err:
            raise RleError(f"image {image_id}, class {table.classes[k]}: {err}") from None
    return masks
