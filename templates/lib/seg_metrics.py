"""Dice and IoU of predicted masks, from per-image, per-class pixel counts."""

import numpy as np

from lib.masks import VOID
from lib.needs import metric_code

SEG_METRICS = ("dice", "dice_global", "iou", "iou_sweep", "f05_global")
# UW-Madison's metric over volumes, called by name (lib/needs.py): only its notebooks carry it.
SEG_METRIC_CODE = {"dice_hausdorff": "seg_metrics.dice_hausdorff"}
IOU_THRESHOLDS = np.arange(0.5, 1.0, 0.05)


def mask_stats(pred, true):
    """(N, K, H, W) masks -> (intersection, predicted, true) pixel counts, each (N, K); VOID truth counts nowhere."""
    true = np.asarray(true)
    pred = np.asarray(pred, dtype=bool) & (true != VOID)
    true = true == 1
    axes = (2, 3)
    return (pred & true).sum(axes), pred.sum(axes), true.sum(axes)


def seg_score(metric, inter, pred_sum, true_sum):
    """Score from pixel counts.

    dice: mean over images and classes of 2|P&T| / (|P| + |T|), 1 when both are empty (Severstal, Carvana).
    dice_global: per class 2 sum|P&T| / sum(|P| + |T|) over all images, then the class mean.
    iou: mean over images and classes of |P&T| / |P|T|, 1 when both are empty.
    iou_sweep: TGS Salt's score: per image and class, the share of IoU thresholds 0.50-0.95 that the
        whole mask passes (IoU > t); an empty truth scores 1 when the prediction is empty too, else 0.
    f05_global: F0.5 of all pixels pooled (Vesuvius ink): precision weighs four times recall.
    """
    inter, pred_sum, true_sum = (np.asarray(a, dtype=np.float64) for a in (inter, pred_sum, true_sum))
    if metric == "dice":
        total = pred_sum + true_sum
        return float(np.where(total == 0, 1.0, 2 * inter / np.maximum(total, 1)).mean())
    if metric == "iou":
        union = pred_sum + true_sum - inter
        return float(np.where(union == 0, 1.0, inter / np.maximum(union, 1)).mean())
    if metric == "iou_sweep":
        union = pred_sum + true_sum - inter
        iou = np.where(union == 0, 1.0, inter / np.maximum(union, 1))
        hits = (iou[..., None] > IOU_THRESHOLDS).mean(-1)
        return float(np.where(true_sum == 0, (pred_sum == 0).astype(float), hits).mean())
    if metric == "f05_global":
        tp, predicted, actual = inter.sum(), pred_sum.sum(), true_sum.sum()
        precision, recall = tp / max(predicted, 1), tp / max(actual, 1)
        return float(1.25 * precision * recall / max(0.25 * precision + recall, 1e-12))
    if metric == "dice_global":
        total = pred_sum.sum(0) + true_sum.sum(0)
        return float(np.where(total == 0, 1.0, 2 * inter.sum(0) / np.maximum(total, 1)).mean())
    raise ValueError(f"metric={metric!r}: choose from {', '.join(SEG_METRICS)}")


def checked_seg_metric(metric):
    """`metric`, known and its code in this notebook: a wrong one stops before training, not after the first epoch."""
    if metric not in (*SEG_METRICS, *SEG_METRIC_CODE):
        raise ValueError(f"metric={metric!r}: choose from {', '.join((*SEG_METRICS, *SEG_METRIC_CODE))}")
    metric_code(metric, SEG_METRIC_CODE)
    return metric


def is_better(metric, new, best):
    """Every segmentation metric here is higher-is-better."""
    return best is None or new > best


def hausdorff_3d(truth, pred):
    """Symmetric Hausdorff distance of two (D, H, W) 0/1 volumes over the volume's diagonal.

    0 when both are empty or equal, 1 when exactly one is empty (UW-Madison's convention).
    """
    from scipy.spatial.distance import directed_hausdorff

    a, b = np.argwhere(truth), np.argwhere(pred)
    if not len(a) and not len(b):
        return 0.0
    if not len(a) or not len(b):
        return 1.0
    distance = max(directed_hausdorff(a, b)[0], directed_hausdorff(b, a)[0])
    return float(min(distance / np.linalg.norm(truth.shape), 1.0))


def dice_hausdorff(truth_volumes, pred_volumes):
    """UW-Madison: 0.4 x mean Dice per slice and class (both empty skipped) + 0.6 x (1 - mean 3D Hausdorff).

    Volumes are (D, K, H, W) 0/1 arrays, one per case-day, slices in order; the Hausdorff term is
    the mean over volumes and classes of hausdorff_3d.
    """
    dices, distances = [], []
    for truth, pred in zip(truth_volumes, pred_volumes, strict=True):
        truth, pred = np.asarray(truth, dtype=bool), np.asarray(pred, dtype=bool)
        inter, pred_sum, true_sum = mask_stats(pred, truth)
        total = pred_sum + true_sum
        dices += (2 * inter[total > 0] / total[total > 0]).tolist()
        distances += [hausdorff_3d(truth[:, k], pred[:, k]) for k in range(truth.shape[1])]
    dice = float(np.mean(dices)) if dices else 1.0
    return 0.4 * dice + 0.6 * (1.0 - float(np.mean(distances)))
