"""CV metrics over (N, K) targets and probabilities, computed with scikit-learn."""

import numpy as np
from sklearn.metrics import accuracy_score, cohen_kappa_score, f1_score, log_loss, roc_auc_score

LOWER_IS_BETTER = {"log_loss"}


def default_metric(problem, layout):
    """Pick the usual Kaggle metric: accuracy for labels, ROC AUC for probability submissions."""
    if problem == "multiclass" and layout != "onehot":
        return "accuracy"
    return "roc_auc"


def score(metric, y, probs, problem):
    """Return `metric` for one-hot or multi-hot targets `y` (N, K) and probabilities `probs` (N, K)."""
    y = np.asarray(y)
    probs = np.asarray(probs, dtype=np.float64)
    if problem == "multilabel":
        truth = y.astype(int)
        if metric == "roc_auc":
            return float(roc_auc_score(truth, probs, average="macro"))  # mean column-wise AUC
        if metric == "log_loss":
            return float(np.mean([log_loss(truth[:, k], probs[:, k], labels=[0, 1]) for k in range(y.shape[1])]))
        if metric == "macro_f1":
            return float(f1_score(truth, probs > 0.5, average="macro", zero_division=0))
        if metric == "accuracy":
            return float(accuracy_score(truth, probs > 0.5))  # exact-match ratio
        raise ValueError(f"metric {metric!r} does not apply to multi-label targets; use roc_auc, log_loss, macro_f1")
    probs = probs / probs.sum(1, keepdims=True)  # float32 softmax rows drift from 1 by ~1e-7
    truth = y.argmax(1)
    predicted = probs.argmax(1)
    if metric == "accuracy":
        return float(accuracy_score(truth, predicted))
    if metric == "macro_f1":
        return float(f1_score(truth, predicted, average="macro", zero_division=0))
    if metric == "qwk":
        return float(cohen_kappa_score(truth, predicted, weights="quadratic"))
    if metric == "log_loss":
        return float(log_loss(truth, probs, labels=list(range(y.shape[1]))))
    if metric == "roc_auc":
        if problem == "binary":
            return float(roc_auc_score(truth, probs[:, 1]))
        return float(roc_auc_score(y.astype(int), probs, average="macro"))  # one-vs-rest, column-wise mean
    raise ValueError(f"unknown metric {metric!r}; use accuracy, macro_f1, roc_auc, qwk or log_loss")


def is_better(metric, new, best):
    """Return True when `new` beats `best` (None = nothing yet) for `metric`'s direction."""
    if best is None:
        return True
    return new < best if metric in LOWER_IS_BETTER else new > best
