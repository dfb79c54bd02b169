"""Read detection annotations into one table: a row per box, [x0, y0, x1, y1] pixels, class index.

Layouts: CSV with a '[x, y, w, h]' bbox string (Global Wheat), CSV with x_min..y_max and a class
(VinBigData, rows of a 'no object' class keep the image as a negative), one row per image with
packed 'label x y w h ...' strings (Kuzushiji), COCO JSON, and YOLO txt folders with data.yaml.
Images without boxes stay in as negatives.
"""

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from lib.boxes import clean_boxes, xywh_to_xyxy, yolo_to_xyxy

BOX_COLUMNS = ["image_id", "class_index", "x0", "y0", "x1", "y1"]
XYXY_NAMES = (("x_min", "y_min", "x_max", "y_max"), ("xmin", "ymin", "xmax", "ymax"), ("x0", "y0", "x1", "y1"))


@dataclass
class BoxTable:
    """Every training image (id -> path) and every box, with the class names in index order."""

    images: dict
    boxes: pd.DataFrame
    classes: list
    layout: str
    notes: list = field(default_factory=list)

    @cached_property
    def by_image(self):
        """image id -> (boxes (N, 4), class indices (N,)), images with boxes only; built once."""
        return {
            k: (g[["x0", "y0", "x1", "y1"]].to_numpy(float), g["class_index"].to_numpy(int))
            for k, g in self.boxes.groupby("image_id", sort=False)
        }

    def truth(self, image_ids):
        """image id -> (boxes (N, 4), class indices (N,)) for metrics; empty arrays for negatives."""
        empty = (np.zeros((0, 4)), np.zeros(0, dtype=int))
        return {i: self.by_image.get(i, empty) for i in image_ids}


def unexpected_columns(columns, wanted, parameter):
    raise KeyError(f"annotation table has columns {list(columns)}; expected {wanted}. Set {parameter}")


def read_bbox_string_csv(table, id_col="", bbox_col=""):
    """Global Wheat style: one row per box, bbox '[x, y, w, h]'. Returns (ids, xyxy boxes, class names)."""
    id_col = id_col or "image_id"
    bbox_col = bbox_col or "bbox"
    if id_col not in table or bbox_col not in table:
        unexpected_columns(table.columns, f"'{id_col}' and '{bbox_col}' ('[x, y, w, h]')", "id_col and bbox_col")
    values = [json.loads(v) if isinstance(v, str) else [np.nan] * 4 for v in table[bbox_col]]
    boxes = xywh_to_xyxy(np.array(values, dtype=np.float64).reshape(-1, 4))
    labels = np.where(np.isnan(boxes).any(axis=1), "", "object")  # one class; rows without a bbox: negatives
    return table[id_col].astype(str).to_numpy(), boxes, labels.astype(object)


def read_xyxy_csv(table, id_col="", class_col="", no_object=""):
    """VinBigData style: one row per box with x_min, y_min, x_max, y_max and a class column.

    Rows whose class is `no_object`, or whose coordinates are blank, mark an image without boxes.
    """
    id_col = id_col or "image_id"
    names = next((n for n in XYXY_NAMES if set(n) <= set(table.columns)), None)
    if id_col not in table or names is None:
        unexpected_columns(table.columns, f"'{id_col}' and x_min, y_min, x_max, y_max", "id_col, or annotation_format")
    # A numeric class id column first: submissions name classes by the competition's ids.
    class_col = class_col or next((c for c in ("class_id", "class_name", "class", "label", "category") if c in table), "")
    if not class_col or class_col not in table:
        unexpected_columns(table.columns, "a class column (class_name, class, label, category or class_id)", "class_col")
    boxes = table[list(names)].to_numpy(np.float64)
    labels = table[class_col].astype(str).to_numpy()
    empty = np.isnan(boxes).any(axis=1) | (labels == no_object)
    return table[id_col].astype(str).to_numpy(), boxes, np.where(empty, "", labels)


def read_packed_csv(table, id_col, packed_col):
    """Kuzushiji style: one row per image, 'label x y w h label x y w h ...' (top-left corner and size)."""
    def group(tokens):
        return tokens[0], xywh_to_xyxy(np.array([tokens[1:5]], dtype=np.float64))[0].tolist()

    return _read_box_strings(table, id_col, packed_col, 5, "label x y w h", group)


def read_labelled_csv(table, id_col, label_col):
    """SIIM-COVID style: one row per image, 'label conf x0 y0 x1 y1 ...' (corners).

    A 1 x 1 box at the origin ('none 1 0 0 1 1') is the format's filler for an image without boxes.
    """
    def group(tokens):
        box = [float(v) for v in tokens[2:6]]
        return None if box == [0.0, 0.0, 1.0, 1.0] else (tokens[0], box)

    return _read_box_strings(table, id_col, label_col, 6, "label conf x0 y0 x1 y1", group)


def _read_box_strings(table, id_col, column, width, spelled, group):
    """Rows of `width`-token groups -> (ids, xyxy boxes, labels); group(tokens) -> (label, box), or None for a filler.

    An image whose groups are all fillers (or none) stays in as a negative: a row with a blank label.
    """
    if id_col not in table or column not in table:
        unexpected_columns(table.columns, f"'{id_col}' and '{column}' ('{spelled} ...')", "id_col, or annotation_format")
    ids, boxes, labels = [], [], []
    for image_id, text in zip(table[id_col].astype(str), table[column], strict=True):
        tokens = str(text).split() if isinstance(text, str) else []
        if len(tokens) % width:
            raise ValueError(f"{image_id}: {column} has {len(tokens)} tokens, not groups of '{spelled}'")
        groups = [g for g in (group(tokens[i : i + width]) for i in range(0, len(tokens), width)) if g is not None]
        for label, box in groups or [("", [np.nan] * 4)]:
            ids.append(image_id)
            labels.append(label)
            boxes.append(box)
    return np.array(ids, dtype=object), np.array(boxes, dtype=np.float64).reshape(-1, 4), np.array(labels, dtype=object)


def read_coco_json(path):
    """COCO JSON: (ids = file names, xyxy boxes, class names, image sizes {file name: (w, h)})."""
    data = json.loads(Path(path).read_text())
    missing = [k for k in ("images", "annotations", "categories") if k not in data]
    if missing:
        raise KeyError(f"{path} is not COCO JSON: keys {sorted(data)} lack {missing}. Set annotation_file")
    files = {im["id"]: im["file_name"] for im in data["images"]}
    names = {c["id"]: c["name"] for c in data["categories"]}
    ids = [files[a["image_id"]] for a in data["annotations"]]
    boxes = xywh_to_xyxy([a["bbox"] for a in data["annotations"]]) if ids else np.zeros((0, 4))
    labels = [names[a["category_id"]] for a in data["annotations"]]
    sizes = {im["file_name"]: (im.get("width"), im.get("height")) for im in data["images"]}
    # Images listed without annotations are negatives: an empty class marks them.
    listed = set(ids)
    extra = [f for f in sizes if f not in listed]
    return (np.array(ids + extra, dtype=object), np.concatenate([boxes, np.full((len(extra), 4), np.nan)]),
            np.array(labels + [""] * len(extra), dtype=object), sizes, [names[k] for k in sorted(names)])


def read_yolo_labels(label_dir, image_sizes, class_names):
    """YOLO txt folders: 'class cx cy w h' normalised, one file per image stem."""
    ids, boxes, labels = [], [], []
    for image_id, (width, height) in image_sizes.items():
        path = Path(label_dir) / f"{Path(image_id).stem}.txt"
        rows = np.loadtxt(path, ndmin=2) if path.exists() and path.stat().st_size else np.zeros((0, 5))
        if rows.shape[1] != 5:
            raise ValueError(f"{path}: expected 'class cx cy w h' rows, got {rows.shape[1]} columns")
        for row in rows:
            k = int(row[0])
            if not 0 <= k < len(class_names):
                raise ValueError(f"{path}: class {k} is outside data.yaml's {len(class_names)} names")
            ids.append(image_id)
            boxes.append(yolo_to_xyxy(row[1:], width, height)[0])
            labels.append(class_names[k])
        if not len(rows):
            ids.append(image_id)
            boxes.append([np.nan] * 4)
            labels.append("")
    return np.array(ids, dtype=object), np.array(boxes, dtype=np.float64).reshape(-1, 4), np.array(labels, dtype=object)


def build_box_table(ids, boxes, labels, images, image_sizes, layout, classes=None):
    """Assemble the table: unknown images are an error, bad boxes are clipped or dropped with counts."""
    unknown = sorted(set(ids) - set(images))
    if unknown:
        raise FileNotFoundError(f"{len(unknown)} annotated images are not in the image folder (first: {unknown[:3]}); "
                                "set train_image_dir or image_ext")
    has_box = ~np.isnan(boxes).any(axis=1) & (labels != "")
    names = set(labels[has_box].tolist())
    numeric = all(str(n).lstrip("-").isdigit() for n in names)
    classes = list(classes) if classes else sorted(names, key=lambda n: (int(n), "") if numeric else (0, n))
    index = {name: k for k, name in enumerate(classes)}
    rows, clipped, dropped = [], 0, 0
    for image_id in dict.fromkeys(ids[has_box]):
        mask = has_box & (ids == image_id)
        width, height = image_sizes[image_id]
        fixed, keep, changed = clean_boxes(boxes[mask], width, height)
        clipped += changed
        dropped += int((~keep).sum())
        for box, label in zip(fixed[keep], labels[mask][keep], strict=True):
            rows.append([image_id, index[label], *box])
    notes = []
    if clipped or dropped:
        notes.append(f"{clipped} boxes reached outside their image and were clipped; {dropped} had no area left and were dropped")
    table = pd.DataFrame(rows, columns=BOX_COLUMNS)
    negatives = len(images) - table["image_id"].nunique()
    notes.append(f"{len(table)} boxes on {table['image_id'].nunique()} images; {negatives} images without boxes kept as negatives")
    return BoxTable(images=dict(images), boxes=table, classes=classes, layout=layout, notes=notes)
