"""Synthetic miniatures of image-to-text competitions.

bms: bms-molecular-translation (COMPETITIONS.md): train_labels.csv (image_id, InChI); train/<a>/<b>/<c>/<image_id>.png
    (the id's first three characters as folders); test/ the same; extra_approved_InChIs.csv; sample_submission.csv
    (image_id, InChI placeholder). Each image shows its formula's atom counts, which its InChI spells.
"""

from __future__ import annotations

from pathlib import Path

from nbgen.synth_io import SynthCompetition, write_csv

TEXT_LAYOUTS = ("bms",)
IMAGE_HW = (64, 256)


def make_text(folder: Path, layout: str, n_train: int = 24, n_test: int = 7, seed: int = 0) -> SynthCompetition:
    """Write the miniature `layout` into `folder` and describe it; truth maps a test image id to its InChI."""
    import cv2
    import numpy as np

    if layout not in TEXT_LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; use one of {', '.join(TEXT_LAYOUTS)}")
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    rows, truth = [], {}
    for split, count in (("train", n_train), ("test", n_test)):
        for i in range(count):
            image_id = f"{(2 * i + (split == 'test')) * 7919 + 0x1a2b3c:012x}"
            counts = [int(c) for c in rng.integers(1, 5, size=3)]
            formula = "C{}H{}O{}".format(*counts)
            image = np.full(IMAGE_HW, 255, np.uint8)
            cv2.putText(image, formula, (12, 46), cv2.FONT_HERSHEY_SIMPLEX, 1.4, 0, 3)
            image = np.clip(image.astype(int) + rng.integers(-20, 20, size=IMAGE_HW), 0, 255).astype(np.uint8)
            path = folder / split / image_id[0] / image_id[1] / image_id[2] / f"{image_id}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            cv2.imwrite(str(path), image)
            inchi = f"InChI=1S/{formula}/c1-2-3"
            if split == "train":
                rows.append([image_id, inchi])
            else:
                truth[image_id] = inchi
    write_csv(folder / "train_labels.csv", ["image_id", "InChI"], rows)
    write_csv(folder / "extra_approved_InChIs.csv", ["InChI"], [["InChI=1S/CH4/h1H4"], ["InChI=1S/H2O/h1H2"]])
    header = ["image_id", "InChI"]
    write_csv(folder / "sample_submission.csv", header, [[i, "InChI=1S/H2O/h1H2"] for i in truth])
    # A string read by a one-epoch smoke model may be empty: blank values are answers here.
    return SynthCompetition(folder, layout, [], header, list(truth), blank_values=True, truth=truth)
