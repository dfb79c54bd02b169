"""Detection submissions as Kaggle's PredictionString: writers and parsers for each competition format.

wheat:   'conf x y w h conf x y w h ...'          (Global Wheat; x, y the top-left corner)
vinbig:  'class conf x0 y0 x1 y1 ...'              (VinBigData; images without boxes get a filler)
points:  'label cx cy label cx cy ...'             (Kuzushiji; the box centres, best first, no confidence)
named:   'name conf x0 y0 x1 y1 ...'               (SIIM-COVID; classes by name, 'none 1 0 0 1 1' for no object)
"""

import numpy as np

from lib.boxes import xyxy_to_xywh

FORMATS = ("wheat", "vinbig", "points", "named")


def check_format(name):
    if name not in FORMATS:
        raise ValueError(f"submission_format={name!r}: supported formats are {', '.join(FORMATS)}")
    return name


def write_prediction_string(fmt, boxes, scores, labels, empty=""):
    """One image's boxes ([x0, y0, x1, y1] pixels), scores and class ids (names for points and named) -> its PredictionString."""
    check_format(fmt)
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    if len(boxes) == 0:
        return empty
    order = np.argsort(-np.asarray(scores), kind="stable")
    parts = []
    if fmt == "wheat":
        for i in order:
            x, y, w, h = np.round(xyxy_to_xywh(boxes[i])[0]).astype(int).tolist()
            parts.append(f"{scores[i]:.4f} {x} {y} {w} {h}")
    elif fmt == "points":
        for i in order:
            cx, cy = np.round((boxes[i, :2] + boxes[i, 2:]) / 2).astype(int).tolist()
            parts.append(f"{labels[i]} {cx} {cy}")
    else:
        for i in order:
            x0, y0, x1, y1 = np.round(boxes[i]).astype(int).tolist()
            label = labels[i] if fmt == "named" else int(labels[i])
            parts.append(f"{label} {scores[i]:.4f} {x0} {y0} {x1} {y1}")
    return " ".join(parts)


def parse_prediction_string(fmt, text):
    """PredictionString -> (boxes [x0, y0, x1, y1], scores, class ids); raise naming what is wrong."""
    check_format(fmt)
    if text is None or (isinstance(text, float) and text != text) or not str(text).strip():
        return np.zeros((0, 4)), np.zeros(0), np.zeros(0, dtype=int)
    if fmt == "points":  # a point is a box of no size; labels stay names
        tokens = str(text).split()
        if len(tokens) % 3:
            raise ValueError(f"points PredictionString has {len(tokens)} tokens, not a multiple of 3: {str(text)[:40]!r}")
        centres = np.array([tokens[i + 1 : i + 3] for i in range(0, len(tokens), 3)], dtype=np.float64)
        return np.concatenate([centres, centres], axis=1), np.ones(len(centres)), np.array(tokens[0::3], dtype=object)
    if fmt == "named":  # labels stay names
        tokens = str(text).split()
        if len(tokens) % 6:
            raise ValueError(f"named PredictionString has {len(tokens)} tokens, not a multiple of 6: {str(text)[:40]!r}")
        rows = np.array([tokens[i + 1 : i + 6] for i in range(0, len(tokens), 6)], dtype=np.float64)
        return rows[:, 1:], rows[:, 0], np.array(tokens[0::6], dtype=object)
    values = np.array(str(text).split(), dtype=np.float64)
    width = 5 if fmt == "wheat" else 6
    if len(values) % width:
        raise ValueError(f"{fmt} PredictionString has {len(values)} numbers, not a multiple of {width}: {str(text)[:40]!r}")
    rows = values.reshape(-1, width)
    if fmt == "wheat":
        xywh = rows[:, 1:]
        boxes = np.concatenate([xywh[:, :2], xywh[:, :2] + xywh[:, 2:]], axis=1)
        return boxes, rows[:, 0], np.zeros(len(rows), dtype=int)
    return rows[:, 2:], rows[:, 1], rows[:, 0].astype(int)
