"""Synthetic classification competitions in the layouts real ones ship (tables, folders, JSON, archives)."""

from __future__ import annotations

import json
from pathlib import Path

from nbgen.synth_io import SynthCompetition, pack, write_csv, write_dicom, write_image

IMAGE_HW = (160, 200)  # large enough that a 64 px smoke run decodes JPEGs at half size
CLASSIFICATION_LAYOUTS = ("csv", "onehot", "binary", "folders", "class_columns", "multilabel", "topk", "regression",
                          "filename_zip", "folders_binary", "zip_flat", "packed_csv", "index_col", "coco_json", "coco_tar",
                          "rsna_breast", "npy_arrays", "json_bands")


def class_image(rng, k: int, n_classes: int):
    """An image whose class shows as a colour cast and a bright square in a class-dependent place."""
    import numpy as np

    h, w = IMAGE_HW
    image = rng.integers(0, 80, size=(h, w, 3), dtype=np.uint8)
    image[..., k % 3] += 100
    y0 = int((h - 48) * k / max(n_classes - 1, 1))
    image[y0 : y0 + 48, 20:68] = 250
    return image


def labels_image(rng, present: list[int]):
    """A multi-label image: one bright square per present label, each label in its own place."""
    import numpy as np

    h, w = IMAGE_HW
    image = rng.integers(0, 80, size=(h, w, 3), dtype=np.uint8)
    for k in present:
        image[20:68, 10 + 62 * k : 58 + 62 * k] = 250
    return image


def value_image(rng, value: float):
    """A regression image: the bright square's side grows with the value in [0, 1]."""
    import numpy as np

    h, w = IMAGE_HW
    image = rng.integers(0, 80, size=(h, w, 3), dtype=np.uint8)
    side = int(16 + 120 * value)
    image[10 : 10 + side, 10 : 10 + side] = 250
    return image


def _write_classes(rng, folder: Path, names: list[str], klass: list[int], n_classes: int) -> None:
    for name, k in zip(names, klass, strict=True):
        write_image(folder / name, class_image(rng, k, n_classes))


def make_classification(folder: Path, layout: str, n_train: int = 24, n_test: int = 7, seed: int = 0) -> SynthCompetition:
    """Write a synthetic classification competition of `layout` into `folder` and describe it.

    csv: cassava (image_id with .jpg, integer label; train_images/, test_images/).
    onehot: plant-pathology-2020 (one 0/1 column per class; train and test in images/).
    binary: siim-isic (image_name, patient_id, target; jpeg/train, jpeg/test).
    folders: plant-seedlings (train/<class>/ PNGs, test/).
    class_columns: dog-breed (labels.csv id,breed; the sample has one probability column per breed).
    multilabel: plant-pathology-2021 (space-separated labels in one column, written back the same way).
    topk: whale (Image, Id; the sample ranks 5 ids per row).
    regression: petfinder (Id, flags, Pawpularity 1-100).
    filename_zip: dogs-vs-cats (train.zip of cat.N.jpg / dog.N.jpg, test.zip of N.jpg, P(dog) in the sample).
    folders_binary: alaska2 (Cover/, JMiPOD/, UERD/ with the same file names, Test/; Cover negative).
    zip_flat: aerial-cactus (train.csv ids with .jpg, flat train.zip and test.zip).
    packed_csv: invasive-species (train.tar.gz and test.tar.gz, train_labels.csv.zip, sample_submission.csv.zip).
    index_col: iwildcam-2019 (zipped image folders, a sample with an unnamed index column, Id vs id).
    coco_json: herbarium-2022 (train_metadata.json COCO-style, test_metadata.json a bare list, index test ids).
    coco_tar: inaturalist-2019 (train2019.json, val2019.json without images, tar.gz images, kaggle_sample_submission.csv).
    npy_arrays: seti (train_labels.csv id,target; train/<first char>/<id>.npy float16 of shape (6, 64, 48): six
        cadence spectrograms, a positive shows a drifting line in the three "on" ones; old_leaky_data/ with the
        pre-relaunch labels and arrays, which the plan leaves out).
    json_bands: statoil-iceberg (train.json.7z: records of id, band_1, band_2 as flat 75x75 dB lists, inc_angle
        with some 'na', is_iceberg; test.json.7z without the label; sample_submission.csv.7z id,is_iceberg).
    rsna_breast: rsna-breast-cancer-detection (DICOM in <images>/<patient_id>/<image_id>.dcm, two views per
        breast; the sample has one row per patient side, prediction_id, which test.csv maps to images).
    """
    import numpy as np

    if layout not in CLASSIFICATION_LAYOUTS:
        raise ValueError(f"unknown classification layout {layout!r}; use one of {', '.join(CLASSIFICATION_LAYOUTS)}")
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    n_classes = 2 if layout in ("binary", "filename_zip", "zip_flat", "packed_csv", "npy_arrays", "json_bands") else 3
    klass = [i % n_classes for i in range(n_train)]
    test_klass = [(i + 1) % n_classes for i in range(n_test)]
    return _WRITERS[layout](rng, folder, layout, klass, test_klass, n_classes)


def _csv(rng, folder, layout, klass, test_klass, n_classes):
    train = [f"{1000 + i}.jpg" for i in range(len(klass))]
    test = [f"{5000 + i}.jpg" for i in range(len(test_klass))]
    _write_classes(rng, folder / "train_images", train, klass, n_classes)
    _write_classes(rng, folder / "test_images", test, test_klass, n_classes)
    write_csv(folder / "train.csv", ["image_id", "label"], [[n, k] for n, k in zip(train, klass, strict=True)])
    header = ["image_id", "label"]
    write_csv(folder / "sample_submission.csv", header, [[n, 0] for n in test])
    return SynthCompetition(folder, layout, ["0", "1", "2"], header, test, truth=dict(zip(test, map(str, test_klass), strict=True)))


def _onehot(rng, folder, layout, klass, test_klass, n_classes):
    classes = ["healthy", "rust", "scab"]
    train = [f"Train_{i}" for i in range(len(klass))]
    test = [f"Test_{i}" for i in range(len(test_klass))]
    _write_classes(rng, folder / "images", [f"{n}.jpg" for n in train], klass, n_classes)
    _write_classes(rng, folder / "images", [f"{n}.jpg" for n in test], test_klass, n_classes)
    rows = [[n, *[int(k == j) for j in range(n_classes)]] for n, k in zip(train, klass, strict=True)]
    write_csv(folder / "train.csv", ["image_id", *classes], rows)
    header = ["image_id", *classes]
    write_csv(folder / "sample_submission.csv", header, [[n, 0.25, 0.25, 0.25] for n in test])
    return SynthCompetition(folder, layout, classes, header, test, truth={t: classes[k] for t, k in zip(test, test_klass, strict=True)})


def _binary(rng, folder, layout, klass, test_klass, n_classes):
    train = [f"ISIC_{i:07d}" for i in range(len(klass))]
    test = [f"ISIC_{9000000 + i:07d}" for i in range(len(test_klass))]
    _write_classes(rng, folder / "jpeg" / "train", [f"{n}.jpg" for n in train], klass, n_classes)
    _write_classes(rng, folder / "jpeg" / "test", [f"{n}.jpg" for n in test], test_klass, n_classes)
    rows = [[n, f"IP_{i // 3}", k] for i, (n, k) in enumerate(zip(train, klass, strict=True))]
    write_csv(folder / "train.csv", ["image_name", "patient_id", "target"], rows)
    header = ["image_name", "target"]
    write_csv(folder / "sample_submission.csv", header, [[n, 0] for n in test])
    return SynthCompetition(folder, layout, ["0", "1"], header, test, truth=dict(zip(test, map(str, test_klass), strict=True)))


def _folders(rng, folder, layout, klass, test_klass, n_classes):
    classes = ["cat", "dog", "fox"]
    names = [f"{classes[k]}/{classes[k]}_{i:03d}.png" for i, k in enumerate(klass)]
    test = [f"t{i:03d}" for i in range(len(test_klass))]
    _write_classes(rng, folder / "train", names, klass, n_classes)
    _write_classes(rng, folder / "test", [f"{n}.png" for n in test], test_klass, n_classes)
    header = ["id", "label"]
    write_csv(folder / "sample_submission.csv", header, [[n, "cat"] for n in test])
    return SynthCompetition(folder, layout, classes, header, test, truth={t: classes[k] for t, k in zip(test, test_klass, strict=True)})


def _class_columns(rng, folder, layout, klass, test_klass, n_classes):
    breeds = ["beagle", "boxer", "pug"]
    train = [f"{i:04x}a" for i in range(len(klass))]
    test = [f"{i:04x}f" for i in range(len(test_klass))]
    _write_classes(rng, folder / "train", [f"{n}.jpg" for n in train], klass, n_classes)
    _write_classes(rng, folder / "test", [f"{n}.jpg" for n in test], test_klass, n_classes)
    write_csv(folder / "labels.csv", ["id", "breed"], [[n, breeds[k]] for n, k in zip(train, klass, strict=True)])
    header = ["id", *breeds]
    write_csv(folder / "sample_submission.csv", header, [[n, *[1 / 3] * 3] for n in test])
    return SynthCompetition(folder, layout, breeds, header, test, truth={t: breeds[k] for t, k in zip(test, test_klass, strict=True)})


def _multilabel(rng, folder, layout, klass, test_klass, n_classes):
    names = ["complex", "rust", "scab"]
    sets = [[0], [1], [2], [0, 2], [1, 2]]
    train = [f"{i:05d}.jpg" for i in range(len(klass))]
    test = [f"{80000 + i:05d}.jpg" for i in range(len(test_klass))]
    train_sets = [sets[i % len(sets)] for i in range(len(train))]
    test_sets = [sets[(i + 3) % len(sets)] for i in range(len(test))]
    for n, present in zip(train, train_sets, strict=True):
        write_image(folder / "train_images" / n, labels_image(rng, present))
    for n, present in zip(test, test_sets, strict=True):
        write_image(folder / "test_images" / n, labels_image(rng, present))
    rows = [[n, " ".join(names[k] for k in s)] for n, s in zip(train, train_sets, strict=True)]
    write_csv(folder / "train.csv", ["image", "labels"], rows)
    header = ["image", "labels"]
    write_csv(folder / "sample_submission.csv", header, [[n, "healthy"] for n in test])
    truth = {n: " ".join(names[k] for k in s) for n, s in zip(test, test_sets, strict=True)}
    return SynthCompetition(folder, layout, names, header, test, truth=truth)


def _topk(rng, folder, layout, klass, test_klass, n_classes):
    whales = ["new_whale", "w_1a2b", "w_9f8e"]
    train = [f"{i:08x}.jpg" for i in range(len(klass))]
    test = [f"{0xfff00 + i:08x}.jpg" for i in range(len(test_klass))]
    _write_classes(rng, folder / "train", train, klass, n_classes)
    _write_classes(rng, folder / "test", test, test_klass, n_classes)
    write_csv(folder / "train.csv", ["Image", "Id"], [[n, whales[k]] for n, k in zip(train, klass, strict=True)])
    header = ["Image", "Id"]
    write_csv(folder / "sample_submission.csv", header, [[n, "new_whale w_1a2b w_9f8e w_0000 w_1111"] for n in test])
    return SynthCompetition(folder, layout, whales, header, test, truth={t: whales[k] for t, k in zip(test, test_klass, strict=True)})


def _regression(rng, folder, layout, klass, test_klass, n_classes):
    train = [f"{i:032x}" for i in range(len(klass))]
    test = [f"{0xabc000 + i:032x}" for i in range(len(test_klass))]
    values = [int(v) for v in rng.integers(1, 101, len(train))]
    test_values = [int(v) for v in rng.integers(1, 101, len(test))]
    for n, v in zip(train, values, strict=True):
        write_image(folder / "train" / f"{n}.jpg", value_image(rng, (v - 1) / 99))
    for n, v in zip(test, test_values, strict=True):
        write_image(folder / "test" / f"{n}.jpg", value_image(rng, (v - 1) / 99))
    flags = ["Focus", "Eyes", "Blur"]
    rows = [[n, *[int(x) for x in rng.integers(0, 2, 3)], v] for n, v in zip(train, values, strict=True)]
    write_csv(folder / "train.csv", ["Id", *flags, "Pawpularity"], rows)
    write_csv(folder / "test.csv", ["Id", *flags], [[n, 0, 0, 0] for n in test])
    header = ["Id", "Pawpularity"]
    write_csv(folder / "sample_submission.csv", header, [[n, 50] for n in test])
    return SynthCompetition(folder, layout, ["Pawpularity"], header, test, truth=dict(zip(test, test_values, strict=True)))


def _filename_zip(rng, folder, layout, klass, test_klass, n_classes):
    pets = ["cat", "dog"]
    train = [f"{pets[k]}.{i}.jpg" for i, k in enumerate(klass)]
    test = [str(i + 1) for i in range(len(test_klass))]
    _write_classes(rng, folder / "train", train, klass, n_classes)
    _write_classes(rng, folder / "test", [f"{t}.jpg" for t in test], test_klass, n_classes)
    pack(folder / "train", folder / "train.zip", top_folder=True)
    pack(folder / "test", folder / "test.zip", top_folder=True)
    header = ["id", "label"]
    write_csv(folder / "sample_submission.csv", header, [[t, 0.5] for t in test])
    return SynthCompetition(folder, layout, pets, header, test, params={"positive_class": "dog"},
                            truth={t: pets[k] for t, k in zip(test, test_klass, strict=True)})


def _folders_binary(rng, folder, layout, klass, test_klass, n_classes):
    names = [f"{i:05d}.jpg" for i in range(1, len(klass) // 3 + 1)]
    for sub, k in (("Cover", 0), ("JMiPOD", 1), ("UERD", 1)):
        _write_classes(rng, folder / sub, names, [k] * len(names), 2)
    test = [f"{i:04d}.jpg" for i in range(len(test_klass))]
    test_binary = [k % 2 for k in test_klass]
    _write_classes(rng, folder / "Test", test, test_binary, 2)
    header = ["Id", "Label"]
    write_csv(folder / "sample_submission.csv", header, [[t, 0] for t in test])
    return SynthCompetition(folder, layout, ["0", "1"], header, test, params={"folder_labels": "Cover:0,JMiPOD:1,UERD:1"},
                            truth=dict(zip(test, map(str, test_binary), strict=True)))


def _zip_flat(rng, folder, layout, klass, test_klass, n_classes):
    train = [f"{i:032x}.jpg" for i in range(len(klass))]
    test = [f"{0xeee000 + i:032x}.jpg" for i in range(len(test_klass))]
    _write_classes(rng, folder / "train", train, klass, n_classes)
    _write_classes(rng, folder / "test", test, test_klass, n_classes)
    pack(folder / "train", folder / "train.zip")
    pack(folder / "test", folder / "test.zip")
    write_csv(folder / "train.csv", ["id", "has_cactus"], [[n, k] for n, k in zip(train, klass, strict=True)])
    header = ["id", "has_cactus"]
    write_csv(folder / "sample_submission.csv", header, [[t, 0.5] for t in test])
    return SynthCompetition(folder, layout, ["0", "1"], header, test, truth=dict(zip(test, map(str, test_klass), strict=True)))


def _packed_csv(rng, folder, layout, klass, test_klass, n_classes):
    train = [str(i + 1) for i in range(len(klass))]
    test = [str(i + 1) for i in range(len(test_klass))]
    _write_classes(rng, folder / "train", [f"{n}.jpg" for n in train], klass, n_classes)
    _write_classes(rng, folder / "test", [f"{n}.jpg" for n in test], test_klass, n_classes)
    pack(folder / "train", folder / "train.tar.gz", top_folder=True)
    pack(folder / "test", folder / "test.tar.gz", top_folder=True)
    write_csv(folder / "train_labels.csv", ["name", "invasive"], [[n, k] for n, k in zip(train, klass, strict=True)])
    pack(folder / "train_labels.csv", folder / "train_labels.csv.zip")
    header = ["name", "invasive"]
    write_csv(folder / "sample_submission.csv", header, [[t, 0.5] for t in test])
    pack(folder / "sample_submission.csv", folder / "sample_submission.csv.zip")
    return SynthCompetition(folder, layout, ["0", "1"], header, test, truth=dict(zip(test, map(str, test_klass), strict=True)))


def _index_col(rng, folder, layout, klass, test_klass, n_classes):
    train = [f"{i:08x}-5a6b" for i in range(len(klass))]
    test = [f"{0xff0000 + i:08x}-5a6b" for i in range(len(test_klass))]
    categories = [0, 1, 19]
    _write_classes(rng, folder / "train_images", [f"{n}.jpg" for n in train], klass, n_classes)
    _write_classes(rng, folder / "test_images", [f"{n}.jpg" for n in test], test_klass, n_classes)
    pack(folder / "train_images", folder / "train_images.zip")
    pack(folder / "test_images", folder / "test_images.zip")
    rows = [[n, categories[k], i % 4, i % 3] for i, (n, k) in enumerate(zip(train, klass, strict=True))]
    write_csv(folder / "train.csv", ["id", "category_id", "location", "frame_num"], rows)
    header = ["", "Id", "Category"]
    write_csv(folder / "sample_submission.csv", header, [[i, t, 0] for i, t in enumerate(test)])
    return SynthCompetition(folder, layout, [str(c) for c in categories], header, [str(i) for i in range(len(test))],
                            params={"id_col": "id", "label_col": "category_id", "group_col": "location"},
                            truth={t: str(categories[k]) for t, k in zip(test, test_klass, strict=True)})


def _coco_json(rng, folder, layout, klass, test_klass, n_classes):
    categories = [12, 305, 15500]
    train = [(f"{categories[k]:05d}__{i:03d}", f"{i // 10:03d}/{i % 10:02d}/{categories[k]:05d}__{i:03d}.jpg")
             for i, k in enumerate(klass)]
    for (_, path), k in zip(train, klass, strict=True):
        write_image(folder / "train_images" / path, class_image(rng, k, n_classes))
    test = [(str(i), f"{i // 10:03d}/test-{i:06d}.jpg") for i in range(len(test_klass))]
    for (_, path), k in zip(test, test_klass, strict=True):
        write_image(folder / "test_images" / path, class_image(rng, k, n_classes))
    metadata = {
        "annotations": [{"image_id": i, "category_id": categories[k], "genus_id": 1, "institution_id": 0}
                        for (i, _), k in zip(train, klass, strict=True)],
        "images": [{"image_id": i, "file_name": p, "license": 0} for i, p in train],
        "categories": [{"category_id": c, "scientific_name": f"species {c}"} for c in categories],
    }
    (folder / "train_metadata.json").write_text(json.dumps(metadata))
    (folder / "test_metadata.json").write_text(json.dumps([{"image_id": i, "file_name": p, "license": 0} for i, p in test]))
    header = ["Id", "Predicted"]
    write_csv(folder / "sample_submission.csv", header, [[i, 0] for i, _ in test])
    return SynthCompetition(folder, layout, [str(c) for c in categories], header, [i for i, _ in test],
                            truth={i: str(categories[k]) for (i, _), k in zip(test, test_klass, strict=True)})


def _coco_tar(rng, folder, layout, klass, test_klass, n_classes):
    kingdoms = ["Plantae", "Fungi", "Animalia"]
    train = [(i + 1, f"train_val2019/{kingdoms[k]}/{k}/{i:032x}.jpg") for i, k in enumerate(klass)]
    for (_, path), k in zip(train, klass, strict=True):
        write_image(folder / path, class_image(rng, k, n_classes))
    test = [(1000 + i, f"test2019/{0xabc + i:032x}.jpg") for i in range(len(test_klass))]
    for (_, path), k in zip(test, test_klass, strict=True):
        write_image(folder / path, class_image(rng, k, n_classes))
    pack(folder / "train_val2019", folder / "train_val2019.tar.gz")  # members lack the top folder, as shipped
    pack(folder / "test2019", folder / "test2019.tar.gz")
    images = [{"id": i, "file_name": p, "width": 200, "height": 160} for i, p in train]
    annotations = [{"id": i, "image_id": i, "category_id": k} for (i, _), k in zip(train, klass, strict=True)]
    (folder / "train2019.json").write_text(json.dumps({"images": images, "annotations": annotations,
                                                        "categories": [{"id": k} for k in range(n_classes)]}))
    val = {"images": [{"id": 999, "file_name": "train_val2019/Plantae/0/missing.jpg"}],
           "annotations": [{"id": 999, "image_id": 999, "category_id": 0}], "categories": []}
    (folder / "val2019.json").write_text(json.dumps(val))
    (folder / "test2019.json").write_text(json.dumps({"images": [{"id": i, "file_name": p} for i, p in test]}))
    header = ["id", "predicted"]
    write_csv(folder / "kaggle_sample_submission.csv", header, [[i, 0] for i, _ in test])
    return SynthCompetition(folder, layout, [str(k) for k in range(n_classes)], header, [str(i) for i, _ in test],
                            truth={str(i): str(k) for (i, _), k in zip(test, test_klass, strict=True)})


def _rsna_breast(rng, folder, layout, klass, test_klass, n_classes):
    def write(split, patients, cancer_of):
        rows = []
        for patient in patients:
            for side in "LR":
                label = cancer_of(patient, side)
                for view in ("CC", "MLO"):
                    image_id = str(10_000 + len(rows) + (0 if split == "train" else 50_000))
                    image = class_image(rng, label, 2).mean(2).astype("uint8")
                    write_dicom(folder / f"{split}_images" / patient / f"{image_id}.dcm", image, monochrome1=view == "MLO")
                    rows.append([1, patient, image_id, side, view, label, f"{patient}_{side}"])
        return rows

    train = write("train", [str(100 + p) for p in range(6)], lambda p, side: int((int(p) + (side == "L")) % 2))
    test = write("test", [str(900 + p) for p in range(2)], lambda p, side: int((int(p) + (side == "R")) % 2))
    write_csv(folder / "train.csv", ["site_id", "patient_id", "image_id", "laterality", "view", "cancer"],
              [r[:6] for r in train])
    write_csv(folder / "test.csv", ["site_id", "patient_id", "image_id", "laterality", "view", "prediction_id"],
              [[*r[:5], r[6]] for r in test])
    ids = list(dict.fromkeys(r[6] for r in test))
    header = ["prediction_id", "cancer"]
    write_csv(folder / "sample_submission.csv", header, [[i, 0.021] for i in ids])
    truth = {r[6]: str(r[5]) for r in test}
    return SynthCompetition(folder, layout, ["0", "1"], header, ids, params={"group_col": "patient_id"}, truth=truth)


def _npy_arrays(rng, folder, layout, klass, test_klass, n_classes):
    import numpy as np

    def write(split, names, targets):
        for name, target in zip(names, targets, strict=True):
            array = rng.normal(0, 1, (6, 64, 48)).astype(np.float32)
            if target:
                start = int(rng.integers(4, 40))
                for step in range(0, 6, 2):  # the "on" cadences
                    array[step, np.arange(64), np.clip(start + np.arange(64) // 8, 0, 47)] += 4.0
            path = folder / split / name[0] / f"{name}.npy"
            path.parent.mkdir(parents=True, exist_ok=True)
            np.save(path, array.astype(np.float16))

    train = [f"{i:x}a{i:05d}" for i in range(len(klass))]
    test = [f"{i:x}f{i:05d}" for i in range(len(test_klass))]
    write("train", train, klass)
    write("test", test, test_klass)
    write("old_leaky_data/train_old", train[:2], klass[:2])  # the pre-relaunch data: labelled, leaky, not used
    write_csv(folder / "old_leaky_data" / "train_labels_old.csv", ["id", "target"], [[n, k] for n, k in zip(train[:2], klass[:2], strict=True)])
    write_csv(folder / "train_labels.csv", ["id", "target"], [[n, k] for n, k in zip(train, klass, strict=True)])
    header = ["id", "target"]
    write_csv(folder / "sample_submission.csv", header, [[t, 0.5] for t in test])
    return SynthCompetition(folder, layout, ["0", "1"], header, test, truth=dict(zip(test, map(str, test_klass), strict=True)))


def _json_bands(rng, folder, layout, klass, test_klass, n_classes):
    """An iceberg is a bright, round blob strong in both bands; a ship is a thin, bright streak in band_1 only."""
    import numpy as np

    side = 75
    yy, xx = np.mgrid[:side, :side]

    def record(name, target, label):
        bands = rng.normal(-25, 2, (2, side, side))
        cy, cx = (int(v) for v in rng.integers(20, 55, 2))
        if target:
            bands[:, (yy - cy) ** 2 + (xx - cx) ** 2 < 36] += 12
        else:
            bands[0, cy - 1 : cy + 2, cx - 12 : cx + 12] += 12
        angle = "na" if int(rng.integers(0, 6)) == 0 and label else round(float(rng.uniform(30, 45)), 4)
        out = {"id": name, "band_1": bands[0].round(4).ravel().tolist(), "band_2": bands[1].round(4).ravel().tolist(),
               "inc_angle": angle}
        return {**out, "is_iceberg": target} if label else out

    train = [f"{i * 7919 % 99991:08x}" for i in range(len(klass))]
    test = [f"{i * 104729 % 99991 + 5:08x}" for i in range(len(test_klass))]
    for split, names, targets, label in (("train", train, klass, True), ("test", test, test_klass, False)):
        path = folder / f"{split}.json"
        path.write_text(json.dumps([record(n, t, label) for n, t in zip(names, targets, strict=True)]))
        pack(path, folder / f"{split}.json.7z")
    header = ["id", "is_iceberg"]
    write_csv(folder / "sample_submission.csv", header, [[t, 0.5] for t in test])
    pack(folder / "sample_submission.csv", folder / "sample_submission.csv.7z")
    return SynthCompetition(folder, layout, ["0", "1"], header, test, truth=dict(zip(test, map(str, test_klass), strict=True)))


_WRITERS = {
    "csv": _csv, "onehot": _onehot, "binary": _binary, "folders": _folders, "class_columns": _class_columns,
    "multilabel": _multilabel, "topk": _topk, "regression": _regression, "filename_zip": _filename_zip,
    "folders_binary": _folders_binary, "zip_flat": _zip_flat, "packed_csv": _packed_csv, "index_col": _index_col,
    "coco_json": _coco_json, "coco_tar": _coco_tar, "rsna_breast": _rsna_breast, "npy_arrays": _npy_arrays,
    "json_bands": _json_bands,
}
