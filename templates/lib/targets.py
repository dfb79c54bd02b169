"""Turn logits into probabilities and (N, K) targets into losses, the same way for every problem."""

import torch
import torch.nn.functional as F


def n_outputs(problem, n_classes):
    """Binary, regression and ordinal problems need one output; the others one per class."""
    return 1 if problem in ("binary", "regression", "ordinal") else n_classes


def logits_to_probs(logits, problem):
    """Return (N, K) probabilities: softmax, sigmoid per class, [1 - p, p] for binary, (N, 1) in [0, 1] for regression."""
    logits = logits.float()
    if problem == "multiclass":
        return logits.softmax(1)
    if problem == "binary":
        p = logits[:, 0].sigmoid()
        return torch.stack([1 - p, p], 1)
    return logits.sigmoid()


def smooth_targets(y, smoothing, problem):
    """Label smoothing on (N, K) targets: towards uniform for softmax, towards 0.5 for sigmoids."""
    if smoothing <= 0 or problem in ("regression", "ordinal"):
        return y
    k = y.shape[1] if problem == "multiclass" else 2
    return y * (1 - smoothing) + smoothing / k


def loss_fn(logits, y, problem):
    """Soft-target cross entropy for multiclass, BCE with logits otherwise; y is (N, K) float.

    Regression and ordinal targets are scaled to [0, 1], so BCE on one logit fits them too (and keeps
    predictions in range).
    """
    logits = logits.float()
    if problem == "multiclass":
        return torch.sum(-y * F.log_softmax(logits, dim=1), dim=1).mean()
    if problem == "binary":
        return F.binary_cross_entropy_with_logits(logits[:, 0], y[:, 1])
    return F.binary_cross_entropy_with_logits(logits, y)
