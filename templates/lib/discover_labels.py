"""Classification discovery: where the labels are, how they are encoded, and what the submission wants."""

from collections import Counter

from lib.discover_masks import find_mask_sources
from lib.layout import (
    PROBE_IDS,
    TEST_DIRS,
    TEST_WORDS,
    TRAIN_DIRS,
    VAL_DIRS,
    ambiguous,
    check_one_image_per_id,
    descend,
    find_test_dir,
    find_test_without_sample,
    group_candidates,
    id_key,
    image_folders,
    image_tables,
    is_number,
    json_base,
    json_images,
    locate_image_dir,
    merges_val,
    name_words,
    pick_json,
    resolvable_ids,
    table_id_column,
    table_source,
    training_tables,
)
from lib.needs import need

REGRESSION_MIN_VALUES = 30  # an integer column with more distinct values than this is a quantity, not classes
LABEL_METRICS = ("accuracy", "macro_f1", "micro_f1", "qwk")
POSITIVE_NAMES = ("1", "1.0", "true", "yes", "positive")
LABEL_SEPARATORS = ("|", ";")  # multi-label cells joined by these ('Atelectasis|Effusion', NIH ChestX-ray14), else spaces


def split_labels(text, sep=""):
    """The labels of a multi-label cell: joined by `sep` (the plan's label_sep), else by spaces."""
    return [t.strip() for t in text.split(sep) if t.strip()] if sep else text.split()


def discover_classification(inputs, plan, params):
    """Fill the plan's label source, encoding, classes, image folders, test ids and submission format."""
    train_csv = params.get("train_csv", "")
    encoding = params.get("label_encoding", "") or "auto"
    tables = [] if train_csv == "none" or encoding in ("folders", "filename") else training_tables(inputs, train_csv)
    if tables and not train_csv.endswith(".json"):
        _from_table(inputs, plan, params, tables[0], table_source(tables, train_csv))
    else:
        coco, why = (None, "") if encoding in ("folders", "filename") or train_csv == "none" else pick_json(
            inputs, "coco_labels", "train_csv", train_csv if train_csv.endswith(".json") else "")
        # Labels from COCO JSON, or from folders, file names or a table of another name, by name: a notebook carries
        # the source its plan reads.
        if coco:
            need("discover_labels.discover_coco_labels", coco)(inputs, plan, params, coco, why)
        else:
            need("discover_labels.discover_untabled_labels", "labels from class folders, file names or a table of "
                 "another name")(inputs, plan, params)
    if not plan.get("test_json"):
        _test_images(inputs, plan, params)
    _submission(plan, params)


def _from_table(inputs, plan, params, table, source):
    header, rows = inputs.read_csv(table)
    plan.set("train_csv", table, source)
    column = {c: [r[i] for r in rows] for i, c in enumerate(header)}
    plan.set("id_col", *table_id_column(inputs, plan, params, table, header, rows))
    id_col = plan["id_col"]
    targets, encoding, source = _label_columns(plan, params, table, header, column, id_col)
    plan.set("label_cols", targets, source)
    plan.set("label_encoding", encoding, source if encoding != "single" else f"{table}: one label column")
    plan.set("groups", group_candidates(header), f"{table}: columns named like groups")
    if encoding == "regression":
        values = [float(v) for v in column[targets[0]] if v != ""]
        plan.set("value_range", [min(values), max(values)], f"{table}: {targets[0]}")
    else:
        plan.set("classes", _class_counts(column, targets, encoding, plan.get("label_sep", "")),
                 f"{table}: {', '.join(targets)}")
    train_dir, source = locate_image_dir(inputs, resolvable_ids(inputs, column[id_col][:200]),
                                       params.get("train_image_dir", ""), "train_image_dir", TRAIN_DIRS)
    if train_dir is None:
        raise FileNotFoundError(
            f"no folder holds the images named in {table}:{id_col} (first: {column[id_col][:2]}); set train_image_dir")
    plan.set("train_image_dir", train_dir, source)
    plan.set("id_key", id_key(inputs, train_dir, column[id_col][:PROBE_IDS]), f"{table}:{id_col} names the files below it")


def _test_images(inputs, plan, params):
    """The test folder; where the sample's ids are not images (one row per patient side), a test table maps them."""
    if not plan.get("sample_csv"):
        extra = [d for d, _ in plan.get("extra_train", [])]
        test_dir = find_test_without_sample(inputs, plan, params, exclude=extra)
        columns = [plan.get("id_col") or "id", *(plan.get("label_cols") or ["label"])]
        plan.set("submission", columns, f"no sample submission: every image of {test_dir}/, one row each"
                 if test_dir is not None else "no sample submission and no test folder: trains, validates and saves "
                 "the weights and out-of-fold predictions; no submission.csv")
        return
    ids = plan.sample_ids[:PROBE_IDS]
    if not ids or resolvable_ids(inputs, ids) or not plan.get("id_col"):
        find_test_dir(inputs, plan, params)
        return
    sample_id, id_col = plan["sample_id_col"], plan["id_col"]
    tables = [params["test_csv"]] if params.get("test_csv") else []
    for rel in [] if tables else inputs.top_files():
        if rel.lower().endswith(".csv") and rel not in (plan.get("sample_csv"), plan.get("train_csv")):
            header, _ = inputs.read_csv(rel)
            if sample_id in header and id_col in header:
                tables.append(rel)
    if tables and tables[0] not in inputs.files:
        raise FileNotFoundError(f"test_csv={tables[0]!r} is not in {inputs.root}; fix test_csv")
    if len(tables) != 1:
        if tables:
            raise ambiguous(f"{len(tables)} tables map the sample's {sample_id} to images", tables, "test_csv")
        find_test_dir(inputs, plan, params)
        return
    header, rows = inputs.read_csv(tables[0])
    if sample_id not in header or id_col not in header:
        raise KeyError(f"test_csv={tables[0]!r} needs the columns {sample_id!r} and {id_col!r}; it has {header}")
    image_ids = [r[header.index(id_col)] for r in rows]
    plan.set("test_csv", tables[0], "parameter test_csv" if params.get("test_csv")
             else f"{tables[0]}: its {sample_id} column holds the sample's ids, {id_col} the images")
    how = params.get("aggregate") or "auto"
    plan.set("aggregate", "mean" if how == "auto" else how,
             "parameter aggregate" if how != "auto" else f"several images per {sample_id}: their predictions averaged")
    folder, source = locate_image_dir(inputs, resolvable_ids(inputs, image_ids[: PROBE_IDS * 4]),
                                      params.get("test_image_dir", ""), "test_image_dir", TEST_DIRS)
    if folder is None:
        raise FileNotFoundError(f"no folder holds the images named in {tables[0]}:{id_col}; set test_image_dir")
    plan.set("test_image_dir", folder, source)


def _label_columns(plan, params, table, header, column, id_col):
    """Return (label columns, encoding, source) from the parameters, the sample, then the table's values."""
    value_cols = plan.get("value_cols", [])
    if params.get("target_cols"):
        targets = [c.strip() for c in params["target_cols"].split(",") if c.strip()]
        missing = [c for c in targets if c not in header]
        if missing:
            raise KeyError(f"target_cols {missing} are not columns of {table} ({header}); fix target_cols")
        if params.get("label_encoding") == "votes":
            return targets, "votes", "parameters target_cols and label_encoding"
        return targets, "onehot", "parameter target_cols"
    if params.get("label_col"):
        if params["label_col"] not in header:
            raise KeyError(f"label_col={params['label_col']!r} is not a column of {table} ({header}); fix label_col")
        label, source = params["label_col"], "parameter label_col"
    elif len(value_cols) > 1 and all(c in header for c in value_cols):
        if _are_votes([v for c in value_cols for v in column[c]]):
            return value_cols, "votes", (f"{plan['sample_csv']}'s {len(value_cols)} value columns are counts in {table}: "
                                         "soft labels, each row's votes over the classes normalised to sum to 1")
        return value_cols, "onehot", f"{plan['sample_csv']}'s {len(value_cols)} value columns are 0/1 columns of {table}"
    elif len(value_cols) > 1:
        wanted = set(value_cols)
        fits = [c for c in header if c != id_col and set(column[c]) and set(column[c]) <= wanted]
        if len(fits) != 1:
            raise ambiguous(f"{len(fits)} columns of {table} hold the sample's class names" if fits else
                             f"no column of {table} holds the class names of {plan['sample_csv']}'s columns",
                             fits or [c for c in header if c != id_col], "label_col")
        label, source = fits[0], f"{table}:{fits[0]} holds the names of {plan['sample_csv']}'s class columns"
    elif len(value_cols) == 1 and value_cols[0] in header:
        label, source = value_cols[0], f"{plan['sample_csv']}'s value column is in {table}"
    elif len(value_cols) == 1 and class_suffixes(plan.sample_ids, header, id_col):
        targets = class_suffixes(plan.sample_ids, header, id_col)
        return targets, "onehot", (f"{plan['sample_csv']}'s ids end in '_<column>' for {len(targets)} 0/1 columns of "
                                   f"{table}: a row per image and class")
    else:
        others = [c for c in header if c != id_col and c not in group_candidates(header)]
        few = [c for c in others if 1 < len(set(column[c])) <= max(2, len(column[c]) // 2)]
        if not few and len(others) == 1 and len(set(column[others[0]])) > 1:  # HPA: 'Target', mostly distinct label sets
            few = others
        if len(few) != 1:
            raise ambiguous(f"cannot tell the label column of {table}; candidates", few or others, "label_col")
        label, source = few[0], f"{table}: the one non-id column" + (" with repeated values" if few != others else "")
    encoding = params.get("label_encoding") or "auto"
    if encoding not in ("auto", ""):
        return [label], encoding, f"{source}; parameter label_encoding"
    values = [v for v in column[label] if v != ""]
    if len(values) < len(column[label]):
        raise ValueError(f"{len(column[label]) - len(values)} rows of {table} have no {label!r}; fill or drop them")
    sep = next((s for s in LABEL_SEPARATORS if any(s in v for v in values)), "")
    spaced = sum((sep or " ") in v.strip() for v in values)
    sample_tokens = max((len(v[0].split()) for v in plan.sample_values if v), default=1)
    if spaced:
        if sep:
            plan.set("label_sep", sep, f"{table}:{label}: {spaced} rows join labels with {sep!r}")
        return [label], "multilabel", f"{source}; {spaced} rows hold {repr(sep) if sep else 'space'}-separated labels"
    if sample_tokens > 1 and len(value_cols) == 1:
        return [label], "topk", f"{source}; the sample ranks {sample_tokens} labels per row"
    if _is_quantity(values):
        return [label], "regression", f"{source}; numbers with too many distinct values to be classes"
    return [label], "single", source


def row_class(row_id, classes):
    """The class a '<image>_<class>' row id names (the longest that fits: 'patient_overall' holds an '_'), else None."""
    return next((c for c in sorted(map(str, classes), key=len, reverse=True)
                 if row_id.endswith("_" + c) and len(row_id) > len(c) + 1), None)


def class_suffixes(ids, header, id_col):
    """The columns of `header` that the ids name as '<image>_<column>' (RSNA cervical's '<study>_C1'), in header order,
    when every id ends so; else []."""
    columns = [c for c in header if c != id_col and c]
    named = {row_class(i, columns) for i in ids}
    return [] if None in named else [c for c in header if c in named]


def _are_votes(values):
    """Counts of votes (HMS's experts per class): numbers, none negative, some above 1."""
    try:
        numbers = [float(v) for v in values if v != ""]
    except ValueError:
        return False
    return bool(numbers) and min(numbers) >= 0 and max(numbers) > 1


def _is_quantity(values):
    """Fractional numbers, or integers with so many distinct values that most would be classes of one or two images."""
    try:
        numbers = [float(v) for v in values]
    except ValueError:
        return False
    distinct = len(set(numbers))
    fractional = any(n != int(n) for n in numbers)
    return fractional or distinct > REGRESSION_MIN_VALUES or (distinct >= 10 and distinct * 3 > len(numbers))


def _class_counts(column, targets, encoding, sep=""):
    """{class: count}, classes sorted (numerically when they are numbers)."""
    if encoding in ("onehot", "votes"):
        return {c: sum(float(v or 0) > 0 for v in column[c]) for c in targets}
    values = column[targets[0]]
    tokens = [t for v in values for t in split_labels(v, sep)] if encoding == "multilabel" else values
    return _sorted_counts(Counter(tokens))


def _sorted_counts(counts):
    def key(name):
        try:
            return (0, float(name), "")
        except ValueError:
            return (1, 0.0, name)

    return {k: counts[k] for k in sorted(counts, key=key)}


def discover_coco_labels(inputs, plan, params, rel, why):
    data = inputs.read_json(rel)
    plan.set("train_csv", rel, why)
    plan.set("label_encoding", "coco_json", f"{rel}: annotations[].category_id per image")
    files = [f for _, f in json_images(data)]
    plan.set("train_image_dir", json_base(inputs, rel, files, "train_image_dir"), f"{rel}: images[].file_name resolve under it")
    counts = Counter(str(a["category_id"]) for a in data["annotations"])
    plan.set("classes", _sorted_counts(counts), f"{rel}: annotations[].category_id")
    first = data["images"][0] if data["images"] else {}
    plan.set("groups", group_candidates(list(first)), f"{rel}: image fields named like groups")
    test, source = pick_json(inputs, "coco_images", "test_json", params.get("test_json", ""))
    if test is None:
        return
    test_data = inputs.read_json(test)
    pairs = json_images(test_data)
    plan.set("test_json", test, source)
    plan.set("test_image_dir", json_base(inputs, test, [f for _, f in pairs], "test_image_dir"),
             f"{test}: images[].file_name resolve under it")
    known = {i for i, _ in pairs}
    missing = [i for i in plan.sample_ids if i not in known]
    if missing:
        raise ValueError(f"{len(missing)} ids of {plan['sample_csv']} (first {missing[:3]}) are not image ids of {test}; "
                         "set test_json to the JSON that lists the test images")


OTHER_TABLE = "the one top-level table with a column naming image files"  # the source of such a plan's train_csv


def discover_untabled_labels(inputs, plan, params):
    """No table of a known name: the one table of another name that names the images (NIH ChestX-ray14's
    Data_Entry_2017.csv), unless a training folder holds class folders; else class folders or file names."""
    auto = (params.get("label_encoding") or "auto") == "auto" and not params.get("train_csv")
    other = image_tables(inputs) if auto and not _train_class_folders(inputs) else []
    if len(other) > 1:
        raise ambiguous(f"no table of a known name, and {len(other)} tables name image files", other, "train_csv")
    if other:
        _from_table(inputs, plan, params, other[0], f"{OTHER_TABLE} (no table of a known name; "
                    "label_encoding='folders' reads folders instead)")
    else:
        discover_folder_labels(inputs, plan, params)


def discover_folder_labels(inputs, plan, params):
    """No table: one folder per class, or labels in the file names (cat.1.jpg)."""
    encoding = params.get("label_encoding") or "auto"
    given = params.get("train_image_dir", "")
    named = [f for f in image_folders(inputs) if "train" in name_words(f)]  # seg_train/, Training/...
    viable = list(dict.fromkeys(descend(inputs, d) for d in [*inputs.existing(TRAIN_DIRS), *named]
                                if inputs.images_under(d)[:1]))
    viable = [v for v in viable if not any(o != v and o.startswith(v + "/") for o in viable)]  # the most specific
    if not given and len(viable) > 1:
        raise ambiguous(f"no labels table, and {len(viable)} folders could hold the training images", viable,
                        "train_image_dir")
    folder = given or (viable[0] if viable else "")
    class_dirs = _class_folders(inputs, folder)
    if not folder or (not class_dirs and encoding != "filename"):
        # alaska2: the class folders sit at the top, beside the test folder; folders that hold class folders
        # themselves are splits, not classes.
        top = [d for d in _class_folders(inputs, "") if len(_class_folders(inputs, descend(inputs, d))) < 2]
        if len(top) >= 2 and encoding != "filename":
            folder, class_dirs = "", top
    if encoding in ("auto", "folders") and len(class_dirs) >= 2:
        plan.set("train_image_dir", folder, "parameter train_image_dir" if given else "holds one folder per class")
        plan.set("label_encoding", "folders", f"{len(class_dirs)} sub-folders of {folder or 'the root'}/ hold images")
        counts = {d: len(inputs.images_under(f"{folder}/{d}".strip("/"))) for d in class_dirs}
        plan.set("classes", counts, f"{folder or 'the root'}/<class>/")
        _folder_targets(plan, params, class_dirs)
        _labelled_splits(inputs, plan, params, folder, class_dirs)
        return
    if not folder:
        raise FileNotFoundError(f"no labels in {inputs.root}: no training table, COCO JSON, class folders or image folder; "
                                "set train_csv, or train_image_dir")
    check_one_image_per_id(inputs, folder, "train_image_dir")
    prefixes = Counter(_name_label(r.rpartition("/")[2]) for r in inputs.images_under(folder))
    if None in prefixes or len(prefixes) < 2 or min(prefixes.values()) < 2:
        raise FileNotFoundError(
            f"no labels in {inputs.root}: no training table or COCO JSON, {folder}/ has no class folders and its "
            "file names carry no label ('cat.1.jpg'); set train_csv, or label_encoding")
    plan.set("train_image_dir", folder, "parameter train_image_dir" if given else "the training image folder")
    plan.set("label_encoding", "filename", f"{folder}/: every file name starts with a label, then '.'")
    plan.set("classes", _sorted_counts(prefixes), f"{folder}/: file name prefixes")


def _labelled_splits(inputs, plan, params, folder, class_dirs):
    """val/<class>/ beside train/<class>/ (without a sample, a labelled test/<class>/ too): labelled images a competitor
    trains on, merged into the folds, said so."""
    if not folder:
        return
    words = set(VAL_DIRS) | (set(TEST_WORDS) if not plan.get("sample_csv") else set())
    top = folder.split("/")[0]
    splits = [descend(inputs, d) for d in image_folders(inputs) if "/" not in d and d != top and name_words(d) & words]
    splits = [d for d in splits if set(_class_folders(inputs, d)) & set(class_dirs)]
    if not splits:
        return
    for split in splits:
        unknown = sorted(set(_class_folders(inputs, split)) - set(class_dirs))
        if unknown:
            raise ValueError(f"{split}/ holds class folders {unknown} that {folder}/ lacks; merge_val=False keeps "
                             f"{split}/ out, or set train_image_dir")
    if not merges_val(params):
        plan.set("kept_out", splits, f"labelled like {folder}/: kept out (merge_val=False)")
        return
    n = sum(len(inputs.images_under(s)) for s in splits)
    plan.set("extra_train", [[s, ""] for s in splits], f"{', '.join(s + '/' for s in splits)}: {n} more images in the same "
             "class folders, merged into the folds (merge_val=False keeps them out)")


def _name_label(name):
    head = name.split(".")[0]
    return head if name.count(".") >= 2 and head and not head[0].isdigit() else None


def _train_class_folders(inputs):
    """Whether a training folder (train/, seg_train/ ...) holds class folders: those are the labels, whatever table
    lists the images beside them (State Farm's driver_imgs_list.csv)."""
    named = [f for f in image_folders(inputs) if "train" in name_words(f)]
    return any(len(_class_folders(inputs, descend(inputs, d))) >= 2 for d in [*inputs.existing(TRAIN_DIRS), *named])


def _class_folders(inputs, folder):
    """Sub-folders of `folder` that hold images: test-like names, labelled splits and mask folders excluded."""
    prefix = f"{folder}/" if folder else ""
    subs = Counter(r[len(prefix):].split("/")[0] for r in inputs.images_under(folder) if "/" in r[len(prefix):])
    masks = {s.mask_dir for s in find_mask_sources(inputs)} if len(subs) > 1 else set()
    return sorted(s for s in subs if "test" not in s.lower() and f"{prefix}{s}".strip("/") not in TEST_DIRS
                  and f"{prefix}{s}" not in masks and not (folder == "" and s.lower() in VAL_DIRS))


def _folder_targets(plan, params, class_dirs):
    """Map class folders to targets with folder_labels ('Cover:0,JMiPOD:1'); needed when the sample wants one number."""
    mapping = params.get("folder_labels", "")
    if mapping:
        pairs = dict(p.split(":", 1) for p in mapping.split(",") if ":" in p)
        unknown = sorted(set(pairs) - set(class_dirs))
        unmapped = sorted(set(class_dirs) - set(pairs))
        if unknown or unmapped:
            raise ValueError(f"folder_labels={mapping!r}: unknown folders {unknown}, unmapped folders {unmapped}; "
                             f"the class folders are {class_dirs}")
        plan.set("folder_labels", pairs, "parameter folder_labels")
        return
    samples = [v[0] for v in plan.sample_values if v]
    numeric = samples and all(is_number(v) for v in samples)
    if numeric and len(class_dirs) > 2 and len(plan.get("value_cols", [])) == 1:
        raise ambiguous(
            f"{len(class_dirs)} class folders but {plan['sample_csv']} wants one number per image; "
            "which folders are positive? folders", class_dirs,
            f"folder_labels (e.g. {class_dirs[0]}:0,{','.join(f'{d}:1' for d in class_dirs[1:])})")


def _positive_class(classes, params):
    """The class whose probability a one-number submission holds: the parameter, else the one named like 1/yes/true."""
    given = params.get("positive_class", "")
    if given:
        if given not in [str(c) for c in classes]:
            raise ValueError(f"positive_class={given!r} is not one of the classes {classes}; fix positive_class")
        return given, "parameter positive_class"
    hits = [c for c in classes if str(c).lower() in POSITIVE_NAMES]
    if len(hits) == 1:
        return hits[0], f"the class named {hits[0]!r} of {classes}"
    raise ambiguous("the sample wants one probability per image, but of which class? classes", classes, "positive_class")


def _submission(plan, params):
    """The submission format and the metric, from the encoding, the sample's values and the parameters."""
    encoding = plan["label_encoding"]
    value_cols = plan.get("value_cols", ["label"])
    classes = list(plan.get("classes", {}))
    if plan.get("folder_labels"):
        classes = sorted(set(plan["folder_labels"].values()))
    samples = [v[0] for v in plan.sample_values if v]
    k = max((len(s.split()) for s in samples), default=1)
    if params.get("submission_format", "auto") not in ("", "auto"):
        fmt, source = params["submission_format"], "parameter submission_format"
    elif len(value_cols) > 1:
        fmt, source = "class_probabilities", f"{plan.get('sample_csv')}: one column per class"
    elif encoding == "onehot" and plan.get("label_cols") != value_cols:
        fmt, source = "class_rows", f"{plan.get('sample_csv')}: a row per image and class, the probability of that class"
    elif encoding == "multilabel":
        fmt, source = "labels", "space-separated labels in the training table" if not plan.get("label_sep") else (
            f"labels in the training table (joined by {plan['label_sep']!r} there, by spaces in the submission)")
    elif encoding == "topk" or k > 1:
        fmt, source = "topk", f"{plan.get('sample_csv')}: {k} space-separated labels per row"
    elif encoding == "regression":
        fmt, source = "value", "a regression target"
    elif len(classes) == 2 and params.get("metric", "auto") not in LABEL_METRICS and all(is_number(v) for v in samples):
        fmt, source = "probability", "two classes and a number per sample row: P(positive class)"
    else:
        fmt, source = "label", "one class label per row"
    plan.set("submission_format", fmt, source)
    if fmt == "topk":
        plan.set("top_k", int(params.get("top_k") or k), "parameter top_k" if params.get("top_k") else "tokens per sample row")
    if fmt == "probability":
        plan.set("positive_class", *_positive_class(classes, params))
    metric = params.get("metric", "auto") or "auto"
    if metric == "auto":
        metric = {"multilabel": "micro_f1", "topk": "map_at_k", "regression": "rmse", "onehot": "roc_auc",
                  "votes": "kl_divergence"}.get(encoding)
        if metric is None:
            metric = "roc_auc" if fmt in ("probability", "class_probabilities") and len(classes) <= 2 or \
                encoding == "onehot" else ("log_loss" if fmt == "class_probabilities" else "accuracy")
        plan.set("metric", metric, f"the usual metric for a {fmt} submission; set metric to the competition's")
    else:
        plan.set("metric", metric, "parameter metric")
