"""The plan explains the data: what each sample column holds, and what each top-level file and folder is used as
(or why it is left out). A sample column nothing explains stops discovery: the writer would not know what to put there.
"""

from collections import Counter

from lib.layout import UNSUPPORTED_SUFFIXES, ambiguous
from lib.paths import IMAGE_SUFFIXES

# Plan entries that name a file or folder, and what it is used as.
USES = (
    ("sample_csv", "sample submission"), ("train_csv", "training labels"), ("train_image_dir", "training images"),
    ("annotation_file", "annotations"), ("label_dir", "annotation files"), ("class_table", "class names of the mask values"),
    ("class_names_file", "class names"), ("study_csv", "study labels"), ("test_csv", "test images per submission row"),
    ("test_json", "test image list"), ("mask_dir", "training masks"), ("target_dir", "target images"),
    ("test_image_dir", "test images"),
)


def explain_sample(plan):
    """Set sample_roles for classification and image-to-image (the other tasks set them while reading their columns)."""
    if not plan.get("sample_csv") or plan.get("sample_roles"):
        return
    columns, id_col = plan["sample_columns"], plan["sample_id_col"]
    roles = {"": "row index, written back as the sample has it"} if plan.get("sample_index_col") else {}
    roles[id_col] = ("pixel id '<image>_<row>_<col>'" if plan["task"] != "classification" else
                     f"row id: {plan['test_csv']} lists its images, whose predictions are combined ({plan.get('aggregate')})"
                     if plan.get("test_csv") else "image id")
    values = [c for c in columns if c not in ("", id_col)]
    fmt = plan.get("submission_format")
    if plan["task"] == "image2image" or fmt in ("label", "probability", "labels", "topk", "value"):
        if len(values) != 1:
            raise ambiguous(f"{plan['sample_csv']}: one answer column was expected beside the id; columns", values,
                            "label_col (or submission_format)")
        roles[values[0]] = {"pixels": "pixel value in [0, 1]", "label": "class label",
                            "probability": f"probability of class {plan.get('positive_class')!r}",
                            "labels": "space-separated labels over their thresholds",
                            "topk": f"the {plan.get('top_k')} most likely labels, best first",
                            "value": "the predicted value"}[fmt if plan["task"] == "classification" else "pixels"]
    elif fmt == "class_rows":
        roles[id_col] = "'<image id>_<class>': an image and one of its classes"
        roles.update({c: "probability of the row's class" for c in values})
    elif fmt == "class_probabilities":
        classes = {str(c) for c in plan.get("folder_labels", {}).values()} or {str(c) for c in plan.get("classes", {})}
        strangers = [c for c in values if c not in classes]
        if strangers:
            raise ambiguous(f"{plan['sample_csv']} has columns that are not classes of the training labels "
                            f"({sorted(classes)[:6]}): columns", strangers, "target_cols or label_col")
        roles.update({c: f"probability of class {c!r}" for c in values})
    plan.set("sample_roles", roles, f"{plan['sample_csv']}: every column explained")


def explain_files(inputs, plan):
    """Set `files`: each top-level file or folder with its use, or why it is left out."""
    used = {}
    for key, use in USES:
        value = plan.get(key)
        if isinstance(value, str) and value not in ("", "."):
            used.setdefault(value.split("/")[0], f"{use} ({key})")
    for image_dir, mask_dir in plan.get("extra_train", []):
        used.setdefault(image_dir.split("/")[0], "more labelled images, merged into the folds (extra_train)")
        if mask_dir:
            used.setdefault(mask_dir.split("/")[0], "their masks (extra_train)")
    for folder in plan.get("kept_out", []):
        used.setdefault(folder.split("/")[0], "ignored: labelled like the training images, kept out (merge_val=False)")
    for conversion in inputs.conversions:
        if conversion.kind == "signals":  # the table that pairs each recording's EEG with its spectrogram
            used.setdefault(conversion.source, "pairs each eeg_id with its spectrogram_id for the signals images")
    tops = _top_entries(inputs)
    explained = {}
    for top, (kind, targets, converted) in sorted(tops.items()):
        inner = next((used[t.rstrip("/")] for t in targets if t.rstrip("/") in used), "")
        if top in used:
            explained[top] = used[top]
        elif kind == "archive":
            explained[top] = (f"unpacked into {', '.join(targets)}" + (" and converted" if converted else "")
                              + (f": {inner}" if inner else "" if converted else ": not used"))
        elif converted:
            explained[top] = f"converted once ({', '.join(converted)}) into {', '.join(targets)}" + (f": {inner}" if inner
                                                                                                      else "")
        else:
            explained[top] = _left_out(inputs, plan, top, kind, used)
    if plan.get("train_image_dir") in ("", "."):
        which = "training and test" if plan.get("test_image_dir") in ("", ".") else "training"
        named = "path from the root" if plan.get("id_key") in ("path", "path_stem") else plan.get("id_key", "stem")
        for top, use in explained.items():
            if use.startswith("ignored: holds") and tops[top][0] == "folder":
                explained[top] = f"{which} images, named by their {named} (train_image_dir is the root)"
    plan.set("files", explained, f"every top-level entry of {plan.root.name}/")


def _top_entries(inputs):
    """{top-level name: (kind, tops it becomes, conversions)}: a file or folder as it is, an archive (the tops its
    members unpack into), or a source a conversion replaces (the tops its outputs sit in). Outputs are no entries."""
    tops = {}

    def entry(rel, source):
        top = (source[0] if source is not None else rel).split("/")[0]
        kind = "archive" if source is not None and "/" not in source[0] else "folder" if "/" in rel else "file"
        return tops.setdefault(top, (kind, set(), set()))

    def top_of(rel):
        return rel.split("/")[0] + "/" if "/" in rel else rel

    plain = {rel.partition("/")[:2] for rel, source in inputs.files.items() if source is None}  # (top, "/" or "")
    for top, slash in plain:
        entry(top + slash + "x" if slash else top, None)[1].add(top + slash)
    for rel, source in inputs.files.items():
        if source is not None and source[0] != "converted":
            entry(rel, source)[1].add(top_of(rel))
    for conversion in inputs.conversions:
        for rel in conversion.replaced:
            _, targets, kinds = entry(rel, inputs.replaced[rel])
            targets.update(top_of(r) for r in conversion.outputs)
            kinds.add(conversion.kind.replace("_", " "))
    return {k: (kind, sorted(t), sorted(c)) for k, (kind, t, c) in tops.items() if not k.startswith(".")}


def _left_out(inputs, plan, top, kind, used):
    """Why a top-level entry is not used: what it holds, in a few words."""
    if kind == "file":
        suffix = "." + top.rpartition(".")[2].lower() if "." in top else ""
        if suffix == ".csv":
            header, _ = inputs.read_csv(top)
            return f"ignored: a table the plan does not read (columns {', '.join(header[:6])}{' ...' if len(header) > 6 else ''})"
        if suffix in UNSUPPORTED_SUFFIXES:
            return f"ignored: {UNSUPPORTED_SUFFIXES[suffix]}, which the notebooks do not read"
        return f"ignored: a {suffix or 'plain'} file, not an input the notebooks read"
    files = [r for r in inputs.files if r.startswith(top + "/")]
    images = [r for r in files if r.lower().endswith(IMAGE_SUFFIXES)]
    masks = [s for s in inputs.mask_sources or [] if s.mask_dir.split("/")[0] == top]
    if masks:
        return f"ignored: masks of {masks[0].image_dir or 'the root'}/, which are not training images"
    tables = sorted(r.rpartition("/")[2] for r in files if r.lower().endswith((".csv", ".json")))
    if images:
        named = f" and {len(tables)} table{'s' if len(tables) > 1 else ''} ({', '.join(tables[:3])})" if tables else ""
        return f"ignored: holds {len(images)} images{named} outside the folders the plan reads"
    kinds = Counter("." + r.rpartition(".")[2].lower() if "." in r.rpartition("/")[2] else "no suffix" for r in files)
    return f"ignored: {', '.join(f'{n} {k}' for k, n in kinds.most_common(3))} files the plan does not read"
