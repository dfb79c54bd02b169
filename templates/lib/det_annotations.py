"""Read detection annotations into one table: a row per box, [x0, y0, x1, y1] pixels, class index.

Layouts, each read from the columns and folders the plan names: CSV with a '[x, y, w, h]' bbox string
(Global Wheat), CSV with corner (x_min..y_max) or corner-and-size columns and a class (VinBigData, rows
of a 'no object' class keep the image as a negative), one row per image with packed 'label x y w h ...'
strings (Kuzushiji) or 'label conf x0 y0 x1 y1' strings (SIIM-COVID), COCO JSON, and per-image files
(YOLO txt, Pascal VOC XML, LabelMe JSON). Images without boxes stay in as negatives.
"""

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from lib.boxes import clean_boxes, xywh_to_xyxy
from lib.det_files import read_labelme_boxes, read_voc, read_yolo, yolo_class_names
from lib.images import image_hw
from lib.needs import need
from lib.paths import index_files

BOX_COLUMNS = ["image_id", "class_index", "x0", "y0", "x1", "y1"]


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


def read_bbox_string_csv(table, id_col, bbox_col):
    """Global Wheat style: one row per box, bbox '[x, y, w, h]'. Returns (ids, xyxy boxes, class names)."""
    values = [json.loads(v) if isinstance(v, str) and v.strip() else [np.nan] * 4 for v in table[bbox_col]]
    boxes = xywh_to_xyxy(np.array(values, dtype=np.float64).reshape(-1, 4))
    labels = np.where(np.isnan(boxes).any(axis=1), "", "object")  # one class; rows without a bbox: negatives
    return table[id_col].astype(str).to_numpy(), boxes, labels.astype(object)


def read_box_columns(table, id_col, box_cols, class_col="", corners=True, no_object=""):
    """One row per box in four columns: corners (x_min..y_max) or corner and size (x, y, w, h), and a class column.

    Rows whose class is `no_object`, or whose coordinates are blank, mark an image without boxes.
    """
    boxes = table[list(box_cols)].apply(pd.to_numeric, errors="coerce").to_numpy(np.float64)
    if not corners:
        boxes = xywh_to_xyxy(boxes)
    labels = table[class_col].astype(str).to_numpy() if class_col else np.full(len(table), "object", dtype=object)
    empty = np.isnan(boxes).any(axis=1) | (labels == no_object)
    return table[id_col].astype(str).to_numpy(), boxes, np.where(empty, "", labels).astype(object)


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
    used = {a["category_id"] for a in data["annotations"]}  # categories without a box are no classes (the plan says)
    return (np.array(ids + extra, dtype=object), np.concatenate([boxes, np.full((len(extra), 4), np.nan)]),
            np.array(labels + [""] * len(extra), dtype=object), sizes,
            [names[k] for k in sorted(names) if k in used or not used])


def read_annotations(plan, data_dir, no_object="", usable=None):
    """(ids, xyxy boxes, labels, {image id: path}, class order or None) from the plan's annotation source.

    usable(images) drops unreadable images before the YOLO reader opens them for their sizes.
    """
    data_dir = Path(data_dir)
    fmt, source = plan["annotation_format"], data_dir / plan["annotation_file"]
    train_dir = data_dir / plan["train_image_dir"]
    images = index_files(train_dir, plan.get("id_template") or plan["id_key"])
    class_order = None
    # COCO JSON and per-image files by name: a notebook carries the reader its plan uses.
    if fmt == "coco":
        ids, boxes, labels, _, class_order = need("det_annotations.read_coco_json", plan["annotation_file"])(source)
    elif fmt in ("voc", "labelme", "yolo"):
        ids, boxes, labels, images, class_order = need("det_annotations.read_annotation_files", f"{fmt} files")(plan, data_dir, usable)
    else:
        table = pd.read_csv(source, dtype=str, keep_default_na=False)
        id_col = plan["id_col"]
        if fmt == "bbox_csv":
            ids, boxes, labels = read_bbox_string_csv(table, id_col, plan["box_cols"][0])
        elif fmt == "packed_csv":
            ids, boxes, labels = read_packed_csv(table, id_col, plan["packed_col"])
        elif fmt == "labelled_csv":
            ids, boxes, labels = read_labelled_csv(table, id_col, plan["packed_col"])
        else:
            ids, boxes, labels = read_box_columns(table, id_col, plan["box_cols"], plan.get("class_col", ""),
                                                  fmt == "xyxy_csv", no_object)
    return ids, boxes, labels, images, class_order


def read_annotation_files(plan, data_dir, usable=None):
    """(ids, xyxy boxes, labels, {image id: path}, class order or None) from per-image VOC, LabelMe or YOLO files."""
    fmt = plan["annotation_format"]
    names_file = plan.get("class_names_file")
    class_order = yolo_class_names(data_dir / names_file) if fmt == "yolo" and names_file else None
    images, parts = {}, []
    # The training folder, then each labelled split merged into the folds (val/ beside train/), ids by folder.
    for k, (image_rel, label_rel) in enumerate([(plan["train_image_dir"], plan["label_dir"]),
                                                *plan.get("extra_train", [])]):
        found = index_files(data_dir / image_rel, plan["id_key"])
        if fmt == "yolo":  # an image without its txt file is a background image
            found = usable(found) if usable else found
            part = read_yolo(data_dir / label_rel, {i: image_hw(p)[::-1] for i, p in found.items()}, class_order)
        else:  # an image without its file is not annotated: left out, as the plan says
            part = (read_voc if fmt == "voc" else read_labelme_boxes)(data_dir / label_rel, found)
            found = {i: p for i, p in found.items() if i in set(part[0])}
        prefix = f"{image_rel}/" if k else ""
        images.update({prefix + i: p for i, p in found.items()})
        parts.append((np.array([prefix + i for i in part[0]], dtype=object), part[1], part[2]))
    ids, boxes, labels = (np.concatenate(column) for column in zip(*parts, strict=True))
    return ids, boxes, labels, images, class_order


def build_box_table(ids, boxes, labels, images, image_sizes, layout, classes=None):
    """Assemble the table: unknown images are an error, bad boxes are clipped or dropped with counts."""
    unknown = sorted(set(ids) - set(images))
    if unknown:
        raise FileNotFoundError(f"{len(unknown)} annotated images are not in the image folder (first: {unknown[:3]}); "
                                "set train_image_dir")
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
