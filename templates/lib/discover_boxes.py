"""Detection discovery: the annotation source (a box table, COCO JSON, YOLO txt, Pascal VOC XML or LabelMe JSON),
the columns or fields the boxes are read from, the image folders and the submission's rows.

Also finds the per-image annotation files (VOC, LabelMe, YOLO txt) that task discovery weighs as evidence.
"""

import xml.etree.ElementTree as ET
from collections import Counter

from lib.layout import (
    BOX_COLUMN_NAMES,
    PROBE_IDS,
    TRAIN_DIRS,
    VAL_DIRS,
    ambiguous,
    find_id_template,
    find_test_dir,
    find_test_without_sample,
    group_candidates,
    id_key,
    image_folders,
    is_number,
    json_base,
    json_images,
    labelled_box_columns,
    locate_image_dir,
    merges_val,
    packed_box_columns,
    pick_json,
    resolvable_ids,
    table_id_column,
    training_tables,
)
from lib.needs import need

XYXY_NAMES = (("x_min", "y_min", "x_max", "y_max"), ("xmin", "ymin", "xmax", "ymax"), ("x0", "y0", "x1", "y1"),
              ("x1", "y1", "x2", "y2"), ("left", "top", "right", "bottom"))
XYWH_NAMES = (("x", "y", "w", "h"), ("x", "y", "width", "height"), ("bbox_x", "bbox_y", "bbox_w", "bbox_h"))
CLASS_NAMES = ("class_id", "class_name", "class", "label", "category", "category_id", "name")
YOLO_NAME_FILES = ("data.yaml", "dataset.yaml", "classes.txt", "obj.names", "classes.names", "_darknet.labels")
PROBE_ANNOTATION_FILES = 32  # per-image annotation files parsed to tell their format and shapes
FILE_FORMATS = ("voc", "labelme", "yolo")
BOX_FORMATS = {"wheat": "'conf x y w h ...'", "vinbig": "'class conf x0 y0 x1 y1 ...'", "points": "'label cx cy ...'",
               "named": "'name conf x0 y0 x1 y1 ...'"}


def annotation_folders(inputs):
    """{format: (folder, files, detail)} of per-image annotation files: VOC XML, LabelMe JSON, YOLO txt; cached."""
    if inputs.annotation_folders is None:
        inputs.annotation_folders = _annotation_folders(inputs)
    return inputs.annotation_folders


def _annotation_folders(inputs):
    by_suffix = {".xml": [], ".json": [], ".txt": []}
    for rel in inputs.files:
        suffix = rel[rel.rfind("."):].lower() if "." in rel else ""
        if suffix in by_suffix and (inputs.files[rel] is None or inputs.files[rel][0] != "converted"):
            by_suffix[suffix].append(rel)
    found = {}
    if not any(by_suffix.values()):
        return found
    # A per-image annotation file carries its image's stem; the first three of each kind must parse as that format.
    stems = {r.rpartition("/")[2].rpartition(".")[0] for r in inputs.images_under("")}
    named = {k: sorted(r for r in v if r.rpartition("/")[2].rpartition(".")[0] in stems) for k, v in by_suffix.items()}
    xmls, labelme, txts = named[".xml"], named[".json"], named[".txt"]
    if xmls and all(_voc_objects(inputs, r) is not None for r in xmls[:3]):
        found["voc"] = (_common_folder(xmls), xmls, "Pascal VOC XML")
    if labelme and all(_labelme_shapes(inputs, r) is not None for r in labelme[:3]):
        shapes = Counter(s for rel in labelme[:PROBE_ANNOTATION_FILES] for s in _labelme_shapes(inputs, rel) or [])
        found["labelme"] = (_common_folder(labelme), labelme, dict(shapes))
    if len(txts) >= 2 and all(_yolo_rows(inputs, r) for r in txts[:3]):
        found["yolo"] = (_common_folder(txts), txts, "class cx cy w h rows")
    return found


def _common_folder(rels):
    parts = [r.split("/")[:-1] for r in rels]
    common = []
    for level in zip(*parts, strict=False):
        if len(set(level)) > 1:
            break
        common.append(level[0])
    return "/".join(common)


def _voc_objects(inputs, rel):
    """[(name, x0, y0, x1, y1)] of a Pascal VOC XML, or None when the file is not one."""
    try:
        root = ET.fromstring(inputs.read_bytes(rel))
    except ET.ParseError:
        return None
    if root.tag != "annotation":
        return None
    objects = []
    for obj in root.iter("object"):
        box = obj.find("bndbox")
        if box is None or obj.findtext("name") is None:
            return None
        objects.append((obj.findtext("name").strip(), *(box.findtext(k) for k in ("xmin", "ymin", "xmax", "ymax"))))
    return objects


def _labelme_shapes(inputs, rel):
    """The shape types of a LabelMe JSON ('rectangle', 'polygon', ...), or None when the file is not one."""
    try:
        data = inputs.read_json(rel)
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("shapes"), list) or "imagePath" not in data:
        return None
    return [s.get("shape_type") or "polygon" for s in data["shapes"]]


def _yolo_rows(inputs, rel):
    """True when a txt file holds 'class cx cy w h' rows, coordinates in [0, 1] (or is empty: an image without boxes)."""
    try:
        lines = inputs.read_bytes(rel).decode("utf-8").split("\n")
    except (UnicodeDecodeError, OSError):
        return False
    for line in lines:
        tokens = line.split()
        if not tokens:
            continue
        if len(tokens) != 5 or not tokens[0].isdigit() or not all(is_number(t) and -0.01 <= float(t) <= 1.01 for t in tokens[1:]):
            return False
    return True


def labelme_task(detail):
    """'detection' for rectangles only, 'segmentation' for polygons only, '' when both (the caller stops)."""
    kinds = {"detection" if s == "rectangle" else "segmentation" for s in detail}
    return kinds.pop() if len(kinds) == 1 else ""


def discover_detection(inputs, plan, params):
    """Fill the plan's annotation source, its columns or fields, image folders and test ids."""
    rel, fmt = _annotation_source(inputs, plan, params)
    # COCO JSON and per-image files by name: a notebook carries the annotation source its plan reads.
    if fmt == "coco":
        need("discover_boxes.discover_coco_boxes", rel)(inputs, plan, params, rel)
    elif fmt in FILE_FORMATS:
        need("discover_boxes.discover_annotation_files", f"{fmt} annotation files")(inputs, plan, params, fmt)
    else:
        _table_images(inputs, plan, params, rel, fmt)
    if plan.get("sample_csv"):
        find_test_dir(inputs, plan, params)
        roles = {plan["sample_id_col"]: "image id"}
        others = [c for c in plan["sample_columns"] if c not in ("", plan["sample_id_col"])]
        if len(others) != 1:
            raise ambiguous(f"{plan['sample_csv']}: a detection submission has one column of box strings beside the id; "
                            "columns", others, "bbox_col (or task)")
        fmt = params.get("submission_format", "auto") or "auto"
        if fmt == "auto":
            fmt = format_from_sample([v[-1] for v in plan.sample_values if v])
            plan.set("box_format", fmt, f"{plan['sample_csv']}: its placeholder strings are {BOX_FORMATS[fmt]}")
        elif fmt in BOX_FORMATS:
            plan.set("box_format", fmt, "parameter submission_format")
        else:
            raise ValueError(f"submission_format={fmt!r}: choose from auto, {', '.join(BOX_FORMATS)}")
        roles[others[0]] = f"box strings, {BOX_FORMATS[fmt]}"
        plan.set("sample_roles", roles, f"{plan['sample_csv']}: every column explained")
    else:
        extra = [d for pair in plan.get("extra_train", []) for d in pair]
        test_dir = find_test_without_sample(inputs, plan, params, exclude=extra)
        columns = ["image_id", "PredictionString"]
        if test_dir is None:
            plan.set("submission", columns, "no sample submission and no test folder: trains, validates and saves the "
                     "weights and out-of-fold boxes; no submission.csv")
        else:
            plan.set("submission", columns, f"no sample submission: every image of {test_dir}/ with 'class conf x0 y0 "
                     "x1 y1 ...' in pixels, blank when none")
        plan.set("box_format", "named", "no sample submission: class names, confidences and corners")
    # Study rows beside image rows (SIIM-COVID): read by a group of their own, which a plan without them leaves out.
    if params.get("study_csv") or unanswered_sample_rows(inputs, plan)[1]:
        need("discover_study.find_study_table", "sample rows that name a study, not an image,")(inputs, plan, params)


def unanswered_sample_rows(inputs, plan):
    """(the sample's ids that name no image, the one suffix they share: '<study>_study' -> 'study', else '')."""
    ids = list(dict.fromkeys(plan.sample_ids))
    answered = set(resolvable_ids(inputs, ids, plan.get("id_template", "")))
    others = [i for i in ids if i not in answered]
    words = sorted({i.rpartition("_")[2] for i in others if "_" in i})
    return others, words[0] if len(words) == 1 and all("_" in i for i in others) else ""


def format_from_sample(values):
    """The format the sample's placeholder strings show: groups of 6 or 3 led by a name, of 6 numbers, or of 5."""
    tokens = [str(v).split() for v in values if str(v).strip()]
    if tokens and all(len(t) % 6 == 0 and not is_number(t[0]) and all(map(is_number, t[1:6])) for t in tokens):
        return "named"
    if tokens and all(len(t) % 3 == 0 and not is_number(t[0]) for t in tokens):
        return "points"
    return "vinbig" if tokens and all(len(t) % 6 == 0 for t in tokens) else "wheat"


def _annotation_source(inputs, plan, params):
    """(file or folder, format): the parameter, else the one annotation source found."""
    given = params.get("annotation_file", "")
    fmt = params.get("annotation_format", "auto") or "auto"
    folders = annotation_folders(inputs)
    found = []
    for rel in training_tables(inputs, ""):
        header, rows = inputs.read_csv(rel)
        if ({c.lower() for c in header} & BOX_COLUMN_NAMES or _box_columns(header)[0] or packed_box_columns(header, rows)
                or labelled_box_columns(header, rows)):
            found.append((rel, "csv", f"{rel}: box columns"))
    coco, why = pick_json(inputs, "coco_boxes", "annotation_file")
    if coco:
        found.append((coco, "coco", why))
    found += [(r, "yolo", "YOLO data.yaml") for r in sorted(inputs.files) if r.rpartition("/")[2] == "data.yaml"]
    for kind in FILE_FORMATS:
        if kind in folders and not (kind == "yolo" and any(f == "yolo" for _, f, _ in found)):
            folder, files, detail = folders[kind]
            if kind != "labelme" or labelme_task(detail) == "detection":
                found.append((folder, kind, f"{len(files)} {detail if isinstance(detail, str) else 'LabelMe JSON'} files"))
    if given:
        hits = [f for f in found if f[0] == given]
        if not hits and given not in inputs.files and not inputs.is_folder(given):
            raise FileNotFoundError(f"annotation_file={given!r} is not in {inputs.root}; fix annotation_file")
        rel, kind, _ = hits[0] if hits else (given, "csv" if given.endswith(".csv") else "coco", "")
        plan.set("annotation_file", given, "parameter annotation_file")
    else:
        if fmt != "auto":
            wanted = {"coco": "coco", "yolo": "yolo", "voc": "voc", "labelme": "labelme"}.get(fmt, "csv")
            found = [f for f in found if f[1] == wanted]
        if len(found) > 1:
            raise ambiguous("several annotation sources fit", [f[0] or "the root" for f in found], "annotation_file")
        if not found:
            raise FileNotFoundError(f"no annotations in {inputs.root} (a box table, COCO JSON, YOLO txt labels, Pascal VOC "
                                    "XML or LabelMe JSON); set annotation_file")
        rel, kind, why = found[0]
        plan.set("annotation_file", rel, why)
    why = {"coco": f"{rel}: COCO JSON", "yolo": "txt files of 'class cx cy w h' rows",
           "voc": "XML files with <object><bndbox>", "labelme": "LabelMe JSON rectangles"}.get(kind, "")
    if kind == "csv":
        kind, why = _table_format(inputs, plan, params, rel, fmt)
    elif kind == "yolo":
        need("discover_boxes.discover_yolo_names", "YOLO txt labels")(inputs, plan, rel)
    plan.set("annotation_format", kind, "parameter annotation_format" if fmt != "auto" else why)
    return rel, kind


def _box_columns(header):
    """(format, [four columns]) of corner or corner-and-size box columns, or ('', [])."""
    lower = {c.lower(): c for c in header}
    for fmt, options in (("xyxy_csv", XYXY_NAMES), ("xywh_csv", XYWH_NAMES)):
        for names in options:
            if all(n in lower for n in names):
                return fmt, [lower[n] for n in names]
    return "", []


def _table_format(inputs, plan, params, rel, fmt):
    """(format, why) of the box table; the columns each part is read from go in the plan."""
    header, rows = inputs.read_csv(rel)
    bbox_col = params.get("bbox_col", "") or "bbox"
    packed, labelled = packed_box_columns(header, rows), labelled_box_columns(header, rows)
    if fmt in ("packed_csv", "labelled_csv"):
        packed, labelled = (packed, []) if fmt == "packed_csv" else ([], labelled)
        if not (packed or labelled):
            raise ValueError(f"annotation_format={fmt!r} but no column of {rel} holds "
                             f"'{'label x y w h' if fmt == 'packed_csv' else 'label conf x0 y0 x1 y1'}' groups; "
                             "fix annotation_format or annotation_file")
    corner, columns = _box_columns(header)
    # A '[x, y, w, h]' column named bbox_col wins, unless bbox_col names one of the box-string columns.
    if packed and (bbox_col not in header or bbox_col in packed):
        column = box_column(packed, "label x y w h", rel, params.get("bbox_col", ""))
        kind, why = "packed_csv", f"{rel}:{column} holds 'label x y w h' groups"
        plan.set("packed_col", column, f"{rel}: the column of packed boxes")
    elif labelled and (bbox_col not in header or bbox_col in labelled):
        column = box_column(labelled, "label conf x0 y0 x1 y1", rel, params.get("bbox_col", ""))
        kind, why = "labelled_csv", f"{rel}:{column} holds 'label conf x0 y0 x1 y1' groups"
        plan.set("packed_col", column, f"{rel}: the column of labelled boxes")
        index = header.index(column)
        fillers = sorted({v.split()[0] for r in rows if len(r) > index and (v := r[index]).split()[2:6] == ["0", "0", "1", "1"]})
        if fillers:
            plan.set("no_box_filler", f"'{' / '.join(fillers)} <conf> 0 0 1 1'", f"{rel}:{column}: a 1 x 1 box at the origin "
                     "marks an image without boxes")
    elif bbox_col in header:
        kind, why = "bbox_csv", f"{rel}:{bbox_col} holds '[x, y, w, h]' boxes"
        plan.set("box_cols", [bbox_col], why)
    elif corner and fmt in ("auto", corner):
        kind = corner
        why = f"{rel}: box columns {', '.join(columns)} ({'corners' if kind == 'xyxy_csv' else 'corner and size'})"
        plan.set("box_cols", columns, why)
        given = params.get("class_col", "")
        if given and given not in header:
            raise KeyError(f"class_col={given!r} is not a column of {rel} ({header}); fix class_col")
        lower = {c.lower(): c for c in header}
        class_col = given or next((lower[n] for n in CLASS_NAMES if n in lower and lower[n] not in columns), "")
        plan.set("class_col", class_col, "parameter class_col" if given else
                 f"{rel}: column named like a class" if class_col else f"{rel}: no class column: one class, 'object'")
    else:
        raise ValueError(f"{rel} has no box columns this notebook reads ({header}); set annotation_format and bbox_col")
    return kind, why


def box_column(columns, groups, rel, given=""):
    """The one column of `rel` whose values are `groups` strings; bbox_col (`given`) picks among several."""
    if given in columns:
        return given
    if len(columns) > 1:
        raise ambiguous(f"several columns of {rel} hold '{groups}' groups", columns, "bbox_col")
    return columns[0]


def discover_yolo_names(inputs, plan, rel):
    """Class names for YOLO labels: data.yaml's names, else classes.txt / obj.names, else the class numbers."""
    if rel.endswith((".yaml", ".yml")):
        plan.set("class_names_file", rel, f"{rel}: names")
        return
    files = [r for r in sorted(inputs.files) if r.rpartition("/")[2] in YOLO_NAME_FILES[2:] or r.endswith(".names")]
    files = [r for r in files if r.count("/") <= 2]
    if len(files) > 1:
        raise ambiguous("several files name the YOLO classes", files, "class_names_file")
    if files:
        plan.set("class_names_file", files[0], f"{files[0]}: one class name per line")
    else:
        plan.set("class_names_file", "", "no data.yaml, classes.txt or obj.names: classes keep their numbers")


def discover_coco_boxes(inputs, plan, params, rel):
    train_dir = params.get("train_image_dir", "")
    data = inputs.read_json(rel)
    files = [f for _, f in json_images(data)]
    base = train_dir or json_base(inputs, rel, files, "train_image_dir")
    plan.set("train_image_dir", base, "parameter train_image_dir" if train_dir else f"{rel}: images[].file_name resolve under it")
    plan.set("id_key", "path", f"{rel}: images[].file_name, relative to {base or 'the root'}/")
    used = {a.get("category_id") for a in data.get("annotations", [])}
    unused = [c.get("name") for c in data.get("categories", []) if c.get("id") not in used]
    if used and unused:  # Roboflow's exports list the dataset itself as category 0
        plan.set("unused_categories", unused, f"{rel}: categories without a box, left out of the classes")


def discover_annotation_files(inputs, plan, params, fmt):
    """Per-image annotation files: each names its image by stem; the image folder is the one holding those stems."""
    folder, files, _ = annotation_folders(inputs)[fmt]
    if fmt == "yolo" and plan["annotation_file"].endswith((".yaml", ".yml")):
        folder, files = _yolo_label_dir(inputs)
    plan.set("label_dir", folder, f"{len(files)} annotation files below {folder or 'the root'}/, one per image, by stem")
    stems = [r.rpartition("/")[2].rpartition(".")[0] for r in files]
    candidates = [*TRAIN_DIRS, *image_folders(inputs)]
    train_dir, source = locate_image_dir(inputs, stems[:PROBE_IDS], params.get("train_image_dir", ""),
                                       "train_image_dir", candidates)
    if train_dir is None:
        raise FileNotFoundError(f"no image folder holds the images the {fmt} files name (first: {stems[:2]}); "
                                "set train_image_dir")
    plan.set("train_image_dir", train_dir, source)
    plan.set("id_key", "stem", "an annotation file and its image share the stem")
    twins = _labelled_twins(inputs, train_dir, folder)
    if twins and merges_val(params):
        plan.set("extra_train", twins, f"{', '.join(i + '/' for i, _ in twins)} with "
                 f"{', '.join(f + '/' for _, f in twins)}: labelled like the training images, merged into the folds "
                 "(merge_val=False keeps them out)")
    elif twins:
        plan.set("kept_out", [d for pair in twins for d in pair], "labelled like the training images: kept out "
                 "(merge_val=False)")
    images = {r.rpartition("/")[2].rpartition(".")[0] for r in inputs.images_under(train_dir)}
    missing = len(images - set(stems))
    if missing and fmt != "yolo":
        plan.notes.append(f"{missing} images under {train_dir or 'the root'}/ have no {fmt} file: not annotated, left out")
    elif missing:
        plan.notes.append(f"{missing} images under {train_dir or 'the root'}/ have no txt file: background images "
                          "(YOLO's convention), kept as negatives")


def _labelled_twins(inputs, image_dir, label_dir):
    """[[image dir, label dir]] of labelled splits beside the training one: 'train' in both paths spelled val, valid, ..."""
    if "train" not in image_dir.lower() or "train" not in label_dir.lower():
        return []
    twins = []
    for word in VAL_DIRS:
        images, labels = (_swap_word(p, "train", word) for p in (image_dir, label_dir))
        if inputs.images_under(images)[:1] and inputs.is_folder(labels):
            twins.append([images, labels])
    return twins


def _swap_word(path, old, new):
    """'train/images' -> 'valid/images': the first path part holding `old`, with `old` replaced (its case kept)."""
    parts = path.split("/")
    for k, part in enumerate(parts):
        at = part.lower().find(old)
        if at >= 0:
            parts[k] = part[:at] + (new.upper() if part[at:at + len(old)].isupper() else new) + part[at + len(old):]
            break
    return "/".join(parts)


def _yolo_label_dir(inputs):
    folders = annotation_folders(inputs)
    if "yolo" not in folders:
        raise FileNotFoundError("data.yaml names YOLO classes, but no txt files of 'class cx cy w h' rows share the images' "
                                "names; set annotation_file")
    folder, files, _ = folders["yolo"]
    train = [r for r in files if "/train" in f"/{r}"] or files
    return _common_folder(train), train


def _table_images(inputs, plan, params, rel, fmt):
    header, rows = inputs.read_csv(rel)
    id_col, why = table_id_column(inputs, plan, params, rel, header, rows)
    plan.set("id_col", id_col, why)
    ids = list(dict.fromkeys(r[header.index(id_col)] for r in rows))[: PROBE_IDS * 4]
    template, why = find_id_template(inputs, ids, params.get("id_template", ""))
    if template:
        plan.set("id_template", template, why)
    ids = resolvable_ids(inputs, ids, template)
    plan.set("groups", group_candidates(header), f"{rel}: columns named like groups")
    folder, source = locate_image_dir(inputs, ids, params.get("train_image_dir", ""), "train_image_dir", TRAIN_DIRS,
                                      template)
    if folder is None:
        raise FileNotFoundError(f"no folder holds the images named in {rel}:{id_col}; set train_image_dir")
    plan.set("train_image_dir", folder, source)
    plan.set("id_key", id_key(inputs, folder, ids, template), f"{rel}:{id_col} names the files below it")
