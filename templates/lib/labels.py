"""Read training labels and image paths the way the discovery plan says: a table, class folders, file names or COCO JSON."""

import json
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from lib.discover_labels import split_labels
from lib.layout import image_records
from lib.needs import need
from lib.paths import IMAGE_SUFFIXES, image_paths, index_files


@dataclass
class Labels:
    """Training targets in one shape for every layout.

    y is (N, K) float: one-hot rows for single-label problems, 0/1 rows for multi-label, and one
    column scaled to [0, 1] for regression (value = offset + span * y).
    problem: 'multiclass' (softmax over K), 'binary' (one logit, K == 2), 'multilabel', 'regression', or
    'ordinal' (the class index regressed: y = index / (K - 1), one column, cut back into classes).
    """

    ids: list
    y: np.ndarray
    classes: list
    problem: str
    layout: str
    label_cols: list
    paths: list
    groups: np.ndarray | None = None
    offset: float = 0.0
    span: float = 1.0

    def subset(self, keep):
        """The rows where the 0/1 mask `keep` is set (unreadable images dropped)."""
        rows = np.flatnonzero(keep)
        return replace(self, ids=[self.ids[i] for i in rows], y=self.y[rows], paths=[self.paths[i] for i in rows],
                       groups=None if self.groups is None else self.groups[rows])


def parse_columns(text):
    """Split a comma-separated parameter into stripped, non-empty names."""
    return [c.strip() for c in text.split(",") if c.strip()]


def one_hot(values, classes):
    index = {str(c): i for i, c in enumerate(classes)}
    return np.eye(len(classes), dtype=np.float32)[[index[str(v)] for v in values]]


def problem_of(encoding, y):
    if encoding in ("multilabel",) or (encoding == "onehot" and not (y.sum(1) == 1).all()):  # votes: soft softmax rows
        return "multilabel"
    return "binary" if y.shape[1] == 2 else "multiclass"


def read_labels(plan, data_dir, group_col="", ordinal=False):
    """Return Labels (with one image path per id) for the plan's label encoding; ordinal regresses the class index."""
    data_dir = Path(data_dir)
    encoding = plan["label_encoding"]
    # Folder, file-name and COCO labels by name: a notebook carries the reader its plan uses.
    reader = {"folders": "labels.read_folder_labels", "filename": "labels.read_file_name_labels",
              "coco_json": "labels.read_coco_labels"}.get(encoding)
    labels = (need(reader, f"labels encoded as {encoding}") if reader else _labels_from_table)(plan, data_dir, group_col)
    if ordinal:
        if labels.problem not in ("multiclass", "binary"):
            raise ValueError(f"ordinal=True needs one label per image; these labels are {labels.problem}. Set ordinal=False")
        n = len(labels.classes)
        labels.y = (labels.y.argmax(1) / (n - 1)).astype(np.float32)[:, None]
        labels.problem, labels.span = "ordinal", float(n - 1)
    return labels


def _groups(table, group_col, source):
    if not group_col:
        return None
    if group_col not in table:
        raise KeyError(f"group_col={group_col!r} is not a column of {source} ({list(table.columns)}); fix group_col")
    return table[group_col].astype(str).to_numpy()


def _labels_from_table(plan, data_dir, group_col):
    source = plan["train_csv"]
    table = pd.read_csv(data_dir / source, dtype=str, keep_default_na=False)
    encoding, targets = plan["label_encoding"], plan["label_cols"]
    if encoding == "votes":
        table = mean_votes(table, plan["id_col"], targets, source)
    ids = table[plan["id_col"]].tolist()
    train_dir = data_dir / plan["train_image_dir"]
    paths = image_paths(ids, index_files(train_dir, plan["id_key"]), train_dir)
    groups = _groups(table, group_col, source)
    if encoding == "regression":
        values = table[targets[0]].astype(float).to_numpy()
        low, high = plan["value_range"]
        y = ((values - low) / max(high - low, 1e-12)).astype(np.float32)[:, None]
        return Labels(ids, y, targets, "regression", encoding, targets, paths, groups, low, high - low)
    classes = list(plan["classes"])
    if encoding == "votes":
        y = table[targets].to_numpy(dtype=np.float32)
    elif encoding == "onehot":
        y = table[targets].astype(float).to_numpy(dtype=np.float32)
        if not np.isin(y, (0.0, 1.0)).all():
            raise ValueError(f"target columns {targets} of {source} must hold only 0 and 1")
    elif encoding == "multilabel":
        index = {c: i for i, c in enumerate(classes)}
        y = np.zeros((len(table), len(classes)), dtype=np.float32)
        for row, text in enumerate(table[targets[0]]):
            y[row, [index[t] for t in split_labels(text, plan.get("label_sep", ""))]] = 1
    else:
        y = one_hot(table[targets[0]], classes)
    return Labels(ids, y, classes, problem_of(encoding, y), encoding, targets, paths, groups)


def mean_votes(table, id_col, targets, source):
    """One row per image from rows of vote counts (HMS: several labelled windows per spectrogram): each row's votes
    normalised to sum to 1, then averaged per image, the distribution that scores best under KL divergence on the
    image's rows. The other columns keep the image's first row (its patient, for groups)."""
    counts = table[targets].apply(pd.to_numeric, errors="coerce").fillna(0).to_numpy(dtype=np.float64)
    totals = counts.sum(1, keepdims=True)
    if (counts < 0).any() or (totals == 0).any():
        raise ValueError(f"{int((totals[:, 0] == 0).sum())} rows of {source} have no votes in {targets} (or negative "
                         "counts); drop them or fix the table")
    shares = pd.DataFrame(counts / totals, columns=targets).groupby(table[id_col].to_numpy(), sort=False).mean()
    first = table.drop(columns=targets).groupby(id_col, sort=False).first()
    return first.join(shares).reset_index(names=id_col)


def read_folder_labels(plan, data_dir, group_col):
    """train/<class>/<image>, and a merged val/<class>/; folder_labels maps folders to targets (alaska2: Cover:0, the others 1)."""
    mapping = plan.get("folder_labels") or {d: d for d in plan["classes"]}
    classes = sorted(set(mapping.values()))
    ids, targets, paths = [], [], []
    for split in [plan["train_image_dir"], *(image_dir for image_dir, _ in plan.get("extra_train", []))]:
        folder = data_dir / split
        for name in plan["classes"]:
            for path in sorted((folder / name).rglob("*")):
                if path.suffix.lower() in IMAGE_SUFFIXES:
                    ids.append(path.relative_to(data_dir / plan["train_image_dir"] if split == plan["train_image_dir"]
                                                else data_dir).as_posix())
                    targets.append(mapping[name])
                    paths.append(path)
    y = one_hot(targets, classes)
    return Labels(ids, y, classes, problem_of("folders", y), "folders", [], paths)


def read_file_name_labels(plan, data_dir, group_col):
    """cat.1.jpg: the label is the file name up to the first dot."""
    folder = data_dir / plan["train_image_dir"]
    paths = sorted(p for p in folder.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
    classes = list(plan["classes"])
    y = one_hot([p.name.split(".")[0] for p in paths], classes)
    ids = [p.relative_to(folder).as_posix() for p in paths]
    return Labels(ids, y, classes, problem_of("filename", y), "filename", [], paths)


def read_coco_labels(plan, data_dir, group_col):
    """Labels from annotations[].category_id, paths from images[].file_name (the first annotation per image)."""
    data = json.loads((data_dir / plan["train_csv"]).read_text())
    images = image_records(data)
    label_of = {}
    for annotation in data["annotations"]:
        label_of.setdefault(str(annotation["image_id"]), str(annotation["category_id"]))
    ids = [i for i in images if i in label_of]
    base = data_dir / plan["train_image_dir"]
    classes = list(plan["classes"])
    y = one_hot([label_of[i] for i in ids], classes)
    groups = None
    if group_col:
        if group_col not in images[ids[0]]:
            raise KeyError(f"group_col={group_col!r} is not a field of {plan['train_csv']}'s images; fix group_col")
        groups = np.array([str(images[i][group_col]) for i in ids])
    paths = [base / images[i]["file_name"] for i in ids]
    return Labels(ids, y, classes, problem_of("coco_json", y), "coco_json", [], paths, groups)


def test_image_paths(plan, data_dir, ids):
    """One path per test id: from the test JSON's file names, else by name or stem in the test folder."""
    if not len(ids):  # no test images (no sample, no test folder): nothing to read
        return []
    data_dir = Path(data_dir)
    folder = data_dir / plan["test_image_dir"]
    if plan.get("test_json"):
        images = image_records(json.loads((data_dir / plan["test_json"]).read_text()))
        return [folder / images[str(i)]["file_name"] for i in ids]
    return image_paths([str(i) for i in ids], index_files(folder, plan.get("test_id_key", "stem")), folder)
