"""Synthetic detection competitions: Global Wheat, VinBigData, COCO JSON and YOLO txt layouts."""

from __future__ import annotations

import json
from pathlib import Path

from nbgen.synth_io import COLOURS, SynthCompetition, pack, write_csv, write_dicom, write_image

DETECTION_LAYOUTS = ("wheat", "vinbig", "coco", "yolo", "coco_dir", "vinbig_dicom", "kuzushiji", "siim_covid")
STUDY_COLUMNS = ("Negative for Pneumonia", "Typical Appearance", "Indeterminate Appearance", "Atypical Appearance")
CHARACTERS = ("U+304A", "U+3057")

IMAGE_HW = (96, 128)


def _scene(rng, n_classes: int, index: int):
    """An image and its boxes [(class, x0, y0, x1, y1)]: bright rectangles, every fifth image empty."""
    import numpy as np

    h, w = IMAGE_HW
    image = rng.integers(0, 60, size=(h, w, 3), dtype=np.uint8)
    boxes = []
    for j in range(0 if index % 5 == 4 else 1 + index % 3):
        k = (index + j) % n_classes
        bw, bh = int(rng.integers(14, 34)), int(rng.integers(14, 30))
        x0, y0 = int(rng.integers(0, w - bw)), int(rng.integers(0, h - bh))
        image[y0 : y0 + bh, x0 : x0 + bw] = COLOURS[k % len(COLOURS)]
        boxes.append((k, x0, y0, x0 + bw, y0 + bh))
    return image, boxes


def _write_dicom(path: Path, image) -> None:
    """The scene in grey as DICOM, with the photometry and LUTs varying by file (a name's hash picks them)."""
    import zlib

    kind = zlib.crc32(path.stem.encode()) % 3
    write_dicom(path, image.mean(2).astype("uint8"), monochrome1=kind == 0, slope=2.0 if kind == 1 else 1.0,
                intercept=-1024.0 if kind == 1 else 0.0, window=(2040.0, 4080.0) if kind == 2 else None)


def make_detection(folder: Path, layout: str, n_train: int = 24, n_test: int = 7, seed: int = 0) -> SynthCompetition:
    """Write a synthetic detection competition of `layout` into `folder` and describe it.

    wheat: train.csv image_id,width,height,bbox '[x, y, w, h]',source (images without boxes
        have no row), train/ and test/ JPEGs, sample 'image_id,PredictionString'.
    vinbig: train.csv image_id,class_name,class_id,rad_id,x_min..y_max with 'No finding'
        rows (class 14, blank coordinates) for images without boxes; PNGs; sample filler '14 1 0 0 1 1'.
    coco: annotations.json (COCO) with file names, images/train and images/test.
    yolo: data.yaml, images/train, labels/train ('class cx cy w h').
    coco_dir: COCO's own layout (annotations/instances_train.json and instances_val.json, images/train/).
    kuzushiji: one row per page, labels = 'U+XXXX x y w h ...' (top-left corner and size), images in
        train_images.zip / test_images.zip, unicode_translation.csv; the sample wants 'U+XXXX cx cy ...'.
    siim_covid: SIIM-COVID as shipped: DICOM at train/<study>/<series>/<image>.dcm, train_image_level.csv
        (id '<image>_image', boxes, label 'opacity 1 x0 y0 x1 y1 ...' or 'none 1 0 0 1 1', StudyInstanceUID),
        train_study_level.csv (id '<study>_study', four 0/1 columns); the sample has study rows and image rows.
    vinbig_dicom: VinBigData as shipped: the vinbig table with 12-bit DICOM images (`.dicom`), every
        third MONOCHROME1, some with a rescale slope and intercept or a VOI window.
    """
    import numpy as np

    if layout == "siim_covid":
        return _make_siim_covid(folder, n_train, n_test, seed)
    if layout not in DETECTION_LAYOUTS:
        raise ValueError(f"unknown detection layout {layout!r}; use one of {', '.join(DETECTION_LAYOUTS)}")
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    n_classes = 1 if layout == "wheat" else 2
    train = [f"{0xa000 + i:x}" for i in range(n_train)]
    test = [f"{0xf000 + i:x}" for i in range(n_test)]
    scenes = [_scene(rng, n_classes, i) for i in range(n_train)]
    h, w = IMAGE_HW
    suffix = {"vinbig": ".png", "vinbig_dicom": ".dicom"}.get(layout, ".jpg")
    train_dir, test_dir = {"wheat": ("train", "test"), "vinbig": ("train", "test"), "vinbig_dicom": ("train", "test"),
                           "kuzushiji": ("train_images", "test_images"),
                           "coco": ("images/train", "images/test"), "yolo": ("images/train", "images/test"),
                           "coco_dir": ("images/train", "images/test")}[layout]
    write = _write_dicom if layout == "vinbig_dicom" else write_image
    for name, (image, _) in zip(train, scenes, strict=True):
        write(folder / train_dir / f"{name}{suffix}", image)
    for i, name in enumerate(test):
        write(folder / test_dir / f"{name}{suffix}", _scene(rng, n_classes, i)[0])
    header = ["image_id", "PredictionString"]
    filler = {"vinbig": "14 1 0 0 1 1", "vinbig_dicom": "14 1 0 0 1 1", "kuzushiji": "U+003F 1 1 U+FF2F 2 2"}.get(
        layout, "1.0 0 0 50 50")
    if layout == "kuzushiji":
        header = ["image_id", "labels"]
    write_csv(folder / "sample_submission.csv", header, [[t, filler] for t in test])
    if layout == "wheat":
        rows = [[n, w, h, f"[{x0}, {y0}, {x1 - x0}, {y1 - y0}]", "synth"]
                for n, (_, boxes) in zip(train, scenes, strict=True) for _, x0, y0, x1, y1 in boxes]
        write_csv(folder / "train.csv", ["image_id", "width", "height", "bbox", "source"], rows)
    elif layout == "kuzushiji":
        rows = [[n, " ".join(f"{CHARACTERS[k]} {x0} {y0} {x1 - x0} {y1 - y0}" for k, x0, y0, x1, y1 in boxes)]
                for n, (_, boxes) in zip(train, scenes, strict=True)]
        write_csv(folder / "train.csv", ["image_id", "labels"], rows)
        write_csv(folder / "unicode_translation.csv", ["Unicode", "char"], [[c, chr(int(c[2:], 16))] for c in CHARACTERS])
        pack(folder / train_dir, folder / "train_images.zip")
        pack(folder / test_dir, folder / "test_images.zip")
    elif layout in ("vinbig", "vinbig_dicom"):
        names = ["Aortic enlargement", "Nodule/Mass"]
        rows = []
        for n, (_, boxes) in zip(train, scenes, strict=True):
            rows.extend([[n, names[k], k, "R1", x0, y0, x1, y1] for k, x0, y0, x1, y1 in boxes]
                        or [[n, "No finding", 14, "R1", "", "", "", ""]])
        write_csv(folder / "train.csv", ["image_id", "class_name", "class_id", "rad_id", "x_min", "y_min", "x_max", "y_max"], rows)
    elif layout in ("coco", "coco_dir"):
        coco = {"images": [{"id": i + 1, "file_name": f"{n}.jpg", "width": w, "height": h} for i, n in enumerate(train)],
                "annotations": [{"id": len(train) * 10 + i * 5 + j, "image_id": i + 1, "category_id": k + 1,
                                 "bbox": [x0, y0, x1 - x0, y1 - y0], "area": (x1 - x0) * (y1 - y0), "iscrowd": 0}
                                for i, (_, boxes) in enumerate(scenes) for j, (k, x0, y0, x1, y1) in enumerate(boxes)],
                "categories": [{"id": 1, "name": "car"}, {"id": 2, "name": "person"}]}
        if layout == "coco":
            (folder / "annotations.json").write_text(json.dumps(coco))
        else:
            (folder / "annotations").mkdir(exist_ok=True)
            (folder / "annotations" / "instances_train.json").write_text(json.dumps(coco))
            val = {**coco, "images": coco["images"][:2], "annotations": [a for a in coco["annotations"] if a["image_id"] <= 2]}
            (folder / "annotations" / "instances_val.json").write_text(json.dumps(val))
    else:
        (folder / "labels" / "train").mkdir(parents=True, exist_ok=True)
        for n, (_, boxes) in zip(train, scenes, strict=True):
            lines = [f"{k} {(x0 + x1) / 2 / w:.6f} {(y0 + y1) / 2 / h:.6f} {(x1 - x0) / w:.6f} {(y1 - y0) / h:.6f}"
                     for k, x0, y0, x1, y1 in boxes]
            (folder / "labels" / "train" / f"{n}.txt").write_text("\n".join(lines) + ("\n" if lines else ""))
        (folder / "data.yaml").write_text("path: .\ntrain: images/train\nnames:\n  0: car\n  1: person\n")
    classes = {"wheat": ["object"], "kuzushiji": list(CHARACTERS)}.get(layout, ["0", "1"])
    params = {"metric": "point_f1"} if layout == "kuzushiji" else {}
    return SynthCompetition(folder, layout, classes, header, test, blank_values=not layout.startswith("vinbig"), params=params)


def _study_scene(rng, klass: int):
    """A grey image of study class `klass` and its opacity boxes [(x0, y0, x1, y1)].

    The class is a texture (none, vertical, horizontal or diagonal stripes) that survives the
    per-image intensity window; opacities are bright rectangles, none in a negative study.
    """
    import numpy as np

    h, w = IMAGE_HW
    image = rng.integers(0, 60, size=(h, w)).astype(np.float64)
    rows, cols = np.mgrid[0:h, 0:w]
    stripes = {1: cols % 8 < 4, 2: rows % 8 < 4, 3: (rows + cols) % 8 < 4}.get(klass)
    if stripes is not None:
        image += 50 * stripes
    boxes = []
    for _ in range(0 if klass == 0 else 1 + int(rng.integers(0, 2))):
        bw, bh = int(rng.integers(16, 34)), int(rng.integers(16, 30))
        x0, y0 = int(rng.integers(0, w - bw)), int(rng.integers(0, h - bh))
        image[y0 : y0 + bh, x0 : x0 + bw] = 240
        boxes.append((x0, y0, x0 + bw, y0 + bh))
    return image.clip(0, 255).astype(np.uint8), boxes


def _make_siim_covid(folder: Path, n_train: int, n_test: int, seed: int) -> SynthCompetition:
    """Studies of one or two images each; the image rows' truth is their boxes, the study rows' their class."""
    import numpy as np

    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    names = [c.split()[0].lower() for c in STUDY_COLUMNS]

    def studies(split: str, n_images: int, offset: int):
        """[(study, class, [(image, boxes)])] with n_images images, every third study holding two."""
        out, made = [], 0
        while made < n_images:
            k = len(out)
            klass = (k + offset) % 4
            count = min(2 if k % 3 == 2 else 1, n_images - made)
            study, series = f"{split}{0x5000 + k:x}", f"{split}{0x9000 + k:x}"
            images = []
            for j in range(count):
                image_id = f"{split}{0xc000 + made + j:x}"
                pixels, boxes = _study_scene(rng, klass)
                _write_dicom(folder / split / study / series / f"{image_id}.dcm", np.stack([pixels] * 3, axis=2))
                images.append((image_id, boxes))
            out.append((study, klass, images))
            made += count
        return out

    train = studies("train", n_train, 0)
    test = studies("test", n_test, 1)
    image_rows = []
    for study, _, images in train:
        for image_id, boxes in images:
            listed = str([{"x": float(x0), "y": float(y0), "width": float(x1 - x0), "height": float(y1 - y0)}
                          for x0, y0, x1, y1 in boxes]) if boxes else ""
            label = " ".join(f"opacity 1 {x0} {y0} {x1} {y1}" for x0, y0, x1, y1 in boxes) or "none 1 0 0 1 1"
            image_rows.append([f"{image_id}_image", listed, label, study])
    write_csv(folder / "train_image_level.csv", ["id", "boxes", "label", "StudyInstanceUID"], image_rows)
    write_csv(folder / "train_study_level.csv", ["id", *STUDY_COLUMNS],
              [[f"{study}_study", *[int(k == klass) for k in range(4)]] for study, klass, _ in train])
    sample = [[f"{study}_study", "negative 1 0 0 1 1"] for study, _, _ in test]
    sample += [[f"{image_id}_image", "none 1 0 0 1 1"] for _, _, images in test for image_id, _ in images]
    write_csv(folder / "sample_submission.csv", ["id", "PredictionString"], sample)
    truth = {f"{study}_study": names[klass] for study, klass, _ in test}
    truth.update({f"{image_id}_image": boxes for _, _, images in test for image_id, boxes in images})
    return SynthCompetition(folder, "siim_covid", ["opacity"], ["id", "PredictionString"], [r[0] for r in sample],
                            truth=truth)
