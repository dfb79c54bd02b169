"""Synthetic segmentation competitions: Carvana, Severstal, mask-file and Airbus-style layouts."""

from __future__ import annotations

from pathlib import Path

from nbgen.synth_io import COLOURS, SynthCompetition, write_csv, write_image

SEGMENTATION_LAYOUTS = ("rle_binary", "rle_classes", "mask_files", "instances", "tgs", "contrails", "uw_madison",
                       "hubmap")


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
    contrails: identify-contrails (train/<record>/band_08..16.npy of (H, W, 8 frames) kelvin and
        human_pixel_masks.npy, validation/ the same, test/<record>/ bands only; the sample has
        record_id, encoded_pixels '-', height, width).
    uw_madison: UW-Madison GI tract (16-bit grey PNGs at train/caseN/caseN_dayM/scans/slice_XXXX_W_H_1.50_1.50.png,
        ids caseN_dayM_slice_XXXX that name no file; train.csv id,class,segmentation row-major, one row per
        slice and organ, blank when absent; sample id,class,predicted in the grader's order).
    hubmap: HuBMAP kidney (train/<id>.tiff uncompressed RGB slides, <id>.json polygons, train.csv id,encoding
        column-major, HuBMAP-20-dataset_information.csv, test/<id>.tiff; sample id,predicted). Slides of
        288x352 tiled at 96 px (tile_size) stand in for 30,000 px slides at 1024.
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    if layout not in SEGMENTATION_LAYOUTS:
        raise ValueError(f"unknown segmentation layout {layout!r}; use one of {', '.join(SEGMENTATION_LAYOUTS)}")
    if layout == "contrails":
        return _contrails(rng, folder, n_train, n_test)
    if layout == "uw_madison":
        return _uw_madison(rng, folder, n_train, n_test)
    if layout == "hubmap":
        return _hubmap(rng, folder, max(3, n_train // 6), max(2, n_test // 3))
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


def _contrails(rng, folder: Path, n_train: int, n_test: int) -> SynthCompetition:
    """Band records whose contrail, a thin line, shows only in the labelled frame as band 15 warmer than band 14."""
    import json

    import numpy as np

    side, frames, labelled = 48, 8, 4

    def record(path: Path, labelled_record: bool):
        base = rng.normal(265, 4, (side, side, 1)) + rng.normal(0, 0.5, (side, side, frames))
        mask = np.zeros((side, side), np.int32)
        if rng.random() < 0.75:
            row, slope = int(rng.integers(8, 40)), float(rng.uniform(-0.4, 0.4))
            for x in range(side):
                y = int(round(row + slope * (x - side / 2)))
                mask[max(y - 1, 0) : y + 2, x] = 1
        path.mkdir(parents=True, exist_ok=True)
        bands = {b: base + rng.normal(-1.0 * (b - 14), 0.3, base.shape) for b in range(8, 17)}
        bands[15][..., labelled] = bands[14][..., labelled] + np.where(mask > 0, 1.5, -3.0)
        for b, array in bands.items():
            np.save(path / f"band_{b:02d}.npy", array.astype(np.float32))
        if labelled_record:
            np.save(path / "human_pixel_masks.npy", mask[..., None])
            np.save(path / "human_individual_masks.npy", mask[..., None, None])
        return mask

    train = [str(1000216489776414077 + 7919 * i) for i in range(n_train)]
    valid = [str(2000216489776414077 + 7919 * i) for i in range(max(2, n_train // 8))]
    test = [str(3000216489776414077 + 7919 * i) for i in range(n_test)]
    for split, names in (("train", train), ("validation", valid)):
        for name in names:
            record(folder / split / name, True)
        (folder / f"{split}_metadata.json").write_text(json.dumps([{"record_id": n, "row_min": 0.0} for n in names]))
    truth = {name: record(folder / "test" / name, False).astype(np.uint8) for name in test}
    header = ["record_id", "encoded_pixels", "height", "width"]
    write_csv(folder / "sample_submission.csv", header, [[n, "-", side, side] for n in test])
    return SynthCompetition(folder, "contrails", ["1"], header, test, truth=truth)


def _uw_madison(rng, folder: Path, n_train: int, n_test: int) -> SynthCompetition:
    """Slices of case-days; each organ a rectangle of its own brightness; two scan sizes, as the real scanners."""
    import numpy as np

    organs = ["large_bowel", "small_bowel", "stomach"]

    def write_slices(split: str, slices: list[tuple[int, int, int]]):
        out = {}
        for index, (case, day, number) in enumerate(slices):
            shape = (40, 48) if case % 2 else (48, 48)
            _, masks = _scene(rng, shape, len(organs), index)
            grey = rng.integers(0, 40, shape) + sum((k + 1) * 60 * masks[k].astype(np.int64) for k in range(len(organs)))
            height, width = shape
            path = folder / split / f"case{case}" / f"case{case}_day{day}" / "scans"
            path = path / f"slice_{number:04d}_{width}_{height}_1.50_1.50.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            write_image(path, (np.minimum(grey, 255) * 64).astype(np.uint16))  # 16-bit, as the scans
            out[f"case{case}_day{day}_slice_{number:04d}"] = masks
        return out

    per_day = 4
    train = write_slices("train", [(10 + i // (2 * per_day), i // per_day % 2, 1 + i % per_day) for i in range(n_train)])
    test = write_slices("test", [(90, 0, 1 + i) for i in range(n_test)])
    rows = [[i, organ, _rle(m[k], "row") if m[k].any() else ""] for i, m in train.items() for k, organ in enumerate(organs)]
    write_csv(folder / "train.csv", ["id", "class", "segmentation"], rows)
    header = ["id", "class", "predicted"]
    sample = [[i, organ, ""] for i in test for organ in organs]
    write_csv(folder / "sample_submission.csv", header, sample)
    truth = {i: m for i, m in test.items()}
    return SynthCompetition(folder, "uw_madison", organs, header, [r[0] for r in sample], blank_values=True,
                            params={"metric": "dice_hausdorff"}, truth=truth)


def _hubmap(rng, folder: Path, n_train: int, n_test: int) -> SynthCompetition:
    """Pink tissue with pale round glomeruli; the masks are the glomeruli."""
    import json

    import numpy as np
    import tifffile

    height, width = 288, 352
    yy, xx = np.mgrid[:height, :width]

    def slide(split: str, name: str):
        image = np.dstack([rng.normal(m, 12, (height, width)) for m in (200, 120, 170)])
        mask = np.zeros((height, width), np.uint8)
        for _ in range(int(rng.integers(3, 7))):
            cy, cx, r = int(rng.integers(20, height - 20)), int(rng.integers(20, width - 20)), int(rng.integers(10, 18))
            disc = (yy - cy) ** 2 + (xx - cx) ** 2 < r * r
            mask[disc] = 1
            image[disc] = (235, 215, 235)
        (folder / split).mkdir(parents=True, exist_ok=True)
        tifffile.imwrite(folder / split / f"{name}.tiff", np.clip(image, 0, 255).astype(np.uint8))
        (folder / split / f"{name}.json").write_text(json.dumps([{"type": "Feature", "geometry": {"type": "Polygon"}}]))
        return mask

    train = [f"{rng.integers(16**8):08x}{i}" for i in range(n_train)]
    test = [f"{rng.integers(16**8):08x}{i}" for i in range(n_test)]
    masks = {name: slide("train", name) for name in train}
    truth = {name: slide("test", name) for name in test}
    write_csv(folder / "train.csv", ["id", "encoding"], [[n, _rle(m, "column")] for n, m in masks.items()])
    write_csv(folder / "HuBMAP-20-dataset_information.csv", ["image_file", "width_pixels", "height_pixels"],
              [[f"{n}.tiff", width, height] for n in train + test])
    header = ["id", "predicted"]
    write_csv(folder / "sample_submission.csv", header, [[n, ""] for n in test])
    return SynthCompetition(folder, "hubmap", ["1"], header, test, blank_values=True, params={"tile_size": "96"},
                            truth=truth)
