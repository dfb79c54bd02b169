"""Discovery: the plan for every synthetic layout, the stops where two readings fit, bad input, unpacking."""

import csv
import json
import shutil
import zipfile

import numpy as np
import pytest

from lib import decode, inputs, labels
from lib.discover import discover
from lib.layout import AmbiguousInputError
from nbgen.synth import LAYOUTS, make_competition

# layout -> (task, label encoding or annotation file, train folder, test folder, submission format, metric)
EXPECTED = {
    "csv": ("classification", "single", "train_images", "test_images", "label", "accuracy"),
    # a recording's spectrogram and EEG become one image named by eeg_id; vote counts are soft labels
    "hms": ("classification", "votes", "train_signals", "test_signals", "class_probabilities", "kl_divergence"),
    # DICOM slice series become one array per case: train/<case>.npy
    "rsna_miccai": ("classification", "single", "train", "test", "probability", "roc_auc"),
    # a CT series per study; the sample's '<study>_<target>' rows name the table's 0/1 columns
    "rsna_cervical": ("classification", "onehot", "train_images", "test_images", "class_rows", "roc_auc"),
    # BSON product records become train/<_id>-<n>.jpg and train.csv; test.csv maps a product to its images
    "cdiscount": ("classification", "single", "train", "test", "label", "accuracy"),
    # NIfTI volumes become arrays of the same stem; those under masks/ stay labels, unread
    "nifti_volumes": ("classification", "single", "train", "test", "probability", "roc_auc"),
    "onehot": ("classification", "onehot", "images", "images", "class_probabilities", "roc_auc"),
    "binary": ("classification", "single", "jpeg/train", "jpeg/test", "probability", "roc_auc"),
    "folders": ("classification", "folders", "train", "test", "label", "accuracy"),
    "class_columns": ("classification", "single", "train", "test", "class_probabilities", "log_loss"),
    "multilabel": ("classification", "multilabel", "train_images", "test_images", "labels", "micro_f1"),
    "topk": ("classification", "topk", "train", "test", "topk", "map_at_k"),
    "regression": ("classification", "regression", "train", "test", "value", "rmse"),
    "filename_zip": ("classification", "filename", "train", "test", "probability", "roc_auc"),
    "folders_binary": ("classification", "folders", "", "Test", "probability", "roc_auc"),
    "zip_flat": ("classification", "single", "train", "test", "probability", "roc_auc"),
    "packed_csv": ("classification", "single", "train", "test", "probability", "roc_auc"),
    "index_col": ("classification", "single", "train_images", "test_images", "label", "accuracy"),
    "coco_json": ("classification", "coco_json", "train_images", "test_images", "label", "accuracy"),
    "coco_tar": ("classification", "coco_json", "", "", "label", "accuracy"),
    "rsna_breast": ("classification", "single", "train_images", "test_images", "probability", "roc_auc"),
    "npy_arrays": ("classification", "single", "train", "test", "probability", "roc_auc"),
    "json_bands": ("classification", "single", "train", "test", "probability", "roc_auc"),
    "rle_binary": ("segmentation", None, "train", "test", None, None),
    "rle_classes": ("segmentation", None, "train_images", "test_images", None, None),
    "mask_files": ("segmentation", None, "train/images", "test/images", None, None),
    "instances": ("segmentation", None, "train_v2", "test_v2", None, None),
    "tgs": ("segmentation", None, "train/images", "test/images", None, None),
    "contrails": ("segmentation", None, "train", "test", None, None),
    "uw_madison": ("segmentation", None, "train", "test", None, None),
    "hubmap": ("segmentation", None, "train", "test", None, None),
    # surface-volume fragments become tiles of three middle slices, their ink labels mask tiles
    "vesuvius": ("segmentation", None, "train", "test", None, None),
    "denoising": ("image2image", None, "train", "test", "pixels", "rmse"),
    # a table of strings: the task is reading them (the sample's one word per row fits a label as well)
    "bms": ("image2text", None, "train", "test", "text", "levenshtein"),
    "wheat": ("detection", "train.csv", "train", "test", None, None),
    "vinbig": ("detection", "train.csv", "train", "test", None, None),
    "coco": ("detection", "annotations.json", "images/train", "images/test", None, None),
    "yolo": ("detection", "data.yaml", "images/train", "images/test", None, None),
    "coco_dir": ("detection", "annotations/instances_train.json", "images/train", "images/test", None, None),
    "vinbig_dicom": ("detection", "train.csv", "train", "test", None, None),
    "kuzushiji": ("detection", "train.csv", "train_images", "test_images", None, None),
    "siim_covid": ("detection", "train_image_level.csv", "train", "test", None, None),
    "class_table_masks": ("segmentation", None, "train", "test", None, None),
    "colour_masks": ("segmentation", None, "train", "test", None, None),
    # Pascal VOC: JPEGImages/ holds photos without masks too (left out, said), 255 around objects is void
    "voc_masks": ("segmentation", None, "JPEGImages", "test", None, None),
    "suffix_masks": ("segmentation", None, "kaggle_3m", None, None, None),
    "labelme_polygons": ("segmentation", None, "data", "test", None, None),
    "voc": ("detection", "annots", "images", "test", None, None),
    "labelme_boxes": ("detection", "data", "data", "test", None, None),
    "yolo_txt": ("detection", "labels", "images", "test", None, None),
    "box_filename": ("detection", "train_labels.csv", "train", "test", None, None),
    "coco_no_sample": ("detection", "annotations/instances_train.json", "images/train", "images/test", None, None),
    "path_ids": ("classification", "single", "", "", "label", "accuracy"),
    # one training set in parts (train_1/, train_2/): read from the folder above them
    "split_folders": ("classification", "single", "", "test", "label", "accuracy"),
    # a table of another name naming the images of two folders, labels joined by '|'; no sample, no test folder
    "chestxray_table": ("classification", "multilabel", "", None, "labels", "micro_f1"),
    # one grey file per channel ('<id>_red.png' ...): an RGB PNG per id, written once
    "channel_files": ("classification", "single", "train", "test", "label", "accuracy"),
    "train_val": ("classification", "folders", "train", "test", "label", "accuracy"),
    "aptos": ("classification", "single", "train_images", "test_images", "label", "accuracy"),
    "histopathologic": ("classification", "single", "train", "test", "probability", "roc_auc"),
    "paddy": ("classification", "single", "train_images", "test_images", "label", "accuracy"),
    "hotel_id": ("classification", "topk", "train_images", "test_images", "topk", "map_at_k"),
    "imet": ("classification", "multilabel", "train", "test", "labels", "micro_f1"),
    "ranzcr": ("classification", "onehot", "train", "test", "class_probabilities", "roc_auc"),
    "leaf": ("classification", "single", "images", "images", "class_probabilities", "log_loss"),
    "herbarium_2020": ("classification", "coco_json", "nybg2020/train", "nybg2020/test", "label", "accuracy"),
    "herbarium_2021": ("classification", "coco_json", "train", "test", "label", "accuracy"),
    "iwildcam_2020": ("classification", "coco_json", "train", "test", "label", "accuracy"),
}


@pytest.fixture(scope="module")
def competitions(tmp_path_factory):
    root = tmp_path_factory.mktemp("layouts")
    return {layout: make_competition(root / layout, layout) for layout in LAYOUTS}


def test_every_layout_has_an_expected_plan():
    assert set(EXPECTED) == set(LAYOUTS)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_plan_of_each_layout(competitions, layout):
    synth = competitions[layout]
    plan = discover(synth.folder, **synth.params)
    task, kind, train_dir, test_dir, fmt, metric = EXPECTED[layout]
    second = plan.get("annotation_file") if task == "detection" else plan.get("label_encoding")
    assert (plan["task"], second, plan["train_image_dir"], plan.get("test_image_dir")) == (task, kind, train_dir, test_dir)
    assert (plan.get("submission_format"), plan.get("metric")) == (fmt, metric)
    assert (plan.get("submission") if synth.no_sample else plan.get("sample_columns")) == synth.sample_columns
    assert all(source for _, source in plan.entries.values())  # every finding says where it came from
    json.dumps(plan.as_dict())
    if layout == "tgs":  # the RLE table is the masks' source; train/masks holds the same masks and is no image folder
        assert (plan["train_csv"], plan["rle_col"], plan.get("mask_dir")) == ("train.csv", "rle_mask", None)
        assert any("train/masks/ holds masks of train/images/" in n for n in plan.notes)
    if layout == "denoising":
        assert plan["target_dir"] == "train_cleaned"
    if layout == "uw_madison":  # ids spell paths; every scan folder repeats the same slice file names
        assert plan["id_template"] == "{dir2}_{stem:2}"
    if task == "detection":
        expected = {"wheat": "bbox_csv", "vinbig": "xyxy_csv", "vinbig_dicom": "xyxy_csv", "yolo": "yolo",
                    "kuzushiji": "packed_csv", "siim_covid": "labelled_csv", "voc": "voc", "labelme_boxes": "labelme",
                    "yolo_txt": "yolo", "box_filename": "xyxy_csv"}.get(layout, "coco")
        assert plan["annotation_format"] == expected


@pytest.mark.parametrize("layout", [lay for lay in LAYOUTS if EXPECTED[lay][0] == "classification"])
def test_labels_and_paths_follow_the_plan(competitions, layout, tmp_path):
    synth = competitions[layout]
    data_dir = decode.decode_inputs(inputs.unpack_inputs(synth.folder, tmp_path, progress=False), tmp_path, progress=False)
    plan = discover(data_dir, "classification", **synth.params)
    got = labels.read_labels(plan, data_dir)
    assert len(got.ids) == len(got.paths) == len(got.y) > 0
    assert all(p.is_file() for p in got.paths)
    if got.problem == "regression":
        assert got.y.min() >= 0 and got.y.max() <= 1 and got.span > 0
    else:
        # soft labels (votes) sum to 1 in float32; multi-label rows may have none (a study without a fracture)
        assert got.y.sum(1).min() >= (0 if got.problem == "multilabel" else 1 - 1e-6) and got.y.sum() > 0
        assert [str(c) for c in got.classes] == ([str(c) for c in synth.classes] if layout != "folders_binary" else ["0", "1"])
    test_ids = list(synth.truth)
    if plan.get("test_csv"):  # several images per row: the test table names them
        with (data_dir / plan["test_csv"]).open() as f:
            test_ids = [row[plan["id_col"]] for row in csv.DictReader(f)]
    assert all(p.is_file() for p in labels.test_image_paths(plan, data_dir, test_ids))


def test_tgs_masks_are_never_training_images(competitions):
    folder = competitions["tgs"].folder
    with pytest.raises(AmbiguousInputError, match=r"train/ holds .*train/images.* and train/masks.*train_image_dir='train/images'"):
        discover(folder, train_image_dir="train")


def test_same_names_in_two_plain_folders_stop(tmp_path):
    synth = make_competition(tmp_path / "c", "csv")
    for sub in ("a", "b"):
        shutil.copytree(synth.folder / "train_images", synth.folder / "train_images" / sub)
    with pytest.raises(AmbiguousInputError, match="same names in train_images.*set train_image_dir"):
        discover(synth.folder)


def test_two_sample_files_stop(tmp_path):
    synth = make_competition(tmp_path / "c", "csv")
    shutil.copy(synth.folder / "sample_submission.csv", synth.folder / "sampleSubmission.csv")
    with pytest.raises(AmbiguousInputError, match="two sample submission files: sampleSubmission.csv, sample_submission.csv.*sample_csv"):
        discover(synth.folder)
    assert discover(synth.folder, sample_csv="sampleSubmission.csv")["sample_csv"] == "sampleSubmission.csv"


def test_two_label_columns_stop(tmp_path):
    synth = make_competition(tmp_path / "c", "index_col")
    with pytest.raises(AmbiguousInputError, match="label column of train.csv; candidates: category_id, frame_num.*label_col"):
        discover(synth.folder)


def test_two_folders_with_the_same_images_stop(tmp_path):
    synth = make_competition(tmp_path / "c", "csv")
    shutil.copytree(synth.folder / "train_images", synth.folder / "train")
    with pytest.raises(AmbiguousInputError, match="2 folders hold the same images: train_images, train.*train_image_dir"):
        discover(synth.folder)
    assert discover(synth.folder, train_image_dir="train")["train_image_dir"] == "train"


def test_class_folders_for_one_number_stop_without_folder_labels(competitions):
    with pytest.raises(AmbiguousInputError, match="3 class folders .*Cover, JMiPOD, UERD.*folder_labels"):
        discover(competitions["folders_binary"].folder)


def test_two_training_jsons_stop(tmp_path):
    synth = make_competition(tmp_path / "c", "coco_json")
    shutil.copy(synth.folder / "train_metadata.json", synth.folder / "extra_metadata.json")
    (synth.folder / "train_metadata.json").rename(synth.folder / "other_metadata.json")
    with pytest.raises(AmbiguousInputError, match="2 JSON files hold coco labels.*train_csv"):
        discover(synth.folder)


def test_two_annotation_files_stop(tmp_path):
    synth = make_competition(tmp_path / "c", "coco")
    shutil.copy(synth.folder / "annotations.json", synth.folder / "boxes.json")
    with pytest.raises(AmbiguousInputError, match="JSON files hold coco boxes.*annotation_file"):
        discover(synth.folder)


def test_unsupported_inputs_are_named(tmp_path):
    (tmp_path / "train").mkdir()
    (tmp_path / "train" / "a.wav").write_bytes(b"")
    (tmp_path / "train" / "b.mp4").write_bytes(b"")
    (tmp_path / "train.csv").write_text("id,label\na,1\n")
    with pytest.raises(ValueError, match="holds .*1 audio files.* and no image files") as err:
        discover(tmp_path)
    assert "1 video files" in str(err.value) and "not supported yet" in str(err.value)
    assert "video: no notebook samples frames around labelled steps yet" in str(err.value)  # exactly why not


@pytest.mark.parametrize("files, message", [
    (["train_images/a.jpeg", "train_lidar/a.bin", "train.csv"], r"holds lidar data \(1 files, e\.g\. train_lidar/a\.bin\)"),
    (["seg/a.nii.gz", "train.csv"], r"1 3D volumes files and no image files"),
])
def test_layouts_the_notebooks_cannot_read_are_named(tmp_path, files, message):
    """Lidar (Lyft), NIfTI volumes (DICOM slice series are read as volumes: test_records)."""
    for rel in files:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("id,label\na,1\n" if rel.endswith(".csv") else "")
    with pytest.raises(ValueError, match=message):
        discover(tmp_path)


def test_a_flat_folder_of_dicom_images_is_not_a_series(tmp_path):
    from lib.layout import Inputs
    from lib.records import dicom_series

    for split, n in (("train", 40), ("test", 20)):
        for i in range(n):
            (tmp_path / split).mkdir(exist_ok=True)
            (tmp_path / split / f"{i}.dicom").write_bytes(b"")
    assert not Inputs(tmp_path).conversions and not dicom_series(sorted(Inputs(tmp_path).files))
    # one folder per study below a split is: a study of RSNA cervical, an OSIC patient
    series = [f"train_images/{s}/{i}.dcm" for s in ("1.2.3", "1.2.4") for i in range(20)]
    assert sorted(dicom_series(series)) == ["train_images/1.2.3", "train_images/1.2.4"]


def test_bad_input_names_the_file(tmp_path):
    synth = make_competition(tmp_path / "c", "zip_flat")
    (synth.folder / "test.zip").write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="cannot read archive .*test.zip.*Re-download it"):
        discover(synth.folder)
    other = make_competition(tmp_path / "d", "csv")
    with pytest.raises(KeyError, match="id_col='image' is not a column of train.csv"):
        discover(other.folder, id_col="image")
    coco = make_competition(tmp_path / "e", "coco_json")
    (coco.folder / "train_metadata.json").write_text("{not json")
    with pytest.raises(ValueError, match="train_metadata.json is not valid JSON"):
        discover(coco.folder, train_csv="train_metadata.json")


def test_unpack_once_into_a_view_and_reuse(tmp_path):
    synth = make_competition(tmp_path / "c", "packed_csv")
    view = inputs.unpack_inputs(synth.folder, tmp_path / "work", progress=False)
    assert view == tmp_path / "work" / inputs.VIEW_NAME
    assert (view / "train_labels.csv").is_file() and (view / "sample_submission.csv").is_file()
    assert len(list((view / "train").glob("*.jpg"))) == 24
    stamp = (view / "train" / "1.jpg").stat().st_mtime_ns
    assert inputs.unpack_inputs(synth.folder, tmp_path / "work", progress=False) == view
    assert (view / "train" / "1.jpg").stat().st_mtime_ns == stamp  # reused, not unpacked again
    plain = make_competition(tmp_path / "p", "csv")
    assert inputs.unpack_inputs(plain.folder, tmp_path / "work2") == plain.folder


def test_unpack_checks_free_disk_before_writing(tmp_path, monkeypatch):
    synth = make_competition(tmp_path / "c", "zip_flat")
    monkeypatch.setattr(inputs.shutil, "disk_usage", lambda _: shutil._ntuple_diskusage(100, 100, 10))
    with pytest.raises(OSError, match="needs about .* GB, .* free; free disk space, or set work_dir"):
        inputs.unpack_inputs(synth.folder, tmp_path / "work", progress=False)
    assert not any((tmp_path / "work" / inputs.VIEW_NAME).rglob("*.jpg"))


def test_archive_members_cannot_escape(tmp_path):
    with zipfile.ZipFile(tmp_path / "evil.zip", "w") as z:
        z.writestr("../outside.jpg", b"x")
    with pytest.raises(ValueError, match="points outside its folder"):
        inputs.list_inputs(tmp_path)


def test_image_header_reads_png_depth_and_jpeg_size(tmp_path):
    import cv2

    cv2.imwrite(str(tmp_path / "a.png"), np.zeros((5, 7), np.uint16))
    cv2.imwrite(str(tmp_path / "b.jpg"), np.zeros((9, 11, 3), np.uint8))
    assert inputs.image_header(tmp_path / "a.png") == ("png", 7, 5, 16, 1)
    assert inputs.image_header(tmp_path / "b.jpg") == ("jpeg", 11, 9, 8, 3)


def test_a_json_without_annotations_names_the_file_and_the_fix(tmp_path):
    synth = make_competition(tmp_path / "c", "coco_json")
    with pytest.raises(ValueError, match="train_csv='test_metadata.json': .* has no annotations.*point train_csv"):
        discover(synth.folder, train_csv="test_metadata.json")


def test_7z_archives_are_listed_and_unpacked(tmp_path):
    pytest.importorskip("py7zr")
    from nbgen.synth_io import pack

    synth = make_competition(tmp_path / "c", "zip_flat")
    with zipfile.ZipFile(synth.folder / "train.zip") as z:
        z.extractall(tmp_path / "train")
    (synth.folder / "train.zip").unlink()
    pack(tmp_path / "train", synth.folder / "train.7z")
    plan = discover(synth.folder)
    assert plan["train_image_dir"] == "train" and plan["label_encoding"] == "single"
    view = inputs.unpack_inputs(synth.folder, tmp_path / "work", progress=False)
    assert len(list((view / "train").glob("*.jpg"))) == 24


def test_which_class_is_positive_is_never_guessed(competitions):
    folder = competitions["filename_zip"].folder
    with pytest.raises(AmbiguousInputError, match="of which class\\? classes: cat, dog.*set positive_class"):
        discover(folder)
    assert discover(folder, positive_class="cat")["positive_class"] == "cat"
    with pytest.raises(ValueError, match="positive_class='horse' is not one of the classes"):
        discover(folder, positive_class="horse")


def test_herbarium_2020_nested_metadata_and_iwildcam_2020_side_jsons(tmp_path):
    synth = make_competition(tmp_path / "c", "coco_json")
    root = synth.folder
    (root / "nybg2020" / "train").mkdir(parents=True)
    (root / "nybg2020" / "test").mkdir(parents=True)
    (root / "train_metadata.json").rename(root / "nybg2020" / "train" / "metadata.json")
    (root / "test_metadata.json").rename(root / "nybg2020" / "test" / "metadata.json")
    (root / "train_images").rename(root / "nybg2020" / "train" / "images")
    (root / "test_images").rename(root / "nybg2020" / "test" / "images")
    # iwildcam-2020 ships a MegaDetector file beside the annotations: images with detections, no labels.
    (root / "megadetector_results.json").write_text(json.dumps({"images": [{"file": "x.jpg", "detections": []}]}))
    plan = discover(root)
    assert plan["train_csv"] == "nybg2020/train/metadata.json" and plan["train_image_dir"] == "nybg2020/train/images"
    assert plan["test_json"] == "nybg2020/test/metadata.json" and plan["test_image_dir"] == "nybg2020/test/images"


def test_paddy_table_with_class_folders_and_leaf_features(tmp_path):
    synth = make_competition(tmp_path / "paddy", "csv")
    for path in sorted((synth.folder / "train_images").iterdir()):  # train_images/<label>/<image_id>
        label = {"0": "blast", "1": "hispa", "2": "normal"}[str(int(path.stem) % 3)]
        (path.parent / label).mkdir(exist_ok=True)
        path.rename(path.parent / label / path.name)
    plan = discover(synth.folder)
    assert (plan["label_encoding"], plan["train_image_dir"], plan["id_col"]) == ("single", "train_images", "image_id")
    leaf = make_competition(tmp_path / "leaf", "class_columns")
    with (leaf.folder / "labels.csv").open() as f:
        rows = list(csv.reader(f))
    with (leaf.folder / "train.csv").open("w", newline="") as f:  # numeric features beside the species
        csv.writer(f).writerows([[*rows[0], "margin1", "shape1"]] + [[*r, 0.1 * i, 0.2] for i, r in enumerate(rows[1:])])
    (leaf.folder / "labels.csv").unlink()
    plan = discover(leaf.folder)
    assert plan["label_cols"] == ["breed"] and plan["submission_format"] == "class_probabilities"


def test_ranzcr_sample_takes_a_subset_of_the_label_columns(tmp_path):
    synth = make_competition(tmp_path / "c", "onehot")
    with (synth.folder / "train.csv").open() as f:
        rows = list(csv.reader(f))
    with (synth.folder / "train.csv").open("w", newline="") as f:
        csv.writer(f).writerows([[*rows[0], "extra_line", "PatientID"]] + [[*r, 0, f"P{i % 4}"] for i, r in enumerate(rows[1:])])
    plan = discover(synth.folder)
    assert plan["label_cols"] == ["healthy", "rust", "scab"] and "PatientID" in plan["groups"]


def test_two_image_folders_without_a_table_stop(tmp_path):
    synth = make_competition(tmp_path / "c", "folders")
    shutil.copytree(synth.folder / "train", synth.folder / "images")
    with pytest.raises(AmbiguousInputError, match="2 folders could hold the training images: train, images.*train_image_dir"):
        discover(synth.folder)
    assert discover(synth.folder, train_image_dir="train")["label_encoding"] == "folders"


def test_two_tables_mapping_rows_to_images_stop_and_test_csv_picks_one(tmp_path):
    synth = make_competition(tmp_path / "c", "rsna_breast")
    shutil.copy(synth.folder / "test.csv", synth.folder / "test_copy.csv")
    with pytest.raises(AmbiguousInputError, match="2 tables map the sample's prediction_id to images.*test_csv"):
        discover(synth.folder)
    assert discover(synth.folder, test_csv="test.csv")["test_csv"] == "test.csv"


def test_two_path_rules_that_spell_different_ids_stop(tmp_path):
    from nbgen.synth_io import write_csv, write_image

    for rel in ("train/a/a/a.png", "train/b/c/c.png", "test/a/a/t.png"):
        write_image(tmp_path / rel, np.zeros((8, 8), np.uint8))
    write_csv(tmp_path / "train.csv", ["id", "segmentation"], [["a_a", "1 2"]])
    write_csv(tmp_path / "sample_submission.csv", ["id", "segmentation"], [["a_t", ""]])
    with pytest.raises(AmbiguousInputError, match=r"several path rules spell the table's ids: \{stem\}_a, \{dir1\}_\{stem:1\}, "
                                                  r"\{dir2\}_\{stem:1\}.*set id_template"):
        discover(tmp_path, "segmentation")
    assert discover(tmp_path, "segmentation", id_template="{dir2}_{stem:1}")["test_image_dir"] == "test"


def test_template_keys_spell_ids_from_paths():
    from lib.paths import template_key

    path = "train/case1/case1_day2/scans/slice_0003_266_266_1.50_1.50.png"
    assert template_key(path, "{dir2}_{stem:2}") == "case1_day2_slice_0003"
    assert template_key(path, "{dir3}/{stem}") == "case1/slice_0003_266_266_1.50_1.50"
    assert template_key("a.png", "{dir1}_{stem}") is None


def test_siim_covid_study_rows_are_labelled_by_the_study_table(competitions):
    """'<image>_image' ids spell the DICOM below train/<study>/<series>/; '<study>_study' rows take the study table."""
    plan = discover(competitions["siim_covid"].folder)
    assert plan["id_template"] == "{stem}_image"
    assert plan["no_box_filler"] == "'none <conf> 0 0 1 1'"  # the rule printed with the column it came from
    assert (plan["study_csv"], plan["study_template"]) == ("train_study_level.csv", "{dir2}_study")
    assert plan["study_names"] == ["negative", "typical", "indeterminate", "atypical"]
    assert plan["study_classes"][0] == "Negative for Pneumonia"
    for other in ("wheat", "vinbig_dicom", "kuzushiji"):
        assert discover(competitions[other].folder).get("study_csv") is None


def _siim_copy(competitions, tmp_path):
    folder = tmp_path / "siim"
    shutil.copytree(competitions["siim_covid"].folder, folder)
    return folder


def test_siim_covid_without_a_study_table_stops_naming_study_csv(competitions, tmp_path):
    folder = _siim_copy(competitions, tmp_path)
    (folder / "train_study_level.csv").unlink()
    with pytest.raises(FileNotFoundError, match=r"rows like 'test5000_study' that name no image.*set study_csv"):
        discover(folder)


def test_siim_covid_two_study_tables_stop(competitions, tmp_path):
    folder = _siim_copy(competitions, tmp_path)
    shutil.copy(folder / "train_study_level.csv", folder / "study_copy.csv")
    with pytest.raises(AmbiguousInputError, match=r"several tables label .*study_copy.csv.*train_study_level.csv.*study_csv"):
        discover(folder)
    assert discover(folder, study_csv="study_copy.csv")["study_csv"] == "study_copy.csv"


def test_the_training_table_names_the_known_tables_it_passed_over(competitions, tmp_path):
    """iMet ships train.csv (the labels) beside labels.csv (attribute names): the first known name is taken, and the
    plan says which others it saw and how to take one of them instead."""
    folder = tmp_path / "imet"
    shutil.copytree(competitions["csv"].folder, folder)
    (folder / "labels.csv").write_text("attribute_id,attribute_name\n0,culture::a\n")
    source = discover(folder).entries["train_csv"][1]
    assert source.startswith("known table name, the first of train.csv") and "also found labels.csv: set train_csv" in source
    assert discover(competitions["csv"].folder).entries["train_csv"][1] == "known table name"
    assert discover(folder, train_csv="train.csv").entries["train_csv"][1] == "parameter train_csv"


def test_two_columns_of_box_strings_stop_naming_bbox_col(competitions, tmp_path):
    """A second column of 'label conf x0 y0 x1 y1' groups (say, another reader's boxes): which one trains is not guessed."""
    import pandas as pd

    folder = _siim_copy(competitions, tmp_path)
    table = pd.read_csv(folder / "train_image_level.csv", keep_default_na=False)
    table["label_reader2"] = table["label"]
    table.to_csv(folder / "train_image_level.csv", index=False)
    with pytest.raises(AmbiguousInputError, match=r"several columns of train_image_level.csv hold .*label, label_reader2.*set bbox_col"):
        discover(folder)
    assert discover(folder, bbox_col="label_reader2")["packed_col"] == "label_reader2"


def test_siim_covid_study_names_the_sample_does_not_use_stop(competitions, tmp_path):
    folder = _siim_copy(competitions, tmp_path)
    sample = folder / "sample_submission.csv"
    sample.write_text(sample.read_text().replace("negative 1 0 0 1 1", "negative-pneumonia 1 0 0 1 1"))
    with pytest.raises(ValueError, match=r"study rows name \['negative-pneumonia'\].*set study_names"):
        discover(folder)
    names = "negative-pneumonia,typical,indeterminate,atypical"
    assert discover(folder, study_names=names)["study_names"][0] == "negative-pneumonia"


def test_a_table_of_transcriptions_with_paths_below_a_folder_is_image_to_text(tmp_path):
    """IAM-like, a layout no rule was written for: words/<writer>/<form>/<id>.png, labels.csv with the path below words/
    and the transcription, no sample. The task, the folder and the columns are read, each with its source."""
    import cv2

    rows = ["path,transcription,segmentation_status"]
    for i in range(12):
        rel = f"w{i % 3}/f{i % 2}/w{i % 3}-f{i % 2}-{i:03d}.png"
        (tmp_path / "words" / rel).parent.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(tmp_path / "words" / rel), np.full((16, 64), 255, np.uint8))
        rows.append(f"{rel},{['the quick', 'brown fox', 'lazy dogs', 'river stone'][i % 4]} {i},ok")
    (tmp_path / "labels.csv").write_text("\n".join(rows) + "\n")
    plan = discover(tmp_path)
    assert (plan["task"], plan["train_image_dir"], plan["id_col"], plan["id_key"], plan["text_col"]) == (
        "image2text", "words", "path", "path", "transcription")
    assert "no sample submission" in plan.entries["task"][1]
