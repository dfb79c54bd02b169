"""Discover what a competition folder holds and how to read it; every finding names where it came from.

One set of rules for `nbgen inspect`, `nbgen new --data` and the notebook itself, which runs it again
on Kaggle's mounted data. The task comes from evidence that agrees (the sample's columns, the tables,
annotation files, mask folders told by what they hold); where two readings fit, it stops with the
candidates and the parameter to set. The plan then explains every sample column and every top-level
file. Standard library (and Pillow for the few mask files it opens): the light CLI imports it.
"""

from pathlib import Path

from lib.discover_boxes import annotation_folders, labelme_task
from lib.discover_masks import find_mask_sources
from lib.explain import explain_files, explain_sample
from lib.layout import (
    BOX_COLUMN_NAMES,
    PROBE_IDS,
    RLE_COLUMNS,
    TEST_DIRS,
    TRAIN_DIRS,
    Inputs,
    Plan,
    ambiguous,
    check_supported,
    describe_images,
    find_sample,
    json_files,
    json_kind,
    labelled_box_columns,
    locate_image_dir,
    packed_box_columns,
    resolvable_ids,
    training_tables,
)
from lib.needs import need

TASKS = ("classification", "segmentation", "detection", "image2image", "image2text")
TASK_RULES = {"classification": "discover_labels.discover_classification", "detection": "discover_boxes.discover_detection",
              "segmentation": "discover_segmentation.discover_segmentation", "image2image": "discover.discover_image2image",
              "image2text": "discover_text.discover_image2text"}
TARGET_WORDS = ("cleaned", "clean", "target", "targets")  # folders of image-to-image targets


def discover(root, task="", **params):
    """Return the Plan for the competition folder `root`; params are the notebook's data parameters ('' = auto).

    Raises:
        AmbiguousInputError: two readings fit (the message names the candidates and the parameter).
        ValueError / FileNotFoundError: nothing fits, or a file cannot be read (the message names it).
    """
    if task and task not in TASKS:
        raise ValueError(f"unknown task {task!r}; use {', '.join(TASKS)}")
    # Gigapixel TIFFs are tiled for segmentation only; the other tasks read them whole.
    inputs = Inputs(root, params.get("tile_size", 0) if task in ("", "segmentation") else None, params.get("train_csv", ""))
    plan = Plan(root)
    check_supported(inputs, plan)
    find_sample(inputs, plan, params.get("sample_csv", ""))
    if task:
        _check_sample_agrees(plan, task)
        plan.set("task", task, "parameter task")
    else:
        task = need("discover.infer_task", "a folder without task")(inputs, plan, params)
    if task != "segmentation" and any(c.kind == "tiled_tiff" for c in inputs.conversions):
        inputs = Inputs(root, None)
    plan.notes[:0] = inputs.notes
    # Each task's rules by name: a notebook carries its own task's only.
    need(TASK_RULES[task], f"a {task} plan")(inputs, plan, params)
    arrays = [r for r in inputs.images_under(plan.get("train_image_dir") or "")[:PROBE_IDS] if r.endswith(".npy")]
    if arrays and task != "classification":
        raise ValueError(f"{plan['train_image_dir'] or 'the root'}/ holds .npy arrays: the {task} notebook reads image "
                         "files only (arrays work in classification notebooks)")
    describe_images(inputs, plan)
    explain_sample(plan)
    explain_files(inputs, plan)
    return plan


def _id_columns(inputs, header, rows):
    """Columns whose first values name image files, or begin their names ('<id>_red.png': HPA's channel files): ids,
    however much they look like text (UUIDs, hashes)."""
    stems = inputs.image_keys("")["stem"]
    heads = {s.rpartition("_")[0] for s in stems}
    found = []
    for i, column in enumerate(header):
        values = [r[i] for r in rows[:PROBE_IDS] if len(r) > i]
        if values and (len(resolvable_ids(inputs, values)) == len(values) or all(v in heads for v in values)):
            found.append(column)
    return found


def task_evidence(inputs, plan, params):
    """[(task, why)]: what the sample's columns, the tables, annotation files and mask folders each say the task is."""
    found = []
    sample = _sample_task(plan)
    if sample:
        found.append(sample)
    for rel in training_tables(inputs, params.get("train_csv", "")):
        header, rows = inputs.read_csv(rel)
        lower = {c.lower() for c in header}
        values = plan.get("value_cols", [])
        text = [c for c in need("discover_text.text_columns", "a table of free text")(header, rows, _id_columns(
            inputs, header, rows)) if not values or c in values] if len(values) <= 1 else []
        if text:  # one word per sample row fits a string to read as well as a label: the table tells which
            found = [f for f in found if f[0] != "classification"]
            found.append(("image2text", f"{rel}:{', '.join(text)} holds free text" +
                          (", the sample's value column" if values else " (no sample submission)")))
        if lower & RLE_COLUMNS:
            found.append(("segmentation", f"{rel}: RLE column {sorted(lower & RLE_COLUMNS)}"))
        elif lower & BOX_COLUMN_NAMES or {"xmin", "ymin"} <= lower or {"x_min", "y_min"} <= lower:
            found.append(("detection", f"{rel}: box columns"))
        elif packed_box_columns(header, rows) or labelled_box_columns(header, rows):
            column = (packed_box_columns(header, rows) or labelled_box_columns(header, rows))[0]
            found.append(("detection", f"{rel}:{column} holds box strings"))
    for rel in json_files(inputs):
        kind = json_kind(inputs, rel)
        if kind == "coco_boxes":
            found.append(("detection", f"{rel}: COCO annotations with bbox"))
        elif kind == "coco_labels":
            found.append(("classification", f"{rel}: COCO-style annotations without boxes"))
    for fmt, (folder, files, detail) in annotation_folders(inputs).items():
        where = f"{len(files)} {fmt} files below {folder or 'the root'}/"
        if fmt == "labelme":
            shapes = ", ".join(f"{n} {k}" for k, n in detail.items())
            found.append((labelme_task(detail) or "a mix of detection and segmentation", f"{where} ({shapes})"))
        else:
            found.append(("detection", where))
    pairs = _target_folders(inputs, "")
    if pairs:
        found.append(("image2image", f"{pairs[0][1]}/ holds the images of {pairs[0][0]}/ under the same names"))
    targets = {t for _, t in pairs}
    masks = [s for s in find_mask_sources(inputs) if s.mask_dir not in targets and not _is_test(s.image_dir)]
    if masks:
        found.append(("segmentation", f"masks: {masks[0].describe()}"))
    return found


def infer_task(inputs, plan, params):
    """The one task the evidence agrees on; classification when nothing points elsewhere; a stop when it disagrees."""
    found = task_evidence(inputs, plan, params)
    tasks = list(dict.fromkeys(t for t, _ in found))
    if len(tasks) > 1 or (tasks and tasks[0] not in TASKS):
        raise ambiguous("the files disagree on the task", [f"{t} ({why})" for t, why in found], "task (nbgen new --task)")
    if tasks:
        return plan.set("task", tasks[0], "; ".join(why for _, why in found))
    return plan.set("task", "classification", "no masks, boxes, RLE or annotation files found")


def _sample_task(plan):
    """(task, why) when the sample's columns can only mean one task: box strings, RLE masks, one row per pixel, or one
    word or number per image and column (a label or probabilities). Blank or several-word placeholders say nothing."""
    sample = plan.get("sample_csv")
    if not sample:
        return None
    values = [c.lower() for c in plan.get("value_cols", [])]
    if "predictionstring" in values:
        return "detection", f"{sample}: PredictionString column"
    rle = [c for c in plan.get("value_cols", []) if c.lower() in RLE_COLUMNS]
    if rle:
        return "segmentation", f"{sample}: RLE column {rle[0]!r}"
    if _pixel_ids(plan.sample_ids):
        return "image2image", f"{sample}: one row per pixel, ids '<image>_<row>_<col>'"
    rows = plan.sample_values[:20]
    if rows and all(len(r) == len(values) and all(len(v.split()) == 1 for v in r) for r in rows):
        return "classification", f"{sample}: one answer per image ({', '.join(plan['value_cols'][:4])})"
    return None


def _pixel_ids(ids):
    probe = ids[: PROBE_IDS * 4]
    if not probe or not all(i.count("_") >= 2 and i.rsplit("_", 2)[1].isdigit() and i.rsplit("_", 2)[2].isdigit()
                            for i in probe):
        return False
    return len({i.rsplit("_", 2)[0] for i in ids}) * 2 <= len(ids)


def _check_sample_agrees(plan, task):
    """A notebook of one task stops on data whose sample can only mean another, before anything trains."""
    found = _sample_task(plan)
    if found and found[0] == "classification" and task == "image2text":
        return  # one word per row: a string to read fits it as well as a label
    if found and found[0] != task:
        raise ValueError(f"{found[1]}: this looks like a {found[0]} competition, and this is a {task} notebook; "
                         f"generate it with --task {found[0]} (nbgen new --data DIR finds the task)")


def _is_test(folder):
    return "test" in folder.rpartition("/")[2].lower()


def _target_folders(inputs, train_dir):
    """[(input folder, target folder)]: a folder named like '<train>_cleaned' (or clean, target) holding the same file names."""
    inputs_dirs = [train_dir] if train_dir else inputs.existing(TRAIN_DIRS)
    pairs = []
    for folder in inputs_dirs:
        names = {r.rpartition("/")[2] for r in inputs.images_under(folder)}
        candidates = [f"{folder}_{w}" for w in TARGET_WORDS] + [f"{Path(folder).parent}/{w}".lstrip("./") for w in TARGET_WORDS]
        for target in inputs.existing(candidates):
            if names and {r.rpartition("/")[2] for r in inputs.images_under(target)} == names:
                pairs.append((folder, target))
    return pairs


def discover_image2image(inputs, plan, params):
    train_dir, source = locate_image_dir(inputs, [], params.get("train_image_dir", ""), "train_image_dir", TRAIN_DIRS)
    if train_dir is None:
        raise FileNotFoundError(f"no input image folder in {inputs.root} (looked for {', '.join(TRAIN_DIRS)}); "
                                "set train_image_dir")
    plan.set("train_image_dir", train_dir, source)
    given = params.get("target_dir", "")
    if given:
        if not inputs.is_folder(given):
            raise FileNotFoundError(f"target_dir={given!r} is not a folder of {inputs.root}; fix target_dir")
        plan.set("target_dir", given, "parameter target_dir")
    else:
        pairs = _target_folders(inputs, train_dir)
        if len(pairs) > 1:
            raise ambiguous("several folders hold targets for the same images", [t for _, t in pairs], "target_dir")
        if not pairs:
            raise FileNotFoundError(f"no folder of target images with the file names of {train_dir}/ "
                                    f"(looked for {train_dir}_cleaned, {train_dir}_clean, ...); set target_dir")
        plan.set("target_dir", pairs[0][1], f"the one folder holding {train_dir}/'s file names, named like targets")
    if not plan.get("sample_csv"):
        raise FileNotFoundError(f"no sample submission in {inputs.root}: the per-pixel rows and the test images come "
                                "from it; attach the competition's files with its sample submission")
    # One sample row per pixel, '<image>_<row>_<col>': the images are the ids without their last two parts.
    images = list(dict.fromkeys(i.rsplit("_", 2)[0] for i in plan.sample_ids if i.count("_") >= 2))
    if plan.sample_ids and len(images) * 2 > len(plan.sample_ids):
        raise ValueError(f"{plan.get('sample_csv')}: ids such as {plan.sample_ids[0]!r} are not '<image>_<row>_<col>' "
                         "pixel ids; this layout is not supported yet")
    plan.set("submission_format", "pixels", f"{plan.get('sample_csv')}: one row per pixel, ids '<image>_<row>_<col>'")
    plan.set("metric", params.get("metric") or "rmse", "parameter metric" if params.get("metric") else "the usual metric "
             "for pixel values")
    test_dir, source = locate_image_dir(inputs, resolvable_ids(inputs, images[: PROBE_IDS * 4]),
                                        params.get("test_image_dir", ""), "test_image_dir", TEST_DIRS)
    if test_dir is None:
        raise FileNotFoundError(f"no test image folder holding the sample's images in {inputs.root}; set test_image_dir")
    plan.set("test_image_dir", test_dir, source)
