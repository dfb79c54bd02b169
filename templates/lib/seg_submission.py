"""Write segmentation submissions in the sample's row layout: per image, per image x class, or per instance."""

from dataclasses import dataclass

import pandas as pd

from lib.postprocess import components
from lib.rle import parse_runs, rle_encode


@dataclass(frozen=True)
class SubmissionSpec:
    """Where things are in sample_submission.csv and how its rows are laid out."""

    layout: str
    id_col: str
    rle_col: str
    class_col: str  # '' when classes are not a column
    combined_ids: bool  # ids such as 'image.jpg_3' carry the class
    image_ids: tuple  # test images, in the sample's order of first appearance


def read_submission_spec(sample, roles, layout):
    """Where the plan found each part of the submission (`roles`: column -> what it holds) and its row layout."""
    id_col = next(c for c, role in roles.items() if role.startswith("image id"))
    rle = next(c for c, role in roles.items() if role == "RLE mask")
    class_col = next((c for c, role in roles.items() if role == "class of the row's mask"), "")
    combined = "and class" in roles[id_col]
    ids = sample[id_col].astype(str)
    images = split_combined_id(ids)[0] if combined else ids.tolist()
    return SubmissionSpec(layout, id_col, rle, class_col, combined, tuple(dict.fromkeys(images)))


def sample_without_file(columns, layout, image_ids, classes):
    """(rows, roles) of a submission when the competition ships no sample: per image, or per image and class."""
    if layout == "per_image_class":
        rows = [(i, c, "") for i in image_ids for c in classes]
    else:
        rows = [(i, "") for i in image_ids]
    roles = {columns[0]: "image id", columns[-1]: "RLE mask"}
    if len(columns) == 3:
        roles[columns[1]] = "class of the row's mask"
    return pd.DataFrame(rows, columns=columns), roles


def split_combined_id(values):
    """Split 'image.jpg_3' ids (one row per image x class in one column) into (images, classes)."""
    parts = [str(v).rsplit("_", 1) for v in values]
    return [p[0] for p in parts], [p[1] for p in parts]


def instance_rles(mask, order, empty):
    """One RLE per 8-connected component of a 2-D mask, or [empty] when there is none."""
    labels, areas = components(mask)
    return [rle_encode(labels == i, order) for i in range(1, len(areas))] or [empty]


def encode_prediction(masks, spec, order, empty):
    """(K, H, W) 0/1 masks of one image -> its RLE strings for the layout: one per class, one, or one per instance."""
    if spec.layout == "per_image_class":
        return [rle_encode(mask, order, empty) for mask in masks]
    if spec.layout == "per_image":
        return [rle_encode(masks.max(0), order, empty)]
    return instance_rles(masks.max(0), order, empty)


def build_submission(sample, spec, encoded, classes):
    """Fill the sample's rows from `encoded` (image id -> encode_prediction's strings)."""
    rows = sample.copy()
    if spec.layout == "per_image_class":
        if spec.combined_ids:
            images, row_classes = split_combined_id(rows[spec.id_col].astype(str))
        else:
            images, row_classes = rows[spec.id_col].astype(str).tolist(), rows[spec.class_col].astype(str).tolist()
        index = {c: k for k, c in enumerate(classes)}
        unknown = sorted(set(row_classes) - set(index))
        if unknown:
            raise ValueError(f"sample_submission.csv names classes {unknown} the training data lacks; set the classes parameter")
        rows[spec.rle_col] = [encoded[i][index[c]] for i, c in zip(images, row_classes, strict=True)]
        return rows
    if spec.layout == "per_image":
        rows[spec.rle_col] = [encoded[i][0] for i in rows[spec.id_col].astype(str)]
        return rows
    records = [{spec.id_col: image_id, spec.rle_col: text} for image_id in spec.image_ids for text in encoded[image_id]]
    return pd.DataFrame.from_records(records, columns=[c for c in sample.columns if c in (spec.id_col, spec.rle_col)])



def check_submission(submission, sample, spec, shapes, empty):
    """Raise unless the submission has the sample's columns, its images in order, and RLEs inside each image."""
    if list(submission.columns) != list(sample.columns):
        raise ValueError(f"submission columns {list(submission.columns)} != sample {list(sample.columns)}")
    ids = submission[spec.id_col].astype(str)
    if spec.layout == "instances":
        if tuple(dict.fromkeys(ids)) != spec.image_ids:
            raise ValueError("instance rows do not list the sample's images in the sample's order")
    elif not ids.equals(sample[spec.id_col].astype(str)):
        raise ValueError("submission ids differ from sample_submission.csv in content or order")
    images = split_combined_id(ids)[0] if spec.combined_ids else ids.tolist()
    for image_id, text in zip(images, submission[spec.rle_col].tolist(), strict=True):
        if text == empty:
            continue
        starts, lengths = parse_runs(text)
        height, width = shapes[image_id]
        if len(starts) and (starts + lengths).max() > height * width:
            raise ValueError(f"submission RLE of {image_id} runs past its {height}x{width} image")
    if submission[spec.rle_col].isna().any():
        raise ValueError(f"submission column {spec.rle_col} has missing values; empty masks must be {empty!r}")


def count_nonempty(submission, spec, empty):
    return int((submission[spec.rle_col].astype(str) != empty).sum())

