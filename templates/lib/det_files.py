"""Read per-image annotation files into box rows: Pascal VOC XML, LabelMe JSON and YOLO txt (one file per image stem).

Each reader returns (ids, xyxy boxes in pixels, class names); an image whose file lists no box is one row with a
blank class, a negative. An image without a file is a negative in YOLO (its convention for background images),
and not annotated in VOC and LabelMe: those readers leave it out, as the plan says. LabelMe polygons are read as
masks by the segmentation notebook.
"""

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np

from lib.boxes import yolo_to_xyxy


def annotation_files(folder, suffix):
    """{stem: path} of the annotation files below `folder`."""
    return {p.stem: p for p in sorted(Path(folder).rglob(f"*{suffix}"))}


def _rows(per_image, images):
    """(ids, boxes, labels) from {image id: [(label, x0, y0, x1, y1)]} for `images`; those without boxes: blank rows."""
    ids, boxes, labels = [], [], []
    for image_id in images:
        for label, *box in per_image.get(image_id) or [("", np.nan, np.nan, np.nan, np.nan)]:
            ids.append(image_id)
            labels.append(label)
            boxes.append(box)
    return np.array(ids, dtype=object), np.array(boxes, dtype=np.float64).reshape(-1, 4), np.array(labels, dtype=object)


def _unmatched(files, images, what):
    orphans = sorted(set(files) - set(images))
    if orphans:
        raise FileNotFoundError(f"{len(orphans)} {what} files name no training image (first: {orphans[:3]}); "
                                "set train_image_dir to the folder that holds their images")


def read_voc(folder, images):
    """Pascal VOC: <object><name> and <bndbox> xmin..ymax in pixels, one XML per image stem."""
    files = annotation_files(folder, ".xml")
    _unmatched(files, images, "VOC XML")
    per_image = {}
    for stem, path in files.items():
        root = ET.parse(path).getroot()
        per_image[stem] = [(obj.findtext("name").strip(), *(float(obj.find("bndbox").findtext(k))
                                                            for k in ("xmin", "ymin", "xmax", "ymax")))
                           for obj in root.iter("object")]
    return _rows(per_image, [i for i in images if i in per_image])


def read_labelme_boxes(folder, images):
    """LabelMe: 'rectangle' shapes (two corner points) as boxes; any other shape stops, naming the file."""
    files = annotation_files(folder, ".json")
    _unmatched(files, images, "LabelMe JSON")
    per_image = {}
    for stem, path in files.items():
        boxes = []
        for shape in json.loads(path.read_text())["shapes"]:
            if (shape.get("shape_type") or "polygon") != "rectangle":
                raise ValueError(f"{path.name}: a {shape.get('shape_type') or 'polygon'} shape in a box dataset; "
                                 "boxes are read from rectangles only (polygons make a segmentation notebook)")
            (xa, ya), (xb, yb) = shape["points"][:2]
            boxes.append((shape["label"], min(xa, xb), min(ya, yb), max(xa, xb), max(ya, yb)))
        per_image[stem] = boxes
    return _rows(per_image, [i for i in images if i in per_image])


def read_yolo(folder, image_sizes, class_names):
    """YOLO txt: 'class cx cy w h' normalised, one file per image stem; class_names maps the numbers (or None)."""
    files = annotation_files(folder, ".txt")
    per_image = {}
    for image_id, (width, height) in image_sizes.items():
        path = files.get(Path(image_id).stem)
        rows = np.loadtxt(path, ndmin=2) if path is not None and path.stat().st_size else np.zeros((0, 5))
        if rows.shape[1] != 5:
            raise ValueError(f"{path}: expected 'class cx cy w h' rows, got {rows.shape[1]} columns")
        boxes = []
        for row in rows:
            k = int(row[0])
            if class_names is not None and not 0 <= k < len(class_names):
                raise ValueError(f"{path}: class {k} is outside the {len(class_names)} class names")
            boxes.append((class_names[k] if class_names is not None else str(k), *yolo_to_xyxy(row[1:], width, height)[0]))
        per_image[image_id] = boxes
    return _rows(per_image, list(image_sizes))


def yolo_class_names(path):
    """Class names from data.yaml's names (a list or {index: name}), or one per line of classes.txt / obj.names."""
    if path.suffix in (".yaml", ".yml"):
        import yaml

        names = yaml.safe_load(path.read_text())["names"]
        return [names[k] for k in sorted(names)] if isinstance(names, dict) else list(names)
    return [line.strip() for line in path.read_text().splitlines() if line.strip()]
