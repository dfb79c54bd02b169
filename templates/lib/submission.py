"""Build submission.csv in sample_submission.csv's exact shape and check it before writing."""

import numpy as np
import pandas as pd

from lib.discover_labels import row_class

FORMATS = ("label", "probability", "class_probabilities", "class_rows", "labels", "topk", "value")


def build_submission(sample, probs, classes, fmt, value_cols, positive=None, k=5, thresholds=0.5, offset=0.0, span=1.0):
    """Return `sample` with its value columns filled from `probs` (N, K), rows in sample order.

    label: argmax class; probability: P(positive); class_probabilities: one column per class, rows
    summing to 1; class_rows: a row per image and class ('<image>_<class>'), that class's probability; labels: the classes over their thresholds, space-separated; topk: the k most
    likely classes, best first; value: offset + span * prediction (regression, inside the target's range).
    Every other column (an unnamed index, ids) is kept as the sample has it.
    """
    out = sample.copy()
    probs = np.asarray(probs, dtype=np.float64)
    if fmt not in FORMATS:
        raise ValueError(f"unknown submission_format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt != "class_probabilities" and len(value_cols) != 1:
        raise ValueError(f"submission_format={fmt!r} needs one value column; the sample has {value_cols}")
    names = [str(c) for c in classes]
    if fmt == "label":
        out[value_cols[0]] = [names[i] for i in probs.argmax(1)]
    elif fmt == "probability":
        out[value_cols[0]] = probs[:, names.index(str(positive))]
    elif fmt == "class_probabilities":
        missing = [c for c in value_cols if str(c) not in names]
        if missing:
            raise ValueError(f"sample columns {missing} are not classes {names[:10]}; set target_cols or label_col")
        probs = probs / probs.sum(1, keepdims=True)  # log loss graders want rows that sum to 1
        for col in value_cols:
            out[col] = probs[:, names.index(str(col))]
    elif fmt == "class_rows":  # '<image>_<class>' rows: each gets its class's probability (RSNA cervical)
        ids = out[[c for c in out.columns if c not in value_cols][-1]].astype(str)
        out[value_cols[0]] = [probs[row, names.index(row_class(i, names))] for row, i in enumerate(ids)]
    elif fmt == "labels":
        chosen = probs > np.asarray(thresholds)
        chosen[np.arange(len(probs)), probs.argmax(1)] |= ~chosen.any(1)  # never an empty row
        out[value_cols[0]] = [" ".join(n for n, c in zip(names, row, strict=True) if c) for row in chosen]
    elif fmt == "topk":
        top = np.argsort(-probs, axis=1, kind="stable")[:, :k]
        out[value_cols[0]] = [" ".join(names[i] for i in row) for row in top]
    else:
        out[value_cols[0]] = offset + span * np.clip(probs[:, 0], 0.0, 1.0)
    return out


def aggregate_rows(probs, row_ids, sample_ids, how="mean"):
    """Predictions of several images per submission row (a patient's side): mean or max per id, in sample order."""
    frame = pd.DataFrame(np.asarray(probs, dtype=np.float64)).groupby(np.asarray(row_ids, dtype=str)).agg(how)
    missing = sorted(set(map(str, sample_ids)) - set(frame.index))
    if missing:
        raise ValueError(f"{len(missing)} sample ids have no image in the test table (first: {missing[:3]}); "
                         "check the test table and test_image_dir")
    return frame.loc[[str(i) for i in sample_ids]].to_numpy()


def check_submission(submission, sample, fmt, classes, value_cols, id_col):
    """Raise if columns, ids, order, missing values or value ranges differ from what Kaggle expects."""
    if list(submission.columns) != list(sample.columns):
        raise ValueError(f"columns {list(submission.columns)} != sample_submission {list(sample.columns)}")
    if len(submission) != len(sample) or not (submission[id_col].to_numpy() == sample[id_col].to_numpy()).all():
        raise ValueError("ids differ from sample_submission.csv in content or order")
    values = submission[value_cols]
    if values.isna().any().any() or (values.astype(str) == "").any().any():
        raise ValueError(f"{int(values.isna().sum().sum())} missing values in the submission")
    allowed = {str(c) for c in classes}
    if fmt in ("label", "labels", "topk"):
        bad = sorted({t for v in values.iloc[:, 0] for t in str(v).split()} - allowed)
        if bad:
            raise ValueError(f"labels {bad[:5]} are not classes {sorted(allowed)[:10]}")
    elif fmt in ("probability", "class_probabilities", "class_rows"):
        array = values.to_numpy(dtype=np.float64)
        if (array < 0).any() or (array > 1).any():
            raise ValueError("probabilities outside [0, 1] in the submission")
        if fmt == "class_probabilities" and np.abs(array.sum(1) - 1).max() > 1e-6:
            raise ValueError("class probabilities do not sum to 1 in every row")
