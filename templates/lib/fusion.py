"""Merge the boxes of several models or TTA views of one image with weighted boxes fusion (ensemble-boxes)."""

import numpy as np
from ensemble_boxes import weighted_boxes_fusion


def fuse_boxes(predictions, width, height, iou_threshold=0.55, skip_threshold=0.0, weights=None):
    """predictions: [(boxes [x0, y0, x1, y1] pixels, scores, class ids), ...], one per model or view.

    Returns one (boxes, scores, class ids) in pixels; `weights` weigh the predictions (an ensemble's
    members). A single prediction is returned as is: fusing it with itself would only reorder it.
    """
    if len(predictions) == 1:
        boxes, scores, labels = predictions[0]
        return np.asarray(boxes, float).reshape(-1, 4), np.asarray(scores, float), np.asarray(labels, int)
    scale = np.array([width, height, width, height], dtype=np.float64)
    boxes_list, scores_list, labels_list = [], [], []
    for boxes, scores, labels in predictions:
        # ensemble-boxes works on coordinates normalised to [0, 1].
        boxes_list.append(np.clip(np.asarray(boxes, np.float64).reshape(-1, 4) / scale, 0, 1).tolist())
        scores_list.append(np.asarray(scores, np.float64).tolist())
        labels_list.append(np.asarray(labels).astype(int).tolist())
    if not any(boxes_list):
        return np.zeros((0, 4)), np.zeros(0), np.zeros(0, dtype=int)
    boxes, scores, labels = weighted_boxes_fusion(
        boxes_list, scores_list, labels_list, weights=None if weights is None else list(weights), iou_thr=iou_threshold,
        skip_box_thr=skip_threshold,
    )
    return np.asarray(boxes).reshape(-1, 4) * scale, np.asarray(scores), np.asarray(labels).astype(int)


def pack_predictions(predictions, index):
    """{image id: (boxes, scores, labels)} -> one float array of rows [image index, x0, y0, x1, y1, score, label]."""
    rows = [
        np.column_stack([np.full(len(scores), index[image_id]), np.asarray(boxes).reshape(-1, 4), scores, labels])
        for image_id, (boxes, scores, labels) in predictions.items() if len(scores)
    ]
    return np.concatenate(rows).astype(np.float64) if rows else np.zeros((0, 7))


def unpack_predictions(rows, image_ids):
    """The inverse of pack_predictions, for `image_ids` (images without rows get empty predictions)."""
    out = {i: (np.zeros((0, 4)), np.zeros(0), np.zeros(0, dtype=int)) for i in image_ids}
    for k in np.unique(rows[:, 0]).astype(int):
        part = rows[rows[:, 0] == k]
        out[image_ids[k]] = (part[:, 1:5], part[:, 5], part[:, 6].astype(int))
    return out
