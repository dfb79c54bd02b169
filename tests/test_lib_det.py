"""Detection helpers: box formats, annotations, metrics (against pycocotools), WBF wiring, PredictionStrings."""

import json

import numpy as np
import pandas as pd
import pytest

from lib.boxes import (
    clean_boxes,
    hflip_boxes,
    iou_matrix,
    vflip_boxes,
    xywh_to_xyxy,
    xyxy_to_xywh,
    xyxy_to_yolo,
    yolo_to_xyxy,
)
from lib.det_annotations import (
    build_box_table,
    read_bbox_string_csv,
    read_box_columns,
    read_coco_json,
    read_labelled_csv,
)
from lib.det_files import read_labelme_boxes, read_voc, read_yolo
from lib.det_metrics import coco_map, det_score, voc_map, wheat_score
from lib.discover_boxes import format_from_sample
from lib.fusion import fuse_boxes
from lib.prediction_string import parse_prediction_string, write_prediction_string
from lib.study import (
    box_free_classes,
    no_object_score,
    no_object_scores,
    study_image_map,
    study_means,
    study_string,
    tune_no_object_weight,
)


def test_box_format_round_trips():
    rng = np.random.default_rng(0)
    xyxy = np.sort(rng.random((20, 2, 2)) * 100, axis=1).transpose(0, 2, 1).reshape(20, 4)[:, [0, 2, 1, 3]]
    xyxy = np.column_stack([np.minimum(xyxy[:, 0], xyxy[:, 2]), np.minimum(xyxy[:, 1], xyxy[:, 3]),
                            np.maximum(xyxy[:, 0], xyxy[:, 2]) + 1, np.maximum(xyxy[:, 1], xyxy[:, 3]) + 1])
    np.testing.assert_allclose(xywh_to_xyxy(xyxy_to_xywh(xyxy)), xyxy)
    np.testing.assert_allclose(yolo_to_xyxy(xyxy_to_yolo(xyxy, 120, 90), 120, 90), xyxy)
    np.testing.assert_allclose(hflip_boxes(hflip_boxes(xyxy, 120), 120), xyxy)
    np.testing.assert_allclose(vflip_boxes(vflip_boxes(xyxy, 90), 90), xyxy)
    assert xywh_to_xyxy([834, 222, 56, 36]).tolist() == [[834, 222, 890, 258]]
    assert hflip_boxes([[10, 5, 30, 25]], 100).tolist() == [[70, 5, 90, 25]]


def test_clean_boxes_clips_and_drops_degenerate():
    boxes = [[-5, 10, 20, 30], [10, 10, 10, 40], [90, 90, 130, 120], [120, 5, 140, 20], [5, 5, 15, 15]]
    fixed, keep, clipped = clean_boxes(boxes, 100, 100)
    assert keep.tolist() == [True, False, True, False, True]  # zero width; fully outside -> no area
    assert fixed[0].tolist() == [0, 10, 20, 30] and fixed[2].tolist() == [90, 90, 100, 100]
    assert clipped == 3


def test_iou_hand_case():
    assert iou_matrix([[0, 0, 10, 10]], [[5, 0, 15, 10], [20, 20, 30, 30]]).round(4).tolist() == [[0.3333, 0.0]]


def _truth_and_predictions():
    truth = {"a": (np.array([[0, 0, 10, 10], [20, 20, 40, 40]]), np.array([0, 1])),
             "b": (np.array([[5, 5, 25, 25]]), np.array([0])),
             "c": (np.zeros((0, 4)), np.zeros(0, int))}
    predictions = {"a": (np.array([[0, 0, 10, 11], [21, 20, 40, 40], [50, 50, 60, 60]]), np.array([0.9, 0.8, 0.3]), np.array([0, 1, 0])),
                   "b": (np.array([[6, 6, 25, 25]]), np.array([0.7]), np.array([0])),
                   "c": (np.array([[1, 1, 5, 5]]), np.array([0.2]), np.array([0]))}
    return truth, predictions


def test_wheat_score_hand_case():
    truth = {"a": (np.array([[0, 0, 10, 10], [20, 20, 30, 30]]), np.array([0, 0])), "e": (np.zeros((0, 4)), np.zeros(0))}
    # one exact hit, one miss (IoU 1/3 with the second box), one false positive elsewhere
    predictions = {"a": (np.array([[0, 0, 10, 10], [25, 20, 35, 30], [50, 50, 60, 60]]), np.array([0.9, 0.8, 0.5]), np.array([0, 0, 0]))}
    # image a: at every threshold TP=1, FP=2, FN=1 -> 1/4; image e: no boxes, no predictions -> 1
    assert wheat_score(predictions, truth) == pytest.approx((0.25 + 1.0) / 2)
    assert wheat_score({}, {"x": (np.array([[0, 0, 1, 1]]), np.array([0]))}) == 0.0


def test_voc_map_hand_case():
    truth, predictions = _truth_and_predictions()
    # class 0: three true boxes (a, b) -> hits at 0.9 (a) and 0.7 (b), misses at 0.3 and 0.2: AP = 2/2 precision up to recall 2/2 = 1
    # class 1: one box, one hit -> AP 1
    assert voc_map(predictions, truth, 0.5) == pytest.approx(1.0)
    worse = dict(predictions, b=(np.array([[30, 30, 50, 50]]), np.array([0.95]), np.array([0])))
    # class 0: ranked 0.95 miss, 0.9 hit, 0.3 miss, 0.2 miss; 2 true boxes -> AP = 0.5 * 0.5; class 1: 1
    assert voc_map(worse, truth, 0.5) == pytest.approx((0.25 + 1.0) / 2)


def _pycocotools_direct(truth, predictions):
    """pycocotools fed by hand, independently of coco_map's conversion."""
    import contextlib
    import io

    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    images = sorted(truth)
    anns, dets = [], []
    for n, image in enumerate(images):
        for (x0, y0, x1, y1), k in zip(truth[image][0].tolist(), truth[image][1].tolist(), strict=True):
            anns.append({"id": len(anns) + 1, "image_id": n + 1, "category_id": k + 1, "bbox": [x0, y0, x1 - x0, y1 - y0],
                         "area": (x1 - x0) * (y1 - y0), "iscrowd": 0})
        for (x0, y0, x1, y1), s, k in zip(*(a.tolist() for a in predictions[image]), strict=True):
            dets.append({"image_id": n + 1, "category_id": k + 1, "bbox": [x0, y0, x1 - x0, y1 - y0], "score": s})
    with contextlib.redirect_stdout(io.StringIO()):
        gt = COCO()
        gt.dataset = {"images": [{"id": n + 1} for n in range(len(images))], "annotations": anns,
                      "categories": [{"id": 1}, {"id": 2}]}
        gt.createIndex()
        ev = COCOeval(gt, gt.loadRes(dets), "bbox")
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    return ev.stats[0], ev.stats[1]


def test_coco_map_matches_pycocotools_and_a_hand_case():
    pytest.importorskip("pycocotools")
    truth, predictions = _truth_and_predictions()
    assert coco_map(predictions, truth) == pytest.approx(_pycocotools_direct(truth, predictions))
    rng = np.random.default_rng(1)
    truth = {f"i{n}": (np.array([[x, y, x + 20, y + 15] for x, y in rng.integers(0, 80, (4, 2))], float), rng.integers(0, 2, 4))
             for n in range(6)}
    predictions = {i: (b + rng.normal(0, 2, b.shape), rng.random(len(b)), k) for i, (b, k) in truth.items()}
    assert coco_map(predictions, truth) == pytest.approx(_pycocotools_direct(truth, predictions))
    # One box found with IoU 0.62: a hit at thresholds 0.50, 0.55, 0.60 of the ten -> 0.3; at 0.5 -> 1.
    one = {"a": (np.array([[0.0, 0.0, 100.0, 100.0]]), np.array([0]))}
    found = {"a": (np.array([[0.0, 0.0, 100.0, 62.0]]), np.array([0.9]), np.array([0]))}
    assert coco_map(found, one) == pytest.approx((0.3, 1.0), abs=1e-6)
    assert det_score("map50", found, one) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="choose from map50_95, map50, voc_map, wheat"):
        det_score("f1", found, one)


def test_prediction_strings_round_trip_and_errors():
    boxes, scores, labels = np.array([[10, 20, 50, 60], [0, 0, 5, 5]]), np.array([0.4, 0.9]), np.array([3, 1])
    wheat = write_prediction_string("wheat", boxes, scores, labels)
    assert wheat == "0.9000 0 0 5 5 0.4000 10 20 40 40"  # by confidence, [x, y, w, h]
    vin = write_prediction_string("vinbig", boxes, scores, labels, empty="14 1 0 0 1 1")
    assert vin == "1 0.9000 0 0 5 5 3 0.4000 10 20 50 60"
    for fmt, text in (("wheat", wheat), ("vinbig", vin)):
        parsed_boxes, parsed_scores, parsed_labels = parse_prediction_string(fmt, text)
        np.testing.assert_allclose(parsed_boxes, boxes[[1, 0]])
        np.testing.assert_allclose(parsed_scores, [0.9, 0.4])
    assert parse_prediction_string("vinbig", vin)[2].tolist() == [1, 3]
    assert write_prediction_string("vinbig", np.zeros((0, 4)), [], [], empty="14 1 0 0 1 1") == "14 1 0 0 1 1"
    assert write_prediction_string("wheat", np.zeros((0, 4)), [], []) == ""
    assert len(parse_prediction_string("wheat", float("nan"))[0]) == 0
    with pytest.raises(ValueError, match="not a multiple of 5"):
        parse_prediction_string("wheat", "0.5 1 2 3")
    with pytest.raises(ValueError, match="supported formats are wheat, vinbig"):
        write_prediction_string("coco", boxes, scores, labels)


def test_wbf_wiring():
    a = (np.array([[10, 10, 50, 50]]), np.array([0.9]), np.array([0]))
    b = (np.array([[12, 10, 52, 50], [100, 100, 120, 130]]), np.array([0.7, 0.4]), np.array([0, 1]))
    boxes, scores, labels = fuse_boxes([a, b], 200, 160)
    order = np.argsort(labels)
    # the two overlapping class-0 boxes merge, weighted by score, at pixel scale; the class-1 box stays alone
    np.testing.assert_allclose(boxes[order][0], [10 + 2 * 0.7 / 1.6, 10, 50 + 2 * 0.7 / 1.6, 50], atol=1e-3)
    np.testing.assert_allclose(scores[order], [0.8, 0.2], atol=1e-6)
    assert labels[order].tolist() == [0, 1]
    single = fuse_boxes([a], 200, 160)
    np.testing.assert_allclose(single[0], a[0])
    assert len(fuse_boxes([(np.zeros((0, 4)), [], []), (np.zeros((0, 4)), [], [])], 10, 10)[0]) == 0


def test_annotation_layouts(tmp_path):
    images = {"a": tmp_path / "a.jpg", "b": tmp_path / "b.jpg", "c": tmp_path / "c.jpg"}
    sizes = {"a": (100, 80), "b": (100, 80), "c": (100, 80)}
    wheat = pd.DataFrame({"image_id": ["a", "a", "b"], "bbox": ["[10, 10, 20, 20]", "[90, 70, 30, 30]", "[0, 0, 5, 0]"]})
    table = build_box_table(*read_bbox_string_csv(wheat, "image_id", "bbox"), images, sizes, "bbox_csv")
    assert table.boxes.values.tolist() == [["a", 0, 10, 10, 30, 30], ["a", 0, 90, 70, 100, 80]]
    assert "1 boxes reached outside" in table.notes[0] and "1 had no area" in table.notes[0]
    assert "1 images without boxes" not in table.notes[1] and "2 images without boxes" in table.notes[1]
    truth = table.truth(["a", "c"])
    assert truth["a"][0].shape == (2, 4) and truth["c"][0].shape == (0, 4)

    vin = pd.DataFrame({"image_id": ["a", "b", "c"], "class_name": ["Nodule", "No finding", "Effusion"],
                        "x_min": [1, np.nan, 5], "y_min": [1, np.nan, 5], "x_max": [9, np.nan, 50], "y_max": [9, np.nan, 60]})
    columns = ["x_min", "y_min", "x_max", "y_max"]
    table = build_box_table(*read_box_columns(vin, "image_id", columns, "class_name", True, "No finding"), images, sizes,
                            "xyxy_csv")
    assert table.classes == ["Effusion", "Nodule"] and table.boxes["class_index"].tolist() == [1, 0]
    # Corner and size columns, and no class column: one class.
    xywh = pd.DataFrame({"file": ["a.jpg"], "x": ["10"], "y": ["20"], "w": ["5"], "h": [""]})
    ids, boxes, names = read_box_columns(xywh, "file", ["x", "y", "w", "h"], "", corners=False)
    assert ids.tolist() == ["a.jpg"] and np.isnan(boxes).any() and names.tolist() == [""]
    xywh["h"] = "6"
    assert read_box_columns(xywh, "file", ["x", "y", "w", "h"], "", corners=False)[1].tolist() == [[10, 20, 15, 26]]

    coco = {"images": [{"id": 1, "file_name": "a.jpg", "width": 100, "height": 80}, {"id": 2, "file_name": "b.jpg"}],
            "annotations": [{"id": 1, "image_id": 1, "category_id": 7, "bbox": [1, 2, 3, 4]}],
            "categories": [{"id": 0, "name": "pets"}, {"id": 7, "name": "cat"}]}  # Roboflow: the dataset as id 0
    (tmp_path / "ann.json").write_text(json.dumps(coco))
    ids, boxes, labels, coco_sizes, names = read_coco_json(tmp_path / "ann.json")
    assert ids.tolist() == ["a.jpg", "b.jpg"] and boxes[0].tolist() == [1, 2, 4, 6] and names == ["cat"]

    (tmp_path / "labels").mkdir()
    (tmp_path / "labels" / "a.txt").write_text("1 0.5 0.5 0.2 0.25\n")
    ids, boxes, labels = read_yolo(tmp_path / "labels", sizes, ["x", "y"])
    assert labels.tolist() == ["y", "", ""] and boxes[0].tolist() == [40, 30, 60, 50]
    assert read_yolo(tmp_path / "labels", sizes, None)[2].tolist() == ["1", "", ""]  # no names: the class numbers
    (tmp_path / "labels" / "b.txt").write_text("5 0.5 0.5 0.2 0.2\n")
    with pytest.raises(ValueError, match="class 5 is outside the 2 class names"):
        read_yolo(tmp_path / "labels", sizes, ["x", "y"])


def test_voc_and_labelme_files_are_read_by_stem_and_unannotated_images_left_out(tmp_path):
    (tmp_path / "xml").mkdir()
    (tmp_path / "xml" / "a.xml").write_text(
        "<annotation><filename>other.jpg</filename><object><name> dog </name><bndbox><xmin>1</xmin><ymin>2</ymin>"
        "<xmax>30</xmax><ymax>40</ymax></bndbox></object></annotation>")
    (tmp_path / "xml" / "b.xml").write_text("<annotation><filename>b.jpg</filename></annotation>")  # no object
    ids, boxes, labels = read_voc(tmp_path / "xml", {"a": "a.jpg", "b": "b.jpg", "c": "c.jpg"})
    # b has no box: a negative; c has no file: not annotated, left out
    assert ids.tolist() == ["a", "b"] and labels.tolist() == ["dog", ""] and boxes[0].tolist() == [1, 2, 30, 40]
    (tmp_path / "xml" / "zz.xml").write_text("<annotation></annotation>")
    with pytest.raises(FileNotFoundError, match=r"1 VOC XML files name no training image \(first: \['zz'\]\)"):
        read_voc(tmp_path / "xml", {"a": "a.jpg", "b": "b.jpg"})
    (tmp_path / "json").mkdir()
    shape = {"label": "cat", "shape_type": "rectangle", "points": [[30, 40], [1, 2]]}
    (tmp_path / "json" / "a.json").write_text(json.dumps({"shapes": [shape], "imagePath": "a.jpg"}))
    assert read_labelme_boxes(tmp_path / "json", {"a": "a.jpg"})[1].tolist() == [[1, 2, 30, 40]]
    (tmp_path / "json" / "a.json").write_text(json.dumps({"shapes": [{**shape, "shape_type": "polygon"}], "imagePath": "a"}))
    with pytest.raises(ValueError, match="a.json: a polygon shape in a box dataset"):
        read_labelme_boxes(tmp_path / "json", {"a": "a.jpg"})


def test_annotated_images_missing_from_the_folder_are_named():
    with pytest.raises(FileNotFoundError, match="1 annotated images are not in the image folder"):
        build_box_table(np.array(["zz"], dtype=object), np.array([[0, 0, 1, 1.0]]), np.array(["o"], dtype=object), {}, {}, "x")


def test_points_format_writes_centres_with_names_and_reads_them_back():
    from lib.discover_boxes import format_from_sample
    from lib.prediction_string import parse_prediction_string, write_prediction_string

    boxes = np.array([[10, 20, 30, 40], [0, 0, 4, 6]], dtype=float)
    text = write_prediction_string("points", boxes, [0.2, 0.9], ["U+304A", "U+3057"])
    assert text == "U+3057 2 3 U+304A 20 30"  # best first, box centres
    centres, _, names = parse_prediction_string("points", text)
    assert centres[:, :2].tolist() == [[2, 3], [20, 30]] and names.tolist() == ["U+3057", "U+304A"]
    assert format_from_sample(["U+003F 1 1 U+FF2F 2 2"]) == "points"
    assert format_from_sample(["14 1 0 0 1 1"]) == "vinbig" and format_from_sample(["1.0 0 0 50 50"]) == "wheat"


def test_point_f1_hand_case():
    from lib.det_metrics import point_f1

    truth = {"p": (np.array([[0, 0, 10, 10], [20, 20, 30, 30]]), np.array([0, 1])), "q": (np.zeros((0, 4)), np.zeros(0))}
    predictions = {
        "p": (np.array([[4, 4, 6, 6], [4, 4, 6, 6], [24, 24, 26, 26]]), np.array([0.9, 0.8, 0.7]), np.array([0, 0, 0])),
        "q": (np.array([[1, 1, 2, 2]]), np.array([0.5]), np.array([1])),
    }
    # p: a hit, a second point in the already matched box (FP), a point in a box of the other class (FP, one FN);
    # q: a point on an empty page (FP). TP 1, FP 3, FN 1.
    assert point_f1(predictions, truth) == pytest.approx(2 / (2 + 3 + 1))


def test_packed_box_strings_are_read_with_negatives():
    from lib.det_annotations import read_packed_csv

    table = pd.DataFrame({"image_id": ["a", "b"], "labels": ["U+304A 10 20 5 6 U+3057 0 0 3 3", float("nan")]})
    ids, boxes, labels = read_packed_csv(table, "image_id", "labels")
    assert ids.tolist() == ["a", "a", "b"] and labels.tolist() == ["U+304A", "U+3057", ""]
    assert boxes[0].tolist() == [10, 20, 15, 26] and np.isnan(boxes[2]).all()
    with pytest.raises(ValueError, match="a: labels has 4 tokens"):
        read_packed_csv(pd.DataFrame({"image_id": ["a"], "labels": ["U+1 1 2 3"]}), "image_id", "labels")


def test_siim_label_strings_read_as_corner_boxes_and_none_as_a_negative():
    table = pd.DataFrame({"id": ["a_image", "b_image"],
                          "label": ["opacity 1 10 20 30 60 opacity 1 5 5 9 9", "none 1 0 0 1 1"]})
    ids, boxes, labels = read_labelled_csv(table, "id", "label")
    assert ids.tolist() == ["a_image", "a_image", "b_image"]
    np.testing.assert_array_equal(boxes[:2], [[10, 20, 30, 60], [5, 5, 9, 9]])
    assert np.isnan(boxes[2]).all() and labels.tolist() == ["opacity", "opacity", ""]
    with pytest.raises(ValueError, match="b_image: label has 5 tokens"):
        read_labelled_csv(pd.DataFrame({"id": ["b_image"], "label": ["none 1 0 0 1"]}), "id", "label")


def test_named_format_is_told_from_the_sample_and_round_trips():
    assert format_from_sample(["negative 1 0 0 1 1", "none 1 0 0 1 1"]) == "named"
    assert format_from_sample(["14 1 0 0 1 1"]) == "vinbig"
    text = write_prediction_string("named", [[1, 2, 3, 4], [5, 6, 7, 8]], [0.2, 0.9], ["opacity", "opacity"])
    assert text == "opacity 0.9000 5 6 7 8 opacity 0.2000 1 2 3 4"
    boxes, scores, labels = parse_prediction_string("named", text + " none 0.1000 0 0 1 1")
    np.testing.assert_array_equal(boxes[-1], [0, 0, 1, 1])
    assert scores.tolist() == [0.9, 0.2, 0.1] and labels.tolist() == ["opacity", "opacity", "none"]


def test_study_rows_average_their_images_and_name_every_class():
    means = study_means([[0.2, 0.8], [0.6, 0.4], [1.0, 0.0]], ["s1", "s1", "s2"])
    assert list(means) == ["s1", "s2"]
    np.testing.assert_allclose(means["s1"], [0.4, 0.6])
    assert study_string(["negative", "typical"], means["s1"]) == "negative 0.4000 0 0 1 1 typical 0.6000 0 0 1 1"
    assert no_object_score([0.3, 0.75]) == 0.25 and no_object_score([]) == 1.0


def test_study_image_map_on_a_hand_computed_case():
    """Study A is class 0 and B class 1; B's 0.9 for class 0 outranks A's 0.8: AP 0.5 for class 0, and
    A's 0.2 for class 1 outranks B's 0.1: AP 0.5. Image X has one opacity found at 0.7 (Y's 0.4 box is a
    false positive ranked below it): AP 1; Y has none, its none score 0.6 outranks X's 0.3: AP 1.
    Labels without truth (classes 2, 3) are not averaged: (0.5 + 0.5 + 1 + 1) / 4 = 0.75."""
    study_truth = {"A": 0, "B": 1}
    study_probs = {"A": [0.8, 0.2, 0.0, 0.0], "B": [0.9, 0.1, 0.0, 0.0]}
    image_truth = {"X": (np.array([[0, 0, 10, 10]]), np.array([0])), "Y": (np.zeros((0, 4)), np.zeros(0, dtype=int))}
    predictions = {"X": (np.array([[0, 0, 10, 10]]), np.array([0.7]), np.array([0])),
                   "Y": (np.array([[20, 20, 30, 30]]), np.array([0.4]), np.array([0]))}
    combined, study_part, image_part = study_image_map(study_truth, study_probs, image_truth, predictions, 1)
    assert (combined, study_part, image_part) == pytest.approx((0.75, 0.5, 1.0))
    # As submitted: a none score of 0.2 for Y ranks it below X's 0.3, so the none AP halves.
    assert study_image_map(study_truth, study_probs, image_truth, predictions, 1, {"X": 0.3, "Y": 0.2})[2] == pytest.approx(0.75)


def test_box_free_classes_are_those_whose_images_hold_no_box():
    """Class 0's four images hold no box, class 1's one of two, class 2 has no image: only class 0 says 'nothing'."""
    free, shares = box_free_classes([0, 0, 0, 0, 1, 1], [False, False, False, False, True, False], 3)
    assert free == [0] and shares[:2] == [1.0, 0.5] and np.isnan(shares[2])
    assert box_free_classes([0, 0, 1], [False, True, True], 2, share=0.5)[0] == [0]


def test_no_object_score_mixes_the_boxes_and_the_study_by_weight():
    mixed = no_object_scores({"X": [0.3, 0.8], "Y": [], "Z": [0.5]}, {"X": 0.6, "Y": 0.1}, 0.25)
    # X: 0.75 x (1 - 0.8) + 0.25 x 0.6; Y: 0.75 x 1 + 0.25 x 0.1; Z has no study probability: its boxes alone.
    assert mixed == pytest.approx({"X": 0.3, "Y": 0.775, "Z": 0.5})


def test_the_no_object_weight_is_tuned_on_the_combined_map():
    """Y holds nothing, X one opacity. The boxes rank them wrongly (Y's false box 0.9, X's true box 0.2: none
    scores Y 0.1 < X 0.8); the study's no-box probabilities rank them rightly (Y 0.9, X 0.1). From weight 0.5 on,
    Y outranks X (0.5 x 0.1 + 0.5 x 0.9 = 0.5 > 0.5 x 0.8 + 0.5 x 0.1 = 0.45): the none AP goes from 0.5 to 1,
    and the smallest such weight is kept."""
    study_truth, study_probs = {"A": 0}, {"A": [1.0, 0.0]}
    image_truth = {"X": (np.array([[0, 0, 10, 10]]), np.array([0])), "Y": (np.zeros((0, 4)), np.zeros(0, dtype=int))}
    predictions = {"X": (np.array([[0, 0, 10, 10]]), np.array([0.2]), np.array([0])),
                   "Y": (np.array([[20, 20, 30, 30]]), np.array([0.9]), np.array([0]))}
    weight, tried = tune_no_object_weight(study_truth, study_probs, image_truth, predictions, 1, {"X": 0.1, "Y": 0.9})
    # study AP 1, opacity AP 0.5 (the false box ranks first), none AP 0.5 or 1: combined 2/3 or 5/6.
    assert weight == 0.5 and [tried[w] for w in (0.0, 0.25, 0.5, 0.75, 1.0)] == pytest.approx([2 / 3] * 2 + [5 / 6] * 3)


def test_weighted_fusion_leans_towards_the_heavier_member():
    """Two members each see one box of the same object; with weights 3:1 the fused box sits 3/4 of the way to the first."""
    from lib.fusion import fuse_boxes

    a = (np.array([[10.0, 10.0, 50.0, 50.0]]), np.array([0.8]), np.array([0]))
    b = (np.array([[14.0, 14.0, 54.0, 54.0]]), np.array([0.8]), np.array([0]))
    boxes, scores, _ = fuse_boxes([a, b], 100, 100, weights=[3, 1])
    np.testing.assert_allclose(boxes[0], [11, 11, 51, 51], atol=1e-4)
    even, _, _ = fuse_boxes([a, b], 100, 100)
    np.testing.assert_allclose(even[0], [12, 12, 52, 52], atol=1e-4)
