"""The groups of helper code a plan may need beyond plain image files and a labels table, and which a folder needs.

A notebook inlines a group's helpers only when its plan needs it (`nbgen new --data`, or a known competition's
`needs` in competitions.toml); without a plan it carries all of them. The notebook meets its data with the same
rules (templates/lib/decode.py: prepare_inputs; discovery's label sources) and stops with one line, naming what
needs it, when the data needs a group it left out.
"""

from __future__ import annotations

import os
from typing import Any

# group -> the functions the notebook calls through need() for it
INPUT_GROUPS = {
    "archives": ("list_archive", "read_member", "unpack_inputs"),  # .zip, .7z, .tar(.gz) unpacked once
    "conversions": ("decode_inputs", "find_conversions", "band_records_csv"),  # DICOM, 16-bit PNG, band records, big TIFFs
    "volumes": ("write_volume",),  # DICOM slice series, one array per study (with conversions)
    "bson": ("write_bson_records", "bson_table_csv"),  # images inside BSON records (cdiscount; with conversions)
    # classification labels without a table of a known name: class folders, file names (cat.1.jpg) or a table of
    # another name that names the images (NIH's Data_Entry_2017.csv); COCO-style JSON
    "folder_labels": ("discover_untabled_labels", "read_folder_labels", "read_file_name_labels"),
    "coco_labels": ("discover_coco_labels", "read_coco_labels"),
    # detection annotations that are not a box table: per-image VOC, LabelMe or YOLO files, COCO JSON
    "annotation_files": ("discover_annotation_files", "discover_yolo_names", "read_annotation_files"),
    "coco_boxes": ("discover_coco_boxes", "read_coco_json"),
    # segmentation masks: an RLE table, mask image files, LabelMe polygons
    "rle_masks": ("discover_rle_masks", "read_rle_table"),
    "mask_files": ("discover_mask_files", "read_mask_files", "file_class_masks"),
    "polygon_masks": ("discover_polygon_masks", "read_polygons", "draw_polygons"),
    # what else a plan may hold: study-level labels beside the boxes (SIIM-COVID), a table mapping several test images
    # to one submission row, a labelled split beside the training one (val/); their parameters come with them
    "study_labels": ("find_study_table",),
    "test_table": (),
    "val_split": (),
}
# task -> metric -> the function computing it that a notebook calls through need() (the metrics modules' *METRIC_CODE):
# a known plan carries its own metric's only
METRIC_FUNCTIONS = {
    "classification": {"weighted_auc": "weighted_auc", "pf1": "probabilistic_f1", "kl_divergence": "kl_divergence",
                       "rsna_cervical": "cervical_log_loss"},
    "detection": {"map50_95": "coco_map", "map50": "coco_map", "voc_map": "voc_map", "wheat": "wheat_score",
                  "point_f1": "point_f1"},
    "segmentation": {"dice_hausdorff": "dice_hausdorff"},
}
LABEL_GROUPS = {"folders": "folder_labels", "filename": "folder_labels", "coco_json": "coco_labels"}  # label_encoding
ANNOTATION_GROUPS = {"voc": "annotation_files", "labelme": "annotation_files", "yolo": "annotation_files",
                     "coco": "coco_boxes"}  # annotation_format
GROUP_TASK = {"folder_labels": "classification", "coco_labels": "classification", "annotation_files": "detection",
              "coco_boxes": "detection", "rle_masks": "segmentation", "mask_files": "segmentation",
              "polygon_masks": "segmentation", "study_labels": "detection"}  # groups of one task's code only
OTHER_TABLE = "the one top-level table with a column naming image files"  # lib/discover_labels.py's, for plan_groups
PLAN_FEATURES = {"study_csv": "study_labels", "test_csv": "test_table", "extra_train": "val_split"}  # plan entry -> group


def plan_groups(plan: Any) -> tuple[str, ...]:
    """The groups a discovered plan reads its labels, boxes or masks with (none for a labels or box table), and
    those of the other entries it holds (PLAN_FEATURES)."""
    features = tuple(group for entry, group in PLAN_FEATURES.items() if plan.get(entry))
    if plan.get("task") == "segmentation":
        # polygons are found where no mask files are: their rules run after the mask-file ones
        return (("mask_files", "polygon_masks") if plan.get("mask_encoding") == "polygons" else (
            "rle_masks",) if plan.get("train_csv") else ("mask_files",)) + features
    group = LABEL_GROUPS.get(plan.get("label_encoding", "")) or ANNOTATION_GROUPS.get(plan.get("annotation_format", ""))
    if plan.get("train_csv") and plan.entries["train_csv"][1].startswith(OTHER_TABLE):  # found as folders are
        group = "folder_labels"
    return ((group,) if group else ()) + features


def folder_needs(folder: str | os.PathLike[str], tile_size: int | None = None) -> tuple[str, ...]:
    """The input groups the notebook needs for `folder`, by prepare_inputs' own test (records.to_prepare, standard
    library only); an archive may hold anything, so it brings the conversions too."""
    from nbgen.discovery import _lib_module

    records = _lib_module("records")
    archive, slow = records.to_prepare(folder, tile_size)
    if archive:
        return "archives", "conversions"
    if not slow:
        return ()
    files = [p.relative_to(folder).as_posix() for p in records.walk_files(folder)]
    volumes = records.dicom_series(files) or any(map(records.is_nifti_volume, files))
    return ("conversions", *(("volumes",) if volumes else ()),
            *(("bson",) if any(map(records.is_bson_records, files)) else ()))
