"""Discover what a competition folder holds and how to read it; every finding names where it came from.

One set of rules for `nbgen inspect`, `nbgen new --data` and the notebook itself, which runs it again
on Kaggle's mounted data. Where two readings fit, it stops with the candidates and the parameter to set.
Standard library only: the light CLI imports it.
"""

from pathlib import Path

from lib.discover_labels import discover_classification
from lib.discover_study import find_study_table
from lib.layout import (
    BOX_COLUMN_NAMES,
    MASK_DIRS,
    PROBE_IDS,
    RLE_COLUMNS,
    TEST_DIRS,
    TRAIN_DIRS,
    TRAIN_TABLES,
    Inputs,
    Plan,
    ambiguous,
    check_one_image_per_id,
    check_supported,
    describe_images,
    find_id_template,
    find_sample,
    find_test_dir,
    group_candidates,
    json_base,
    json_files,
    json_images,
    json_kind,
    labelled_box_columns,
    locate_image_dir,
    packed_box_columns,
    pick_json,
    resolvable_ids,
    table_source,
    training_tables,
)

TARGET_WORDS = ("cleaned", "clean", "target", "targets")  # folders of image-to-image targets


def discover(root, task="", **params):
    """Return the Plan for the competition folder `root`; params are the notebook's data parameters ('' = auto).

    Raises:
        AmbiguousInputError: two readings fit (the message names the candidates and the parameter).
        ValueError / FileNotFoundError: nothing fits, or a file cannot be read (the message names it).
    """
    # Gigapixel TIFFs are tiled for segmentation only; the other tasks read them whole.
    inputs = Inputs(root, params.get("tile_size", 0) if task in ("", "segmentation") else None, params.get("train_csv", ""))
    plan = Plan(root)
    check_supported(inputs, plan)
    find_sample(inputs, plan, params.get("sample_csv", ""))
    task = task or _infer_task(inputs, plan, params)
    if task != "segmentation" and any(c.kind == "tiled_tiff" for c in inputs.conversions):
        inputs = Inputs(root, None)
    plan.notes[:0] = inputs.notes
    if not plan.get("task"):
        plan.set("task", task, "parameter task")
    if task == "classification":
        discover_classification(inputs, plan, params)
    elif task == "segmentation":
        _discover_segmentation(inputs, plan, params)
    elif task == "detection":
        _discover_detection(inputs, plan, params)
    elif task == "image2image":
        _discover_image2image(inputs, plan, params)
    else:
        raise ValueError(f"unknown task {task!r}; use classification, segmentation, detection or image2image")
    arrays = [r for r in inputs.images_under(plan.get("train_image_dir") or "")[:PROBE_IDS] if r.endswith(".npy")]
    if arrays and task != "classification":
        raise ValueError(f"{plan['train_image_dir'] or 'the root'}/ holds .npy arrays: the {task} notebook reads image "
                         "files only (arrays work in classification notebooks)")
    describe_images(inputs, plan)
    return plan


def _infer_task(inputs, plan, params):
    """Segmentation when a table has an RLE column or masks sit beside images; detection for boxes; else classification."""
    for rel in training_tables(inputs, params.get("train_csv", "")):
        header, rows = inputs.read_csv(rel)
        lower = {c.lower() for c in header}
        if lower & RLE_COLUMNS:
            return plan.set("task", "segmentation", f"{rel}: RLE column {sorted(lower & RLE_COLUMNS)}")
        if lower & BOX_COLUMN_NAMES:
            return plan.set("task", "detection", f"{rel}: box columns {sorted(lower & BOX_COLUMN_NAMES)}")
        packed = packed_box_columns(header, rows)
        if packed:
            return plan.set("task", "detection", f"{rel}:{packed[0]} holds 'label x y w h' groups")
    for rel in json_files(inputs):
        kind = json_kind(inputs, rel)
        if kind == "coco_boxes":
            return plan.set("task", "detection", f"{rel}: COCO annotations with bbox")
        if kind == "coco_labels":
            return plan.set("task", "classification", f"{rel}: COCO-style annotations without boxes")
    pair = _target_folders(inputs, "")
    if pair:
        return plan.set("task", "image2image", f"{pair[0][1]}/ holds the images of {pair[0][0]}/ under the same names")
    if any(r.rpartition("/")[2] == "data.yaml" for r in inputs.files):
        return plan.set("task", "detection", "data.yaml (YOLO labels)")
    if any(inputs.is_folder(m) for m in MASK_DIRS):
        masks = next(m for m in MASK_DIRS if inputs.is_folder(m))
        return plan.set("task", "segmentation", f"mask folder {masks}/")
    value_cols = plan.get("value_cols", [])
    if [c.lower() for c in value_cols] == ["predictionstring"]:
        return plan.set("task", "detection", f"{plan['sample_csv']}: PredictionString column")
    return plan.set("task", "classification", "no masks, boxes or RLE found")


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


def _discover_image2image(inputs, plan, params):
    names = {}
    train_dir, source = locate_image_dir(inputs, names, [], params.get("train_image_dir", ""), "train_image_dir", TRAIN_DIRS)
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
    test_dir, source = locate_image_dir(inputs, names, resolvable_ids(inputs, names, images[: PROBE_IDS * 4]),
                                        params.get("test_image_dir", ""), "test_image_dir", TEST_DIRS)
    if test_dir is None:
        raise FileNotFoundError(f"no test image folder holding the sample's images in {inputs.root}; set test_image_dir")
    plan.set("test_image_dir", test_dir, source)


def _discover_segmentation(inputs, plan, params):
    tables = training_tables(inputs, params.get("train_csv", ""))
    names = {}
    train_ids = []
    if tables:
        plan.set("train_csv", tables[0], table_source(tables, params.get("train_csv", "")))
        header, rows = inputs.read_csv(tables[0])
        id_col = params.get("id_col") or header[0]
        if id_col not in header:
            raise KeyError(f"id_col={id_col!r} is not a column of {tables[0]} ({header}); fix id_col")
        train_ids = list(dict.fromkeys(r[header.index(id_col)] for r in rows))[: PROBE_IDS * 4]
        plan.set("groups", group_candidates(header), f"{tables[0]}: columns named like groups")
    template, why = find_id_template(inputs, train_ids, params.get("id_template", ""))
    if template:
        plan.set("id_template", template, why)
    train_dir, source = locate_image_dir(inputs, names, resolvable_ids(inputs, names, train_ids, template),
                                       params.get("train_image_dir", ""), "train_image_dir", TRAIN_DIRS, template)
    if train_dir is None:
        raise FileNotFoundError(f"no training image folder in {inputs.root} (looked for {', '.join(TRAIN_DIRS)}); "
                                "set train_image_dir")
    plan.set("train_image_dir", train_dir, source)
    mask_dir = params.get("mask_dir", "")
    if not mask_dir:
        parent = str(Path(train_dir).parent)
        siblings = [f"{parent}/{m}".lstrip("./") for m in ("masks", "mask", "labels", "gt")]
        mask_dir = next((m for m in (*siblings, *MASK_DIRS) if inputs.is_folder(m)), "")
    if mask_dir:
        plan.set("mask_dir", mask_dir, "parameter mask_dir" if params.get("mask_dir") else "mask folder by name")
    elif not tables:
        raise FileNotFoundError(f"no RLE table ({', '.join(TRAIN_TABLES)}) and no mask folder in {inputs.root}; "
                                "set train_csv or mask_dir")
    find_test_dir(inputs, plan, names, params)


def _discover_detection(inputs, plan, params):
    annotation = params.get("annotation_file", "")
    if annotation:
        if annotation not in inputs.files:
            raise FileNotFoundError(f"annotation_file={annotation!r} is not in {inputs.root}; fix annotation_file")
        plan.set("annotation_file", annotation, "parameter annotation_file")
    else:
        found = []
        for rel in training_tables(inputs, ""):
            header, rows = inputs.read_csv(rel)
            if ({c.lower() for c in header} & BOX_COLUMN_NAMES or packed_box_columns(header, rows)
                    or labelled_box_columns(header, rows)):
                found.append((rel, f"{rel}: box columns"))
        coco, why = pick_json(inputs, "coco_boxes", "annotation_file")
        if coco:
            found.append((coco, why))
        found += [(r, "YOLO data.yaml") for r in sorted(inputs.files) if r.rpartition("/")[2] == "data.yaml"]
        if len(found) > 1:
            raise ambiguous("several annotation files fit", [f for f, _ in found], "annotation_file")
        if not found:
            raise FileNotFoundError(f"no annotation file in {inputs.root} (a box table, COCO JSON or data.yaml); "
                                    "set annotation_file")
        plan.set("annotation_file", *found[0])
    names = {}
    rel = plan["annotation_file"]
    fmt = params.get("annotation_format", "auto") or "auto"
    if fmt != "auto":
        plan.set("annotation_format", fmt, "parameter annotation_format")
        if fmt in ("packed_csv", "labelled_csv"):
            header, rows = inputs.read_csv(rel)
            finder, groups = ((packed_box_columns, "label x y w h") if fmt == "packed_csv" else
                              (labelled_box_columns, "label conf x0 y0 x1 y1"))
            packed = finder(header, rows)
            if not packed:
                raise ValueError(f"annotation_format={fmt!r} but no column of {rel} holds '{groups}' groups; "
                                 "fix annotation_format or annotation_file")
            plan.set("packed_col", box_column(packed, groups, rel, params.get("bbox_col", "")),
                     f"{rel}: the column of '{groups}' groups")
    elif Path(rel).suffix in (".json", ".yaml", ".yml"):
        plan.set("annotation_format", "coco" if rel.endswith(".json") else "yolo", f"{rel}: file type")
    else:
        bbox_col = params.get("bbox_col", "") or "bbox"
        header, rows = inputs.read_csv(rel)
        packed = packed_box_columns(header, rows)
        labelled = labelled_box_columns(header, rows)
        # A '[x, y, w, h]' column named bbox_col wins, unless bbox_col names one of the box-string columns.
        if packed and (bbox_col not in header or bbox_col in packed):
            column = box_column(packed, "label x y w h", rel, bbox_col)
            plan.set("annotation_format", "packed_csv", f"{rel}:{column} holds 'label x y w h' groups")
            plan.set("packed_col", column, f"{rel}: the column of packed boxes")
        elif labelled and (bbox_col not in header or bbox_col in labelled):
            column = box_column(labelled, "label conf x0 y0 x1 y1", rel, bbox_col)
            plan.set("annotation_format", "labelled_csv", f"{rel}:{column} holds 'label conf x0 y0 x1 y1' groups")
            plan.set("packed_col", column, f"{rel}: the column of labelled boxes")
            index = header.index(column)
            fillers = sorted({v.split()[0] for r in rows if len(r) > index and (v := r[index]).split()[2:6] == ["0", "0", "1", "1"]})
            if fillers:
                plan.set("no_box_filler", f"'{' / '.join(fillers)} <conf> 0 0 1 1'", f"{rel}:{column}: a 1 x 1 box at the origin "
                         "marks an image without boxes")
        else:
            plan.set("annotation_format", "bbox_csv" if bbox_col in header else "xyxy_csv",
                     f"{rel}: {'an' if bbox_col in header else 'no'} {bbox_col!r} column of [x, y, w, h] boxes")
    train_dir = params.get("train_image_dir", "")
    if rel.endswith(".json") and not train_dir:
        data = inputs.read_json(rel)
        files = [f for _, f in json_images(data)]
        base = json_base(inputs, rel, files, "train_image_dir")
        plan.set("train_image_dir", base, f"{rel}: images[].file_name resolve under it")
        check_one_image_per_id(inputs, base, "train_image_dir")
    else:
        ids, template = [], ""
        if rel.endswith(".csv"):
            header, rows = inputs.read_csv(rel)
            id_col = params.get("id_col") or header[0]
            ids = list(dict.fromkeys(r[header.index(id_col)] for r in rows))[: PROBE_IDS * 4]
            template, why = find_id_template(inputs, ids, params.get("id_template", ""))
            if template:
                plan.set("id_template", template, why)
            ids = resolvable_ids(inputs, names, ids, template)
            plan.set("groups", group_candidates(header), f"{rel}: columns named like groups")
        folder, source = locate_image_dir(inputs, names, ids, train_dir, "train_image_dir", TRAIN_DIRS, template)
        if folder is None:
            raise FileNotFoundError(f"no training image folder in {inputs.root}; set train_image_dir")
        plan.set("train_image_dir", folder, source)
    find_test_dir(inputs, plan, names, params)
    find_study_table(inputs, plan, params)


def box_column(columns, groups, rel, given=""):
    """The one column of `rel` whose values are `groups` strings; bbox_col (`given`) picks among several."""
    if given in columns:
        return given
    if len(columns) > 1:
        raise ambiguous(f"several columns of {rel} hold '{groups}' groups", columns, "bbox_col")
    return columns[0]
