"""Segmentation discovery: where the masks are (an RLE table, or mask files found by what they hold), what
their values mean (binary, class ids, colours from a class table, a void class), and the submission's rows.
"""

from lib.discover_boxes import annotation_folders
from lib.discover_masks import (
    MASK_FILE_SUFFIXES,
    MaskSource,
    find_mask_sources,
    is_background,
    is_void,
    pick_class_table,
    probe_files,
)
from lib.layout import (
    CLASS_COLUMNS,
    PROBE_IDS,
    RLE_COLUMNS,
    TEST_WORDS,
    TRAIN_DIRS,
    VAL_DIRS,
    ambiguous,
    find_id_template,
    find_test_dir,
    find_test_without_sample,
    group_candidates,
    id_key,
    image_folders,
    locate_image_dir,
    merges_val,
    name_words,
    resolvable_ids,
    table_source,
    training_tables,
)
from lib.needs import need

SIZE_COLUMNS = ("height", "width", "h", "w", "img_height", "img_width")
SAMPLE_RLE_COLUMNS = (*sorted(RLE_COLUMNS), "predicted", "mask", "annotation", "prediction")


def discover_segmentation(inputs, plan, params):
    """Fill the plan's mask source, classes, image folders and submission layout."""
    tables = [t for t in training_tables(inputs, params.get("train_csv", "")) if _rle_column(inputs, t, params)]
    if params.get("train_csv") and params["train_csv"] != "none" and not tables:
        raise ValueError(f"train_csv={params['train_csv']!r} has no RLE column ({', '.join(sorted(RLE_COLUMNS))}); "
                         "set rle_col, or train_csv='none' to read mask files")
    # RLE tables, mask files and polygons by name: a notebook carries the mask source its plan reads.
    if tables:
        need("discover_segmentation.discover_rle_masks", tables[0])(inputs, plan, params, tables)
    else:
        need("discover_segmentation.discover_mask_files", "masks as image files")(inputs, plan, params)
    if plan.get("sample_csv"):
        find_test_dir(inputs, plan, params)
        _sample_layout(plan, params)
    else:
        _test_without_sample(inputs, plan, params)


def _rle_column(inputs, rel, params):
    header, _ = inputs.read_csv(rel)
    if params.get("rle_col"):
        return params["rle_col"] if params["rle_col"] in header else None
    return next((c for c in header if c.lower() in RLE_COLUMNS), None)


def discover_rle_masks(inputs, plan, params, tables):
    rel = tables[0]
    header, rows = inputs.read_csv(rel)
    plan.set("train_csv", rel, table_source(tables, params.get("train_csv", "")))
    given_id = params.get("id_col", "")
    if given_id and given_id not in header:
        raise KeyError(f"id_col={given_id!r} is not a column of {rel} ({header}); fix id_col")
    id_col = given_id or header[0]
    plan.set("id_col", id_col, "parameter id_col" if given_id else f"{rel}: first column")
    rle_col = _rle_column(inputs, rel, params)
    plan.set("rle_col", rle_col, "parameter rle_col" if params.get("rle_col") else f"{rel}: column named like RLE")
    index = header.index(id_col)
    ids = [r[index] for r in rows if len(r) > index]
    class_col = params.get("class_col", "")
    if class_col and class_col not in header:
        raise KeyError(f"class_col={class_col!r} is not a column of {rel} ({header}); fix class_col")
    class_col = class_col or next((c for c in header if c.lower() in CLASS_COLUMNS and c not in (id_col, rle_col)), "")
    combined = not class_col and "class" in id_col.lower() and _combined(ids)
    if class_col:
        row_classes = [r[header.index(class_col)] for r in rows]
        plan.set("class_col", class_col, "parameter class_col" if params.get("class_col") else f"{rel}: column named like a class")
        layout = "per_class_rows"
    elif combined:
        ids, row_classes = zip(*(i.rsplit("_", 1) for i in ids), strict=True)
        plan.set("combined_ids", True, f"{rel}:{id_col} holds '<image>_<class>' ids")
        layout = "per_class_rows"
    else:
        row_classes, layout = None, "instances" if len(set(ids)) < len(ids) else "per_image"
    plan.set("table_layout", layout, {"per_class_rows": "one row per image and class", "per_image": "one row per image",
                                      "instances": f"{rel}: an image has several rows and no class: one per instance"}[layout])
    declared = [c.strip() for c in params.get("classes", "").split(",") if c.strip()]
    if declared:
        classes, source = declared, "parameter classes"
    elif row_classes is None:
        classes, source = ["1"], "one mask per image"
    else:
        classes = sorted(set(row_classes) | set(_sample_classes(plan)), key=_class_key)
        source = f"{rel}:{class_col or id_col} and the sample's rows"
    plan.set("classes", classes, source)
    plan.set("groups", group_candidates(header), f"{rel}: columns named like groups")
    train_ids = list(dict.fromkeys(ids))[: PROBE_IDS * 4]
    template, why = find_id_template(inputs, train_ids, params.get("id_template", ""))
    if template:
        plan.set("id_template", template, why)
    mask_dirs = {s.mask_dir for s in find_mask_sources(inputs)}
    train_dir, source = locate_image_dir(inputs, resolvable_ids(inputs, train_ids, template),
                                       params.get("train_image_dir", ""), "train_image_dir", TRAIN_DIRS, template)
    if train_dir is None or train_dir in mask_dirs:
        raise FileNotFoundError(f"no folder holds the images named in {rel}:{id_col} (first: {train_ids[:2]}); "
                                "set train_image_dir")
    plan.set("train_image_dir", train_dir, source)
    plan.set("id_key", id_key(inputs, train_dir, train_ids, template), f"{rel}:{id_col} names the files below it")
    for other in find_mask_sources(inputs):
        if other.image_dir == train_dir:
            plan.notes.append(f"{other.mask_dir}/ holds masks of {train_dir}/ too; the RLE table {rel} is read instead")
    if params.get("mask_dir"):
        raise ValueError(f"mask_dir={params['mask_dir']!r} and the RLE table {rel} both give masks; set train_csv='none' "
                         "to read the mask files, or mask_dir='' to read the table")


def _combined(ids):
    parts = [i.rsplit("_", 1) for i in ids[:PROBE_IDS]]
    return bool(parts) and all(len(p) == 2 and p[1].isdigit() for p in parts)


def _class_key(name):
    return (0, int(name), "") if str(name).lstrip("-").isdigit() else (1, 0, str(name))


def _sample_classes(plan):
    """Class names in the sample: a class column, or the '<image>_<class>' ids of a column named like classes."""
    id_col = plan.get("sample_id_col", "")
    if plan.sample_classes:
        return next(iter(plan.sample_classes.values()))
    if "class" in id_col.lower() and _combined(plan.sample_ids):
        return list(dict.fromkeys(i.rsplit("_", 1)[1] for i in plan.sample_ids))
    return []


def discover_mask_files(inputs, plan, params):
    """Masks from image files: the parameter mask_dir, else the one pairing found for the training images."""
    given_dir, given_masks = params.get("train_image_dir", ""), params.get("mask_dir", "")
    sources = find_mask_sources(inputs)
    if given_masks:
        if not inputs.is_folder(given_masks):
            raise FileNotFoundError(f"mask_dir={given_masks!r} is not a folder of {inputs.root}; fix mask_dir")
        sources = [s for s in sources if s.mask_dir == given_masks] or [_given_source(inputs, given_dir, given_masks)]
    train = [s for s in sources if not name_words(s.image_dir) & {*TEST_WORDS, *VAL_DIRS}]
    if given_dir:
        train = [s for s in sources if s.image_dir == given_dir]
    if len(train) > 1:
        named = [s for s in train if s.image_dir.lower() in TRAIN_DIRS]
        train = named if len(named) == 1 else train
    if len(train) > 1:
        raise ambiguous("several folders of images have masks", [s.describe() for s in train], "train_image_dir")
    if not train and "labelme" in annotation_folders(inputs) and not given_masks:
        need("discover_segmentation.discover_polygon_masks", "LabelMe polygons")(inputs, plan, params)
        return
    if not train:
        raise FileNotFoundError(f"no RLE table and no mask files paired with images in {inputs.root} (a folder of masks "
                                "with the images' names, or '<name>_mask' files beside them); set train_csv or mask_dir")
    source = train[0]
    plan.set("train_image_dir", source.image_dir, "parameter train_image_dir" if given_dir else
             "the images that have masks")
    plan.set("mask_dir", source.mask_dir, "parameter mask_dir" if given_masks else source.describe())
    if source.suffix:
        plan.set("mask_suffix", source.suffix, f"a mask is named '<image stem>{source.suffix}'")
    stems = [r.rpartition("/")[2].rpartition(".")[0] for r in inputs.images_under(source.image_dir)]
    unique = len(set(stems)) == len(stems)
    plan.set("id_key", "stem" if unique else "path_stem", "an image's id is its " + (
        "file name without extension" if unique else "path below the folder: names repeat across sub-folders"))
    unmasked = images_without_masks(inputs, source, plan["id_key"])
    if unmasked:
        rule = params.get("unmasked_images") or "skip"
        what = {"skip": "not annotated, left out", "empty": "trained as empty masks"}[rule]
        plan.set("unmasked_images", rule, f"{unmasked} images below {source.image_dir or 'the root'}/ have no mask in "
                 f"{source.mask_dir or 'the root'}/: {what} (" + ("parameter unmasked_images" if params.get(
                     "unmasked_images") else "unmasked_images='empty' trains them as empty masks") + ")")
    if source.lossy and not params.get("classes"):
        if source.probe.colour:
            raise ValueError(f"{source.mask_dir}/ holds colour masks saved as JPEG, whose colours blur: they cannot be "
                             "mapped to classes exactly; convert them to PNG, or set mask_dir to another folder")
        plan.set("mask_encoding", "binary", f"{source.mask_dir}/ holds JPEG masks, whose values blur around the edges")
        plan.set("mask_cut", 128, "JPEG masks: a pixel is in the mask from value 128 up")
        plan.set("classes", ["1"], "binary masks")
    else:
        _mask_classes(inputs, plan, params, source.probe)
    extra = [s for s in sources if s is not source and name_words(s.image_dir) & set(VAL_DIRS)]
    if extra and merges_val(params):
        plan.set("extra_train", [[s.image_dir, s.mask_dir] for s in extra],
                 f"{', '.join(s.image_dir + '/' for s in extra)} labelled like the training images: merged into the "
                 "folds (set merge_val=False to keep them out)")
    elif extra:
        plan.set("kept_out", [d for s in extra for d in (s.image_dir, s.mask_dir)],
                 "labelled like the training images: kept out (merge_val=False)")


def images_without_masks(inputs, source, key):
    """How many images below the source's image folder have no mask file, ids spelled by `key` (stem or path_stem) as
    the reader spells them."""
    def spelled(rel, folder, suffix=""):
        path = rel[len(folder) + 1:] if folder else rel
        path = path.rpartition(".")[0] or path
        path = path[: -len(suffix)] if suffix and path.endswith(suffix) else path
        return path if key == "path_stem" else path.rpartition("/")[2]

    inside = source.mask_dir != source.image_dir and source.mask_dir.startswith(f"{source.image_dir}/".lstrip("/"))
    below = f"{source.mask_dir}/" if source.mask_dir else ""
    masks = [r for r in inputs.files if r.startswith(below) and r.lower().endswith(MASK_FILE_SUFFIXES)]
    if source.suffix and source.mask_dir == source.image_dir:
        masks = [r for r in masks if r.rpartition(".")[0].endswith(source.suffix)]
    masked = {spelled(r, source.mask_dir, source.suffix) for r in masks}
    masks = set(masks)
    images = [r for r in inputs.images_under(source.image_dir) if not (inside and r.startswith(below)) and r not in masks]
    return sum(spelled(r, source.image_dir) not in masked for r in images)


def discover_polygon_masks(inputs, plan, params):
    """LabelMe JSON beside (or apart from) the images: each polygon is drawn as its label's mask."""
    folder, files, _ = annotation_folders(inputs)["labelme"]
    shapes = {shape.get("shape_type") or "polygon" for rel in files for shape in inputs.read_json(rel)["shapes"]}
    others = sorted(shapes - {"polygon"})
    if others:
        raise ValueError(f"LabelMe files below {folder or 'the root'}/ hold {others} shapes beside polygons: masks are "
                         "drawn from polygons only; set task=detection to read rectangles as boxes")
    plan.set("label_dir", folder, f"{len(files)} LabelMe JSON files below {folder or 'the root'}/, one per image, by stem")
    plan.set("mask_encoding", "polygons", "LabelMe polygons, drawn as masks")
    stems = [r.rpartition("/")[2].rpartition(".")[0] for r in files]
    train_dir, source = locate_image_dir(inputs, stems[:PROBE_IDS], params.get("train_image_dir", ""),
                                       "train_image_dir", [*TRAIN_DIRS, *image_folders(inputs)])
    if train_dir is None:
        raise FileNotFoundError(f"no image folder holds the images the LabelMe files name (first: {stems[:2]}); "
                                "set train_image_dir")
    plan.set("train_image_dir", train_dir, source)
    plan.set("id_key", "stem", "an annotation file and its image share the stem")
    missing = len({r.rpartition("/")[2].rpartition(".")[0] for r in inputs.images_under(train_dir)} - set(stems))
    if missing:
        plan.notes.append(f"{missing} images under {train_dir or 'the root'}/ have no LabelMe file: not annotated, left out")
    labels = sorted({shape.get("label", "") for rel in files for shape in inputs.read_json(rel)["shapes"]})
    declared = [c.strip() for c in params.get("classes", "").split(",") if c.strip()]
    sample_classes = _sample_classes(plan)
    unknown = [c for c in sample_classes if c not in labels]
    if unknown:
        raise ValueError(f"{plan['sample_csv']} names classes {unknown} that no LabelMe polygon has ({labels[:8]}); "
                         "set classes")
    classes = declared or sample_classes or labels
    plan.set("classes", classes, "parameter classes" if declared else f"{plan['sample_csv']}'s class column"
             if sample_classes else f"the labels of {len(files)} LabelMe files")


def _given_source(inputs, image_dir, mask_dir):
    masks = inputs.images_under(mask_dir)
    return MaskSource(image_dir, mask_dir, "", len(masks), "parameter mask_dir", probe_files(inputs, masks))


VOID_BESIDE = 64  # 255 in class-id masks whose other values are all below this is void, not a class


def _mask_classes(inputs, plan, params, probe):
    """Binary masks, class-id values or colours: named by a class table when one fits, then by the sample."""
    skip = {plan.get("sample_csv")}
    table, source = pick_class_table(inputs, plan, probe, params.get("class_table", ""), skip)
    declared = [c.strip() for c in params.get("classes", "").split(",") if c.strip()]
    sample_classes = _sample_classes(plan)
    if table is None:
        values = sorted(probe.values - {0})
        if declared:
            if len(declared) > 1 and not all(c.isdigit() for c in declared):
                raise ValueError(f"classes={params['classes']!r}: without a class table the classes are the masks' pixel "
                                 f"values (the masks hold {sorted(probe.values)}); set classes to values, or class_table")
            plan.set("mask_encoding", "class_ids" if len(declared) > 1 else "binary", "parameter classes")
            plan.set("classes", declared, "parameter classes")
        elif len(values) <= 1 and len(sample_classes) == 1:
            plan.set("mask_encoding", "binary", f"the masks hold {sorted(probe.values)}: one class, any value above 0")
            plan.set("classes", sample_classes, f"{plan['sample_csv']}: the one class it names")
        elif sample_classes and all(c.isdigit() for c in sample_classes) and len(sample_classes) > 1:
            plan.set("mask_encoding", "class_ids", f"the masks hold values {sorted(probe.values)}")
            plan.set("classes", sorted(sample_classes, key=_class_key), f"{plan['sample_csv']}: pixel values as classes")
        elif len(values) <= 1 and not sample_classes:
            plan.set("mask_encoding", "binary", f"the masks hold {sorted(probe.values)}: one class, any value above 0")
            plan.set("classes", ["1"], "binary masks")
        elif sample_classes:
            raise ValueError(f"{plan['sample_csv']} names classes {sample_classes[:6]} and no table maps them to the "
                             f"masks' values {sorted(probe.values)}; add a class table (id,name) and set class_table")
        else:
            plan.set("mask_encoding", "class_ids", f"the masks hold values {sorted(probe.values)}")
            if 255 in values and max(values[:-1]) < VOID_BESIDE:  # Pascal VOC's object borders
                plan.set("void", {"255": 255}, f"255 beside small class ids {values[:-1][:6]} is the usual void of "
                         "class-id masks: ignored by the loss and the metric (classes='"
                         f"{','.join(map(str, values))}' counts it as a class)")
            plan.set("classes", "values", "every value above 0 the masks hold" + (", but the void," if plan.get("void")
                     else "") + " listed by the data cell as it reads them")
        return
    rel, mapping = table
    plan.set("class_table", rel, source)
    colour = isinstance(next(iter(mapping.values())), tuple)
    if not colour and probe.values - {0} == {255} and 255 not in mapping.values():  # 0/255 masks and a table of ids
        named = [n for n, v in mapping.items() if not is_void(n) and not is_background(n, v)]
        if len(named) != 1:
            raise ambiguous(f"the masks hold 0 and 255 and {rel} names {len(named)} classes: is 255 one of them, or void? "
                            "classes", named, "classes (or class_table)")
        plan.set("mask_encoding", "binary", f"the masks hold [0, 255]; {rel} names one class, {named[0]!r}")
        plan.set("classes", declared or named, "parameter classes" if declared else f"{rel}: its one class")
        return
    plan.set("mask_encoding", "colours" if colour else "class_ids",
             f"{rel}: {'colours' if colour else 'pixel values'} of {len(mapping)} classes")
    void = {n: v for n, v in mapping.items() if is_void(n)}
    if not colour and 255 in probe.values and 255 not in mapping.values():
        void["255"] = 255
    if void:
        plan.set("void", {n: list(v) if colour else v for n, v in void.items()},
                 f"{rel}: named like void" + ("; 255 is not in the table: the usual void of class-id masks"
                                              if "255" in void else "") + ": ignored by the loss and the metric")
    if sample_classes:
        unknown = [c for c in sample_classes if c not in mapping]
        if unknown:
            raise ValueError(f"{plan['sample_csv']} names classes {unknown} that {rel} lacks ({list(mapping)[:8]}); "
                             "set class_table to the table that names them")
        classes, why = sample_classes, f"{plan['sample_csv']}'s class column, mapped by {rel}"
    else:
        classes = [n for n, v in mapping.items() if n not in void and not is_background(n, v)]
        why = f"{rel}, background and void left out"
    classes = declared or classes
    plan.set("classes", classes, "parameter classes" if declared else why)
    plan.set("class_values", {n: list(mapping[n]) if colour else mapping[n] for n in classes},
             f"{rel}: each class's {'colour' if colour else 'pixel value'}")
    background = {n: list(v) if colour else v for n, v in mapping.items() if n not in classes and n not in void}
    if background:
        plan.set("background", background, f"{rel}: the other classes, predicted as background")


def _sample_layout(plan, params):
    """Which sample column holds the RLE and which the class; rows per image, per image and class, or per instance."""
    columns, id_col = plan["sample_columns"], plan["sample_id_col"]
    values = [c for c in columns if c not in ("", id_col)]
    rle_col = params.get("rle_col") if params.get("rle_col") in values else ""
    rle_col = rle_col or next((c for c in values if c.lower() in SAMPLE_RLE_COLUMNS), "")
    class_col = next((c for c in values if c.lower() in CLASS_COLUMNS and c != rle_col), "")
    sizes = [c for c in values if c.lower() in SIZE_COLUMNS]
    rest = [c for c in values if c not in (rle_col, class_col, *sizes)]
    if not rle_col and len(rest) == 1:
        rle_col, rest = rest[0], []
    if not rle_col or rest:
        raise ambiguous(f"{plan['sample_csv']}: cannot tell which column holds the masks; columns", rest or values,
                        "rle_col")
    combined = not class_col and "class" in id_col.lower() and _combined(plan.sample_ids)
    layout = params.get("submission_layout", "auto") or "auto"
    if layout == "auto":
        layout = ("per_image_class" if class_col or combined else
                  "instances" if plan.get("table_layout") == "instances" else "per_image")
    plan.set("submission_layout", layout, "parameter submission_layout" if params.get("submission_layout", "auto") != "auto"
             else f"{plan['sample_csv']}: " + ("a class per row" if layout == "per_image_class" else
                                               "the training table's rows per instance" if layout == "instances" else
                                               "one row per image"))
    roles = {id_col: "image id" + (" and class ('<image>_<class>')" if combined else ""), rle_col: "RLE mask"}
    if class_col:
        roles[class_col] = "class of the row's mask"
    roles.update({c: "kept as the sample has it (image size)" for c in sizes})
    plan.set("sample_roles", roles, f"{plan['sample_csv']}: every column explained")
    classes = plan.get("classes")
    named = _sample_classes(plan)
    if layout == "per_image_class" and isinstance(classes, list) and not set(named) <= set(classes):
        raise ValueError(f"{plan['sample_csv']} names classes {sorted(set(named) - set(classes))} that the training "
                         f"masks lack ({classes}); set classes")


def _test_without_sample(inputs, plan, params):
    """No sample: the test folder, when there is one, is predicted in the usual format, and the plan says so."""
    masks = [s.mask_dir for s in find_mask_sources(inputs)]
    extra = [d for pair in plan.get("extra_train", []) for d in pair]
    test_dir = find_test_without_sample(inputs, plan, params, exclude=[*masks, *extra])
    layout = "per_image" if plan.get("classes") == ["1"] else "per_image_class"
    plan.set("submission_layout", layout, "no sample submission: the usual layout")
    columns = ["id", "EncodedPixels"] if layout == "per_image" else ["id", "class", "EncodedPixels"]
    if test_dir is None:
        plan.set("submission", columns, "no sample submission and no test folder: trains, validates and saves the weights "
                 "and out-of-fold maps; no submission.csv")
        return
    plan.set("submission", columns, f"no sample submission: every image of {test_dir}/, "
             + ("one row per image" if layout == "per_image" else "one row per image and class")
             + ", column-major RLE, blank when empty")
