"""Write tiny synthetic competitions in the layouts real Kaggle competitions use."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

CLASSIFICATION_LAYOUTS = ("csv", "onehot", "binary", "folders")
SEGMENTATION_LAYOUTS = ("rle_binary", "rle_classes", "mask_files", "instances")
DETECTION_LAYOUTS = ("wheat", "vinbig", "coco", "yolo")
LAYOUTS = CLASSIFICATION_LAYOUTS + SEGMENTATION_LAYOUTS + DETECTION_LAYOUTS
IMAGE_HW = (160, 200)  # large enough that a 64 px smoke run decodes JPEGs at half size


@dataclass(frozen=True)
class SynthCompetition:
    """What was written: where, the sample submission's columns and test ids in row order."""

    folder: Path
    layout: str
    classes: list[str]
    sample_columns: list[str]
    test_ids: list[str]
    blank_values: bool = False  # empty masks are blank cells
    rows_per_instance: bool = False  # submission rows repeat an id once per instance


def _image(rng, k: int, n_classes: int):
    """An image whose class shows as a colour cast and a bright square in a class-dependent place."""
    import numpy as np

    h, w = IMAGE_HW
    image = rng.integers(0, 80, size=(h, w, 3), dtype=np.uint8)
    image[..., k % 3] += 100
    y0 = int((h - 48) * k / max(n_classes - 1, 1))
    image[y0 : y0 + 48, 20:68] = 250
    return image


def _write_images(rng, folder: Path, names: list[str], klass: list[int], n_classes: int) -> None:
    import cv2

    folder.mkdir(parents=True, exist_ok=True)
    for name, k in zip(names, klass, strict=True):
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(path), _image(rng, k, n_classes)[..., ::-1])


def _write_csv(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


def make_competition(folder: Path, layout: str, n_train: int = 24, n_test: int = 7, seed: int = 0) -> SynthCompetition:
    """Write a synthetic competition of `layout` into `folder` and describe it.

    csv: cassava style (image_id with .jpg, integer label; train_images/, test_images/).
    onehot: plant-pathology style (one 0/1 column per class; train and test in images/).
    binary: siim-isic style (image_name, patient_id, target; jpeg/train, jpeg/test).
    folders: one folder per class under train/ (PNG), test/ and a sample submission.
    """
    import numpy as np

    if layout in SEGMENTATION_LAYOUTS:
        from nbgen.synth_masks import make_segmentation

        return make_segmentation(folder, layout, n_train, n_test, seed)
    if layout in DETECTION_LAYOUTS:
        from nbgen.synth_boxes import make_detection

        return make_detection(folder, layout, n_train, n_test, seed)
    if layout not in CLASSIFICATION_LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; use one of {', '.join(LAYOUTS)}")
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    n_classes = 2 if layout == "binary" else 3
    klass = [i % n_classes for i in range(n_train)]
    test_klass = [i % n_classes for i in range(n_test)]

    if layout == "csv":
        train = [f"{1000 + i}.jpg" for i in range(n_train)]
        test = [f"{5000 + i}.jpg" for i in range(n_test)]
        _write_images(rng, folder / "train_images", train, klass, n_classes)
        _write_images(rng, folder / "test_images", test, test_klass, n_classes)
        _write_csv(folder / "train.csv", ["image_id", "label"], [[n, k] for n, k in zip(train, klass, strict=True)])
        header, classes = ["image_id", "label"], ["0", "1", "2"]
        _write_csv(folder / "sample_submission.csv", header, [[n, 0] for n in test])
        return SynthCompetition(folder, layout, classes, header, test)
    if layout == "onehot":
        classes = ["healthy", "rust", "scab"]
        train = [f"Train_{i}" for i in range(n_train)]
        test = [f"Test_{i}" for i in range(n_test)]
        _write_images(rng, folder / "images", [f"{n}.jpg" for n in train], klass, n_classes)
        _write_images(rng, folder / "images", [f"{n}.jpg" for n in test], test_klass, n_classes)
        rows = [[n, *[int(k == j) for j in range(n_classes)]] for n, k in zip(train, klass, strict=True)]
        _write_csv(folder / "train.csv", ["image_id", *classes], rows)
        header = ["image_id", *classes]
        _write_csv(folder / "sample_submission.csv", header, [[n, 0.25, 0.25, 0.25] for n in test])
        return SynthCompetition(folder, layout, classes, header, test)
    if layout == "binary":
        train = [f"ISIC_{i:07d}" for i in range(n_train)]
        test = [f"ISIC_{9000000 + i:07d}" for i in range(n_test)]
        _write_images(rng, folder / "jpeg" / "train", [f"{n}.jpg" for n in train], klass, n_classes)
        _write_images(rng, folder / "jpeg" / "test", [f"{n}.jpg" for n in test], test_klass, n_classes)
        rows = [[n, f"IP_{i // 3}", k] for i, (n, k) in enumerate(zip(train, klass, strict=True))]
        _write_csv(folder / "train.csv", ["image_name", "patient_id", "target"], rows)
        header = ["image_name", "target"]
        _write_csv(folder / "sample_submission.csv", header, [[n, 0] for n in test])
        return SynthCompetition(folder, layout, ["0", "1"], header, test)
    classes = ["cat", "dog", "fox"]
    names = [f"{classes[k]}/{classes[k]}_{i:03d}.png" for i, k in enumerate(klass)]
    test = [f"t{i:03d}" for i in range(n_test)]
    _write_images(rng, folder / "train", names, klass, n_classes)
    _write_images(rng, folder / "test", [f"{n}.png" for n in test], test_klass, n_classes)
    header = ["id", "label"]
    _write_csv(folder / "sample_submission.csv", header, [[n, "cat"] for n in test])
    return SynthCompetition(folder, layout, classes, header, test)
