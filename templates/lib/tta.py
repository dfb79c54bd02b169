"""Test-time augmentation views on (N, C, H, W) batches; each view really transforms the input."""

import torch

TTA_VIEWS = {
    "orig": lambda x: x,
    "hflip": lambda x: x.flip(-1),
    "vflip": lambda x: x.flip(-2),
    "hvflip": lambda x: x.flip(-2, -1),
    "transpose": lambda x: x.transpose(-2, -1),  # square inputs only, as the notebook resizes to
}


def parse_views(text):
    """Return the view names of a comma-separated parameter, or raise listing the valid ones."""
    views = [v.strip() for v in text.split(",") if v.strip()]
    unknown = [v for v in views if v not in TTA_VIEWS]
    if unknown or not views:
        raise ValueError(f"tta_views={text!r}: unknown {unknown}; choose from {', '.join(TTA_VIEWS)}")
    return views


@torch.no_grad()
def predict_views(predict, x, views):
    """Average `predict` (a batch -> (N, K) probabilities function) over the named views of `x`."""
    total = None
    for name in views:
        probs = predict(TTA_VIEWS[name](x))
        total = probs if total is None else total + probs
    return total / len(views)
