"""CV metrics over (N, K) targets and probabilities, computed with scikit-learn."""

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    auc,
    cohen_kappa_score,
    f1_score,
    log_loss,
    roc_auc_score,
    roc_curve,
)

from lib.needs import metric_code

METRICS = ("accuracy", "macro_f1", "micro_f1", "map_at_k", "roc_auc", "weighted_auc", "pf1", "qwk", "log_loss",
           "kl_divergence", "rmse", "rsna_cervical")
# One competition's metric, called by name (lib/needs.py): a notebook carries its own only.
METRIC_CODE = {"weighted_auc": "metrics.weighted_auc", "pf1": "metrics.probabilistic_f1",
               "kl_divergence": "metrics.kl_divergence", "rsna_cervical": "metrics.cervical_log_loss"}
LOWER_IS_BETTER = {"log_loss", "rmse", "kl_divergence", "rsna_cervical"}
# RSNA cervical: a row's weight by its target and truth, (negative, positive); the study-level target counts 7 times
CERVICAL_WEIGHTS = {"patient_overall": (7.0, 14.0)}
CERVICAL_OTHERS = (1.0, 2.0)


def map_at_k(truth, probs, k):
    """Mean average precision at k with one true class per row: 1 / rank of the truth in the top k, else 0."""
    top = np.argsort(-probs, axis=1)[:, :k]
    hits = top == np.asarray(truth)[:, None]
    return float((hits / np.arange(1, k + 1)).sum(1).mean())


def weighted_auc(truth, scores, tpr_bands=(0.0, 0.4, 1.0), weights=(2, 1)):
    """ALASKA2's AUC: the ROC area in each TPR band (0-0.4 counts twice), normalised so a perfect score is 1."""
    fpr, tpr, _ = roc_curve(truth, scores)
    total = 0.0
    for low, high, weight in zip(tpr_bands[:-1], tpr_bands[1:], weights, strict=True):
        total += weight * auc(fpr, np.clip(tpr, low, high) - low)
    return float(total / np.dot(np.diff(tpr_bands), weights))


def kl_divergence(truth, probs, epsilon=1e-15):
    """HMS's metric: KL(truth || prediction) per row, summed over classes, averaged over rows; truth rows are
    distributions (normalised votes), predictions clipped to [epsilon, 1 - epsilon] as the competition's scorer does."""
    from scipy.special import rel_entr

    q = np.clip(np.asarray(probs, dtype=np.float64), epsilon, 1 - epsilon)
    return float(rel_entr(np.asarray(truth, dtype=np.float64), q).sum(1).mean())


def cervical_log_loss(truth, probs, classes):
    """RSNA cervical's weighted binary log loss over every (study, target) row: patient_overall rows weigh 7 when
    negative and 14 when positive, a vertebra's 1 and 2 (scikit-learn's log_loss with those sample weights)."""
    truth = np.asarray(truth, dtype=int)
    pairs = np.array([CERVICAL_WEIGHTS.get(str(c), CERVICAL_OTHERS) for c in classes])  # (K, 2)
    weights = np.where(truth == 1, pairs[None, :, 1], pairs[None, :, 0])
    return float(log_loss(truth.ravel(), np.asarray(probs, dtype=np.float64).ravel(), sample_weight=weights.ravel(),
                          labels=[0, 1]))


def probabilistic_f1(truth, scores):
    """RSNA breast's F1 on probabilities: true positives count the predicted probability, not a 0/1 cut."""
    truth, scores = np.asarray(truth, dtype=np.float64), np.clip(np.asarray(scores, dtype=np.float64), 0, 1)
    tp, fp = (scores * truth).sum(), (scores * (1 - truth)).sum()
    precision, recall = tp / max(tp + fp, 1e-12), tp / max(truth.sum(), 1e-12)
    return float(2 * precision * recall / max(precision + recall, 1e-12))


def checked_metric(metric):
    """`metric`, known and its code in this notebook: a wrong one stops before training, not after the first epoch."""
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}; use {', '.join(METRICS)}")
    metric_code(metric, METRIC_CODE)
    return metric


def score(metric, y, probs, problem, span=1.0, k=5, thresholds=0.5, classes=()):
    """Return `metric` for one-hot or multi-hot targets `y` (N, K) and probabilities `probs` (N, K).

    Regression and ordinal: y and probs are (N, 1) in [0, 1]; span turns them back into target units
    (the class index for ordinal, cut at `thresholds`, default halfway between classes).
    k: for map_at_k; thresholds: per class (or one) for the multi-label F1s; classes: the names of y's columns
    (rsna_cervical weighs its patient_overall column).
    """
    y = np.asarray(y)
    probs = np.asarray(probs, dtype=np.float64)
    if problem in ("regression", "ordinal"):
        if metric == "rmse":
            return float(np.sqrt(np.mean((probs[:, 0] - y[:, 0]) ** 2)) * span)
        if problem == "regression":
            raise ValueError(f"metric {metric!r} does not apply to a regression target; use rmse")
        n_classes = int(round(span)) + 1
        cuts = None if np.isscalar(thresholds) else thresholds
        y = np.eye(n_classes)[np.rint(y[:, 0] * span).astype(int)]
        probs = np.eye(n_classes)[ordinal_classes(probs[:, 0] * span, cuts)]
    if problem == "multilabel":
        truth = y.astype(int)
        if metric == "roc_auc":
            return float(roc_auc_score(truth, probs, average="macro"))  # mean column-wise AUC
        if metric == "log_loss":
            return float(np.mean([log_loss(truth[:, k], probs[:, k], labels=[0, 1]) for k in range(y.shape[1])]))
        if metric in ("macro_f1", "micro_f1"):
            average = metric.split("_")[0]
            return float(f1_score(truth, probs > np.asarray(thresholds), average=average, zero_division=0))
        if metric == "accuracy":
            return float(accuracy_score(truth, probs > 0.5))  # exact-match ratio
        if metric == "rsna_cervical":
            return metric_code(metric, METRIC_CODE)(truth, probs, classes)
        raise ValueError(f"metric {metric!r} does not apply to multi-label targets; use micro_f1, macro_f1, roc_auc, log_loss, "
                         "rsna_cervical")
    probs = probs / probs.sum(1, keepdims=True)  # float32 softmax rows drift from 1 by ~1e-7
    if metric == "kl_divergence":  # soft labels: y holds each row's distribution over the classes
        return metric_code(metric, METRIC_CODE)(y / y.sum(1, keepdims=True), probs)
    truth = y.argmax(1)
    predicted = probs.argmax(1)
    if metric == "accuracy":
        return float(accuracy_score(truth, predicted))
    if metric in ("macro_f1", "micro_f1"):
        return float(f1_score(truth, predicted, average=metric.split("_")[0], zero_division=0))
    if metric == "map_at_k":
        return map_at_k(truth, probs, min(k, probs.shape[1]))
    if metric in ("pf1", "weighted_auc"):  # positive: any class but the first
        return metric_code(metric, METRIC_CODE)(truth if problem == "binary" else truth > 0, 1 - probs[:, 0])
    if metric == "qwk":
        return float(cohen_kappa_score(truth, predicted, weights="quadratic"))
    if metric == "log_loss":
        return float(log_loss(truth, probs, labels=list(range(y.shape[1]))))
    if metric == "roc_auc":
        if problem == "binary":
            return float(roc_auc_score(truth, probs[:, 1]))
        return float(roc_auc_score(y.astype(int), probs, average="macro"))  # one-vs-rest, column-wise mean
    checked_metric(metric)  # an unknown name says so
    raise ValueError(f"metric {metric!r} does not apply to {problem} targets; use accuracy, macro_f1, micro_f1, map_at_k, "
                     "roc_auc, weighted_auc, pf1, qwk, log_loss, kl_divergence or rmse")


def ordinal_classes(values, cuts=None):
    """Class indexes of regressed values: cut at `cuts` (K - 1 increasing values), default k + 0.5."""
    values = np.asarray(values, dtype=np.float64)
    if cuts is None:
        cuts = np.arange(int(np.ceil(values.max(initial=0))) or 1) + 0.5
    return np.searchsorted(np.asarray(cuts), values)


def tune_cuts(y, probs, span, rounds=3):
    """Cut points between classes that maximise QWK on out-of-fold regressed values (coordinate search)."""
    truth = np.rint(np.asarray(y)[:, 0] * span).astype(int)
    values = np.asarray(probs, dtype=np.float64)[:, 0] * span
    cuts = np.arange(int(round(span))) + 0.5

    def qwk(c):
        return cohen_kappa_score(truth, ordinal_classes(values, c), weights="quadratic")

    for _ in range(rounds):
        for i in range(len(cuts)):
            low = cuts[i - 1] if i else 0.0
            high = cuts[i + 1] if i + 1 < len(cuts) else float(span)
            grid = np.linspace(low, high, 23)[1:-1]
            scores = [qwk(np.r_[cuts[:i], g, cuts[i + 1:]]) for g in grid]
            cuts[i] = grid[int(np.argmax(scores))]
    return cuts


THRESHOLD_GRID = np.linspace(0.05, 0.95, 19)


def tune_thresholds(y, probs, grid=THRESHOLD_GRID):
    """Per-class thresholds that maximise each class's F1 on out-of-fold probabilities (multi-label)."""
    best = []
    for k in range(y.shape[1]):
        scores = [f1_score(y[:, k].astype(int), probs[:, k] > t, zero_division=0) for t in grid]
        best.append(float(grid[int(np.argmax(scores))]))
    return np.array(best)


def is_better(metric, new, best):
    """Return True when `new` beats `best` (None = nothing yet) for `metric`'s direction."""
    if best is None:
        return True
    return new < best if metric in LOWER_IS_BETTER else new > best


def tuned_thresholds(problem, y, probs, span=1.0):
    """Per-class thresholds (multi-label) or cut points between classes (ordinal) tuned on OOF; 0.5 otherwise."""
    if problem == "multilabel":
        return tune_thresholds(y, probs)
    if problem == "ordinal":
        return tune_cuts(y, probs, span)
    return 0.5
