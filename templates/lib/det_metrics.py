"""Detection metrics on {image id: boxes} dictionaries; boxes are [x0, y0, x1, y1] pixels.

ground truth: image id -> (boxes (N, 4), class ids (N,))
predictions:  image id -> (boxes (M, 4), scores (M,), class ids (M,))
"""

import contextlib
import io

import numpy as np

from lib.boxes import iou_matrix, xyxy_to_xywh
from lib.needs import metric_code

DET_METRICS = ("map50_95", "map50", "voc_map", "wheat", "point_f1")
# Each metric's code, called by name (lib/needs.py): a notebook carries its competition's only.
DET_METRIC_CODE = {"map50_95": "det_metrics.coco_map", "map50": "det_metrics.coco_map", "voc_map": "det_metrics.voc_map",
                   "wheat": "det_metrics.wheat_score", "point_f1": "det_metrics.point_f1"}
WHEAT_THRESHOLDS = (0.5, 0.55, 0.6, 0.65, 0.7, 0.75)


def match(pred_boxes, pred_scores, gt_boxes, iou_threshold):
    """Greedy matching by descending score: True where a prediction hits an unmatched box with IoU >= threshold."""
    order = np.argsort(-np.asarray(pred_scores), kind="stable")
    hits = np.zeros(len(order), dtype=bool)
    if len(gt_boxes) == 0 or len(order) == 0:
        return hits, order
    ious = iou_matrix(np.asarray(pred_boxes)[order], gt_boxes)
    taken = np.zeros(len(gt_boxes), dtype=bool)
    for rank, row in enumerate(ious):
        row = np.where(taken, -1.0, row)
        best = int(row.argmax())
        if row[best] >= iou_threshold:
            taken[best], hits[rank] = True, True
    return hits, order


def wheat_score(predictions, truth, thresholds=WHEAT_THRESHOLDS):
    """Global Wheat: per image, TP / (TP + FP + FN) averaged over IoU thresholds; then the mean over images.

    An image without boxes and without predictions scores 1; with predictions only, 0.
    """
    scores = []
    for image_id, (gt_boxes, _) in truth.items():
        boxes, confs, _ = predictions.get(image_id, (np.zeros((0, 4)), np.zeros(0), np.zeros(0)))
        if len(gt_boxes) == 0 and len(boxes) == 0:
            scores.append(1.0)
            continue
        per_threshold = []
        for t in thresholds:
            tp = int(match(boxes, confs, gt_boxes, t)[0].sum())
            per_threshold.append(tp / (len(boxes) + len(gt_boxes) - tp))
        scores.append(float(np.mean(per_threshold)))
    return float(np.mean(scores)) if scores else 0.0


def voc_map(predictions, truth, iou_threshold=0.5):
    """Pascal VOC mAP (all-point interpolation) at one IoU threshold, over the classes that have boxes."""
    classes = sorted({int(c) for _, labels in truth.values() for c in labels})
    aps = []
    for klass in classes:
        records, n_true = [], 0
        for image_id, (gt_boxes, gt_labels) in truth.items():
            gt = np.asarray(gt_boxes).reshape(-1, 4)[np.asarray(gt_labels) == klass]
            n_true += len(gt)
            boxes, confs, labels = predictions.get(image_id, (np.zeros((0, 4)), np.zeros(0), np.zeros(0)))
            keep = np.asarray(labels) == klass
            hits, order = match(np.asarray(boxes).reshape(-1, 4)[keep], np.asarray(confs)[keep], gt, iou_threshold)
            records.extend(zip(np.asarray(confs)[keep][order].tolist(), hits.tolist(), strict=True))
        records.sort(key=lambda r: -r[0])
        hits = np.array([h for _, h in records], dtype=float)
        tp, fp = np.cumsum(hits), np.cumsum(1 - hits)
        recall = tp / max(n_true, 1)
        precision = tp / np.maximum(tp + fp, 1e-12)
        # Area under the precision envelope (precision made monotone from the right).
        recall = np.concatenate([[0.0], recall, [1.0]])
        precision = np.concatenate([[0.0], precision, [0.0]])
        precision = np.maximum.accumulate(precision[::-1])[::-1]
        steps = np.flatnonzero(recall[1:] != recall[:-1])
        aps.append(float(((recall[steps + 1] - recall[steps]) * precision[steps + 1]).sum()))
    return float(np.mean(aps)) if aps else 0.0


def coco_map(predictions, truth):
    """(mAP@[.5:.95], mAP@.5) from pycocotools' COCOeval (100 detections per image, all areas)."""
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    ids = {image_id: i + 1 for i, image_id in enumerate(truth)}
    classes = sorted({int(c) for _, labels in truth.values() for c in labels} |
                     {int(c) for _, _, labels in predictions.values() for c in labels})
    annotations, results = [], []
    for image_id, (boxes, labels) in truth.items():
        for box, label in zip(xyxy_to_xywh(boxes).tolist(), np.asarray(labels).tolist(), strict=True):
            annotations.append({"id": len(annotations) + 1, "image_id": ids[image_id], "category_id": int(label),
                                "bbox": box, "area": box[2] * box[3], "iscrowd": 0})
    for image_id, (boxes, scores, labels) in predictions.items():
        if image_id not in ids:
            continue
        for box, score, label in zip(xyxy_to_xywh(boxes).tolist(), np.asarray(scores).tolist(), np.asarray(labels).tolist(), strict=True):
            results.append({"image_id": ids[image_id], "category_id": int(label), "bbox": box, "score": float(score)})
    if not annotations or not results:
        return 0.0, 0.0
    with contextlib.redirect_stdout(io.StringIO()):  # pycocotools prints its progress and tables
        coco = COCO()
        coco.dataset = {"images": [{"id": i} for i in ids.values()], "annotations": annotations,
                        "categories": [{"id": c} for c in classes]}
        coco.createIndex()
        evaluator = COCOeval(coco, coco.loadRes(results), "bbox")
        evaluator.evaluate()
        evaluator.accumulate()
        evaluator.summarize()
    return float(max(evaluator.stats[0], 0.0)), float(max(evaluator.stats[1], 0.0))


def point_f1(predictions, truth):
    """Kuzushiji's F1: a predicted box centre is a hit when it lies strictly inside an unmatched true box of its class.

    Counts are pooled over all images (the host's scoring); predictions are taken best first.
    """
    tp = fp = fn = 0
    for image_id, (gt_boxes, gt_labels) in truth.items():
        gt_boxes, gt_labels = np.asarray(gt_boxes).reshape(-1, 4), np.asarray(gt_labels)
        boxes, scores, labels = predictions.get(image_id, (np.zeros((0, 4)), np.zeros(0), np.zeros(0)))
        boxes = np.asarray(boxes).reshape(-1, 4)
        free = np.ones(len(gt_boxes), dtype=bool)
        for i in np.argsort(-np.asarray(scores), kind="stable"):
            cx, cy = (boxes[i, :2] + boxes[i, 2:]) / 2
            inside = (free & (gt_labels == labels[i]) & (gt_boxes[:, 0] < cx) & (cx < gt_boxes[:, 2])
                      & (gt_boxes[:, 1] < cy) & (cy < gt_boxes[:, 3]))
            if inside.any():
                free[np.flatnonzero(inside)[0]] = False
                tp += 1
            else:
                fp += 1
        fn += int(free.sum())
    return 2 * tp / max(2 * tp + fp + fn, 1)


def checked_det_metric(metric):
    """`metric`, known and its code in this notebook: a wrong one stops before training, not after the first epoch."""
    if metric not in DET_METRICS:
        raise ValueError(f"metric={metric!r}: choose from {', '.join(DET_METRICS)}")
    metric_code(metric, DET_METRIC_CODE)
    return metric


def det_score(metric, predictions, truth, iou_threshold=0.5):
    """The CV score of `metric` (higher is better)."""
    compute = metric_code(checked_det_metric(metric), DET_METRIC_CODE)
    if metric in ("map50_95", "map50"):
        return compute(predictions, truth)[metric == "map50"]
    return compute(predictions, truth, iou_threshold) if metric == "voc_map" else compute(predictions, truth)


def is_better(metric, new, best):
    """Every detection metric here is higher-is-better."""
    return best is None or new > best
