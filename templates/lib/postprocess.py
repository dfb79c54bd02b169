"""Turn class probability maps into masks: a threshold, then removal of components below a minimum area."""

import cv2
import numpy as np

from lib.seg_metrics import seg_score


def components(mask):
    """Return (labels, areas) of the 8-connected components of a 2-D 0/1 mask; areas[0] is the background."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    return labels, stats[:, cv2.CC_STAT_AREA]


def postprocess(prob, threshold, min_area):
    """(H, W) probabilities -> uint8 0/1 mask: pixels >= threshold, components smaller than min_area removed."""
    mask = (prob >= threshold).astype(np.uint8)
    if min_area <= 0 or not mask.any():
        return mask
    labels, areas = components(mask)
    keep = areas >= min_area
    keep[0] = False
    return keep[labels].astype(np.uint8)


def tune_class(probs, true, thresholds, min_areas, metric):
    """Grid-search the threshold and minimum component area of one class on out-of-fold maps.

    probs: (N, H, W) uint8 probabilities x 255; true: (N, H, W) 0/1; min_areas in pixels of
    these maps. Components are computed once per threshold: each minimum area then only
    filters their counts. Returns (threshold, min_area, score) of the best pair, ties to the first.
    """
    true = np.asarray(true, dtype=bool)
    true_sum = true.reshape(len(true), -1).sum(1)
    best = None
    for threshold in thresholds:
        cut = int(np.ceil(threshold * 255))
        inter = np.zeros((len(min_areas), len(probs)))
        pred_sum = np.zeros_like(inter)
        for i, (prob, target) in enumerate(zip(probs, true, strict=True)):
            mask = prob >= cut
            if not mask.any():
                continue
            labels, areas = components(mask)
            hits = np.bincount(labels.ravel(), weights=target.ravel(), minlength=len(areas))
            for j, min_area in enumerate(min_areas):
                keep = areas >= min_area
                keep[0] = False
                inter[j, i], pred_sum[j, i] = hits[keep].sum(), areas[keep].sum()
        for j, min_area in enumerate(min_areas):
            value = seg_score(metric, inter[j][:, None], pred_sum[j][:, None], true_sum[:, None])
            if best is None or value > best[2]:
                best = (float(threshold), int(min_area), value)
    return best


TUNED_THRESHOLDS = np.arange(0.3, 0.71, 0.05).round(2)
TUNED_AREA_SHARES = (0.0, 0.0005, 0.001, 0.0025, 0.005, 0.01)  # of the median image area


def tune_classes(maps, true, metric, median_area):
    """Tune every class on (N, K, h, w) uint8 out-of-fold maps; minimum areas are tried as shares of the median
    image area and returned in its pixels. Returns (thresholds, min_areas, mean tuned score over the classes)."""
    oof_area = maps.shape[-2] * maps.shape[-1]
    tuned = [tune_class(maps[:, k], true[:, k], TUNED_THRESHOLDS, [round(s * oof_area) for s in TUNED_AREA_SHARES], metric)
             for k in range(maps.shape[1])]
    return ([t for t, _, _ in tuned], [round(a * median_area / oof_area) for _, a, _ in tuned],
            float(np.mean([s for _, _, s in tuned])))
