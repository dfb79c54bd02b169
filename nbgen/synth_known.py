"""Synthetic miniatures of the known classification competitions the generic layouts do not copy (COMPETITIONS.md).

aptos: aptos2019 (train.csv id_code, diagnosis; PNGs named by id_code without extension; test.csv).
histopathologic: histopathologic-cancer-detection (train_labels.csv id, label 0/1; train/<id>.tif, test/<id>.tif).
paddy: paddy-disease-classification (train.csv image_id, label, variety, age; train_images/<label>/<image_id>;
    test_images/ flat; the sample's labels blank).
hotel_id: hotel-id-2021 (train.csv image, chain, hotel_id, timestamp; train_images/<chain>/<image>; test_images/
    flat; the sample ranks 5 hotel ids per row).
imet: imet-2020 (train.csv id, attribute_ids space-separated integers; labels.csv attribute names; train/<id>.png).
ranzcr: ranzcr-clip (train.csv StudyInstanceUID, four 0/1 label columns, PatientID; the sample scores three).
leaf: leaf-classification (train.csv id, species, numeric features; test.csv; images/<id>.jpg train and test;
    the sample has one probability column per species).
herbarium_2020: herbarium-2020 (nybg2020/train/metadata.json COCO-style with regions; nested images; test
    metadata without annotations; the sample's Id is the test image id).
herbarium_2021: herbarium-2021 (the same without the nybg2020/ prefix).
iwildcam_2020: iwildcam-2020 (iwildcam2020_train_annotations.json COCO-style with locations, the test information
    and megadetector JSON files beside it; train/<id>.jpg, test/<id>.jpg).
"""

from __future__ import annotations

import json
from pathlib import Path

from nbgen.synth_classes import class_image, labels_image
from nbgen.synth_io import SynthCompetition, write_csv, write_image

KNOWN_LAYOUTS = ("aptos", "histopathologic", "paddy", "hotel_id", "imet", "ranzcr", "leaf", "herbarium_2020",
                 "herbarium_2021", "iwildcam_2020")


def make_known(folder: Path, layout: str, n_train: int = 24, n_test: int = 7, seed: int = 0) -> SynthCompetition:
    """Write the miniature `layout` into `folder` and describe it."""
    import numpy as np

    if layout not in KNOWN_LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; use one of {', '.join(KNOWN_LAYOUTS)}")
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    n_classes = 2 if layout == "histopathologic" else 3
    klass = [i % n_classes for i in range(n_train)]
    test_klass = [(i + 1) % n_classes for i in range(n_test)]
    return _WRITERS[layout](rng, folder, layout, klass, test_klass, n_classes)


def _images(rng, folder: Path, paths: list[str], klass: list[int], n_classes: int) -> None:
    for path, k in zip(paths, klass, strict=True):
        write_image(folder / path, class_image(rng, k, n_classes))


def _truth(ids, names, test_klass):
    return {i: str(names[k]) for i, k in zip(ids, test_klass, strict=True)}


def _aptos(rng, folder, layout, klass, test_klass, n_classes):
    train = [f"{i:012x}" for i in range(len(klass))]
    test = [f"{0xfff000 + i:012x}" for i in range(len(test_klass))]
    _images(rng, folder / "train_images", [f"{n}.png" for n in train], klass, n_classes)
    _images(rng, folder / "test_images", [f"{n}.png" for n in test], test_klass, n_classes)
    write_csv(folder / "train.csv", ["id_code", "diagnosis"], [[n, k] for n, k in zip(train, klass, strict=True)])
    write_csv(folder / "test.csv", ["id_code"], [[n] for n in test])
    header = ["id_code", "diagnosis"]
    write_csv(folder / "sample_submission.csv", header, [[n, 0] for n in test])
    return SynthCompetition(folder, layout, ["0", "1", "2"], header, test, truth=_truth(test, range(3), test_klass))


def _histopathologic(rng, folder, layout, klass, test_klass, n_classes):
    train = [f"{i:040x}" for i in range(len(klass))]
    test = [f"{0xeee000 + i:040x}" for i in range(len(test_klass))]
    _images(rng, folder / "train", [f"{n}.tif" for n in train], klass, n_classes)
    _images(rng, folder / "test", [f"{n}.tif" for n in test], test_klass, n_classes)
    write_csv(folder / "train_labels.csv", ["id", "label"], [[n, k] for n, k in zip(train, klass, strict=True)])
    header = ["id", "label"]
    write_csv(folder / "sample_submission.csv", header, [[n, 0] for n in test])
    return SynthCompetition(folder, layout, ["0", "1"], header, test, truth=_truth(test, range(2), test_klass))


def _paddy(rng, folder, layout, klass, test_klass, n_classes):
    diseases = ["blast", "hispa", "normal"]
    train = [f"{100000 + i}.jpg" for i in range(len(klass))]
    test = [f"{200000 + i}.jpg" for i in range(len(test_klass))]
    _images(rng, folder / "train_images", [f"{diseases[k]}/{n}" for n, k in zip(train, klass, strict=True)], klass,
            n_classes)
    _images(rng, folder / "test_images", test, test_klass, n_classes)
    rows = [[n, diseases[k], "ADT45", 45 + i % 3] for i, (n, k) in enumerate(zip(train, klass, strict=True))]
    write_csv(folder / "train.csv", ["image_id", "label", "variety", "age"], rows)
    header = ["image_id", "label"]
    write_csv(folder / "sample_submission.csv", header, [[n, ""] for n in test])
    return SynthCompetition(folder, layout, diseases, header, test, truth=_truth(test, diseases, test_klass))


def _hotel_id(rng, folder, layout, klass, test_klass, n_classes):
    hotels = [11, 204, 3107]
    train = [f"{i:016x}.jpg" for i in range(len(klass))]
    test = [f"{0xddd000 + i:016x}.jpg" for i in range(len(test_klass))]
    _images(rng, folder / "train_images", [f"{k % 2}/{n}" for n, k in zip(train, klass, strict=True)], klass, n_classes)
    _images(rng, folder / "test_images", test, test_klass, n_classes)
    rows = [[n, k % 2, hotels[k], "2018-04-19 10:53:00"] for n, k in zip(train, klass, strict=True)]
    write_csv(folder / "train.csv", ["image", "chain", "hotel_id", "timestamp"], rows)
    header = ["image", "hotel_id"]
    write_csv(folder / "sample_submission.csv", header, [[n, "36363 53586 18807 64314 60181"] for n in test])
    return SynthCompetition(folder, layout, [str(h) for h in hotels], header, test, truth=_truth(test, hotels, test_klass))


def _imet(rng, folder, layout, klass, test_klass, n_classes):
    sets = [[0], [1], [2], [0, 2], [1, 2]]
    train = [f"{i:032x}" for i in range(len(klass))]
    test = [f"{0xccc000 + i:032x}" for i in range(len(test_klass))]
    train_sets = [sets[i % len(sets)] for i in range(len(train))]
    test_sets = [sets[(i + 3) % len(sets)] for i in range(len(test))]
    for n, present in zip(train, train_sets, strict=True):
        write_image(folder / "train" / f"{n}.png", labels_image(rng, present))
    for n, present in zip(test, test_sets, strict=True):
        write_image(folder / "test" / f"{n}.png", labels_image(rng, present))
    write_csv(folder / "train.csv", ["id", "attribute_ids"],
              [[n, " ".join(str(k) for k in s)] for n, s in zip(train, train_sets, strict=True)])
    write_csv(folder / "labels.csv", ["attribute_id", "attribute_name"],
              [[0, "culture::american"], [1, "tag::portraits"], [2, "tag::flowers"]])
    header = ["id", "attribute_ids"]
    write_csv(folder / "sample_submission.csv", header, [[n, "0 1 2"] for n in test])
    truth = {n: " ".join(str(k) for k in s) for n, s in zip(test, test_sets, strict=True)}
    return SynthCompetition(folder, layout, ["0", "1", "2"], header, test, truth=truth)


def _ranzcr(rng, folder, layout, klass, test_klass, n_classes):
    columns = ["ETT - Abnormal", "ETT - Normal", "NGT - Normal", "CVC - Normal"]
    train = [f"1.2.826.0.1.3680043.8.498.{1000 + i}" for i in range(len(klass))]
    test = [f"1.2.826.0.1.3680043.8.498.{9000 + i}" for i in range(len(test_klass))]
    _images(rng, folder / "train", [f"{n}.jpg" for n in train], klass, n_classes)
    _images(rng, folder / "test", [f"{n}.jpg" for n in test], test_klass, n_classes)
    rows = [[n, *[int(k == j) for j in range(3)], i % 2, f"ec{i // 3}"] for i, (n, k) in enumerate(zip(train, klass, strict=True))]
    write_csv(folder / "train.csv", ["StudyInstanceUID", *columns, "PatientID"], rows)
    header = ["StudyInstanceUID", *columns[:3]]  # the sample scores fewer columns than the table holds
    write_csv(folder / "sample_submission.csv", header, [[n, 0, 0, 0] for n in test])
    return SynthCompetition(folder, layout, columns[:3], header, test, params={"group_col": "PatientID"},
                            truth=_truth(test, columns, test_klass))


def _leaf(rng, folder, layout, klass, test_klass, n_classes):
    species = ["Acer_Opalus", "Pterocarya_Stenoptera", "Quercus_Rubra"]
    train = list(range(1, len(klass) + 1))
    test = list(range(1000, 1000 + len(test_klass)))
    _images(rng, folder / "images", [f"{n}.jpg" for n in train], klass, n_classes)
    _images(rng, folder / "images", [f"{n}.jpg" for n in test], test_klass, n_classes)
    features = ["margin1", "shape1", "texture1"]
    write_csv(folder / "train.csv", ["id", "species", *features],
              [[n, species[k], 0.01, 0.02, 0.03] for n, k in zip(train, klass, strict=True)])
    write_csv(folder / "test.csv", ["id", *features], [[n, 0.01, 0.02, 0.03] for n in test])
    header = ["id", *species]
    write_csv(folder / "sample_submission.csv", header, [[n, 0.33, 0.33, 0.34] for n in test])
    ids = [str(n) for n in test]
    return SynthCompetition(folder, layout, species, header, ids, params={"label_col": "species"},
                            truth=_truth(ids, species, test_klass))


def _herbarium(rng, folder, layout, klass, test_klass, n_classes):
    base = folder / "nybg2020" if layout == "herbarium_2020" else folder
    categories = [0, 17, 32000]
    train = [(100 + i, f"images/{categories[k] // 100:03d}/{categories[k] % 100:02d}/{100 + i}.jpg")
             for i, k in enumerate(klass)]
    test = [(i, f"images/{i // 10:03d}/{i}.jpg") for i in range(len(test_klass))]
    _images(rng, base / "train", [p for _, p in train], klass, n_classes)
    _images(rng, base / "test", [p for _, p in test], test_klass, n_classes)
    metadata = {
        "images": [{"id": i, "file_name": p, "height": 160, "width": 200} for i, p in train],
        "annotations": [{"id": i, "image_id": i, "category_id": categories[k], "region_id": 0}
                        for (i, _), k in zip(train, klass, strict=True)],
        "categories": [{"id": c, "name": f"species {c}", "family": "f", "genus": "g"} for c in categories],
        "regions": [{"id": 0, "name": "Europe"}],
    }
    (base / "train" / "metadata.json").write_text(json.dumps(metadata))
    test_metadata = {"images": [{"id": i, "file_name": p, "height": 160, "width": 200} for i, p in test]}
    (base / "test" / "metadata.json").write_text(json.dumps(test_metadata))
    header = ["Id", "Predicted"]
    write_csv(folder / "sample_submission.csv", header, [[i, 0] for i, _ in test])
    ids = [str(i) for i, _ in test]
    return SynthCompetition(folder, layout, [str(c) for c in categories], header, ids,
                            truth=_truth(ids, categories, test_klass))


def _iwildcam_2020(rng, folder, layout, klass, test_klass, n_classes):
    categories = [0, 2, 372]
    train = [f"{i:08x}-21bc-11ea-a13a-137349068a90" for i in range(len(klass))]
    test = [f"{0xbbb000 + i:08x}-21bc-11ea-a13a-137349068a90" for i in range(len(test_klass))]
    _images(rng, folder / "train", [f"{n}.jpg" for n in train], klass, n_classes)
    _images(rng, folder / "test", [f"{n}.jpg" for n in test], test_klass, n_classes)
    annotations = {
        "images": [{"id": n, "file_name": f"{n}.jpg", "location": i % 4, "seq_id": f"s{i}"} for i, n in enumerate(train)],
        "annotations": [{"id": f"a{i}", "image_id": n, "category_id": categories[k]}
                        for i, (n, k) in enumerate(zip(train, klass, strict=True))],
        "categories": [{"id": c, "name": f"animal {c}"} for c in categories],
    }
    (folder / "iwildcam2020_train_annotations.json").write_text(json.dumps(annotations))
    (folder / "iwildcam2020_test_information.json").write_text(json.dumps(
        {"images": [{"id": n, "file_name": f"{n}.jpg", "location": 9} for n in test],
         "categories": annotations["categories"]}))
    (folder / "iwildcam2020_megadetector_results.json").write_text(json.dumps({"images": [], "detection_categories": {}}))
    header = ["Id", "Category"]
    write_csv(folder / "sample_submission.csv", header, [[n, 0] for n in test])
    return SynthCompetition(folder, layout, [str(c) for c in categories], header, test, params={"group_col": "location"},
                            truth=_truth(test, categories, test_klass))


_WRITERS = {"aptos": _aptos, "histopathologic": _histopathologic, "paddy": _paddy, "hotel_id": _hotel_id,
            "imet": _imet, "ranzcr": _ranzcr, "leaf": _leaf, "herbarium_2020": _herbarium,
            "herbarium_2021": _herbarium, "iwildcam_2020": _iwildcam_2020}
