"""Test-time augmentation views on (N, C, H, W) batches; each view really transforms the input.

For dense predictions (masks) each view has an inverse that brings the prediction back to the
original orientation before the views are averaged.
"""

import torch

TTA_VIEWS = {
    "orig": lambda x: x,
    "hflip": lambda x: x.flip(-1),
    "vflip": lambda x: x.flip(-2),
    "hvflip": lambda x: x.flip(-2, -1),
    "transpose": lambda x: x.transpose(-2, -1),
    "rot90": lambda x: x.rot90(1, (-2, -1)),
    "rot270": lambda x: x.rot90(-1, (-2, -1)),
}
# Flips and the transpose undo themselves; the two quarter turns undo each other.
INVERSE_VIEWS = {**TTA_VIEWS, "rot90": TTA_VIEWS["rot270"], "rot270": TTA_VIEWS["rot90"]}
SQUARE_ONLY_VIEWS = ("transpose", "rot90", "rot270")


def parse_views(text, square=True):
    """Return the view names of a comma-separated parameter, or raise listing the valid ones."""
    views = [v.strip() for v in text.split(",") if v.strip()]
    unknown = [v for v in views if v not in TTA_VIEWS]
    if unknown or not views:
        raise ValueError(f"tta_views={text!r}: unknown {unknown}; choose from {', '.join(TTA_VIEWS)}")
    turned = [v for v in views if v in SQUARE_ONLY_VIEWS]
    if turned and not square:
        raise ValueError(f"tta_views={text!r}: {turned} need a square input size; drop them or make the size square")
    return views


@torch.no_grad()
def predict_views(predict, x, views, dense=False):
    """Average `predict` over the named views of `x`.

    predict maps a batch to (N, K) probabilities, or with dense=True to (N, K, H, W) maps,
    which are turned back by the view's inverse before averaging.
    """
    total = None
    for name in views:
        probs = predict(TTA_VIEWS[name](x))
        if dense:
            probs = INVERSE_VIEWS[name](probs)
        total = probs if total is None else total + probs
    return total / len(views)
