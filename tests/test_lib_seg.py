"""Segmentation helpers: RLE, mask tables, Dice/IoU, post-processing, dense TTA, submissions."""

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from lib.masks import (
    VOID,
    MaskTable,
    class_masks_from_file,
    read_class_masks,
    read_mask_files,
    read_rle_table,
)
from lib.postprocess import postprocess, tune_class
from lib.rle import RleError, fitting_rle_order, rle_decode, rle_encode
from lib.seg_metrics import mask_stats, seg_score
from lib.seg_submission import build_submission, check_submission, encode_prediction, read_submission_spec


def reference_decode(text, height, width, order):
    """Written independently of lib.rle: walk the pairs, fill pixel by pixel."""
    flat = [0] * (height * width)
    numbers = [int(v) for v in text.split()]
    for start, length in zip(numbers[0::2], numbers[1::2], strict=True):
        for p in range(start - 1, start - 1 + length):
            flat[p] = 1
    if order == "column":  # pixel p is at row p % height, column p // height
        return np.array([[flat[c * height + r] for c in range(width)] for r in range(height)], dtype=np.uint8)
    return np.array(flat, dtype=np.uint8).reshape(height, width)


@pytest.mark.parametrize("order", ["column", "row"])
@pytest.mark.parametrize("shape", [(1, 1), (7, 5), (5, 7), (16, 16), (3, 11)])
def test_rle_round_trip_on_random_masks(order, shape):
    rng = np.random.default_rng(sum(shape))
    for density in (0.0, 0.1, 0.5, 0.9, 1.0):
        mask = (rng.random(shape) < density).astype(np.uint8)
        text = rle_encode(mask, order)
        decoded = rle_decode(text, shape, order)
        assert decoded.dtype == np.uint8 and decoded.shape == shape
        np.testing.assert_array_equal(decoded, mask)
        if text:
            np.testing.assert_array_equal(reference_decode(text, *shape, order), mask)


def test_rle_hand_cases_and_orders():
    mask = np.array([[1, 1, 0], [0, 1, 0]], dtype=np.uint8)
    # column-major: pixels (0,0) (1,0) (0,1) (1,1) (0,2) (1,2) -> 1 0 1 1 0 0
    assert rle_encode(mask, "column") == "1 1 3 2"
    assert rle_encode(mask, "row") == "1 2 5 1"
    assert rle_encode(np.zeros((4, 4)), "column") == ""
    assert rle_encode(np.zeros((4, 4)), "column", empty="-") == "-"
    assert rle_encode(np.ones((2, 3))) == "1 6"
    assert rle_decode("-", (2, 2)).sum() == 0
    assert rle_decode(float("nan"), (2, 2)).sum() == 0


@pytest.mark.parametrize(("text", "message"), [
    ("1 4 9 2", "past the image"),
    ("5 2 1 2", "unsorted or overlap"),
    ("1 3 2 2", "unsorted or overlap"),
    ("1 2 3", "odd count"),
    ("1 0", "length 0"),
    ("0 2", "count from 1"),
    ("a b", "not an RLE"),
])
def test_bad_rles_are_named(text, message):
    with pytest.raises(RleError, match=message):
        rle_decode(text, (2, 4))


def test_fitting_order_detects_row_major_on_wide_images():
    mask = np.zeros((20, 60), np.uint8)
    mask[5:12, 10:40] = 1
    rles = [(rle_encode(mask, "row"), mask.shape)]
    order, ratio = fitting_rle_order(rles)
    assert order == "row" and ratio > 2
    assert fitting_rle_order([(rle_encode(mask, "column"), mask.shape)])[0] == "column"
    square = np.zeros((30, 30), np.uint8)
    square[3:9, 4:20] = 1  # the wrong order only transposes a square mask: no evidence
    assert fitting_rle_order([(rle_encode(square, "row"), square.shape)])[1] == pytest.approx(1.0)


def test_dice_and_iou_hand_cases():
    pred = np.zeros((3, 1, 2, 2), bool)
    true = np.zeros((3, 1, 2, 2), bool)
    pred[0, 0, 0, :] = True  # 2 pixels predicted
    true[0, 0, 0, 0] = True  # 1 true, 1 in common: dice 2/3, iou 1/2
    true[1, 0] = True  # missed entirely: 0
    # image 2: empty and empty: 1
    stats = mask_stats(pred, true)
    assert seg_score("dice", *stats) == pytest.approx((2 / 3 + 0 + 1) / 3)
    assert seg_score("iou", *stats) == pytest.approx((1 / 2 + 0 + 1) / 3)
    assert seg_score("dice_global", *stats) == pytest.approx(2 * 1 / (2 + 5))
    with pytest.raises(ValueError, match="choose from"):
        seg_score("f2", *stats)


def test_iou_sweep_hand_cases():
    true = np.zeros((4, 1, 10, 10), bool)
    pred = np.zeros_like(true)
    true[0, 0, :5, :4] = True  # 20 px truth
    pred[0, 0, :5, :3] = True  # 15 px inside it: IoU 0.75 passes 0.50-0.70, 5 of 10 thresholds
    pred[1, 0, 0, 0] = True  # a prediction on an empty truth: 0
    true[2, 0, 2:4, 2:4] = True  # a missed object: 0
    # image 3: both empty, 1
    assert seg_score("iou_sweep", *mask_stats(pred, true)) == pytest.approx((0.5 + 0 + 0 + 1) / 4)


def test_f05_global_matches_sklearn():
    from sklearn.metrics import fbeta_score

    rng = np.random.default_rng(3)
    true, pred = rng.random((3, 2, 8, 8)) < 0.3, rng.random((3, 2, 8, 8)) < 0.4
    expected = fbeta_score(true.ravel(), pred.ravel(), beta=0.5)
    assert seg_score("f05_global", *mask_stats(pred, true)) == pytest.approx(expected)


def test_postprocess_removes_small_components_only():
    prob = np.zeros((10, 10), np.float32)
    prob[0:2, 0:2] = 0.9  # 4 pixels
    prob[5:9, 5:9] = 0.8  # 16 pixels
    prob[0, 9] = 0.4  # below the threshold
    mask = postprocess(prob, 0.5, min_area=5)
    assert mask.sum() == 16 and mask[0:2, 0:2].sum() == 0
    assert postprocess(prob, 0.3, 0).sum() == 21


def test_tune_class_finds_threshold_and_area():
    rng = np.random.default_rng(0)
    true = np.zeros((6, 32, 32), np.uint8)
    probs = (rng.random((6, 32, 32)) * 100).astype(np.uint8)  # noise below 0.4
    for i in range(6):
        true[i, 8:20, 8:20] = 1
        probs[i, 8:20, 8:20] = 200  # object at 0.78
        probs[i, 28:30, 28:30] = 160  # small false positive at 0.63
    threshold, min_area, best = tune_class(probs, true, [0.3, 0.5, 0.7], [0, 10], "dice")
    assert best == pytest.approx(1.0)
    assert (threshold, min_area) in {(0.5, 10), (0.7, 0), (0.7, 10)}
    assert threshold == 0.5 and min_area == 10  # the first of the ties in grid order


def test_dense_tta_views_are_inverted():
    import torch

    from lib.tta import INVERSE_VIEWS, TTA_VIEWS, parse_views, predict_views

    x = torch.arange(2 * 3 * 4 * 4, dtype=torch.float32).view(2, 3, 4, 4)
    for name in TTA_VIEWS:
        assert torch.equal(INVERSE_VIEWS[name](TTA_VIEWS[name](x)), x), name
        if name != "orig":
            assert not torch.equal(TTA_VIEWS[name](x), x), name
    # A "model" that keeps channel 0: every inverted view must land on the original orientation.
    views = list(TTA_VIEWS)
    out = predict_views(lambda b: b[:, :1], x, views, dense=True)
    assert torch.allclose(out, x[:, :1])
    with pytest.raises(ValueError, match="square"):
        parse_views("orig,rot90", square=False)


def _images(*ids):
    return {i: f"/data/{i}" for i in ids}


def test_rle_table_per_class_rows_with_combined_ids_and_negatives():
    table = pd.DataFrame({"ImageId_ClassId": ["a.jpg_1", "a.jpg_3", "b.jpg_1"], "EncodedPixels": ["1 2", "", "3 1"]})
    plan = {"id_col": "ImageId_ClassId", "rle_col": "EncodedPixels", "combined_ids": True, "classes": ["1", "2", "3"],
            "table_layout": "per_class_rows"}
    masks = read_rle_table(table, plan, _images("a.jpg", "b.jpg", "c.jpg"))
    assert masks.layout == "per_class_rows" and masks.problem == "multilabel"
    assert masks.classes == ["1", "2", "3"]
    assert masks.rles == {"a.jpg": [(0, "1 2")], "b.jpg": [(0, "3 1")], "c.jpg": []}
    assert "1 training images have no row" in masks.notes[0]
    decoded = read_class_masks(masks, "a.jpg", (2, 2), "column")
    assert decoded.shape == (2, 2, 3) and decoded[:, 0, 0].tolist() == [1, 1]


def test_rle_table_class_outside_the_plan_names_the_row():
    table = pd.DataFrame({"ImageId": ["a", "b"], "ClassId": ["1", "7"], "EncodedPixels": ["1 1", "1 1"]})
    plan = {"id_col": "ImageId", "rle_col": "EncodedPixels", "class_col": "ClassId", "classes": ["1", "2"],
            "table_layout": "per_class_rows"}
    with pytest.raises(ValueError, match=r"row 3 \(b\): class '7' is not one of the classes"):
        read_rle_table(table, plan, _images("a", "b"))


def test_rle_table_instances_are_merged_and_bad_runs_name_the_image():
    table = pd.DataFrame({"ImageId": ["a", "a", "b"], "EncodedPixels": ["1 2", "4 1", "1 99"]})
    plan = {"id_col": "ImageId", "rle_col": "EncodedPixels", "classes": ["1"], "table_layout": "instances"}
    masks = read_rle_table(table, plan, _images("a", "b"))
    assert masks.layout == "instances" and masks.problem == "binary"
    assert read_class_masks(masks, "a", (2, 2), "column")[..., 0].ravel(order="F").tolist() == [1, 1, 0, 1]
    with pytest.raises(RleError, match="image b, class 1: decodes past the image"):
        read_class_masks(masks, "b", (2, 2), "column")
    with pytest.raises(FileNotFoundError, match=r"1 ids in the training table have no image \(first: \['b'\]\)"):
        read_rle_table(table, plan, _images("a"))


def test_mask_files_binary_colours_void_and_missing(tmp_path):
    for name, mask in (("a", [[0, 255], [255, 0]]), ("b", [[0, 0], [255, 0]])):
        (tmp_path / "img").mkdir(exist_ok=True)
        Image.fromarray(np.zeros((2, 2, 3), np.uint8)).save(tmp_path / "img" / f"{name}.png")
        Image.fromarray(np.array(mask, np.uint8)).save(tmp_path / "img" / f"{name}_mask.png")
    plan = {"train_image_dir": "img", "mask_dir": "img", "mask_suffix": "_mask", "id_key": "stem",
            "mask_encoding": "binary", "classes": ["1"]}
    binary, images = read_mask_files(plan, tmp_path)
    assert binary.problem == "binary" and binary.classes == ["1"] and set(images) == {"a", "b"}
    assert read_class_masks(binary, "a", (2, 2), "column")[..., 0].tolist() == [[0, 1], [1, 0]]
    assert binary.presence.tolist() == [[0, 1], [0, 1]]
    Image.fromarray(np.zeros((2, 2, 3), np.uint8)).save(tmp_path / "img" / "c.png")
    with pytest.raises(FileNotFoundError, match=r"1 training images have no mask in img/ \(first: \['img/c.png'\]\)"):
        read_mask_files(plan, tmp_path)
    # Colours named by a class table; the void colour is VOID in every channel, an unknown colour stops.
    colours = MaskTable(ids=[], classes=["road", "car"], problem="multiclass", layout="files",
                        values=[(128, 64, 128), (64, 0, 128)], void=[(0, 0, 0)], background=[(128, 128, 128)], colour=True)
    array = np.array([[[128, 64, 128], [64, 0, 128]], [[0, 0, 0], [128, 128, 128]]], np.uint8)
    got = class_masks_from_file(array, colours, "x_L.png")
    assert got[..., 0].tolist() == [[1, 0], [VOID, 0]] and got[..., 1].tolist() == [[0, 1], [VOID, 0]]
    array[1, 1] = (1, 2, 3)
    with pytest.raises(ValueError, match=r"mask x_L.png has colours \[\(1, 2, 3\)\] outside the classes"):
        class_masks_from_file(array, colours, "x_L.png")
    ids = MaskTable(ids=[], classes=["1", "2"], problem="multiclass", layout="files", values=[1, 2])
    labels = np.array([[0, 1], [2, 2]], np.uint8)
    assert class_masks_from_file(labels, ids, "x.png").sum((0, 1)).tolist() == [1, 2]
    with pytest.raises(ValueError, match=r"mask x.png has pixel values \[2\] outside the classes"):
        class_masks_from_file(labels, MaskTable(ids=[], classes=["1"], problem="multiclass", layout="files", values=[1]),
                              "x.png")


def test_void_pixels_count_on_neither_side_of_the_metric():
    true = np.array([[[[1, 0], [VOID, 0]]]], np.uint8)
    pred = np.array([[[[1, 1], [1, 0]]]], bool)
    inter, pred_sum, true_sum = mask_stats(pred, true)
    assert (inter.item(), pred_sum.item(), true_sum.item()) == (1, 2, 1)  # the void pixel's prediction is not counted


def _encoded(spec, order, empty):
    a = np.zeros((2, 3, 4), np.uint8)
    a[0, 0, 0] = 1
    a[1, 2, 3] = 1
    a[1, 0, 3] = 1
    masks = {"a": a, "b": np.zeros((2, 3, 4), np.uint8)}
    return {i: encode_prediction(m, spec, order, empty) for i, m in masks.items()}


def test_submission_per_image_class_and_per_image():
    sample = pd.DataFrame({"ImageId": ["a", "a", "b", "b"], "EncodedPixels": "", "ClassId": [1, 2, 1, 2]})
    spec = read_submission_spec(sample, {"ImageId": "image id", "EncodedPixels": "RLE mask",
                                         "ClassId": "class of the row's mask"}, "per_image_class")
    assert spec.layout == "per_image_class" and spec.image_ids == ("a", "b")
    sub = build_submission(sample, spec, _encoded(spec, "column", ""), ["1", "2"])
    assert sub["EncodedPixels"].tolist() == ["1 1", "10 1 12 1", "", ""]
    check_submission(sub, sample, spec, {"a": (3, 4), "b": (3, 4)}, "")

    sample = pd.DataFrame({"img": ["b", "a"], "rle_mask": "x"})
    spec = read_submission_spec(sample, {"img": "image id", "rle_mask": "RLE mask"}, "per_image")
    sub = build_submission(sample, spec, _encoded(spec, "row", "-"), ["1", "2"])
    assert spec.layout == "per_image" and sub["rle_mask"].tolist() == ["-", "1 1 4 1 12 1"]


def test_submission_instances_one_row_per_component():
    sample = pd.DataFrame({"ImageId": ["a", "b"], "EncodedPixels": ""})
    spec = read_submission_spec(sample, {"ImageId": "image id", "EncodedPixels": "RLE mask"}, "instances")
    sub = build_submission(sample, spec, _encoded(spec, "column", ""), ["1", "2"])
    assert spec.layout == "instances"
    assert sub.values.tolist() == [["a", "1 1"], ["a", "10 1"], ["a", "12 1"], ["b", ""]]
    check_submission(sub, sample, spec, {"a": (3, 4), "b": (3, 4)}, "")
    with pytest.raises(ValueError, match="runs past its 2x2 image"):
        check_submission(sub, sample, spec, {"a": (2, 2), "b": (2, 2)}, "")


def test_dice_hausdorff_against_a_hand_computed_case():
    from lib.seg_metrics import dice_hausdorff, hausdorff_3d

    truth = np.zeros((2, 1, 4, 4), np.uint8)
    pred = np.zeros_like(truth)
    truth[0, 0, 0, 0] = 1
    pred[0, 0, 0, 0] = pred[1, 0, 3, 3] = 1
    # Hausdorff: the far predicted voxel (1, 3, 3) is sqrt(1 + 9 + 9) from (0, 0, 0); the diagonal of (2, 4, 4) is 6.
    assert hausdorff_3d(truth[:, 0], pred[:, 0]) == pytest.approx(np.sqrt(19) / 6)
    # Dice: slice 0 scores 1, slice 1 (empty truth, one predicted pixel) scores 0.
    assert dice_hausdorff([truth], [pred]) == pytest.approx(0.4 * 0.5 + 0.6 * (1 - np.sqrt(19) / 6))
    assert dice_hausdorff([truth], [truth]) == pytest.approx(1.0)
    assert hausdorff_3d(truth[:, 0], np.zeros((2, 4, 4))) == 1.0
