"""Read training labels from a CSV (one label column or one column per class) or class folders."""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

TRAIN_CSV_NAMES = ("train.csv", "train_labels.csv", "labels.csv", "train_solution.csv")


@dataclass
class Labels:
    """Training targets in one shape for every layout.

    y is (N, K) float: one-hot rows for single-label problems, 0/1 rows for multi-label.
    problem: 'multiclass' (softmax over K), 'binary' (one logit, K == 2) or 'multilabel'.
    """

    ids: list
    y: np.ndarray
    classes: list
    problem: str
    layout: str  # 'single', 'onehot' or 'folders'
    label_cols: list
    groups: np.ndarray | None = None


def parse_columns(text):
    """Split a comma-separated parameter into stripped, non-empty names."""
    return [c.strip() for c in text.split(",") if c.strip()]


def require_columns(table, columns, source, parameter):
    """Raise naming the missing columns, the ones present, and the parameter to set."""
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise KeyError(
            f"column(s) {missing} not in {source}; it has {list(table.columns)}. Set {parameter}."
        )


def labels_from_table(table, source, id_col="", label_col="", target_cols="", group_col="", sample=None):
    """Build Labels from a training table; empty parameters are inferred from `sample`'s columns."""
    id_col = id_col or (sample.columns[0] if sample is not None and sample.columns[0] in table else table.columns[0])
    require_columns(table, [id_col], source, "id_col")
    targets = parse_columns(target_cols)
    if label_col:
        require_columns(table, [label_col], source, "label_col")
        targets = [label_col]
    elif targets:
        require_columns(table, targets, source, "target_cols")
    else:
        others = [c for c in table.columns if c not in (id_col, group_col)]
        shared = [c for c in (sample.columns[1:] if sample is not None else []) if c in others]
        targets = shared or others
        if len(targets) != 1 and not shared:
            raise KeyError(
                f"cannot tell the label column(s) of {source}: it has {list(table.columns)}. "
                "Set label_col (one column) or target_cols (one column per class)."
            )
    groups = None
    if group_col:
        require_columns(table, [group_col], source, "group_col")
        groups = table[group_col].astype(str).to_numpy()
    ids = table[id_col].astype(str).tolist()
    if len(targets) == 1:
        return _single_column(ids, table[targets[0]], targets, groups, source)
    y = table[targets].to_numpy(dtype=np.float32)
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValueError(f"target_cols {targets} in {source} must hold only 0 and 1")
    problem = "multiclass" if (y.sum(1) == 1).all() else "multilabel"
    return Labels(ids, y, list(targets), problem, "onehot", list(targets), groups)


def _single_column(ids, column, label_cols, groups, source):
    if column.isna().any():
        raise ValueError(f"{int(column.isna().sum())} rows of {source} have no {column.name!r} label")
    classes = sorted(column.unique().tolist())
    if len(classes) < 2:
        raise ValueError(f"label column {column.name!r} in {source} has one value {classes}; is it the label?")
    index = {c: i for i, c in enumerate(classes)}
    y = np.eye(len(classes), dtype=np.float32)[[index[v] for v in column]]
    problem = "binary" if len(classes) == 2 else "multiclass"
    return Labels(ids, y, classes, problem, "single", label_cols, groups)


def labels_from_folders(folder):
    """Build Labels from train/<class>/<image> folders; ids are paths relative to `folder`."""
    folder = Path(folder)
    classes = sorted(d.name for d in folder.iterdir() if d.is_dir())
    if len(classes) < 2:
        raise FileNotFoundError(
            f"{folder} has {len(classes)} class folder(s); a folder-per-class layout needs at least 2. "
            "Set train_csv to the labels table."
        )
    ids, rows = [], []
    for k, name in enumerate(classes):
        for path in sorted((folder / name).iterdir()):
            if path.is_file():
                ids.append(f"{name}/{path.name}")
                rows.append(k)
    y = np.eye(len(classes), dtype=np.float32)[rows]
    problem = "binary" if len(classes) == 2 else "multiclass"
    return Labels(ids, y, classes, problem, "folders", [], None)


def read_labels(data_dir, train_csv, train_dir, sample, **columns):
    """Return Labels from the training table in `data_dir`, or from class folders in `train_dir`."""
    data_dir = Path(data_dir)
    if train_csv.lower() != "none":
        names = [train_csv] if train_csv else list(TRAIN_CSV_NAMES)
        path = next((data_dir / n for n in names if (data_dir / n).is_file()), None)
        if path is None and train_csv:
            raise FileNotFoundError(f"train_csv={train_csv!r} not found in {data_dir}; fix train_csv")
        if path is not None:
            return labels_from_table(pd.read_csv(path), path.name, sample=sample, **columns)
    if train_dir is not None and any(p.is_dir() for p in Path(train_dir).iterdir()):
        return labels_from_folders(train_dir)
    raise FileNotFoundError(
        f"no labels in {data_dir}: looked for {', '.join(TRAIN_CSV_NAMES)} and class folders in {train_dir}. "
        "Set train_csv (a table) or train_image_dir (a folder per class)."
    )
