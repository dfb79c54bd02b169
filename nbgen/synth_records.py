"""Synthetic miniatures of competitions whose images sit inside record files.

cdiscount: cdiscount-image-classification-challenge (COMPETITIONS.md): train.bson (records: _id, category_id, imgs =
    a list of {picture: JPEG bytes}, one to four per product); test.bson (no category_id); train_example.bson (the
    first records of train.bson); category_names.csv (category_id and its three-level hierarchy);
    sample_submission.csv: _id, category_id. A product's images share its category's colour cast and square.
"""

from __future__ import annotations

from pathlib import Path

from nbgen.synth_classes import class_image
from nbgen.synth_io import SynthCompetition, write_csv

RECORD_LAYOUTS = ("cdiscount",)
CATEGORIES = ("1000010653", "1000010667", "1000018296")


def make_records(folder: Path, layout: str, n_train: int = 24, n_test: int = 7, seed: int = 0) -> SynthCompetition:
    """Write the miniature `layout` into `folder` and describe it; truth maps a test product's _id to its category."""
    import cv2
    import numpy as np
    from bson import encode

    if layout not in RECORD_LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; use one of {', '.join(RECORD_LAYOUTS)}")
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    truth, records = {}, {"train": [], "test": []}
    for split, count in (("train", n_train), ("test", n_test)):
        for i in range(count):
            k = (i + (split == "test")) % len(CATEGORIES)
            product = 2 * i + (split == "test")
            pictures = [cv2.imencode(".jpg", class_image(rng, k, len(CATEGORIES))[..., ::-1])[1].tobytes()
                        for _ in range(1 + i % 3)]
            record = {"_id": product, "imgs": [{"picture": p} for p in pictures]}
            if split == "train":
                record["category_id"] = int(CATEGORIES[k])
            else:
                truth[str(product)] = CATEGORIES[k]
            records[split].append(record)
    for name, chosen in (("train", records["train"]), ("test", records["test"]), ("train_example", records["train"][:2])):
        (folder / f"{name}.bson").write_bytes(b"".join(encode(r) for r in chosen))
    write_csv(folder / "category_names.csv", ["category_id", "category_level1", "category_level2", "category_level3"],
              [[c, "MAISON", f"level2 {c[-3:]}", f"level3 {c[-3:]}"] for c in CATEGORIES])
    header = ["_id", "category_id"]
    write_csv(folder / "sample_submission.csv", header, [[r["_id"], CATEGORIES[0]] for r in records["test"]])
    return SynthCompetition(folder, layout, list(CATEGORIES), header, [str(r["_id"]) for r in records["test"]],
                            params={"group_col": "_id"}, truth=truth)
