"""A teacher for a student run: a finished run's soft labels (distillation) and confident test predictions (pseudo-labels).

The teacher is a finished training run of the same competition: an attached kernel output or a
folder. Its out-of-fold probabilities are the soft labels of the training images (each made by a
teacher fold that did not train on that image); its test probabilities (`test_probs.csv`, written
by a run that predicted the test set) give the pseudo-labels, which only ever join training sets.
"""

from pathlib import Path

import numpy as np
import pandas as pd

from lib.paths import KAGGLE_INPUT, TRAIN_MARKER, find_training_outputs


def find_run(name, input_root=KAGGLE_INPUT):
    """A finished run's folder: a path, or the attached kernel output named `name` under input_root."""
    path = Path(name)
    if (path / TRAIN_MARKER).is_file():
        return path
    hits = [p for p in find_training_outputs(input_root) if p.name == name]
    if not hits:
        raise FileNotFoundError(f"teacher={name!r}: no finished run ({TRAIN_MARKER}) at that path or under {input_root}/"
                                f"{name}; attach the teacher kernel's output (kernel_sources) or set teacher to its folder")
    if len(hits) > 1:
        raise ValueError(f"teacher={name!r}: {len(hits)} attached outputs have that name ({', '.join(map(str, hits))}); "
                         "set teacher to the folder of the one to use")
    return hits[0]


def soft_labels(folder, ids, columns):
    """(N, K) out-of-fold probabilities of the teacher for `ids`, from its oof.csv columns prob_<class>."""
    table = pd.read_csv(Path(folder) / "oof.csv", dtype={"id": str}).set_index("id")
    missing = [i for i in map(str, ids) if i not in table.index]
    if missing:
        raise ValueError(f"the teacher {folder} has no out-of-fold prediction for {len(missing)} training images (e.g. "
                         f"{missing[:3]}): train it on every fold (train_folds='all') of this data")
    return table.loc[list(map(str, ids)), [f"prob_{c}" for c in columns]].to_numpy(np.float32)


def test_predictions(folder, columns):
    """(ids, (M, K) probabilities) of the teacher's test images, from its test_probs.csv."""
    path = Path(folder) / "test_probs.csv"
    if not path.is_file():
        raise FileNotFoundError(f"the teacher {folder} has no test_probs.csv: pseudo-labels need a teacher that predicted "
                                "the test set (a full run, or its inference kernel's output)")
    table = pd.read_csv(path, dtype={"id": str})
    return table["id"].tolist(), table[[f"prob_{c}" for c in columns]].to_numpy(np.float32)


def confident(probs, threshold, problem):
    """Rows the teacher is sure of: its top class at `threshold` or more; for multi-label, every class within it of 0 or 1."""
    if problem == "multilabel":
        return np.all((probs >= threshold) | (probs <= 1 - threshold), axis=1)
    return probs.max(axis=1) >= threshold


def hard_targets(probs, problem):
    """The teacher's answer as targets: one-hot of its top class, or each class rounded for multi-label."""
    if problem == "multilabel":
        return (probs >= 0.5).astype(np.float32)
    return np.eye(probs.shape[1], dtype=np.float32)[probs.argmax(axis=1)]
