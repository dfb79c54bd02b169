"""Synthetic copies of layouts public datasets ship (not on the list of competitions): VOC XML, LabelMe JSON,
YOLO txt without data.yaml, class-id and colour masks with a class table, masks beside their images, path ids,
labelled val/ splits, and no sample submission."""

from __future__ import annotations

import json
from pathlib import Path

from nbgen.synth_classes import class_image
from nbgen.synth_io import COLOURS, SynthCompetition, write_csv, write_image

PUBLIC_SEGMENTATION = ("class_table_masks", "colour_masks", "suffix_masks", "labelme_polygons", "voc_masks")
PUBLIC_DETECTION = ("voc", "labelme_boxes", "yolo_txt", "box_filename", "coco_no_sample")
PUBLIC_CLASSIFICATION = ("path_ids", "train_val", "split_folders", "chestxray_table", "channel_files")
PUBLIC_LAYOUTS = PUBLIC_SEGMENTATION + PUBLIC_DETECTION + PUBLIC_CLASSIFICATION
HW = (64, 80)
NAMES = ("road", "car")
CAMVID = (("Void", (0, 0, 0)), ("Sky", (128, 128, 128)), ("Road", (128, 64, 128)), ("Car", (64, 0, 128)))


def _scene(rng, index: int, n_classes: int = 2):
    """A dark noisy image with 0-2 rectangles, class k in its own colour; (image, [(k, x0, y0, x1, y1)])."""
    import numpy as np

    h, w = HW
    image = rng.integers(0, 60, size=(h, w, 3), dtype=np.uint8)
    boxes = []
    for j in range(0 if index % 5 == 4 else 1 + index % 2):
        k = (index + j) % n_classes
        bh, bw = int(rng.integers(14, 26)), int(rng.integers(16, 30))
        y0, x0 = int(rng.integers(0, h - bh)), int(rng.integers(0, w - bw))
        image[y0 : y0 + bh, x0 : x0 + bw] = COLOURS[k]
        boxes.append((k, x0, y0, x0 + bw, y0 + bh))
    return image, boxes


def _label_map(boxes):
    """(H, W) uint8: 0 background, k + 1 inside class k's rectangles (later ones paint over)."""
    import numpy as np

    labels = np.zeros(HW, np.uint8)
    for k, x0, y0, x1, y1 in boxes:
        labels[y0:y1, x0:x1] = k + 1
    return labels


def _class_masks(boxes, n_classes: int = 2):
    """(K, H, W) 0/1 masks of a scene's rectangles, for held-out scoring."""
    labels = _label_map(boxes)
    return (labels[None] == (1 + __import__("numpy").arange(n_classes))[:, None, None]).astype("uint8")


def make_public(folder: Path, layout: str, n_train: int = 24, n_test: int = 7, seed: int = 0) -> SynthCompetition:
    """Write a public-dataset layout into `folder` and describe it.

    class_table_masks: train/ PNGs, train_labels/ class-id PNGs with the same names, classes.csv (id,name with a
        background row); the sample has one row per image and class name: id,class,segmentation.
    colour_masks: CamVid: train/ + train_labels/<name>_L.png colour masks, val/ + val_labels/ (merged), test/ +
        test_labels/, class_dict.csv (name,r,g,b) with a Void colour; no sample submission.
    suffix_masks: LGG brain MRI: kaggle_3m/<patient>/<name>.tif with <name>_mask.tif beside it; no sample, no test.
    labelme_polygons: data/ JPEGs with a LabelMe JSON of polygons beside each; test/; sample id,class,segmentation.
    voc_masks: Pascal VOC: JPEGImages/ holds every photo, SegmentationClass/ palette PNGs of class ids 1, 2 with 255
        (void) around each object for the annotated ones only, ImageSets/Segmentation/train.txt; test/; no sample.
    voc: images/ and annots/ (Pascal VOC XML, one per image); test/; no sample submission.
    labelme_boxes: data/ JPEGs with LabelMe JSON rectangles; test/; sample image_id,PredictionString (named groups).
    yolo_txt: images/ and labels/ ('class cx cy w h'), classes.txt, no data.yaml; test/; no sample.
    box_filename: train_labels.csv filename,width,height,class,xmin..ymax keyed by file name with extension;
        the sample's id column is filename.
    coco_no_sample: COCO's own layout (annotations/instances_train.json, images/train, images/test), no sample.
    path_ids: train.csv image_path,label with ids 'images/<label>/<n>.jpg'; the sample's ids 'test/<n>.jpg'.
    train_val: train/<class>/ and val/<class>/ (merged into the folds), test/; sample id,label.
    split_folders: one training set in parts, train_1/ and train_2/, named by train.csv's image_id (no extension);
        test/; sample image_id,label.
    chestxray_table: NIH ChestX-ray14: Data_Entry_2017.csv (a table of another name) whose 'Finding Labels' join
        labels with '|' ('No Finding' holds a space), images in images_001/images/ and images_002/images/; no sample,
        no test folder (train, validate, save the weights).
    channel_files: the Human Protein Atlas: train/<uuid>_{red,green,blue,yellow}.png, one grey file per channel,
        train.csv Id,Target; test/ the same; sample Id,Predicted.
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    if layout in PUBLIC_CLASSIFICATION:
        return _classification(rng, folder, layout, n_train, n_test)
    train = [f"img{i:03d}" for i in range(n_train)]
    test = [f"test{i:03d}" for i in range(n_test)]
    scenes = [_scene(rng, i) for i in range(n_train)]
    test_scenes = [_scene(rng, i + 3) for i in range(n_test)]
    if layout in PUBLIC_SEGMENTATION:
        return _segmentation(rng, folder, layout, train, test, scenes, test_scenes)
    if layout in PUBLIC_DETECTION:
        return _detection(folder, layout, train, test, scenes, test_scenes)
    raise ValueError(f"unknown layout {layout!r}; use one of {', '.join(PUBLIC_LAYOUTS)}")


def _segmentation(rng, folder, layout, train, test, scenes, test_scenes):
    import numpy as np

    truth = {n: _class_masks(b) for n, (_, b) in zip(test, test_scenes, strict=True)}
    if layout == "class_table_masks":
        for name, (image, boxes) in zip(train, scenes, strict=True):
            write_image(folder / "train" / f"{name}.png", image)
            write_image(folder / "train_labels" / f"{name}.png", _label_map(boxes))
        for name, (image, _) in zip(test, test_scenes, strict=True):
            write_image(folder / "test" / f"{name}.png", image)
        write_csv(folder / "classes.csv", ["id", "name"], [[0, "background"], [1, NAMES[0]], [2, NAMES[1]]])
        header = ["id", "class", "segmentation"]
        write_csv(folder / "sample_submission.csv", header, [[n, c, ""] for n in test for c in NAMES])
        return SynthCompetition(folder, layout, list(NAMES), header, [n for n in test for _ in NAMES], blank_values=True,
                                truth=truth)
    if layout == "colour_masks":  # Sky above, grey road, painted cars; a Void rim around every rectangle
        def colour_mask(boxes):
            labels = _label_map(boxes)
            mask = np.zeros((*HW, 3), np.uint8)
            mask[:] = CAMVID[2][1]
            mask[:8] = CAMVID[1][1]
            for _, x0, y0, x1, y1 in boxes:
                mask[max(y0 - 1, 0) : y1 + 1, max(x0 - 1, 0) : x1 + 1] = CAMVID[0][1]
            mask[labels == 2] = CAMVID[3][1]
            return mask

        n_val = max(2, len(train) // 4)
        truth = {}
        for split, names, items in (("train", train[n_val:], scenes[n_val:]), ("val", train[:n_val], scenes[:n_val]),
                                    ("test", test, test_scenes)):
            for name, (image, boxes) in zip(names, items, strict=True):
                image[:8][_label_map(boxes)[:8] == 0] = 200
                mask = colour_mask(boxes)
                write_image(folder / split / f"{name}.png", image)
                write_image(folder / f"{split}_labels" / f"{name}_L.png", mask)
                if split == "test":  # one channel per class (Sky, Road, Car), 255 where void
                    void = (mask == CAMVID[0][1]).all(-1)
                    truth[name] = np.stack([(mask == c).all(-1) for _, c in CAMVID[1:]]).astype(np.uint8)
                    truth[name][:, void] = 255
        write_csv(folder / "class_dict.csv", ["name", "r", "g", "b"], [[n, *c] for n, c in CAMVID])
        classes = [n for n, _ in CAMVID[1:]]
        header = ["id", "class", "EncodedPixels"]
        return SynthCompetition(folder, layout, classes, header, [n for n in test for _ in classes], blank_values=True,
                                truth=truth, no_sample=True)
    if layout == "voc_masks":
        from PIL import Image

        palette = [0, 0, 0, 128, 0, 0, 0, 128, 0] + [0] * (252 * 3) + [224, 224, 192]  # 255: void
        truth = {}
        for split, names, items in (("train", train, scenes), ("test", test, test_scenes)):
            for name, (image, boxes) in zip(names, items, strict=True):
                labels = _label_map(boxes)
                for _, x0, y0, x1, y1 in boxes:  # VOC's 'void' border: a rim around every object
                    rim = np.zeros(HW, bool)
                    rim[max(y0 - 1, 0) : y1 + 1, max(x0 - 1, 0) : x1 + 1] = True
                    rim[y0 + 1 : y1 - 1, x0 + 1 : x1 - 1] = False
                    labels[rim] = 255
                if split == "test":
                    write_image(folder / "test" / f"{name}.jpg", image)
                    truth[name] = np.stack([labels == k for k in (1, 2)]).astype(np.uint8)
                    truth[name][:, labels == 255] = 255
                    continue
                write_image(folder / "JPEGImages" / f"{name}.jpg", image)
                mask = Image.fromarray(labels, "P")
                mask.putpalette(palette)
                (folder / "SegmentationClass").mkdir(exist_ok=True)
                mask.save(folder / "SegmentationClass" / f"{name}.png")
        for i in range(4):  # photos without a mask: not annotated for segmentation
            write_image(folder / "JPEGImages" / f"extra{i:03d}.jpg", _scene(rng, i)[0])
        (folder / "ImageSets" / "Segmentation").mkdir(parents=True)
        (folder / "ImageSets" / "Segmentation" / "train.txt").write_text("\n".join(train) + "\n")
        header = ["id", "class", "EncodedPixels"]
        return SynthCompetition(folder, layout, ["1", "2"], header, [n for n in test for _ in (1, 2)], blank_values=True,
                                truth=truth, no_sample=True)
    if layout == "suffix_masks":
        for i, (image, boxes) in enumerate(scenes):
            patient = folder / "kaggle_3m" / f"TCGA_CS_{4941 + i // 6}_19960909"
            name = f"{patient.name}_{i % 6 + 1}"
            grey = image.mean(2).astype(np.uint8)
            write_image(patient / f"{name}.tif", np.dstack([grey] * 3))
            write_image(patient / f"{name}_mask.tif", (_label_map(boxes) > 0).astype(np.uint8) * 255)
        write_csv(folder / "kaggle_3m" / "data.csv", ["Patient", "death01"], [[f"TCGA_CS_{4941 + i}", 0] for i in range(4)])
        return SynthCompetition(folder, layout, ["1"], ["id", "EncodedPixels"], [], no_sample=True)
    # labelme_polygons: each rectangle drawn as a polygon with a notched corner
    for name, (image, boxes) in zip(train, scenes, strict=True):
        write_image(folder / "data" / f"{name}.jpg", image)
        shapes = [{"label": NAMES[k], "shape_type": "polygon", "points": [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]}
                  for k, x0, y0, x1, y1 in boxes]
        (folder / "data" / f"{name}.json").write_text(json.dumps(
            {"version": "5.2.1", "shapes": shapes, "imagePath": f"{name}.jpg", "imageHeight": HW[0], "imageWidth": HW[1]}))
    for name, (image, _) in zip(test, test_scenes, strict=True):
        write_image(folder / "test" / f"{name}.jpg", image)
    header = ["id", "class", "segmentation"]
    write_csv(folder / "sample_submission.csv", header, [[n, c, ""] for n in test for c in NAMES])
    return SynthCompetition(folder, layout, list(NAMES), header, [n for n in test for _ in NAMES], blank_values=True,
                            truth=truth)


def _voc_xml(name: str, boxes) -> str:
    objects = "".join(f"<object><name>{NAMES[k]}</name><difficult>0</difficult><bndbox><xmin>{x0}</xmin><ymin>{y0}</ymin>"
                      f"<xmax>{x1}</xmax><ymax>{y1}</ymax></bndbox></object>" for k, x0, y0, x1, y1 in boxes)
    return (f"<annotation><folder>images</folder><filename>{name}.jpg</filename><size><width>{HW[1]}</width>"
            f"<height>{HW[0]}</height><depth>3</depth></size>{objects}</annotation>")


def _detection(folder, layout, train, test, scenes, test_scenes):
    truth = {n: [(NAMES[k], x0, y0, x1, y1) for k, x0, y0, x1, y1 in b] for n, (_, b) in zip(test, test_scenes, strict=True)}
    image_dir = {"voc": "images", "labelme_boxes": "data", "yolo_txt": "images", "box_filename": "train",
                 "coco_no_sample": "images/train"}[layout]
    test_dir = "images/test" if layout == "coco_no_sample" else "test"
    for name, (image, _) in zip(train, scenes, strict=True):
        write_image(folder / image_dir / f"{name}.jpg", image)
    for name, (image, _) in zip(test, test_scenes, strict=True):
        write_image(folder / test_dir / f"{name}.jpg", image)
    h, w = HW
    header, sample = ["image_id", "PredictionString"], False
    if layout == "voc":
        (folder / "annots").mkdir()
        for name, (_, boxes) in zip(train, scenes, strict=True):
            (folder / "annots" / f"{name}.xml").write_text(_voc_xml(name, boxes))
    elif layout == "labelme_boxes":
        for name, (_, boxes) in zip(train, scenes, strict=True):
            shapes = [{"label": NAMES[k], "shape_type": "rectangle", "points": [[x1, y1], [x0, y0]]}
                      for k, x0, y0, x1, y1 in boxes]
            (folder / "data" / f"{name}.json").write_text(json.dumps({"shapes": shapes, "imagePath": f"{name}.jpg"}))
        write_csv(folder / "sample_submission.csv", header, [[n, "car 0.5 0 0 10 10"] for n in test])
        sample = True
    elif layout == "yolo_txt":
        (folder / "labels").mkdir()
        for name, (_, boxes) in zip(train, scenes, strict=True):
            lines = [f"{k} {(x0 + x1) / 2 / w:.6f} {(y0 + y1) / 2 / h:.6f} {(x1 - x0) / w:.6f} {(y1 - y0) / h:.6f}"
                     for k, x0, y0, x1, y1 in boxes]
            (folder / "labels" / f"{name}.txt").write_text("\n".join(lines) + ("\n" if lines else ""))
        (folder / "classes.txt").write_text("\n".join(NAMES) + "\n")
    elif layout == "box_filename":
        rows = [[f"{n}.jpg", w, h, NAMES[k], x0, y0, x1, y1] for n, (_, b) in zip(train, scenes, strict=True)
                for k, x0, y0, x1, y1 in b]
        write_csv(folder / "train_labels.csv", ["filename", "width", "height", "class", "xmin", "ymin", "xmax", "ymax"], rows)
        header = ["filename", "PredictionString"]
        write_csv(folder / "sample_submission.csv", header, [[f"{n}.jpg", "car 0.5 0 0 10 10"] for n in test])
        truth = {f"{n}.jpg": v for n, v in truth.items()}
        test, sample = [f"{n}.jpg" for n in test], True
    else:
        coco = {"images": [{"id": i + 1, "file_name": f"{n}.jpg", "width": w, "height": h} for i, n in enumerate(train)],
                "annotations": [{"id": 100 * i + j, "image_id": i + 1, "category_id": k + 1, "bbox": [x0, y0, x1 - x0, y1 - y0],
                                 "area": (x1 - x0) * (y1 - y0), "iscrowd": 0}
                                for i, (_, boxes) in enumerate(scenes) for j, (k, x0, y0, x1, y1) in enumerate(boxes)],
                "categories": [{"id": k + 1, "name": n} for k, n in enumerate(NAMES)]}
        (folder / "annotations").mkdir()
        (folder / "annotations" / "instances_train.json").write_text(json.dumps(coco))
    return SynthCompetition(folder, layout, list(NAMES), header, test, blank_values=True, truth=truth, no_sample=not sample)


def _classification(rng, folder, layout, n_train, n_test):
    names = ["daisy", "rose", "tulip"]
    labels = [i % 3 for i in range(n_train)]
    test_labels = [(i + 1) % 3 for i in range(n_test)]
    truth = {}
    if layout == "path_ids":
        rows = []
        for i, k in enumerate(labels):
            rel = f"images/{names[k]}/{100 + i}.jpg"
            write_image(folder / rel, class_image(rng, k, 3))
            rows.append([rel, names[k]])
        write_csv(folder / "train.csv", ["image_path", "label"], rows)
        test = [f"test/{500 + i}.jpg" for i in range(n_test)]
        header = ["image_path", "label"]
    elif layout == "chestxray_table":
        findings = [names[k] if i % 4 else f"{names[k]}|{names[(k + 1) % 3]}" for i, k in enumerate(labels)]
        findings[::5] = ["No Finding"] * len(findings[::5])
        rows = []
        for i, (k, finding) in enumerate(zip(labels, findings, strict=True)):
            name = f"{i:08d}_000.png"
            write_image(folder / f"images_{1 + 2 * i // n_train:03d}" / "images" / name, class_image(rng, k, 3))
            rows.append([name, finding, 0, i // 3, 40 + i % 30, "MF"[i % 2], "PA"])
        write_csv(folder / "Data_Entry_2017.csv", ["Image Index", "Finding Labels", "Follow-up #", "Patient ID",
                                                   "Patient Age", "Patient Gender", "View Position"], rows)
        return SynthCompetition(folder, layout, sorted({t for f in findings for t in f.split("|")}),
                                ["Image Index", "Finding Labels"], [], no_sample=True)
    elif layout == "channel_files":
        import numpy as np

        def write_channels(split, image_id, k):
            image = class_image(rng, k, 3)
            for c, channel in enumerate(("red", "green", "blue")):
                write_image(folder / split / f"{image_id}_{channel}.png", np.ascontiguousarray(image[..., c]))
            write_image(folder / split / f"{image_id}_yellow.png", np.zeros(image.shape[:2], np.uint8))

        rows = []
        for i, k in enumerate(labels):
            image_id = f"{i:08x}-bbc1-11e8-b2bc-ac1f6b6435d0"
            write_channels("train", image_id, k)
            rows.append([image_id, str(k)])
        write_csv(folder / "train.csv", ["Id", "Target"], rows)
        test = [f"{500 + i:08x}-bbca-11e8-b2bc-ac1f6b6435d0" for i in range(n_test)]
        for image_id, k in zip(test, test_labels, strict=True):
            write_channels("test", image_id, k)
            truth[image_id] = str(k)
        write_csv(folder / "sample_submission.csv", ["Id", "Predicted"], [[t, "0"] for t in test])
        return SynthCompetition(folder, layout, ["0", "1", "2"], ["Id", "Predicted"], test, truth=truth)
    elif layout == "split_folders":
        rows = []
        for i, k in enumerate(labels):
            write_image(folder / f"train_{1 + i % 2}" / f"{100 + i}.jpg", class_image(rng, k, 3))
            rows.append([str(100 + i), names[k]])
        write_csv(folder / "train.csv", ["image_id", "label"], rows)
        test = [str(500 + i) for i in range(n_test)]
        header = ["image_id", "label"]
    else:
        n_val = max(3, n_train // 4)
        for i, k in enumerate(labels):
            split = "val" if i < n_val else "train"
            write_image(folder / split / names[k] / f"{names[k]}_{i}.jpg", class_image(rng, k, 3))
        test = [f"{500 + i}.jpg" for i in range(n_test)]
        header = ["id", "label"]
    for rel, k in zip(test, test_labels, strict=True):
        path = rel if "/" in rel else f"test/{rel}"
        write_image(folder / (path if "." in path.rpartition("/")[2] else f"{path}.jpg"), class_image(rng, k, 3))
        truth[rel] = names[k]
    write_csv(folder / "sample_submission.csv", header, [[t, names[0]] for t in test])
    return SynthCompetition(folder, layout, names, header, test, truth=truth)
