"""Discovery on layouts public datasets ship: it explains every sample column and top-level entry, takes the task
from evidence that agrees, and stops naming the candidates and the parameter where it cannot tell."""

import csv
import shutil

import numpy as np
import pytest
from PIL import Image

from lib.discover import discover
from lib.layout import AmbiguousInputError
from nbgen.synth import LAYOUTS, make_competition


@pytest.fixture(scope="module")
def plans(tmp_path_factory):
    root = tmp_path_factory.mktemp("public")
    out = {}
    for layout in LAYOUTS:
        synth = make_competition(root / layout, layout)
        out[layout] = (synth, discover(synth.folder, **synth.params))
    return out


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_sample_column_and_top_level_entry_is_explained(plans, layout):
    synth, plan = plans[layout]
    tops = {p.name for p in synth.folder.iterdir() if not p.name.startswith(".")}
    assert set(plan["files"]) == tops and all(plan["files"].values())
    if plan.get("sample_csv"):
        assert set(plan["sample_roles"]) == set(synth.sample_columns) and all(plan["sample_roles"].values())
    else:
        assert plan["submission"] == synth.sample_columns


def test_what_each_public_layout_is_read_as(plans):
    _, masks = plans["class_table_masks"]
    assert (masks["mask_dir"], masks["class_table"], masks["mask_encoding"]) == ("train_labels", "classes.csv", "class_ids")
    assert masks["class_values"] == {"road": 1, "car": 2} and masks["background"] == {"background": 0}
    assert masks["files"]["train_labels"] == "training masks (mask_dir)"
    _, colours = plans["colour_masks"]
    assert (colours["mask_suffix"], colours["mask_encoding"], colours["void"]) == ("_L", "colours", {"Void": [0, 0, 0]})
    assert colours["classes"] == ["Sky", "Road", "Car"] and colours["extra_train"] == [["val", "val_labels"]]
    assert colours["files"]["test_labels"].startswith("ignored: masks of test/")
    _, lgg = plans["suffix_masks"]
    assert (lgg["train_image_dir"], lgg["mask_dir"], lgg["mask_suffix"], lgg["mask_encoding"]) == (
        "kaggle_3m", "kaggle_3m", "_mask", "binary")
    assert "no test folder" in lgg.entries["submission"][1] and lgg.get("test_image_dir") is None
    _, voc = plans["voc"]
    assert (voc["annotation_format"], voc["label_dir"], voc["box_format"]) == ("voc", "annots", "named")
    _, yolo = plans["yolo_txt"]
    assert (yolo["class_names_file"], yolo["label_dir"]) == ("classes.txt", "labels")
    _, boxes = plans["box_filename"]
    assert (boxes["id_col"], boxes["box_cols"], boxes["class_col"], boxes["id_key"]) == (
        "filename", ["xmin", "ymin", "xmax", "ymax"], "class", "name")
    _, paths = plans["path_ids"]
    assert (paths["train_image_dir"], paths["id_key"], paths["test_id_key"]) == ("", "path", "path")
    _, split = plans["train_val"]
    assert split["extra_train"] == [["val", ""]] and split["files"]["val"].startswith("more labelled images")
    _, seti = plans["npy_arrays"]
    assert seti["files"]["old_leaky_data"].startswith("ignored: holds 2 images and 1 table (train_labels_old.csv)")


def test_merge_val_false_keeps_the_labelled_split_out(plans):
    synth, _ = plans["train_val"]
    plan = discover(synth.folder, merge_val=False)
    assert plan.get("extra_train") is None and plan["kept_out"] == ["val"]
    assert plan["files"]["val"] == "ignored: labelled like the training images, kept out (merge_val=False)"


def test_files_that_say_different_tasks_stop(tmp_path):
    synth = make_competition(tmp_path / "c", "voc")
    # Oxford pets: VOC boxes and trimaps (values 1, 2, 3) for the same images.
    for image in (synth.folder / "images").iterdir():
        trimap = np.full((64, 80), 2, np.uint8)
        trimap[10:30, 10:30] = 1
        (synth.folder / "trimaps").mkdir(exist_ok=True)
        Image.fromarray(trimap).save(synth.folder / "trimaps" / f"{image.stem}.png")
    with pytest.raises(AmbiguousInputError, match=r"the files disagree on the task: detection \(24 voc files.*"
                                                   r"segmentation \(masks: trimaps/<stem>.*set task"):
        discover(synth.folder)
    assert discover(synth.folder, "segmentation")["mask_dir"] == "trimaps"


def test_a_notebook_of_another_task_stops_before_anything_trains(plans):
    synth, _ = plans["class_table_masks"]
    with pytest.raises(ValueError, match="RLE column 'segmentation': this looks like a segmentation competition, and "
                                         "this is a classification notebook; generate it with --task segmentation"):
        discover(synth.folder, "classification")


def test_a_sample_column_nothing_explains_stops(tmp_path):
    synth = make_competition(tmp_path / "c", "class_table_masks")
    sample = synth.folder / "sample_submission.csv"
    rows = list(csv.reader(sample.open()))
    with sample.open("w", newline="") as f:
        csv.writer(f).writerows([rows[0] + ["confidence"]] + [r + ["1"] for r in rows[1:]])
    with pytest.raises(AmbiguousInputError, match=r"cannot tell which column holds the masks; columns: confidence.*rle_col"):
        discover(synth.folder)


def test_class_tables_stop_when_two_fit_and_colours_need_one(tmp_path):
    synth = make_competition(tmp_path / "c", "class_table_masks")
    shutil.copy(synth.folder / "classes.csv", synth.folder / "labels.csv")
    with pytest.raises(AmbiguousInputError, match=r"2 tables name the masks' values: classes.csv, labels.csv.*class_table"):
        discover(synth.folder)
    assert discover(synth.folder, class_table="labels.csv")["class_table"] == "labels.csv"
    colours = make_competition(tmp_path / "d", "colour_masks")
    (colours.folder / "class_dict.csv").unlink()
    with pytest.raises(ValueError, match=r"the masks hold colours .* and no table names them \(name,r,g,b\).*class_table"):
        discover(colours.folder)


def test_photographs_named_like_masks_are_not_masks(tmp_path):
    synth = make_competition(tmp_path / "c", "class_table_masks")
    rng = np.random.default_rng(0)
    for mask in (synth.folder / "train_labels").iterdir():  # colour photographs under a mask-like name
        Image.fromarray(rng.integers(0, 255, (64, 80, 3), dtype=np.uint8)).save(mask)
    with pytest.raises(FileNotFoundError, match="no RLE table and no mask files paired with images"):
        discover(synth.folder)


def test_binary_masks_with_one_named_class(tmp_path):
    synth = make_competition(tmp_path / "c", "class_table_masks")
    for mask in (synth.folder / "train_labels").iterdir():
        array = np.asarray(Image.open(mask))
        Image.fromarray(((array > 0) * 255).astype(np.uint8)).save(mask)
    (synth.folder / "classes.csv").write_text("id,name\n0,background\n1,lesion\n")
    sample = synth.folder / "sample_submission.csv"
    rows = list(csv.reader(sample.open()))
    with sample.open("w", newline="") as f:
        csv.writer(f).writerows([rows[0]] + [[r[0], "lesion", ""] for r in rows[1::2]])
    plan = discover(synth.folder)
    assert (plan["mask_encoding"], plan["classes"]) == ("binary", ["lesion"])


def test_path_ids_without_extension_and_their_readers(tmp_path):
    from lib import labels

    synth = make_competition(tmp_path / "c", "path_ids")
    for name in ("train.csv", "sample_submission.csv"):
        table = synth.folder / name
        table.write_text(table.read_text().replace(".jpg", ""))
    plan = discover(synth.folder)
    assert (plan["train_image_dir"], plan["id_key"], plan["test_id_key"]) == ("", "path_stem", "path_stem")
    got = labels.read_labels(plan, synth.folder)
    assert got.ids[0] == "images/daisy/100" and got.paths[0] == synth.folder / "images" / "daisy" / "100.jpg"
    test_ids = [t.replace(".jpg", "") for t in synth.test_ids]
    assert labels.test_image_paths(plan, synth.folder, test_ids)[0] == synth.folder / "test" / "500.jpg"


def test_yolo_names_from_obj_names_or_the_class_numbers(tmp_path):
    synth = make_competition(tmp_path / "c", "yolo_txt")
    (synth.folder / "classes.txt").rename(synth.folder / "obj.names")
    assert discover(synth.folder)["class_names_file"] == "obj.names"
    (synth.folder / "obj.names").unlink()
    plan = discover(synth.folder)
    assert plan["class_names_file"] == "" and "classes keep their numbers" in plan.entries["class_names_file"][1]


def test_a_coco_category_without_a_box_is_no_class_and_the_plan_says_so(tmp_path):
    """Roboflow's COCO exports list the dataset itself as category 0, with no box: not a class to train."""
    import json

    synth = make_competition(tmp_path / "c", "coco_no_sample")
    path = synth.folder / "annotations" / "instances_train.json"
    data = json.loads(path.read_text())
    data["categories"].insert(0, {"id": 0, "name": "scenes", "supercategory": "none"})
    path.write_text(json.dumps(data))
    plan = discover(synth.folder, **synth.params)
    assert plan["unused_categories"] == ["scenes"]
    assert "categories without a box, left out of the classes" in plan.entries["unused_categories"][1]


def test_one_training_set_in_parts_and_voc_masks_are_read_as_the_plan_says(plans):
    _, parts = plans["split_folders"]
    assert parts["train_image_dir"] == "" and "train_1/, train_2/ between them" in parts.entries["train_image_dir"][1]
    assert parts["files"]["train_1"] == "training images, named by their stem (train_image_dir is the root)"
    _, voc = plans["voc_masks"]
    assert voc["void"] == {"255": 255} and voc["unmasked_images"] == "skip"
    assert voc.entries["unmasked_images"][1].startswith("4 images below JPEGImages/ have no mask in SegmentationClass/")


def test_a_table_of_another_name_with_labels_joined_by_bars(plans):
    """NIH ChestX-ray14: no table of a known name, the one that names the images labels them; 'A|B' is two labels and
    'No Finding' one; its images sit in two folders, read from the root."""
    synth, plan = plans["chestxray_table"]
    assert plan["train_csv"] == "Data_Entry_2017.csv" and plan["id_col"] == "Image Index"
    assert plan["label_sep"] == "|" and set(plan["classes"]) == set(synth.classes) and "No Finding" in plan["classes"]
    from lib import labels

    read = labels.read_labels(plan, synth.folder, "", False)
    assert read.y.sum(1).max() == 2 and read.y.shape == (24, len(synth.classes))


def test_a_table_split_by_semicolons_and_ids_of_another_extension_stop_saying_so(tmp_path):
    synth = make_competition(tmp_path / "c", "csv")
    table = synth.folder / "train.csv"
    rows = list(csv.reader(table.open()))
    table.write_text("".join(";".join(r) + "\n" for r in rows))
    with pytest.raises(ValueError, match=r"train.csv separates its columns with ';', not commas"):
        discover(synth.folder)
    table.write_text("".join(",".join([r[0].replace(".jpg", ".png"), *r[1:]]) + "\n" for r in rows))  # files: .jpg
    with pytest.raises(ValueError, match=r"carry another extension than the files below train_images/ \(train_images/"):
        discover(synth.folder)


def test_channel_files_stop_naming_them_and_a_lone_label_column_is_the_label(tmp_path):
    """One file per channel under words the conversion does not know, and a 'Target' of mostly distinct label sets."""
    folder = tmp_path / "hpa"
    rows = []
    for i in range(12):
        for channel in ("actin", "dapi", "tubulin"):  # channel words the conversion does not know
            (folder / "train").mkdir(parents=True, exist_ok=True)
            Image.new("L", (16, 16), i * 10).save(folder / "train" / f"{i:04x}-ac1f_{channel}.png")
        rows.append(f"{i:04x}-ac1f,{i % 5} {(i + 1) % 5} {i % 3}" if i % 2 else f"{i:04x}-ac1f,{i}")
    (folder / "train.csv").write_text("Id,Target\n" + "\n".join(rows) + "\n")
    with pytest.raises(ValueError, match=r"each id names 3 files below train/, one per channel \(<id>_actin, <id>_dapi"):
        discover(folder)


def test_masks_beside_images_whose_names_repeat_across_sub_folders_pair_in_their_own_folder(tmp_path):
    """data/scene0/frame0.jpg with frame0_label.png beside it, the same names in every scene: one source at data/."""
    folder = tmp_path / "scenes"
    for scene in range(3):
        for i in range(5):
            (folder / "data" / f"scene{scene}").mkdir(parents=True, exist_ok=True)
            mask = np.zeros((16, 16), np.uint8)
            mask[2:8, 2:8] = 1 + i % 2
            Image.fromarray(np.full((16, 16, 3), 40 * i, np.uint8)).save(folder / "data" / f"scene{scene}" / f"frame{i}.jpg")
            Image.fromarray(mask).save(folder / "data" / f"scene{scene}" / f"frame{i}_label.png")
    plan = discover(folder)
    assert (plan["task"], plan["train_image_dir"], plan["mask_dir"], plan["mask_suffix"], plan["id_key"]) == (
        "segmentation", "data", "data", "_label", "path_stem")
