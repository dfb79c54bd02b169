"""Synthetic segmentation competitions: Carvana, Severstal, mask-file and Airbus-style layouts."""

from __future__ import annotations

from pathlib import Path

from nbgen.synth_io import COLOURS, SynthCompetition, write_csv, write_image

SEGMENTATION_LAYOUTS = ("rle_binary", "rle_classes", "mask_files", "instances", "tgs")


def _rle(mask, order: str) -> str:
    """Kaggle RLE (1-indexed start/length pairs), written here independently of the notebook's codec."""
    import numpy as np

    flat = (mask.T if order == "column" else mask).ravel().astype(np.int8)
    changes = np.flatnonzero(np.diff(np.concatenate([[0], flat, [0]]))) + 1
    starts, ends = changes[0::2], changes[1::2]
    return " ".join(f"{s} {e - s}" for s, e in zip(starts.tolist(), ends.tolist(), strict=True))


def _scene(rng, shape, n_classes: int, index: int):
    """An image and (K, H, W) masks: 0-2 rectangles, class k painted in its own colour."""
    import numpy as np

    h, w = shape
    image = rng.integers(0, 60, size=(h, w, 3), dtype=np.uint8)
    masks = np.zeros((n_classes, h, w), np.uint8)
    n_objects = 0 if index % 5 == 4 else 1 + index % 2
    for j in range(n_objects):
        k = (index + j) % n_classes
        bh, bw = int(rng.integers(h // 5, h // 3)), int(rng.integers(w // 5, w // 3))
        y0, x0 = int(rng.integers(0, h - bh)), int(rng.integers(0, w - bw))
        masks[k, y0 : y0 + bh, x0 : x0 + bw] = 1
        image[y0 : y0 + bh, x0 : x0 + bw] = COLOURS[k % len(COLOURS)]
    return image, masks


def make_segmentation(folder: Path, layout: str, n_train: int = 16, n_test: int = 5, seed: int = 0) -> SynthCompetition:
    """Write a synthetic segmentation competition of `layout` into `folder` and describe it.

    rle_binary: Carvana (train_masks.csv img,rle_mask, row-major RLE, one row per image).
    rle_classes: Severstal (train.csv ImageId,ClassId,EncodedPixels for non-empty masks only,
        column-major; sample ImageId,EncodedPixels,ClassId, one row per image and class).
    mask_files: PNG masks with class ids 1, 2 as pixel values; sample 'ImageId_ClassId' rows.
    instances: Airbus (one row per ship, blank for images without; one row per instance out).
    tgs: TGS Salt (grey 101 px PNGs in train/images and their masks in train/masks with the same
        names, train.csv id,rle_mask column-major, depths.csv, test/images; placeholder '1 1').
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    if layout not in SEGMENTATION_LAYOUTS:
        raise ValueError(f"unknown segmentation layout {layout!r}; use one of {', '.join(SEGMENTATION_LAYOUTS)}")
    shape = {"instances": (96, 96), "tgs": (101, 101)}.get(layout, (96, 128))
    n_classes = {"rle_binary": 1, "rle_classes": 3, "mask_files": 2, "instances": 1, "tgs": 1}[layout]
    train = [f"{1000 + i:06x}" for i in range(n_train)]
    test = [f"{9000 + i:06x}" for i in range(n_test)]
    scenes = [_scene(rng, shape, n_classes, i) for i in range(n_train)]
    test_scenes = [_scene(rng, shape, n_classes, i) for i in range(n_test)]
    test_images = [image for image, _ in test_scenes]

    if layout == "rle_binary":
        for name, (image, _) in zip(train, scenes, strict=True):
            write_image(folder / "train" / f"{name}_01.jpg", image)
        for name, image in zip(test, test_images, strict=True):
            write_image(folder / "test" / f"{name}_01.jpg", image)
        rows = [[f"{n}_01.jpg", _rle(m[0], "row")] for n, (_, m) in zip(train, scenes, strict=True)]
        write_csv(folder / "train_masks.csv", ["img", "rle_mask"], rows)
        header, ids = ["img", "rle_mask"], [f"{n}_01.jpg" for n in test]
        write_csv(folder / "sample_submission.csv", header, [[i, "1 1"] for i in ids])
        return SynthCompetition(folder, layout, ["1"], header, ids, blank_values=True)
    if layout == "rle_classes":
        for name, (image, _) in zip(train, scenes, strict=True):
            write_image(folder / "train_images" / f"{name}.jpg", image)
        for name, image in zip(test, test_images, strict=True):
            write_image(folder / "test_images" / f"{name}.jpg", image)
        rows = [[f"{n}.jpg", k + 1, _rle(m[k], "column")]
                for n, (_, m) in zip(train, scenes, strict=True) for k in range(n_classes) if m[k].any()]
        write_csv(folder / "train.csv", ["ImageId", "ClassId", "EncodedPixels"], rows)
        header = ["ImageId", "EncodedPixels", "ClassId"]
        rows = [[f"{n}.jpg", "1 1", k + 1] for n in test for k in range(n_classes)]
        write_csv(folder / "sample_submission.csv", header, rows)
        return SynthCompetition(folder, layout, ["1", "2", "3"], header, [r[0] for r in rows], blank_values=True)
    if layout == "mask_files":
        for name, (image, masks) in zip(train, scenes, strict=True):
            write_image(folder / "train" / "images" / f"{name}.png", image)
            labels = sum((k + 1) * masks[k] for k in range(n_classes)).astype(np.uint8)  # later classes paint over
            write_image(folder / "train" / "masks" / f"{name}.png", np.minimum(labels, n_classes))
        for name, image in zip(test, test_images, strict=True):
            write_image(folder / "test" / "images" / f"{name}.png", image)
        header = ["ImageId_ClassId", "EncodedPixels"]
        ids = [f"{n}.png_{k + 1}" for n in test for k in range(n_classes)]
        write_csv(folder / "sample_submission.csv", header, [[i, "-"] for i in ids])
        return SynthCompetition(folder, layout, ["1", "2"], header, ids)
    if layout == "tgs":
        for name, (image, masks) in zip(train, scenes, strict=True):
            write_image(folder / "train" / "images" / f"{name}.png", image.mean(2).astype(np.uint8))
            write_image(folder / "train" / "masks" / f"{name}.png", masks[0] * 255)
        for name, image in zip(test, test_images, strict=True):
            write_image(folder / "test" / "images" / f"{name}.png", image.mean(2).astype(np.uint8))
        rows = [[n, _rle(m[0], "column")] for n, (_, m) in zip(train, scenes, strict=True)]
        write_csv(folder / "train.csv", ["id", "rle_mask"], rows)
        write_csv(folder / "depths.csv", ["id", "z"], [[n, 100 + i] for i, n in enumerate(train)])
        header = ["id", "rle_mask"]
        write_csv(folder / "sample_submission.csv", header, [[n, "1 1"] for n in test])
        truth = {n: m[0] for n, (_, m) in zip(test, test_scenes, strict=True)}
        return SynthCompetition(folder, layout, ["1"], header, test, blank_values=True, truth=truth)
    rows = []
    for name, (image, masks) in zip(train, scenes, strict=True):
        write_image(folder / "train_v2" / f"{name}.jpg", image)
        rows.extend([[f"{name}.jpg", _rle(masks[0], "column")]] if masks[0].any() else [[f"{name}.jpg", ""]])
        if masks[0].any():  # a second, separate ship in the corner: two instance rows for one image
            corner = np.zeros(shape, np.uint8)
            corner[-6:, -6:] = 1
            image[-6:, -6:] = COLOURS[0]
            write_image(folder / "train_v2" / f"{name}.jpg", image)
            rows.append([f"{name}.jpg", _rle(corner * (1 - masks[0]), "column")])
    for name, image in zip(test, test_images, strict=True):
        write_image(folder / "test_v2" / f"{name}.jpg", image)
    write_csv(folder / "train_ship_segmentations_v2.csv", ["ImageId", "EncodedPixels"], rows)
    header, ids = ["ImageId", "EncodedPixels"], [f"{n}.jpg" for n in test]
    write_csv(folder / "sample_submission_v2.csv", header, [[i, ""] for i in ids])
    return SynthCompetition(folder, layout, ["1"], header, ids, blank_values=True, rows_per_instance=True)
