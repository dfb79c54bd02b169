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


def loss_fn(logits, y, problem, reduction="mean"):
    """Soft-target cross entropy for multiclass, BCE with logits otherwise; y is (N, K) float.

    Regression and ordinal targets are scaled to [0, 1], so BCE on one logit fits them too (and keeps
    predictions in range). reduction='none' gives one loss per row.
    """
    logits = logits.float()
    if problem == "multiclass":
        rows = torch.sum(-y * F.log_softmax(logits, dim=1), dim=1)
    elif problem == "binary":
        rows = F.binary_cross_entropy_with_logits(logits[:, 0], y[:, 1], reduction="none")
    else:
        rows = F.binary_cross_entropy_with_logits(logits, y, reduction="none").mean(1)
    return rows.mean() if reduction == "mean" else rows


def distillation_loss(logits, teacher_probs, temperature, problem):
    """Per-row KL(teacher || student), both softened by `temperature`, times temperature^2 (Hinton et al. 2015).

    The teacher gives probabilities, not logits: softmax teachers are softened as q^(1/T) renormalised
    (the same as logits / T), sigmoid teachers through their logit, logit(q) / T. Multi-label rows
    average the per-class binary KL, as the hard-label BCE averages over classes.
    """
    logits, q = logits.float(), teacher_probs.float().clamp(1e-7, 1 - 1e-7)
    t = temperature
    if problem == "multiclass":
        teacher = F.softmax(torch.log(q) / t, dim=1)
        return F.kl_div(F.log_softmax(logits / t, dim=1), teacher, reduction="none").sum(1) * t * t
    if problem == "binary":
        q, logits = q[:, 1:], logits[:, :1]
    teacher = torch.sigmoid(torch.logit(q) / t)
    student = F.logsigmoid(logits / t), F.logsigmoid(-logits / t)  # log p, log (1 - p)
    kl = teacher * (torch.log(teacher) - student[0]) + (1 - teacher) * (torch.log1p(-teacher) - student[1])
    return kl.mean(1) * t * t
