"""Build submission.csv in sample_submission.csv's exact shape and check it before writing."""

import numpy as np
import pandas as pd


def choose_format(requested, sample, classes, problem, metric):
    """Resolve submission_format 'auto' from sample_submission.csv's columns and the metric."""
    if requested != "auto":
        return requested
    value_cols = list(sample.columns[1:])
    if len(value_cols) > 1:
        return "class_probabilities"
    if problem == "binary" and metric in ("roc_auc", "log_loss"):
        return "probability"
    return "label"


def build_submission(sample, probs, classes, fmt):
    """Return a frame with sample's columns and row order filled from `probs` (N, K) in sample order."""
    id_col, value_cols = sample.columns[0], list(sample.columns[1:])
    out = sample[[id_col]].copy()
    probs = np.asarray(probs, dtype=np.float64)
    if fmt == "label":
        if len(value_cols) != 1:
            raise ValueError(f"submission_format='label' needs one value column; sample has {value_cols}")
        out[value_cols[0]] = [classes[i] for i in probs.argmax(1)]
    elif fmt == "probability":
        if len(value_cols) != 1 or probs.shape[1] != 2:
            raise ValueError("submission_format='probability' needs a binary problem and one value column")
        out[value_cols[0]] = probs[:, 1]
    elif fmt == "class_probabilities":
        by_name = {str(c): k for k, c in enumerate(classes)}
        missing = [c for c in value_cols if str(c) not in by_name]
        if missing:
            raise ValueError(
                f"sample_submission.csv columns {missing} are not classes {list(by_name)}; set target_cols"
            )
        for col in value_cols:
            out[col] = probs[:, by_name[str(col)]]
    else:
        raise ValueError(f"unknown submission_format {fmt!r}; use label, probability or class_probabilities")
    return out[list(sample.columns)]


def check_submission(submission, sample, fmt, classes):
    """Raise if columns, ids, order, missing values or value ranges differ from what Kaggle expects."""
    if list(submission.columns) != list(sample.columns):
        raise ValueError(f"columns {list(submission.columns)} != sample_submission {list(sample.columns)}")
    id_col = sample.columns[0]
    if len(submission) != len(sample) or not (submission[id_col].to_numpy() == sample[id_col].to_numpy()).all():
        raise ValueError("ids differ from sample_submission.csv in content or order")
    values = submission[sample.columns[1:]]
    if values.isna().any().any():
        raise ValueError(f"{int(values.isna().sum().sum())} missing values in the submission")
    if fmt == "label":
        allowed = {str(c) for c in classes}
        bad = sorted({str(v) for v in values.iloc[:, 0]} - allowed)
        if bad:
            raise ValueError(f"labels {bad[:5]} are not classes {sorted(allowed)}")
    else:
        array = values.to_numpy(dtype=np.float64)
        if (array < 0).any() or (array > 1).any():
            raise ValueError("probabilities outside [0, 1] in the submission")


def ids_from_folder(folder, suffixes):
    """Without sample_submission.csv: ids are the image file stems of the test folder, sorted."""
    return pd.Series(sorted(p.stem for p in folder.iterdir() if p.suffix.lower() in suffixes))
