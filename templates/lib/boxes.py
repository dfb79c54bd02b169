"""Box formats and clean-up. Internally every box is [x0, y0, x1, y1] in pixels of the original image."""

import numpy as np


def xywh_to_xyxy(boxes):
    """[x, y, w, h] (top-left corner, COCO and Global Wheat) -> [x0, y0, x1, y1]."""
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    return np.concatenate([boxes[:, :2], boxes[:, :2] + boxes[:, 2:]], axis=1)


def xyxy_to_xywh(boxes):
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    return np.concatenate([boxes[:, :2], boxes[:, 2:] - boxes[:, :2]], axis=1)


def yolo_to_xyxy(boxes, width, height):
    """Normalised [cx, cy, w, h] (YOLO txt) -> pixel [x0, y0, x1, y1]."""
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4) * [width, height, width, height]
    half = boxes[:, 2:] / 2
    return np.concatenate([boxes[:, :2] - half, boxes[:, :2] + half], axis=1)


def xyxy_to_yolo(boxes, width, height):
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    centre, size = (boxes[:, :2] + boxes[:, 2:]) / 2, boxes[:, 2:] - boxes[:, :2]
    return np.concatenate([centre, size], axis=1) / [width, height, width, height]


def clean_boxes(boxes, width, height):
    """Clip boxes to the image and drop those left without area.

    Returns (clipped boxes, keep mask, count of boxes that were clipped).
    """
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    clipped = np.clip(boxes, 0, [width, height, width, height])
    changed = int((np.abs(clipped - boxes) > 1e-6).any(axis=1).sum())
    keep = (clipped[:, 2] > clipped[:, 0]) & (clipped[:, 3] > clipped[:, 1])
    return clipped, keep, changed


def iou_matrix(a, b):
    """(N, M) intersection over union of [x0, y0, x1, y1] boxes."""
    a, b = np.asarray(a, dtype=np.float64).reshape(-1, 4), np.asarray(b, dtype=np.float64).reshape(-1, 4)
    top_left = np.maximum(a[:, None, :2], b[None, :, :2])
    bottom_right = np.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = np.clip(bottom_right - top_left, 0, None).prod(axis=2)
    area_a = (a[:, 2:] - a[:, :2]).prod(axis=1)
    area_b = (b[:, 2:] - b[:, :2]).prod(axis=1)
    union = area_a[:, None] + area_b[None, :] - inter
    return np.where(union > 0, inter / np.where(union > 0, union, 1), 0.0)


def hflip_boxes(boxes, width):
    """Boxes of a horizontally flipped image, back in the original image (the flip is its own inverse)."""
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    return np.stack([width - boxes[:, 2], boxes[:, 1], width - boxes[:, 0], boxes[:, 3]], axis=1)


def vflip_boxes(boxes, height):
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    return np.stack([boxes[:, 0], height - boxes[:, 3], boxes[:, 2], height - boxes[:, 1]], axis=1)


FLIP_VIEWS = ("orig", "hflip", "vflip", "hvflip")


def flip_image(image, view):
    """An (H, W, C) image seen through a TTA view."""
    if view in ("hflip", "hvflip"):
        image = image[:, ::-1]
    if view in ("vflip", "hvflip"):
        image = image[::-1]
    return np.ascontiguousarray(image)


def unflip_boxes(boxes, view, width, height):
    """Boxes predicted on a flipped view, back in the original image."""
    if view in ("hflip", "hvflip"):
        boxes = hflip_boxes(boxes, width)
    if view in ("vflip", "hvflip"):
        boxes = vflip_boxes(boxes, height)
    return np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
